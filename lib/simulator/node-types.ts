/**
 * The simulated node's vocabulary: stages, timeline entries, timings, and what a node needs from
 * its fleet (hooks) and its cluster. Generic over the node class so that this file depends on none.
 */
import { MachineStatusEvent_MachineStage as MStage } from "../third_party/talos-proto/gen/machine/machine";
import type { Clock } from "../utils/clock";

export type NodeRole = "controlplane" | "worker";

/** Stage names as Talos renders them (`stage: running` in MachineStatus YAML). */
export type Stage = "unknown" | "booting" | "installing" | "maintenance" | "running" | "rebooting" | "shutting down" | "resetting" | "upgrading";

export const STAGE_NUMBER: Record<Stage, MStage> = {
  unknown: MStage.UNKNOWN,
  booting: MStage.BOOTING,
  installing: MStage.INSTALLING,
  maintenance: MStage.MAINTENANCE,
  running: MStage.RUNNING,
  rebooting: MStage.REBOOTING,
  "shutting down": MStage.SHUTTING_DOWN,
  resetting: MStage.RESETTING,
  upgrading: MStage.UPGRADING,
};

export interface TimelineEntry {
  time: number;
  /** The node's address (its hostname in `ports` mode, where every address is 127.0.0.1). */
  node: string;
  hostname: string;
  event: string;
  stage?: string;
  version?: string;
  mode?: string;
  detail?: string;
}

export interface NodeTiming {
  rebootMs: number;
  bootMs: number;
  readyMs: number;
  /** Time a legacy upgrade spends in UPGRADING, and a LifecycleService install takes. */
  upgradeMs: number;
  applyMs: number;
  dryRunMs: number;
  /** Delay between answering Reboot and closing the listener, so the reply reaches the caller. */
  closeDelayMs: number;
}

export interface NodeHooks<N> {
  /** `reachable` may have changed: open or close the node's listener. */
  listenChanged(node: N): void;
  timeline(entry: TimelineEntry): void;
  /** Something COSI-visible changed on this node. */
  resourcesChanged(node: N): void;
  /**
   * Talos's own drain (CordonAndDrainNode, in the legacy upgrade and shutdown sequences): resolves
   * when the node's pods are evicted or Talos gave up waiting. Absent: nothing to drain.
   */
  drain?(node: N): Promise<void>;
}

/** What the node needs from its cluster. */
export interface ClusterContext<N> {
  name: string;
  nodes: N[];
  kubernetesVersion: string;
  /**
   * The etcd member id that leads while it is healthy, set when a leader forfeits leadership
   * (EtcdForfeitLeadership); unset, the first healthy control plane leads.
   */
  etcdLeader?: string;
  /** The node's config as its cluster's recipe generates it (one contract for the whole cluster). */
  pristineConfig(node: { hostname: string; address: string; role: NodeRole }): string;
}

export interface ServiceStatus {
  id: string;
  state: string;
  running: boolean;
  healthy: boolean;
  unknown: boolean;
  message: string;
}

export interface MachineStatusView {
  stage: Stage;
  ready: boolean;
  unmetConditions: { name: string; reason: string }[];
}

export interface SimNodeInit<N> {
  id: string;
  hostname: string;
  address: string;
  port: number;
  role: NodeRole;
  version: string;
  cluster: ClusterContext<N>;
  clock: Clock;
  timing: NodeTiming;
  hooks: NodeHooks<N>;
  /** Events kept per node (machined's ring buffer). */
  eventCapacity?: number;
  /** Extension services the node runs, without the `ext-` prefix. */
  extensionServices?: string[];
  /** Name used in the timeline; default the address (the fleet passes the hostname in ports mode). */
  target?: string;
}
