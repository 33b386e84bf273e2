import { z } from "zod";

/** A cluster as Minos knows it: one talosconfig context. */
export const clusterSchema = z.object({
  name: z.string(),
  endpoints: z.array(z.string()),
  nodes: z.array(z.string()),
  /** The client certificate's Talos roles (its Subject Organization values). */
  roles: z.array(z.string()),
  /** When the talosconfig client certificate expires; Talos never renews it. */
  credentialsNotAfter: z.iso.datetime(),
});
export type Cluster = z.infer<typeof clusterSchema>;

export const clustersResponseSchema = z.object({
  clusters: z.array(clusterSchema),
  /** Where the credentials came from, and whether it is the built-in simulated fleet. */
  source: z.object({
    path: z.string().nullable(),
    simulated: z.boolean(),
  }),
  /** Set when the talosconfig could not be read; the clusters list is then empty. */
  error: z.string().optional(),
});
export type ClustersResponse = z.infer<typeof clustersResponseSchema>;
