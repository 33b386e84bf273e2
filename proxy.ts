import { NextResponse, type NextRequest } from "next/server";

import { allowedHostsFrom, hostAllowed } from "@/lib/auth/hosts";

/**
 * A page request without a session cookie is sent to the sign-in page before anything renders.
 * Only an optimistic check; the dashboard layout and the route wrapper verify the session.
 */
const GATE_PAGES = true;
const SESSION_COOKIES = ["minos_session", "__Host-minos_session"];
/** Pages that must open without a session. */
const PUBLIC_PAGES = ["/sign-in", "/setup", "/invite"];

let allowed: string[] | undefined;

function allowedHosts(): string[] {
  allowed ??= allowedHostsFrom(new URL(process.env.MINOS_ORIGIN || `http://localhost:${process.env.PORT || 3000}`), process.env.MINOS_ALLOWED_HOSTS ?? "");
  return allowed;
}

/**
 * Runs before every page and API request: refuses Host names Minos does not answer to, so a
 * DNS-rebinding page (evil.example resolving to 127.0.0.1) cannot read or drive Minos.
 */
export function proxy(request: NextRequest) {
  if (!hostAllowed(request.headers, { allowedHosts: allowedHosts() })) {
    const message = `Minos does not answer to the host name "${request.headers.get("host")}"; add it to MINOS_ALLOWED_HOSTS`;
    return NextResponse.json({ error: { code: "forbidden", message } }, { status: 403 });
  }
  const path = request.nextUrl.pathname;
  if (GATE_PAGES && !path.startsWith("/api/") && !PUBLIC_PAGES.some((p) => path === p || path.startsWith(`${p}/`))) {
    if (!SESSION_COOKIES.some((c) => request.cookies.has(c))) {
      // Slashes stay readable ("/sign-in?next=/access"), as the pages' own redirects write it.
      const next = encodeURIComponent(path + request.nextUrl.search).replace(/%2F/gi, "/");
      return NextResponse.redirect(new URL(`/sign-in?next=${next}`, request.url));
    }
  }
  return NextResponse.next();
}

export const config = {
  // Static assets carry nothing worth rebinding for; skipping them keeps the proxy off the hot path.
  matcher: ["/((?!_next/static|_next/image|favicon.ico|icon.svg).*)"],
};
