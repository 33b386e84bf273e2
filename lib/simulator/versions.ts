/**
 * Talos version arithmetic for the simulator (pkg/machinery/compatibility/talosXY): which APIs a node version has,
 * which Kubernetes versions it supports, and which versions it can be upgraded from.
 */

// Parsing, ordering, the upgrade window and installer images are the same facts Minos's upgrade
// planner uses: one implementation, so the simulator cannot drift from what Minos checks.
import { parseVersion } from "../upgrades/versions";

export { compareVersions, installerImage, minimumUpgradeSource, parseVersion as parseTalosVersion, versionFromImage } from "../upgrades/versions";

export function parseTalosVersionOrThrow(tag: string) {
  const v = parseVersion(tag);
  if (!v) throw new Error(`invalid Talos version ${JSON.stringify(tag)} (expected vX.Y.Z)`);
  return v;
}

/** True when `tag` is at least major.minor (pre-releases of that minor count, as Talos gates features by minor). */
export function atLeastMinor(tag: string, major: number, minor: number): boolean {
  const v = parseVersion(tag);
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

/** Go version string reported by Version (cosmetic, by minor). */
export function goVersionFor(tag: string): string {
  const minor = parseVersion(tag)?.minor ?? 13;
  return minor >= 14 ? "go1.26.1" : minor === 13 ? "go1.25.3" : "go1.24.9";
}
