/**
 * Host header checks, shared by the proxy (every request) and the route guard. Pure: the
 * allowed names come in as an argument.
 */

/** Names that only ever reach this machine; a rebinding attack cannot put these in Host. */
const LOOPBACK = new Set(["localhost", "127.0.0.1", "[::1]"]);

/** Splits `host[:port]` (IPv6 in brackets) into lower-case parts. */
export function splitHost(host: string): { hostname: string; port: string | null } {
  const h = host.trim().toLowerCase();
  const m = /^(\[[0-9a-f:.]+\]|[^:]+)(?::(\d+))?$/.exec(h);
  if (!m) return { hostname: h, port: null };
  return { hostname: m[1]!, port: m[2] ?? null };
}

/**
 * Whether Minos answers to this Host header value. Loopback names on any port always pass;
 * configured entries match exactly, and an entry without a port matches any port.
 */
export function isAllowedHost(host: string | null, config: { allowedHosts: readonly string[] }): boolean {
  if (!host) return false;
  const { hostname, port } = splitHost(host);
  if (LOOPBACK.has(hostname)) return true;
  const full = port ? `${hostname}:${port}` : hostname;
  return config.allowedHosts.some((entry) => entry === full || entry === hostname || (!port && entry === `${hostname}:80`));
}

/**
 * The Host headers to check. Next copies Host into X-Forwarded-Host when a request has none,
 * and a page on a rebound name could set X-Forwarded-Host itself, so both must be allowed.
 */
export function requestHosts(headers: Headers): string[] {
  const hosts = [headers.get("host") ?? ""];
  const forwarded = headers.get("x-forwarded-host");
  if (forwarded) hosts.push(...forwarded.split(",").map((h) => h.trim()));
  return hosts;
}

export function hostAllowed(headers: Headers, config: { allowedHosts: readonly string[] }): boolean {
  return requestHosts(headers).every((h) => isAllowedHost(h, config));
}

/** The allowed names from Minos's origin and MINOS_ALLOWED_HOSTS, lower-case. */
export function allowedHostsFrom(origin: URL, extra: string): string[] {
  return [origin.host.toLowerCase(), ...extra.split(",").map((h) => h.trim().toLowerCase()).filter(Boolean)];
}
