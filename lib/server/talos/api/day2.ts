import "server-only";

import { ContainerDriver } from "@/lib/third_party/talos-proto/gen/common/common";
import { MachineServiceService, ResetRequest_WipeMode } from "@/lib/third_party/talos-proto/gen/machine/machine";

import { AppError } from "@/lib/server/platform/errors";

import type { CallOptions, NodeTarget, StreamOptions, TalosTransport } from "../transport";

import type { EtcdAlarmResult } from "./machine";

/**
 * `machine.MachineService` day-2 calls (talosctl reset, service, logs, dmesg, etcd snapshot,
 * defrag, alarm disarm, remove-member). Actions are never retried; streams yield raw bytes as
 * Talos sends them (`common.Data` chunks) and end quietly when `signal` aborts.
 */

export type ResetWipeMode = "all" | "system-disk" | "user-disks";

export interface ResetOptions extends CallOptions {
  /** Leave etcd (Talos checks quorum first) and drain the node before wiping. */
  graceful: boolean;
  /** Reboot after the wipe (else halt). */
  reboot: boolean;
  mode: ResetWipeMode;
  /** System partitions by label (e.g. `STATE`, `EPHEMERAL`); empty wipes all of them. */
  systemPartitions?: string[];
  userDisks?: string[];
}

export type ServiceAction = "start" | "stop" | "restart";

export interface LogsOptions extends StreamOptions {
  /** A Talos service id (namespace `system`, driver containerd) unless `kubernetes` is set. */
  id: string;
  /** A Kubernetes container (namespace `k8s.io`, driver cri), as `talosctl logs -k`. */
  kubernetes?: boolean;
  follow?: boolean;
  /** Lines from the end; -1 (Talos's default) is all that is buffered. */
  tailLines?: number;
}

export interface DmesgOptions extends StreamOptions {
  follow?: boolean;
  /** With follow: only new messages. */
  tail?: boolean;
}

const wipeModes: Record<ResetWipeMode, ResetRequest_WipeMode> = {
  all: ResetRequest_WipeMode.ALL,
  "system-disk": ResetRequest_WipeMode.SYSTEM_DISK,
  "user-disks": ResetRequest_WipeMode.USER_DISKS,
};

/** Admin only. Returns the actor id to follow in `events`. */
export async function reset(t: TalosTransport, node: NodeTarget, opts: ResetOptions): Promise<{ actorId: string }> {
  const req = {
    graceful: opts.graceful,
    reboot: opts.reboot,
    systemPartitionsToWipe: (opts.systemPartitions ?? []).map((label) => ({ label, wipe: true })),
    userDisksToWipe: opts.userDisks ?? [],
    mode: wipeModes[opts.mode],
  };
  const msg = await t.one("Reset", MachineServiceService.reset, req, node, opts, t.timeouts.power, false);
  return { actorId: msg.actorId };
}

/** Operator or admin. Talos answers with a sentence (e.g. `Service "kubelet" restarted`). */
export async function serviceAction(t: TalosTransport, node: NodeTarget, action: ServiceAction, id: string, opts?: CallOptions): Promise<{ response: string }> {
  const defs = { start: MachineServiceService.serviceStart, stop: MachineServiceService.serviceStop, restart: MachineServiceService.serviceRestart } as const;
  const name = { start: "ServiceStart", stop: "ServiceStop", restart: "ServiceRestart" }[action];
  const msg = await t.one(name, defs[action] as typeof MachineServiceService.serviceRestart, { id }, node, opts, t.timeouts.power, false);
  return { response: msg.resp };
}

/** Streams that carry node failures in the chunk's metadata (through apid) fail here instead. */
async function* dataChunks(source: AsyncGenerator<{ metadata?: { error?: string } | undefined; bytes: Buffer | Uint8Array }>, method: string, where: string): AsyncGenerator<Buffer> {
  for await (const d of source) {
    if (d.metadata?.error) throw new AppError("internal", `${method}: ${d.metadata.error}`, { node: where });
    if (d.bytes.length > 0) yield Buffer.from(d.bytes.buffer, d.bytes.byteOffset, d.bytes.byteLength);
  }
}

/** Reader or above. A service's (or Kubernetes container's) log, raw bytes; lines end in `\n`. */
export function logs(t: TalosTransport, node: NodeTarget, opts: LogsOptions): AsyncGenerator<Buffer> {
  const req = {
    namespace: opts.kubernetes ? "k8s.io" : "system",
    id: opts.id,
    driver: opts.kubernetes ? ContainerDriver.CRI : ContainerDriver.CONTAINERD,
    follow: opts.follow ?? false,
    tailLines: opts.tailLines ?? -1,
  };
  return dataChunks(t.stream(MachineServiceService.logs, req, node, opts), "Logs", node ?? t.endpoint.host);
}

/** Reader or above. The kernel ring buffer, raw bytes (one message per line). */
export function dmesg(t: TalosTransport, node: NodeTarget, opts: DmesgOptions = {}): AsyncGenerator<Buffer> {
  return dataChunks(t.stream(MachineServiceService.dmesg, { follow: opts.follow ?? false, tail: opts.tail ?? false }, node, opts), "Dmesg", node ?? t.endpoint.host);
}

/** Operator or admin (or os:etcd:backup), control planes: the member's etcd snapshot (a bbolt file), in chunks. */
export function etcdSnapshot(t: TalosTransport, node: NodeTarget, opts: StreamOptions = {}): AsyncGenerator<Buffer> {
  return dataChunks(t.stream(MachineServiceService.etcdSnapshot, {}, node, opts), "EtcdSnapshot", node ?? t.endpoint.host);
}

/** Operator or admin, control planes. Blocks the member while it runs: one member at a time. */
export async function etcdDefragment(t: TalosTransport, node: NodeTarget, opts?: CallOptions): Promise<void> {
  await t.one("EtcdDefragment", MachineServiceService.etcdDefragment, {}, node, opts, t.timeouts.apply, false);
}

/** Operator or admin. Disarms every alarm of the cluster; returns the alarms that were disarmed. */
export async function etcdAlarmDisarm(t: TalosTransport, node: NodeTarget, opts?: CallOptions): Promise<EtcdAlarmResult[]> {
  const msg = await t.one("EtcdAlarmDisarm", MachineServiceService.etcdAlarmDisarm, {}, node, opts, t.timeouts.power, false);
  const names: Record<number, EtcdAlarmResult["alarm"]> = { 0: "none", 1: "nospace", 2: "corrupt" };
  return msg.memberAlarms.map((a) => ({ memberId: a.memberId, alarm: names[a.alarm] ?? "none" }));
}

/** Admin only. Removes a member by id (decimal uint64 string), asked of another control plane. */
export async function etcdRemoveMemberById(t: TalosTransport, node: NodeTarget, memberId: string, opts?: CallOptions): Promise<void> {
  if (!/^\d{1,20}$/.test(memberId)) throw new AppError("validation_failed", "An etcd member id is a decimal number");
  await t.one("EtcdRemoveMemberByID", MachineServiceService.etcdRemoveMemberById, { memberId }, node, opts, t.timeouts.power, false);
}
