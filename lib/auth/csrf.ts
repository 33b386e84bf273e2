/**
 * The CSRF token's transport, shared by the server (which sets and checks it) and the browser
 * (which echoes it). The cookie is readable by scripts on Minos's own origin only; another
 * site can make the browser send the cookie but can neither read it nor set the header.
 */
export const CSRF_COOKIE = "minos_csrf";
export const CSRF_HEADER = "x-minos-csrf";

/** Methods that change state: these carry the CSRF token and are Origin-checked. */
export function isMutatingMethod(method: string): boolean {
  return !["GET", "HEAD", "OPTIONS"].includes(method.toUpperCase());
}

/** Reads the CSRF token from a `Cookie`-style string (document.cookie in the browser). */
export function readCsrfCookie(cookieString: string): string | null {
  for (const part of cookieString.split(";")) {
    const [name, ...rest] = part.trim().split("=");
    if (name === CSRF_COOKIE) return decodeURIComponent(rest.join("="));
  }
  return null;
}

/** Headers a browser request needs on mutating calls; empty on the server or when signed out. */
export function csrfHeaders(): Record<string, string> {
  if (typeof document === "undefined") return {};
  const token = readCsrfCookie(document.cookie);
  return token ? { [CSRF_HEADER]: token } : {};
}
