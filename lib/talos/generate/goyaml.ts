/**
 * YAML text as Go's yaml.v3/v4 encoder writes it, which is what Talos writes (`yaml.Marshal`, with
 * comments off: pkg/machinery/config/encoder Encode). Only what a config holds: mappings,
 * sequences, strings, numbers, booleans and null.
 *
 * Two kinds of mapping, because Go has two: a plain object is a Go struct (keys in the order
 * given, which callers make Go's field order), a `Map` is a Go map (keys sorted as yaml.v3's
 * keyList.Less sorts them). The layout rules are yaml.v3's emitter (emitterc.go):
 * - indent 4; a nested block is indented to the next multiple of 4 past its parent
 *   (`best_indent*((indent+best_indent)/best_indent)`), except the content of a sequence item,
 *   which is indented by 2 past the `-`: hence `- name: x` / `  secret: y` and the odd
 *   12-column sequences inside a sequence item's mapping;
 * - sequences inside mappings are indented (yaml.v3, unlike v2);
 * - empty mappings and sequences are written `{}` and `[]`; no line is ever folded;
 * - a string with a line break is a literal block (`|`, `|-`, `|+` by its trailing newlines);
 *   a string that would read back as something else (bool, number, null, `yes`...) is
 *   double-quoted; one that plain style cannot carry is single-quoted.
 */

export type GoYamlValue = string | number | boolean | null | GoYamlValue[] | { [key: string]: GoYamlValue | undefined } | Map<string, GoYamlValue>;

const BEST_INDENT = 4;
const pad = (n: number) => " ".repeat(n);
/** Indent of a block nested in a mapping at `indent` (emitterc.go yaml_emitter_increase_indent). */
const nested = (indent: number) => BEST_INDENT * Math.floor((indent + BEST_INDENT) / BEST_INDENT);

/** Go's `yaml.Marshal` of one document. */
export function encodeGoYaml(value: GoYamlValue): string {
  if (isMapping(value)) {
    const entries = mappingEntries(value);
    return entries.length === 0 ? "{}\n" : mapping(entries, 0);
  }
  if (Array.isArray(value)) return value.length === 0 ? "[]\n" : sequence(value, 0);
  const s = scalar(value);
  // A top-level block scalar is indented by best_indent (the emitter starts at indent -1).
  return s.literal ? `${s.header}\n${literalBody(s.literal, BEST_INDENT)}` : `${s.text}\n`;
}

/** Several documents as Talos's container writes them: `---\n` between documents. */
export function encodeGoYamlDocuments(docs: GoYamlValue[]): string {
  return docs.map(encodeGoYaml).join("---\n");
}

function isMapping(v: GoYamlValue): v is { [key: string]: GoYamlValue } | Map<string, GoYamlValue> {
  return v instanceof Map || (typeof v === "object" && v !== null && !Array.isArray(v));
}

function mappingEntries(v: { [key: string]: GoYamlValue | undefined } | Map<string, GoYamlValue>): [string, GoYamlValue][] {
  if (v instanceof Map) return [...v.entries()].sort((a, b) => (goKeyLess(a[0], b[0]) ? -1 : goKeyLess(b[0], a[0]) ? 1 : 0));
  return Object.entries(v).filter((e): e is [string, GoYamlValue] => e[1] !== undefined);
}

function mapping(entries: [string, GoYamlValue][], indent: number): string {
  let out = "";
  for (const [k, v] of entries) {
    out += `${pad(indent)}${scalar(k).text}:${value(v, nested(indent))}`;
  }
  return out;
}

function sequence(items: GoYamlValue[], indent: number): string {
  let out = "";
  for (const item of items) {
    const inner = indent + 2;
    if (isMapping(item) && mappingEntries(item).length > 0) {
      out += `${pad(indent)}- ${mapping(mappingEntries(item), inner).slice(inner)}`;
    } else if (Array.isArray(item) && item.length > 0) {
      out += `${pad(indent)}- ${sequence(item, inner).slice(inner)}`;
    } else {
      out += `${pad(indent)}-${value(item, inner)}`;
    }
  }
  return out;
}

/** The text after `key:` or `-`: ` scalar\n`, ` {}\n`, or a newline and the nested block at `childIndent`. */
function value(v: GoYamlValue, childIndent: number): string {
  if (isMapping(v)) {
    const entries = mappingEntries(v);
    return entries.length === 0 ? " {}\n" : `\n${mapping(entries, childIndent)}`;
  }
  if (Array.isArray(v)) return v.length === 0 ? " []\n" : `\n${sequence(v, childIndent)}`;
  const s = scalar(v);
  return s.literal ? ` ${s.header}\n${literalBody(s.literal, childIndent)}` : ` ${s.text}\n`;
}

function literalBody(text: string, indent: number): string {
  const body = text.endsWith("\n") ? text.slice(0, -1) : text;
  return body
    .split("\n")
    .map((line) => (line === "" ? "" : pad(indent) + line))
    .join("\n")
    .concat("\n");
}

interface Scalar {
  text: string;
  /** Set for a literal block: the header (`|`, `|-`, `|+`) and the raw text. */
  header?: string;
  literal?: string;
}

function scalar(v: GoYamlValue): Scalar {
  if (v === null) return { text: "null" };
  if (typeof v === "boolean") return { text: v ? "true" : "false" };
  if (typeof v === "number") return { text: Number.isInteger(v) ? String(v) : goFloat(v) };
  if (typeof v !== "string") throw new Error("scalar expected");
  if (v.includes("\n") && literalAllowed(v)) {
    const chomp = !v.endsWith("\n") ? "-" : v.length === 1 || v.endsWith("\n\n") ? "+" : "";
    const indicator = v.startsWith(" ") || v.startsWith("\n") ? String(BEST_INDENT) : "";
    return { text: "", header: `|${indicator}${chomp}`, literal: v };
  }
  if (v.includes("\n")) return { text: doubleQuoted(v) };
  if (!resolvesToString(v)) return { text: doubleQuoted(v) };
  if (plainAllowed(v)) return { text: v };
  return singleQuotedAllowed(v) ? { text: `'${v.replaceAll("'", "''")}'` } : { text: doubleQuoted(v) };
}

function goFloat(n: number): string {
  if (Number.isNaN(n)) return ".nan";
  if (!Number.isFinite(n)) return n > 0 ? ".inf" : "-.inf";
  return String(n);
}

/** yaml.v3 resolve(): would this plain text read back as something other than a string? */
function resolvesToString(s: string): boolean {
  if (s === "" || s === "~" || /^(null|Null|NULL)$/.test(s)) return false;
  if (/^(true|True|TRUE|false|False|FALSE)$/.test(s)) return false;
  // isOldBool: YAML 1.1 booleans yaml.v3 still quotes on output.
  if (/^(y|Y|yes|Yes|YES|n|N|no|No|NO|on|On|ON|off|Off|OFF)$/.test(s)) return false;
  if (/^[-+]?(\.inf|\.Inf|\.INF)$/.test(s) || /^(\.nan|\.NaN|\.NAN)$/.test(s)) return false;
  // strconv.ParseInt(s, 0, 64) after yaml.v3's underscore handling, and yamlStyleFloat.
  if (/^[-+]?(0b[01_]+|0o?[0-7_]+|0x[0-9a-fA-F_]+|[0-9][0-9_]*)$/.test(s)) return false;
  if (/^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/.test(s)) return false;
  // isBase60Float, and timestamps (resolve tries them for plain scalars that start with a digit).
  if (/^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$/.test(s)) return false;
  if (/^\d{4}-\d{1,2}-\d{1,2}([Tt ]|$)/.test(s)) return false;
  return true;
}

const FIRST_INDICATORS = new Set([..."#,[]{}&*!|>'\"%@`"]);

/** yaml_emitter_analyze_scalar: can this string be written plain in block context? */
function plainAllowed(s: string): boolean {
  if (s.length === 0) return false;
  if (s.startsWith("---") || s.startsWith("...")) return false;
  if (/^\s|\s$/.test(s)) return false;
  const first = s[0]!;
  const ws = (c: string | undefined) => c === undefined || c === " " || c === "\t";
  if (FIRST_INDICATORS.has(first)) return false;
  if ((first === "?" || first === ":" || first === "-") && ws(s[1])) return false;
  for (let i = 1; i < s.length; i++) {
    const c = s[i]!;
    if (c === ":" && ws(s[i + 1])) return false;
    if (c === "#" && ws(s[i - 1])) return false;
  }
  // Non-printable characters force double quotes in the emitter.
  return !/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\ufeff]/.test(s);
}

function singleQuotedAllowed(s: string): boolean {
  return !/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\ufeff]/.test(s) && !/^\s|\s$/.test(s);
}

function literalAllowed(s: string): boolean {
  // The emitter refuses literal blocks for text with special characters or trailing spaces on a line.
  return !/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\ufeff]/.test(s) && !/[ \t]\n/.test(s);
}

function doubleQuoted(s: string): string {
  let out = '"';
  for (const ch of s) {
    const code = ch.codePointAt(0)!;
    if (ch === '"') out += '\\"';
    else if (ch === "\\") out += "\\\\";
    else if (ch === "\n") out += "\\n";
    else if (ch === "\t") out += "\\t";
    else if (ch === "\r") out += "\\r";
    else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).toUpperCase().padStart(2, "0")}`;
    else out += ch;
  }
  return out + '"';
}

const isDigit = (c: string) => c >= "0" && c <= "9";
const isLetter = (c: string) => /\p{L}/u.test(c);

/** yaml.v3 sorter.go keyList.Less for string keys: digits compare as numbers, non-letters first. */
export function goKeyLess(a: string, b: string): boolean {
  const ar = [...a];
  const br = [...b];
  let digits = false;
  for (let i = 0; i < ar.length && i < br.length; i++) {
    if (ar[i] === br[i]) {
      digits = isDigit(ar[i]!);
      continue;
    }
    const al = isLetter(ar[i]!);
    const bl = isLetter(br[i]!);
    if (al && bl) return ar[i]! < br[i]!;
    if (al || bl) return digits ? al : bl;
    let an = 0;
    let bn = 0;
    if (ar[i] === "0" || br[i] === "0") {
      for (let j = i - 1; j >= 0 && isDigit(ar[j]!); j--) {
        if (ar[j] !== "0") {
          an = 1;
          bn = 1;
          break;
        }
      }
    }
    let ai = i;
    let bi = i;
    for (; ai < ar.length && isDigit(ar[ai]!); ai++) an = an * 10 + Number(ar[ai]);
    for (; bi < br.length && isDigit(br[bi]!); bi++) bn = bn * 10 + Number(br[bi]);
    if (an !== bn) return an < bn;
    if (ai !== bi) return ai < bi;
    return ar[i]! < br[i]!;
  }
  return ar.length < br.length;
}
