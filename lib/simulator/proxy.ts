/**
 * apid's front half, in process: authenticate the client certificate, pick the target node from
 * `node`/`nodes` metadata (as apid's backend router does), refuse forwarding on workers, honour the target's
 * faults, then let the target's "machined" check the caller's roles and run the method.
 *
 * Forwarding is an in-process dispatch rather than a second gRPC hop: the entry node calls the
 * target's handler directly with the caller's roles, after checking that the target is reachable
 * (else UNAVAILABLE, like a refused dial) and applying its `slow` delay. Streams forwarded to a
 * node end with UNAVAILABLE when that node goes away, as a proxied stream would.
 */
import { isIP } from "node:net";

import {
  type handleServerStreamingCall,
  type handleUnaryCall,
  type Metadata,
  type ServerUnaryCall,
  type ServerWritableStream,
} from "@grpc/grpc-js";

import type { Metadata as TalosMetadata } from "../third_party/talos-proto/gen/common/common";
import { hasExactlyClientAuthEku, isAuthorized, ROLE_METADATA_KEY, rolesFromCertificate } from "./authz";
import { TALOS_API_PORT, TALOS_ROLES } from "../talos/constants";
import { sleep } from "./clock";
import { invalidArgument, notAuthorized, permissionDenied, SimError, toGrpcError, unavailable, unimplemented } from "./errors";
import type { SimNode } from "./node-state";

export interface CallContext {
  method: string;
  roles: ReadonlySet<string>;
  /** The node whose listener received the call. */
  entry: SimNode;
  metadata: Metadata;
}

/** How the fleet finds nodes by the names clients use. */
export interface NodeDirectory {
  /** A node by address or hostname, anywhere in the fleet. */
  find(target: string): SimNode | undefined;
  /** In `ports` mode every node shares 127.0.0.1, so addresses cannot name a node. */
  addressesAreShared: boolean;
}

type AnyCall = ServerUnaryCall<unknown, unknown> | ServerWritableStream<unknown, unknown>;

/** Roles from the verified client certificate (apid's authz injector). */
export function authenticate(call: AnyCall): Set<string> {
  const cert = call.getAuthContext?.()?.sslPeerCertificate;
  if (!cert) throw unavailable("connection error: desc = \"transport: authentication handshake failed: tls: certificate required\"");
  if (!hasExactlyClientAuthEku(cert)) {
    // Talos fails the TLS handshake (verifyExtKeyUsage); grpc-js only lets us refuse per call.
    throw unavailable("connection error: desc = \"transport: authentication handshake failed: x509: certificate specifies an incompatible key usage\"");
  }
  let roles = rolesFromCertificate(cert);
  if (roles.includes(TALOS_ROLES.impersonator)) {
    const passed = call.metadata.get(ROLE_METADATA_KEY).map(String);
    if (passed.length > 0) roles = passed;
  }
  return new Set(roles);
}

function metadataValues(md: Metadata, key: string): string[] {
  return md
    .get(key)
    .map(String)
    .flatMap((v) => v.split(","))
    .map((v) => v.trim())
    .filter((v) => v !== "");
}

function checkTargetSyntax(t: string): void {
  // One host or IP, no port: apid answers "invalid target" otherwise.
  if (isIP(t) === 0 && (t.includes(":") || t.includes("/") || t.includes(" "))) throw invalidArgument("invalid target");
  if (t.startsWith("[")) throw invalidArgument("invalid target");
}

export type Targets = { kind: "single"; node: SimNode } | { kind: "multi"; targets: { name: string; node: SimNode | undefined }[] };

/** Resolves the call's targets from `node`/`nodes` metadata as apid does. Throws the errors apid would return. */
export function resolveTargets(ctx: CallContext, dir: NodeDirectory, allowMulti: boolean): Targets {
  const single = metadataValues(ctx.metadata, "node");
  const multi = metadataValues(ctx.metadata, "nodes");
  if (single.length > 1) throw invalidArgument("invalid target");
  if (single.length === 1) {
    const t = single[0]!;
    checkTargetSyntax(t);
    return { kind: "single", node: forwardTo(ctx.entry, t, dir) };
  }
  if (multi.length > 0) {
    if (!allowMulti) throw invalidArgument("one-2-many proxying is not supported");
    for (const t of multi) checkTargetSyntax(t);
    if (ctx.entry.role === "worker" && multi.some((t) => !isSelf(ctx.entry, t, dir))) throw permissionDenied("no request forwarding");
    return { kind: "multi", targets: multi.map((name) => ({ name, node: lookup(ctx.entry, name, dir) })) };
  }
  return { kind: "single", node: ctx.entry };
}

function isSelf(entry: SimNode, t: string, dir: NodeDirectory): boolean {
  return t === entry.hostname || t === entry.id || (t === entry.address && !dir.addressesAreShared) || (dir.addressesAreShared && t === "127.0.0.1");
}

function lookup(entry: SimNode, t: string, dir: NodeDirectory): SimNode | undefined {
  if (isSelf(entry, t, dir)) return entry;
  const n = dir.addressesAreShared && t === "127.0.0.1" ? undefined : dir.find(t);
  // Other clusters have their own CA in real life, so the forwarded handshake would fail.
  return n && n.cluster === entry.cluster ? n : undefined;
}

function forwardTo(entry: SimNode, t: string, dir: NodeDirectory): SimNode {
  if (isSelf(entry, t, dir)) return entry;
  if (entry.role === "worker") throw permissionDenied("no request forwarding");
  const n = lookup(entry, t, dir);
  if (!n) {
    const other = dir.find(t);
    if (other) throw unavailable(`connection error: desc = "transport: authentication handshake failed: tls: failed to verify certificate: x509: certificate signed by unknown authority"`);
    throw unavailable(`connection error: desc = "transport: Error while dialing: dial tcp ${t}:${TALOS_API_PORT}: connect: connection refused"`);
  }
  return n;
}

/** The target's reachability and `slow` fault, as seen through the entry node. */
export async function gate(ctx: CallContext, target: SimNode): Promise<void> {
  if (target !== ctx.entry && !target.reachable) {
    throw unavailable(`connection error: desc = "transport: Error while dialing: dial tcp ${target.address}:${target.port}: connect: connection refused"`);
  }
  const delay = (ctx.entry.faults.slowMs ?? 0) + (target !== ctx.entry ? (target.faults.slowMs ?? 0) : 0);
  if (delay > 0) await sleep(delay);
  if (!target.reachable && target !== ctx.entry) throw unavailable("connection error: desc = \"error reading from server: EOF\"");
  maintenanceGate(ctx, target);
}

/**
 * What a node in maintenance mode (no config, e.g. after a reset that wiped STATE) still serves:
 * the resource API, Version and ApplyConfiguration (how a config gets there), as Talos's
 * maintenance service; other MachineService methods answer grpc-go's Unimplemented.
 */
const MAINTENANCE_METHODS = new Set(["/machine.MachineService/ApplyConfiguration", "/machine.MachineService/Version", "/machine.MachineService/Reboot", "/machine.MachineService/Reset", "/machine.MachineService/Shutdown"]);

function maintenanceGate(ctx: CallContext, target: SimNode): void {
  if (target.stage !== "maintenance" || ctx.method.startsWith("/cosi.") || MAINTENANCE_METHODS.has(ctx.method)) return;
  throw unimplemented(`method ${ctx.method.slice(ctx.method.lastIndexOf("/") + 1)} not implemented`);
}

export function authorize(ctx: CallContext): void {
  if (!isAuthorized(ctx.roles, ctx.method)) throw notAuthorized();
}

function statusOf(e: unknown): { code: number; message: string } {
  const g = toGrpcError(e);
  return { code: g.code, message: g.message };
}

/** Per-target metadata of one-to-many replies (the only case where apid fills it in). */
function metaFor(name: string, error?: unknown): TalosMetadata {
  if (error === undefined) return { hostname: name, error: "", status: undefined };
  const s = statusOf(error);
  return { hostname: name, error: s.message, status: { code: s.code, message: s.message, details: [] } };
}

export interface HandlerEnv {
  entry: SimNode;
  dir: NodeDirectory;
}

type WithMeta = { metadata?: TalosMetadata | undefined };

/**
 * A wrapped unary method (`XResponse{messages: [X]}`): `impl` produces the target's X.
 * `nodes` fan-out is allowed for MachineService methods, as in Talos.
 */
export function unary<Req, X extends WithMeta>(
  env: HandlerEnv,
  method: string,
  /** The generated message fns of X: fills defaults for the error-only replies of a fan-out. */
  message: { fromPartial(o: object): X },
  impl: (ctx: CallContext, node: SimNode, req: Req) => Promise<X> | X,
): handleUnaryCall<Req, { messages: X[] }> {
  const allowMulti = method.startsWith("/machine.MachineService/");
  return (call, callback) => {
    void (async () => {
      const roles = authenticate(call as AnyCall);
      const ctx: CallContext = { method, roles, entry: env.entry, metadata: call.metadata };
      const targets = resolveTargets(ctx, env.dir, allowMulti);
      if (targets.kind === "single") {
        await gate(ctx, targets.node);
        authorize(ctx);
        return { messages: [await impl(ctx, targets.node, call.request)] };
      }
      const messages = await Promise.all(
        targets.targets.map(async ({ name, node }) => {
          try {
            if (!node) throw unavailable(`connection error: desc = "transport: Error while dialing: dial tcp ${name}:${TALOS_API_PORT}: connect: connection refused"`);
            await gate(ctx, node);
            authorize(ctx);
            const x = await impl(ctx, node, call.request);
            return { ...x, metadata: metaFor(name) };
          } catch (e) {
            return message.fromPartial({ metadata: metaFor(name, e) });
          }
        }),
      );
      return { messages };
    })().then(
      (res) => callback(null, res),
      (e) => callback(toGrpcError(e)),
    );
  };
}

/** An unwrapped unary method (COSI Get): single target only. */
export function unaryRaw<Req, Res>(
  env: HandlerEnv,
  method: string,
  impl: (ctx: CallContext, node: SimNode, req: Req) => Promise<Res> | Res,
): handleUnaryCall<Req, Res> {
  return (call, callback) => {
    void (async () => {
      const roles = authenticate(call as AnyCall);
      const ctx: CallContext = { method, roles, entry: env.entry, metadata: call.metadata };
      const targets = resolveTargets(ctx, env.dir, false);
      if (targets.kind !== "single") throw invalidArgument("one-2-many proxying is not supported");
      await gate(ctx, targets.node);
      authorize(ctx);
      return impl(ctx, targets.node, call.request);
    })().then(
      (res) => callback(null, res),
      (e) => callback(toGrpcError(e)),
    );
  };
}

/** Output side of a simulated server stream. */
export interface StreamSink<X> {
  write(msg: X): void;
  /** Set once the client went away or the target became unreachable. */
  readonly aborted: boolean;
  /** Runs `fn` on abort (immediately if already aborted); returns an unregister function. */
  onAbort(fn: () => void): () => void;
  /**
   * Resolves when the client has taken what was written (HTTP/2 flow control), or on abort: a
   * producer that waits for it sends only as fast as the client reads, as Talos's blocking Send.
   */
  writable(): Promise<void>;
}

class Sink<X> implements StreamSink<X> {
  aborted = false;
  private readonly fns = new Set<() => void>();
  private backedUp = false;
  private waiters: (() => void)[] = [];
  /** `out` answers false when the call's buffer is full (Writable.write). */
  constructor(private readonly out: (msg: X) => boolean) {}
  write(msg: X): void {
    if (!this.aborted && !this.out(msg)) this.backedUp = true;
  }
  writable(): Promise<void> {
    if (!this.backedUp || this.aborted) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }
  drained(): void {
    this.backedUp = false;
    const w = this.waiters;
    this.waiters = [];
    for (const fn of w) fn();
  }
  onAbort(fn: () => void): () => void {
    if (this.aborted) {
      fn();
      return () => {};
    }
    this.fns.add(fn);
    return () => this.fns.delete(fn);
  }
  abort(): void {
    if (this.aborted) return;
    this.aborted = true;
    for (const fn of this.fns) fn();
    this.fns.clear();
    this.drained();
  }
}

/**
 * A server-streaming method. `impl` resolves when the stream is complete (or never, for watches,
 * which end when the client cancels or the node goes away).
 */
export function serverStream<Req, X extends WithMeta | object>(
  env: HandlerEnv,
  method: string,
  impl: (ctx: CallContext, node: SimNode, req: Req, sink: StreamSink<X>) => Promise<void>,
  opts: { allowMulti?: boolean } = {},
): handleServerStreamingCall<Req, X> {
  return (call) => {
    let finished = false;
    const sinks: Sink<X>[] = [];
    const finish = (err?: unknown) => {
      if (finished) return;
      finished = true;
      for (const s of sinks) s.abort();
      if (err === undefined) call.end();
      else call.emit("error", toGrpcError(err));
    };
    call.on("drain", () => {
      for (const s of sinks) s.drained();
    });
    call.on("cancelled", () => {
      finished = true;
      for (const s of sinks) s.abort();
    });
    void (async () => {
      const roles = authenticate(call as AnyCall);
      const ctx: CallContext = { method, roles, entry: env.entry, metadata: call.metadata };
      const targets = resolveTargets(ctx, env.dir, opts.allowMulti ?? false);
      const list =
        targets.kind === "single"
          ? [{ name: "", node: targets.node as SimNode | undefined, multi: false }]
          : targets.targets.map((t) => ({ ...t, multi: true }));
      await Promise.all(
        list.map(async ({ name, node, multi }) => {
          const sink = new Sink<X>((msg) => {
            if (finished) return true;
            return call.write(multi ? ({ ...msg, metadata: metaFor(name) } as X) : msg);
          });
          sinks.push(sink);
          try {
            if (!node) throw unavailable(`connection error: desc = "transport: Error while dialing: dial tcp ${name}:${TALOS_API_PORT}: connect: connection refused"`);
            await gate(ctx, node);
            authorize(ctx);
            // A stream through this entry to another node breaks when that node goes away.
            const unsub = node.onUnreachable(() => {
              if (!sink.aborted) {
                sink.abort();
                if (!multi) finish(unavailable("error reading from server: EOF"));
              }
            });
            try {
              await Promise.race([impl(ctx, node, call.request, sink), new Promise<void>((r) => sink.onAbort(r))]);
            } finally {
              unsub();
            }
          } catch (e) {
            if (!multi) throw e;
            if (!finished) call.write({ metadata: metaFor(name, e) } as X);
          }
        }),
      );
    })().then(
      () => finish(),
      (e) => finish(e),
    );
  };
}

export { SimError };
