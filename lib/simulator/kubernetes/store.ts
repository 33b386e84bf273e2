/**
 * The objects of one simulated cluster, etcd-like: every write takes the next resourceVersion and
 * becomes a watch event; a bounded history lets a watch resume from a recent resourceVersion
 * (older ones answer 410 Expired, as the API server's watch cache does).
 */
import crypto from "node:crypto";

import { expired } from "./status";

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

export interface ObjectMeta {
  name: string;
  namespace?: string;
  uid: string;
  resourceVersion: string;
  generation?: number;
  creationTimestamp: string;
  deletionTimestamp?: string;
  deletionGracePeriodSeconds?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: OwnerReference[];
  managedFields?: unknown[];
  [k: string]: unknown;
}

/** Any stored object; `spec`/`status` are per kind (see objects.ts for the ones the simulator reads). */
export interface KObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  spec?: Record<string, unknown>;
  status?: Record<string, unknown>;
  [k: string]: unknown;
}

export type WatchEventType = "ADDED" | "MODIFIED" | "DELETED";

export interface StoreEvent {
  type: WatchEventType;
  resource: string;
  object: KObject;
  rv: number;
}

const HISTORY = 5000;

const keyOf = (namespace: string | undefined, name: string) => `${namespace ?? ""}/${name}`;

export function newUid(): string {
  return crypto.randomUUID();
}

export class ObjectStore {
  private rv = 1000;
  private readonly collections = new Map<string, Map<string, KObject>>();
  private readonly history: StoreEvent[] = [];
  private readonly subs = new Set<(e: StoreEvent) => void>();

  constructor(private readonly now: () => number) {}

  get resourceVersion(): string {
    return String(this.rv);
  }

  private coll(resource: string): Map<string, KObject> {
    let c = this.collections.get(resource);
    if (!c) this.collections.set(resource, (c = new Map()));
    return c;
  }

  /** A copy of the object, or undefined. */
  get(resource: string, namespace: string | undefined, name: string): KObject | undefined {
    const o = this.coll(resource).get(keyOf(namespace, name));
    return o && structuredClone(o);
  }

  /** Read-only view without copying, for controllers that only look. */
  peek(resource: string, namespace: string | undefined, name: string): Readonly<KObject> | undefined {
    return this.coll(resource).get(keyOf(namespace, name));
  }

  /** Copies of every object of a resource (of one namespace when given), by namespace then name. */
  list(resource: string, namespace?: string): KObject[] {
    return this.peekAll(resource, namespace).map((o) => structuredClone(o));
  }

  peekAll(resource: string, namespace?: string): Readonly<KObject>[] {
    const out = [...this.coll(resource).values()].filter((o) => namespace === undefined || o.metadata.namespace === namespace);
    const k = (o: KObject) => keyOf(o.metadata.namespace, o.metadata.name);
    return out.sort((a, b) => (k(a) < k(b) ? -1 : k(a) > k(b) ? 1 : 0));
  }

  /** Creates an object: uid, resourceVersion, creationTimestamp filled in. Throws if it exists. */
  create(resource: string, obj: Omit<KObject, "metadata"> & { metadata: Partial<ObjectMeta> & { name: string } }): KObject {
    const key = keyOf(obj.metadata.namespace, obj.metadata.name);
    if (this.coll(resource).has(key)) throw new Error(`${resource} ${key} exists`);
    const stored = structuredClone(obj) as KObject;
    stored.metadata.uid ||= newUid();
    stored.metadata.creationTimestamp ||= new Date(this.now()).toISOString().replace(/\.\d+Z$/, "Z");
    return this.write(resource, key, stored, "ADDED");
  }

  /**
   * Changes an object through `fn` (on a copy); writes and emits MODIFIED only when something
   * changed. Returns the stored object, or undefined when there is none.
   */
  update(resource: string, namespace: string | undefined, name: string, fn: (o: KObject) => void): KObject | undefined {
    const key = keyOf(namespace, name);
    const cur = this.coll(resource).get(key);
    if (!cur) return undefined;
    const next = structuredClone(cur);
    fn(next);
    next.metadata.resourceVersion = cur.metadata.resourceVersion;
    if (JSON.stringify(next) === JSON.stringify(cur)) return structuredClone(cur);
    return this.write(resource, key, next, "MODIFIED");
  }

  remove(resource: string, namespace: string | undefined, name: string): KObject | undefined {
    const key = keyOf(namespace, name);
    const cur = this.coll(resource).get(key);
    if (!cur) return undefined;
    this.coll(resource).delete(key);
    const gone = structuredClone(cur);
    gone.metadata.resourceVersion = String(++this.rv);
    this.emit({ type: "DELETED", resource, object: gone, rv: this.rv });
    return structuredClone(gone);
  }

  private write(resource: string, key: string, obj: KObject, type: WatchEventType): KObject {
    obj.metadata.resourceVersion = String(++this.rv);
    this.coll(resource).set(key, obj);
    this.emit({ type, resource, object: structuredClone(obj), rv: this.rv });
    return structuredClone(obj);
  }

  private emit(e: StoreEvent): void {
    this.history.push(e);
    if (this.history.length > HISTORY) this.history.splice(0, this.history.length - HISTORY);
    for (const fn of [...this.subs]) fn(e);
  }

  /** Events of `resource` after resourceVersion `rv`; throws 410 Expired when they are no longer kept. */
  eventsSince(resource: string, rv: number): StoreEvent[] {
    const oldest = this.history[0]?.rv ?? this.rv + 1;
    if (rv < this.rv && rv + 1 < oldest) throw expired(String(rv), oldest);
    return this.history.filter((e) => e.rv > rv && e.resource === resource);
  }

  subscribe(fn: (e: StoreEvent) => void): () => void {
    this.subs.add(fn);
    return () => this.subs.delete(fn);
  }
}
