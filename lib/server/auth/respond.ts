import "server-only";

import { CSRF_COOKIE } from "@/lib/auth/csrf";
import type { AuthConfig } from "@/lib/server/auth/config";
import { CHALLENGE_COOKIE, clearCookie, serializeCookie, sessionCookieName } from "@/lib/server/auth/cookies";
import { requestProtocol } from "@/lib/server/auth/hosts";
import type { NewSession } from "@/lib/server/auth/sessions";
import { isAppError } from "@/lib/server/platform/errors";

/** What a sign-in service returns: the JSON body and the cookies to set. */
export interface WithCookies<T> {
  body: T;
  cookies: string[];
}

/** A JSON response with Set-Cookie headers; never cached, since it carries credentials. */
export function jsonWithCookies<T>({ body, cookies }: WithCookies<T>, init: ResponseInit = {}): Response {
  const headers = new Headers(init.headers);
  for (const c of cookies) headers.append("set-cookie", c);
  headers.set("cache-control", "no-store");
  return Response.json(body, { ...init, headers });
}

/** Cookies are Secure when the browser came over HTTPS (directly or through a proxy) or Minos's origin is HTTPS. */
export function isSecureRequest(request: Request, config: Pick<AuthConfig, "origin">): boolean {
  return requestProtocol(request.headers, config) === "https";
}

/** The session cookie (HttpOnly) and the CSRF cookie (readable by Minos's own scripts), with the session's lifetime. */
export function sessionCookies(session: NewSession, secure: boolean, now: Date): string[] {
  const maxAgeSeconds = (session.expiresAt.getTime() - now.getTime()) / 1000;
  return [
    serializeCookie(sessionCookieName(secure), session.token, { secure, httpOnly: true, maxAgeSeconds }),
    serializeCookie(CSRF_COOKIE, session.csrf, { secure, httpOnly: false, maxAgeSeconds }),
  ];
}

export function clearSessionCookies(secure: boolean): string[] {
  return [
    clearCookie(sessionCookieName(secure), { secure, httpOnly: true }),
    clearCookie(CSRF_COOKIE, { secure, httpOnly: false }),
    clearCookie(CHALLENGE_COOKIE, { secure, httpOnly: true }),
  ];
}

export function challengeCookie(handle: string, secure: boolean): string {
  return serializeCookie(CHALLENGE_COOKIE, handle, { secure, httpOnly: true, maxAgeSeconds: 300 });
}

/**
 * For browser redirects (the OIDC callback): on success, set the cookies and go to the
 * dashboard; on failure, back to the sign-in page with the reason in the query.
 */
export async function redirectAfterSignIn(request: Request, signIn: () => Promise<WithCookies<unknown>>): Promise<Response> {
  const headers = new Headers({ "cache-control": "no-store" });
  try {
    const { cookies } = await signIn();
    for (const c of cookies) headers.append("set-cookie", c);
    headers.set("location", "/");
  } catch (e) {
    // Only messages Minos wrote for people reach the URL; anything else is logged.
    const message = isAppError(e) ? e.message : "Sign-in failed; the server log has the details";
    if (!isAppError(e)) console.error("[minos] sign-in redirect failed", e);
    headers.set("location", `/sign-in?error=${encodeURIComponent(message)}`);
  }
  return new Response(null, { status: 303, headers });
}
