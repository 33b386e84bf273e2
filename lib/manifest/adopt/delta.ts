/**
 * The delta from a node's generated base config to its running config, as the operations a
 * Talos strategic-merge patch can carry, driven by the Go types the patcher merges with
 * (lib/config/patch/types.ts) so that each operation does under Talos's merge rules exactly
 * what it says:
 * - `set`: a value merged in (a scalar, a map key, an atomic value, a new empty struct);
 * - `append`: items added after a list's current ones (Talos appends to lists);
 * - `replace`: a `$patch: delete` of the path, then the value merged back in (a removed field,
 *   a value set back to its zero value, a list that is reordered or shortened, a URL whose
 *   parts a merge would keep);
 * - `add-doc` / `delete-doc`: a document with nothing else to set, a document to remove.
 * Operations never nest (none sits under another's path) and never go below a list item, where
 * Talos's deletes cannot reach: a changed list item replaces the whole list. Both configs are
 * in canonical form (read and written by Talos's encoder), so equal values are equal data.
 */
import { mergeGoUrls } from "@/lib/config/patch/gourl";
import { clone, mergeValue } from "@/lib/config/patch/merge";
import { deref, documentType, type GoType } from "@/lib/config/patch/types";

export type OpKind = "set" | "append" | "replace" | "add-doc" | "delete-doc";

export interface Op {
  /** The document's identity (see {@link ConfigDocument.id}). */
  readonly doc: string;
  /** Keys from the document's root (list items are never addressed). */
  readonly path: readonly string[];
  readonly kind: OpKind;
  /** set: the value; append: the items; replace: the value put back (undefined: deleted only). */
  readonly value?: unknown;
  /**
   * Fields a patch touching the op's structs must repeat: Go's merge resets a plain bool and
   * drops a ByteSize that the patch leaves out of a struct it merges (see {@link forcedFields}).
   */
  readonly forced?: readonly Forced[];
}

export interface Forced {
  readonly path: readonly string[];
  readonly fields: Record<string, unknown>;
}

/** One document of a config: identity, the header a patch document repeats, the body. */
export interface ConfigDocument {
  /** "v1alpha1", or `apiVersion/kind` with `/name` for named kinds. */
  readonly id: string;
  readonly kind: string;
  /** `apiVersion`, `kind` and (named kinds) `name`: what a patch document must say to address it. */
  readonly header: readonly (readonly [string, string])[];
  readonly body: Record<string, unknown>;
}

export interface Delta {
  readonly ops: Op[];
  /** Paths (document label + path) a patch cannot bring to the running value. */
  readonly problems: string[];
}

type Obj = Record<string, unknown>;

const ANY: GoType = { k: "any" };

export const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

const isZero = (v: unknown) => v === null || v === undefined || v === "" || v === 0;

/** Deep equality of decoded YAML values. */
export function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameValue(a[i], b[i])) return false;
    return true;
  }
  if (isObj(a)) {
    if (!isObj(b)) return false;
    const ka = Object.keys(a);
    if (ka.length !== Object.keys(b).length) return false;
    for (const k of ka) if (!Object.hasOwn(b, k) || !sameValue(a[k], b[k])) return false;
    return true;
  }
  return typeof a === "number" && typeof b === "number" && Number.isNaN(a) && Number.isNaN(b);
}

const absent = (v: unknown) => v === undefined || v === null;

/** Go's dynamic type of a value decoded into `any` (merge.go refuses to merge two different ones). */
function dynType(v: unknown): string {
  if (Array.isArray(v)) return "list";
  if (isObj(v)) return "map";
  if (typeof v === "number") return Number.isInteger(v) ? "int" : "float";
  return typeof v;
}

/** How a document is named in paths: "" for v1alpha1, else `Kind` or `Kind/name` (as configDifferences does). */
export function docLabel(doc: ConfigDocument): string {
  if (doc.kind === "v1alpha1") return "";
  const name = doc.header.find(([k]) => k === "name");
  return name ? `${doc.kind}/${name[1]}` : doc.kind;
}

export function pathLabel(label: string, path: readonly string[]): string {
  return [label, ...path].filter((s) => s !== "").join(".") || "v1alpha1";
}

const SIZES = new Set(["block.ByteSize", "block.PercentageSize"]);
const resetCache = new Map<GoType, boolean>();

/** Whether merging a struct can change fields the patch leaves out (lib/config/patch/merge.ts `resets`). */
function resets(t: GoType): boolean {
  if (t.k !== "struct") return false;
  const hit = resetCache.get(t);
  if (hit !== undefined) return hit;
  resetCache.set(t, false);
  const v = t.fields.some((f) => (f.type.k === "scalar" && f.type.go === "bool") || (f.type.k === "special" && SIZES.has(f.type.name)) || (f.type.k === "struct" && resets(f.type)));
  resetCache.set(t, v);
  return v;
}

/**
 * What a patch merging struct `t` must say for it to keep the running value `r`: plain bools
 * that are true (Go resets an omitted one to false), sizes (their Merge copies an omitted one as
 * empty), and the same inside struct fields held by value (Go merges those even when omitted).
 */
function forcedFields(t: Extract<GoType, { k: "struct" }>, r: Obj): Obj | undefined {
  const out: Obj = {};
  for (const f of t.fields) {
    const v = r[f.yaml];
    if (absent(v)) continue;
    if (f.type.k === "scalar" && f.type.go === "bool") {
      if (v === true) out[f.yaml] = true;
    } else if (f.type.k === "special" && SIZES.has(f.type.name)) {
      out[f.yaml] = v;
    } else if (f.type.k === "struct" && resets(f.type) && isObj(v)) {
      const inner = forcedFields(f.type, v);
      if (inner) out[f.yaml] = inner;
    }
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

class Differ {
  readonly ops: Op[] = [];
  readonly problems: string[] = [];
  private readonly forced: Forced[] = [];
  constructor(
    private readonly doc: string,
    private readonly label: string,
  ) {}

  private op(kind: OpKind, path: readonly string[], value?: unknown): void {
    this.ops.push(this.forced.length > 0 ? { doc: this.doc, path, kind, value, forced: [...this.forced] } : { doc: this.doc, path, kind, value });
  }

  private problem(path: readonly string[]): void {
    this.problems.push(pathLabel(this.label, path));
  }

  /** Fields or keys of both sides: the running order first (Go's field order in canonical text). */
  private keys(l: unknown, r: Obj): string[] {
    const out = Object.keys(r);
    if (isObj(l)) for (const k of Object.keys(l)) if (!Object.hasOwn(r, k)) out.push(k);
    return out;
  }

  value(l: unknown, r: unknown, t: GoType | undefined, path: readonly string[], overwrite: boolean, replace = false): void {
    if (sameValue(l, r)) return;
    if (absent(r)) {
      if (!absent(l)) this.op("replace", path);
      return;
    }
    const type = t ?? ANY;
    if (replace && type.k !== "ptr" && type.k !== "scalar" && type.k !== "special") {
      // merge:"replace": the patch's value replaces the old one whole, unless it is a zero struct.
      const zeroStruct = type.k === "struct" && isObj(r) && Object.keys(r).length === 0;
      return this.op(zeroStruct && !absent(l) ? "replace" : "set", path, r);
    }
    switch (type.k) {
      case "ptr":
        return this.value(l, r, type.elem, path, true, replace);
      case "struct":
        return this.struct(l, r, type, path);
      case "map":
        return this.map(l, r, type, path);
      case "slice":
        return this.slice(l, r, type, path);
      case "bytes":
        return this.op("set", path, r);
      case "any":
        return this.any(l, r, path, false);
      case "special":
        return this.special(l, r, type.name, path);
      case "scalar":
        if (type.go === "bool" || !isZero(r) || overwrite) return this.op("set", path, r);
        // A zero value does not override in a merge; without a left side the encoder writes it anyway.
        if (absent(l)) return;
        return this.op("replace", path, r);
    }
  }

  /** Recurses into each field; a new struct with nothing set in it still has to exist. */
  struct(l: unknown, r: unknown, t: Extract<GoType, { k: "struct" }>, path: readonly string[], skip?: ReadonlySet<string>): void {
    if (!isObj(r)) return this.op("set", path, r);
    const left = isObj(l) ? l : undefined;
    const before = this.ops.length;
    const forced = resets(t) ? forcedFields(t, r) : undefined;
    if (forced) this.forced.push({ path, fields: forced });
    for (const k of this.keys(left, r)) {
      if (skip?.has(k)) continue;
      const f = t.byName.get(k);
      this.value(left?.[k], r[k], f?.type, [...path, k], false, f?.replace ?? false);
    }
    if (!left && this.ops.length === before && path.length > 0) this.op("set", path, {});
    if (forced) this.forced.pop();
  }

  private map(l: unknown, r: unknown, t: Extract<GoType, { k: "map" }>, path: readonly string[]): void {
    if (!isObj(r)) return this.op("set", path, r);
    if (!isObj(l)) {
      if (Object.keys(r).length === 0) return this.op("set", path, {});
      for (const k of Object.keys(r)) this.newKey(r[k], t.elem, [...path, k]);
      return;
    }
    for (const k of this.keys(l, r)) {
      if (!Object.hasOwn(r, k)) this.op("replace", [...path, k]);
      else if (absent(l[k])) this.newKey(r[k], t.elem, [...path, k]);
      else this.value(l[k], r[k], t.elem, [...path, k], false);
    }
  }

  /** A map key the left side lacks: Go sets the value whole (even a zero one). */
  private newKey(r: unknown, elem: GoType, path: readonly string[]): void {
    const e = deref(elem);
    if (e.k === "struct" || e.k === "map" || e.k === "any") this.value(undefined, r, elem, path, true);
    else this.op("set", path, r);
  }

  private slice(l: unknown, r: unknown, t: Extract<GoType, { k: "slice" }>, path: readonly string[]): void {
    if (!Array.isArray(r)) return this.op("set", path, r);
    const left = Array.isArray(l) ? l : undefined;
    if (t.name !== undefined && KEYED.has(t.name)) return this.keyed(left, r, t, path);
    if (!left || left.length === 0) return r.length === 0 ? this.op("set", path, r) : this.op("append", path, r);
    if (r.length > left.length && left.every((x, i) => sameValue(x, r[i]))) return this.op("append", path, r.slice(left.length));
    this.op("replace", path, r);
  }

  /** Keyed lists (network devices, VLANs, …) merge items by key: check what a merge would make. */
  private keyed(left: unknown[] | undefined, r: unknown[], t: GoType, path: readonly string[]): void {
    const merged = (l: unknown[] | undefined, items: unknown[]) => mergeValue(clone(l), clone(items), t, false, false, []);
    if (left && r.length > left.length && left.every((x, i) => sameValue(x, r[i]))) {
      const items = r.slice(left.length);
      if (sameValue(merged(left, items), r)) return this.op("append", path, items);
    }
    if (!left || left.length === 0) {
      this.op("append", path, r);
    } else this.op("replace", path, r);
    // Items whose keys repeat merge into one: no patch writes such a list.
    if (!sameValue(merged(undefined, r), r)) this.problem(path);
  }

  /**
   * Free-form values (meta.Unstructured, `any`). At the field itself a value that is not a map
   * replaces the old one; inside, Go's map merge: maps merge, lists append, zero scalars keep the
   * old value, and two values of different types refuse to merge.
   */
  private any(l: unknown, r: unknown, path: readonly string[], nested: boolean): void {
    if (sameValue(l, r)) return;
    if (absent(r)) {
      if (!absent(l)) this.op("replace", path);
      return;
    }
    if (absent(l)) {
      if (isObj(r) && Object.keys(r).length > 0) {
        for (const k of Object.keys(r)) this.any(undefined, r[k], [...path, k], true);
        return;
      }
      return this.op(Array.isArray(r) && nested ? "append" : "set", path, r);
    }
    if (!isObj(r)) {
      if (!nested) return this.op("set", path, r);
      if (dynType(l) !== dynType(r)) return this.op("replace", path, r);
      if (Array.isArray(r)) {
        const left = l as unknown[];
        if (r.length > left.length && left.every((x, i) => sameValue(x, r[i]))) return this.op("append", path, r.slice(left.length));
        return this.op("replace", path, r);
      }
      return this.op(typeof r === "boolean" || !isZero(r) ? "set" : "replace", path, r);
    }
    if (!isObj(l)) return this.op("replace", path, r);
    for (const k of this.keys(l, r)) this.any(l[k], r[k], [...path, k], true);
  }

  private special(l: unknown, r: unknown, name: string, path: readonly string[]): void {
    switch (name) {
      case "meta.Args": {
        // Each argument given replaces the old one whole; a removed one is deleted.
        if (!isObj(r)) return this.op("set", path, r);
        const left = isObj(l) ? l : {};
        for (const k of this.keys(left, r)) {
          if (!Object.hasOwn(r, k)) this.op("replace", [...path, k]);
          else if (!sameValue(left[k], r[k])) this.op("set", [...path, k], r[k]);
        }
        return;
      }
      case "v1alpha1.Endpoint":
      case "meta.URL":
        // Go merges URLs part by part: a part the new one lacks would survive the merge.
        if (absent(l) || (typeof l === "string" && typeof r === "string" && mergeGoUrls(l, r) === r)) return this.op("set", path, r);
        return this.op("replace", path, r);
      case "block.ByteSize":
      case "block.PercentageSize":
        return this.op("set", path, r);
      default:
        if (isZero(r)) return absent(l) ? undefined : this.op("replace", path, r);
        return this.op("set", path, r);
    }
  }
}

const KEYED = new Set(["v1alpha1.NetworkDeviceList", "v1alpha1.VlanList", "v1alpha1.AdmissionPluginConfigList", "extensions.ConfigFileList", "security.ImageVerificationRules"]);

/**
 * The operations that turn document `base` (absent: the base lacks it) into `running`
 * (absent: the running config lacks it).
 */
export function diffDocument(base: ConfigDocument | undefined, running: ConfigDocument | undefined): Delta {
  const doc = (running ?? base)!;
  const d = new Differ(doc.id, docLabel(doc));
  if (!running) {
    if (doc.kind === "v1alpha1") d.problems.push("- v1alpha1");
    d.ops.push({ doc: doc.id, path: [], kind: "delete-doc" });
    return d;
  }
  const t = documentType(doc.kind);
  const header = new Set(running.header.map(([k]) => k));
  // Unknown kinds do not load: compare them as free-form maps all the same.
  const type = t?.k === "struct" ? t : ({ k: "struct", name: doc.kind, fields: [], byName: new Map() } as const);
  d.struct(base?.body ?? {}, running.body, type, [], header);
  if (!base && d.ops.length === 0) d.ops.push({ doc: doc.id, path: [], kind: "add-doc" });
  return d;
}
