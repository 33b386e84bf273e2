import { TALOS_MINORS, type TalosMinor } from "@/lib/config/types";
import { compareTalosVersions, talosMinor } from "@/lib/talos/version";

const OLDEST: TalosMinor = TALOS_MINORS[0];
const NEWEST: TalosMinor = TALOS_MINORS[TALOS_MINORS.length - 1] ?? OLDEST;

/** Index of a minor in TALOS_MINORS, for ordering. */
export function minorIndex(m: TalosMinor): number {
  return TALOS_MINORS.indexOf(m);
}

/** a < b */
export function minorBefore(a: TalosMinor, b: TalosMinor): boolean {
  return minorIndex(a) < minorIndex(b);
}

/**
 * "v1.13.9" | "1.13" | "v1.14.0-rc.1" → "1.13"; older than 1.10 → "1.10"; newer than 1.14 →
 * "1.14"; anything that is not a version → null.
 */
export function toTalosMinor(version: string): TalosMinor | null {
  const minor = talosMinor(version);
  if (minor === null) return null;
  if (compareTalosVersions(minor, OLDEST) < 0) return OLDEST;
  if (compareTalosVersions(minor, NEWEST) > 0) return NEWEST;
  return TALOS_MINORS.find((m) => m === minor) ?? null;
}
