/**
 * Fault injection: the control API's POST /faults body, and the per-node fault state.
 */
import { z } from "zod";

const nodeRef = z.string().trim().min(1, "node is required (address or hostname)");

export const faultSpecSchema = z.discriminatedUnion("fault", [
  /** The node's listener is closed: connections are refused (UNAVAILABLE) until cleared. */
  z.strictObject({ node: nodeRef, fault: z.literal("down") }),
  /** Every call handled by (or forwarded to) the node is delayed by `ms`. */
  z.strictObject({ node: nodeRef, fault: z.literal("slow"), ms: z.number().int().min(0).max(600_000) }),
  /**
   * Upgrades fail: `exit-code` (default) makes the installer finish with `exitCode` (default 7,
   * "install") and the legacy upgrade sequence end with an error; `error` fails the call itself.
   */
  z.strictObject({
    node: nodeRef,
    fault: z.literal("upgrade-fails"),
    mode: z.enum(["exit-code", "error"]).optional(),
    exitCode: z.number().int().min(1).max(255).optional(),
  }),
  /** After its next reboot the node never comes back (until faults are cleared). */
  z.strictObject({ node: nodeRef, fault: z.literal("never-returns") }),
  /** A service (default: etcd on control planes, kubelet on workers) fails its health check. */
  z.strictObject({ node: nodeRef, fault: z.literal("unhealthy"), service: z.string().trim().min(1).optional() }),
  /** ApplyConfiguration (including dry runs) fails with INVALID_ARGUMENT and `message`. */
  z.strictObject({ node: nodeRef, fault: z.literal("reject-apply"), message: z.string().min(1).optional() }),
  /** A pod on the node (Deployment `default/pinned-<hostname>`) covered by PDB `default/pinned-<hostname>` that never allows an eviction. */
  z.strictObject({ node: nodeRef, fault: z.literal("pdb-blocks") }),
  /** The node's kubelet reports NotReady (KubeletNotReady). */
  z.strictObject({ node: nodeRef, fault: z.literal("kubelet-not-ready") }),
  /** The Kubernetes API of the node's cluster refuses connections (any node of the cluster names it). */
  z.strictObject({ node: nodeRef, fault: z.literal("kube-api-down") }),
  /** The node logs fast: `linesPerSecond` lines per second in `service`'s log (every service when omitted). */
  z.strictObject({
    node: nodeRef,
    fault: z.literal("log-flood"),
    linesPerSecond: z.number().int().min(1).max(50_000).optional(),
    service: z.string().trim().min(1).optional(),
  }),
  /** The node's etcd member raises the NOSPACE alarm (as when the DB hits its quota) until disarmed. */
  z.strictObject({ node: nodeRef, fault: z.literal("etcd-nospace") }),
  /**
   * EtcdSnapshot on the node fails: `error` (default) answers Talos's error before any byte,
   * `truncated` ends the stream cleanly after half the bytes (Talos's chunker does that when the
   * reader breaks), `empty` ends it with no bytes.
   */
  z.strictObject({ node: nodeRef, fault: z.literal("etcd-snapshot-fails"), mode: z.enum(["error", "truncated", "empty"]).optional() }),
]);

/** Input shape of a fault (optional fields may be omitted). */
export type FaultSpec = z.input<typeof faultSpecSchema>;

/** Active faults of one node. */
export interface NodeFaults {
  down?: true;
  slowMs?: number;
  upgradeFails?: { mode: "exit-code" | "error"; exitCode: number };
  neverReturns?: true;
  unhealthy?: { service: string };
  rejectApply?: { message: string };
  pdbBlocks?: true;
  kubeletNotReady?: true;
  kubeApiDown?: true;
  logFlood?: { linesPerSecond: number; service?: string };
  etcdNospace?: true;
  etcdSnapshotFails?: { mode: "error" | "truncated" | "empty" };
}

/** The list form used in GET /nodes and the POST /faults reply. */
export function describeFaults(f: NodeFaults): Array<Record<string, unknown>> {
  const out: Array<Record<string, unknown>> = [];
  if (f.down) out.push({ fault: "down" });
  if (f.slowMs !== undefined) out.push({ fault: "slow", ms: f.slowMs });
  if (f.upgradeFails) out.push({ fault: "upgrade-fails", ...f.upgradeFails });
  if (f.neverReturns) out.push({ fault: "never-returns" });
  if (f.unhealthy) out.push({ fault: "unhealthy", service: f.unhealthy.service });
  if (f.rejectApply) out.push({ fault: "reject-apply", message: f.rejectApply.message });
  if (f.pdbBlocks) out.push({ fault: "pdb-blocks" });
  if (f.kubeletNotReady) out.push({ fault: "kubelet-not-ready" });
  if (f.kubeApiDown) out.push({ fault: "kube-api-down" });
  if (f.logFlood) out.push({ fault: "log-flood", ...f.logFlood });
  if (f.etcdNospace) out.push({ fault: "etcd-nospace" });
  if (f.etcdSnapshotFails) out.push({ fault: "etcd-snapshot-fails", ...f.etcdSnapshotFails });
  return out;
}
