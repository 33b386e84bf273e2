/**
 * Per-node configs for the simulator's fleets: `talosctl gen config`'s output for a role and
 * version contract, plus what every real fleet adds per node: the node's address as one more
 * `--additional-sans` value, and its hostname as the per-node patch sets it (HostnameConfig's
 * `hostname` in place of `auto: stable` from 1.12, machine.network.hostname before). Rendered by
 * substitution, so 1,000 nodes share one template per (role, version) instead of 1,000
 * generator runs.
 *
 * The substitution is exact: an IP address or a hostname is written plain by Go's encoder, like
 * the placeholders (checked for every contract in generate.test.ts).
 */
import { encodeGoYamlDocuments, type GoYamlValue } from "./yaml";
import { generateDocuments, type GenerateInput, type MachineRole } from "./index";

export const ADDRESS_PLACEHOLDER = "__SIM_NODE_ADDRESS__";
export const HOSTNAME_PLACEHOLDER = "__SIM_NODE_HOSTNAME__";

type Doc = Record<string, GoYamlValue | undefined>;

/** The role's config with placeholders where each node's address and hostname go. */
export function buildConfigTemplate(input: GenerateInput, role: MachineRole): string {
  const docs = generateDocuments({ ...input, additionalSans: [...(input.additionalSans ?? []), ADDRESS_PLACEHOLDER] }, role) as Doc[];
  const hostnameDoc = docs.findIndex((d) => d.kind === "HostnameConfig");
  if (hostnameDoc >= 0) {
    // network/hostname.go: `auto` and `hostname` exclude each other; fields apiVersion, kind, auto, hostname.
    docs[hostnameDoc] = { apiVersion: "v1alpha1", kind: "HostnameConfig", hostname: HOSTNAME_PLACEHOLDER };
  } else {
    const machine = docs[0]!.machine as Doc;
    // v1alpha1 NetworkConfig: hostname is its first field.
    machine.network = { hostname: HOSTNAME_PLACEHOLDER, ...((machine.network as Doc | undefined) ?? {}) };
  }
  return encodeGoYamlDocuments(docs);
}

/** One node's config from a template. */
export function renderNodeConfig(template: string, node: { address: string; hostname: string }): string {
  return template.replaceAll(ADDRESS_PLACEHOLDER, node.address).replaceAll(HOSTNAME_PLACEHOLDER, node.hostname);
}
