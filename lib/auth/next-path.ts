/** Any origin serves as the base: all that matters is whether the parsed URL stays on it. */
const BASE = "http://minos.invalid";
/** Longer than any page URL Minos makes; a longer one is not worth honouring. */
const MAX_LENGTH = 2048;
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/**
 * Where to send someone after they sign in: a path on Minos itself, otherwise "/".
 *
 * The value is parsed as a URL against an origin the way a browser resolves a Location header,
 * not checked by prefix: a browser reads "/\evil.example" and "/<tab>/evil.example" as
 * "//evil.example", another host, although both start with one "/". The result is the parsed
 * path, query and fragment, so what is checked is exactly what is sent.
 */
export function safeNextPath(next: unknown): string {
  if (typeof next !== "string" || !next.startsWith("/") || next.length > MAX_LENGTH) return "/";
  // Browsers drop tabs and newlines before parsing, and a newline cannot go into a header (it
  // made the redirect a 500): a control character is never part of a link Minos made.
  if (CONTROL.test(next)) return "/";
  let url: URL;
  try {
    url = new URL(next, BASE);
  } catch {
    return "/";
  }
  if (url.origin !== BASE) return "/";
  const target = `${url.pathname}${url.search}${url.hash}`;
  // Dot segments can leave an empty first segment ("/.//evil.example" → "//evil.example"),
  // which as a Location is again another host.
  if (!target.startsWith("/") || target.startsWith("//")) return "/";
  return target;
}

/**
 * The sign-in page's address with the way back to `next` (checked as above). Slashes stay
 * readable ("/sign-in?next=/access"); everything else is encoded.
 */
export function signInPath(next: unknown): string {
  const target = safeNextPath(next);
  return target === "/" ? "/sign-in" : `/sign-in?next=${encodeURIComponent(target).replace(/%2F/gi, "/")}`;
}
