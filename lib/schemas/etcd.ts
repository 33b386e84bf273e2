import { z } from "zod";

/**
 * The etcd view of a cluster (`GET /api/clusters/:cluster/etcd`) and the bodies of its actions.
 * Member ids are etcd's uint64, written in decimal as Talos sends them.
 */

export const etcdMemberIdSchema = z.string().regex(/^\d{1,20}$/, "an etcd member id is a decimal number");

export const etcdAlarmSchema = z.enum(["none", "nospace", "corrupt"]);

export const etcdMemberViewSchema = z.object({
  id: etcdMemberIdSchema,
  hostname: z.string(),
  /** The Minos node ID (`address@cluster`) of the member's control plane, when Minos can tell. */
  node: z.string().nullable(),
  address: z.string().nullable(),
  isLearner: z.boolean(),
  leader: z.boolean(),
  /** False when the member's EtcdStatus failed (`error` says why); the numbers are then null. */
  reachable: z.boolean(),
  dbSize: z.number().nullable(),
  dbSizeInUse: z.number().nullable(),
  raftIndex: z.string().nullable(),
  raftTerm: z.string().nullable(),
  /** etcd's own errors for the member (EtcdStatus `errors`). */
  errors: z.array(z.string()),
  alarms: z.array(etcdAlarmSchema.exclude(["none"])),
  error: z.string().optional(),
});
export type EtcdMemberView = z.infer<typeof etcdMemberViewSchema>;

export const quorumStateSchema = z.enum(["healthy", "degraded", "lost", "unknown"]);
export type QuorumState = z.infer<typeof quorumStateSchema>;

export const etcdQuorumSchema = z.object({
  state: quorumStateSchema,
  /** Voting members (learners do not count towards quorum). */
  voters: z.number().int(),
  healthy: z.number().int(),
  /** Members that must be healthy for etcd to accept writes: ⌊voters/2⌋+1. */
  needed: z.number().int(),
  /** How many more members can fail before quorum is lost. */
  tolerates: z.number().int(),
  reason: z.string(),
});
export type EtcdQuorum = z.infer<typeof etcdQuorumSchema>;

export const etcdClusterSchema = z.object({
  cluster: z.string(),
  members: z.array(etcdMemberViewSchema),
  leaderId: etcdMemberIdSchema.nullable(),
  quorum: etcdQuorumSchema,
  /**
   * Control planes Minos knows that are not etcd members (removed, or not joined yet): a removed
   * one must be reset (or its EPHEMERAL partition wiped) before it can join again.
   */
  notMembers: z.array(z.object({ node: z.string(), address: z.string(), hostname: z.string().nullable() })),
  /** The control plane that answered the member list; null when none did (`error` says why). */
  askedNode: z.string().nullable(),
  error: z.string().optional(),
});
export type EtcdCluster = z.infer<typeof etcdClusterSchema>;

/** `POST …/etcd/defragment`: one member, or (no member) every member, followers first and the leader last. */
export const etcdDefragmentBodySchema = z.object({ member: etcdMemberIdSchema.optional() }).strict();
export type EtcdDefragmentBody = z.infer<typeof etcdDefragmentBodySchema>;

export const etcdDefragmentStepSchema = z.object({
  memberId: etcdMemberIdSchema,
  hostname: z.string(),
  leader: z.boolean(),
  state: z.enum(["done", "failed", "skipped"]),
  dbSizeBefore: z.number().nullable(),
  dbSizeAfter: z.number().nullable(),
  error: z.string().optional(),
});
export const etcdDefragmentResultSchema = z.object({ cluster: z.string(), steps: z.array(etcdDefragmentStepSchema) });
export type EtcdDefragmentResult = z.infer<typeof etcdDefragmentResultSchema>;

/** `POST …/etcd/remove-member` and `…/forfeit-leadership` name a member. */
export const etcdMemberBodySchema = z.object({ member: etcdMemberIdSchema }).strict();
export type EtcdMemberBody = z.infer<typeof etcdMemberBodySchema>;

/** `POST …/etcd/snapshot`: from a given member, else from a healthy follower (the leader if it is alone). */
export const etcdSnapshotBodySchema = z.object({ member: etcdMemberIdSchema.optional() }).strict();

export const etcdDisarmResultSchema = z.object({ cluster: z.string(), disarmed: z.array(z.object({ memberId: z.string(), alarm: etcdAlarmSchema })) });
export const etcdForfeitResultSchema = z.object({ cluster: z.string(), member: z.string(), newLeader: z.string() });
export const etcdRemoveResultSchema = z.object({ cluster: z.string(), member: z.string(), hostname: z.string(), askedNode: z.string() });
