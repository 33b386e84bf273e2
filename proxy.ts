import { NextResponse, type NextRequest } from "next/server";

import { allowedHostsFrom, hostAllowed } from "@/lib/auth/hosts";
import { signInPath } from "@/lib/auth/next-path";
import { authConfig } from "@/lib/server/auth/config";
import { PAGE_PATH_HEADER } from "@/lib/server/auth/page-path";
import { actorFromSessionCookie, sessionCookieValue } from "@/lib/server/auth/session-cookie";
import { getDb } from "@/lib/server/platform/db/db";

/** Pages that must open without a session. */
const PUBLIC_PAGES = ["/sign-in", "/setup", "/invite"];
/** Next's cache-busting parameter on RSC requests: never part of the way back after signing in. */
const RSC_SEARCH_PARAM = "_rsc";

let allowed: string[] | undefined;

function allowedHosts(): string[] {
  allowed ??= allowedHostsFrom(new URL(process.env.MINOS_ORIGIN || `http://localhost:${process.env.PORT || 3000}`), process.env.MINOS_ALLOWED_HOSTS ?? "");
  return allowed;
}

/** The page's own path and query, as the way back after signing in. */
function pagePath(request: NextRequest): string {
  const url = request.nextUrl.clone();
  url.searchParams.delete(RSC_SEARCH_PARAM);
  return `${url.pathname}${url.search}`;
}

/**
 * Runs before every page and API request. Refuses Host names Minos does not answer to, so a
 * DNS-rebinding page (evil.example resolving to 127.0.0.1) cannot read or drive Minos. Sends a
 * page request without a live session (no cookie, or one whose session is unknown, expired,
 * idle, signed out or of a revoked user) to the sign-in page before anything renders: full page
 * loads, client-side navigations and prefetches alike, since the redirect carries no page.
 *
 * Proxy runs on the Node.js runtime in Next 16, in the server's process, so it asks the same
 * session store the pages and the API use (one indexed read of the database every replica shares). It is still not the only
 * check: every page checks again (requirePageActor), and API routes check in their wrapper.
 */
export async function proxy(request: NextRequest): Promise<NextResponse> {
  if (!hostAllowed(request.headers, { allowedHosts: allowedHosts() })) {
    const message = `Minos does not answer to the host name "${request.headers.get("host")}"; add it to MINOS_ALLOWED_HOSTS`;
    return NextResponse.json({ error: { code: "forbidden", message } }, { status: 403 });
  }
  const path = request.nextUrl.pathname;
  if (path.startsWith("/api/")) return NextResponse.next();
  // The page learns its own address from here only: whatever the browser sent under this name is replaced.
  const headers = new Headers(request.headers);
  headers.delete(PAGE_PATH_HEADER);
  if (!PUBLIC_PAGES.some((p) => path === p || path.startsWith(`${p}/`))) {
    const here = pagePath(request);
    const actor = await actorFromSessionCookie(
      sessionCookieValue((name) => request.cookies.get(name)?.value),
      { db: getDb(), config: authConfig(), now: new Date() },
    );
    if (!actor) {
      const response = NextResponse.redirect(new URL(signInPath(here), request.url));
      // Nobody caches a redirect that depends on the cookie.
      response.headers.set("cache-control", "no-store");
      return response;
    }
    headers.set(PAGE_PATH_HEADER, here);
  }
  return NextResponse.next({ request: { headers } });
}

export const config = {
  // Static assets carry nothing worth rebinding for; skipping them keeps the proxy off the hot path.
  matcher: ["/((?!_next/static|_next/image|favicon.ico|icon.svg).*)"],
};
