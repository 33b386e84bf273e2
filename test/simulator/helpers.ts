/**
 * Test helpers for the simulator: real grpc-js clients built from the talosconfig files the fleet
 * writes (Ed25519 key header rewritten for OpenSSL), and small promise utilities.
 */
import { readFile } from "node:fs/promises";

import * as grpc from "@grpc/grpc-js";
import { parse } from "yaml";

import { StateClient } from "@/lib/third_party/talos-proto/gen/cosi/state";
import { ImageServiceClient } from "@/lib/third_party/talos-proto/gen/machine/image";
import { LifecycleServiceClient } from "@/lib/third_party/talos-proto/gen/machine/lifecycle";
import { MachineServiceClient } from "@/lib/third_party/talos-proto/gen/machine/machine";

export interface TalosContext {
  endpoints: string[];
  nodes: string[];
  ca: string;
  crt: string;
  key: string;
}

const unb64 = (s: string) => Buffer.from(s, "base64").toString("utf8");

export async function readTalosconfig(file: string, context?: string): Promise<TalosContext & { name: string }> {
  const doc = parse(await readFile(file, "utf8")) as { context: string; contexts: Record<string, Record<string, unknown>> };
  const name = context ?? doc.context;
  const c = doc.contexts[name];
  if (!c) throw new Error(`no context ${name} in ${file}`);
  return {
    name,
    endpoints: c.endpoints as string[],
    nodes: c.nodes as string[],
    ca: unb64(c.ca as string),
    crt: unb64(c.crt as string),
    key: unb64(c.key as string).replace(/-----(BEGIN|END) ED25519 PRIVATE KEY-----/g, "-----$1 PRIVATE KEY-----"),
  };
}

export function credentialsOf(ctx: Pick<TalosContext, "ca" | "crt" | "key">): grpc.ChannelCredentials {
  return grpc.credentials.createSsl(Buffer.from(ctx.ca), Buffer.from(ctx.key), Buffer.from(ctx.crt));
}

const withPort = (endpoint: string) => (/:\d+$/.test(endpoint) ? endpoint : `${endpoint}:50000`);

/** A bundle of clients for one endpoint; `close()` them in afterAll. */
export class Clients {
  readonly machine: MachineServiceClient;
  readonly cosi: StateClient;
  readonly lifecycle: LifecycleServiceClient;
  readonly image: ImageServiceClient;
  constructor(endpoint: string, creds: grpc.ChannelCredentials) {
    const target = withPort(endpoint);
    const opts = { "grpc.max_receive_message_length": 32 * 1024 * 1024 };
    this.machine = new MachineServiceClient(target, creds, opts);
    this.cosi = new StateClient(target, creds, opts);
    this.lifecycle = new LifecycleServiceClient(target, creds, opts);
    this.image = new ImageServiceClient(target, creds, opts);
  }
  close(): void {
    this.machine.close();
    this.cosi.close();
    this.lifecycle.close();
    this.image.close();
  }
}

/** gRPC metadata targeting a node (`node`), or several (`nodes`). */
export function md(node?: string, nodes?: string[]): grpc.Metadata {
  const m = new grpc.Metadata();
  if (node !== undefined) m.set("node", node);
  for (const n of nodes ?? []) m.add("nodes", n);
  return m;
}

type UnaryShape<F> = F extends (
  req: infer Q,
  md: grpc.Metadata,
  opts: Partial<grpc.CallOptions>,
  cb: (e: grpc.ServiceError | null, r: infer R) => void,
) => grpc.ClientUnaryCall
  ? { req: Q; res: R }
  : never;

/** Calls a ts-proto unary method as a promise: `rpc(clients.machine, "version", {}, md(node))`. */
export function rpc<C, K extends keyof C>(
  client: C,
  method: K,
  req: UnaryShape<C[K]>["req"],
  metadata: grpc.Metadata = new grpc.Metadata(),
  opts: Partial<grpc.CallOptions> = {},
): Promise<UnaryShape<C[K]>["res"]> {
  return new Promise((resolve, reject) => {
    const fn = client[method] as unknown as (q: unknown, m: grpc.Metadata, o: Partial<grpc.CallOptions>, cb: (e: grpc.ServiceError | null, r: unknown) => void) => void;
    fn.call(client, req, metadata, opts, (err, res) => (err ? reject(err) : resolve(res as UnaryShape<C[K]>["res"])));
  });
}

/** Promisifies a callback-style call. */
export function unary<T>(fn: (cb: (err: grpc.ServiceError | null, res: T) => void) => unknown): Promise<T> {
  return new Promise((resolve, reject) => fn((err, res) => (err ? reject(err) : resolve(res))));
}

/** Collects a finite server stream. */
export function collect<T>(stream: grpc.ClientReadableStream<T>): Promise<T[]> {
  return new Promise((resolve, reject) => {
    const out: T[] = [];
    stream.on("data", (d: T) => out.push(d));
    stream.on("error", reject);
    stream.on("end", () => resolve(out));
  });
}

/** The gRPC status code of a rejected promise. */
export async function codeOf(p: Promise<unknown>): Promise<{ code: number; details: string }> {
  try {
    await p;
  } catch (e) {
    const err = e as grpc.ServiceError;
    return { code: err.code, details: err.details };
  }
  throw new Error("expected the call to fail");
}

export async function waitFor<T>(fn: () => T | Promise<T>, opts: { timeoutMs?: number; intervalMs?: number; what?: string } = {}): Promise<NonNullable<T>> {
  const deadline = Date.now() + (opts.timeoutMs ?? 10_000);
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v as NonNullable<T>;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${opts.what ?? "condition"}${last ? `: ${String(last)}` : ""}`);
    await new Promise((r) => setTimeout(r, opts.intervalMs ?? 25));
  }
}

export async function getJson<T = unknown>(url: string): Promise<{ status: number; body: T }> {
  const res = await fetch(url);
  return { status: res.status, body: (await res.json()) as T };
}

export async function sendJson<T = unknown>(method: string, url: string, body?: unknown): Promise<{ status: number; body: T }> {
  const res = await fetch(url, {
    method,
    headers: { "content-type": "application/json" },
    body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as T };
}
