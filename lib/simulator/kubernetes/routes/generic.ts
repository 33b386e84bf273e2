/**
 * The verbs every simulated resource shares: list (with label/field selectors, or a watch when
 * `watch=true`), get and patch (JSON, merge, strategic merge, and server-side apply where allowed).
 */
import { applyPatch, patchTypeOf } from "../patch";
import { apiVersionOf, type ResourceInfo } from "../objects";
import type { KubeHandler, KubeReply, KubeRequest } from "../router";
import { parseFieldSelector, parseLabelSelector } from "../selectors";
import { badRequest, invalid, KubeError, notFound } from "../status";
import type { KObject } from "../store";

export type FieldGetters = Record<string, (o: KObject) => string>;

export const META_FIELDS: FieldGetters = {
  "metadata.name": (o) => o.metadata.name,
  "metadata.namespace": (o) => o.metadata.namespace ?? "",
};

const gr = (r: ResourceInfo) => ({ group: r.group, resource: r.resource });

function boolParam(q: URLSearchParams, name: string): boolean {
  const v = q.get(name);
  return v === "true" || v === "1";
}

function intParam(q: URLSearchParams, name: string): number | undefined {
  const v = q.get(name);
  if (v === null || v === "") return undefined;
  const n = Number(v);
  if (!Number.isInteger(n)) throw badRequest(`invalid ${name} ${JSON.stringify(v)}`);
  return n;
}

/** Filter from labelSelector and fieldSelector. */
function selection(r: ResourceInfo, req: KubeRequest, fields: FieldGetters): (o: KObject) => boolean {
  const ns = req.params.namespace;
  const labels = parseLabelSelector(req.query.get("labelSelector") ?? "");
  const byField = parseFieldSelector(req.query.get("fieldSelector") ?? "", { ...META_FIELDS, ...fields });
  return (o) => (ns === undefined || o.metadata.namespace === ns) && labels(o.metadata.labels) && byField(o);
}

/** An object as served: with apiVersion and kind. */
export function served(r: ResourceInfo, o: KObject): KObject {
  return { ...o, apiVersion: apiVersionOf(r), kind: r.kind };
}

export function listHandler(r: ResourceInfo, fields: FieldGetters = {}): KubeHandler {
  return (req): KubeReply => {
    const filter = selection(r, req, fields);
    if (boolParam(req.query, "watch")) {
      const rv = req.query.get("resourceVersion");
      const since = rv === null || rv === "" || rv === "0" ? undefined : Number(rv);
      if (since !== undefined && !Number.isInteger(since)) throw badRequest(`invalid resource version ${JSON.stringify(rv)}`);
      return { watch: { resource: r.resource, filter, since, timeoutSeconds: intParam(req.query, "timeoutSeconds") } };
    }
    const items = req.cluster.store.list(r.resource, req.params.namespace).filter(filter);
    return {
      status: 200,
      body: { kind: `${r.kind}List`, apiVersion: apiVersionOf(r), metadata: { resourceVersion: req.cluster.store.resourceVersion }, items: items.map((o) => served(r, o)) },
    };
  };
}

export function getHandler(r: ResourceInfo): KubeHandler {
  return (req) => {
    const o = req.cluster.store.get(r.resource, req.params.namespace, req.params.name!);
    if (!o) throw notFound(gr(r), req.params.name!);
    return { status: 200, body: served(r, o) };
  };
}

/** Fields a patch may not change (the server keeps its own). */
function keepSystemFields(before: KObject, after: KObject): KObject {
  after.metadata = {
    ...after.metadata,
    name: before.metadata.name,
    uid: before.metadata.uid,
    creationTimestamp: before.metadata.creationTimestamp,
    resourceVersion: before.metadata.resourceVersion,
    ...(before.metadata.namespace !== undefined ? { namespace: before.metadata.namespace } : {}),
  };
  // status is a subresource: a patch of the object leaves it alone.
  if (before.status !== undefined) after.status = before.status;
  else delete after.status;
  return after;
}

export interface PatchOptions {
  /** Server-side apply allowed (and creates the object when missing). */
  apply?: boolean;
  /** Checks the patched object; throw a KubeError to refuse. */
  validate?: (after: KObject, before: KObject | undefined) => void;
  /** Runs after the write (timeline, controllers). */
  after?: (req: KubeRequest, before: KObject | undefined, after: KObject) => void;
}

export function patchHandler(r: ResourceInfo, opts: PatchOptions = {}): KubeHandler {
  return async (req) => {
    const type = patchTypeOf(req.headers["content-type"], opts.apply === true);
    const fieldManager = req.query.get("fieldManager") ?? "";
    if (type === "apply" && fieldManager === "") {
      throw new KubeError(422, "Invalid", `PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch`, {
        group: "meta.k8s.io",
        kind: "PatchOptions",
        causes: [{ reason: "FieldValueRequired", message: "Required value: is required for apply patch", field: "fieldManager" }],
      });
    }
    const name = req.params.name!;
    const ns = req.params.namespace;
    const store = req.cluster.store;
    const before = store.get(r.resource, ns, name);
    if (!before && type !== "apply") throw notFound(gr(r), name);
    const body = await req.body();
    const patched = applyPatch(type, before ?? {}, body) as KObject;
    if (typeof patched !== "object" || patched === null || Array.isArray(patched)) throw badRequest("the patch did not produce an object");
    if (patched.kind !== undefined && patched.kind !== r.kind) throw badRequest(`the kind ${JSON.stringify(patched.kind)} does not match ${r.kind}`);
    if (patched.metadata?.name !== undefined && patched.metadata.name !== name) throw badRequest(`the name of the object (${patched.metadata.name}) does not match the name on the URL (${name})`);
    const dry = req.query.getAll("dryRun").includes("All");
    const manager = { manager: fieldManager || "unknown", operation: type === "apply" ? "Apply" : "Update", apiVersion: apiVersionOf(r), time: new Date(req.cluster.clock.now()).toISOString().replace(/\.\d+Z$/, "Z"), fieldsType: "FieldsV1" };
    if (!before) {
      if (!ns && r.namespaced) throw badRequest("the namespace of the object is required");
      const { status: _status, ...fresh } = patched;
      const obj = { ...fresh, apiVersion: apiVersionOf(r), kind: r.kind, metadata: { ...fresh.metadata, name, ...(ns ? { namespace: ns } : {}), generation: 1, managedFields: [manager] } } as KObject;
      if (!obj.spec) throw invalid(r.kind, name, "spec", "Required value");
      opts.validate?.(obj, undefined);
      if (dry) return { status: 201, body: served(r, obj) };
      const created = store.create(r.resource, obj);
      opts.after?.(req, undefined, created);
      req.cluster.scheduleReconcile();
      return { status: 201, body: served(r, created) };
    }
    const after = keepSystemFields(before, patched);
    if (JSON.stringify(after.spec) !== JSON.stringify(before.spec) && before.metadata.generation !== undefined) after.metadata.generation = before.metadata.generation + 1;
    const others = ((before.metadata.managedFields ?? []) as { manager?: string; operation?: string }[]).filter((m) => !(m.manager === manager.manager && m.operation === manager.operation));
    after.metadata.managedFields = [...others, manager];
    opts.validate?.(after, before);
    if (dry) return { status: 200, body: served(r, after) };
    const written = store.update(r.resource, ns, name, (o) => {
      for (const k of Object.keys(o)) delete o[k];
      Object.assign(o, after);
    })!;
    opts.after?.(req, before, written);
    req.cluster.scheduleReconcile();
    return { status: 200, body: served(r, written) };
  };
}
