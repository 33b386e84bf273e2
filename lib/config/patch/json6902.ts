/**
 * RFC 6902 JSON patches as Talos applies them (configpatcher/json6902.go with
 * github.com/evanphx/json-patch v4): the same operations, quirks and error texts — `replace` of
 * a missing object key adds it, negative list indices count from the end, `test` compares JSON.
 */
import { isMap, isSeq, LineCounter, parseAllDocuments } from "yaml";

import { MAX_ALIAS_COUNT, MAX_CONFIG_BYTES } from "@/lib/config/parse";
import { SourceError } from "@/lib/talos/errors";

import { clone, isObj, setKey } from "./merge";

export interface JsonPatchOp {
  readonly op: Record<string, unknown>;
  /** Offset of the operation in the patch text. */
  readonly offset: number;
}

/** Reads a JSON or YAML list of operations (LoadPatch's second and third tries). */
export function parseJsonPatch(text: string, source: string): { ops: JsonPatchOp[]; lc: LineCounter } | { error: SourceError } {
  const lc = new LineCounter();
  // Duplicate keys: the last wins, as in encoding/json (and yaml's own check is quadratic).
  const docs = parseAllDocuments(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: false });
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
const INVALID_INDEX = "invalid index referenced";

function decodeKey(k: string): string {
  return k.replaceAll("~1", "/").replaceAll("~0", "~");
}

type Container = { kind: "doc"; v: Record<string, unknown> } | { kind: "ary"; v: unknown[] };

/** strconv.Atoi */
function atoi(key: string): number {
  if (!/^[-+]?\d+$/.test(key)) throw new PatchFailure(`strconv.Atoi: parsing ${JSON.stringify(key)}: invalid syntax`);
  return Number(key);
}

const invalidIndex = (idx: number) => new PatchFailure(`Unable to access invalid index: ${idx}: ${INVALID_INDEX}`);

function get(c: Container, key: string): unknown {
  if (c.kind === "doc") return Object.hasOwn(c.v, key) ? c.v[key] : undefined;
  let idx = atoi(key);
  if (idx < 0) {
    if (idx < -c.v.length) throw invalidIndex(idx);
    idx += c.v.length;
  }
  if (idx >= c.v.length) throw invalidIndex(idx);
  return c.v[idx];
}

function add(c: Container, key: string, val: unknown): void {
  if (c.kind === "doc") {
    setKey(c.v, key, val);
    return;
  }
  if (key === "-") {
    c.v.push(val);
    return;
  }
  let idx: number;
  try {
    idx = atoi(key);
  } catch (e) {
    throw new PatchFailure(`value was not a proper array index: '${key}': ${(e as Error).message}`);
  }
  const size = c.v.length + 1;
  if (idx >= size) throw invalidIndex(idx);
  if (idx < 0) {
    if (idx < -size) throw invalidIndex(idx);
    idx += size;
  }
  c.v.splice(idx, 0, val);
}

function remove(c: Container, key: string): void {
  if (c.kind === "doc") {
    if (!Object.hasOwn(c.v, key)) throw new PatchFailure(`Unable to remove nonexistent key: ${key}: ${MISSING}`);
    delete c.v[key];
    return;
  }
  let idx = atoi(key);
  if (idx >= c.v.length) throw invalidIndex(idx);
  if (idx < 0) {
    if (idx < -c.v.length) throw invalidIndex(idx);
    idx += c.v.length;
  }
  c.v.splice(idx, 1);
}

function set(c: Container, key: string, val: unknown): void {
  if (c.kind === "doc") {
    setKey(c.v, key, val);
    return;
  }
  let idx = atoi(key);
  if (idx < 0) {
    if (idx < -c.v.length) throw invalidIndex(idx);
    idx += c.v.length;
  }
  c.v[idx] = val;
}

/** findObject: the container holding the path's last segment, or null. */
function findObject(root: { value: unknown }, path: string): { con: Container; key: string } | null {
  const split = path.split("/");
  if (split.length < 2) return null;
  let cur: unknown = root.value;
  for (const part of split.slice(1, -1)) {
    let next: unknown;
    try {
      next = isObj(cur) ? (Object.hasOwn(cur, decodeKey(part)) ? cur[decodeKey(part)] : undefined) : Array.isArray(cur) ? get({ kind: "ary", v: cur }, decodeKey(part)) : undefined;
    } catch {
      return null;
    }
    // A JSON null is no container (Go would fail to index into it).
    if (!isObj(next) && !Array.isArray(next)) return null;
    cur = next;
  }
  const key = decodeKey(split.at(-1)!);
  if (isObj(cur)) return { con: { kind: "doc", v: cur }, key };
  if (Array.isArray(cur)) return { con: { kind: "ary", v: cur }, key };
  return null;
}

/** lazyNode.equal: maps unordered, lists in order, scalars by their JSON text. */
function jsonEqual(a: unknown, b: unknown): boolean {
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((x, i) => jsonEqual(x, b[i]));
  if (isObj(a)) return isObj(b) && Object.keys(a).length === Object.keys(b).length && Object.keys(a).every((k) => Object.hasOwn(b, k) && jsonEqual(a[k], b[k]));
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * About how many bytes `v` takes as YAML (its strings, keys and numbers, 2 for each entry's
 * punctuation, no indentation), at most a few past `limit`: counting stops there. Aliases count
 * as many times as they are used, as they are written.
 */
function sizeOf(v: unknown, limit: number = Infinity): number {
  let total = 0;
  const stack: unknown[] = [v];
  while (stack.length > 0 && total <= limit) {
    const x = stack.pop();
    if (typeof x === "string") total += x.length;
    else if (Array.isArray(x)) {
      total += 2 + 2 * x.length;
      for (const item of x) stack.push(item);
    } else if (isObj(x)) {
      for (const k of Object.keys(x)) {
        total += k.length + 2;
        stack.push(x[k]);
      }
      total += 2;
    } else total += x === null || x === undefined ? 4 : String(x).length;
  }
  return total;
}

const TOO_LARGE = `larger than ${MAX_CONFIG_BYTES / (1024 * 1024)} MiB (${MAX_CONFIG_BYTES} bytes)`;

/**
 * The document's size as operations change it. `copy` duplicates a subtree, so copies of a
 * subtree into itself double the document each time: past MAX_CONFIG_BYTES the operation is
 * refused before the copy is made.
 */
class SizeBudget {
  constructor(private used: number) {}
  /** Grows by `v` (added or copied), or throws before it is made. */
  grow(v: unknown, what: string): void {
    const room = MAX_CONFIG_BYTES - this.used;
    const n = sizeOf(v, room);
    if (n > room) throw new PatchFailure(`${what} would make the config ${TOO_LARGE}: refusing it`);
    this.used += n;
  }
  shrink(v: unknown): void {
    if (v !== undefined) this.used -= sizeOf(v);
  }
}

/** Operation.Path / Operation.From: the field as a string, or Go's error. */
function field(op: Record<string, unknown>, name: "path" | "from"): string {
  const v = op[name];
  if (v === undefined || v === null) throw new PatchFailure(name === "path" ? `operation missing path field: ${MISSING}` : `operation, missing from field: ${MISSING}`);
  if (typeof v !== "string") throw new PatchFailure(`json: cannot unmarshal ${Array.isArray(v) ? "array" : typeof v === "object" ? "object" : typeof v} into Go value of type string`);
  return v;
}

function decoded(op: Record<string, unknown>, name: "path" | "from", what: string, keepCause: boolean): string {
  try {
    return field(op, name);
  } catch (e) {
    throw new PatchFailure(`${what} failed to decode ${name}: ${keepCause ? (e as Error).message : MISSING}`);
  }
}

function applyOne(root: { value: unknown }, op: Record<string, unknown>, budget: SizeBudget): void {
  const kind = typeof op.op === "string" ? op.op : "unknown";
  const hasValue = Object.hasOwn(op, "value");
  const value = hasValue ? clone(op.value) : null;
  const wrap = (prefix: string, f: () => void) => {
    try {
      f();
    } catch (e) {
      if (!(e instanceof PatchFailure)) throw e;
      throw new PatchFailure(`${prefix}: ${e.message}`);
    }
  };
  switch (kind) {
    case "add": {
      const path = decoded(op, "path", "add operation", false);
      const f = findObject(root, path);
      if (!f) throw new PatchFailure(`add operation does not apply: doc is missing path: "${path}": ${MISSING}`);
      budget.grow(value, "add operation");
      // An add to an existing object key replaces its value.
      if (f.con.kind === "doc") budget.shrink(get(f.con, f.key));
      wrap(`error in add for path: '${path}'`, () => add(f.con, f.key, value));
      return;
    }
    case "remove": {
      const path = decoded(op, "path", "remove operation", false);
      const f = findObject(root, path);
      if (!f) throw new PatchFailure(`remove operation does not apply: doc is missing path: "${path}": ${MISSING}`);
      let gone: unknown;
      try {
        gone = get(f.con, f.key);
      } catch {
        // remove reports a bad index in its own words.
      }
      wrap(`error in remove for path: '${path}'`, () => remove(f.con, f.key));
      budget.shrink(gone);
      return;
    }
    case "replace": {
      const path = decoded(op, "path", "replace operation", true);
      if (path === "") {
        if (!isObj(value) && !Array.isArray(value)) throw new PatchFailure("replace operation value must be object or array: %!w(<nil>)");
        budget.shrink(root.value);
        budget.grow(value, "replace operation");
        root.value = value;
        return;
      }
      const f = findObject(root, path);
      if (!f) throw new PatchFailure(`replace operation does not apply: doc is missing path: ${path}: ${MISSING}`);
      let old: unknown;
      try {
        old = get(f.con, f.key);
      } catch {
        throw new PatchFailure(`replace operation does not apply: doc is missing key: ${path}: ${MISSING}`);
      }
      budget.shrink(old);
      budget.grow(value, "replace operation");
      wrap(`error in remove for path: '${path}'`, () => set(f.con, f.key, value));
      return;
    }
    case "move": {
      const from = decoded(op, "from", "move operation", true);
      const f = findObject(root, from);
      if (!f) throw new PatchFailure(`move operation does not apply: doc is missing from path: ${from}: ${MISSING}`);
      let val: unknown;
      wrap(`error in move for path: '${f.key}'`, () => {
        val = get(f.con, f.key);
      });
      wrap(`error in move for path: '${f.key}'`, () => remove(f.con, f.key));
      const path = decoded(op, "path", "move operation", true);
      const t = findObject(root, path);
      if (!t) throw new PatchFailure(`move operation does not apply: doc is missing destination path: ${path}: ${MISSING}`);
      wrap(`error in move for path: '${path}'`, () => add(t.con, t.key, val));
      return;
    }
    case "copy": {
      const from = decoded(op, "from", "copy operation", true);
      const f = findObject(root, from);
      if (!f) throw new PatchFailure(`copy operation does not apply: doc is missing from path: ${from}: ${MISSING}`);
      let val: unknown;
      wrap(`error in copy for from: '${from}'`, () => {
        val = get(f.con, f.key);
      });
      const path = decoded(op, "path", "copy operation", false);
      const t = findObject(root, path);
      if (!t) throw new PatchFailure(`copy operation does not apply: doc is missing destination path: ${path}: ${MISSING}`);
      budget.grow(val, "copy operation");
      if (t.con.kind === "doc") budget.shrink(get(t.con, t.key));
      wrap("error while adding value during copy", () => add(t.con, t.key, clone(val)));
      return;
    }
    case "test": {
      const path = decoded(op, "path", "test operation", true);
      if (path === "") {
        if (hasValue && jsonEqual(root.value, op.value)) return;
        throw new PatchFailure(`testing value ${path} failed: ${TEST_FAILED}`);
      }
      const f = findObject(root, path);
      if (!f) throw new PatchFailure(`test operation does not apply: is missing path: ${path}: ${MISSING}`);
      let val: unknown;
      wrap(`error in test for path: '${path}'`, () => {
        val = get(f.con, f.key);
      });
      if (val === undefined) {
        // A missing key passes only a test without a value (or with null).
        if (!hasValue || op.value === null) return;
        throw new PatchFailure(`testing value ${path} failed: ${TEST_FAILED}`);
      }
      if (!hasValue || !jsonEqual(val, op.value)) throw new PatchFailure(`testing value ${path} failed: ${TEST_FAILED}`);
      return;
    }
    default:
      throw new PatchFailure(`Unexpected kind: ${kind}`);
  }
}

/** Applies the operations to a copy of `doc`; throws a SourceError at the failing operation. */
export function applyJsonPatch(doc: unknown, ops: readonly JsonPatchOp[], source: string, lc: LineCounter): unknown {
  const root = { value: clone(doc) };
  const budget = new SizeBudget(sizeOf(root.value));
  for (const { op, offset } of ops) {
    try {
      applyOne(root, op, budget);
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
