/**
 * RFC 6902 JSON patches as Talos applies them (configpatcher/json6902.go with
 * github.com/evanphx/json-patch v4): the same operations, quirks and error texts — `replace` of
 * a missing object key adds it, negative list indices count from the end, `test` compares JSON.
 */
import { isMap, isSeq, LineCounter, parseAllDocuments } from "yaml";

import { MAX_ALIAS_COUNT } from "@/lib/config/parse";
import { SourceError } from "@/lib/talos/errors";

import { clone, isObj } from "./merge";

export interface JsonPatchOp {
  readonly op: Record<string, unknown>;
  /** Offset of the operation in the patch text. */
  readonly offset: number;
}

/** Reads a JSON or YAML list of operations (LoadPatch's second and third tries). */
export function parseJsonPatch(text: string, source: string): { ops: JsonPatchOp[]; lc: LineCounter } | { error: SourceError } {
  const lc = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter: lc, prettyErrors: false });
  const list = Array.isArray(docs) ? docs : [docs];
  const doc = list[0];
  const fail = (message: string, offset = 0) => {
    const p = lc.linePos(offset);
    return { error: new SourceError(message, { source, line: p.line, column: p.col }) };
  };
  if (!doc || list.length !== 1 || doc.errors.length > 0) return fail(doc?.errors[0]?.message ?? "not a JSON patch", doc?.errors[0]?.pos[0] ?? 0);
  if (!isSeq(doc.contents)) return fail("a JSON patch is a list of operations");
  const ops: JsonPatchOp[] = [];
  const values = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT }) as unknown[];
  for (let i = 0; i < doc.contents.items.length; i++) {
    const node = doc.contents.items[i];
    const offset = (node as { range?: [number, number, number] } | null)?.range?.[0] ?? 0;
    if (!isMap(node) || !isObj(values[i])) return fail("each JSON patch operation is a map", offset);
    ops.push({ op: values[i] as Record<string, unknown>, offset });
  }
  return { ops, lc };
}

class PatchFailure extends Error {}

const MISSING = "missing value";
const TEST_FAILED = "test failed";

function decodeKey(k: string): string {
  return k.replaceAll("~1", "/").replaceAll("~0", "~");
}

type Container = { kind: "doc"; v: Record<string, unknown> } | { kind: "ary"; v: unknown[]; set: (a: unknown[]) => void };

/** findObject: the container holding the path's last segment, or null. */
function findObject(root: { value: unknown }, path: string): { con: Container; key: string } | null {
  const split = path.split("/").slice(1);
  if (split.length === 0) return null;
  const parts = split.slice(0, -1);
  const key = decodeKey(split.at(-1)!);
  let holder: { get: () => unknown; set: (v: unknown) => void } = { get: () => root.value, set: (v) => (root.value = v) };
  for (const raw of parts) {
    const cur = holder.get();
    const part = decodeKey(raw);
    let next: typeof holder | null = null;
    if (isObj(cur)) {
      if (!Object.hasOwn(cur, part)) return null;
      next = { get: () => cur[part], set: (v) => (cur[part] = v) };
    } else if (Array.isArray(cur)) {
      const idx = Number(part);
      if (!/^-?\d+$/.test(part) || idx < 0 || idx >= cur.length) return null;
      next = { get: () => cur[idx], set: (v) => (cur[idx] = v) };
    }
    if (!next) return null;
    holder = next;
  }
  const last = holder.get();
  const h = holder;
  if (isObj(last)) return { con: { kind: "doc", v: last }, key };
  if (Array.isArray(last)) return { con: { kind: "ary", v: last, set: (a) => h.set(a) }, key };
  return null;
}

function index(key: string, len: number, forAdd: boolean): number {
  if (!/^-?\d+$/.test(key)) throw new PatchFailure(`strconv.Atoi: parsing "${key}": invalid syntax`);
  let idx = Number(key);
  const max = forAdd ? len : len - 1;
  if (idx < -len || idx > max) throw new PatchFailure(`Unable to access invalid index: ${idx}: invalid index referenced`);
  if (idx < 0) idx += len;
  return idx;
}

function get(c: Container, key: string): unknown {
  if (c.kind === "doc") return c.v[key];
  return c.v[index(key, c.v.length, false)];
}

function add(c: Container, key: string, val: unknown): void {
  if (c.kind === "doc") {
    c.v[key] = val;
    return;
  }
  if (key === "-") {
    c.v.push(val);
    return;
  }
  const idx = index(key, c.v.length, true);
  c.v.splice(idx, 0, val);
}

function remove(c: Container, key: string): void {
  if (c.kind === "doc") {
    if (!Object.hasOwn(c.v, key)) throw new PatchFailure(`Unable to remove nonexistent key: ${key}: ${MISSING}`);
    delete c.v[key];
    return;
  }
  c.v.splice(index(key, c.v.length, false), 1);
}

function set(c: Container, key: string, val: unknown): void {
  if (c.kind === "doc") c.v[key] = val;
  else c.v[index(key, c.v.length, false)] = val;
}

/** JSON equality as the library sees it (maps unordered, numbers as written). */
function jsonEqual(a: unknown, b: unknown): boolean {
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((x, i) => jsonEqual(x, b[i]));
  if (isObj(a)) return isObj(b) && Object.keys(a).length === Object.keys(b).length && Object.keys(a).every((k) => Object.hasOwn(b, k) && jsonEqual(a[k], b[k]));
  return a === b;
}

function str(op: Record<string, unknown>, field: string): string {
  const v = op[field];
  if (typeof v !== "string") throw new PatchFailure(`${op.op === undefined ? "unknown" : String(op.op)} operation failed to decode ${field}`);
  return v;
}

function applyOne(root: { value: unknown }, op: Record<string, unknown>): void {
  const kind = typeof op.op === "string" ? op.op : "unknown";
  const value = Object.hasOwn(op, "value") ? clone(op.value) : null;
  switch (kind) {
    case "add": {
      const path = str(op, "path");
      const f = findObject(root, path);
      if (!f) throw new PatchFailure(`add operation does not apply: doc is missing path: "${path}": ${MISSING}`);
      try {
        add(f.con, f.key, value);
      } catch (e) {
        throw new PatchFailure(`error in add for path: '${path}': ${(e as Error).message}`);
      }
      return;
    }
    case "remove": {
      const path = str(op, "path");
      const f = findObject(root, path);
      if (!f) throw new PatchFailure(`remove operation does not apply: doc is missing path: "${path}": ${MISSING}`);
      try {
        remove(f.con, f.key);
      } catch (e) {
        throw new PatchFailure(`error in remove for path: '${path}': ${(e as Error).message}`);
      }
      return;
    }
    case "replace": {
      const path = str(op, "path");
      const f = findObject(root, path);
      if (!f) throw new PatchFailure(`replace operation does not apply: doc is missing path: ${path}: ${MISSING}`);
      try {
        if (f.con.kind === "ary") get(f.con, f.key);
      } catch {
        throw new PatchFailure(`replace operation does not apply: doc is missing key: ${path}: ${MISSING}`);
      }
      try {
        set(f.con, f.key, value);
      } catch (e) {
        throw new PatchFailure(`error in remove for path: '${path}': ${(e as Error).message}`);
      }
      return;
    }
    case "move":
    case "copy": {
      const from = str(op, "from");
      const f = findObject(root, from);
      if (!f) throw new PatchFailure(`${kind} operation does not apply: doc is missing from path: ${from}: ${MISSING}`);
      let val: unknown;
      try {
        val = get(f.con, f.key);
      } catch (e) {
        throw new PatchFailure(`error in ${kind} for path: '${kind === "move" ? f.key : from}': ${(e as Error).message}`);
      }
      if (kind === "move") {
        try {
          remove(f.con, f.key);
        } catch (e) {
          throw new PatchFailure(`error in move for path: '${f.key}': ${(e as Error).message}`);
        }
      }
      const path = str(op, "path");
      const t = findObject(root, path);
      if (!t) throw new PatchFailure(`${kind} operation does not apply: doc is missing destination path: ${path}: ${MISSING}`);
      try {
        add(t.con, t.key, kind === "copy" ? clone(val) : val);
      } catch (e) {
        throw new PatchFailure(`error in ${kind} for path: '${path}': ${(e as Error).message}`);
      }
      return;
    }
    case "test": {
      const path = str(op, "path");
      const f = findObject(root, path);
      if (!f) throw new PatchFailure(`test operation does not apply: is missing path: ${path}: ${MISSING}`);
      let val: unknown;
      try {
        val = get(f.con, f.key);
      } catch (e) {
        throw new PatchFailure(`error in test for path: '${path}': ${(e as Error).message}`);
      }
      if (val === undefined || val === null) {
        if (!Object.hasOwn(op, "value")) return;
        throw new PatchFailure(`testing value ${path} failed: ${TEST_FAILED}`);
      }
      if (!Object.hasOwn(op, "value") || !jsonEqual(val, op.value)) throw new PatchFailure(`testing value ${path} failed: ${TEST_FAILED}`);
      return;
    }
    default:
      throw new PatchFailure(`Unexpected kind: ${kind}`);
  }
}

/** Applies the operations to a copy of `doc`; throws a SourceError at the failing operation. */
export function applyJsonPatch(doc: unknown, ops: readonly JsonPatchOp[], source: string, lc: LineCounter): unknown {
  const root = { value: clone(doc) };
  for (const { op, offset } of ops) {
    try {
      applyOne(root, op);
    } catch (e) {
      if (!(e instanceof PatchFailure)) throw e;
      const p = lc.linePos(offset);
      throw new SourceError(`failure applying rfc6902 patches to talos machine config: ${e.message}`, {
        source,
        line: p.line,
        column: p.col,
        ...(typeof op.path === "string" ? { path: op.path } : {}),
      });
    }
  }
  return root.value;
}
