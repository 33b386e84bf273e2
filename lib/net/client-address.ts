/**
 * Who is on the other end of a request, decided once by Minos's own HTTP server
 * (`scripts/serve.ts`) from the socket and, only behind a configured proxy, `X-Forwarded-For`.
 *
 * Next fills `X-Forwarded-For` from the socket only when the request has none, so inside a route
 * handler a caller's own header is indistinguishable from a proxy's. The server therefore
 * overwrites a private header with the address it computed, and route code reads only that.
 *
 * Pure apart from `node:net`; no "server-only" marker because the server script loads it
 * outside Next's bundler.
 */
import { BlockList, isIP } from "node:net";

/** The private header the server overwrites on every request; any value a caller sent is replaced. */
export const CLIENT_ADDRESS_HEADER = "x-minos-client-address";

/** One `MINOS_TRUSTED_PROXIES` entry: an address is a /32 or /128 network. */
export interface TrustedProxy {
  network: string;
  prefix: number;
  family: 4 | 6;
}

/**
 * Canonical form of an address as it appears on a socket or in `X-Forwarded-For`: IPv6
 * lower-case and compressed, IPv4-mapped IPv6 (`::ffff:127.0.0.1`) as plain IPv4, brackets,
 * a port and a zone ID dropped. Null when it is not an IP address.
 */
export function normalizeAddress(raw: string): string | null {
  let a = raw.trim();
  const bracketed = /^\[([^\]]+)\](?::\d{1,5})?$/.exec(a);
  if (bracketed) a = bracketed[1]!;
  else if (/^\d{1,3}(?:\.\d{1,3}){3}:\d{1,5}$/.test(a)) a = a.slice(0, a.lastIndexOf(":"));
  const zone = a.indexOf("%");
  if (zone > 0) a = a.slice(0, zone);
  const family = isIP(a);
  if (family === 4) return a;
  if (family !== 6) return null;
  // The URL parser serialises IPv6 canonically (RFC 5952) and writes a mapped IPv4 tail in hex.
  const canonical = new URL(`http://[${a}]`).hostname.slice(1, -1);
  const mapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(canonical);
  if (mapped) {
    const hi = parseInt(mapped[1]!, 16);
    const lo = parseInt(mapped[2]!, 16);
    return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
  }
  return canonical;
}

/**
 * Parses `MINOS_TRUSTED_PROXIES`: comma-separated addresses or CIDR networks (`10.0.0.0/8`,
 * `fd00::/8`, `127.0.0.1`, `::1`). Throws naming the first bad entry.
 */
export function parseTrustedProxies(value: string): TrustedProxy[] {
  const out: TrustedProxy[] = [];
  for (const entry of value.split(",").map((s) => s.trim()).filter(Boolean)) {
    const [addr, prefixText, extra] = entry.split("/");
    const family = isIP(addr ?? "");
    if (extra !== undefined || (family !== 4 && family !== 6)) {
      throw new Error(`"${entry}" is not an IP address or CIDR network (e.g. 10.0.0.1, 10.0.0.0/8, fd00::/8)`);
    }
    const max = family === 4 ? 32 : 128;
    const prefix = prefixText === undefined ? max : /^\d{1,3}$/.test(prefixText) ? Number(prefixText) : NaN;
    if (!(prefix >= 0 && prefix <= max)) throw new Error(`"${entry}": the prefix length must be 0-${max}`);
    // An IPv4-mapped entry means the IPv4 address: addresses are normalised the same way.
    const network = normalizeAddress(addr!)!;
    const netFamily = isIP(network) as 4 | 6;
    out.push({ network, prefix: netFamily === family ? prefix : Math.max(0, prefix - 96), family: netFamily });
  }
  return out;
}

/** Whether an address (normalised) belongs to a trusted proxy. */
export type ProxyMatcher = (address: string) => boolean;

export function proxyMatcher(proxies: TrustedProxy[]): ProxyMatcher {
  if (proxies.length === 0) return () => false;
  const list = new BlockList();
  for (const p of proxies) list.addSubnet(p.network, p.prefix, p.family === 4 ? "ipv4" : "ipv6");
  return (address) => {
    const family = isIP(address);
    return family !== 0 && list.check(address, family === 4 ? "ipv4" : "ipv6");
  };
}

/** `X-Forwarded-For` entries walked at most; a longer chain stops at the last one checked. */
const MAX_HOPS = 32;

/**
 * The client behind a connection. A peer that is not a trusted proxy is the client, whatever
 * it sent. From a trusted proxy, `X-Forwarded-For` is read from the right (each proxy appends
 * the address it saw), skipping trusted hops: the first untrusted address is the client. An
 * entry that is not an address ends the walk at the last hop that could be checked, so a
 * malformed chain never lets a caller name an arbitrary key.
 */
export function resolveClientAddress(peer: string | undefined, forwardedFor: string | string[] | undefined, isTrusted: ProxyMatcher): string {
  const socket = peer ? normalizeAddress(peer) : null;
  if (!socket) return "unknown";
  if (!isTrusted(socket)) return socket;
  const hops = (Array.isArray(forwardedFor) ? forwardedFor.join(",") : (forwardedFor ?? "")).split(",");
  let client = socket;
  for (let i = hops.length - 1, seen = 0; i >= 0 && seen < MAX_HOPS; i--) {
    const raw = hops[i]!.trim();
    if (!raw) continue;
    seen++;
    const hop = normalizeAddress(raw);
    if (!hop) return client;
    client = hop;
    if (!isTrusted(hop)) return hop;
  }
  return client;
}

/**
 * The rate-limit key for an address: IPv6 clients by their /64, since one host or one customer
 * line usually holds a whole /64 and could otherwise take a fresh bucket per request.
 */
export function clientBucket(address: string): string {
  if (isIP(address) !== 6) return address;
  const [head = "", tail] = address.split("::");
  const left = head ? head.split(":") : [];
  const right = tail === undefined ? [] : tail ? tail.split(":") : [];
  const groups = tail === undefined ? left : [...left, ...Array<string>(8 - left.length - right.length).fill("0"), ...right];
  return `${groups.slice(0, 4).map((g) => g.replace(/^0+(?=.)/, "")).join(":")}::/64`;
}

const g = globalThis as { __minosClientAddressStamped?: boolean };

/**
 * Called by Minos's server before it serves anything: from then on the private header is known to
 * be the server's. Without it (Minos run by a bare `next start` or `next dev`), the header could
 * be the caller's own, so it is ignored.
 */
export function markClientAddressStamping(): void {
  g.__minosClientAddressStamped = true;
}

/** The address Minos's server computed for this request, or null when it did not. */
export function stampedClientAddress(headers: Headers): string | null {
  if (!g.__minosClientAddressStamped) return null;
  return headers.get(CLIENT_ADDRESS_HEADER);
}

/** What the server does to every request before Next sees it: overwrite the private header. */
export function stampClientAddress(
  req: { headers: Record<string, string | string[] | undefined>; socket: { remoteAddress?: string } },
  isTrusted: ProxyMatcher,
): string {
  const address = resolveClientAddress(req.socket.remoteAddress, req.headers["x-forwarded-for"], isTrusted);
  req.headers[CLIENT_ADDRESS_HEADER] = address;
  const peer = req.socket.remoteAddress ? normalizeAddress(req.socket.remoteAddress) : null;
  if (!peer || !isTrusted(peer)) {
    // The scheme and host a browser used are only a trusted proxy's to report; without these
    // headers Next fills them in from the socket and the Host header.
    delete req.headers["x-forwarded-proto"];
    delete req.headers["x-forwarded-host"];
  }
  return address;
}
