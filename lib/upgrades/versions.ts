/**
 * Talos version facts the upgrade planner and the upgrade form share. Pure and
 * isomorphic: the browser builds the default installer image with the same code the server checks.
 */

export interface ParsedVersion {
  major: number;
  minor: number;
  patch: number;
  /** Pre-release suffix without the dash ("rc.1"), or "" for a release. */
  pre: string;
}

const TAG = /^v?(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z.-]+))?$/;

/** Parses "v1.14.0" or "1.14.0-rc.1"; null when it is not a Talos version. */
export function parseVersion(tag: string): ParsedVersion | null {
  const m = TAG.exec(tag.trim());
  if (!m) return null;
  return { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3]), pre: m[4] ?? "" };
}

/** "1.14.0" → "v1.14.0"; unparsable input is returned trimmed. */
export function normalizeVersion(tag: string): string {
  const t = tag.trim();
  return parseVersion(t) && !t.startsWith("v") ? `v${t}` : t;
}

function comparePre(a: string, b: string): number {
  if (a === b) return 0;
  if (a === "") return 1;
  if (b === "") return -1;
  const x = a.split(".");
  const y = b.split(".");
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const p = x[i];
    const q = y[i];
    if (p === undefined) return -1;
    if (q === undefined) return 1;
    if (p === q) continue;
    const pn = /^\d+$/.test(p);
    const qn = /^\d+$/.test(q);
    if (pn && qn) return Number(p) < Number(q) ? -1 : 1;
    if (pn) return -1;
    if (qn) return 1;
    return p < q ? -1 : 1;
  }
  return 0;
}

/** Semver order (-1, 0, 1); a pre-release sorts before its release. Throws on an unparsable tag. */
export function compareVersions(a: string, b: string): number {
  const x = parseVersion(a);
  const y = parseVersion(b);
  if (!x || !y) throw new Error(`not a Talos version: ${JSON.stringify(x ? b : a)}`);
  for (const k of ["major", "minor", "patch"] as const) if (x[k] !== y[k]) return x[k] < y[k] ? -1 : 1;
  return comparePre(x.pre, y.pre);
}

/** Same version, ignoring a missing "v". */
export function sameVersion(a: string, b: string): boolean {
  return parseVersion(a) !== null && parseVersion(b) !== null && compareVersions(a, b) === 0;
}

/**
 * The oldest version a node may run to be upgraded to `target`: Talos N accepts host upgrades from
 * N-2.0 on (1.14 from 1.12.0, 1.15 from 1.13.0; `MinimumHostUpgradeVersion`).
 */
export function minimumUpgradeSource(target: string): string {
  const v = parseVersion(target);
  if (!v) throw new Error(`not a Talos version: ${JSON.stringify(target)}`);
  return `v${v.major}.${Math.max(0, v.minor - 2)}.0`;
}

/** Whether Talos accepts an upgrade from `from` to `target` (downgrades within the window too). */
export function upgradeSupported(from: string, target: string): boolean {
  return compareVersions(from, minimumUpgradeSource(target)) >= 0;
}

/** The Image Factory schematic with no extensions (factory.talos.dev's default schematic). */
export const DEFAULT_SCHEMATIC = "376567988ad370138ad8b2698212367b8edcb69b5fd68c80be1f2ec7d603b4ba";

/** Installers come from the Image Factory from 1.14 on; ghcr.io stopped publishing them. */
export function usesImageFactory(version: string): boolean {
  const v = parseVersion(version);
  return v !== null && (v.major > 1 || (v.major === 1 && v.minor >= 14));
}

/**
 * The installer image talosctl would use for a version: `factory.talos.dev/<platform>-installer/
 * <schematic>:vX.Y.Z` from 1.14, `ghcr.io/siderolabs/installer:vX.Y.Z` before.
 */
export function installerImage(version: string, opts: { platform?: string; schematic?: string } = {}): string {
  const tag = normalizeVersion(version);
  if (!usesImageFactory(tag)) return `ghcr.io/siderolabs/installer:${tag}`;
  return `factory.talos.dev/${opts.platform ?? "metal"}-installer/${opts.schematic ?? DEFAULT_SCHEMATIC}:${tag}`;
}

/**
 * The Talos version an installer image installs, read from its tag (what Talos and the simulator
 * do); null when the image has no version tag.
 */
export function versionFromImage(image: string): string | null {
  const ref = image.trim().split("@")[0] ?? "";
  const colon = ref.lastIndexOf(":");
  if (colon <= ref.lastIndexOf("/")) return null;
  const tag = ref.slice(colon + 1);
  return parseVersion(tag) ? normalizeVersion(tag) : null;
}

/** Versions the form suggests, newest first (any other tag can be typed). */
export const SUGGESTED_VERSIONS = ["v1.14.0", "v1.14.0-rc.1", "v1.13.9", "v1.12.11"] as const;
