/**
 * Talos's upgrade facts: which versions a node may be upgraded from, which API performs the
 * upgrade, and which installer image a version comes in. Shared by the upgrade planner and
 * runner, the upgrade form (the browser builds the default installer image with the same code
 * the server checks) and the simulator. Pure and isomorphic.
 */
import { atLeastMinor, compareTalosVersions, mustParseTalosVersion, normalizeTalosVersion, parseTalosVersion } from "./version";

/**
 * The oldest version a node may run to be upgraded to `target`: Talos N accepts host upgrades from
 * N-2.0 on (1.14 from 1.12.0, 1.15 from 1.13.0; `MinimumHostUpgradeVersion` in
 * pkg/machinery/compatibility/talosNNN). Throws when `target` is not a version.
 */
export function minimumUpgradeSource(target: string): string {
  const v = mustParseTalosVersion(target);
  return `v${v.major}.${Math.max(0, v.minor - 2)}.0`;
}

/** Whether Talos accepts an upgrade from `from` to `target` (downgrades within the window too). */
export function upgradeSupported(from: string, target: string): boolean {
  return compareTalosVersions(from, minimumUpgradeSource(target)) >= 0;
}

/** The last version that only has the legacy `MachineService/Upgrade`. */
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

/** The Image Factory schematic with no extensions. */
export const DEFAULT_SCHEMATIC = "376567988ad370138ad8b2698212367b8edcb69b5fd68c80be1f2ec7d603b4ba";

/** Installers come from the Image Factory from 1.14 on; ghcr.io stopped publishing them. */
export function usesImageFactory(version: string): boolean {
  return atLeastMinor(version, 1, 14);
}

/**
 * The installer image talosctl would use for a version: `factory.talos.dev/<platform>-installer/
 * <schematic>:vX.Y.Z` from 1.14, `ghcr.io/siderolabs/installer:vX.Y.Z` before.
 */
export function installerImage(version: string, opts: { platform?: string; schematic?: string } = {}): string {
  const tag = normalizeTalosVersion(version);
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
  // An image tag cannot hold "+", so a tag is a full version or nothing.
  const v = parseTalosVersion(tag);
  return v?.hasPatch ? normalizeTalosVersion(tag) : null;
}

/** Versions the upgrade form suggests, newest first (any other tag can be typed). */
export const SUGGESTED_VERSIONS = ["v1.14.0", "v1.14.0-rc.1", "v1.13.9", "v1.12.11"] as const;
