import "server-only";

import { z } from "zod";

import { nodeSummarySchema, type NodeSummary } from "@/lib/schemas/fleet";

/** A top-level field of a node in GET /api/nodes. */
export const nodeFieldSchema = nodeSummarySchema.keyof();
export type NodeField = z.infer<typeof nodeFieldSchema>;

/**
 * `?fields=hostname,ready,stage`: the node fields to send, comma-separated; `id` is always sent
 * (it keys every node). An unknown name is a validation error (zod's message lists the allowed ones).
 */
export const nodeFieldsParamSchema = z
  .string()
  .transform((s) => s.split(",").map((f) => f.trim()))
  .pipe(z.array(nodeFieldSchema).min(1));

/** The fields in a canonical order with `id` first, so equal selections share one cache entry. */
export function canonicalFields(fields: readonly NodeField[]): NodeField[] {
  const wanted = new Set<NodeField>(["id", ...fields]);
  return nodeFieldSchema.options.filter((f) => wanted.has(f));
}

const byBody = new WeakMap<Uint8Array, Map<string, Uint8Array<ArrayBuffer>>>();
/** Selections remembered per snapshot version; the 33rd evicts the oldest. */
const MAX_SELECTIONS = 32;

/**
 * A serialised GET /api/nodes answer with only `fields` of each node (cluster roll-ups and
 * `updatedAt` as they are), made from those same bytes so the projection and the full answer
 * never disagree, and made once per snapshot version and selection.
 */
export function projectNodesJson(body: Uint8Array<ArrayBuffer>, fields: readonly NodeField[]): Uint8Array<ArrayBuffer> {
  const keep = canonicalFields(fields);
  const key = keep.join(",");
  let cache = byBody.get(body);
  const hit = cache?.get(key);
  if (hit) return hit;
  const parsed = JSON.parse(Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString("utf8")) as { nodes: NodeSummary[] } & Record<string, unknown>;
  const nodes = parsed.nodes.map((n) => {
    const out: Record<string, unknown> = {};
    for (const f of keep) if (f in n) out[f] = n[f];
    return out;
  });
  const projected = new TextEncoder().encode(JSON.stringify({ ...parsed, nodes }));
  if (!cache) {
    cache = new Map();
    byBody.set(body, cache);
  }
  if (cache.size >= MAX_SELECTIONS) cache.delete(cache.keys().next().value!);
  cache.set(key, projected);
  return projected;
}
