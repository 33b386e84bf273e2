import { compareTalosVersions } from "@/lib/talos/version";

/** Orders two Talos minors ("1.9" < "1.10") by Talos's version order. */
export function compareMinor(a: string, b: string): number {
  return compareTalosVersions(a, b);
}
