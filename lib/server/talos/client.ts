import "server-only";

import { X509Certificate } from "node:crypto";

import { connectivityState as ConnectivityState, Metadata, status as GrpcStatus, type ClientUnaryCall } from "@grpc/grpc-js";

import { AppError } from "@/lib/server/http/errors";

import {
  APID_PORT,
  connectivityState,
  getConnection,
  parseEndpoint,
  tlsFingerprint,
  waitForReady,
  type Connection,
  type Endpoint,
  type TlsMaterial,
} from "./channel";
import {
  cosiEventTypeName,
  decodeResource,
  resourceKinds,
  toRawResource,
  type ClusterMemberValue,
  type CosiRawResource,
  type CosiResource,
  type CosiWatchEvent,
  type MachineStatusValue,
  type ResourceKind,
  type ServiceValue,
} from "./cosi";
import { isGrpcError, isServerCertificateError, isUnsupportedResourceType, metadataError, toAppError } from "./errors";
import { decodeEvent, type TalosEvent } from "./events";
import { StateService, type WatchRequest } from "./gen/cosi/state";
import { ContainerDriver, ContainerdNamespace, type Metadata as TalosMetadata } from "./gen/common/common";
import { ImageServicePullLayerProgress_Status, ImageServiceService } from "./gen/machine/image";
import { LifecycleServiceService } from "./gen/machine/lifecycle";
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
} from "./gen/machine/machine";
import { upgradeNode, type UpgradeOptions, type UpgradeResult } from "./upgrade";

// ---------------------------------------------------------------------------------------------
// Options and results
// ---------------------------------------------------------------------------------------------

/**
 * What the client needs from a talosconfig context (`TalosContext` from ./talosconfig fits).
 * Endpoints should be control-plane nodes: workers cannot forward (talos-api.md §2).
 */
export interface TalosClientContext extends TlsMaterial {
  name: string;
  endpoints: readonly Endpoint[];
  nodes?: readonly string[];
  roles?: readonly string[];
}

/** Default deadlines in milliseconds, per kind of call. */
export interface TalosTimeouts {
  /** Unary reads (Version, Memory, COSI Get…). */
  read: number;
  /** COSI List (a finite stream). */
  list: number;
  /** ApplyConfiguration, dry runs included. */
  apply: number;
  /** Reboot, Rollback, Shutdown. */
  power: number;
  /** Legacy MachineService/Upgrade (pulls and validates the image before it answers). */
  legacyUpgrade: number;
  /** ImageService/Pull of the installer. */
  imagePull: number;
  /** LifecycleService/Upgrade (the installer run). */
  lifecycleUpgrade: number;
  /** How long picking an endpoint may wait for one to connect. */
  endpointProbe: number;
}

export const DEFAULT_TIMEOUTS: TalosTimeouts = {
  read: 5_000,
  list: 10_000,
  apply: 60_000,
  power: 15_000,
  legacyUpgrade: 5 * 60_000,
  imagePull: 10 * 60_000,
  lifecycleUpgrade: 20 * 60_000,
  endpointProbe: 3_000,
};

export interface TalosClientOptions {
  /**
   * `proxy` (default): dial a control-plane endpoint and target the node with `node` metadata, as
   * talosctl does. `direct`: dial the node itself (`host` or `host:port`), no metadata.
   */
  routing?: "proxy" | "direct";
  /** Port for direct dials of nodes given without one. Default 50000. */
  nodePort?: number;
  /** Direct routing: where to dial a node (default: the node as `host[:port]`, port `nodePort`). */
  resolveNode?: (node: string) => Endpoint;
  timeouts?: Partial<TalosTimeouts>;
}

/** Per-call options. */
export interface CallOptions {
  /** Deadline for this call, in ms from now. */
  timeoutMs?: number;
  /** Aborting cancels the call; the promise rejects with the signal's reason. */
  signal?: AbortSignal;
}

/**
 * The node a call concerns: an address or name (as in the talosconfig `nodes`), or `undefined`
 * for the endpoint itself.
 */
export type NodeTarget = string | undefined;

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
export type ApplyMode = "reboot" | "auto" | "no-reboot" | "staged" | "try";

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

/** `system` (default, as talosctl), `cri` or `inmem` (talos-api.md §5). */
export type ContainerdTarget = "system" | "cri" | "inmem";

export function containerdInstance(target: ContainerdTarget = "system") {
  switch (target) {
    case "cri":
      return { driver: ContainerDriver.CRI, namespace: ContainerdNamespace.NS_CRI };
    case "inmem":
      return { driver: ContainerDriver.CONTAINERD, namespace: ContainerdNamespace.NS_SYSTEM };
    default:
      return { driver: ContainerDriver.CRI, namespace: ContainerdNamespace.NS_SYSTEM };
  }
}

export type ImagePullEvent =
  | { type: "done"; name: string }
  | {
      type: "progress";
      layerId: string;
      status: "downloading" | "download_complete" | "extracting" | "extract_complete" | "already_exists";
      offset: number;
      total: number;
    };

export type InstallProgressEvent = { type: "message"; message: string } | { type: "exit"; exitCode: number };

export interface StreamOptions {
  /** Cancels the stream; iteration then ends quietly. */
  signal?: AbortSignal;
  /** Optional deadline for the whole stream, in ms from now. */
  timeoutMs?: number;
}

export interface EventsOptions extends StreamOptions {
  /** Buffered events to replay first; negative means all. Not combinable with tailId/tailSeconds. */
  tailEvents?: number;
  tailId?: string;
  tailSeconds?: number;
  withActorId?: string;
}

export interface CosiListOptions extends CallOptions {
  /** Only ids matching this regexp. */
  idRegexp?: string;
}

export interface CosiWatchOptions extends StreamOptions {
  /** Watch one resource. */
  id?: string;
  /** Start with CREATED events for what exists (kind watches only). */
  bootstrapContents?: boolean;
  tailEvents?: number;
}

export interface CosiRawWatchEvent {
  type: CosiWatchEvent<unknown>["type"];
  resource?: CosiRawResource;
  old?: CosiRawResource;
  error?: string;
}

// ---------------------------------------------------------------------------------------------
// Low-level call plumbing
// ---------------------------------------------------------------------------------------------

interface MethodDef<Req, Res> {
  path: string;
  requestSerialize: (value: Req) => Buffer;
  responseDeserialize: (value: Buffer) => Res;
}

interface Route {
  conn: Connection;
  metadata: Metadata;
  /** Whom to blame in errors: the node, or the endpoint. */
  node: string;
}

function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException("The operation was aborted", "AbortError");
}

function callUnary<Req, Res>(route: Route, def: MethodDef<Req, Res>, req: Req, deadline: number, signal?: AbortSignal): Promise<Res> {
  return new Promise<Res>((resolve, reject) => {
    if (signal?.aborted) return reject(abortReason(signal));
    let call: ClientUnaryCall | undefined = undefined;
    const onAbort = () => call?.cancel();
    call = route.conn.client.makeUnaryRequest(
      def.path,
      def.requestSerialize,
      def.responseDeserialize,
      req,
      route.metadata,
      { deadline },
      (err, res) => {
        signal?.removeEventListener("abort", onAbort);
        if (err) reject(signal?.aborted ? abortReason(signal) : err);
        else resolve(res as Res);
      },
    );
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/** `XResponse{ repeated X messages }` → the one X; an error in its metadata becomes an AppError. */
function unwrap<T extends { metadata?: TalosMetadata | undefined }>(res: { messages: T[] }, node: string, method: string): T {
  const msg = res.messages[0];
  if (!msg) throw new AppError("internal", `${method}: empty response`, { node });
  const err = metadataError(msg.metadata, node);
  if (err) throw err;
  return msg;
}

const num = (s: string | undefined): number => (s === undefined || s === "" ? 0 : Number(s));

function mapNumbers<T extends Record<string, string>>(o: T): { [K in keyof T]: number } {
  const out = {} as { [K in keyof T]: number };
  for (const k of Object.keys(o) as (keyof T)[]) out[k] = num(o[k]);
  return out;
}

const pullStatus = {
  [ImageServicePullLayerProgress_Status.DOWNLOADING]: "downloading",
  [ImageServicePullLayerProgress_Status.DOWNLOAD_COMPLETE]: "download_complete",
  [ImageServicePullLayerProgress_Status.EXTRACTING]: "extracting",
  [ImageServicePullLayerProgress_Status.EXTRACT_COMPLETE]: "extract_complete",
  [ImageServicePullLayerProgress_Status.ALREADY_EXISTS]: "already_exists",
} as const;

/**
 * Resolves when one connection is READY, when every one has failed at least once
 * (TRANSIENT_FAILURE), or at the deadline. Starts connecting those that are idle.
 */
function waitForAnyReady(conns: Connection[], deadline: number): Promise<void> {
  return new Promise<void>((resolve) => {
    let done = false;
    const failed = new Set<number>();
    const finish = () => {
      if (!done) {
        done = true;
        resolve();
      }
    };
    conns.forEach((conn, i) => {
      const channel = conn.client.getChannel();
      const watch = (state: ConnectivityState) => {
        if (done) return;
        if (state === ConnectivityState.READY) return finish();
        if (state === ConnectivityState.TRANSIENT_FAILURE || state === ConnectivityState.SHUTDOWN) {
          failed.add(i);
          if (failed.size === conns.length) return finish();
        }
        if (state === ConnectivityState.SHUTDOWN) return;
        channel.watchConnectivityState(state, deadline, (err) => {
          if (err) return finish(); // deadline
          watch(channel.getConnectivityState(true));
        });
      };
      watch(channel.getConnectivityState(true));
    });
  });
}

// ---------------------------------------------------------------------------------------------
// The client
// ---------------------------------------------------------------------------------------------

/**
 * A Talos API client for one talosconfig context. Channels are shared process-wide (see
 * ./channel); the client itself is cheap. Every method takes the target node first and returns
 * plain objects; failures are `AppError`s with the node attached (see ./errors).
 */
export class TalosClient {
  readonly context: TalosClientContext;
  readonly routing: "proxy" | "direct";
  readonly timeouts: TalosTimeouts;
  private readonly nodePort: number;
  private readonly resolveNode: ((node: string) => Endpoint) | undefined;
  private current = 0;
  /** The identity's digest, computed once: connection lookups happen on every call. */
  private readonly fingerprint: string;
  private probe: Promise<Endpoint> | undefined;

  constructor(context: TalosClientContext, options: TalosClientOptions = {}) {
    if (context.endpoints.length === 0 && options.routing !== "direct") {
      throw new AppError("misconfigured", `talosconfig context ${JSON.stringify(context.name)} has no endpoints`);
    }
    this.context = context;
    this.routing = options.routing ?? "proxy";
    this.nodePort = options.nodePort ?? APID_PORT;
    this.resolveNode = options.resolveNode;
    this.timeouts = { ...DEFAULT_TIMEOUTS, ...options.timeouts };
    this.fingerprint = tlsFingerprint(context);
  }

  /** The roles of the client certificate (e.g. `["os:admin"]`), when the context carries them. */
  get roles(): readonly string[] {
    return this.context.roles ?? [];
  }

  /** The endpoint calls currently go through. */
  get endpoint(): Endpoint {
    const ep = this.context.endpoints[this.current];
    if (!ep) throw new AppError("misconfigured", `talosconfig context ${JSON.stringify(this.context.name)} has no endpoints`);
    return ep;
  }

  private endpointConnection(i: number): Connection {
    return getConnection(this.context.endpoints[i]!, this.context, this.fingerprint);
  }

  /**
   * Picks the first reachable endpoint (in talosconfig order) when the current one is not
   * connected. With one endpoint, or when the current one is READY, this costs nothing.
   */
  private endpointRoute(deadline: number): Connection | Promise<Connection> {
    const conn = this.endpointConnection(this.current);
    if (this.context.endpoints.length === 1) return conn;
    if (connectivityState(conn) === ConnectivityState.READY) return conn;
    this.probe ??= this.selectEndpoint(Math.min(deadline, Date.now() + this.timeouts.endpointProbe)).finally(() => {
      this.probe = undefined;
    });
    return this.probe.then(() => this.endpointConnection(this.current));
  }

  /**
   * Connects to every endpoint and makes the first (in order) that is READY current. Returns as
   * soon as one is READY, or once every endpoint has failed a connection attempt (so a bad CA or a
   * dead cluster fails fast), or at `deadline`; keeps the current endpoint if none is READY.
   */
  async selectEndpoint(deadline = Date.now() + this.timeouts.endpointProbe): Promise<Endpoint> {
    const conns = this.context.endpoints.map((_, i) => this.endpointConnection(i));
    const readyIndex = () => conns.findIndex((c) => connectivityState(c) === ConnectivityState.READY);
    if (readyIndex() < 0) await waitForAnyReady(conns, deadline);
    const idx = readyIndex();
    if (idx >= 0) this.current = idx;
    return this.endpoint;
  }

  /** Where a call goes; synchronous unless an endpoint has to be picked first. */
  private route(node: NodeTarget, deadline: number): Route | Promise<Route> {
    if (this.routing === "direct" && node !== undefined) {
      const ep = this.resolveNode ? this.resolveNode(node) : parseEndpoint(node, this.nodePort);
      return { conn: getConnection(ep, this.context, this.fingerprint), metadata: new Metadata(), node };
    }
    const conn = this.endpointRoute(deadline);
    return conn instanceof Promise ? conn.then((c) => this.proxied(c, node)) : this.proxied(conn, node);
  }

  private proxied(conn: Connection, node: NodeTarget): Route {
    const metadata = new Metadata();
    if (node === undefined) return { conn, metadata, node: conn.endpoint.host };
    const target = node.trim();
    if (target === "" || target.includes(",") || /^[^:]+:\d+$/.test(target) || target.startsWith("[")) {
      throw new AppError("bad_request", `invalid node target ${JSON.stringify(node)}: give one address or name, without a port`, { node });
    }
    metadata.set("node", target);
    return { conn, metadata, node: target };
  }

  /**
   * One unary call with a deadline. Idempotent reads that fail with UNAVAILABLE because the channel
   * itself was down (a node or endpoint rebooting) wait for it to reconnect and retry once, within
   * the same deadline.
   */
  private async unary<Req, Res>(def: MethodDef<Req, Res>, req: Req, node: NodeTarget, opts: CallOptions | undefined, defaultTimeout: number, idempotent: boolean): Promise<Res> {
    return (await this.unaryRouted(def, req, node, opts, defaultTimeout, idempotent)).res;
  }

  /** A wrapped unary call (`XResponse{messages}`), unwrapped to its one message. */
  private async one<Req, T extends { metadata?: TalosMetadata | undefined }>(
    method: string,
    def: MethodDef<Req, { messages: T[] }>,
    req: Req,
    node: NodeTarget,
    opts: CallOptions | undefined,
    defaultTimeout: number,
    idempotent: boolean,
  ): Promise<T> {
    const { res, node: target } = await this.unaryRouted(def, req, node, opts, defaultTimeout, idempotent);
    return unwrap(res, target, method);
  }

  private async unaryRouted<Req, Res>(def: MethodDef<Req, Res>, req: Req, node: NodeTarget, opts: CallOptions | undefined, defaultTimeout: number, idempotent: boolean): Promise<{ res: Res; node: string }> {
    const deadline = Date.now() + (opts?.timeoutMs ?? defaultTimeout);
    const signal = opts?.signal;
    const r = this.route(node, deadline);
    const route = r instanceof Promise ? await r : r;
    try {
      return { res: await callUnary(route, def, req, deadline, signal), node: route.node };
    } catch (err) {
      if (signal?.aborted) throw err;
      if (!idempotent || !this.lostConnection(err, route) || Date.now() >= deadline - 50) throw this.explain(toAppError(err, route.node));
      // Route again (another endpoint may be up), or wait for this channel to reconnect.
      const again = await this.route(node, deadline);
      if (again.conn === route.conn && !(await waitForReady(again.conn, deadline - 10))) throw this.explain(toAppError(err, route.node));
      try {
        return { res: await callUnary(again, def, req, deadline, signal), node: again.node };
      } catch (retryErr) {
        if (signal?.aborted) throw retryErr;
        throw this.explain(toAppError(retryErr, again.node));
      }
    }
  }

  /**
   * True when a call failed because the connection itself went away (the endpoint or a directly
   * dialed node rebooting): UNAVAILABLE other than a certificate failure, or a CANCELLED we did
   * not ask for (a dropped HTTP/2 session), with the channel no longer READY. A node that is
   * down behind a healthy endpoint is not this case: the endpoint answers UNAVAILABLE itself.
   */
  private lostConnection(err: unknown, route: Route): boolean {
    if (!isGrpcError(err)) return false;
    const transport = (err.code === GrpcStatus.UNAVAILABLE && !isServerCertificateError(err)) || err.code === GrpcStatus.CANCELLED;
    return transport && connectivityState(route.conn) !== ConnectivityState.READY;
  }

  private certNotAfter: Date | null | undefined;

  /**
   * Adds what the client knows to a bare connection failure: apid drops a handshake with an
   * expired client certificate without saying why.
   */
  private explain(err: AppError): AppError {
    if (err.code !== "node_unreachable") return err;
    if (this.certNotAfter === undefined) {
      try {
        this.certNotAfter = new Date(new X509Certificate(this.context.certPem).validTo);
      } catch {
        this.certNotAfter = null;
      }
    }
    if (this.certNotAfter && this.certNotAfter.getTime() < Date.now()) {
      const clientCertificateExpiredAt = this.certNotAfter.toISOString();
      return new AppError(err.code, `${err.message} (the client certificate expired at ${clientCertificateExpiredAt})`, {
        node: err.node,
        details: { ...(err.details as object | undefined), clientCertificateExpiredAt },
        cause: err.cause,
      });
    }
    return err;
  }

  /** A server stream as an async iterable: errors become AppErrors; an abort ends it quietly. */
  private async *stream<Req, Res>(def: MethodDef<Req, Res>, req: Req, node: NodeTarget, opts: StreamOptions | undefined): AsyncGenerator<Res> {
    const signal = opts?.signal;
    if (signal?.aborted) return;
    const deadline = opts?.timeoutMs !== undefined ? Date.now() + opts.timeoutMs : undefined;
    const route = await this.route(node, deadline ?? Date.now() + this.timeouts.read);
    const call = route.conn.client.makeServerStreamRequest(def.path, def.requestSerialize, def.responseDeserialize, req, route.metadata, deadline !== undefined ? { deadline } : {});
    const onAbort = () => call.cancel();
    signal?.addEventListener("abort", onAbort, { once: true });
    try {
      for await (const msg of call) yield msg as Res;
    } catch (err) {
      if (signal?.aborted) return;
      throw this.explain(toAppError(err, route.node));
    } finally {
      signal?.removeEventListener("abort", onAbort);
      call.cancel();
    }
  }

  private async collect<Req, Res>(def: MethodDef<Req, Res>, req: Req, node: NodeTarget, opts: CallOptions | undefined, defaultTimeout: number): Promise<Res[]> {
    const out: Res[] = [];
    for await (const m of this.stream(def, req, node, { signal: opts?.signal, timeoutMs: opts?.timeoutMs ?? defaultTimeout })) out.push(m);
    if (opts?.signal?.aborted) throw abortReason(opts.signal);
    return out;
  }

  // -------------------------------------------------------------------------------------------
  // MachineService reads
  // -------------------------------------------------------------------------------------------

  async version(node: NodeTarget, opts?: CallOptions): Promise<VersionResult> {
    const v = await this.one("Version", MachineServiceService.version, {}, node, opts, this.timeouts.read, true);
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

  async hostname(node: NodeTarget, opts?: CallOptions): Promise<string> {
    const msg = await this.one("Hostname", MachineServiceService.hostname, {}, node, opts, this.timeouts.read, true);
    return msg.hostname;
  }

  /** /proc/meminfo, in kB. */
  async memory(node: NodeTarget, opts?: CallOptions): Promise<MemInfo> {
    const msg = await this.one("Memory", MachineServiceService.memory, {}, node, opts, this.timeouts.read, true);
    const m = msg.meminfo;
    if (!m) throw new AppError("internal", "Memory: no meminfo in the reply", { node: node ?? this.endpoint.host });
    return mapNumbers(m as unknown as Record<keyof GenMemInfo, string>);
  }

  async loadAvg(node: NodeTarget, opts?: CallOptions): Promise<LoadAvgResult> {
    const l = await this.one("LoadAvg", MachineServiceService.loadAvg, {}, node, opts, this.timeouts.read, true);
    return { load1: l.load1, load5: l.load5, load15: l.load15 };
  }

  async systemStat(node: NodeTarget, opts?: CallOptions): Promise<SystemStatResult> {
    const s = await this.one("SystemStat", MachineServiceService.systemStat, {}, node, opts, this.timeouts.read, true);
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

  async serviceList(node: NodeTarget, opts?: CallOptions): Promise<ServiceInfo[]> {
    const msg = await this.one("ServiceList", MachineServiceService.serviceList, {}, node, opts, this.timeouts.read, true);
    return msg.services.map(toServiceInfo);
  }

  /** Control planes only. `queryLocal` asks only the node's own etcd. */
  async etcdMemberList(node: NodeTarget, opts?: CallOptions & { queryLocal?: boolean }): Promise<EtcdMemberListResult> {
    const m = await this.one("EtcdMemberList", MachineServiceService.etcdMemberList, { queryLocal: opts?.queryLocal ?? false }, node, opts, this.timeouts.read, true);
    return { members: m.members.map(toEtcdMember), legacyMembers: m.legacyMembers };
  }

  /** Control planes only. */
  async etcdStatus(node: NodeTarget, opts?: CallOptions): Promise<EtcdStatusResult> {
    const msg = await this.one("EtcdStatus", MachineServiceService.etcdStatus, {}, node, opts, this.timeouts.read, true);
    const s = msg.memberStatus;
    if (!s) throw new AppError("internal", "EtcdStatus: no member status in the reply", { node: node ?? this.endpoint.host });
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

  async etcdAlarmList(node: NodeTarget, opts?: CallOptions): Promise<EtcdAlarmResult[]> {
    const msg = await this.one("EtcdAlarmList", MachineServiceService.etcdAlarmList, {}, node, opts, this.timeouts.read, true);
    const names: Record<number, EtcdAlarmResult["alarm"]> = { 0: "none", 1: "nospace", 2: "corrupt" };
    return msg.memberAlarms.map((a) => ({ memberId: a.memberId, alarm: names[a.alarm] ?? "none" }));
  }

  // -------------------------------------------------------------------------------------------
  // MachineService actions (never retried)
  // -------------------------------------------------------------------------------------------

  /** Admin only. Talos runs one apply at a time: a concurrent one fails with `conflict`. */
  async applyConfiguration(node: NodeTarget, opts: ApplyConfigurationOptions): Promise<ApplyConfigurationResult> {
    const data = typeof opts.data === "string" ? Buffer.from(opts.data, "utf8") : Buffer.from(opts.data);
    const req = {
      data,
      mode: applyModes[opts.mode],
      dryRun: opts.dryRun ?? false,
      tryModeTimeout: opts.tryModeTimeoutSeconds !== undefined ? { seconds: String(Math.floor(opts.tryModeTimeoutSeconds)), nanos: 0 } : undefined,
    };
    const a = await this.one("ApplyConfiguration", MachineServiceService.applyConfiguration, req, node, opts, this.timeouts.apply, false);
    return { mode: applyModeName(a.mode), modeDetails: a.modeDetails, warnings: a.warnings };
  }

  /** Operator or admin. Returns the actor id to follow in `events`. */
  async reboot(node: NodeTarget, opts?: CallOptions & { mode?: RebootMode }): Promise<{ actorId: string }> {
    const mode = { default: RebootRequest_Mode.DEFAULT, powercycle: RebootRequest_Mode.POWERCYCLE, force: RebootRequest_Mode.FORCE }[opts?.mode ?? "default"];
    const msg = await this.one("Reboot", MachineServiceService.reboot, { mode }, node, opts, this.timeouts.power, false);
    return { actorId: msg.actorId };
  }

  /** Admin only. Reverts the bootloader to the previous entry, then reboots. */
  async rollback(node: NodeTarget, opts?: CallOptions): Promise<void> {
    await this.one("Rollback", MachineServiceService.rollback, {}, node, opts, this.timeouts.power, false);
  }

  /** Operator or admin. */
  async shutdown(node: NodeTarget, opts?: CallOptions & { force?: boolean }): Promise<{ actorId: string }> {
    const msg = await this.one("Shutdown", MachineServiceService.shutdown, { force: opts?.force ?? false }, node, opts, this.timeouts.power, false);
    return { actorId: msg.actorId };
  }

  /** The deprecated `MachineService/Upgrade` (admin); prefer {@link upgrade}, which picks the path. */
  async upgradeLegacy(node: NodeTarget, opts: LegacyUpgradeOptions): Promise<{ ack: string; actorId: string }> {
    const req = {
      image: opts.image,
      preserve: opts.preserve ?? false,
      stage: opts.stage ?? false,
      force: opts.force ?? false,
      rebootMode: opts.rebootMode === "powercycle" ? UpgradeRequest_RebootMode.POWERCYCLE : UpgradeRequest_RebootMode.DEFAULT,
    };
    const u = await this.one("Upgrade", MachineServiceService.upgrade, req, node, opts, this.timeouts.legacyUpgrade, false);
    return { ack: u.ack, actorId: u.actorId };
  }

  /**
   * Upgrades a node the way talosctl does: Version decides the path; ≥ 1.13 pulls the installer
   * (ImageService/Pull), runs LifecycleService/Upgrade and reboots; older nodes (or `stage`) use
   * the legacy MachineService/Upgrade. See ./upgrade.
   */
  upgrade(node: string, opts: UpgradeOptions): Promise<UpgradeResult> {
    return upgradeNode(this, node, opts);
  }

  // -------------------------------------------------------------------------------------------
  // Streams
  // -------------------------------------------------------------------------------------------

  /**
   * The node's event stream. The first item is the `hello` event (the stream is live). Ends when
   * `signal` aborts; fails with an AppError when the node goes away (reconnect with `tailEvents: -1`).
   */
  async *events(node: NodeTarget, opts: EventsOptions = {}): AsyncGenerator<TalosEvent> {
    const req = { tailEvents: opts.tailEvents ?? 0, tailId: opts.tailId ?? "", tailSeconds: opts.tailSeconds ?? 0, withActorId: opts.withActorId ?? "" };
    for await (const e of this.stream(MachineServiceService.events, req, node, opts)) yield decodeEvent(e);
  }

  /** Operator or admin. Pulls an image into containerd (1.13+). */
  async *imagePull(node: NodeTarget, opts: StreamOptions & { image: string; containerd?: ContainerdTarget }): AsyncGenerator<ImagePullEvent> {
    const req = { containerd: containerdInstance(opts.containerd), imageRef: opts.image };
    const streamOpts = { signal: opts.signal, timeoutMs: opts.timeoutMs ?? this.timeouts.imagePull };
    for await (const m of this.stream(ImageServiceService.pull, req, node, streamOpts)) {
      const r = m.response;
      if (r?.$case === "name") yield { type: "done", name: r.name };
      else if (r?.$case === "pullProgress") {
        const p = r.pullProgress.progress;
        yield {
          type: "progress",
          layerId: r.pullProgress.layerId,
          status: pullStatus[p?.status as keyof typeof pullStatus] ?? "downloading",
          offset: num(p?.offset),
          total: num(p?.total),
        };
      }
    }
  }

  /** Admin only. Runs the installer from `image` (1.13+); ends with one `exit` event. */
  async *lifecycleUpgrade(node: NodeTarget, opts: StreamOptions & { image: string; containerd?: ContainerdTarget }): AsyncGenerator<InstallProgressEvent> {
    const req = { containerd: containerdInstance(opts.containerd), source: { imageName: opts.image } };
    const streamOpts = { signal: opts.signal, timeoutMs: opts.timeoutMs ?? this.timeouts.lifecycleUpgrade };
    for await (const m of this.stream(LifecycleServiceService.upgrade, req, node, streamOpts)) {
      const r = m.progress?.response;
      if (r?.$case === "message") yield { type: "message", message: r.message };
      else if (r?.$case === "exitCode") yield { type: "exit", exitCode: r.exitCode };
    }
  }

  // -------------------------------------------------------------------------------------------
  // COSI (cosi.resource.State)
  // -------------------------------------------------------------------------------------------

  /** One resource, raw. A missing one is `not_found`; a sensitive type without admin is `forbidden`. */
  async cosiGet(node: NodeTarget, namespace: string, type: string, id: string, opts?: CallOptions): Promise<CosiRawResource> {
    const res = await this.unary(StateService.get, { namespace, type, id, options: {} }, node, opts, this.timeouts.read, true);
    if (!res.resource) throw new AppError("not_found", `${type} ${id} not found`, { node });
    return toRawResource(res.resource);
  }

  async cosiList(node: NodeTarget, namespace: string, type: string, opts?: CosiListOptions): Promise<CosiRawResource[]> {
    const req = { namespace, type, options: { labelQuery: [], idQuery: opts?.idRegexp !== undefined ? { regexp: opts.idRegexp } : undefined } };
    const items = await this.collect(StateService.list, req, node, opts, this.timeouts.list);
    return items.flatMap((m) => (m.resource ? [toRawResource(m.resource)] : []));
  }

  /**
   * Watches a type (or one id). The server's first, empty message (the watch is ready) is skipped.
   * Runs until `signal` aborts.
   */
  async *cosiWatch(node: NodeTarget, namespace: string, type: string, opts: CosiWatchOptions = {}): AsyncGenerator<CosiRawWatchEvent> {
    const req: WatchRequest = {
      namespace,
      type,
      options: { bootstrapContents: opts.bootstrapContents ?? false, tailEvents: opts.tailEvents ?? 0, labelQuery: [], aggregated: false, bootstrapBookmark: false },
      apiVersion: 1,
    };
    if (opts.id !== undefined) req.id = opts.id;
    for await (const m of this.stream(StateService.watch, req, node, opts)) {
      for (const e of m.event) {
        const ev: CosiRawWatchEvent = { type: cosiEventTypeName(e.eventType) };
        if (e.resource) ev.resource = toRawResource(e.resource);
        if (e.old) ev.old = toRawResource(e.old);
        if (e.error) ev.error = e.error;
        yield ev;
      }
    }
  }

  /** A typed resource (see `resourceKinds` in ./cosi). */
  async getResource<T>(node: NodeTarget, kind: ResourceKind<T>, id?: string, opts?: CallOptions): Promise<CosiResource<T>> {
    const rid = id ?? kind.defaultId;
    if (rid === undefined) throw new AppError("bad_request", `${kind.type} needs an id`, { node });
    const raw = await this.cosiGet(node, kind.namespace, kind.type, rid, opts);
    return decodeResource(kind, raw);
  }

  async listResources<T>(node: NodeTarget, kind: ResourceKind<T>, opts?: CosiListOptions): Promise<CosiResource<T>[]> {
    const raws = await this.cosiList(node, kind.namespace, kind.type, opts);
    return raws.map((r) => decodeResource(kind, r));
  }

  async *watchResource<T>(node: NodeTarget, kind: ResourceKind<T>, opts: CosiWatchOptions = {}): AsyncGenerator<CosiWatchEvent<T>> {
    for await (const e of this.cosiWatch(node, kind.namespace, kind.type, opts)) {
      const ev: CosiWatchEvent<T> = { type: e.type };
      if (e.resource) ev.resource = decodeResource(kind, e.resource);
      if (e.old) ev.old = decodeResource(kind, e.old);
      if (e.error) ev.error = e.error;
      yield ev;
    }
  }

  /** The active machine config (`v1alpha1`) or the persisted one (`persistent`), as submitted. Admin only. */
  async machineConfig(node: NodeTarget, opts?: CallOptions & { id?: "v1alpha1" | "persistent" }): Promise<{ yaml: string; version: string; updated?: Date }> {
    const r = await this.getResource(node, resourceKinds.machineConfig, opts?.id ?? "v1alpha1", opts);
    const out: { yaml: string; version: string; updated?: Date } = { yaml: r.spec.yaml, version: r.metadata.version };
    if (r.metadata.updated) out.updated = r.metadata.updated;
    return out;
  }

  async machineStatus(node: NodeTarget, opts?: CallOptions): Promise<MachineStatusValue> {
    return (await this.getResource(node, resourceKinds.machineStatus, undefined, opts)).spec;
  }

  /** The Talos version from COSI `Versions.runtime.talos.dev` (reader-visible, no MachineService call). */
  async talosVersion(node: NodeTarget, opts?: CallOptions): Promise<string> {
    return (await this.getResource(node, resourceKinds.version, undefined, opts)).spec.version;
  }

  /** The boot ID (`BootIDs.runtime.talos.dev`, 1.14+): changes on every boot. */
  async bootId(node: NodeTarget, opts?: CallOptions): Promise<string> {
    try {
      return (await this.getResource(node, resourceKinds.bootId, undefined, opts)).spec;
    } catch (err) {
      // Talos's access filter answers PermissionDenied for types it does not know (before 1.14).
      if (err instanceof AppError && isUnsupportedResourceType(err, resourceKinds.bootId.type)) {
        throw new AppError("unsupported", `${err.message} (BootIDs need Talos 1.14 or newer)`, { node: err.node, details: err.details, cause: err });
      }
      throw err;
    }
  }

  /** Services from COSI, by id. */
  async services(node: NodeTarget, opts?: CosiListOptions): Promise<Record<string, ServiceValue>> {
    const list = await this.listResources(node, resourceKinds.service, opts);
    return Object.fromEntries(list.map((r) => [r.metadata.id, r.spec]));
  }

  /** Cluster members from discovery (`Members.cluster.talos.dev`). */
  /** Members with their resource id: Talos names each after the node (member.go: affiliate Nodename). */
  async clusterMembers(node: NodeTarget, opts?: CosiListOptions): Promise<(ClusterMemberValue & { id: string })[]> {
    return (await this.listResources(node, resourceKinds.clusterMember, opts)).map((r) => ({ ...r.spec, id: r.metadata.id }));
  }
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

/** A client for one talosconfig context. */
export function createTalosClient(context: TalosClientContext, options?: TalosClientOptions): TalosClient {
  return new TalosClient(context, options);
}
