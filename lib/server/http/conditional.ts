/**
 * Conditional requests and content codings (RFC 9110 §8.8.3, §12.5.3, §13.1.2), pure: header
 * values in, decisions out. lib/server/http/cached-body.ts builds responses with them.
 */

/** The content codings Minos produces itself (node:zlib), in its order of preference. */
export type ContentCoding = "br" | "gzip";

/** Bodies smaller than this go out as they are: a compressed frame would gain little or nothing. */
export const MIN_COMPRESSIBLE_BYTES = 1024;

/**
 * The entity-tags of an If-None-Match header, each as its opaque tag (quotes kept, `W/`
 * dropped: If-None-Match compares weakly), `"*"` for any, or null when the header is absent.
 * Malformed members are skipped rather than failing the request: a cache that sent them
 * gets a full answer, as for a tag that does not match.
 */
export function parseIfNoneMatch(header: string | null): "*" | string[] | null {
  if (header === null) return null;
  if (header.trim() === "*") return "*";
  const tags: string[] = [];
  // entity-tag = [ "W/" ] DQUOTE *etagc DQUOTE; etagc may hold a comma, so tags are matched, not split.
  for (const m of header.matchAll(/(?:W\/)?("[^"]*")/g)) tags.push(m[1]!);
  return tags;
}

/** Whether If-None-Match names `etag` (the current representation's strong tag): the weak comparison the RFC demands. */
export function ifNoneMatchHits(header: string | null, etag: string): boolean {
  const tags = parseIfNoneMatch(header);
  if (tags === null) return false;
  if (tags === "*") return true;
  const opaque = etag.startsWith("W/") ? etag.slice(2) : etag;
  return tags.includes(opaque);
}

/**
 * The coding to send for an Accept-Encoding header: the acceptable one (q > 0) of `offered` with
 * the highest q, ties going to the earlier of `offered` (br before gzip); identity when the header
 * is absent or nothing offered is acceptable. `*` stands for any coding the header does not name,
 * `x-gzip` is gzip (§12.5.3), and a member with a malformed q counts as not acceptable.
 */
export function negotiateEncoding(header: string | null, offered: readonly ContentCoding[] = ["br", "gzip"]): ContentCoding | "identity" {
  if (header === null) return "identity";
  const q = new Map<string, number>();
  for (const member of header.split(",")) {
    const [rawName, ...params] = member.split(";").map((s) => s.trim());
    if (!rawName) continue;
    const name = rawName.toLowerCase() === "x-gzip" ? "gzip" : rawName.toLowerCase();
    let weight = 1;
    for (const p of params) {
      const m = /^q\s*=\s*(.*)$/i.exec(p);
      if (!m) continue;
      weight = /^(?:0(?:\.\d{0,3})?|1(?:\.0{0,3})?)$/.test(m[1]!) ? Number(m[1]) : 0;
    }
    // A coding named twice keeps its best weight.
    q.set(name, Math.max(q.get(name) ?? 0, weight));
  }
  let best: ContentCoding | "identity" = "identity";
  let bestQ = 0;
  for (const coding of offered) {
    const weight = q.get(coding) ?? q.get("*") ?? 0;
    if (weight > bestQ) {
      best = coding;
      bestQ = weight;
    }
  }
  return best;
}

/** The coding of a body of `size` bytes for an Accept-Encoding header: identity below {@link MIN_COMPRESSIBLE_BYTES}. */
export function chooseEncoding(header: string | null, size: number, offered?: readonly ContentCoding[]): ContentCoding | "identity" {
  return size < MIN_COMPRESSIBLE_BYTES ? "identity" : negotiateEncoding(header, offered);
}

/**
 * The strong entity-tag of one coding of a body whose identity tag is `"<base>"`: each coding is a
 * representation of its own with bytes of its own, so it gets its own tag (`"<base>-br"`).
 */
export function etagFor(base: string, coding: ContentCoding | "identity"): string {
  return coding === "identity" ? `"${base}"` : `"${base}-${coding}"`;
}
