import { z } from "zod";

import { blockingPodSchema } from "./kubernetes";

/**
 * Where the drain step of one node of a Talos upgrade or a config rollout is (persisted with the
 * node, shown on its row). The policy itself is `strategy.drain` (drainPolicySchema).
 */
export const nodeDrainPhaseSchema = z.enum([
  /** Cordoning and evicting now. */
  "draining",
  /** Every pod that had to move was evicted. */
  "drained",
  /** The timeout passed under `onTimeout: "force"` (or a person forced it): the rest was deleted. */
  "forced",
  /** No drain (disabled, Kubernetes could not be asked under `force`, no Node, a person skipped it, or Talos drains itself). */
  "skipped",
  /** Waiting for a person: pods would not move in time, or Kubernetes could not be asked under `halt`. */
  "blocked",
  /** Minos uncordoned the node after it was back healthy. */
  "uncordoned",
  /** Minos cordoned the node but could not uncordon it (said in `message`). */
  "left-cordoned",
]);
export type NodeDrainPhase = z.infer<typeof nodeDrainPhaseSchema>;

/** What a person asked of a blocked drain. */
export const drainOverrideSchema = z.enum(["retry", "force", "skip"]);
export type DrainOverride = z.infer<typeof drainOverrideSchema>;

export const nodeDrainSchema = z.object({
  phase: nodeDrainPhaseSchema,
  /** The Kubernetes Node's name, once found. */
  nodeName: z.string().nullable(),
  /** Minos cordoned the node (it uncordons it once the node is back healthy). */
  cordoned: z.boolean(),
  /** namespace/name of the pods evicted, and of those deleted when forced. */
  evicted: z.array(z.string()),
  forced: z.array(z.string()),
  /** The pods in the way of a blocked drain, with the PodDisruptionBudgets that refused them. */
  blocking: z.array(blockingPodSchema),
  /** One sentence: what happened, or why it waits. Never a credential. */
  message: z.string(),
  /** A person's answer to a blocked drain, taken by the next attempt. */
  override: drainOverrideSchema.nullable(),
  at: z.iso.datetime(),
});
export type NodeDrain = z.infer<typeof nodeDrainSchema>;

/** The node a drain action names: `/api/(upgrades|rollouts)/:id/nodes/:node/(retry|force|skip)-drain`. */
export const drainActionParamsSchema = z.object({
  id: z.string().min(1).max(100),
  node: z.string().min(1).max(300),
  action: z.enum(["retry-drain", "force-drain", "skip-drain"]),
});
export type DrainAction = z.infer<typeof drainActionParamsSchema>["action"];

export const overrideOfAction: Record<DrainAction, DrainOverride> = { "retry-drain": "retry", "force-drain": "force", "skip-drain": "skip" };
