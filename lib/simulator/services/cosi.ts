/**
 * cosi.resource.State on a simulated node (cosi-project/specification v1alpha1/state.proto), behind Talos's access filter:
 * writes denied, unknown namespaces/types PermissionDenied, sensitive types admin-only,
 * NotFound for missing resources, single-id watches with bootstrap/label queries Unimplemented.
 */
import type { UntypedServiceImplementation } from "@grpc/grpc-js";

import type { Resource } from "../../third_party/talos-proto/gen/cosi/resource";
import {
  EventType,
  type GetRequest,
  type GetResponse,
  type LabelQuery,
  LabelTerm_Operation,
  type ListRequest,
  type ListResponse,
  type WatchRequest,
  type WatchResponse,
  type Event as CosiEvent,
} from "../../third_party/talos-proto/gen/cosi/state";
import { canReadSensitive } from "../authz";
import { invalidArgument, notFound, permissionDenied, SimError, unimplemented } from "../errors";
import type { SimNode } from "../node-state";
import { type CallContext, type HandlerEnv, serverStream, unaryRaw } from "../proxy";
import { findResourceType, KNOWN_NAMESPACES, listResources, type ResourceTypeDef } from "../resources";

const S = "/cosi.resource.State/";

/** Go's %q for the ASCII names COSI uses. */
const goQuote = (s: string) => JSON.stringify(s);

/**
 * Talos's access filter, evaluated against the target node, in Talos's order and words
 * (internal/app/resources/access.go AccessPolicy, unchanged 1.10–1.14): the resource type must
 * have a ResourceDefinition on this node (`resource type %q is not supported`), a sensitive type
 * needs os:admin (authz.ErrNotAuthorized, `not authorized`), the namespace must exist
 * (`namespace %q is not supported`); all PermissionDenied. Writes are refused before this, in
 * node-server.ts (`write access is not allowed`).
 */
function accessCheck(ctx: CallContext, node: SimNode, namespace: string, type: string): ResourceTypeDef {
  const def = findResourceType(type);
  if (!def || (def.availableOn && !def.availableOn(node))) throw permissionDenied(`resource type ${goQuote(type)} is not supported`);
  if (def.sensitive && !canReadSensitive(ctx.roles)) throw permissionDenied("not authorized");
  if (!KNOWN_NAMESPACES.has(namespace)) throw permissionDenied(`namespace ${goQuote(namespace)} is not supported`);
  return def;
}

function matchesLabels(r: Resource, queries: LabelQuery[]): boolean {
  const labels = r.metadata?.labels ?? {};
  return queries.every((q) =>
    q.terms.every((t) => {
      const v = labels[t.key];
      let ok: boolean;
      switch (t.op) {
        case LabelTerm_Operation.EXISTS:
          ok = v !== undefined;
          break;
        case LabelTerm_Operation.NOT_EXISTS:
          ok = v === undefined;
          break;
        case LabelTerm_Operation.EQUAL:
          ok = v !== undefined && v === t.value[0];
          break;
        case LabelTerm_Operation.IN:
          ok = v !== undefined && t.value.includes(v);
          break;
        default:
          ok = v !== undefined && t.value[0] !== undefined && (Number.isNaN(Number(v)) ? v < t.value[0] : Number(v) < Number(t.value[0]));
      }
      return t.invert ? !ok : ok;
    }),
  );
}

function idFilter(regexp: string | undefined): (r: Resource) => boolean {
  if (!regexp) return () => true;
  let re: RegExp;
  try {
    re = new RegExp(regexp);
  } catch (e) {
    throw invalidArgument(`failed to compile id query: ${(e as Error).message}`);
  }
  return (r) => re.test(r.metadata?.id ?? "");
}

type Snapshot = Map<string, Resource>;

function snapshot(node: SimNode, def: ResourceTypeDef, ns: string, filter: (r: Resource) => boolean): Snapshot {
  return new Map(listResources(node, def, ns).filter(filter).map((r) => [r.metadata!.id, r]));
}

/** Events turning `before` into `after`. */
function diffSnapshots(before: Snapshot, after: Snapshot): CosiEvent[] {
  const out: CosiEvent[] = [];
  for (const [id, r] of after) {
    const old = before.get(id);
    if (!old) out.push({ resource: r, eventType: EventType.CREATED, old: undefined, error: undefined, bookmark: undefined });
    else if (old.metadata?.version !== r.metadata?.version || old.spec?.yamlSpec !== r.spec?.yamlSpec) {
      out.push({ resource: r, eventType: EventType.UPDATED, old, error: undefined, bookmark: undefined });
    }
  }
  for (const [id, r] of before) {
    if (!after.has(id)) out.push({ resource: r, eventType: EventType.DESTROYED, old: undefined, error: undefined, bookmark: undefined });
  }
  return out;
}

/** Hook the fleet calls on every COSI-visible change of a node. */
export type ResourceWatchers = Map<SimNode, Set<() => void>>;

export function cosiStateImpl(env: HandlerEnv, watchers: ResourceWatchers): UntypedServiceImplementation {
  return {
    get: unaryRaw<GetRequest, GetResponse>(env, S + "Get", (ctx, node, req) => {
      const def = accessCheck(ctx, node, req.namespace, req.type);
      const r = listResources(node, def, req.namespace).find((x) => x.metadata?.id === req.id);
      if (!r) throw notFound(`resource ${req.type}(${req.namespace}/${req.id}@undefined) doesn't exist`);
      return { resource: r };
    }),
    list: serverStream<ListRequest, ListResponse>(env, S + "List", async (ctx, node, req, sink) => {
      const def = accessCheck(ctx, node, req.namespace, req.type);
      const byId = idFilter(req.options?.idQuery?.regexp);
      for (const r of listResources(node, def, req.namespace)) {
        if (byId(r) && matchesLabels(r, req.options?.labelQuery ?? [])) sink.write({ resource: r });
      }
    }),
    watch: serverStream<WatchRequest, WatchResponse>(env, S + "Watch", async (ctx, node, req, sink) => {
      const def = accessCheck(ctx, node, req.namespace, req.type);
      const opts = req.options;
      const single = req.id !== undefined && req.id !== "";
      if (single && (opts?.bootstrapContents || (opts?.labelQuery.length ?? 0) > 0)) {
        throw unimplemented("bootstrap contents and label queries are not supported for single resource watch");
      }
      const byId = idFilter(opts?.idQuery?.regexp);
      const filter = (r: Resource) => (single ? r.metadata?.id === req.id : byId(r) && matchesLabels(r, opts?.labelQuery ?? []));
      // The first message is empty: the watch is established.
      sink.write({ event: [] });
      let current = snapshot(node, def, req.namespace, filter);
      if (single) {
        const r = current.get(req.id!);
        // A single-resource watch starts with the resource's current state.
        sink.write({
          event: [
            r
              ? { resource: r, eventType: EventType.CREATED, old: undefined, error: undefined, bookmark: undefined }
              : {
                  resource: { metadata: { namespace: req.namespace, type: req.type, id: req.id!, version: "", owner: "", phase: "running", created: undefined, updated: undefined, finalizers: [], labels: {}, annotations: {} }, spec: undefined },
                  eventType: EventType.DESTROYED,
                  old: undefined,
                  error: undefined,
                  bookmark: undefined,
                },
          ],
        });
      } else if (opts?.bootstrapContents) {
        for (const r of current.values()) sink.write({ event: [{ resource: r, eventType: EventType.CREATED, old: undefined, error: undefined, bookmark: undefined }] });
        if (req.apiVersion >= 1) sink.write({ event: [{ resource: undefined, eventType: EventType.BOOTSTRAPPED, old: undefined, error: undefined, bookmark: undefined }] });
      }
      await new Promise<void>((resolve) => {
        const onChange = () => {
          if (sink.aborted) return;
          let next: Snapshot;
          try {
            next = snapshot(node, def, req.namespace, filter);
          } catch {
            return;
          }
          const events = diffSnapshots(current, next);
          current = next;
          for (const e of events) sink.write({ event: [e] });
        };
        let set = watchers.get(node);
        if (!set) watchers.set(node, (set = new Set()));
        set.add(onChange);
        sink.onAbort(() => {
          set!.delete(onChange);
          if (set!.size === 0) watchers.delete(node);
          resolve();
        });
      });
    }),
  };
}

export { SimError };
