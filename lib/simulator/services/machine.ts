/**
 * machine.MachineService on a simulated node (api/machine/machine.proto). Every handler receives the
 * *target* node (after proxying) and returns the inner message; wrapping is done by proxy.ts.
 */
import crypto from "node:crypto";

import { status as grpcStatus } from "@grpc/grpc-js";

import type { Empty } from "../../third_party/talos-proto/gen/google/protobuf/empty";
import {
  type ApplyConfiguration,
  ApplyConfiguration as ApplyConfigurationMsg,
  type ApplyConfigurationRequest,
  type EtcdForfeitLeadership,
  EtcdForfeitLeadership as EtcdForfeitLeadershipMsg,
  type EtcdMemberListRequest,
  type EtcdMembers,
  EtcdMembers as EtcdMembersMsg,
  type EtcdStatus,
  EtcdStatus as EtcdStatusMsg,
  type Event,
  type EventsRequest,
  type GenerateClientConfiguration,
  GenerateClientConfiguration as GenerateClientConfigurationMsg,
  type GenerateClientConfigurationRequest,
  type Hostname,
  Hostname as HostnameMsg,
  type LoadAvg,
  LoadAvg as LoadAvgMsg,
  type Memory,
  Memory as MemoryMsg,
  type MemInfo,
  MachineServiceService,
  type Reboot,
  Reboot as RebootMsg,
  type RebootRequest,
  type Rollback,
  Rollback as RollbackMsg,
  type ServiceList,
  ServiceList as ServiceListMsg,
  type Shutdown,
  Shutdown as ShutdownMsg,
  type ShutdownRequest,
  type SystemStat,
  SystemStat as SystemStatMsg,
  type Upgrade,
  Upgrade as UpgradeMsg,
  type UpgradeRequest,
  type Version,
  Version as VersionMsg,
} from "../../third_party/talos-proto/gen/machine/machine";
import type { Data } from "../../third_party/talos-proto/gen/common/common";
import type { UntypedServiceImplementation } from "@grpc/grpc-js";
import { failedPrecondition, invalidArgument, SimError, unimplemented } from "../errors";
import type { RuntimeEvent } from "../events";
import type { SimNode } from "../node-state";
import { type CallContext, type HandlerEnv, serverStream, type StreamSink, unary } from "../proxy";
import { legacyImagePull } from "../kubernetes/image-pull";
import { parseTalosVersion } from "../../talos/version";
import { tarGzSingleFile } from "../kubernetes/kubeconfig";
import { day2Handlers } from "./day2";
import { dbSizes, revisionAt } from "../etcd-ops";

/** Client-certificate minting for GenerateClientConfiguration, provided by the fleet. */
export interface ClientConfigIssuer {
  issue(roles: string[], ttlHours: number, clusterName: string): Promise<{ ca: string; crt: string; key: string; talosconfig: string }>;
}

/** The admin kubeconfig of a cluster (./kubernetes), for the Kubeconfig RPC. */
export interface KubeconfigSource {
  kubeconfig(clusterName: string): Promise<string>;
}

const M = "/machine.MachineService/";

/** Go version string reported by Version (cosmetic, by minor). */
function goVersionFor(tag: string): string {
  const minor = parseTalosVersion(tag)?.minor ?? 13;
  return minor >= 14 ? "go1.26.1" : minor === 13 ? "go1.25.3" : "go1.24.9";
}

/** Small deterministic wobble per node, so figures move but stay plausible. */
function wave(node: SimNode, periodS: number, phase = 0): number {
  const seed = Number(BigInt(node.etcdMemberId) % 1000n) / 1000;
  const t = node.now() / 1000;
  return Math.sin((2 * Math.PI * t) / periodS + seed * 6.283 + phase);
}

const kb = (n: number) => String(Math.max(0, Math.round(n)));

function memInfo(node: SimNode): MemInfo {
  const gib = node.role === "controlplane" ? 8 : 16;
  const total = gib * 1024 * 1024 - 180_000;
  const usedFrac = 0.35 + 0.1 * wave(node, 600) + 0.03 * wave(node, 37, 1);
  const free = total * (1 - usedFrac) * 0.4;
  const cached = total * (1 - usedFrac) * 0.55;
  const available = total * (1 - usedFrac);
  const anon = total * usedFrac * 0.8;
  const z = "0";
  return {
    memtotal: kb(total), memfree: kb(free), memavailable: kb(available), buffers: kb(total * 0.01), cached: kb(cached),
    swapcached: z, active: kb(anon * 0.7 + cached * 0.4), inactive: kb(anon * 0.3 + cached * 0.6), activeanon: kb(anon * 0.7),
    inactiveanon: kb(anon * 0.3), activefile: kb(cached * 0.4), inactivefile: kb(cached * 0.6), unevictable: kb(20_000),
    mlocked: z, swaptotal: z, swapfree: z, dirty: kb(300 + 200 * wave(node, 13)), writeback: z, anonpages: kb(anon),
    mapped: kb(total * 0.03), shmem: kb(total * 0.005), slab: kb(total * 0.02), sreclaimable: kb(total * 0.012),
    sunreclaim: kb(total * 0.008), kernelstack: kb(12_000), pagetables: kb(9_000), nfsunstable: z, bounce: z,
    writebacktmp: z, commitlimit: kb(total / 2), committedas: kb(anon * 1.6), vmalloctotal: "34359738367",
    vmallocused: kb(40_000), vmallocchunk: z, hardwarecorrupted: z, anonhugepages: kb(anon * 0.1), shmemhugepages: z,
    shmempmdmapped: z, cmatotal: z, cmafree: z, hugepagestotal: z, hugepagesfree: z, hugepagesrsvd: z, hugepagessurp: z,
    hugepagesize: "2048", directmap4k: kb(200_000), directmap2m: kb(total * 0.6), directmap1g: kb(total * 0.4),
  };
}

function loadAvg(node: SimNode): { load1: number; load5: number; load15: number } {
  const base = node.role === "controlplane" ? 0.9 : 0.5;
  const r = (x: number) => Math.round(Math.max(0, x) * 100) / 100;
  return { load1: r(base + 0.4 * wave(node, 60) + 0.15 * wave(node, 7, 2)), load5: r(base + 0.25 * wave(node, 300)), load15: r(base + 0.1 * wave(node, 900)) };
}

function systemStat(node: SimNode): Omit<SystemStat, "metadata"> {
  const cpus = node.role === "controlplane" ? 4 : 8;
  const uptime = Math.max(1, (node.now() - node.bootTime) / 1000);
  const busy = 0.12 + 0.05 * wave(node, 300);
  const cpu = Array.from({ length: cpus }, (_, i) => {
    const share = uptime * (busy + 0.01 * i);
    return { user: share * 0.6, nice: 0, system: share * 0.3, idle: uptime - share, iowait: share * 0.05, irq: 0, softIrq: share * 0.05, steal: 0, guest: 0, guestNice: 0 };
  });
  const sum = (k: keyof (typeof cpu)[number]) => cpu.reduce((a, c) => a + c[k], 0);
  const n = (x: number) => String(Math.round(x));
  return {
    bootTime: n(node.bootTime / 1000),
    cpuTotal: { user: sum("user"), nice: 0, system: sum("system"), idle: sum("idle"), iowait: sum("iowait"), irq: 0, softIrq: sum("softIrq"), steal: 0, guest: 0, guestNice: 0 },
    cpu,
    irqTotal: n(uptime * 900),
    irq: [],
    contextSwitches: n(uptime * 4200),
    processCreated: n(uptime * 6),
    processRunning: n(2 + Math.abs(wave(node, 5)) * 3),
    processBlocked: "0",
    softIrqTotal: n(uptime * 700),
    softIrq: { hi: "0", timer: n(uptime * 250), netTx: n(uptime * 5), netRx: n(uptime * 120), block: n(uptime * 10), blockIoPoll: "0", tasklet: n(uptime), sched: n(uptime * 200), hrtimer: "0", rcu: n(uptime * 110) },
  };
}

function requireControlPlane(node: SimNode): void {
  if (node.role !== "controlplane") throw failedPrecondition("etcd is not running on worker nodes");
}

function etcdRunning(node: SimNode): void {
  requireControlPlane(node);
  if (node.etcdRemoved) throw new SimError(grpcStatus.UNKNOWN, "etcdserver: the member has been permanently removed from the cluster");
  if (node.stage !== "running") throw new SimError(grpcStatus.UNAVAILABLE, "etcdserver: not running yet");
}

function durationMs(d: { seconds: string; nanos: number } | undefined): number | undefined {
  if (!d) return undefined;
  return Number(d.seconds) * 1000 + Math.floor(d.nanos / 1e6);
}

/** Writes buffered then live events, honouring tail_* and with_actor_id. */
async function streamEvents(node: SimNode, req: EventsRequest, sink: StreamSink<Event>): Promise<void> {
  if (req.tailEvents !== 0 && (req.tailId !== "" || req.tailSeconds !== 0)) {
    throw invalidArgument("tail_events cannot be combined with tail_id or tail_seconds");
  }
  const toEvent = (e: RuntimeEvent): Event => ({ metadata: undefined, data: { typeUrl: e.typeUrl, value: e.value }, id: e.id, actorId: e.actorId });
  const wanted = (e: RuntimeEvent) => req.withActorId === "" || e.actorId === req.withActorId;
  // The first message on every stream is an empty "hello" event.
  sink.write({ metadata: undefined, data: undefined, id: "", actorId: "" });
  for (const e of node.bufferedEvents({ tailEvents: req.tailEvents, tailId: req.tailId, tailSeconds: req.tailSeconds })) {
    if (wanted(e)) sink.write(toEvent(e));
  }
  await new Promise<void>((resolve) => {
    const unsub = node.subscribeEvents((e) => {
      if (wanted(e)) sink.write(toEvent(e));
    });
    sink.onAbort(() => {
      unsub();
      resolve();
    });
  });
}

export function machineServiceImpl(env: HandlerEnv, issuer: ClientConfigIssuer, kube: KubeconfigSource): UntypedServiceImplementation {
  const actor = () => crypto.randomUUID();
  return {
    version: unary<Empty, Version>(env, M + "Version", VersionMsg, (_c, n) => ({
      metadata: undefined,
      version: { tag: n.runningVersion, sha: crypto.createHash("sha1").update(n.runningVersion).digest("hex").slice(0, 8), built: "", goVersion: goVersionFor(n.runningVersion), os: "linux", arch: "amd64" },
      platform: { name: "metal", mode: "metal" },
      features: { rbac: true },
    })),
    hostname: unary<Empty, Hostname>(env, M + "Hostname", HostnameMsg, (_c, n) => ({ metadata: undefined, hostname: n.hostname })),
    memory: unary<Empty, Memory>(env, M + "Memory", MemoryMsg, (_c, n) => ({ metadata: undefined, meminfo: memInfo(n) })),
    loadAvg: unary<Empty, LoadAvg>(env, M + "LoadAvg", LoadAvgMsg, (_c, n) => ({ metadata: undefined, ...loadAvg(n) })),
    systemStat: unary<Empty, SystemStat>(env, M + "SystemStat", SystemStatMsg, (_c, n) => ({ metadata: undefined, ...systemStat(n) })),
    serviceList: unary<Empty, ServiceList>(env, M + "ServiceList", ServiceListMsg, (_c, n) => ({
      metadata: undefined,
      services: n.services().map((s) => ({
        id: s.id,
        state: s.state,
        events: { events: [{ msg: s.state === "Running" ? "Service started" : s.message, state: s.state, ts: new Date(n.serviceLastChange) }] },
        health: { unknown: s.unknown, healthy: s.healthy, lastMessage: s.unknown ? "" : s.message, lastChange: new Date(n.serviceLastChange) },
      })),
    })),
    etcdMemberList: unary<EtcdMemberListRequest, EtcdMembers>(env, M + "EtcdMemberList", EtcdMembersMsg, (_c, n) => {
      etcdRunning(n);
      return {
        metadata: undefined,
        legacyMembers: [],
        members: n.controlPlanes().map((m) => ({
          id: m.etcdMemberId,
          hostname: m.hostname,
          peerUrls: [`https://${m.address}:2380`],
          clientUrls: [`https://${m.address}:2379`],
          isLearner: false,
        })),
      };
    }),
    etcdStatus: unary<Empty, EtcdStatus>(env, M + "EtcdStatus", EtcdStatusMsg, (_c, n) => {
      etcdRunning(n);
      // Raft index follows the cluster's revision (every write is an entry); sizes from ../etcd-ops.
      const index = String(revisionAt(n.etcd, n.now()) + 2_000);
      const { dbSize: db, inUse } = dbSizes(n.etcd, n.etcdMemberId, n.now());
      // etcd's StatusResponse.Errors lists the cluster's alarms as AlarmMember strings.
      const alarmErrors = [...n.etcd.alarms].map(([id, a]) => `memberID:${id} alarm:${a} `);
      return {
        metadata: undefined,
        memberStatus: {
          memberId: n.etcdMemberId,
          protocolVersion: "3.6.0",
          storageVersion: "3.6.0",
          dbSize: String(db),
          dbSizeInUse: String(inUse),
          leader: n.etcdLeaderId(),
          raftIndex: index,
          raftTerm: "4",
          raftAppliedIndex: index,
          errors: [...(n.etcdHealthy ? [] : ["etcdserver: member is unhealthy (simulated fault)"]), ...alarmErrors],
          isLearner: false,
        },
      };
    }),
    etcdForfeitLeadership: unary<Empty, EtcdForfeitLeadership>(env, M + "EtcdForfeitLeadership", EtcdForfeitLeadershipMsg, (_c, n) => {
      // machinehelper.CheckControlplane: Unimplemented on workers.
      if (n.role !== "controlplane") throw unimplemented("etcd forfeit leadership is only available on control plane nodes");
      etcdRunning(n);
      return { metadata: undefined, member: n.forfeitEtcdLeadership() };
    }),
    applyConfiguration: unary<ApplyConfigurationRequest, ApplyConfiguration>(env, M + "ApplyConfiguration", ApplyConfigurationMsg, async (_c, n, req) => {
      const tryTimeoutMs = durationMs(req.tryModeTimeout) || 60_000;
      const res = await n.applyConfiguration({ data: req.data, mode: req.mode, dryRun: req.dryRun, tryTimeoutMs, actorId: actor() });
      return { metadata: undefined, warnings: res.warnings, mode: res.mode, modeDetails: res.modeDetails };
    }),
    upgrade: unary<UpgradeRequest, Upgrade>(env, M + "Upgrade", UpgradeMsg, (_c, n, req) => {
      const actorId = actor();
      n.logs.append("machined", `[talos] upgrade request received: staged ${req.stage}, force ${req.force}, reboot mode ${req.rebootMode === 1 ? "POWERCYCLE" : "DEFAULT"}`);
      n.legacyUpgrade(req, actorId);
      return { metadata: undefined, ack: "Upgrade request received", actorId };
    }),
    reboot: unary<RebootRequest, Reboot>(env, M + "Reboot", RebootMsg, (_c, n) => {
      const actorId = actor();
      n.logs.append("machined", `[talos] reboot via API received. actor id: ${actorId}`);
      n.record({ event: "reboot" });
      n.reboot(actorId);
      return { metadata: undefined, actorId };
    }),
    rollback: unary<Record<string, never>, Rollback>(env, M + "Rollback", RollbackMsg, (_c, n) => {
      n.rollback(actor());
      return { metadata: undefined };
    }),
    shutdown: unary<ShutdownRequest, Shutdown>(env, M + "Shutdown", ShutdownMsg, (_c, n, req) => {
      const actorId = actor();
      n.logs.append("machined", `[talos] shutdown via API received. actor id: ${actorId}`);
      n.shutdown(actorId, { force: req.force });
      return { metadata: undefined, actorId };
    }),
    generateClientConfiguration: unary<GenerateClientConfigurationRequest, GenerateClientConfiguration>(
      env,
      M + "GenerateClientConfiguration", GenerateClientConfigurationMsg,
      async (_c: CallContext, n, req) => {
        if (n.role !== "controlplane") throw failedPrecondition("client configuration can only be generated on control plane nodes");
        const ttlMs = durationMs(req.crtTtl) ?? 0;
        if (ttlMs <= 0) throw invalidArgument("crt_ttl should be greater than zero");
        if (req.roles.length === 0) throw invalidArgument("at least one role is required");
        const out = await issuer.issue(req.roles, ttlMs / 3_600_000, n.cluster.name);
        return {
          metadata: undefined,
          ca: Buffer.from(out.ca),
          crt: Buffer.from(out.crt),
          key: Buffer.from(out.key),
          talosconfig: Buffer.from(out.talosconfig),
        };
      },
    ),
    imagePull: legacyImagePull(env),
    events: serverStream<EventsRequest, Event>(env, M + "Events", (_c, n, req, sink) => streamEvents(n, req, sink), { allowMulti: true }),
    // Talos: CheckControlplane, GenerateAdmin, then the file wrapped in a .tar.gz (the Copy protocol) in one Data message.
    kubeconfig: serverStream<Empty, Data>(env, M + "Kubeconfig", async (_c, n, _req, sink) => {
      if (n.role !== "controlplane") throw new SimError(grpcStatus.UNIMPLEMENTED, "kubeconfig is only available on control plane nodes");
      const text = await kube.kubeconfig(n.cluster.name);
      sink.write({ metadata: undefined, bytes: tarGzSingleFile("kubeconfig", Buffer.from(text), 0o600, new Date(n.now())) });
    }),
    ...day2Handlers(env),
  } satisfies Record<keyof typeof MachineServiceService, unknown>;
}
