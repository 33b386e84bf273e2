/**
 * Address parsing with Go's semantics (`net.ParseIP`, `net.ParseCIDR`, `netip.ParsePrefix`,
 * siderolabs/net `ParseSubnetOrAddress` and `ValidateEndpointURI`), in plain TypeScript so the
 * validator runs unchanged in the browser.
 */

const IPV4_PART = /^(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;

/** Dotted-quad IPv4 (Go accepts no leading zeros since 1.17). */
export function isIPv4(s: string): boolean {
  const parts = s.split(".");
  return parts.length === 4 && parts.every((p) => IPV4_PART.test(p));
}

/** IPv6 in any textual form Go accepts (`::` compression, trailing dotted IPv4), no zone. */
export function isIPv6(s: string): boolean {
  if (s.length < 2 || s.includes("%")) return false;
  let groups = 0;
  let body = s;
  const lastColon = s.lastIndexOf(":");
  if (lastColon >= 0 && s.slice(lastColon + 1).includes(".")) {
    if (!isIPv4(s.slice(lastColon + 1))) return false;
    body = s.slice(0, lastColon + 1) + "0:0"; // stand-in for the two groups
  }
  const halves = body.split("::");
  if (halves.length > 2) return false;
  const parseHalf = (h: string): number | null => {
    if (h === "") return 0;
    const gs = h.split(":");
    for (const g of gs) if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return null;
    return gs.length;
  };
  const a = parseHalf(halves[0]!);
  if (a === null) return false;
  groups += a;
  if (halves.length === 2) {
    const b = parseHalf(halves[1]!);
    if (b === null) return false;
    groups += b;
    return groups <= 7;
  }
  return groups === 8;
}

export const isIP = (s: string): boolean => isIPv4(s) || isIPv6(s);

/** `net.ParseCIDR`: an address, a slash and a prefix length within the family's width. */
export function isCIDR(s: string): boolean {
  const slash = s.indexOf("/");
  if (slash < 0) return false;
  const addr = s.slice(0, slash);
  const bits = s.slice(slash + 1);
  if (!/^\d{1,3}$/.test(bits)) return false;
  const n = Number(bits);
  if (isIPv4(addr)) return n <= 32;
  if (isIPv6(addr)) return n <= 128;
  return false;
}

/** siderolabs/net `ParseSubnetOrAddress`: a CIDR or a bare address. */
export const isSubnetOrAddress = (s: string): boolean => (s.includes("/") ? isCIDR(s) : isIP(s));

/** Talos's `validateIPOrCIDR` error text, or null when valid. */
export function ipOrCIDRError(s: string): string | null {
  if (s.includes("/")) return isCIDR(s) ? null : `invalid CIDR address: ${s}`;
  return isIP(s) ? null : `failed to parse IP address "${s}"`;
}

/** siderolabs/net `AddressContainsPort`-style check for `host:port` (IPv6 hosts in brackets). */
export function isHostPort(s: string): boolean {
  const m = /^(?:\[([^\]]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(s);
  if (!m) return false;
  if (m[1] !== undefined && !isIPv6(m[1])) return false;
  return Number(m[3]) <= 65535;
}

export interface EndpointOptions {
  /** The control-plane endpoint is always served over TLS. */
  requireHttps?: boolean;
}

/**
 * siderolabs/net `ValidateEndpointURI` (bracketed IPv6, non-blank host, numeric port in range),
 * returning Talos's error text or null. Parsed by hand: WHATWG `URL` differs from Go's `url.Parse`.
 */
export function endpointURIError(ep: string, opts: EndpointOptions = {}): string | null {
  if (ep.trim() === "") return "empty endpoint";
  const m = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\/([^/?#]*)([/?#].*)?$/.exec(ep);
  if (!m) return `parse "${ep}": not an absolute URL with a host (expected scheme://host[:port])`;
  const scheme = m[1]!.toLowerCase();
  if (opts.requireHttps && scheme !== "https") return `scheme must be https, got "${m[1]}"`;
  let host = m[2]!;
  const at = host.lastIndexOf("@");
  if (at >= 0) host = host.slice(at + 1);
  let hostname: string;
  let port = "";
  if (host.startsWith("[")) {
    const close = host.indexOf("]");
    if (close < 0) return `parse "${ep}": missing ']' in host`;
    hostname = host.slice(1, close);
    const rest = host.slice(close + 1);
    if (rest !== "" && !rest.startsWith(":")) return `parse "${ep}": invalid port "${rest}" after host`;
    port = rest.slice(1);
    if (!isIPv6(hostname)) return `parse "${ep}": invalid IPv6 address "${hostname}"`;
  } else {
    if ((host.match(/:/g) ?? []).length > 1) return "IPv6 addresses MUST be enclosed by square brackets";
    const colon = host.indexOf(":");
    hostname = colon >= 0 ? host.slice(0, colon) : host;
    port = colon >= 0 ? host.slice(colon + 1) : "";
  }
  if (hostname === "") return "hostname must not be blank";
  if (port !== "") {
    if (!/^\d+$/.test(port)) return "port number must be numeric";
    const n = Number(port);
    if (n < 1 || n > 65535) return "port number must be between 1 and 65535";
  }
  return null;
}

/** `url.ParseRequestURI` for the discovery endpoint: absolute URL; returns the path or an error. */
export function parseRequestURI(s: string): { path: string } | { error: string } {
  const m = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\/([^/?#]*)([^?#]*)/.exec(s);
  if (!m) return { error: `parse "${s}": invalid URI for request` };
  return { path: m[3] ?? "" };
}
