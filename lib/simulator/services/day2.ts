/**
 * The day-2 RPCs of machine.MachineService on a simulated node (reset, service start/stop/restart,
 * logs, dmesg, etcd snapshot/defragment/alarms/remove member), with Talos's checks and texts
 * (internal/app/machined/internal/server/v1alpha1/v1alpha1_server.go). The node-side sequences
 * are in ../node-day2.ts, logs in ../logs.ts, etcd bookkeeping in ../etcd-ops.ts.
 */
import crypto from "node:crypto";

import { status as grpcStatus } from "@grpc/grpc-js";

import type { Data } from "../../third_party/talos-proto/gen/common/common";
import type { Empty } from "../../third_party/talos-proto/gen/google/protobuf/empty";
import {
  type DmesgRequest,
  type EtcdAlarm,
  EtcdAlarm as EtcdAlarmMsg,
  type EtcdAlarmDisarm,
  EtcdAlarmDisarm as EtcdAlarmDisarmMsg,
  type EtcdDefragment,
  EtcdDefragment as EtcdDefragmentMsg,
  EtcdMemberAlarm_AlarmType,
  type EtcdRemoveMemberByID,
  EtcdRemoveMemberByID as EtcdRemoveMemberByIDMsg,
  type EtcdRemoveMemberByIDRequest,
  type LogsRequest,
  Reset as ResetMsg,
  type ResetRequest,
  ServiceRestart as ServiceRestartMsg,
  ServiceStart as ServiceStartMsg,
  ServiceStop as ServiceStopMsg,
} from "../../third_party/talos-proto/gen/machine/machine";
import { notFound, SimError } from "../errors";
import { dbSizes, defragmented, revisionAt, simulatedSnapshot } from "../etcd-ops";
import { FollowBacklog, type LogLine } from "../logs";
import type { SimNode } from "../node-state";
import { type HandlerEnv, serverStream, type StreamSink, unary } from "../proxy";

const M = "/machine.MachineService/";
/** Talos's stream chunker reads 1 KiB at a time (pkg/chunker/stream). */
const CHUNK = 1024;

/** machinehelper.CheckControlplane's answer on a worker. */
export function checkControlplane(node: SimNode, apiName: string): void {
  if (node.role !== "controlplane") throw new SimError(grpcStatus.UNIMPLEMENTED, `${apiName} is only available on control plane nodes`);
}

/** The local etcd must be up for the etcd client calls. */
function localEtcd(node: SimNode, what: string): void {
  if (node.etcdRemoved) throw new SimError(grpcStatus.UNKNOWN, `${what}: etcdserver: the member has been permanently removed from the cluster`);
  if (node.stage !== "running" || node.serviceStatus("etcd")?.state !== "Running") {
    throw new SimError(grpcStatus.UNKNOWN, `${what}: context deadline exceeded`);
  }
}

const ALARM: Record<string, EtcdMemberAlarm_AlarmType> = { NOSPACE: EtcdMemberAlarm_AlarmType.NOSPACE, CORRUPT: EtcdMemberAlarm_AlarmType.CORRUPT };

function alarms(node: SimNode) {
  return [...node.etcd.alarms].map(([memberId, a]) => ({ memberId, alarm: ALARM[a] ?? EtcdMemberAlarm_AlarmType.NONE }));
}

/** Dmesg sends one Data per kernel message. */
function writeMessages(sink: StreamSink<Data>, lines: string[]): void {
  for (const l of lines) sink.write({ metadata: undefined, bytes: Buffer.from(l + "\n") });
}

/** Writes lines as Talos's chunker would: at most 1 KiB per Data message. */
function writeLines(sink: StreamSink<Data>, lines: string[]): void {
  let buf = "";
  for (const l of lines) {
    buf += l + "\n";
    if (buf.length >= CHUNK) {
      sink.write({ metadata: undefined, bytes: Buffer.from(buf) });
      buf = "";
    }
  }
  if (buf) sink.write({ metadata: undefined, bytes: Buffer.from(buf) });
}

/** Keeps the node's count of open log streams honest whichever way the stream ends. */
async function counted(node: SimNode, body: () => Promise<void>): Promise<void> {
  node.logs.openStreams++;
  try {
    await body();
  } finally {
    node.logs.openStreams--;
  }
}

/**
 * Follows until the client cancels or the node goes down: new lines go to a bounded backlog and
 * are sent only as fast as the client takes them (the sink's flow control).
 */
export async function followUntilAbort(
  sink: StreamSink<Data>,
  subscribe: (fn: (l: LogLine) => void) => () => void,
  send: (lines: string[]) => void = (lines) => writeLines(sink, lines),
): Promise<void> {
  const backlog = new FollowBacklog();
  let wake: (() => void) | undefined;
  const unsub = subscribe((l) => {
    backlog.push(l.text);
    wake?.();
  });
  const unAbort = sink.onAbort(() => wake?.());
  try {
    while (!sink.aborted) {
      if (backlog.empty) {
        await new Promise<void>((r) => (wake = r));
        wake = undefined;
        continue;
      }
      send(backlog.take(64 * 1024));
      await sink.writable();
    }
  } finally {
    unsub();
    unAbort();
  }
}

async function streamLogs(node: SimNode, req: LogsRequest, sink: StreamSink<Data>): Promise<void> {
  // Talos serves kubelet and the system namespace from machined's buffers; the rest is CRI.
  if (req.namespace !== "system" && req.id !== "kubelet") {
    throw new SimError(grpcStatus.UNKNOWN, `open /var/log/containers/${req.id}.log: no such file or directory`);
  }
  if (!node.services().some((s) => s.id === req.id)) {
    // machined has no buffer for an unknown id: the reader is empty (follow waits for lines).
    if (!req.follow) return;
  }
  await counted(node, async () => {
    writeLines(sink, node.logs.tail(req.id, req.tailLines).map((l) => l.text));
    if (req.follow) await followUntilAbort(sink, (fn) => node.logs.follow(req.id, fn));
  });
}

async function streamDmesg(node: SimNode, req: DmesgRequest, sink: StreamSink<Data>): Promise<void> {
  await counted(node, async () => {
    // kmsg.FromTail only matters with follow: start at the end of the ring.
    if (!(req.follow && req.tail)) writeMessages(sink, node.logs.kernelLines().map((l) => l.text));
    if (req.follow) await followUntilAbort(sink, (fn) => node.logs.followKernel(fn), (lines) => writeMessages(sink, lines));
  });
}

async function streamSnapshot(node: SimNode, sink: StreamSink<Data>): Promise<void> {
  checkControlplane(node, "etcd snapshot");
  localEtcd(node, "failed to create etcd client");
  const fails = node.faults.etcdSnapshotFails;
  if (fails?.mode === "error") throw new SimError(grpcStatus.UNKNOWN, "failed reading etcd snapshot: etcdserver: request timed out");
  if (fails?.mode === "empty") return;
  const revision = revisionAt(node.etcd, node.now());
  const bytes = simulatedSnapshot(node.cluster.name, node.etcdMemberId, revision);
  const end = fails?.mode === "truncated" ? Math.floor(bytes.length / 2) : bytes.length;
  node.record({ event: "etcd-snapshot", detail: `revision ${revision}, ${bytes.length} bytes${fails ? " (truncated by fault)" : ""}` });
  // Only as fast as the client reads (a cancel ends it at once); yield now and then regardless.
  let sent = 0;
  for (let off = 0; off < end && !sink.aborted; off += CHUNK) {
    sink.write({ metadata: undefined, bytes: bytes.subarray(off, Math.min(end, off + CHUNK)) });
    sent = Math.min(end, off + CHUNK);
    await sink.writable();
    if ((off / CHUNK) % 256 === 255) await new Promise<void>((r) => setImmediate(r));
  }
  // A cancelled download is visible to tests: the node stopped reading etcd there.
  if (sink.aborted && sent < end) node.record({ event: "etcd-snapshot-cancelled", detail: `after ${sent} of ${bytes.length} bytes` });
}

export function day2Handlers(env: HandlerEnv) {
  const actor = () => crypto.randomUUID();
  return {
    reset: unary<ResetRequest, ResetMsg>(env, M + "Reset", ResetMsg, (_c, n, req) => {
      const actorId = actor();
      n.reset(req, actorId);
      return { metadata: undefined, actorId };
    }),
    serviceStart: unary(env, M + "ServiceStart", ServiceStartMsg, async (_c, n, req: { id: string }) => {
      await n.serviceAction("start", req.id, actor());
      return { metadata: undefined, resp: `Service ${JSON.stringify(req.id)} started` };
    }),
    serviceStop: unary(env, M + "ServiceStop", ServiceStopMsg, async (_c, n, req: { id: string }) => {
      await n.serviceAction("stop", req.id, actor());
      return { metadata: undefined, resp: `Service ${JSON.stringify(req.id)} stopped` };
    }),
    serviceRestart: unary(env, M + "ServiceRestart", ServiceRestartMsg, async (_c, n, req: { id: string }) => {
      await n.serviceAction("restart", req.id, actor());
      return { metadata: undefined, resp: `Service ${JSON.stringify(req.id)} restarted` };
    }),
    etcdDefragment: unary<Empty, EtcdDefragment>(env, M + "EtcdDefragment", EtcdDefragmentMsg, async (_c, n) => {
      checkControlplane(n, "etcd defragment");
      localEtcd(n, "failed to defragment etcd");
      const id = n.etcdMemberId;
      // etcd answers a second defragment of a busy member only when the first is done.
      while (n.etcd.defragmenting.has(id)) await new Promise<void>((r) => setTimeout(r, 10));
      n.etcd.defragmenting.add(id);
      try {
        const { dbSize } = dbSizes(n.etcd, id, n.now());
        // Rewriting the file takes a moment, longer for a bigger db.
        await new Promise<void>((r) => setTimeout(r, Math.min(2000, Math.max(n.timing.closeDelayMs, dbSize / 50_000))));
        defragmented(n.etcd, id, n.now());
        n.record({ event: "etcd-defragment", detail: `db ${dbSize} → ${dbSizes(n.etcd, id, n.now()).dbSize} bytes` });
        n.logs.append("etcd", `{"level":"info","ts":"${new Date(n.now()).toISOString()}","caller":"v3rpc/maintenance.go:97","msg":"finished defragment"}`);
      } finally {
        n.etcd.defragmenting.delete(id);
      }
      return { metadata: undefined };
    }),
    etcdAlarmDisarm: unary<Empty, EtcdAlarmDisarm>(env, M + "EtcdAlarmDisarm", EtcdAlarmDisarmMsg, (_c, n) => {
      checkControlplane(n, "etcd alarm disarm");
      // clientv3.New does not dial eagerly: with etcd down it is AlarmDisarm itself that fails.
      localEtcd(n, "failed to disarm etcd alarm");
      // AlarmDisarm with an empty AlarmMember disarms every alarm of the cluster and returns them.
      const disarmed = alarms(n);
      n.etcd.alarms.clear();
      for (const peer of n.cluster.nodes) peer.faults.etcdNospace = undefined;
      if (disarmed.length) n.record({ event: "etcd-alarm-disarm", detail: disarmed.map((a) => a.memberId).join(",") });
      return { metadata: undefined, memberAlarms: disarmed };
    }),
    etcdRemoveMemberById: unary<EtcdRemoveMemberByIDRequest, EtcdRemoveMemberByID>(env, M + "EtcdRemoveMemberByID", EtcdRemoveMemberByIDMsg, (_c, n, req) => {
      checkControlplane(n, "etcd remove member");
      const members = n.controlPlanes();
      // etcd.Client.RemoveMemberByMemberID wraps etcd's error with the decimal id; the handler maps
      // ErrMemberNotFound to NotFound with that text and wraps every other error once more.
      const inner = `failed to remove member ${req.memberId}`;
      if (members.filter((m) => m.etcdHealthy).length * 2 <= members.length) {
        throw new SimError(grpcStatus.UNKNOWN, `failed to remove member: ${inner}: etcdserver: no leader`);
      }
      const target = members.find((m) => m.etcdMemberId === req.memberId);
      if (!target) throw notFound(`${inner}: etcdserver: member not found`);
      const rest = members.filter((m) => m !== target);
      if (rest.filter((m) => m.etcdHealthy).length * 2 <= rest.length) {
        throw new SimError(grpcStatus.UNKNOWN, `failed to remove member: ${inner}: etcdserver: re-configuration failed due to not enough started members`);
      }
      n.etcd.removed.add(target.etcdMemberId);
      n.etcd.alarms.delete(target.etcdMemberId);
      n.record({ event: "etcd-remove-member", detail: `${target.hostname} (${target.etcdMemberIdHex})` });
      target.etcdMemberRemoved();
      return { metadata: undefined };
    }),
    etcdAlarmList: unary<Empty, EtcdAlarm>(env, M + "EtcdAlarmList", EtcdAlarmMsg, (_c, n) => {
      checkControlplane(n, "etcd alarm list");
      localEtcd(n, "failed to list etcd alarms");
      return { metadata: undefined, memberAlarms: alarms(n) };
    }),
    logs: serverStream<LogsRequest, Data>(env, M + "Logs", (_c, n, req, sink) => streamLogs(n, req, sink)),
    dmesg: serverStream<DmesgRequest, Data>(env, M + "Dmesg", (_c, n, req, sink) => streamDmesg(n, req, sink)),
    etcdSnapshot: serverStream<Empty, Data>(env, M + "EtcdSnapshot", (_c, n, _req, sink) => streamSnapshot(n, sink)),
  };
}
