/**
 * What a Talos version has: the APIs, resources and behaviours that appeared or changed at a
 * given minor, and the Kubernetes versions it runs. Minos decides with these which calls to make
 * and which choices to offer; the simulator decides with the same ones how to behave, so the two
 * cannot drift apart. Pure and isomorphic.
 */
import { TALOS_KUBERNETES_SUPPORT } from "./kubernetes";
import { atLeastMinor, mustParseTalosVersion } from "./version";

/** LifecycleService and ImageService exist from 1.13. */
export const hasLifecycleService = (version: string) => atLeastMinor(version, 1, 13);

/** BootIDs.runtime.talos.dev exists from 1.14. */
export const hasBootIdResource = (version: string) => atLeastMinor(version, 1, 14);

/**
 * From 1.14, ApplyConfiguration's REBOOT mode is Unimplemented outside maintenance and AUTO
 * always means NO_REBOOT. False for a string that is not a version: older nodes are the ones
 * that report odd versions, and they still take REBOOT.
 */
export const rebootModeRemoved = (version: string) => atLeastMinor(version, 1, 14);

/** From 1.12, the MachineConfig yaml_spec is a YAML string scalar (annotation talos.dev/yaml-spec). */
export const yamlSpecIsScalar = (version: string) => atLeastMinor(version, 1, 12);

/**
 * Supported Kubernetes minors of a Talos version: Talos's own table (`TALOS_KUBERNETES_SUPPORT`
 * in ./kubernetes, from pkg/machinery/compatibility/talosNNN) where it has the minor, else six
 * minors shifting by one per Talos minor, as the table does from 1.12 on. Throws when `version`
 * is not a version.
 */
export function kubernetesRange(version: string): { minMinor: number; maxMinor: number } {
  const v = mustParseTalosVersion(version);
  const known = TALOS_KUBERNETES_SUPPORT[`${v.major}.${v.minor}`];
  if (known) return { minMinor: Number(known.min.split(".")[1]), maxMinor: Number(known.max.split(".")[1]) };
  return { minMinor: v.minor + 18, maxMinor: v.minor + 23 };
}

/** The Kubernetes version a fresh cluster of this Talos version runs (`constants.DefaultKubernetesVersion`). */
export function defaultKubernetesVersion(version: string): string {
  const v = mustParseTalosVersion(version);
  const known: Record<number, string> = { 12: "1.35.2", 13: "1.36.3", 14: "1.37.0", 15: "1.38.0" };
  return known[v.minor] ?? `1.${v.minor + 23}.0`;
}
