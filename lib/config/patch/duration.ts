/**
 * Go's time.ParseDuration and Duration.String: Talos's configs hold durations as
 * time.Duration, so `1m` reads as 60s and is written back as `1m0s`.
 */
const UNITS: Readonly<Record<string, bigint>> = {
  ns: 1n,
  us: 1_000n,
  "\u00b5s": 1_000n,
  "\u03bcs": 1_000n,
  ms: 1_000_000n,
  s: 1_000_000_000n,
  m: 60_000_000_000n,
  h: 3_600_000_000_000n,
};

const MAX = (1n << 63n) - 1n;

/** Nanoseconds, or null when Go would refuse the text. */
export function parseGoDuration(text: string): bigint | null {
  let s = text;
  let neg = false;
  if (s.startsWith("-") || s.startsWith("+")) {
    neg = s[0] === "-";
    s = s.slice(1);
  }
  if (s === "0") return 0n;
  if (s === "") return null;
  let total = 0n;
  const re = /^(\d*)(?:\.(\d*))?([^\d.]+)/u;
  while (s !== "") {
    const m = re.exec(s);
    if (!m || (m[1] === "" && (m[2] === undefined || m[2] === ""))) return null;
    const unit = UNITS[m[3]!];
    if (unit === undefined) return null;
    let v = BigInt(m[1] || "0") * unit;
    if (m[2]) {
      // Go scales the fraction in float64 and truncates.
      const f = Number(m[2].slice(0, 18));
      const scale = 10 ** Math.min(m[2].length, 18);
      v += BigInt(Math.trunc(f * (Number(unit) / scale)));
    }
    total += v;
    // Go allows 1<<63 while reading (-9223372036854775808ns is valid), then refuses it unsigned.
    if (total > MAX + 1n) return null;
    s = s.slice(m[0].length);
  }
  if (!neg && total > MAX) return null;
  return neg ? -total : total;
}

function frac(v: bigint, prec: number): [string, bigint] {
  let out = "";
  let print = false;
  for (let i = 0; i < prec; i++) {
    const digit = v % 10n;
    print ||= digit !== 0n;
    if (print) out = String(digit) + out;
    v /= 10n;
  }
  return [print ? `.${out}` : "", v];
}

/** time.Duration.String. */
export function formatGoDuration(ns: bigint): string {
  const neg = ns < 0n;
  let u = neg ? -ns : ns;
  let out: string;
  if (u < 1_000_000_000n) {
    if (u === 0n) return "0s";
    let prec: number;
    let unit: string;
    if (u < 1_000n) {
      prec = 0;
      unit = "ns";
    } else if (u < 1_000_000n) {
      prec = 3;
      unit = "\u00b5s";
    } else {
      prec = 6;
      unit = "ms";
    }
    const [f, rest] = frac(u, prec);
    out = `${rest}${f}${unit}`;
  } else {
    const [f, rest] = frac(u, 9);
    u = rest;
    out = `${u % 60n}${f}s`;
    u /= 60n;
    if (u > 0n) {
      out = `${u % 60n}m${out}`;
      u /= 60n;
      if (u > 0n) out = `${u}h${out}`;
    }
  }
  return neg ? `-${out}` : out;
}
