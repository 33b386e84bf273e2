import "server-only";

import { X509Certificate } from "node:crypto";

import { connectivityState as ConnectivityState, Metadata, status as GrpcStatus, type ServiceError, type StatusObject } from "@grpc/grpc-js";

import { AppError } from "@/lib/server/platform/errors";
import type { Metadata as TalosMetadata } from "@/lib/third_party/talos-proto/gen/common/common";

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
import { isGrpcError, isServerCertificateError, metadataError, toAppError } from "./errors";

/**
 * How a call reaches a node: which endpoint it dials (failing over between a context's
 * endpoints), the `node` metadata that makes apid forward it, deadlines, one retry of idempotent
 * reads across a reconnect, and gRPC failures turned into AppErrors. The typed calls in ./api use
 * it; ./channel owns the channels themselves.
 */

// ---------------------------------------------------------------------------------------------
// Options
// ---------------------------------------------------------------------------------------------

/**
 * What the client needs from a talosconfig context (`TalosContext` from ./talosconfig fits).
 * Endpoints should be control-plane nodes: workers cannot forward (apid refuses with PermissionDenied "no request forwarding").
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

export interface StreamOptions {
  /** Cancels the stream; iteration then ends quietly. */
  signal?: AbortSignal;
  /** Optional deadline for the whole stream, in ms from now. */
  timeoutMs?: number;
}

/**
 * The node a call concerns: an address or name (as in the talosconfig `nodes`), or `undefined`
 * for the endpoint itself.
 */
export type NodeTarget = string | undefined;

// ---------------------------------------------------------------------------------------------
// Call plumbing
// ---------------------------------------------------------------------------------------------

/** The part of a generated grpc-js method definition a call needs. */
export interface MethodDef<Req, Res> {
  path: string;
  requestSerialize: (value: Req) => Buffer;
  responseDeserialize: (value: Buffer) => Res;
}

/** Cached proxied routes per transport (a fleet's nodes times its endpoints). */
const MAX_CACHED_ROUTES = 20_000;

interface Route {
  conn: Connection;
  metadata: Metadata;
  /** Whom to blame in errors: the node, or the endpoint. */
  node: string;
}

function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException("The operation was aborted", "AbortError");
}

/** grpc-js's `ServiceError` for a status: the same shape and message as its own client's. */
function serviceError(status: StatusObject): ServiceError {
  return Object.assign(new Error(`${status.code} ${GrpcStatus[status.code]}: ${status.details}`), status);
}

/**
 * One unary call on the channel itself, below grpc-js's `Client.makeUnaryRequest`: that wrapper
 * costs the poller a caller stack (`new Error()`), an EventEmitter and an interceptor chain per
 * call, about a tenth of its CPU, for features Minos does not use. Behaves as the wrapper does:
 * a non-OK status, a missing message, or a message that does not decode rejects with a
 * ServiceError; aborting the signal cancels the call.
 */
function callUnary<Req, Res>(route: Route, def: MethodDef<Req, Res>, req: Req, deadline: number, signal?: AbortSignal): Promise<Res> {
  return new Promise<Res>((resolve, reject) => {
    if (signal?.aborted) return reject(abortReason(signal));
    let payload: Buffer;
    try {
      payload = def.requestSerialize(req);
    } catch (e) {
      return reject(serviceError({ code: GrpcStatus.INTERNAL, details: `Request message serialization failure: ${e instanceof Error ? e.message : String(e)}`, metadata: new Metadata() }));
    }
    const call = route.conn.client.getChannel().createCall(def.path, deadline, undefined, null, undefined);
    let response: { value: Res } | null = null;
    let failure: StatusObject | null = null;
    const onAbort = () => call.cancelWithStatus(GrpcStatus.CANCELLED, "Cancelled on client");
    call.start(route.metadata, {
      onReceiveMetadata: () => {},
      // One startRead, so at most one message arrives (as in grpc-js's own unary call).
      onReceiveMessage: (message: Buffer) => {
        try {
          response = { value: def.responseDeserialize(message) };
        } catch (e) {
          failure = { code: GrpcStatus.INTERNAL, details: `Response message parsing error: ${e instanceof Error ? e.message : String(e)}`, metadata: new Metadata() };
          call.cancelWithStatus(failure.code, failure.details);
        }
      },
      onReceiveStatus: (status: StatusObject) => {
        signal?.removeEventListener("abort", onAbort);
        if (signal?.aborted) return reject(abortReason(signal));
        if (failure) return reject(serviceError(failure));
        if (status.code !== GrpcStatus.OK) return reject(serviceError(status));
        if (response === null) return reject(serviceError({ code: GrpcStatus.UNIMPLEMENTED, details: "No message received", metadata: status.metadata }));
        resolve(response.value);
      },
    });
    call.startRead();
    call.sendMessageWithContext({}, payload);
    call.halfClose();
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
// The transport
// ---------------------------------------------------------------------------------------------

/**
 * The calls of one talosconfig context. Channels are shared process-wide (see ./channel); a
 * transport itself is cheap. Failures are `AppError`s with the node attached (see ./errors).
 */
export class TalosTransport {
  readonly context: TalosClientContext;
  readonly routing: "proxy" | "direct";
  readonly timeouts: TalosTimeouts;
  private readonly nodePort: number;
  private readonly resolveNode: ((node: string) => Endpoint) | undefined;
  private current = 0;
  /** The identity's digest, computed once: connection lookups happen on every call. */
  private readonly fingerprint: string;
  private probe: Promise<Endpoint> | undefined;
  /** Proxied routes by connection and node (see {@link proxied}). */
  private readonly routes = new Map<string, Route>();
  private certNotAfter: Date | null | undefined;

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
    // One route per connection and node, reused by every call: the poller makes thousands of
    // calls a minute to the same nodes. grpc-js copies the metadata when a call starts
    // (ResolvingCall.start), so sharing it between calls in flight is safe.
    const key = node === undefined ? conn.key : `${conn.key}\n${node}`;
    const cached = this.routes.get(key);
    if (cached?.conn === conn) return cached;
    const metadata = new Metadata();
    let route: Route;
    if (node === undefined) route = { conn, metadata, node: conn.endpoint.host };
    else {
      const target = node.trim();
      if (target === "" || target.includes(",") || /^[^:]+:\d+$/.test(target) || target.startsWith("[")) {
        throw new AppError("bad_request", `invalid node target ${JSON.stringify(node)}: give one address or name, without a port`, { node });
      }
      metadata.set("node", target);
      route = { conn, metadata, node: target };
    }
    // Bounded by nodes × endpoints in practice; a caller inventing targets must not grow it for good.
    if (this.routes.size >= MAX_CACHED_ROUTES) this.routes.clear();
    this.routes.set(key, route);
    return route;
  }

  /**
   * One unary call with a deadline. Idempotent reads that fail with UNAVAILABLE because the channel
   * itself was down (a node or endpoint rebooting) wait for it to reconnect and retry once, within
   * the same deadline.
   */
  async unary<Req, Res>(def: MethodDef<Req, Res>, req: Req, node: NodeTarget, opts: CallOptions | undefined, defaultTimeout: number, idempotent: boolean): Promise<Res> {
    return (await this.unaryRouted(def, req, node, opts, defaultTimeout, idempotent)).res;
  }

  /** A wrapped unary call (`XResponse{messages}`), unwrapped to its one message. */
  async one<Req, T extends { metadata?: TalosMetadata | undefined }>(
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
  async *stream<Req, Res>(def: MethodDef<Req, Res>, req: Req, node: NodeTarget, opts: StreamOptions | undefined): AsyncGenerator<Res> {
    const signal = opts?.signal;
    if (signal?.aborted) return;
    const deadline = opts?.timeoutMs !== undefined ? Date.now() + opts.timeoutMs : undefined;
    const route = await this.route(node, deadline ?? Date.now() + this.timeouts.read);
    // Aborted while the route was found: the listener below would never fire, and a stream
    // without a deadline (events) would stay open for good.
    if (signal?.aborted) return;
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

  /** A finite server stream (COSI List), collected; an abort rejects with the signal's reason. */
  async collect<Req, Res>(def: MethodDef<Req, Res>, req: Req, node: NodeTarget, opts: CallOptions | undefined, defaultTimeout: number): Promise<Res[]> {
    const out: Res[] = [];
    for await (const m of this.stream(def, req, node, { signal: opts?.signal, timeoutMs: opts?.timeoutMs ?? defaultTimeout })) out.push(m);
    if (opts?.signal?.aborted) throw abortReason(opts.signal);
    return out;
  }
}
