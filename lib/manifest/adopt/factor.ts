/**
 * Factoring the nodes' deltas into patches, and writing a patch as a Talos strategic-merge
 * patch an operator would write.
 *
 * Shared means the same operation at the same path with the same value in every node of the
 * group; for appended list items, the common prefix of what each node appends (applied first,
 * the rest of each node's items are appended after it, which is the same list). Operations never
 * nest, so a shared operation and a node's remaining ones touch different paths and may be
 * applied in either order, except appends to one list, whose order the patch order keeps.
 */
import { emitDocument, type Out } from "@/lib/talos/goyaml";

import { isObj, sameValue, type ConfigDocument, type Op } from "./delta";

const opKey = (op: Op) => `${op.doc}\u0000${op.kind}\u0000${op.path.join("\u0000")}`;

function prefixLength(a: readonly unknown[], b: readonly unknown[]): number {
  let i = 0;
  while (i < a.length && i < b.length && sameValue(a[i], b[i])) i++;
  return i;
}

const sameForced = (a: Op, b: Op) => sameValue(a.forced ?? [], b.forced ?? []);

/**
 * The operations every list shares, and each list without them. Linear in the number of
 * operations (plus the values compared).
 */
export function factorOps(lists: readonly (readonly Op[])[]): { shared: Op[]; rest: Op[][] } {
  if (lists.length < 2) return { shared: [], rest: lists.map((l) => [...l]) };
  const maps = lists.slice(1).map((l) => new Map(l.map((op) => [opKey(op), op])));
  const shared: Op[] = [];
  for (const op of lists[0]!) {
    const key = opKey(op);
    if (op.kind === "append") {
      let n = (op.value as unknown[]).length;
      for (const m of maps) {
        const other = m.get(key);
        n = other && sameForced(op, other) ? Math.min(n, prefixLength(op.value as unknown[], other.value as unknown[])) : 0;
        if (n === 0) break;
      }
      if (n > 0) shared.push({ ...op, value: (op.value as unknown[]).slice(0, n) });
    } else if (
      maps.every((m) => {
        const other = m.get(key);
        return other !== undefined && sameValue(other.value, op.value) && sameForced(op, other);
      })
    ) {
      shared.push(op);
    }
  }
  if (shared.length === 0) return { shared, rest: lists.map((l) => [...l]) };
  const byKey = new Map(shared.map((op) => [opKey(op), op]));
  const rest = lists.map((l) =>
    l.flatMap((op) => {
      const s = byKey.get(opKey(op));
      if (!s) return [op];
      if (op.kind !== "append") return [];
      const items = (op.value as unknown[]).slice((s.value as unknown[]).length);
      return items.length > 0 ? [{ ...op, value: items }] : [];
    }),
  );
  return { shared, rest };
}

// ---- writing a patch --------------------------------------------------------------------

/** A map being built: insertion order kept, any key allowed (`__proto__` too). */
type Tree = Map<string, unknown>;

function place(tree: Tree, path: readonly string[], value: unknown, overwrite: boolean): void {
  let node = tree;
  for (const k of path.slice(0, -1)) {
    let next = node.get(k);
    if (!(next instanceof Map)) {
      next = isObj(next) ? new Map(Object.entries(next)) : new Map();
      node.set(k, next);
    }
    node = next as Tree;
  }
  const last = path.at(-1)!;
  if (overwrite || !node.has(last)) node.set(last, value);
}

/** Adds the fields a merge would otherwise reset, where the patch leaves them out. */
function placeForced(tree: Tree, path: readonly string[], fields: Record<string, unknown>): void {
  for (const [k, v] of Object.entries(fields)) {
    if (isObj(v)) {
      // Only inside a struct the patch already writes (or must write to keep this value).
      placeForced(tree, [...path, k], v);
    } else place(tree, [...path, k], v, false);
  }
}

function toOut(v: unknown): Out {
  if (v instanceof Map) return { entries: [...v].map(([k, x]) => [k, toOut(x)] as const) };
  if (Array.isArray(v)) return v.map(toOut);
  if (isObj(v)) return { entries: Object.entries(v).map(([k, x]) => [k, toOut(x)] as const) };
  if (v === undefined) return null;
  return v as Out;
}

function withHeader(doc: ConfigDocument, body: Tree): Tree {
  const out: Tree = new Map(doc.header);
  for (const [k, v] of body) out.set(k, v);
  return out;
}

/**
 * The patch text for a set of operations: first a document per config document with its
 * deletes (`$patch: delete`), then a document per config document with what is merged in.
 * Talos applies a patch's deletes before its merges, and a delete followed by a merge of the
 * same path is how a field is set back to a zero value or a list replaced. Documents come in
 * `order`; text as Go's yaml writes it (indent 4), so it reads like talosctl's own output.
 */
export function writePatch(ops: readonly Op[], docs: ReadonlyMap<string, ConfigDocument>, order: readonly string[]): string {
  const deletes = new Map<string, Tree>();
  const merges = new Map<string, Tree>();
  const tree = (m: Map<string, Tree>, id: string) => {
    let t = m.get(id);
    if (!t) {
      t = new Map();
      m.set(id, t);
    }
    return t;
  };
  for (const op of ops) {
    switch (op.kind) {
      case "delete-doc":
        tree(deletes, op.doc).set("$patch", "delete");
        break;
      case "replace":
        place(tree(deletes, op.doc), [...op.path, "$patch"], "delete", true);
        if (op.value !== undefined) place(tree(merges, op.doc), op.path, op.value, true);
        break;
      case "add-doc":
        tree(merges, op.doc);
        break;
      case "set":
      case "append":
        place(tree(merges, op.doc), op.path, op.value, true);
        break;
    }
  }
  // Forced fields after every op: they never replace what an op says.
  for (const op of ops) {
    if (!op.forced || (op.kind !== "set" && op.kind !== "append" && op.kind !== "replace")) continue;
    const t = merges.get(op.doc);
    if (!t) continue;
    for (const f of op.forced) placeForced(t, f.path, f.fields);
  }
  const rank = new Map(order.map((id, i) => [id, i]));
  const sorted = (m: Map<string, Tree>) => [...m].sort((a, b) => (rank.get(a[0]) ?? Infinity) - (rank.get(b[0]) ?? Infinity));
  const texts: string[] = [];
  for (const [id, body] of [...sorted(deletes), ...sorted(merges)]) {
    const doc = docs.get(id);
    if (!doc) throw new Error(`unknown document ${id}`);
    texts.push(emitDocument(toOut(doc.kind === "v1alpha1" ? body : withHeader(doc, body))));
  }
  return texts.join("---\n");
}
