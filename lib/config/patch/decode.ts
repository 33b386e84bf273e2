/**
 * What Go's strict decoder checks when Talos reads a document into its struct
 * (yaml KnownFields + the target types): unknown fields and values of the wrong shape are errors.
 * Also brings values to what Go would hold: YAML 1.1 booleans (`yes`, `off`) read into bool
 * fields, numbers read into string fields become text.
 */
import { formatGoDuration, parseGoDuration } from "./duration";
import { formatGoUrl, parseGoUrl } from "./gourl";
import { canonicalAddr, canonicalAddrPort, canonicalPrefix } from "./netip";
import { isObj, setKey } from "./merge";
import { goTypeName, type GoType } from "./types";

export interface DecodeProblem {
  message: string;
  path: (string | number)[];
  /** Go points at the value for type errors, at the key for unknown fields. */
  atValue?: boolean;
}

const OLD_TRUE = new Set(["y", "Y", "yes", "Yes", "YES", "on", "On", "ON", "true", "True", "TRUE"]);
const OLD_FALSE = new Set(["n", "N", "no", "No", "NO", "off", "Off", "OFF", "false", "False", "FALSE"]);

function tagOf(v: unknown): string {
  if (Array.isArray(v)) return "!!seq";
  if (isObj(v)) return "!!map";
  if (typeof v === "number") return Number.isInteger(v) ? "!!int" : "!!float";
  if (typeof v === "boolean") return "!!bool";
  return "!!str";
}

/**
 * Go's "cannot unmarshal !!str `value` into T" without the value: the field may hold a key, a
 * token or a PEM, and errors reach logs and screens. The tag, the type and the path locate it.
 */
function cannot(v: unknown, t: GoType, path: (string | number)[]): DecodeProblem {
  return { message: `cannot unmarshal ${tagOf(v)} into ${goTypeName(t)}`, path, atValue: true };
}

/** strconv.ParseInt(s, 0, 64) of a plain YAML scalar with `_` removed, or null. */
function goInt(text: string): number | null {
  const m = /^([-+]?)(0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)$/.exec(text.replaceAll("_", ""));
  if (!m) return null;
  const digits = m[2]!;
  const lower = digits.toLowerCase();
  const n = lower.startsWith("0x") || lower.startsWith("0b") || lower.startsWith("0o") ? BigInt(lower) : digits.length > 1 && digits.startsWith("0") ? BigInt(`0o${digits.slice(1)}`) : BigInt(digits);
  const value = m[1] === "-" ? -n : n;
  return value > BigInt(Number.MAX_SAFE_INTEGER) || value < BigInt(Number.MIN_SAFE_INTEGER) ? null : Number(value);
}

/** The source text of the scalar at a path, when the value came from YAML text. */
export type TextAt = (path: readonly (string | number)[]) => string | undefined;

/**
 * Checks `v` against `t`, normalising in place where Go would; returns the (possibly new) value
 * and pushes problems. `parent[key]` is where v lives, so scalars can be replaced.
 */
export function decodeCheck(v: unknown, t: GoType, path: (string | number)[], problems: DecodeProblem[], textAt?: TextAt): unknown {
  if (v === null || v === undefined) return v;
  switch (t.k) {
    case "ptr":
      return decodeCheck(v, t.elem, path, problems, textAt);
    case "struct": {
      if (!isObj(v)) {
        problems.push(cannot(v, t, path));
        return v;
      }
      for (const k of Object.keys(v)) {
        const f = t.byName.get(k);
        if (!f) {
          problems.push({ message: `field ${k} not found in type ${t.name}`, path: [...path, k] });
          continue;
        }
        setKey(v, k, decodeCheck(v[k], f.type, [...path, k], problems, textAt));
      }
      return v;
    }
    case "slice":
      if (!Array.isArray(v)) {
        problems.push(cannot(v, t, path));
        return v;
      }
      for (let i = 0; i < v.length; i++) v[i] = decodeCheck(v[i], t.elem, [...path, i], problems, textAt);
      if (t.name === "v1alpha1.ClusterInlineManifests") {
        // Its UnmarshalYAML trims leading whitespace other than spaces from each manifest.
        for (const m of v) if (isObj(m) && typeof m.contents === "string") m.contents = m.contents.replace(/^[\t\n\v\f\r]+/, "");
      }
      return v;
    case "map":
      if (!isObj(v)) {
        problems.push(cannot(v, t, path));
        return v;
      }
      for (const k of Object.keys(v)) setKey(v, k, decodeCheck(v[k], t.elem, [...path, k], problems, textAt));
      return v;
    case "any":
      return v;
    case "special":
      if (t.name === "meta.Args") {
        if (!isObj(v)) {
          problems.push(cannot(v, t, path));
          return v;
        }
        // ArgValue reads a string or a list of strings: scalars keep their text.
        const text = (x: unknown, p: (string | number)[]) => (typeof x === "number" || typeof x === "boolean" ? (textAt?.(p) ?? String(x)) : x);
        for (const k of Object.keys(v)) {
          const a = v[k];
          if (Array.isArray(a)) setKey(v, k, a.map((x, i) => text(x, [...path, k, i])));
          else if (isObj(a)) problems.push({ message: "arg value must be a string or list of strings", path: [...path, k], atValue: true });
          else setKey(v, k, text(a, [...path, k]));
        }
        return v;
      }
      if (isObj(v) || Array.isArray(v)) {
        problems.push(cannot(v, t, path));
        return v;
      }
      if ((t.name === "meta.Addr" || t.name === "meta.Prefix" || t.name === "meta.AddrPort") && v !== "") {
        // netip's Parse*, then String() when written.
        const text = typeof v === "string" ? v : (textAt?.(path) ?? String(v));
        const canon = t.name === "meta.Addr" ? canonicalAddr(text) : t.name === "meta.Prefix" ? canonicalPrefix(text) : canonicalAddrPort(text);
        if (canon === null) {
          const fn = t.name === "meta.Addr" ? "ParseAddr" : t.name === "meta.Prefix" ? "ParsePrefix" : "ParseAddrPort";
          // Go quotes the text; we do not (no value in a message), the path says where it is.
          problems.push({ message: `netip.${fn}: invalid ${t.name === "meta.Addr" ? "IP address" : t.name === "meta.Prefix" ? "prefix" : "address and port"}`, path, atValue: true });
          return v;
        }
        return canon;
      }
      if ((t.name === "v1alpha1.Endpoint" || t.name === "meta.URL") && v !== "") {
        // url.Parse, then URL.String() when written.
        const text = typeof v === "string" ? v : (textAt?.(path) ?? String(v));
        const u = parseGoUrl(text);
        if (!u) {
          // url.Error quotes the URL, credentials included: named by the path instead.
          problems.push({ message: "parse URL: invalid URL", path, atValue: true });
          return v;
        }
        return formatGoUrl(u);
      }
      return v;
    case "bytes":
      if (isObj(v) || Array.isArray(v)) problems.push(cannot(v, t, path));
      return v;
    case "scalar": {
      if (isObj(v) || Array.isArray(v)) {
        problems.push(cannot(v, t, path));
        return v;
      }
      if (t.go === "bool") {
        if (typeof v === "boolean") return v;
        if (typeof v === "string" && OLD_TRUE.has(v)) return true;
        if (typeof v === "string" && OLD_FALSE.has(v)) return false;
        problems.push(cannot(v, t, path));
        return v;
      }
      if (/^u?int\d*$/.test(t.go)) {
        // Go's resolver reads ints with strconv.ParseInt(text, 0, 64) after dropping `_`:
        // `017` is octal, `1_000` is 1000 (YAML 1.2 reads them otherwise).
        const source = typeof v === "number" || typeof v === "string" ? textAt?.(path) : undefined;
        const go = source !== undefined ? goInt(source) : null;
        if (go !== null && (!t.go.startsWith("u") || go >= 0)) return go;
        if (typeof v === "number" && Number.isInteger(v) && (!t.go.startsWith("u") || v >= 0)) return v;
        problems.push(cannot(v, t, path));
        return v;
      }
      if (/^float\d+$/.test(t.go)) {
        if (typeof v === "number") return v;
        problems.push(cannot(v, t, path));
        return v;
      }
      // Go reads the scalar's text into a string field: `1.10` stays 1.10, `True` stays True.
      if (t.go === "string" && typeof v !== "string") return textAt?.(path) ?? String(v);
      if (t.go === "nethelpers.HardwareAddr") {
        // UnmarshalText: colons dropped, hex decoded; written as net.HardwareAddr.String().
        const raw = (typeof v === "string" ? v : (textAt?.(path) ?? String(v))).replaceAll(":", "");
        if (/[^0-9a-fA-F]/u.test(raw)) {
          // Go names the byte (U+0067 'g'); no part of a value goes into a message.
          problems.push({ message: "encoding/hex: invalid byte", path, atValue: true });
          return v;
        }
        if (raw.length % 2 === 1) {
          problems.push({ message: "encoding/hex: odd length hex string", path, atValue: true });
          return v;
        }
        return (raw.toLowerCase().match(/../g) ?? []).join(":");
      }
      if (t.go === "time.Duration") {
        // yaml.v4 reads a duration from text only, and Talos writes it back as Duration.String().
        const ns = typeof v === "string" ? parseGoDuration(v) : null;
        if (ns === null) {
          problems.push(typeof v === "string" ? { message: "time: invalid duration", path, atValue: true } : cannot(v, t, path));
          return v;
        }
        return formatGoDuration(ns);
      }
      return v;
    }
  }
}
