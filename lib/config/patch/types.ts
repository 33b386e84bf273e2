/**
 * The Go types of Talos's config documents, resolved from the facts in ./go-types.ts into the
 * shapes the merge and the encoder need. Resolution is lazy and cached (types are recursive).
 */
import { KIND_TABLE } from "@/lib/config/schema/kinds";

import { GO_EXTERNAL, GO_NAMED, GO_STRUCTS } from "./go-types";

export interface GoField {
  readonly yaml: string;
  readonly type: GoType;
  readonly omitempty: boolean;
  /** `merge:"replace"`: the right side replaces the left instead of merging. */
  readonly replace: boolean;
}

export type GoType =
  | { readonly k: "struct"; readonly name: string; readonly fields: readonly GoField[]; readonly byName: ReadonlyMap<string, GoField> }
  | { readonly k: "ptr"; readonly elem: GoType }
  | { readonly k: "slice"; readonly elem: GoType; readonly name?: string }
  | { readonly k: "map"; readonly elem: GoType; readonly name?: string }
  | { readonly k: "scalar"; readonly go: string }
  /** `[]byte`: always replaced, never appended. */
  | { readonly k: "bytes" }
  /** `any`, and the free-form `meta.Unstructured` (`unstructured`: a struct inlining a `map[string]any`). */
  | { readonly k: "any"; readonly unstructured?: true }
  /** A type with its own Merge method or text form, named (see SPECIAL). */
  | { readonly k: "special"; readonly name: string };

const BUILTIN = new Set(["string", "bool", "int", "int8", "int16", "int32", "int64", "uint", "uint8", "uint16", "uint32", "uint64", "float32", "float64", "byte", "rune"]);

/**
 * Types whose merge is not the reflective default (their Merge methods), or that are atomic text
 * values with unexported fields (netip wrappers, sizes, URLs).
 */
export const SPECIAL = new Set([
  "meta.Unstructured",
  "meta.Args",
  "meta.Prefix",
  "meta.Addr",
  "meta.AddrPort",
  "meta.URL",
  "block.ByteSize",
  "block.PercentageSize",
  "block.Size",
  // Custom UnmarshalYAML: written as text.
  "v1alpha1.Endpoint",
  "v1alpha1.InstallDiskSizeMatcher",
  "v1alpha1.DiskSize",
  "network.PortRange",
]);

const cache = new Map<string, GoType>();

function parseFields(spec: string, out: GoField[]): void {
  if (spec === "") return;
  for (const part of spec.split("|")) {
    const [name, expr, flags = ""] = part.split(" ") as [string, string, string?];
    if (name === "-") {
      // Embedded struct: its fields are the parent's (yaml ",inline").
      const inner = resolveGoType(expr.replace(/^\*/, ""));
      if (inner.k === "struct") out.push(...inner.fields);
      continue;
    }
    out.push({ yaml: name, type: resolveGoType(expr), omitempty: flags.includes("o"), replace: flags.includes("r") });
  }
}

/** The GoType of a Go type expression such as `*v1alpha1.Device` or `map[string]string`. */
export function resolveGoType(expr: string): GoType {
  const hit = cache.get(expr);
  if (hit) return hit;
  let t: GoType;
  if (expr.startsWith("*")) t = { k: "ptr", elem: resolveGoType(expr.slice(1)) };
  else if (expr === "[]byte" || expr === "[]uint8") t = { k: "bytes" };
  else if (expr.startsWith("[]")) t = { k: "slice", elem: resolveGoType(expr.slice(2)) };
  else if (expr.startsWith("map[")) t = { k: "map", elem: resolveGoType(expr.slice(expr.indexOf("]") + 1)) };
  else if (expr === "any") t = { k: "any" };
  else if (expr === "meta.Unstructured") t = { k: "any", unstructured: true };
  else if (BUILTIN.has(expr)) t = { k: "scalar", go: expr };
  else if (SPECIAL.has(expr)) t = { k: "special", name: expr };
  else if (Object.hasOwn(GO_NAMED, expr)) {
    const under = resolveGoType(GO_NAMED[expr]!);
    t = under.k === "slice" || under.k === "map" ? { ...under, name: expr } : under;
  } else if (Object.hasOwn(GO_STRUCTS, expr) || Object.hasOwn(GO_EXTERNAL, expr)) {
    const fields: GoField[] = [];
    const byName = new Map<string, GoField>();
    const s: GoType = { k: "struct", name: expr, fields, byName };
    cache.set(expr, s); // before the fields: types refer to themselves
    parseFields(GO_STRUCTS[expr] ?? GO_EXTERNAL[expr]!, fields);
    for (const f of fields) if (!byName.has(f.yaml)) byName.set(f.yaml, f);
    return s;
  } else t = { k: "scalar", go: expr }; // enums, durations, …: text values
  cache.set(expr, t);
  return t;
}

const KIND_TYPES = new Map(KIND_TABLE.map((k) => [k.kind, k.type]));

/** The struct type of a document kind ("v1alpha1" for the legacy document), or null when unknown. */
export function documentType(kind: string): GoType | null {
  const name = KIND_TYPES.get(kind);
  if (!name) return null;
  const t = resolveGoType(name);
  return t.k === "struct" ? t : null;
}

/** Go's name of a type, for messages (`[]string`, `v1alpha1.Device`). */
export function goTypeName(t: GoType): string {
  switch (t.k) {
    case "struct":
      return t.name;
    case "ptr":
      return `*${goTypeName(t.elem)}`;
    case "slice":
      return t.name ?? `[]${goTypeName(t.elem)}`;
    case "map":
      return t.name ?? `map[string]${goTypeName(t.elem)}`;
    case "scalar":
      return t.go;
    case "bytes":
      return "[]byte";
    case "any":
      return "interface {}";
    case "special":
      return t.name;
  }
}

/** Strips pointers. */
export function deref(t: GoType): GoType {
  return t.k === "ptr" ? deref(t.elem) : t;
}
