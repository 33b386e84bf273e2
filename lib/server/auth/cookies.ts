import "server-only";

/** Cookie names. Over HTTPS the session cookie takes the __Host- prefix: Secure, Path=/, no Domain. */
export const SESSION_COOKIE = "minos_session";
export const SECURE_SESSION_COOKIE = "__Host-minos_session";
/** Carries the pending WebAuthn or OIDC challenge's ID between its two requests. */
export const CHALLENGE_COOKIE = "minos_challenge";

export interface CookieOptions {
  secure: boolean;
  httpOnly: boolean;
  maxAgeSeconds?: number;
  path?: string;
}

/** A Set-Cookie value; SameSite=Lax everywhere so a top-level link in keeps the session, and nothing else does. */
export function serializeCookie(name: string, value: string, o: CookieOptions): string {
  const parts = [`${name}=${encodeURIComponent(value)}`, `Path=${o.path ?? "/"}`, "SameSite=Lax"];
  if (o.httpOnly) parts.push("HttpOnly");
  if (o.secure) parts.push("Secure");
  if (o.maxAgeSeconds !== undefined) parts.push(`Max-Age=${Math.max(0, Math.floor(o.maxAgeSeconds))}`);
  return parts.join("; ");
}

export function clearCookie(name: string, o: Pick<CookieOptions, "secure" | "httpOnly" | "path">): string {
  return serializeCookie(name, "", { ...o, maxAgeSeconds: 0 });
}

/** Parses a Cookie header into name → value (first value wins, as browsers send the most specific first). */
export function parseCookies(header: string | null): Map<string, string> {
  const map = new Map<string, string>();
  for (const part of (header ?? "").split(";")) {
    const eq = part.indexOf("=");
    if (eq <= 0) continue;
    const name = part.slice(0, eq).trim();
    if (map.has(name)) continue;
    try {
      map.set(name, decodeURIComponent(part.slice(eq + 1).trim()));
    } catch {
      // A cookie someone else set on this host with bad escaping: not ours, ignore it.
    }
  }
  return map;
}

export function sessionCookieName(secure: boolean): string {
  return secure ? SECURE_SESSION_COOKIE : SESSION_COOKIE;
}
