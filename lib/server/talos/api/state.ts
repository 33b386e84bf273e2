import "server-only";

import { AppError } from "@/lib/server/platform/errors";
import { StateService, type WatchRequest } from "@/lib/third_party/talos-proto/gen/cosi/state";

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
} from "../cosi";
import { isUnsupportedResourceType } from "../errors";
import type { CallOptions, NodeTarget, StreamOptions, TalosTransport } from "../transport";

/**
 * `cosi.resource.State`: Talos's resources, raw (Get, List, Watch) and typed through the kinds in
 * ../cosi, plus the few resources Minos reads by name (machine config, status, version, boot id,
 * services, cluster members).
 */

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
// Raw
// ---------------------------------------------------------------------------------------------

export async function cosiGet(t: TalosTransport, node: NodeTarget, namespace: string, type: string, id: string, opts?: CallOptions): Promise<CosiRawResource> {
  const res = await t.unary(StateService.get, { namespace, type, id, options: {} }, node, opts, t.timeouts.read, true);
  if (!res.resource) throw new AppError("not_found", `${type} ${id} not found`, { node });
  return toRawResource(res.resource);
}

export async function cosiList(t: TalosTransport, node: NodeTarget, namespace: string, type: string, opts?: CosiListOptions): Promise<CosiRawResource[]> {
  const req = { namespace, type, options: { labelQuery: [], idQuery: opts?.idRegexp !== undefined ? { regexp: opts.idRegexp } : undefined } };
  const items = await t.collect(StateService.list, req, node, opts, t.timeouts.list);
  return items.flatMap((m) => (m.resource ? [toRawResource(m.resource)] : []));
}

/** The server's first, empty message (the watch is ready) is skipped: it carries no event. */
export async function* cosiWatch(t: TalosTransport, node: NodeTarget, namespace: string, type: string, opts: CosiWatchOptions = {}): AsyncGenerator<CosiRawWatchEvent> {
  const req: WatchRequest = {
    namespace,
    type,
    options: { bootstrapContents: opts.bootstrapContents ?? false, tailEvents: opts.tailEvents ?? 0, labelQuery: [], aggregated: false, bootstrapBookmark: false },
    apiVersion: 1,
  };
  if (opts.id !== undefined) req.id = opts.id;
  for await (const m of t.stream(StateService.watch, req, node, opts)) {
    for (const e of m.event) {
      const ev: CosiRawWatchEvent = { type: cosiEventTypeName(e.eventType) };
      if (e.resource) ev.resource = toRawResource(e.resource);
      if (e.old) ev.old = toRawResource(e.old);
      if (e.error) ev.error = e.error;
      yield ev;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Typed (see `resourceKinds` in ../cosi)
// ---------------------------------------------------------------------------------------------

export async function getResource<T>(t: TalosTransport, node: NodeTarget, kind: ResourceKind<T>, id?: string, opts?: CallOptions): Promise<CosiResource<T>> {
  const rid = id ?? kind.defaultId;
  if (rid === undefined) throw new AppError("bad_request", `${kind.type} needs an id`, { node });
  const raw = await cosiGet(t, node, kind.namespace, kind.type, rid, opts);
  return decodeResource(kind, raw);
}

export async function listResources<T>(t: TalosTransport, node: NodeTarget, kind: ResourceKind<T>, opts?: CosiListOptions): Promise<CosiResource<T>[]> {
  const raws = await cosiList(t, node, kind.namespace, kind.type, opts);
  return raws.map((r) => decodeResource(kind, r));
}

export async function* watchResource<T>(t: TalosTransport, node: NodeTarget, kind: ResourceKind<T>, opts: CosiWatchOptions = {}): AsyncGenerator<CosiWatchEvent<T>> {
  for await (const e of cosiWatch(t, node, kind.namespace, kind.type, opts)) {
    const ev: CosiWatchEvent<T> = { type: e.type };
    if (e.resource) ev.resource = decodeResource(kind, e.resource);
    if (e.old) ev.old = decodeResource(kind, e.old);
    if (e.error) ev.error = e.error;
    yield ev;
  }
}

// ---------------------------------------------------------------------------------------------
// Named resources
// ---------------------------------------------------------------------------------------------

export async function machineConfig(t: TalosTransport, node: NodeTarget, opts?: CallOptions & { id?: "v1alpha1" | "persistent" }): Promise<{ yaml: string; version: string; updated?: Date }> {
  const r = await getResource(t, node, resourceKinds.machineConfig, opts?.id ?? "v1alpha1", opts);
  const out: { yaml: string; version: string; updated?: Date } = { yaml: r.spec.yaml, version: r.metadata.version };
  if (r.metadata.updated) out.updated = r.metadata.updated;
  return out;
}

export async function machineStatus(t: TalosTransport, node: NodeTarget, opts?: CallOptions): Promise<MachineStatusValue> {
  return (await getResource(t, node, resourceKinds.machineStatus, undefined, opts)).spec;
}

export async function talosVersion(t: TalosTransport, node: NodeTarget, opts?: CallOptions): Promise<string> {
  return (await getResource(t, node, resourceKinds.version, undefined, opts)).spec.version;
}

export async function bootId(t: TalosTransport, node: NodeTarget, opts?: CallOptions): Promise<string> {
  try {
    return (await getResource(t, node, resourceKinds.bootId, undefined, opts)).spec;
  } catch (err) {
    // Talos's access filter answers PermissionDenied for types it does not know (before 1.14).
    if (err instanceof AppError && isUnsupportedResourceType(err, resourceKinds.bootId.type)) {
      throw new AppError("unsupported", `${err.message} (BootIDs need Talos 1.14 or newer)`, { node: err.node, details: err.details, cause: err });
    }
    throw err;
  }
}

export async function services(t: TalosTransport, node: NodeTarget, opts?: CosiListOptions): Promise<Record<string, ServiceValue>> {
  const list = await listResources(t, node, resourceKinds.service, opts);
  return Object.fromEntries(list.map((r) => [r.metadata.id, r.spec]));
}

/** Talos names each member after its node (member.go: the affiliate's Nodename), hence the id. */
export async function clusterMembers(t: TalosTransport, node: NodeTarget, opts?: CosiListOptions): Promise<(ClusterMemberValue & { id: string })[]> {
  return (await listResources(t, node, resourceKinds.clusterMember, opts)).map((r) => ({ ...r.spec, id: r.metadata.id }));
}
