/**
 * Go's net/url, as far as Talos's URL fields need it (v1alpha1.Endpoint, meta.URL: a struct
 * around *url.URL). Their merge is Go's field-by-field merge of url.URL: a part the right side
 * leaves empty keeps the left's (so `https://10.0.0.1` merged into `https://127.0.0.1:6643/`
 * is `https://10.0.0.1/`), and the encoder writes URL.String(). Parts are kept in their escaped
 * form; the escaping round trip of ordinary URLs is the identity.
 */
export interface GoUrl {
  scheme: string;
  opaque: string;
  user: string | null;
  host: string;
  path: string;
  omitHost: boolean;
  forceQuery: boolean;
  rawQuery: string;
  fragment: string;
}

/** url.Parse, or null where Go would fail (or where this reduced copy is not sure). */
export function parseGoUrl(raw: string): GoUrl | null {
  if (/[\x00-\x1f\x7f]/.test(raw)) return null;
  const hash = raw.indexOf("#");
  const fragment = hash >= 0 ? raw.slice(hash + 1) : "";
  let rest = hash >= 0 ? raw.slice(0, hash) : raw;
  const u: GoUrl = { scheme: "", opaque: "", user: null, host: "", path: "", omitHost: false, forceQuery: false, rawQuery: "", fragment };
  const m = /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(rest);
  if (m) {
    u.scheme = m[1]!.toLowerCase();
    rest = rest.slice(m[0].length);
  } else if (/^[^/?]*:/.test(rest)) return null; // Go: missing protocol scheme / colon in first segment
  if (rest.endsWith("?") && rest.indexOf("?") === rest.length - 1) {
    u.forceQuery = true;
    rest = rest.slice(0, -1);
  } else {
    const q = rest.indexOf("?");
    if (q >= 0) {
      u.rawQuery = rest.slice(q + 1);
      rest = rest.slice(0, q);
    }
  }
  if (!rest.startsWith("/") && u.scheme !== "") {
    u.opaque = rest;
    return u;
  }
  if ((u.scheme !== "" || !rest.startsWith("///")) && rest.startsWith("//")) {
    let authority = rest.slice(2);
    rest = "";
    const slash = authority.indexOf("/");
    if (slash >= 0) {
      rest = authority.slice(slash);
      authority = authority.slice(0, slash);
    }
    const at = authority.lastIndexOf("@");
    if (at >= 0) {
      u.user = authority.slice(0, at);
      authority = authority.slice(at + 1);
    }
    u.host = authority;
  } else if (u.scheme !== "" && rest.startsWith("/")) {
    u.omitHost = true;
  }
  u.path = rest;
  return u;
}

/** URL.String */
export function formatGoUrl(u: GoUrl): string {
  let out = u.scheme !== "" ? `${u.scheme}:` : "";
  if (u.opaque !== "") out += u.opaque;
  else {
    if (u.scheme !== "" || u.host !== "" || u.user !== null) {
      if (!(u.omitHost && u.host === "" && u.user === null)) {
        if (u.host !== "" || u.path !== "" || u.user !== null) out += "//";
        if (u.user !== null) out += `${u.user}@`;
        out += u.host;
      }
    }
    if (u.path !== "" && !u.path.startsWith("/") && u.host !== "") out += "/";
    if (out === "" && u.path.split("/")[0]!.includes(":")) out += "./";
    out += u.path;
  }
  if (u.forceQuery || u.rawQuery !== "") out += `?${u.rawQuery}`;
  if (u.fragment !== "") out += `#${u.fragment}`;
  return out;
}

/** Go's merge of two url.URL values: non-empty strings and set pointers win, booleans always. */
export function mergeGoUrls(left: string, right: string): string {
  const l = parseGoUrl(left);
  const r = parseGoUrl(right);
  if (!l || !r) return right;
  const pick = (a: string, b: string) => (b !== "" ? b : a);
  return formatGoUrl({
    scheme: pick(l.scheme, r.scheme),
    opaque: pick(l.opaque, r.opaque),
    user: r.user ?? l.user,
    host: pick(l.host, r.host),
    path: pick(l.path, r.path),
    omitHost: r.omitHost,
    forceQuery: r.forceQuery,
    rawQuery: pick(l.rawQuery, r.rawQuery),
    fragment: pick(l.fragment, r.fragment),
  });
}
