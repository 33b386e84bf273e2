/**
 * Talos version arithmetic for the simulator (talos-api.md §10): which APIs a node version has,
 * which Kubernetes versions it supports, and which versions it can be upgraded from.
 */

export interface TalosVersion {
  major: number;
  minor: number;
  patch: number;
  /** Pre-release suffix without the dash ("rc.1"), or "" for a release. */
  pre: string;
}

const TAG = /^v?(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z.-]+))?$/;

/** Parses "v1.14.0-rc.1" (the "v" is optional); null when it is not a version. */
export function parseTalosVersion(tag: string): TalosVersion | null {
  const m = TAG.exec(tag.trim());
  if (!m) return null;
  return { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3]), pre: m[4] ?? "" };
}

export function parseTalosVersionOrThrow(tag: string): TalosVersion {
  const v = parseTalosVersion(tag);
  if (!v) throw new Error(`invalid Talos version ${JSON.stringify(tag)} (expected vX.Y.Z)`);
  return v;
}

/** Semver order; a pre-release sorts before its release. */
export function compareVersions(a: TalosVersion, b: TalosVersion): number {
  if (a.major !== b.major) return a.major - b.major;
  if (a.minor !== b.minor) return a.minor - b.minor;
  if (a.patch !== b.patch) return a.patch - b.patch;
  if (a.pre === b.pre) return 0;
  if (a.pre === "") return 1;
  if (b.pre === "") return -1;
  return a.pre < b.pre ? -1 : 1;
}

/** True when `tag` is at least major.minor (pre-releases of that minor count, as Talos gates features by minor). */
export function atLeastMinor(tag: string, major: number, minor: number): boolean {
  const v = parseTalosVersion(tag);
  if (!v) return false;
  return v.major > major || (v.major === major && v.minor >= minor);
}

/** LifecycleService and ImageService exist from 1.13. */
export const hasLifecycleService = (tag: string) => atLeastMinor(tag, 1, 13);
/** BootIDs.runtime.talos.dev exists from 1.14. */
export const hasBootIdResource = (tag: string) => atLeastMinor(tag, 1, 14);
/** From 1.14, ApplyConfiguration REBOOT is Unimplemented and AUTO always means NO_REBOOT. */
export const applyAutoIsNoReboot = (tag: string) => atLeastMinor(tag, 1, 14);
/** From 1.12, the MachineConfig yaml_spec is a YAML string scalar (annotation talos.dev/yaml-spec). */
export const yamlSpecIsScalar = (tag: string) => atLeastMinor(tag, 1, 12);

/**
 * Supported Kubernetes minors: 1.12 → 1.30–1.35, 1.13 → 1.31–1.36, 1.14 → 1.32–1.37,
 * 1.15 → 1.33–1.38 (six minors, shifting by one per Talos minor).
 */
export function kubernetesRange(tag: string): { minMinor: number; maxMinor: number } {
  const v = parseTalosVersionOrThrow(tag);
  return { minMinor: v.minor + 18, maxMinor: v.minor + 23 };
}

/** The Kubernetes version a fresh cluster of this Talos version runs (talos-api.md §10 defaults). */
export function defaultKubernetesVersion(tag: string): string {
  const v = parseTalosVersionOrThrow(tag);
  const known: Record<number, string> = { 12: "1.35.2", 13: "1.36.3", 14: "1.37.0", 15: "1.38.0" };
  return known[v.minor] ?? `1.${v.minor + 23}.0`;
}

/** Talos N accepts host upgrades from ≥ N-2.0 (1.14 from 1.12.0, 1.15 from 1.13.0). */
export function minimumUpgradeSource(target: string): string {
  const v = parseTalosVersionOrThrow(target);
  return `v${v.major}.${Math.max(0, v.minor - 2)}.0`;
}

/** Installer image talosctl uses by default for a version (Image Factory from 1.14). */
export const FACTORY_SCHEMATIC = "376567988ad370138ad8b2698212367b8edcb69b5fd68c80be1f2ec7d603b4ba";
export function installerImage(tag: string): string {
  return atLeastMinor(tag, 1, 14)
    ? `factory.talos.dev/metal-installer/${FACTORY_SCHEMATIC}:${tag}`
    : `ghcr.io/siderolabs/installer:${tag}`;
}

/**
 * The Talos version an installer image installs, read from its tag
 * ("ghcr.io/siderolabs/installer:v1.13.9", "factory.talos.dev/…/<schematic>:v1.14.0").
 * Null when there is no tag or it is not a version.
 */
export function versionFromImage(image: string): string | null {
  const ref = image.trim().split("@")[0] ?? "";
  const lastSlash = ref.lastIndexOf("/");
  const colon = ref.lastIndexOf(":");
  if (colon <= lastSlash) return null;
  const tag = ref.slice(colon + 1);
  const v = parseTalosVersion(tag);
  return v ? (tag.startsWith("v") ? tag : `v${tag}`) : null;
}

/** Go version string reported by Version (cosmetic, by minor). */
export function goVersionFor(tag: string): string {
  const v = parseTalosVersion(tag);
  const minor = v?.minor ?? 13;
  return minor >= 14 ? "go1.26.1" : minor === 13 ? "go1.25.3" : "go1.24.9";
}
