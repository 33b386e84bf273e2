/**
 * The cluster manifest (docs/manifest.md): one YAML file per cluster, no secrets in it. The
 * cluster's inputs to `talosctl gen config`, an ordered list of Talos patches with selectors,
 * and the nodes. Rendering a node = gen config for its role with the cluster's secrets bundle and
 * the node's hostname written in, then every patch whose selector matches it (in order), then
 * the node's own patch (so a patch may still change the hostname). The keys `cluster`, `generate`, `patches` and `nodes` are the contract the API, the
 * CLI and scripts rely on. Isomorphic: the editor, the API and the CLI share it.
 */
import { z } from "zod";

import { labelsSchema, machineRoleSchema, nodeSelectorSchema, SELECTOR_LIMITS } from "@/lib/schemas/selector";
import { isTalosTag } from "@/lib/talos/version";

/** The format's version; a manifest without one is version 1. */
export const MANIFEST_VERSION = 1;

/** Bounds: every loop over patches × nodes stays linear in what these allow. */
export const MANIFEST_LIMITS = {
  nodes: 2000,
  patches: 200,
  /** One patch's text (a node's or a shared one). */
  patchBytes: 256 * 1024,
  /** A hostname glob: `*` and `?` only, matched without a regex. */
  globLength: SELECTOR_LIMITS.globLength,
  labels: SELECTOR_LIMITS.labels,
  /** Patch text applied, summed over nodes (nodes × their selected patches' bytes, own patches included). */
  patchingBytes: 64 * 1024 * 1024,
} as const;

const TALOS_MINOR_OR_TAG = /^v?1\.\d{1,3}(\.\d{1,4}(-[0-9A-Za-z.-]{1,64})?)?$/;

/** `v1.13.9`, `1.13.9` or `v1.13`: the config contract is the version's minor. */
export const talosVersionSchema = z
  .string()
  .max(80)
  .refine((v) => TALOS_MINOR_OR_TAG.test(v) || isTalosTag(v), "must be a Talos version like v1.13.9")
  .describe("The Talos version the configs are generated for (the config contract: its minor, 1.10–1.14).");

export const kubernetesVersionSchema = z
  .string()
  .regex(/^v?1\.\d{1,3}\.\d{1,4}(-[0-9A-Za-z.-]{1,64})?$/, "must be a Kubernetes version like v1.33.2")
  .describe("The Kubernetes version of the control plane and kubelet images (gen config's --kubernetes-version).");

/** The manifest's labels and roles are the shared selector grammar's (lib/schemas/selector.ts). */
export { labelsSchema, machineRoleSchema as roleSchema };

const patchText = z
  .string()
  .max(MANIFEST_LIMITS.patchBytes, `a patch is at most ${MANIFEST_LIMITS.patchBytes / 1024} KiB`)
  .describe("A Talos patch: strategic merge (one or more YAML documents) or an RFC 6902 JSON patch (a list of operations).");

/**
 * Which nodes a patch applies to: every condition given must hold; none (or no selector) is every
 * node. Minos's one selector grammar without `cluster` (a manifest is one cluster) and
 * `talosVersion` (a render must not depend on what a node runs today).
 */
export const selectorSchema = nodeSelectorSchema
  .pick({ role: true, hostname: true, labels: true })
  .extend({
    nodes: z.array(z.string().min(1).max(253)).min(1).max(MANIFEST_LIMITS.nodes).optional().describe("Nodes by hostname or address."),
    labels: labelsSchema.optional().describe("Every label given must be declared on the node with this value."),
  })
  .describe("Which nodes the patch applies to; every condition given must hold. Omitted or {}: every node.");

export const manifestPatchSchema = z.strictObject({
  name: z.string().min(1).max(120).describe("A unique name: errors and plans refer to the patch by it."),
  selector: selectorSchema.optional(),
  patch: patchText,
});

export const manifestNodeSchema = z.strictObject({
  address: z.string().min(1).max(253).describe("The node's address as the talosconfig reaches it (Minos's node id is <address>@<cluster>)."),
  hostname: z
    .string()
    .min(1)
    .max(253)
    .regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, "must be a lowercase hostname (letters, digits, - and .)")
    .describe("The node's hostname: written into its config (unless setHostname is false) and the name of its rendered file."),
  role: machineRoleSchema,
  labels: labelsSchema.optional(),
  setHostname: z
    .boolean()
    .optional()
    .describe("Write the hostname into the config (default true). false: keep what generation writes (auto hostnames, DHCP)."),
  patch: patchText.optional().describe("The node's own patch, applied after every shared one."),
});

/** Userinfo in an endpoint (`https://user:pw@mirror`): before the first `/`, `?` or `#` of the authority. */
const USERINFO = /^(?:[A-Za-z][A-Za-z0-9+.-]*:\/\/)?[^/?#]*@/;

// The manifest holds no secrets: only patch strings are redacted as configs are.
const mirrorEndpoint = z
  .string()
  .min(1)
  .max(2048)
  .refine((e) => !USERINFO.test(e), "credentials go in a patch (RegistryAuthConfig / machine.registries.config), not in generate.registryMirrors");

export const generateSchema = z
  .strictObject({
    additionalSans: z.array(z.string().min(1).max(253)).max(100).optional().describe("--additional-sans: machine.certSANs and the API server's extra SANs."),
    dnsDomain: z.string().min(1).max(253).optional().describe("--dns-domain (default cluster.local)."),
    installDisk: z.string().max(253).optional().describe('--install-disk (default /dev/sda; "" for none).'),
    installImage: z.string().max(512).optional().describe('--install-image (default: the installer of the contract\'s newest release; "" for none).'),
    registryMirrors: z
      .record(z.string().min(1).max(253), z.array(mirrorEndpoint).min(1).max(20))
      .optional()
      .describe("--registry-mirror host=endpoint, per host in order."),
    discovery: z.boolean().optional().describe("--with-cluster-discovery (default true)."),
    kubeSpan: z.boolean().optional().describe("--with-kubespan (default false)."),
  })
  .describe("The inputs of talosctl gen config.");

export const manifestSchema = z
  .strictObject({
    version: z.literal(MANIFEST_VERSION).optional().describe("The manifest format's version (1)."),
    cluster: z.strictObject({
      name: z.string().min(1).max(63).describe("Talos's cluster name (cluster.clusterName)."),
      endpoint: z
        .string()
        .max(512)
        .regex(/^https:\/\/[^\s/]+$/, "must be https://host:port")
        .describe("The Kubernetes API endpoint, https://host:port (gen config's second argument)."),
      talosVersion: talosVersionSchema,
      kubernetesVersion: kubernetesVersionSchema,
    }),
    generate: generateSchema.optional(),
    patches: z.array(manifestPatchSchema).max(MANIFEST_LIMITS.patches).optional(),
    nodes: z.array(manifestNodeSchema).min(1, "a manifest names at least one node").max(MANIFEST_LIMITS.nodes),
  })
  .describe("A Minos cluster manifest: how every node's Talos machine config is generated and patched.");

export type Manifest = z.infer<typeof manifestSchema>;
export type ManifestNode = z.infer<typeof manifestNodeSchema>;
export type ManifestPatch = z.infer<typeof manifestPatchSchema>;
export type Selector = z.infer<typeof selectorSchema>;
export type GenerateOptions = z.infer<typeof generateSchema>;
