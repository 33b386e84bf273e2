/**
 * Talos's size types, read exactly as its Go decoders read them. Each reader returns null when
 * Talos accepts the text, or the reason it does not (Go's own error text where it has one).
 *
 * - go-humanize v1.0.1 `ParseBytes` (the number part, then a unit from `bytesSizeTable`)
 * - block.ByteSize (pkg/machinery/config/types/block/byte_size.go): ParseBytes; from 1.13 a
 *   leading `-` ("all but …", `maxSize: -10GiB`)
 * - block.PercentageSize (percentage_size.go, 1.12+): `N%`, strconv.ParseFloat, 0–100; from 1.13
 *   a leading `-`
 * - block.Size (size.go, 1.12+): a PercentageSize when the text holds `%`, else a ByteSize
 * - v1alpha1.DiskSize (`machine.disks[].partitions[].size`): ParseBytes
 * - v1alpha1.InstallDiskSizeMatcher (`install.diskSelector.size`): an optional comparison, then
 *   ParseBytes
 *
 * Hand-written scanners, linear in the input whatever it holds (no backtracking patterns).
 */
import type { TalosMinor } from "@/lib/config/types";

import { minorBefore } from "./versions";

/** go-humanize's units (bytes.go, bytesSizeTable), lowercased; "" is bytes. */
const UNITS: ReadonlyMap<string, number> = new Map([
  ["", 1],
  ["b", 1],
  ["k", 1e3],
  ["kb", 1e3],
  ["ki", 2 ** 10],
  ["kib", 2 ** 10],
  ["m", 1e6],
  ["mb", 1e6],
  ["mi", 2 ** 20],
  ["mib", 2 ** 20],
  ["g", 1e9],
  ["gb", 1e9],
  ["gi", 2 ** 30],
  ["gib", 2 ** 30],
  ["t", 1e12],
  ["tb", 1e12],
  ["ti", 2 ** 40],
  ["tib", 2 ** 40],
  ["p", 1e15],
  ["pb", 1e15],
  ["pi", 2 ** 50],
  ["pib", 2 ** 50],
  ["e", 1e18],
  ["eb", 1e18],
  ["ei", 2 ** 60],
  ["eib", 2 ** 60],
]);

const MAX_UINT64 = 2 ** 64;

// Go's unicode.IsSpace (strings.TrimSpace): ASCII space, \t \n \v \f \r, U+0085, U+00A0 and the
// Unicode space separators. One code unit each, so a fixed-size test per character.
const GO_SPACE = /^[\t\n\v\f\r \u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]$/;
const isGoSpace = (c: string) => GO_SPACE.test(c);

/** Go's strings.TrimSpace. */
export function goTrimSpace(s: string): string {
  let i = 0;
  let j = s.length;
  while (i < j && isGoSpace(s[i]!)) i++;
  while (j > i && isGoSpace(s[j - 1]!)) j--;
  return s.slice(i, j);
}

const isAsciiDigit = (c: string | undefined) => c !== undefined && c >= "0" && c <= "9";
// unicode.IsDigit is true for every decimal digit (Nd), which ParseFloat then refuses.
const UNICODE_DIGIT = /^\p{Nd}$/u;

/**
 * Go's strconv.ParseFloat(s, 64) syntax: decimal (`1`, `1.`, `.5`, `1e3`) or hexadecimal
 * (`0x1p-2`) with an optional sign and `_` between digits only after a base prefix, or
 * inf/infinity/nan. Returns the value (NaN for "nan"), or null when the syntax is wrong or the
 * value overflows (Go's ErrRange).
 */
export function goParseFloat(s: string): number | null {
  let i = 0;
  if (s[i] === "+" || s[i] === "-") i++;
  const body = s.slice(i).toLowerCase();
  const sign = s[0] === "-" ? -1 : 1;
  if (body === "inf" || body === "infinity") return sign * Infinity;
  if (body === "nan") return NaN;
  if (body.startsWith("0x")) {
    // Hex mantissa with a mandatory p exponent.
    let k = 2;
    let mantissa = 0;
    let digits = 0;
    let scale = 0;
    let dot = false;
    for (; k < body.length; k++) {
      const c = body[k]!;
      if (c === "_") continue;
      if (c === "." && !dot) {
        dot = true;
        continue;
      }
      const d = "0123456789abcdef".indexOf(c);
      if (d < 0) break;
      mantissa = mantissa * 16 + d;
      digits++;
      if (dot) scale -= 4;
    }
    if (digits === 0 || body[k] !== "p") return null;
    const exp = body.slice(k + 1);
    if (!/^[+-]?\d+$/.test(exp)) return null;
    const v = sign * mantissa * 2 ** (Number(exp) + scale);
    return Number.isFinite(v) ? v : null;
  }
  // Decimal: digits [. digits] [e [sign] digits], at least one mantissa digit.
  let k = 0;
  let mantissaDigits = 0;
  const digitsFrom = (from: number) => {
    let j = from;
    while (isAsciiDigit(body[j])) j++;
    return j;
  };
  let next = digitsFrom(k);
  mantissaDigits += next - k;
  k = next;
  if (body[k] === ".") {
    next = digitsFrom(k + 1);
    mantissaDigits += next - k - 1;
    k = next;
  }
  if (mantissaDigits === 0) return null;
  if (body[k] === "e") {
    k++;
    if (body[k] === "+" || body[k] === "-") k++;
    if (!isAsciiDigit(body[k])) return null;
    while (isAsciiDigit(body[k])) k++;
  }
  if (k !== body.length) return null;
  const v = sign * Number(body);
  return Number.isFinite(v) ? v : null;
}

/** go-humanize's ParseBytes: null when accepted, else Go's error text. */
export function humanizeParseBytes(s: string): string | null {
  let end = 0;
  let hasComma = false;
  for (const ch of s) {
    const digit = ch.length === 1 && isAsciiDigit(ch);
    if (!(digit || ch === "." || ch === "," || UNICODE_DIGIT.test(ch))) break;
    if (ch === ",") hasComma = true;
    end += ch.length;
  }
  let num = s.slice(0, end);
  if (hasComma) num = num.replaceAll(",", "");
  // The number part holds only digits and dots: ParseFloat's decimal form without sign or exponent.
  const f = /^[0-9.]*$/.test(num) ? goParseFloat(num) : null;
  if (f === null) return `strconv.ParseFloat: parsing ${JSON.stringify(num)}: invalid syntax`;
  const unit = goTrimSpace(s.slice(end)).toLowerCase();
  const m = UNITS.get(unit);
  if (m === undefined) return `unhandled size name: ${unit}`;
  if (f * m >= MAX_UINT64) return `too large: ${s}`;
  return null;
}

/** What the size fields of a Talos minor accept. */
export interface SizeDialect {
  /** A leading `-` (block.ByteSize and PercentageSize from 1.13). */
  negative: boolean;
  /** `N%` (block.Size from 1.12). */
  percent: boolean;
}

export const byteSizeDialect = (version: TalosMinor): SizeDialect => ({ negative: !minorBefore(version, "1.13"), percent: false });
export const volumeSizeDialect = (version: TalosMinor): SizeDialect => ({
  negative: !minorBefore(version, "1.13"),
  percent: !minorBefore(version, "1.12"),
});

/** block.PercentageSize.UnmarshalText. */
function percentageSize(text: string, negative: boolean): string | null {
  if (!text.endsWith("%")) return "percentage must end with '%'";
  const body = negative && text.startsWith("-") ? text.slice(1) : text;
  const value = goParseFloat(body.slice(0, -1));
  if (value === null) return `invalid percentage value: strconv.ParseFloat: parsing ${JSON.stringify(body.slice(0, -1))}: invalid syntax`;
  // NaN passes Go's range check too (every comparison with it is false).
  if (value < 0 || value > 100) return `percentage must be between 0 and 100, got ${value}`;
  return null;
}

/**
 * A block.ByteSize, or a block.Size when `dialect.percent`: the text Talos's UnmarshalText gets
 * (a YAML number arrives as its text). Null when accepted.
 */
export function checkVolumeSize(text: string, dialect: SizeDialect): string | null {
  if (text === "") return null;
  if (dialect.percent && text.includes("%")) return percentageSize(text, dialect.negative);
  const body = dialect.negative && text.startsWith("-") ? text.slice(1) : text;
  return humanizeParseBytes(body);
}

/** v1alpha1.InstallDiskSizeMatcher.UnmarshalYAML: `[>=|<=|>|<|==]<size>[units]`. */
export function checkInstallDiskSizeMatcher(text: string): string | null {
  const condition = goTrimSpace(text);
  // `(>=|<=|>|<|==)?\b*(.*)$`, leftmost-first: a two-character operator before its prefix.
  let op = "";
  for (const candidate of [">=", "<=", ">", "<", "=="]) {
    if (condition.startsWith(candidate)) {
      op = candidate;
      break;
    }
  }
  const rest = condition.slice(op.length);
  // `.` stops at a line break; the unanchored match then starts after it, which Talos's own
  // inputs never rely on: refuse line breaks outright.
  if (/[\n\r\u2028\u2029]/.test(rest)) return `failed to parse disk size ${JSON.stringify(rest)}: line breaks are not allowed`;
  const err = humanizeParseBytes(goTrimSpace(rest));
  return err === null ? null : `failed to parse disk size ${rest}: ${err}`;
}

/**
 * The value Talos computes for an accepted size text, as ByteSize.Value() (uint64 of the float
 * ParseBytes multiplied, the sign dropped) or PercentageSize: null when the text is not a size.
 */
export function sizeValue(text: string, dialect: SizeDialect): { value: number; negative: boolean; relative: boolean } | null {
  if (checkVolumeSize(text, dialect) !== null || text === "") return null;
  const negative = dialect.negative && text.startsWith("-");
  const body = negative ? text.slice(1) : text;
  if (dialect.percent && text.includes("%")) return { value: Math.trunc(goParseFloat(body.slice(0, -1)) ?? 0), negative, relative: true };
  let end = 0;
  while (end < body.length && (isAsciiDigit(body[end]) || body[end] === "." || body[end] === ",")) end++;
  const f = goParseFloat(body.slice(0, end).replaceAll(",", "")) ?? 0;
  const unit = UNITS.get(goTrimSpace(body.slice(end)).toLowerCase()) ?? 1;
  return { value: Math.trunc(f * unit), negative, relative: false };
}
