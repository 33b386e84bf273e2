/**
 * Go's net/netip parsing and String() for Talos's meta.Addr, meta.Prefix and meta.AddrPort:
 * Talos reads these fields with ParseAddr/ParsePrefix/ParseAddrPort and writes them back in
 * canonical form (IPv6 in lower case with the longest run of zero groups as `::`, IPv4-mapped
 * addresses as `::ffff:a.b.c.d`).
 */

function parseV4(s: string): number[] | null {
  const parts = s.split(".");
  if (parts.length !== 4) return null;
  const out: number[] = [];
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p) || (p.length > 1 && p.startsWith("0"))) return null;
    const n = Number(p);
    if (n > 255) return null;
    out.push(n);
  }
  return out;
}

/** IPv6 text → its 8 groups, or null. */
function parseV6(s: string): number[] | null {
  let text = s;
  const lastColon = text.lastIndexOf(":");
  if (text.slice(lastColon + 1).includes(".")) {
    // A trailing dotted IPv4 stands for the last two groups.
    const v4 = parseV4(text.slice(lastColon + 1));
    if (!v4) return null;
    text = `${text.slice(0, lastColon + 1)}${((v4[0]! << 8) | v4[1]!).toString(16)}:${((v4[2]! << 8) | v4[3]!).toString(16)}`;
  }
  const halves = text.split("::");
  if (halves.length > 2) return null;
  const groups = (h: string) => (h === "" ? [] : h.split(":"));
  const head = groups(halves[0]!);
  const rest = halves.length === 2 ? groups(halves[1]!) : [];
  for (const g of [...head, ...rest]) if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return null;
  const total = head.length + rest.length;
  if (halves.length === 1 ? total !== 8 : total > 7) return null;
  const fill = halves.length === 2 ? Array<string>(8 - total).fill("0") : [];
  return [...head, ...fill, ...rest].map((g) => parseInt(g, 16));
}

function formatV6(g: number[]): string {
  if (g.slice(0, 5).every((x) => x === 0) && g[5] === 0xffff) return `::ffff:${g[6]! >> 8}.${g[6]! & 255}.${g[7]! >> 8}.${g[7]! & 255}`;
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (g[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = (a: number[]) => a.map((x) => x.toString(16)).join(":");
  if (bestStart < 0) return hex(g);
  return `${hex(g.slice(0, bestStart))}::${hex(g.slice(bestStart + bestLen))}`;
}

interface Addr {
  text: string;
  v6: boolean;
}

function addr(s: string): Addr | null {
  if (!s.includes(":")) {
    const v4 = parseV4(s);
    return v4 ? { text: v4.join("."), v6: false } : null;
  }
  const pct = s.indexOf("%");
  const zone = pct >= 0 ? s.slice(pct + 1) : null;
  if (zone === "") return null;
  const g = parseV6(pct >= 0 ? s.slice(0, pct) : s);
  return g ? { text: formatV6(g) + (zone !== null ? `%${zone}` : ""), v6: true } : null;
}

/** netip.ParseAddr(s).String(), or null. */
export function canonicalAddr(s: string): string | null {
  return addr(s)?.text ?? null;
}

/** netip.ParsePrefix(s).String() (not masked), or null. */
export function canonicalPrefix(s: string): string | null {
  const slash = s.lastIndexOf("/");
  if (slash < 0) return null;
  const bits = s.slice(slash + 1);
  if (!/^(0|[1-9]\d{0,2})$/.test(bits) || s.slice(0, slash).includes("%")) return null;
  const a = addr(s.slice(0, slash));
  if (!a || Number(bits) > (a.v6 ? 128 : 32)) return null;
  return `${a.text}/${bits}`;
}

/** netip.ParseAddrPort(s).String(), or null. */
export function canonicalAddrPort(s: string): string | null {
  const colon = s.lastIndexOf(":");
  if (colon < 0) return null;
  const port = s.slice(colon + 1);
  if (!/^\d{1,5}$/.test(port) || Number(port) > 65535) return null;
  let host = s.slice(0, colon);
  const bracketed = host.startsWith("[") && host.endsWith("]");
  if (bracketed) host = host.slice(1, -1);
  const a = addr(host);
  if (!a || a.v6 !== bracketed) return null;
  return a.v6 ? `[${a.text}]:${Number(port)}` : `${a.text}:${Number(port)}`;
}
