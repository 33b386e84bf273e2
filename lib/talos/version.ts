/**
 * THE Talos version: one parser and one order for every version string Minos meets, from the
 * upgrade form to the nodes table to the simulator. Pure and isomorphic.
 *
 * Accepted: `v1.14.0`, `1.14.0` (the "v" is optional, as in semver.ParseTolerant, which Talos's
 * compatibility package uses), `v1.13` (minor only: patch 0), pre-releases (`v1.14.0-rc.1`),
 * `git describe` builds (`v1.14.0-alpha.1-23-gabcdef0`, `v1.12.0-15-gabcdef1-dirty`) and build
 * metadata (`+sha.abc`).
 *
 * Order: major, minor, patch; then a release after each of its pre-releases, pre-release
 * identifiers compared as semver does (numbers numerically, so rc.2 < rc.10; a number before a
 * word; a shorter list first), so alpha < beta < rc < release; then commits after the tag (a
 * describe build sorts after its tag and before the next one, unlike semver.ParseTolerant, which
 * reads "1-23-gabcdef0" as one word); then a dirty tree after a clean one. Build metadata and the
 * commit hash do not take part (semver rule 10).
 */

export interface TalosVersion {
  major: number;
  minor: number;
  patch: number;
  /** Pre-release identifiers (`["alpha", 2]`), empty for a release. */
  prerelease: (string | number)[];
  /** Commits after the tag, from a `git describe` suffix (`-15-gabc1234`); 0 for a tag. */
  commits: number;
  /** The abbreviated commit of a `git describe` suffix; "" for a tag. */
  hash: string;
  /** Built from a tree with uncommitted changes (`-dirty`). */
  dirty: boolean;
  /** Build metadata after "+", without it; "" when there is none. */
  build: string;
  /** Whether the patch number was written: false for `v1.13`, which no installer tag is. */
  hasPatch: boolean;
  /** The input, trimmed. */
  raw: string;
}

const VERSION_RE = /^v?(\d+)\.(\d+)(?:\.(\d+))?(?:-([0-9A-Za-z.-]+))?(?:\+([0-9A-Za-z.-]+))?$/;
// A describe suffix follows the tag's pre-release (or the patch) after a dash.
const DESCRIBE_RE = /(?:^|-)(\d+)-g([0-9a-f]{7,40})$/;
const DIRTY_RE = /(?:^|-)dirty$/;

/** Parses a Talos version; null when the input is not one. */
export function parseTalosVersion(input: string): TalosVersion | null {
  const raw = input.trim();
  const m = VERSION_RE.exec(raw);
  if (!m) return null;
  let pre = m[4] ?? "";
  const dirty = DIRTY_RE.test(pre);
  if (dirty) pre = pre.replace(DIRTY_RE, "");
  const describe = DESCRIBE_RE.exec(pre);
  if (describe) pre = pre.slice(0, describe.index);
  const ids = pre === "" ? [] : pre.split(".");
  if (ids.some((p) => p === "")) return null;
  return {
    major: Number(m[1]),
    minor: Number(m[2]),
    patch: Number(m[3] ?? 0),
    prerelease: ids.map((p) => (/^\d+$/.test(p) ? Number(p) : p)),
    commits: Number(describe?.[1] ?? 0),
    hash: describe?.[2] ?? "",
    dirty,
    build: m[5] ?? "",
    hasPatch: m[3] !== undefined,
    raw,
  };
}

/** Parses a Talos version or throws `not a Talos version: "…"`. */
export function mustParseTalosVersion(input: string): TalosVersion {
  const parsed = parseTalosVersion(input);
  if (!parsed) throw new Error(`not a Talos version: ${JSON.stringify(input)}`);
  return parsed;
}

/**
 * A full tag as installer images and `Version` carry it (`v1.14.0`, `1.14.0-rc.1`, describe
 * builds): a Talos version with its patch and without build metadata. What an upgrade target
 * must be.
 */
export function isTalosTag(input: string): boolean {
  const v = parseTalosVersion(input);
  return v !== null && v.hasPatch && v.build === "";
}

function comparePrerelease(a: readonly (string | number)[], b: readonly (string | number)[]): number {
  // A release is newer than any of its pre-releases.
  if (a.length === 0 || b.length === 0) return a.length === b.length ? 0 : a.length === 0 ? 1 : -1;
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const x = a[i];
    const y = b[i];
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    if (x === y) continue;
    if (typeof x === "number" && typeof y === "number") return x < y ? -1 : 1;
    if (typeof x === "number") return -1; // numeric identifiers sort before alphanumeric ones
    if (typeof y === "number") return 1;
    return x < y ? -1 : 1;
  }
  return 0;
}

/**
 * -1, 0 or 1 as `a` is older than, the same as, or newer than `b` (the order in this file's
 * header). Throws on a string that is not a Talos version.
 */
export function compareTalosVersions(a: string | TalosVersion, b: string | TalosVersion): -1 | 0 | 1 {
  const x = typeof a === "string" ? mustParseTalosVersion(a) : a;
  const y = typeof b === "string" ? mustParseTalosVersion(b) : b;
  for (const k of ["major", "minor", "patch"] as const) {
    if (x[k] !== y[k]) return x[k] < y[k] ? -1 : 1;
  }
  const pre = comparePrerelease(x.prerelease, y.prerelease);
  if (pre !== 0) return pre < 0 ? -1 : 1;
  if (x.commits !== y.commits) return x.commits < y.commits ? -1 : 1;
  if (x.dirty !== y.dirty) return x.dirty ? 1 : -1;
  return 0;
}

/**
 * A total order over any strings, for sorting what nodes report: Talos versions first, in
 * version order, then everything else; ties (`1.14.0` vs `v1.14.0`, other strings) by code
 * point, so the order never depends on the input order.
 */
export function compareVersionStrings(a: string, b: string): number {
  const x = parseTalosVersion(a);
  const y = parseTalosVersion(b);
  if (x && !y) return -1;
  if (!x && y) return 1;
  const byVersion = x && y ? compareTalosVersions(x, y) : 0;
  if (byVersion !== 0) return byVersion;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Same version, ignoring a missing "v"; false when either is not a version. */
export function sameTalosVersion(a: string, b: string): boolean {
  const x = parseTalosVersion(a);
  const y = parseTalosVersion(b);
  return x !== null && y !== null && compareTalosVersions(x, y) === 0;
}

/** "1.14.0" → "v1.14.0"; anything else is returned trimmed. */
export function normalizeTalosVersion(tag: string): string {
  const t = tag.trim();
  return parseTalosVersion(t) && !t.startsWith("v") ? `v${t}` : t;
}

/** `v1.13.9` → `"1.13"`; null when it is not a version. */
export function talosMinor(version: string): string | null {
  const v = parseTalosVersion(version);
  return v ? `${v.major}.${v.minor}` : null;
}

/**
 * True when `version` is at least major.minor. Pre-releases of that minor count: Talos gates
 * features by minor, and its pre-releases already have them.
 */
export function atLeastMinor(version: string, major: number, minor: number): boolean {
  const v = parseTalosVersion(version);
  if (!v) return false;
  return v.major > major || (v.major === major && v.minor >= minor);
}
