import "server-only";

import { BinaryReader, WireType } from "@bufbuild/protobuf/wire";

import { AppError } from "@/lib/server/platform/errors";
import { Metadata as TalosMetadata } from "@/lib/third_party/talos-proto/gen/common/common";
import {
  ApplyConfigurationRequest_Mode,
  MachineServiceService,
  RebootRequest_Mode,
  UpgradeRequest_RebootMode,
  type CPUStat,
  type EtcdMember as GenEtcdMember,
  type MemInfo as GenMemInfo,
  type ServiceInfo as GenServiceInfo,
  type SoftIRQStat,
} from "@/lib/third_party/talos-proto/gen/machine/machine";

import { decodeEvent, type TalosEvent } from "../events";
import type { CallOptions, NodeTarget, StreamOptions, TalosTransport } from "../transport";

import { readTarGzEntry } from "./archive";
import { mapNumbers, num } from "./int64";

/**
 * `machine.MachineService`: the reads Minos shows (version, load, services, etcd) and the actions
 * it takes (apply, reboot, rollback, shutdown, the legacy upgrade), each as plain values. Reads
 * are idempotent and retried once across a reconnect; actions are never retried.
 */

export interface VersionResult {
  tag: string;
  sha: string;
  built: string;
  goVersion: string;
  os: string;
  arch: string;
  platform?: { name: string; mode: string };
  rbac: boolean;
}

/** /proc/meminfo values in kB. */
export type MemInfo = { [K in keyof GenMemInfo]: number };

export interface LoadAvgResult {
  load1: number;
  load5: number;
  load15: number;
}

export interface SystemStatResult {
  /** Unix seconds. */
  bootTime: number;
  cpuTotal?: CPUStat;
  cpu: CPUStat[];
  irqTotal: number;
  irq: number[];
  contextSwitches: number;
  processCreated: number;
  processRunning: number;
  processBlocked: number;
  softIrqTotal: number;
  softIrq?: { [K in keyof SoftIRQStat]: number };
}

export interface ServiceInfo {
  id: string;
  state: string;
  events: { msg: string; state: string; ts?: Date }[];
  health?: { unknown: boolean; healthy: boolean; lastMessage: string; lastChange?: Date };
}

export interface EtcdMember {
  /** uint64 as a decimal string (etcd ids use all 64 bits). */
  id: string;
  hostname: string;
  peerUrls: string[];
  clientUrls: string[];
  isLearner: boolean;
}

export interface EtcdMemberListResult {
  members: EtcdMember[];
  legacyMembers: string[];
}

export interface EtcdStatusResult {
  memberId: string;
  storageVersion: string;
  protocolVersion: string;
  dbSize: number;
  dbSizeInUse: number;
  leader: string;
  raftIndex: string;
  raftTerm: string;
  raftAppliedIndex: string;
  errors: string[];
  isLearner: boolean;
}

export interface EtcdAlarmResult {
  memberId: string;
  alarm: "none" | "nospace" | "corrupt";
}

/** talosctl's spellings of `ApplyConfigurationRequest.Mode`. */
export type ApplyMode = import("@/lib/schemas/configs").ApplyMode;

const applyModes: Record<ApplyMode, ApplyConfigurationRequest_Mode> = {
  reboot: ApplyConfigurationRequest_Mode.REBOOT,
  auto: ApplyConfigurationRequest_Mode.AUTO,
  "no-reboot": ApplyConfigurationRequest_Mode.NO_REBOOT,
  staged: ApplyConfigurationRequest_Mode.STAGED,
  try: ApplyConfigurationRequest_Mode.TRY,
};

function applyModeName(m: ApplyConfigurationRequest_Mode): ApplyMode {
  return (Object.entries(applyModes).find(([, v]) => v === m)?.[0] as ApplyMode | undefined) ?? "auto";
}

export interface ApplyConfigurationOptions extends CallOptions {
  /** The whole machine config (multi-document YAML). */
  data: string | Uint8Array;
  mode: ApplyMode;
  dryRun?: boolean;
  /** TRY mode: seconds before Talos rolls back (Talos's default is 60). */
  tryModeTimeoutSeconds?: number;
}

export interface ApplyConfigurationResult {
  /** The mode Talos actually used (AUTO comes back as no-reboot or reboot). */
  mode: ApplyMode;
  modeDetails: string;
  warnings: string[];
}

export type RebootMode = "default" | "powercycle" | "force";

export interface LegacyUpgradeOptions extends CallOptions {
  image: string;
  stage?: boolean;
  force?: boolean;
  preserve?: boolean;
  rebootMode?: "default" | "powercycle";
}

export interface EventsOptions extends StreamOptions {
  /** Buffered events to replay first; negative means all. Not combinable with tailId/tailSeconds. */
  tailEvents?: number;
  tailId?: string;
  tailSeconds?: number;
  withActorId?: string;
}

// ---------------------------------------------------------------------------------------------
// Reads (idempotent: retried once across a reconnect)
// ---------------------------------------------------------------------------------------------

export async function version(t: TalosTransport, node: NodeTarget, opts?: CallOptions): Promise<VersionResult> {
  const v = await t.one("Version", MachineServiceService.version, {}, node, opts, t.timeouts.read, true);
  const result: VersionResult = {
    tag: v.version?.tag ?? "",
    sha: v.version?.sha ?? "",
    built: v.version?.built ?? "",
    goVersion: v.version?.goVersion ?? "",
    os: v.version?.os ?? "",
    arch: v.version?.arch ?? "",
    rbac: v.features?.rbac ?? false,
  };
  if (v.platform) result.platform = { name: v.platform.name, mode: v.platform.mode };
  return result;
}

export async function hostname(t: TalosTransport, node: NodeTarget, opts?: CallOptions): Promise<string> {
  const msg = await t.one("Hostname", MachineServiceService.hostname, {}, node, opts, t.timeouts.read, true);
  return msg.hostname;
}

export async function memory(t: TalosTransport, node: NodeTarget, opts?: CallOptions): Promise<MemInfo> {
  const msg = await t.one("Memory", MachineServiceService.memory, {}, node, opts, t.timeouts.read, true);
  const m = msg.meminfo;
  if (!m) throw new AppError("internal", "Memory: no meminfo in the reply", { node: node ?? t.endpoint.host });
  return mapNumbers(m as unknown as Record<keyof GenMemInfo, string>);
}

/** What the fleet poller shows of /proc/meminfo, in kB. */
export interface MemoryReadings {
  memtotal: number;
  memavailable: number;
}

/**
 * `MemoryResponse` read for MemTotal and MemAvailable only, straight off the wire: the poller reads
 * every node's memory every few seconds, and the generated decoder turns all 40-odd MemInfo fields
 * into strings (then numbers) first. Field numbers from machine.proto: MemoryResponse{1 messages},
 * Memory{1 metadata, 2 meminfo}, MemInfo{1 memtotal, 3 memavailable}.
 */
export function decodeMemoryReadings(buf: Uint8Array): { messages: { metadata?: TalosMetadata; meminfo?: MemoryReadings }[] } {
  const r = new BinaryReader(buf);
  const messages: { metadata?: TalosMetadata; meminfo?: MemoryReadings }[] = [];
  while (r.pos < r.len) {
    const tag = r.uint32();
    if (tag !== ((1 << 3) | WireType.LengthDelimited)) {
      r.skip(tag & 7, tag >>> 3);
      continue;
    }
    const end = r.uint32() + r.pos;
    const msg: { metadata?: TalosMetadata; meminfo?: MemoryReadings } = {};
    while (r.pos < end) {
      const t = r.uint32();
      if (t === ((1 << 3) | WireType.LengthDelimited)) msg.metadata = TalosMetadata.decode(r, r.uint32());
      else if (t === ((2 << 3) | WireType.LengthDelimited)) {
        const infoEnd = r.uint32() + r.pos;
        const info: MemoryReadings = { memtotal: 0, memavailable: 0 };
        while (r.pos < infoEnd) {
          const f = r.uint32();
          if (f === ((1 << 3) | WireType.Varint)) info.memtotal = Number(r.uint64());
          else if (f === ((3 << 3) | WireType.Varint)) info.memavailable = Number(r.uint64());
          else r.skip(f & 7, f >>> 3);
        }
        msg.meminfo = info;
      } else r.skip(t & 7, t >>> 3);
    }
    messages.push(msg);
  }
  return { messages };
}

const MEMORY_READINGS = { ...MachineServiceService.memory, responseDeserialize: decodeMemoryReadings };

/** Memory, MemTotal and MemAvailable only (see {@link decodeMemoryReadings}); {@link memory} has every field. */
export async function memoryReadings(t: TalosTransport, node: NodeTarget, opts?: CallOptions): Promise<MemoryReadings> {
  const msg = await t.one("Memory", MEMORY_READINGS, {}, node, opts, t.timeouts.read, true);
  if (!msg.meminfo) throw new AppError("internal", "Memory: no meminfo in the reply", { node: node ?? t.endpoint.host });
  return msg.meminfo;
}

export async function loadAvg(t: TalosTransport, node: NodeTarget, opts?: CallOptions): Promise<LoadAvgResult> {
  const l = await t.one("LoadAvg", MachineServiceService.loadAvg, {}, node, opts, t.timeouts.read, true);
  return { load1: l.load1, load5: l.load5, load15: l.load15 };
}

export async function systemStat(t: TalosTransport, node: NodeTarget, opts?: CallOptions): Promise<SystemStatResult> {
  const s = await t.one("SystemStat", MachineServiceService.systemStat, {}, node, opts, t.timeouts.read, true);
  const out: SystemStatResult = {
    bootTime: num(s.bootTime),
    cpu: s.cpu,
    irqTotal: num(s.irqTotal),
    irq: s.irq.map(num),
    contextSwitches: num(s.contextSwitches),
    processCreated: num(s.processCreated),
    processRunning: num(s.processRunning),
    processBlocked: num(s.processBlocked),
    softIrqTotal: num(s.softIrqTotal),
  };
  if (s.cpuTotal) out.cpuTotal = s.cpuTotal;
  if (s.softIrq) out.softIrq = mapNumbers(s.softIrq as unknown as Record<keyof SoftIRQStat, string>);
  return out;
}

export async function serviceList(t: TalosTransport, node: NodeTarget, opts?: CallOptions): Promise<ServiceInfo[]> {
  const msg = await t.one("ServiceList", MachineServiceService.serviceList, {}, node, opts, t.timeouts.read, true);
  return msg.services.map(toServiceInfo);
}

export async function etcdMemberList(t: TalosTransport, node: NodeTarget, opts?: CallOptions & { queryLocal?: boolean }): Promise<EtcdMemberListResult> {
  const m = await t.one("EtcdMemberList", MachineServiceService.etcdMemberList, { queryLocal: opts?.queryLocal ?? false }, node, opts, t.timeouts.read, true);
  return { members: m.members.map(toEtcdMember), legacyMembers: m.legacyMembers };
}

export async function etcdStatus(t: TalosTransport, node: NodeTarget, opts?: CallOptions): Promise<EtcdStatusResult> {
  const msg = await t.one("EtcdStatus", MachineServiceService.etcdStatus, {}, node, opts, t.timeouts.read, true);
  const s = msg.memberStatus;
  if (!s) throw new AppError("internal", "EtcdStatus: no member status in the reply", { node: node ?? t.endpoint.host });
  return {
    memberId: s.memberId,
    storageVersion: s.storageVersion,
    protocolVersion: s.protocolVersion,
    dbSize: num(s.dbSize),
    dbSizeInUse: num(s.dbSizeInUse),
    leader: s.leader,
    raftIndex: s.raftIndex,
    raftTerm: s.raftTerm,
    raftAppliedIndex: s.raftAppliedIndex,
    errors: s.errors,
    isLearner: s.isLearner,
  };
}

/**
 * EtcdForfeitLeadership (admin, control planes): when this member leads etcd, moves leadership to
 * another member (Talos picks it) and returns that member's name; "" when this member did not
 * lead (nothing was done). Talos refuses it on a single-member cluster.
 */
export async function etcdForfeitLeadership(t: TalosTransport, node: NodeTarget, opts?: CallOptions): Promise<{ member: string }> {
  // Not retried: a retry after a lost reply would see this member no longer leads and return "".
  const msg = await t.one("EtcdForfeitLeadership", MachineServiceService.etcdForfeitLeadership, {}, node, opts, t.timeouts.power, false);
  return { member: msg.member };
}

export async function etcdAlarmList(t: TalosTransport, node: NodeTarget, opts?: CallOptions): Promise<EtcdAlarmResult[]> {
  const msg = await t.one("EtcdAlarmList", MachineServiceService.etcdAlarmList, {}, node, opts, t.timeouts.read, true);
  const names: Record<number, EtcdAlarmResult["alarm"]> = { 0: "none", 1: "nospace", 2: "corrupt" };
  return msg.memberAlarms.map((a) => ({ memberId: a.memberId, alarm: names[a.alarm] ?? "none" }));
}

// ---------------------------------------------------------------------------------------------
// Actions (never retried: a second apply or reboot is not the same request)
// ---------------------------------------------------------------------------------------------

export async function applyConfiguration(t: TalosTransport, node: NodeTarget, opts: ApplyConfigurationOptions): Promise<ApplyConfigurationResult> {
  const data = typeof opts.data === "string" ? Buffer.from(opts.data, "utf8") : Buffer.from(opts.data);
  const req = {
    data,
    mode: applyModes[opts.mode],
    dryRun: opts.dryRun ?? false,
    tryModeTimeout: opts.tryModeTimeoutSeconds !== undefined ? { seconds: String(Math.floor(opts.tryModeTimeoutSeconds)), nanos: 0 } : undefined,
  };
  const a = await t.one("ApplyConfiguration", MachineServiceService.applyConfiguration, req, node, opts, t.timeouts.apply, false);
  return { mode: applyModeName(a.mode), modeDetails: a.modeDetails, warnings: a.warnings };
}

export async function reboot(t: TalosTransport, node: NodeTarget, opts?: CallOptions & { mode?: RebootMode }): Promise<{ actorId: string }> {
  const mode = { default: RebootRequest_Mode.DEFAULT, powercycle: RebootRequest_Mode.POWERCYCLE, force: RebootRequest_Mode.FORCE }[opts?.mode ?? "default"];
  const msg = await t.one("Reboot", MachineServiceService.reboot, { mode }, node, opts, t.timeouts.power, false);
  return { actorId: msg.actorId };
}

export async function rollback(t: TalosTransport, node: NodeTarget, opts?: CallOptions): Promise<void> {
  await t.one("Rollback", MachineServiceService.rollback, {}, node, opts, t.timeouts.power, false);
}

export async function shutdown(t: TalosTransport, node: NodeTarget, opts?: CallOptions & { force?: boolean }): Promise<{ actorId: string }> {
  const msg = await t.one("Shutdown", MachineServiceService.shutdown, { force: opts?.force ?? false }, node, opts, t.timeouts.power, false);
  return { actorId: msg.actorId };
}

export async function upgradeLegacy(t: TalosTransport, node: NodeTarget, opts: LegacyUpgradeOptions): Promise<{ ack: string; actorId: string }> {
  const req = {
    image: opts.image,
    preserve: opts.preserve ?? false,
    stage: opts.stage ?? false,
    force: opts.force ?? false,
    rebootMode: opts.rebootMode === "powercycle" ? UpgradeRequest_RebootMode.POWERCYCLE : UpgradeRequest_RebootMode.DEFAULT,
  };
  const u = await t.one("Upgrade", MachineServiceService.upgrade, req, node, opts, t.timeouts.legacyUpgrade, false);
  return { ack: u.ack, actorId: u.actorId };
}

// ---------------------------------------------------------------------------------------------
// Events (a server stream)
// ---------------------------------------------------------------------------------------------

export async function* events(t: TalosTransport, node: NodeTarget, opts: EventsOptions = {}): AsyncGenerator<TalosEvent> {
  const req = { tailEvents: opts.tailEvents ?? 0, tailId: opts.tailId ?? "", tailSeconds: opts.tailSeconds ?? 0, withActorId: opts.withActorId ?? "" };
  for await (const e of t.stream(MachineServiceService.events, req, node, opts)) yield decodeEvent(e);
}

function toServiceInfo(s: GenServiceInfo): ServiceInfo {
  const out: ServiceInfo = {
    id: s.id,
    state: s.state,
    events: (s.events?.events ?? []).map((e) => (e.ts ? { msg: e.msg, state: e.state, ts: e.ts } : { msg: e.msg, state: e.state })),
  };
  if (s.health) {
    out.health = { unknown: s.health.unknown, healthy: s.health.healthy, lastMessage: s.health.lastMessage };
    if (s.health.lastChange) out.health.lastChange = s.health.lastChange;
  }
  return out;
}

function toEtcdMember(m: GenEtcdMember): EtcdMember {
  return { id: m.id, hostname: m.hostname, peerUrls: m.peerUrls, clientUrls: m.clientUrls, isLearner: m.isLearner };
}

// ---------------------------------------------------------------------------------------------
// Kubeconfig (a server stream of one tar.gz)
// ---------------------------------------------------------------------------------------------

/** An admin kubeconfig is a few kilobytes (three PEM blocks); anything near this is not one. */
export const MAX_KUBECONFIG_BYTES = 256 * 1024;

/**
 * `MachineService.Kubeconfig` (os:admin, control planes only): Talos generates an admin
 * kubeconfig and sends it as a tar.gz holding one file, `kubeconfig` (machined's server wraps it
 * "to match Copy protocol"), in `common.Data` chunks. Returns the kubeconfig YAML.
 * @throws AppError forbidden without os:admin, unsupported on a worker (Talos answers so), internal for a bad archive.
 */
export async function kubeconfig(t: TalosTransport, node: NodeTarget, opts?: CallOptions): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  const where = node ?? t.endpoint.host;
  for await (const d of t.stream(MachineServiceService.kubeconfig, {}, node, { signal: opts?.signal, timeoutMs: opts?.timeoutMs ?? t.timeouts.read })) {
    // Through apid a node's failure arrives in the message metadata rather than as a status.
    if (d.metadata?.error) throw new AppError("internal", `Kubeconfig: ${d.metadata.error}`, { node: where });
    size += d.bytes.length;
    if (size > MAX_KUBECONFIG_BYTES) throw new AppError("internal", `Kubeconfig: the archive is larger than ${MAX_KUBECONFIG_BYTES} bytes`, { node: where });
    chunks.push(d.bytes);
  }
  // The stream ends quietly when aborted: a cut archive must not be read as a whole one.
  opts?.signal?.throwIfAborted();
  const file = await readTarGzEntry(Buffer.concat(chunks), "kubeconfig", MAX_KUBECONFIG_BYTES, where);
  if (!file) throw new AppError("internal", "Kubeconfig: the archive from the node holds no kubeconfig", { node: where });
  return file.toString("utf8");
}
