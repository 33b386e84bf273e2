import { z } from "zod";

/** GET /api/nodes/:node/config – the node's running machine config. */
export const nodeConfigResponseSchema = z.object({
  node: z.string(),
  cluster: z.string(),
  address: z.string(),
  /** The multi-document YAML exactly as the node holds it, secrets replaced unless revealed. */
  yaml: z.string(),
  redacted: z.boolean(),
  /** The node's Talos version tag (e.g. "v1.13.9"), to validate against. */
  talosVersion: z.string().nullable(),
});
export type NodeConfigResponse = z.infer<typeof nodeConfigResponseSchema>;

export const nodeConfigQuerySchema = z.object({
  reveal: z.enum(["0", "1"]).optional().transform((v) => v === "1"),
});

/** GET /api/config/template – a new config for a role, with fresh key material. */
export const configTemplateQuerySchema = z.object({
  role: z.enum(["controlplane", "worker"]).default("controlplane"),
  talosVersion: z.string().regex(/^v?\d+\.\d+(\.\d+)?(-[\w.]+)?$/, "a Talos version such as v1.14.0 or 1.14").optional(),
  clusterName: z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, "a DNS label").max(63).default("my-cluster"),
  endpoint: z.url({ protocol: /^https$/ }).default("https://10.0.0.10:6443"),
});

export const configTemplateResponseSchema = z.object({
  yaml: z.string(),
  role: z.enum(["controlplane", "worker"]),
  talosVersion: z.string(),
});
export type ConfigTemplateResponse = z.infer<typeof configTemplateResponseSchema>;
