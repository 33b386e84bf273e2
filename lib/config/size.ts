/**
 * Byte sizes and percentages as the config writes them (`10GB`, `1.5 TiB`, `>= 1TB`, `50%`), read
 * by hand instead of by regular expression. The old patterns put `\s*` next to `\s*` (with an
 * optional unit between them), which a backtracking engine splits every possible way: a value of
 * "1", 100,000 spaces and "x" took seconds. Here every character is looked at a bounded number of
 * times, so the cost is linear in the input whatever it holds. Isomorphic, no imports.
 */

/** Whether `c` is one of the characters JavaScript's `\s` (and String.prototype.trim) match. */
export function isSpace(c: string): boolean {
  // One code unit; the regex is fixed-size, so this is O(1).
  return c.length === 1 && SPACE.test(c);
}
const SPACE = /^\s$/;

/** Whether `c` is a line terminator, the characters `.` in a regex does not match. */
const isLineTerminator = (c: string): boolean => c === "\n" || c === "\r" || c === "\u2028" || c === "\u2029";

const isDigit = (c: string | undefined): boolean => c !== undefined && c >= "0" && c <= "9";

/** Index of the first character at or after `i` that is not a digit. */
function digits(s: string, i: number): number {
  while (isDigit(s[i])) i++;
  return i;
}

/** Index of the first character at or after `i` that is not whitespace. */
function spaces(s: string, i: number): number {
  while (i < s.length && isSpace(s[i]!)) i++;
  return i;
}

/** The two dialects of sizes in the config. */
export interface SizeDialect {
  /** `1,000MB` and `.5GB` (go-humanize's ParseBytes, the schema's `size` fields). */
  lenient: boolean;
  /** Whether the unit `rest` (no whitespace around it, never empty) is accepted. */
  unit: (rest: string) => boolean;
}

const LENIENT_UNIT = /^(?:[kmgtpezy]i?b?|b)$/i;
const STRICT_UNIT = /^(?:[kKmMgGtTpPeE]i?[bB]?|[bB])$/;

/** Schema sizes: `^\s*(\d[\d,]*(\.\d+)?|\.\d+)\s*([kmgtpezy]i?b?|b)?\s*$` (case-insensitive). */
export const LENIENT_SIZE: SizeDialect = { lenient: true, unit: (u) => u.length <= 3 && LENIENT_UNIT.test(u) };
/** Talos's own rules: `^\s*(\d+(\.\d+)?)\s*([kKmMgGtTpPeE]i?[bB]?|[bB])?\s*$`. */
export const STRICT_SIZE: SizeDialect = { lenient: false, unit: (u) => u.length <= 3 && STRICT_UNIT.test(u) };

/**
 * Reads a size from `s[start..end)`: whitespace, a number, whitespace, an optional unit,
 * whitespace. Returns the number's text, or null when the range is not a size.
 */
function readSize(s: string, start: number, end: number, dialect: SizeDialect): string | null {
  let i = spaces(s, start);
  let j = end;
  while (j > i && isSpace(s[j - 1]!)) j--;
  const numberStart = i;
  if (isDigit(s[i])) {
    i = digits(s, i);
    if (dialect.lenient) while (i < j && (s[i] === "," || isDigit(s[i]))) i++;
    if (s[i] === "." && isDigit(s[i + 1])) i = digits(s, i + 1);
  } else if (dialect.lenient && s[i] === "." && isDigit(s[i + 1])) {
    i = digits(s, i + 1);
  } else {
    return null;
  }
  if (i > j) return null;
  const number = s.slice(numberStart, i);
  i = spaces(s, i);
  if (i >= j) return number;
  return dialect.unit(s.slice(i, j)) ? number : null;
}

/** The number of a size (`"1.5"` for `" 1.5 GiB "`), or null when `s` is not one. */
export function parseSize(s: string, dialect: SizeDialect): string | null {
  return readSize(s, 0, s.length, dialect);
}

/** `^\s*\d+(\.\d+)?\s*%\s*$`: a percentage. */
export function isPercent(s: string): boolean {
  let i = spaces(s, 0);
  if (!isDigit(s[i])) return false;
  i = digits(s, i);
  if (s[i] === "." && isDigit(s[i + 1])) i = digits(s, i + 1);
  i = spaces(s, i);
  if (s[i] !== "%") return false;
  return spaces(s, i + 1) === s.length;
}

const OPERATORS = [">=", "<=", "==", ">", "<"] as const;

/** Length of the comparison operator at `s[i]`, or 0 (two-character operators first). */
function operatorAt(s: string, i: number): number {
  for (const op of OPERATORS) if (s.startsWith(op, i)) return op.length;
  return 0;
}

/**
 * Talos's disk selector size: `^\s*(<=|>=|<|>|==)?\s*(\d+(\.\d+)?)\s*(unit)?\s*$` in the strict
 * dialect. Returns whether `s` is one.
 */
export function isStrictSizeMatcher(s: string): boolean {
  const i = spaces(s, 0);
  return readSize(s, i + operatorAt(s, i), s.length, STRICT_SIZE) !== null;
}

/**
 * The schema's `sizeMatcher`: the old `^\s*(>=|<=|>|<|==)?\s*(.+)$`, then a lenient size on what
 * `(.+)` captured. `.` stops at line terminators and `$` is the end of input, so the part after
 * the operator must be non-empty and hold no line break (a trailing newline is refused too).
 */
export function isLenientSizeMatcher(s: string): boolean {
  let i = spaces(s, 0);
  i = spaces(s, i + operatorAt(s, i));
  if (i >= s.length) return false;
  for (let k = i; k < s.length; k++) if (isLineTerminator(s[k]!)) return false;
  return readSize(s, i, s.length, LENIENT_SIZE) !== null;
}
