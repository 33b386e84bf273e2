/**
 * Glob matching without a regex (a user's glob never reaches a regex engine), in time linear in
 * the text whatever the glob: a bit-parallel simulation of the glob's automaton (one bit per glob
 * position), compiled once per glob. Shared by every selector (lib/fleet/select.ts). Isomorphic.
 */

/** A glob compiled to bit masks over its positions (words of 32 bits). */
interface CompiledGlob {
  /** The glob's length once runs of `*` are one `*`: the accepting bit. */
  length: number;
  words: number;
  /** Per ASCII code: the positions that consume that character (it, or `?`). */
  ascii: Uint32Array[];
  /** Per non-ASCII character of the glob: the positions that consume it. */
  other: Map<number, Uint32Array>;
  /** The positions that consume any other character (`?` only). */
  any: Uint32Array;
  /** The positions holding `*`. */
  star: Uint32Array;
}

const compiled = new Map<string, CompiledGlob>();
const COMPILED_CACHE = 1024;

function compile(glob: string): CompiledGlob {
  let g = compiled.get(glob);
  if (g) return g;
  const chars = [...glob.replace(/\*+/g, "*")];
  const words = Math.floor(chars.length / 32) + 1;
  const any = new Uint32Array(words);
  const star = new Uint32Array(words);
  const set = (mask: Uint32Array, i: number) => (mask[i >>> 5]! |= 1 << (i & 31));
  chars.forEach((c, i) => (c === "*" ? set(star, i) : c === "?" ? set(any, i) : undefined));
  const ascii: Uint32Array[] = [];
  for (let code = 0; code < 128; code++) ascii.push(any);
  const other = new Map<number, Uint32Array>();
  chars.forEach((c, i) => {
    if (c === "*" || c === "?") return;
    const code = c.codePointAt(0)!;
    if (code < 128) {
      if (ascii[code] === any) ascii[code] = any.slice();
      set(ascii[code]!, i);
    } else {
      if (!other.has(code)) other.set(code, any.slice());
      set(other.get(code)!, i);
    }
  });
  g = { length: chars.length, words, ascii, other, any, star };
  if (compiled.size >= COMPILED_CACHE) compiled.clear();
  compiled.set(glob, g);
  return g;
}

/** `state |= (state & star) << 1`: a `*` may match nothing (runs of `*` were collapsed). */
function closeStars(state: Uint32Array, star: Uint32Array): void {
  let carry = 0;
  for (let w = 0; w < state.length; w++) {
    const t = state[w]! & star[w]!;
    state[w] = state[w]! | (t << 1) | carry;
    carry = t >>> 31;
  }
}

/**
 * `*` any run of characters (none included), `?` exactly one; everything else literal. Time:
 * the text's length × the glob's words (one per 32 characters of glob).
 */
export function globMatch(glob: string, text: string): boolean {
  const g = compile(glob);
  if (g.words <= 2) return match64(g, text);
  let state = new Uint32Array(g.words);
  let next = new Uint32Array(g.words);
  state[0] = 1;
  closeStars(state, g.star);
  for (const c of text) {
    const code = c.codePointAt(0)!;
    const mask = code < 128 ? g.ascii[code]! : (g.other.get(code) ?? g.any);
    let carry = 0;
    let alive = 0;
    for (let w = 0; w < g.words; w++) {
      const t = state[w]! & mask[w]!;
      next[w] = (t << 1) | carry | (state[w]! & g.star[w]!);
      carry = t >>> 31;
      alive |= next[w]!;
    }
    if (alive === 0) return false;
    closeStars(next, g.star);
    [state, next] = [next, state];
  }
  return (state[g.length >>> 5]! & (1 << (g.length & 31))) !== 0;
}

/** {@link globMatch} for globs of at most 63 positions (the schema's cap): two words in locals. */
function match64(g: CompiledGlob, text: string): boolean {
  const s0 = g.star[0]!;
  const s1 = g.star[1] ?? 0;
  let d0 = 1;
  let d1 = 0;
  let t0 = d0 & s0;
  d1 |= ((d1 & s1) << 1) | (t0 >>> 31);
  d0 |= t0 << 1;
  for (let i = 0; i < text.length; i++) {
    let code = text.charCodeAt(i);
    if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length) {
      code = text.codePointAt(i)!;
      if (code > 0xffff) i++;
    }
    const m = code < 128 ? g.ascii[code]! : (g.other.get(code) ?? g.any);
    const a0 = d0 & m[0]!;
    const a1 = d1 & (m[1] ?? 0);
    let n0 = (a0 << 1) | (d0 & s0);
    let n1 = (a1 << 1) | (a0 >>> 31) | (d1 & s1);
    if ((n0 | n1) === 0) return false;
    t0 = n0 & s0;
    n1 |= ((n1 & s1) << 1) | (t0 >>> 31);
    n0 |= t0 << 1;
    d0 = n0;
    d1 = n1;
  }
  return ((g.length < 32 ? d0 >>> g.length : d1 >>> (g.length - 32)) & 1) !== 0;
}
