/**
 * The patch types the API server accepts: JSON Patch (RFC 6902), JSON merge patch (RFC 7386),
 * strategic merge patch (merge patch whose object lists merge by their patch merge key, `name`
 * for containers, `key` for taints, `type` for conditions and addresses) and server-side apply
 * (`application/apply-patch+yaml`: the applied configuration merged the strategic way).
 */
import { parse as parseYaml } from "yaml";

import { badRequest, KubeError } from "./status";

export type PatchType = "json" | "merge" | "strategic" | "apply";

export const PATCH_TYPES: Record<string, PatchType> = {
  "application/json-patch+json": "json",
  "application/merge-patch+json": "merge",
  "application/strategic-merge-patch+json": "strategic",
  "application/apply-patch+yaml": "apply",
};

export function patchTypeOf(contentType: string | undefined, allowApply: boolean): PatchType {
  const ct = (contentType ?? "").split(";")[0]!.trim().toLowerCase();
  const t = PATCH_TYPES[ct];
  if (!t || (t === "apply" && !allowApply)) {
    const accepted = Object.keys(PATCH_TYPES).filter((k) => allowApply || PATCH_TYPES[k] !== "apply");
    throw new KubeError(415, "UnsupportedMediaType", `the body of the request was in an unknown format - accepted media types include: ${accepted.join(", ")}`);
  }
  return t;
}

type Json = unknown;
const isObj = (v: Json): v is Record<string, Json> => typeof v === "object" && v !== null && !Array.isArray(v);

/** RFC 7386 */
export function mergePatch(target: Json, patch: Json): Json {
  if (!isObj(patch)) return structuredClone(patch);
  const out: Record<string, Json> = isObj(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

const MERGE_KEYS = ["name", "key", "type", "containerPort", "mountPath", "devicePath"];

/** The merge key of a list of objects (the first of MERGE_KEYS every element carries), if any. */
function mergeKeyOf(list: Json[]): string | undefined {
  if (list.length === 0 || !list.every(isObj)) return undefined;
  return MERGE_KEYS.find((k) => list.every((e) => (e as Record<string, Json>)[k] !== undefined));
}

/** Strategic merge: like merge patch, but lists of keyed objects merge element by element. `$patch: delete` removes an element. */
export function strategicMerge(target: Json, patch: Json): Json {
  if (Array.isArray(patch) && Array.isArray(target)) {
    const key = mergeKeyOf(patch);
    if (!key || (target.length > 0 && mergeKeyOf(target) !== key)) return structuredClone(patch);
    const out = target.map((e) => structuredClone(e));
    for (const p of patch as Record<string, Json>[]) {
      const i = out.findIndex((e) => (e as Record<string, Json>)[key] === p[key]);
      if (p.$patch === "delete") {
        if (i >= 0) out.splice(i, 1);
      } else if (i >= 0) out[i] = strategicMerge(out[i], p);
      else out.push(strategicMerge(undefined, p));
    }
    return out;
  }
  if (!isObj(patch)) return structuredClone(patch);
  const out: Record<string, Json> = isObj(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (k.startsWith("$")) continue;
    if (v === null) delete out[k];
    else out[k] = strategicMerge(out[k], v);
  }
  return out;
}

/** RFC 6901 pointer → path segments. */
function pointer(p: unknown): string[] {
  if (typeof p !== "string" || (p !== "" && !p.startsWith("/"))) throw badRequest(`invalid JSON pointer ${JSON.stringify(p)}`);
  return p === "" ? [] : p.slice(1).split("/").map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"));
}

function parentOf(doc: Json, segs: string[]): { parent: Record<string, Json> | Json[]; last: string } {
  let cur: Json = doc;
  for (const s of segs.slice(0, -1)) {
    if (Array.isArray(cur)) cur = cur[Number(s)];
    else if (isObj(cur)) cur = cur[s];
    else cur = undefined;
    if (cur === undefined) throw new KubeError(422, "Invalid", `the server rejected our request due to an error in our request: doc is missing path: "/${segs.join("/")}"`);
  }
  if (!isObj(cur) && !Array.isArray(cur)) throw new KubeError(422, "Invalid", `doc is missing path: "/${segs.join("/")}"`);
  return { parent: cur, last: segs[segs.length - 1]! };
}

function getAt(doc: Json, segs: string[]): Json {
  let cur: Json = doc;
  for (const s of segs) {
    if (Array.isArray(cur)) cur = cur[Number(s)];
    else if (isObj(cur)) cur = cur[s];
    else return undefined;
  }
  return cur;
}

/** RFC 6902 */
export function jsonPatch(doc: Json, ops: Json): Json {
  if (!Array.isArray(ops)) throw badRequest("json patch must be a JSON array of operations");
  let out = structuredClone(doc);
  for (const raw of ops) {
    if (!isObj(raw)) throw badRequest("json patch operation must be an object");
    const op = raw.op;
    const segs = pointer(raw.path);
    const add = (target: string[], value: Json) => {
      if (target.length === 0) {
        out = structuredClone(value);
        return;
      }
      const { parent, last } = parentOf(out, target);
      if (Array.isArray(parent)) parent.splice(last === "-" ? parent.length : Number(last), 0, structuredClone(value));
      else parent[last] = structuredClone(value);
    };
    const remove = (target: string[]) => {
      const { parent, last } = parentOf(out, target);
      if (Array.isArray(parent)) parent.splice(Number(last), 1);
      else {
        if (!(last in parent)) throw new KubeError(422, "Invalid", `the server rejected our request due to an error in our request: Unable to remove nonexistent key: ${last}: missing value`);
        delete parent[last];
      }
    };
    switch (op) {
      case "add":
        add(segs, raw.value);
        break;
      case "remove":
        remove(segs);
        break;
      case "replace":
        if (getAt(out, segs) === undefined) throw new KubeError(422, "Invalid", `the server rejected our request due to an error in our request: replace operation does not apply: doc is missing key: ${raw.path as string}: missing value`);
        remove(segs);
        add(segs, raw.value);
        break;
      case "move":
      case "copy": {
        const from = pointer(raw.from);
        const v = getAt(out, from);
        if (v === undefined) throw new KubeError(422, "Invalid", `doc is missing from path: ${raw.from as string}`);
        if (op === "move") remove(from);
        add(segs, v);
        break;
      }
      case "test":
        if (JSON.stringify(getAt(out, segs)) !== JSON.stringify(raw.value)) throw new KubeError(422, "Invalid", `the server rejected our request due to an error in our request: testing value ${raw.path as string} failed: test failed`);
        break;
      default:
        throw badRequest(`unexpected json patch operation ${JSON.stringify(op)}`);
    }
  }
  return out;
}

/** Parses a patch body and applies it to `current` (undefined for apply-create). */
export function applyPatch(type: PatchType, current: Json, body: string): Json {
  let patch: Json;
  try {
    patch = type === "apply" ? parseYaml(body) : JSON.parse(body);
  } catch (e) {
    throw badRequest(`error decoding patch: ${(e as Error).message}`);
  }
  switch (type) {
    case "json":
      return jsonPatch(current, patch);
    case "merge":
      if (!isObj(patch)) throw badRequest("merge patch must be a JSON object");
      return mergePatch(current, patch);
    case "strategic":
    case "apply":
      if (!isObj(patch)) throw badRequest(`${type === "apply" ? "apply" : "strategic merge"} patch must be an object`);
      return strategicMerge(current, patch);
  }
}
