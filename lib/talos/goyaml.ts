/**
 * A YAML emitter that writes what Go's yaml.v3/v4 `Marshal` writes (the encoder Talos uses with
 * comments off): block style, indentation aligned to multiples of 4 except the 2 columns after a
 * sequence's `- `, empty collections as `[]`/`{}`, multi-line strings as literal blocks, no line
 * folding, and libyaml's choice between plain, single- and double-quoted scalars.
 */

/** A value ready to emit: maps keep their key order (the encoder decides it). */
export type Out = OutMap | OutNode | Out[] | string | number | boolean | null;
export interface OutMap {
  readonly entries: (readonly [string, Out])[];
}
/** A `!!str` scalar node built by hand in Go (meta.ArgValue): no representer quoting rules. */
export interface OutNode {
  readonly node: string;
}

export function isOutMap(v: Out): v is OutMap {
  return typeof v === "object" && v !== null && !Array.isArray(v) && "entries" in v;
}

// ---- scalars -------------------------------------------------------------------------------

const OLD_BOOL = new Set(["y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO", "on", "On", "ON", "off", "Off", "OFF"]);
/** resolveMap of go-yaml v4's resolver: texts that are not strings whatever their first letter. */
const RESOLVE_MAP = new Set(["true", "True", "TRUE", "false", "False", "FALSE", "", "~", "null", "Null", "NULL", ".nan", ".NaN", ".NAN", ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF", "-.inf", "-.Inf", "-.INF", "-0", "-0.0", "<<"]);
const GO_INT_RE = /^[-+]?(?:0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)$/;
const YAML_FLOAT_RE = /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$/;
const DOT_FLOAT_RE = /^\.[0-9]+(?:[eE][-+]?[0-9]+)?$/;
const TIMESTAMP_RE = /^(\d{4})-(\d{1,2})-(\d{1,2})(?:(?:[Tt]\d{1,2}:\d{1,2}:\d{1,2}(?:\.\d{1,9})?(?:Z|[-+]\d{2}:\d{2}))|(?: \d{1,2}:\d{1,2}:\d{1,2}(?:\.\d{1,9})?))?$/;
const BASE60_RE = /^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$/;

/** True when go-yaml v4's resolver reads this plain text as something other than a string. */
function resolvesNonString(s: string): boolean {
  if (RESOLVE_MAP.has(s)) return s !== "<<";
  const c = s[0]!;
  if (c === ".") return DOT_FLOAT_RE.test(s);
  if (!(c === "+" || c === "-" || (c >= "0" && c <= "9"))) return false;
  const ts = TIMESTAMP_RE.exec(s);
  if (ts && Number(ts[2]) >= 1 && Number(ts[2]) <= 12 && Number(ts[3]) >= 1 && Number(ts[3]) <= 31) return true;
  const plain = s.replaceAll("_", "");
  return GO_INT_RE.test(plain) || YAML_FLOAT_RE.test(plain);
}

/** libyaml's is_printable on UTF-8: no C1 controls (so no NEL), no BOM, nothing beyond the BMP. */
function isPrintable(c: number): boolean {
  return c === 0x0a || (c >= 0x20 && c <= 0x7e) || (c >= 0xa0 && c <= 0xd7ff) || (c >= 0xe000 && c <= 0xfffd && c !== 0xfeff);
}

const isBreakChar = (c: number) => c === 0x0a || c === 0x0d || c === 0x85 || c === 0x2028 || c === 0x2029;

interface Analysis {
  blockPlain: boolean;
  singleQuoted: boolean;
  block: boolean;
  multiline: boolean;
}

/** Text made only of these (keys, tokens, base64 certificates) needs no character-level analysis. */
const PLAIN_SAFE = /^[A-Za-z0-9_][A-Za-z0-9_./+=-]*$/;

/** libyaml's analyzeScalar (go-yaml v4), reduced to what block context needs. */
function analyze(s: string, tabIsSpecial = false): Analysis {
  if (s === "") return { blockPlain: true, singleQuoted: true, block: false, multiline: false };
  if (PLAIN_SAFE.test(s)) return { blockPlain: true, singleQuoted: true, block: true, multiline: false };
  let blockIndicators = s.startsWith("---") || s.startsWith("...");
  let specialCharacters = false;
  let tabCharacters = false;
  let lineBreaks = false;
  let leadingSpace = false;
  let leadingBreak = false;
  let trailingSpace = false;
  let trailingBreak = false;
  let breakSpace = false;
  let spaceBreak = false;
  let precededByWhitespace = true;
  let previousSpace = false;
  let previousBreak = false;
  const chars = Array.from(s);
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i]!;
    const next = chars[i + 1];
    const followedByWhitespace = next === undefined || next === " " || next === "\t";
    if (i === 0) {
      if ("#,[]{}&*!|>'\"%@`".includes(ch)) blockIndicators = true;
      if ((ch === "?" || ch === ":" || ch === "-") && followedByWhitespace) blockIndicators = true;
    } else {
      if (ch === ":" && followedByWhitespace) blockIndicators = true;
      if (ch === "#" && precededByWhitespace) blockIndicators = true;
    }
    const code = ch.codePointAt(0)!;
    if (ch === "\t" && !tabIsSpecial) tabCharacters = true;
    else if (!isPrintable(code)) specialCharacters = true;
    const isBreak = isBreakChar(code);
    if (ch === " ") {
      if (i === 0) leadingSpace = true;
      if (i === chars.length - 1) trailingSpace = true;
      if (previousBreak) breakSpace = true;
      previousSpace = true;
      previousBreak = false;
    } else if (isBreak) {
      lineBreaks = true;
      if (i === 0) leadingBreak = true;
      if (i === chars.length - 1) trailingBreak = true;
      if (previousSpace) spaceBreak = true;
      previousSpace = false;
      previousBreak = true;
    } else {
      previousSpace = false;
      previousBreak = false;
    }
    precededByWhitespace = ch === " " || ch === "\t" || ch === "\0";
  }
  let blockPlain = true;
  let singleQuoted = true;
  let block = true;
  if (leadingSpace || leadingBreak || trailingSpace || trailingBreak) blockPlain = false;
  if (trailingSpace) block = false;
  if (breakSpace) {
    blockPlain = false;
    singleQuoted = false;
  }
  if (spaceBreak || tabCharacters || specialCharacters) {
    blockPlain = false;
    singleQuoted = false;
  }
  if (spaceBreak || specialCharacters) block = false;
  if (lineBreaks) blockPlain = false;
  if (blockIndicators) blockPlain = false;
  return { blockPlain, singleQuoted, block, multiline: lineBreaks };
}

const ESCAPES: Readonly<Record<number, string>> = {
  0x00: "\\0",
  0x07: "\\a",
  0x08: "\\b",
  0x09: "\\t",
  0x0a: "\\n",
  0x0b: "\\v",
  0x0c: "\\f",
  0x0d: "\\r",
  0x1b: "\\e",
  0x22: '\\"',
  0x5c: "\\\\",
  0x85: "\\N",
  0xa0: "\\_",
  0x2028: "\\L",
  0x2029: "\\P",
};

/** libyaml's writeDoubleQuotedScalar without line folding. */
function doubleQuoted(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (!isPrintable(c) || c === 0xfeff || isBreakChar(c) || c === 0x22 || c === 0x5c) {
      const esc = ESCAPES[c];
      if (esc) out += esc;
      else if (c <= 0xff) out += `\\x${c.toString(16).toUpperCase().padStart(2, "0")}`;
      else if (c <= 0xffff) out += `\\u${c.toString(16).toUpperCase().padStart(4, "0")}`;
      else out += `\\U${c.toString(16).toUpperCase().padStart(8, "0")}`;
    } else out += ch;
  }
  return out + '"';
}

type Scalar = { inline: string } | { literal: string; header: string };

const singleQuoted = (s: string) => `'${s.replaceAll("'", "''")}'`;

/**
 * How go-yaml v4 (Talos's Marshal: v3 defaults, quote preference "legacy") writes a string:
 * the representer asks for a literal block (multi-line), single quotes (YAML 1.1 booleans,
 * base-60 numbers, `<<`) or plain; the desolver double-quotes text that would read back as
 * another type; the emitter falls back when the text cannot be written in the asked style.
 */
function stringScalar(s: string, simpleKey: boolean, handBuilt = false): Scalar {
  const a = analyze(s);
  let style: "plain" | "single" | "double" | "literal";
  if (handBuilt) style = resolvesNonString(s) ? "double" : "plain";
  else if (s.includes("\n")) style = s.length >= 2 && /\S/u.test(s) ? "literal" : "double";
  else if (BASE60_RE.test(s) || OLD_BOOL.has(s) || s === "<<") style = "single";
  else style = resolvesNonString(s) ? "double" : "plain";
  if (simpleKey && a.multiline) style = "double";
  if (style === "plain" && (!a.blockPlain || (s === "" && simpleKey))) style = "single";
  if (style === "single" && !a.singleQuoted) style = "double";
  if (style === "literal" && (!a.block || simpleKey)) style = "double";
  switch (style) {
    case "plain":
      return { inline: s };
    case "single":
      return { inline: singleQuoted(s) };
    case "double":
      return { inline: doubleQuoted(s) };
    case "literal": {
      let header = "|";
      if (s.startsWith(" ")) header += "4";
      if (!isBreakChar(s.codePointAt(s.length - 1)!)) header += "-";
      else if (s.length === 1 || isBreakChar(s.codePointAt(s.length - 2)!)) header += "+";
      return { literal: s, header };
    }
  }
}

function formatNumber(n: number): string {
  if (Number.isNaN(n)) return ".nan";
  if (n === Infinity) return ".inf";
  if (n === -Infinity) return "-.inf";
  return String(n);
}

/**
 * gopkg.in/yaml.v2 (ghodss/yaml's JSONToYAML, which Talos's JSON patches go through): strings
 * that would read back as another type, YAML 1.1 booleans included, are double-quoted; tabs
 * count as special characters; multi-line strings ask for a literal block.
 */
function stringScalarV2(s: string, simpleKey: boolean): Scalar & { style?: "plain" | "single" | "double" } {
  const a = analyze(s, true);
  const canUsePlain = !resolvesNonString(s) && !OLD_BOOL.has(s) && s !== "<<" && !BASE60_RE.test(s);
  let style: "plain" | "single" | "double" | "literal" = s.includes("\n") ? "literal" : canUsePlain ? "plain" : "double";
  if (simpleKey && a.multiline) style = "double";
  if (style === "plain" && (!a.blockPlain || (s === "" && simpleKey))) style = "single";
  if (style === "single" && !a.singleQuoted) style = "double";
  if (style === "literal" && (!a.block || simpleKey)) style = "double";
  switch (style) {
    case "plain":
      return { inline: s, style };
    case "single":
      return { inline: singleQuoted(s), style };
    case "double":
      return { inline: doubleQuoted(s), style };
    case "literal": {
      let header = "|";
      if (s.startsWith(" ") || isBreakChar(s.codePointAt(0)!)) header += "2";
      if (!isBreakChar(s.codePointAt(s.length - 1)!)) header += "-";
      else if (s.length === 1 || isBreakChar(s.codePointAt(s.length - 2)!)) header += "+";
      return { literal: s, header };
    }
  }
}

/** Which Go YAML library writes: go-yaml v4 with v3 defaults (Talos's encoder) or yaml.v2. */
export type Dialect = "v4" | "v2";

function scalar(v: string | number | boolean | null | OutNode, simpleKey: boolean, dialect: Dialect): Scalar & { style?: "plain" | "single" | "double" } {
  if (v === null) return { inline: "null" };
  if (typeof v === "object") return stringScalar(v.node, simpleKey, true);
  if (typeof v === "boolean") return { inline: v ? "true" : "false" };
  if (typeof v === "number") return { inline: formatNumber(v) };
  return dialect === "v2" ? stringScalarV2(v, simpleKey) : stringScalar(v, simpleKey);
}

const HEX = /^[0-9A-F]$/;

/** How many code points the escape at `chars[i]` (a backslash) spans: `\xXX`, `\uXXXX`, `\UXXXXXXXX`, else 2. */
function escapeLength(chars: readonly string[], i: number): number {
  const letter = chars[i + 1];
  const digits = letter === "x" ? 2 : letter === "u" ? 4 : letter === "U" ? 8 : 0;
  for (let j = 0; j < digits; j++) if (!HEX.test(chars[i + 2 + j] ?? "")) return 2;
  return letter === undefined ? 1 : 2 + digits;
}

/**
 * yaml.v2 folds long flow scalars at spaces once past column 80 (libyaml's write_plain_scalar,
 * write_single_quoted and write_double_quoted with allow_breaks); continuation lines are indented.
 */
function fold(text: string, style: "plain" | "single" | "double", startCol: number, indent: number): string[] {
  const raw = style === "plain" ? text : text.slice(1, -1);
  const open = style === "plain" ? "" : text[0]!;
  const chars = Array.from(raw);
  const lines: string[] = [];
  let cur = open;
  let col = startCol + open.length;
  let spaces = false;
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i]!;
    if (ch === " ") {
      const nextSpace = chars[i + 1] === " ";
      const canBreak =
        !spaces &&
        col > 80 &&
        (style === "plain" ? !nextSpace : style === "single" ? i > 0 && i < chars.length - 1 && !nextSpace : i !== 0 && i !== chars.length - 1);
      if (canBreak) {
        lines.push(cur);
        cur = " ".repeat(indent) + (style === "double" && nextSpace ? "\\" : "");
        col = cur.length;
      } else {
        cur += ch;
        col++;
      }
      spaces = true;
      continue;
    }
    if (style === "double" && ch === "\\") {
      // An escape: copy it whole (the backslash and what it escapes). Its length comes from the
      // letter after the backslash, so a string of escapes folds in linear time.
      const len = escapeLength(chars, i);
      for (let j = 0; j < len; j++) cur += chars[i + j]!;
      col += len;
      i += len - 1;
      spaces = false;
      continue;
    }
    cur += ch;
    col++;
    spaces = false;
  }
  lines.push(cur + (style === "plain" ? "" : text.at(-1)!));
  return lines;
}

// ---- layout --------------------------------------------------------------------------------

/**
 * libyaml's increase_indent. go-yaml v3/v4: the first level inside a sequence item skips `- `,
 * the rest align to multiples of 4. yaml.v2: plain libyaml, 2 more each level.
 */
function nextIndent(indent: number, inSeqItem: boolean, dialect: Dialect): number {
  if (dialect === "v2") return indent + 2;
  return inSeqItem ? indent + 2 : 4 * Math.floor((indent + 4) / 4);
}

function isEmptyCollection(v: Out): string | null {
  if (Array.isArray(v) && v.length === 0) return "[]";
  if (isOutMap(v) && v.entries.length === 0) return "{}";
  return null;
}

function writeLiteral(lines: Lines, text: string, indent: number): void {
  const pad = " ".repeat(indent);
  const body = text.endsWith("\n") ? text.slice(0, -1) : text;
  for (const line of body.split("\n")) lines.push(line === "" ? "" : pad + line);
}

/**
 * Writes `v` as the value after `prefix` (a line start such as `key:` or `- `). `indent` is the
 * indentation of the line holding the prefix's node, `inSeqItem` whether `v` is a sequence item.
 */
function emitValue(lines: Lines, prefix: string, v: Out, indent: number, inSeqItem: boolean, dialect: Dialect): void {
  const empty = isEmptyCollection(v);
  if (empty) {
    lines.push(`${prefix}${prefix.endsWith(":") ? " " : ""}${empty}`);
    return;
  }
  if (isOutMap(v)) {
    const inner = nextIndent(indent, inSeqItem, dialect);
    if (inSeqItem) {
      // `- key: value`, the next keys under the first one.
      emitMap(lines, v, inner, prefix, dialect);
    } else {
      lines.push(prefix);
      emitMap(lines, v, inner, " ".repeat(inner), dialect);
    }
    return;
  }
  if (Array.isArray(v)) {
    // yaml.v2 writes a mapping's sequence without indentation (libyaml's indentless sequence).
    const inner = dialect === "v2" && !inSeqItem ? indent : nextIndent(indent, inSeqItem, dialect);
    if (inSeqItem) emitSeq(lines, v, inner, prefix, dialect);
    else {
      lines.push(prefix);
      emitSeq(lines, v, inner, " ".repeat(inner), dialect);
    }
    return;
  }
  const s = scalar(v, false, dialect);
  const sep = prefix.endsWith(":") ? " " : "";
  const scalarIndent = nextIndent(indent, inSeqItem, dialect);
  if ("inline" in s) {
    if (dialect === "v2" && s.style) {
      const [first, ...rest] = fold(s.inline, s.style, prefix.length + sep.length, scalarIndent);
      lines.push(`${prefix}${sep}${first!}`, ...rest);
    } else lines.push(`${prefix}${sep}${s.inline}`);
    return;
  }
  lines.push(`${prefix}${sep}${s.header}`);
  writeLiteral(lines, s.literal, scalarIndent);
}

function emitMap(lines: Lines, m: OutMap, indent: number, firstPrefix: string, dialect: Dialect): void {
  const pad = " ".repeat(indent);
  m.entries.forEach(([key, value], i) => {
    const k = scalar(key, true, dialect);
    const keyText = "inline" in k ? k.inline : JSON.stringify(key);
    emitValue(lines, `${i === 0 ? firstPrefix : pad}${keyText}:`, value, indent, false, dialect);
  });
}

function emitSeq(lines: Lines, items: Out[], indent: number, firstPrefix: string, dialect: Dialect): void {
  const pad = " ".repeat(indent);
  items.forEach((item, i) => emitValue(lines, `${i === 0 ? firstPrefix : pad}- `, item, indent, true, dialect));
}

/** The text grew past the cap given to emitDocument. */
export class OutputTooLarge extends Error {
  constructor(readonly limit: number) {
    super(`the encoded config is larger than ${limit} characters: refusing to write it`);
    this.name = "OutputTooLarge";
  }
}

/**
 * The output lines with a running length: indentation grows with depth, so a small but deeply
 * nested value can write far more text than it holds; the cap stops it while it is written.
 */
class Lines {
  readonly all: string[] = [];
  private length = 0;
  constructor(private readonly limit: number) {}
  push(...more: string[]): void {
    for (const line of more) {
      this.length += line.length + 1;
      if (this.length > this.limit) throw new OutputTooLarge(this.limit);
      this.all.push(line);
    }
  }
}

/**
 * One document as Go's `yaml.Marshal` writes it (go-yaml v4 by default), ending with a newline.
 * Throws OutputTooLarge once the text passes `maxChars` (UTF-16 code units, never more than its UTF-8 bytes).
 */
export function emitDocument(v: Out, dialect: Dialect = "v4", maxChars = Infinity): string {
  const lines = new Lines(maxChars);
  const empty = isEmptyCollection(v);
  if (empty) return `${empty}\n`;
  if (isOutMap(v)) emitMap(lines, v, 0, "", dialect);
  else if (Array.isArray(v)) emitSeq(lines, v, 0, "", dialect);
  else {
    const s = scalar(v, false, dialect);
    if ("inline" in s) lines.push(s.inline);
    else {
      lines.push(s.header);
      writeLiteral(lines, s.literal, dialect === "v2" ? 2 : 4);
    }
  }
  return lines.all.join("\n") + "\n";
}

// ---- Go map key order ----------------------------------------------------------------------

const isDigit = (c: string) => c >= "0" && c <= "9";
const isLetter = (c: string) => /\p{L}/u.test(c);

/** yaml.v3's keyList.Less for string keys: letters before digits' runs, numbers compared by value. */
export function goKeyLess(a: string, b: string): boolean {
  const ar = Array.from(a);
  const br = Array.from(b);
  let digits = false;
  for (let i = 0; i < ar.length && i < br.length; i++) {
    if (ar[i] === br[i]) {
      digits = isDigit(ar[i]!);
      continue;
    }
    const al = isLetter(ar[i]!);
    const bl = isLetter(br[i]!);
    if (al && bl) return ar[i]!.codePointAt(0)! < br[i]!.codePointAt(0)!;
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
    for (; ai < ar.length && isDigit(ar[ai]!); ai++) an = an * 10 + Number(ar[ai]);
    let bi = i;
    for (; bi < br.length && isDigit(br[bi]!); bi++) bn = bn * 10 + Number(br[bi]);
    if (an !== bn) return an < bn;
    if (ai !== bi) return ai < bi;
    return ar[i]!.codePointAt(0)! < br[i]!.codePointAt(0)!;
  }
  return ar.length < br.length;
}

export function sortGoKeys(keys: string[]): string[] {
  return keys.sort((x, y) => (goKeyLess(x, y) ? -1 : goKeyLess(y, x) ? 1 : 0));
}
