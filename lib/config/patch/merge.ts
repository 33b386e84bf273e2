/**
 * Talos's config merge (pkg/machinery/config/merge/merge.go plus the types' Merge methods) on
 * plain values, driven by the Go types of ./types.ts:
 * - scalars: the right side wins unless it is Go's zero value ("" or 0); booleans always win,
 *   so a plain (non-pointer) bool the patch leaves out is reset to false, as in Go;
 * - pointers: nil on the right keeps the left; a value under a pointer wins even when zero;
 * - lists append, except `merge:"replace"` fields and `[]byte`, which are replaced, and the
 *   keyed lists (network devices by interface or device selector, VLANs by id, admission
 *   plugins by name, extension config files by mount path, image verification rules by image);
 * - maps merge key by key; `map[string]any` values must have the same shape on both sides;
 * - `meta.Args` (extraArgs) replaces per key; sizes, prefixes and addresses are atomic.
 */
import { mergeGoUrls } from "./gourl";
import { deref, goTypeName, type GoType } from "./types";

/** A merge failure; `path` is where in the right-hand (patch) document it happened. */
export class MergeError extends Error {
  constructor(
    message: string,
    readonly path: readonly (string | number)[],
  ) {
    super(message);
  }
}

type Obj = Record<string, unknown>;
type Path = (string | number)[];

export function isObj(v: unknown): v is Obj {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/**
 * Sets a key that came from user input: `__proto__` becomes an own key (as yaml's toJS makes it)
 * instead of replacing the object's prototype.
 */
export function setKey(o: Obj, k: string, v: unknown): void {
  if (k === "__proto__") Object.defineProperty(o, k, { value: v, writable: true, enumerable: true, configurable: true });
  else o[k] = v;
}

export function clone<T>(v: T): T {
  if (Array.isArray(v)) return v.map(clone) as T;
  if (isObj(v)) {
    const out: Obj = {};
    for (const k of Object.keys(v)) setKey(out, k, clone(v[k]));
    return out as T;
  }
  return v;
}

const isZeroScalar = (v: unknown) => v === null || v === undefined || v === "" || v === 0;

/** Go's dynamic type of a value decoded into `any`, for mismatch messages. */
function dynType(v: unknown): string {
  if (Array.isArray(v)) return "[]interface {}";
  if (isObj(v)) return "map[string]interface {}";
  if (typeof v === "number") return Number.isInteger(v) ? "int" : "float64";
  if (v === null || v === undefined) return "<nil>";
  return typeof v;
}

/** map[string]any merge: nested maps merge, lists append, zero scalars are ignored. */
function mergeAnyMap(l: Obj | undefined, r: Obj, path: Path): Obj {
  const out = l ?? {};
  for (const k of Object.keys(r)) {
    const lv = out[k];
    const rv = r[k];
    if (lv === null || lv === undefined) {
      setKey(out, k, clone(rv));
      continue;
    }
    const lt = dynType(lv);
    const rt = dynType(rv);
    if (lt !== rt) throw new MergeError(`merge type mismatch left ${lt} right ${rt}`, [...path, k]);
    if (isObj(lv)) setKey(out, k, mergeAnyMap(lv, rv as Obj, [...path, k]));
    else if (Array.isArray(lv)) setKey(out, k, [...lv, ...clone(rv as unknown[])]);
    else if (typeof rv === "boolean" || !isZeroScalar(rv)) setKey(out, k, rv);
  }
  return out;
}

/** True for values Go's merge treats as "absent on the right" (nil or the zero struct). */
function isZeroStruct(v: unknown): boolean {
  return v === null || v === undefined || (isObj(v) && Object.values(v).every((x) => x === null || x === undefined || x === "" || x === 0 || x === false || (Array.isArray(x) && x.length === 0) || (isObj(x) && isZeroStruct(x))));
}

function keyedMerge(name: string, l: unknown[] | undefined, r: unknown[], elem: GoType, path: Path): unknown[] {
  const out = l ? [...l] : [];
  const e = deref(elem);
  if (name === "security.ImageVerificationRules") {
    // By image pattern, replacing the whole rule; the index covers the left list only.
    const byImage = new Map<string, number>();
    out.forEach((rule, i) => byImage.set(String((rule as Obj | null)?.image ?? ""), i));
    for (const rule of r) {
      const i = byImage.get(String((rule as Obj | null)?.image ?? ""));
      if (i === undefined) out.push(clone(rule));
      else out[i] = clone(rule);
    }
    return out;
  }
  const keyOf = KEYS[name]!;
  // First match wins (Go scans the list from the start); appended items are matched too.
  const index = new Map<string, number>();
  const remember = (item: unknown, i: number) => {
    const k = keyOf(item);
    if (k !== null && !index.has(k)) index.set(k, i);
  };
  out.forEach(remember);
  r.forEach((item, j) => {
    const k = keyOf(item);
    const i = k === null ? undefined : index.get(k);
    if (i === undefined || out[i] === null || out[i] === undefined) {
      out.push(clone(item));
      remember(item, out.length - 1);
    } else if (item !== null && item !== undefined) {
      out[i] = mergeValue(out[i], item, e, false, true, [...path, j]);
    }
  });
  return out;
}

function selectorKey(sel: unknown): string | null {
  if (!isObj(sel)) return null;
  // Go compares the selector structs with ==: `physical` is a *bool, equal only when both are nil.
  if (sel.physical !== undefined && sel.physical !== null) return null;
  return JSON.stringify(["busPath", "hardwareAddr", "permanentAddr", "pciID", "driver"].map((f) => String(sel[f] ?? "")));
}

const KEYS: Readonly<Record<string, (item: unknown) => string | null>> = {
  "v1alpha1.NetworkDeviceList": (d) => {
    if (!isObj(d)) return null;
    if (typeof d.interface === "string" && d.interface !== "") return `i:${d.interface}`;
    if (d.deviceSelector !== null && d.deviceSelector !== undefined) {
      const k = selectorKey(d.deviceSelector);
      return k === null ? null : `s:${k}`;
    }
    return null;
  },
  "v1alpha1.VlanList": (v) => (isObj(v) ? String(Number(v.vlanId ?? 0)) : null),
  "v1alpha1.AdmissionPluginConfigList": (c) => (isObj(c) ? String(c.name ?? "") : null),
  "extensions.ConfigFileList": (f) => (isObj(f) ? String(f.mountPath ?? "") : "" /* zero ConfigFile */),
};

/** Keyed lists with their own Merge method. */
export const KEYED_LISTS = new Set([...Object.keys(KEYS), "security.ImageVerificationRules"]);

/** Whether a merge with an absent right side can still change the left (Go resets plain bools). */
const resetCache = new Map<GoType, boolean>();
function resets(t: GoType): boolean {
  if (t.k !== "struct") return false;
  const hit = resetCache.get(t);
  if (hit !== undefined) return hit;
  resetCache.set(t, false);
  const v = t.fields.some((f) => (f.type.k === "scalar" && f.type.go === "bool") || (f.type.k === "special" && (f.type.name === "block.ByteSize" || f.type.name === "block.PercentageSize")) || (f.type.k === "struct" && resets(f.type)));
  resetCache.set(t, v);
  return v;
}

function mergeStruct(l: Obj, r: Obj, t: Extract<GoType, { k: "struct" }>, path: Path): Obj {
  for (const f of t.fields) {
    const has = Object.hasOwn(r, f.yaml);
    const rv = has ? r[f.yaml] : undefined;
    const lv = l[f.yaml];
    if (!has && !(f.type.k === "scalar" && f.type.go === "bool") && !(f.type.k === "special" && (f.type.name === "block.ByteSize" || f.type.name === "block.PercentageSize")) && !(f.type.k === "struct" && lv !== undefined && resets(f.type))) continue;
    const merged = mergeValue(lv, rv, f.type, f.replace, false, [...path, f.yaml]);
    if (merged === undefined) delete l[f.yaml];
    else l[f.yaml] = merged;
  }
  // Keys Go does not know (the decoder rejects them first); kept as the patch says.
  for (const k of Object.keys(r)) if (!t.byName.has(k) && r[k] !== undefined) setKey(l, k, clone(r[k]));
  return l;
}

/**
 * Go's merge(vl, vr, replace, overwrite): returns the new left value (the left may be mutated).
 * `undefined` means absent.
 */
export function mergeValue(l: unknown, r: unknown, t: GoType, replace: boolean, overwrite: boolean, path: Path): unknown {
  switch (t.k) {
    case "ptr":
      if (r === null || r === undefined) return l;
      if (l === null || l === undefined) return clone(r);
      return mergeValue(l, r, t.elem, replace, true, path);
    case "slice": {
      if (t.name && KEYED_LISTS.has(t.name)) {
        if (!Array.isArray(r) || r.length === 0) return l;
        return keyedMerge(t.name, Array.isArray(l) ? l : undefined, r, t.elem, path);
      }
      if (r === null || r === undefined) return l;
      if (!Array.isArray(r)) throw new MergeError(`cannot merge ${typeof r} into ${goTypeName(t)}`, path);
      if (replace || l === null || l === undefined) return clone(r);
      if (!Array.isArray(l)) throw new MergeError(`cannot merge a list into ${typeof l}`, path);
      return [...l, ...clone(r)];
    }
    case "bytes":
      return r === null || r === undefined ? l : r;
    case "map": {
      if (r === null || r === undefined) return l;
      if (!isObj(r)) throw new MergeError(`cannot merge ${Array.isArray(r) ? "a list" : typeof r} into ${goTypeName(t)}`, path);
      if (replace) return clone(r);
      const out = isObj(l) ? l : {};
      for (const k of Object.keys(r)) {
        const lv = out[k];
        setKey(out, k, lv === null || lv === undefined ? clone(r[k]) : mergeValue(lv, r[k], t.elem, false, false, [...path, k]));
      }
      return out;
    }
    case "struct": {
      if (replace) return isZeroStruct(r) ? l : clone(r);
      if (r !== null && r !== undefined && !isObj(r)) throw new MergeError(`cannot merge ${Array.isArray(r) ? "a list" : typeof r} into ${goTypeName(t)}`, path);
      if (l !== null && l !== undefined && !isObj(l)) throw new MergeError(`cannot merge ${goTypeName(t)} into ${Array.isArray(l) ? "a list" : typeof l}`, path);
      if ((r === null || r === undefined) && (l === null || l === undefined)) return l;
      return mergeStruct(isObj(l) ? l : {}, isObj(r) ? r : {}, t, path);
    }
    case "any": {
      // meta.Unstructured (a struct around map[string]any) and bare interface values.
      if (r === null || r === undefined) return l;
      if (!isObj(r)) return clone(r);
      if (replace) return isZeroStruct(r) ? l : clone(r);
      if (l !== null && l !== undefined && !isObj(l)) throw new MergeError(`merge type mismatch left ${dynType(l)} right ${dynType(r)}`, path);
      return mergeAnyMap(isObj(l) ? l : undefined, r, path);
    }
    case "special":
      switch (t.name) {
        case "meta.Args":
          // maps.Copy: each argument given replaces the old one whole.
          if (!isObj(r) || Object.keys(r).length === 0) return l;
          return { ...(isObj(l) ? l : {}), ...clone(r) };
        case "v1alpha1.Endpoint":
        case "meta.URL":
          // A struct around *url.URL: Go merges the URL's fields one by one.
          if (isZeroScalar(r)) return l;
          return typeof l === "string" && l !== "" && typeof r === "string" ? mergeGoUrls(l, r) : r;
        case "block.ByteSize":
        case "block.PercentageSize":
          // Their Merge copies the right side even when it is empty (Talos's behaviour).
          return r === null ? undefined : r;
        default:
          return isZeroScalar(r) ? l : clone(r);
      }
    case "scalar":
      if (t.go === "bool") return r === undefined || r === null ? (l === undefined ? undefined : false) : r;
      if (isZeroScalar(r) && !overwrite) return l;
      return r === undefined ? l : r;
  }
}

/** Merges a patch document body into a config document body of Go struct type `t`. */
export function mergeDocument(l: Obj, r: Obj, t: GoType): Obj {
  if (t.k !== "struct") return mergeAnyMap(l, r, []);
  return mergeStruct(l, r, t, []);
}
