import { describe, expect, it } from "vitest";

import { pemBlocks } from "./rules/certificates";
import { isLenientSizeMatcher, isPercent, isStrictSizeMatcher, LENIENT_SIZE, parseSize, STRICT_SIZE } from "./size";

// The patterns these readers replace, kept here as the reference for what they accept. Run only
// on short strings: on long hostile ones they take seconds to hours.
const OLD = {
  lenientSize: /^\s*(\d[\d,]*(\.\d+)?|\.\d+)\s*([kmgtpezy]i?b?|b)?\s*$/i,
  percent: /^\s*\d+(\.\d+)?\s*%\s*$/,
  lenientMatcher: /^\s*(>=|<=|>|<|==)?\s*(.+)$/,
  strictSize: /^\s*(\d+(\.\d+)?)\s*([kKmMgGtTpPeE]i?[bB]?|[bB])?\s*$/,
  strictMatcher: /^\s*(<=|>=|<|>|==)?\s*(\d+(\.\d+)?)\s*([kKmMgGtTpPeE]i?[bB]?|[bB])?\s*$/,
  pem: /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g,
};

/** A deterministic pseudo-random generator (mulberry32), so a failure reproduces. */
function rng(seed: number) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function strings(alphabet: readonly string[], count: number, maxLen: number, seed: number): string[] {
  const next = rng(seed);
  return Array.from({ length: count }, () => {
    const n = Math.floor(next() * (maxLen + 1));
    let s = "";
    for (let i = 0; i < n; i++) s += alphabet[Math.floor(next() * alphabet.length)];
    return s;
  });
}

const SIZE_ALPHABET = ["1", "0", "9", ".", ",", " ", "\t", "\n", "\u00a0", "k", "K", "i", "I", "b", "B", "g", "G", "m", "z", "y", "e", "x", "%", ">", "<", "=", "-"];

describe("size readers accept what the old patterns accepted", () => {
  const samples = [
    ...strings(SIZE_ALPHABET, 15_000, 8, 1),
    ...["10GB", "1.5TiB", "512MiB", " 100 GB ", "1,000MB", ".5g", "1.", "1.5.5GB", "50%", " 1.5 % ", "5 %x", "kib", "1kibb", "1 b", "1 B", "0", ""],
  ];
  const matcherSamples = [...samples, ...strings(SIZE_ALPHABET, 15_000, 10, 2), ">= 1TB", "<2TB", "==4GB", "> = 1", ">=", ">= 5\n", "\n>= 5", ">=\n5", "1GB\r", "  "];

  it("lenient sizes (schema `size`)", () => {
    for (const s of samples) expect([s, parseSize(s, LENIENT_SIZE) !== null]).toEqual([s, OLD.lenientSize.test(s)]);
  });

  it("strict sizes (Talos's rules) and their numbers", () => {
    for (const s of samples) {
      const m = OLD.strictSize.exec(s);
      expect([s, parseSize(s, STRICT_SIZE)]).toEqual([s, m ? m[1] : null]);
    }
  });

  it("percentages", () => {
    for (const s of samples) expect([s, isPercent(s)]).toEqual([s, OLD.percent.test(s)]);
  });

  it("lenient size matchers (schema `sizeMatcher`)", () => {
    for (const s of matcherSamples) {
      const m = OLD.lenientMatcher.exec(s);
      expect([s, isLenientSizeMatcher(s)]).toEqual([s, Boolean(m?.[2] && OLD.lenientSize.test(m[2]))]);
    }
  });

  it("strict size matchers (install.diskSelector.size)", () => {
    for (const s of matcherSamples) expect([s, isStrictSizeMatcher(s)]).toEqual([s, OLD.strictMatcher.test(s)]);
  });
});

describe("size readers on hostile input finish (the old patterns took minutes to hours)", () => {
  const n = 200_000;
  const hostile = [
    "1" + " ".repeat(n) + "x",
    " ".repeat(n) + "\n",
    "1" + "\t \n".repeat(n) + "%x",
    ">=" + " ".repeat(n) + "1" + " ".repeat(n) + "x",
    "1" + ",".repeat(n) + "!",
    "1".repeat(n) + " ".repeat(n) + "kx",
  ];

  it.each(hostile.map((s, i) => [i, s] as const))("hostile input %i", (_, s) => {
    // Booleans only: a failure must not print a 200,000-character string.
    expect([parseSize(s, LENIENT_SIZE) === null, parseSize(s, STRICT_SIZE) === null, isPercent(s), isLenientSizeMatcher(s), isStrictSizeMatcher(s)]).toEqual([true, true, false, false, false]);
  });

  it("a long but valid size is still read", () => {
    const s = " ".repeat(n) + "1".repeat(1000) + " ".repeat(n) + "GiB" + " ".repeat(n);
    expect(parseSize(s, STRICT_SIZE)).toBe("1".repeat(1000));
    expect(isStrictSizeMatcher(">=" + s)).toBe(true);
  });
});

describe("PEM blocks", () => {
  const reference = (text: string) => [...text.matchAll(OLD.pem)].map((m) => ({ type: m[1], body: m[2] }));
  const PEM_ALPHABET = ["-----BEGIN ", "-----END ", "-----", "A", "B", " ", "\n", "x", "-", "QUJD", ":"];

  it("finds the blocks the old pattern found", () => {
    for (const text of [...strings(PEM_ALPHABET, 15_000, 12, 3), "-----BEGIN A-----\nQUJD\n-----END A-----", "-----BEGIN A-----x-----END B----------END A-----"]) {
      const got = pemBlocks(text).map((b) => b.type);
      expect([text, got]).toEqual([text, reference(text).map((b) => b.type)]);
    }
  });

  it("decodes the body between the markers", () => {
    const [block] = pemBlocks("junk -----BEGIN X-----\nProc-Type: 4\nQUJD\n-----END X----- tail");
    expect(block?.type).toBe("X");
    expect(block?.der && Array.from(block.der)).toEqual([65, 66, 67]);
  });

  it("many BEGINs without an END finish (the old pattern rescanned the rest from each one)", () => {
    const text = "-----BEGIN CERTIFICATE-----\n".repeat(150_000);
    expect(pemBlocks(text)).toEqual([]);
    const labels = Array.from({ length: 100_000 }, (_, i) => `-----BEGIN A${i}-----\n-----END B${i}-----\n`).join("");
    expect(pemBlocks(labels)).toEqual([]);
  });
});
