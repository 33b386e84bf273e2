import { TALOS_MINORS, type TalosMinor } from "@/lib/config/types";
import { parseTalosVersion } from "@/lib/talos/version";

const OLDEST: TalosMinor = TALOS_MINORS[0];
const NEWEST: TalosMinor = TALOS_MINORS[TALOS_MINORS.length - 1] ?? OLDEST;

/** "1.13" → 113, for ordering minors. */
const rank = (major: number, minor: number) => major * 1000 + minor;
const rankOf = (m: TalosMinor) => {
  const [major = 0, minor = 0] = m.split(".").map(Number);
  return rank(major, minor);
};

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
  const v = parseTalosVersion(version);
  if (!v) return null;
  const r = rank(v.major, v.minor);
  if (r < rankOf(OLDEST)) return OLDEST;
  if (r > rankOf(NEWEST)) return NEWEST;
  return TALOS_MINORS.find((v) => rankOf(v) === r) ?? null;
}
