import "server-only";

/**
 * Talos version tags (`v1.13.0-alpha.2`, `1.12.11`, `v1.14.0-rc.1`, `v1.13.0-alpha.2-15-gabc1234`)
 * compared with semver precedence. Pure functions; no I/O.
 */
export interface TalosVersion {
  major: number;
  minor: number;
  patch: number;
  /** Pre-release identifiers (`["alpha", 2]`), empty for a release. */
  prerelease: (string | number)[];
  /** Commits after the tag, from a `git describe` suffix (`-15-gabc1234`); 0 for a tag. */
  commits: number;
  raw: string;
}

const VERSION_RE = /^v?(\d+)\.(\d+)(?:\.(\d+))?(?:-([0-9A-Za-z.-]+))?$/;
const DESCRIBE_RE = /-(\d+)-g[0-9a-f]{7,40}$/;

/** Parses a Talos version tag; `undefined` when it is not one. */
export function parseTalosVersion(input: string): TalosVersion | undefined {
  const raw = input.trim();
  let rest = raw.replace(/\+[0-9A-Za-z.-]+$/, "").replace(/-dirty$/, "");
  const describe = DESCRIBE_RE.exec(rest);
  if (describe) rest = rest.slice(0, describe.index);
  const m = VERSION_RE.exec(rest);
  if (!m) return undefined;
  const prerelease = m[4]
    ? m[4].split(".").map((p) => (/^\d+$/.test(p) ? Number(p) : p))
    : [];
  return {
    major: Number(m[1]),
    minor: Number(m[2]),
    patch: Number(m[3] ?? 0),
    prerelease,
    commits: Number(describe?.[1] ?? 0),
    raw,
  };
}

function comparePrerelease(a: (string | number)[], b: (string | number)[]): number {
  // A release is newer than any of its pre-releases.
  if (a.length === 0 && b.length === 0) return 0;
  if (a.length === 0) return 1;
  if (b.length === 0) return -1;
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

/** -1, 0 or 1 as `a` is older than, the same as, or newer than `b`. Throws on an unparsable tag. */
export function compareTalosVersions(a: string | TalosVersion, b: string | TalosVersion): number {
  const x = typeof a === "string" ? mustParse(a) : a;
  const y = typeof b === "string" ? mustParse(b) : b;
  for (const k of ["major", "minor", "patch"] as const) {
    if (x[k] !== y[k]) return x[k] < y[k] ? -1 : 1;
  }
  const pre = comparePrerelease(x.prerelease, y.prerelease);
  if (pre !== 0) return pre;
  if (x.commits !== y.commits) return x.commits < y.commits ? -1 : 1;
  return 0;
}

function mustParse(v: string): TalosVersion {
  const parsed = parseTalosVersion(v);
  if (!parsed) throw new Error(`not a Talos version: ${JSON.stringify(v)}`);
  return parsed;
}

/** The last version that only has the legacy `MachineService/Upgrade` (talosctl's cmd/talosctl/cmd/talos/upgrade.go falls back to it up to this tag). */
export const LIFECYCLE_UPGRADE_AFTER = "v1.13.0-alpha.2";

export type UpgradePath = "lifecycle" | "legacy";

/**
 * Which upgrade API a node speaks: nodes newer than `v1.13.0-alpha.2` take ImageService/Pull →
 * LifecycleService/Upgrade → Reboot; older nodes (and unparsable versions, since every version up
 * to 1.17 still serves it) take the legacy `MachineService/Upgrade`.
 */
export function upgradePathFor(nodeVersion: string): UpgradePath {
  const v = parseTalosVersion(nodeVersion);
  if (!v) return "legacy";
  return compareTalosVersions(v, LIFECYCLE_UPGRADE_AFTER) > 0 ? "lifecycle" : "legacy";
}

/** `v1.13.9` → `"1.13"`; undefined when unparsable. */
export function talosMinor(version: string): string | undefined {
  const v = parseTalosVersion(version);
  return v ? `${v.major}.${v.minor}` : undefined;
}
