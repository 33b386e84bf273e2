import type { StageEvent } from "@/lib/schemas/fleet";

import type { EtcdMembership, NodeObservation } from "../health";

/**
 * A cluster's polled state in a form another replica can show: what its owner writes to the store
 * (`fleet_snapshots`) and the others read back. It carries the observations themselves, not the
 * summaries, so a mirror computes summaries, roll-ups and details with the same code as the owner.
 */
export interface ClusterImage {
  cluster: string;
  /** Owner's clock when taken (epoch ms). */
  at: number;
  membership: EtcdMembership | null;
  nodes: NodeImage[];
}

export interface NodeImage {
  obs: NodeObservation;
  stageEvents: StageEvent[];
  etcdIsLeader: boolean;
  memberNodeId: string | null;
  /** [epoch ms, memory available kB or null, load1 or null], oldest first, at most one a minute. */
  history: [number, number | null, number | null][];
}
