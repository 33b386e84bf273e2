import { z } from "zod";

import { NODE_ROLES, NODE_STAGES, PROBLEM_KINDS } from "@/lib/schemas/values";
import { clusterKubernetesSchema, nodeKubernetesSchema } from "@/lib/schemas/kubernetes";
import { clusterUpgradeProgressSchema } from "@/lib/schemas/upgrades";

/** A cluster as Minos knows it: one talosconfig context. */
export const clusterSchema = z.object({
  name: z.string(),
  endpoints: z.array(z.string()),
  nodes: z.array(z.string()),
  /** The client certificate's Talos roles (its Subject Organization values). */
  roles: z.array(z.string()),
  /** When the talosconfig client certificate expires; Talos never renews it. */
  credentialsNotAfter: z.iso.datetime(),
  /** Where the context came from: the talosconfig file, or a talosconfig uploaded in the UI. */
  source: z.enum(["file", "upload"]).default("file"),
  /** The upload's id (DELETE /api/clusters/talosconfig/:id), for uploaded clusters. */
  uploadId: z.string().optional(),
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

/** The largest talosconfig the upload route takes (a real one is a few KiB). */
export const MAX_TALOSCONFIG_BYTES = 256 * 1024;

/** POST /api/clusters/talosconfig */
export const uploadTalosconfigBodySchema = z.object({
  talosconfig: z
    .string()
    .min(1, "The talosconfig is empty")
    .refine((s) => new TextEncoder().encode(s).byteLength <= MAX_TALOSCONFIG_BYTES, "The talosconfig is larger than 256 KiB"),
  label: z.string().trim().max(100).optional(),
});
export type UploadTalosconfigBody = z.infer<typeof uploadTalosconfigBodySchema>;

/** POST /api/clusters/talosconfig → the stored upload and the clusters it added. */
export const uploadTalosconfigResponseSchema = z.object({
  upload: z.object({ id: z.string(), name: z.string(), contexts: z.array(z.string()), uploadedAt: z.iso.datetime(), uploadedBy: z.string() }),
  clusters: z.array(clusterSchema),
});
export type UploadTalosconfigResponse = z.infer<typeof uploadTalosconfigResponseSchema>;

/** DELETE /api/clusters/talosconfig/:id → the removed upload's cluster names. */
export const removeUploadResponseSchema = z.object({ id: z.string(), removed: z.array(z.string()) });
export type RemoveUploadResponse = z.infer<typeof removeUploadResponseSchema>;

// ---------------------------------------------------------------------------------------------
// Fleet health: what the poller's snapshot serves (GET /api/nodes, /api/nodes/:node, SSE).

export const nodeStageSchema = z.enum(NODE_STAGES);
export type NodeStage = z.infer<typeof nodeStageSchema>;

export const nodeRoleSchema = z.enum(NODE_ROLES);
export type NodeRole = z.infer<typeof nodeRoleSchema>;

/** What the health model flags on a node (the kinds are explained in values.ts). */
export const problemKindSchema = z.enum(PROBLEM_KINDS);
export type ProblemKind = z.infer<typeof problemKindSchema>;

export const problemSchema = z.object({
  kind: problemKindSchema,
  /** `critical` for down/etcd/failed services, `warning` for the rest. */
  severity: z.enum(["critical", "warning"]),
  /** One human sentence, e.g. "Service kubelet is failing: …". */
  message: z.string(),
});
export type Problem = z.infer<typeof problemSchema>;

/** The last error a poll of the node hit (the AppError code, e.g. node_unreachable). */
export const nodeErrorSchema = z.object({ code: z.string(), message: z.string() });
export type NodeError = z.infer<typeof nodeErrorSchema>;

/** One node's health, as the poller last saw it. Unknown values are null, never missing. */
export const nodeSummarySchema = z.object({
  /** `address@cluster`; the `:node` of /api/nodes/:node. */
  id: z.string(),
  cluster: z.string(),
  address: z.string(),
  /** From the talosconfig context's `nodes`, or discovered (COSI Members, etcd member list). */
  source: z.enum(["talosconfig", "discovered"]),
  hostname: z.string().nullable(),
  role: nodeRoleSchema,
  /** The last poll reached the node (any answer, even a partial or forbidden one). */
  reachable: z.boolean(),
  stage: nodeStageSchema,
  /** MachineStatus `ready`: the stage is running and every condition is met. */
  ready: z.boolean(),
  unmetConditions: z.array(z.object({ name: z.string(), reason: z.string() })),
  talosVersion: z.string().nullable(),
  /** The node's kubelet version (from Kubernetes), e.g. "v1.34.1"; null when unknown. */
  kubernetesVersion: z.string().nullable().optional(),
  /** IDs of services that are failed or report unhealthy. */
  failingServices: z.array(z.string()),
  /** The last time the node answered; null if it never has. */
  lastSeen: z.iso.datetime().nullable(),
  lastError: nodeErrorSchema.nullable(),
  bootId: z.string().nullable(),
  memory: z.object({ totalKb: z.number(), availableKb: z.number() }).nullable(),
  load1: z.number().nullable(),
  problems: z.array(problemSchema),
  /** What Kubernetes says about the node; always sent by this server (optional for older snapshots and fixtures). */
  kubernetes: nodeKubernetesSchema.optional(),
});
export type NodeSummary = z.infer<typeof nodeSummarySchema>;

export const etcdQuorumSchema = z.enum(["ok", "degraded", "lost"]);
export type EtcdQuorum = z.infer<typeof etcdQuorumSchema>;

/** One cluster's roll-up. */
export const clusterHealthSchema = z.object({
  name: z.string(),
  /**
   * `healthy`: every node healthy and etcd quorum ok; `degraded`: some problem but etcd has
   * quorum; `critical`: etcd quorum lost or no node reachable; `unknown`: not polled yet.
   */
  status: z.enum(["healthy", "degraded", "critical", "unknown"]),
  nodes: z.object({
    total: z.number().int(),
    /** Reachable, ready and without critical problems. */
    healthy: z.number().int(),
    unreachable: z.number().int(),
  }),
  /** null when no control plane answered with etcd data (e.g. all down, or forbidden). */
  etcd: z
    .object({
      /** Voting members (learners excluded: they don't count towards quorum). */
      members: z.number().int(),
      healthy: z.number().int(),
      /** How many more members can fail before quorum is lost (never negative). */
      canTolerate: z.number().int(),
      /** The leader's hostname, or its member ID in hex when the hostname is unknown. */
      leader: z.string().nullable(),
      quorum: etcdQuorumSchema,
    })
    .nullable(),
  /** Talos version → number of nodes running it (nodes of unknown version are left out). */
  versions: z.record(z.string(), z.number().int()),
  /** The upgrade in progress (running, paused or cancelling), if any. */
  upgrade: clusterUpgradeProgressSchema.nullable(),
  /** Whether Kubernetes can be asked, its version and kubelet skew; always sent by this server (optional for fixtures). */
  kubernetes: clusterKubernetesSchema.optional(),
});
export type ClusterHealth = z.infer<typeof clusterHealthSchema>;

/** GET /api/nodes[?cluster=] */
export const nodesResponseSchema = z.object({
  nodes: z.array(nodeSummarySchema),
  clusters: z.array(clusterHealthSchema),
  /** When the snapshot last changed; null before the first poll finished. */
  updatedAt: z.iso.datetime().nullable(),
});
export type NodesResponse = z.infer<typeof nodesResponseSchema>;

export const serviceHealthSchema = z.object({
  id: z.string(),
  /** Talos's service state, e.g. Running, Waiting, Finished, Failed. */
  state: z.string(),
  /** null when the service has no health check (or hasn't reported yet). */
  healthy: z.boolean().nullable(),
  message: z.string(),
  lastChange: z.iso.datetime().nullable(),
});
export type ServiceHealth = z.infer<typeof serviceHealthSchema>;

export const historyPointSchema = z.object({
  t: z.iso.datetime(),
  memAvailableKb: z.number().nullable(),
  load1: z.number().nullable(),
});
export type HistoryPoint = z.infer<typeof historyPointSchema>;

export const stageEventSchema = z.object({
  time: z.iso.datetime(),
  stage: nodeStageSchema,
  ready: z.boolean().optional(),
});
export type StageEvent = z.infer<typeof stageEventSchema>;

/** GET /api/nodes/:node */
export const nodeDetailSchema = z.object({
  summary: nodeSummarySchema,
  services: z.array(serviceHealthSchema),
  /** This node's etcd member; null on workers and when etcd couldn't be read. */
  etcd: z
    .object({
      memberId: z.string(),
      isLeader: z.boolean(),
      isLearner: z.boolean(),
      dbSize: z.number(),
    })
    .nullable(),
  /** Memory and load samples, oldest first, one per poll, the last 30 minutes at most. */
  history: z.array(historyPointSchema),
  /** Stage changes from the node's Events stream (and polls), oldest first, the last 50. */
  stageEvents: z.array(stageEventSchema),
});
export type NodeDetail = z.infer<typeof nodeDetailSchema>;

/**
 * One Server-Sent Event on GET /api/events (the SSE `event:` name is the `type`, `data:` is this
 * JSON). `snapshot` comes first on every connection, the whole fleet; `nodes` then carries only
 * the nodes that changed since the previous event (replace them by id; `removed` ids go away)
 * with every cluster's roll-up (they are few and cheap). Clients should ignore unknown types:
 * upgrades (issue 7) add their own.
 */
export const fleetEventSchema = z.discriminatedUnion("type", [
  z.object({
    type: z.literal("snapshot"),
    nodes: z.array(nodeSummarySchema),
    clusters: z.array(clusterHealthSchema),
    updatedAt: z.iso.datetime().nullable(),
  }),
  z.object({
    type: z.literal("nodes"),
    nodes: z.array(nodeSummarySchema),
    removed: z.array(z.string()),
    clusters: z.array(clusterHealthSchema),
    updatedAt: z.iso.datetime(),
  }),
]);
export type FleetEvent = z.infer<typeof fleetEventSchema>;

/** GET /api/sim (only when MINOS_SIM=1): where e2e tests inject simulator faults. */
export const simInfoSchema = z.object({ controlUrl: z.string().nullable() });
export type SimInfo = z.infer<typeof simInfoSchema>;
