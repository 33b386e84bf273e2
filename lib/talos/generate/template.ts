/**
 * Per-node configs for the simulator's fleets: the generator's output for a role, with the
 * node's address as one more `--additional-sans` value, rendered by substitution so 1,000 nodes
 * share one template per (role, version) instead of 1,000 generator runs.
 *
 * The substitution is exact: an IP address or hostname is written plain by Go's encoder, like
 * the placeholder, so a rendered node equals `generateMachineConfig` run with its address
 * (checked for every contract in generate.test.ts).
 */
import { generateMachineConfig, type GenerateInput, type MachineRole } from "./index";

export const ADDRESS_PLACEHOLDER = "__SIM_NODE_ADDRESS__";

/** The role's config with a placeholder SAN where each node's address goes. */
export function buildConfigTemplate(input: GenerateInput, role: MachineRole): string {
  return generateMachineConfig({ ...input, additionalSans: [...(input.additionalSans ?? []), ADDRESS_PLACEHOLDER] }, role);
}

/** One node's config from a template: its address in machine.certSANs (and the API server's SANs). */
export function renderNodeConfig(template: string, node: { address: string }): string {
  return template.replaceAll(ADDRESS_PLACEHOLDER, node.address);
}
