/**
 * The one node selector grammar Minos speaks: bulk actions, manifest patches and rollout targets
 * all pick nodes with it. Every condition given must hold; `{}` selects every node. Matched by
 * `matchesSelector` (lib/fleet/select.ts). The manifest's patch selector is this grammar without
 * `cluster` (a manifest is one cluster) and `talosVersion` (a render must not depend on what a
 * node runs today): see lib/manifest/schema.ts. Isomorphic.
 */
import { z } from "zod";

import { parseTalosVersion } from "@/lib/talos/version";

export const SELECTOR_LIMITS = {
  /** A hostname glob: `*` and `?` only, matched without a regex, in time linear in the hostname. */
  globLength: 63,
  labels: 64,
  /** Names in `nodes` (bulk and rollouts; the manifest keeps its own node cap). */
  nodes: 5000,
  /** One name: an address or hostname (253), or a node ID `address@cluster`. */
  nodeName: 512,
} as const;

const labelKey = z
  .string()
  .min(1)
  .max(316)
  .regex(/^([a-z0-9]([-a-z0-9.]*[a-z0-9])?\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/, "must be a label key like zone or example.com/zone");
const labelValue = z.string().max(63).regex(/^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$/, "must be a label value (letters, digits, - _ .)");
export const labelsSchema = z
  .record(labelKey, labelValue)
  .refine((l) => Object.keys(l).length <= SELECTOR_LIMITS.labels, `at most ${SELECTOR_LIMITS.labels} labels`)
  .describe("Labels of Minos's own (not Kubernetes node labels) that patch selectors match.");

export const machineRoleSchema = z.enum(["controlplane", "worker"]).describe("The machine type: controlplane or worker.");

export const hostnameGlobSchema = z
  .string()
  .min(1)
  .max(SELECTOR_LIMITS.globLength)
  .describe("A hostname glob: `*` any run of characters, `?` one.");

/** `v1.13.2` (that version, the "v" optional) or `v1.13` (any patch of the minor). */
export const selectorTalosVersionSchema = z
  .string()
  .trim()
  .max(80)
  .refine((v) => {
    const p = parseTalosVersion(v);
    return p !== null && p.build === "";
  }, "must be a Talos version like v1.13.2, or a minor like v1.13")
  .describe("The Talos version the node runs: v1.13.2 (that version) or v1.13 (any v1.13.x).");

export const nodeSelectorSchema = z
  .strictObject({
    cluster: z.string().trim().min(1).max(253).optional().describe("The cluster (talosconfig context)."),
    role: machineRoleSchema.optional(),
    nodes: z
      .array(z.string().trim().min(1).max(SELECTOR_LIMITS.nodeName))
      .min(1)
      .max(SELECTOR_LIMITS.nodes)
      .optional()
      .describe("Nodes by ID (address@cluster), address or hostname."),
    hostname: hostnameGlobSchema.optional(),
    labels: labelsSchema.optional().describe("Every label given must be declared on the node (in its cluster manifest) with this value."),
    talosVersion: selectorTalosVersionSchema.optional(),
  })
  .describe("Which nodes; every condition given must hold. {}: every node.");
export type NodeSelector = z.infer<typeof nodeSelectorSchema>;

/** A selector that names its cluster: what a cluster-wide run (bulk, rollout) acts on. */
export const clusterSelectorSchema = nodeSelectorSchema.extend({ cluster: z.string().trim().min(1).max(253).describe("The cluster (talosconfig context).") });
export type ClusterSelector = z.infer<typeof clusterSelectorSchema>;
