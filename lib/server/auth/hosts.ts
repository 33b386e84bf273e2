import "server-only";

import { isAllowedHost } from "@/lib/auth/hosts";
import type { AuthConfig } from "@/lib/server/auth/config";

export { hostAllowed, isAllowedHost, requestHosts, splitHost } from "@/lib/auth/hosts";

/** The scheme the browser used: Next fills X-Forwarded-Proto from the socket when no proxy did. */
export function requestProtocol(headers: Headers, config: Pick<AuthConfig, "origin">): "http" | "https" {
  const proto = headers.get("x-forwarded-proto")?.split(",")[0]?.trim();
  if (proto === "https" || proto === "http") return proto;
  return config.origin.protocol === "https:" ? "https" : "http";
}

/**
 * The origin this request was made to (`http://127.0.0.1:3215`), used as the WebAuthn origin
 * and RP ID so Minos works under every allowed name. Falls back to the configured origin.
 */
export function requestOrigin(headers: Headers, config: Pick<AuthConfig, "origin" | "allowedHosts">): URL {
  const host = headers.get("x-forwarded-host")?.split(",")[0]?.trim() || headers.get("host");
  if (!host || !isAllowedHost(host, config)) return config.origin;
  return new URL(`${requestProtocol(headers, config)}://${host}`);
}

export type OriginVerdict = { ok: true } | { ok: false; reason: string };

/**
 * Cross-site check for a mutating request: a browser always sends Origin on POST, PUT, PATCH and
 * DELETE, so an Origin other than Minos's own is another site driving the user's browser.
 * No Origin at all is a non-browser client (curl with a token); Sec-Fetch-Site, when present,
 * still has to say same-origin.
 */
export function checkOrigin(headers: Headers, config: Pick<AuthConfig, "origin" | "allowedHosts">): OriginVerdict {
  const origin = headers.get("origin");
  const site = headers.get("sec-fetch-site");
  if (origin === null) {
    if (site && site !== "same-origin" && site !== "none") return { ok: false, reason: `a ${site} request without an Origin header` };
    return { ok: true };
  }
  if (origin === "null") return { ok: false, reason: "an opaque (null) Origin" };
  let parsed: URL;
  try {
    parsed = new URL(origin);
  } catch {
    return { ok: false, reason: "a malformed Origin header" };
  }
  const own = requestOrigin(headers, config);
  if (parsed.origin === own.origin || parsed.origin === config.origin.origin) return { ok: true };
  return { ok: false, reason: `Origin ${parsed.origin} is not Minos's own (${own.origin})` };
}
