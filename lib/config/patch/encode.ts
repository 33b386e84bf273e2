/**
 * Talos's config encoder with comments off (encoder.Encode → yaml.Marshal of the Go structs):
 * struct fields in Go order, `omitempty` fields dropped when zero, absent fields without
 * `omitempty` written as Go's zero value (`""`, `false`, `[]`, `{}`, `null`), Go maps with
 * sorted keys. Keys Go does not know (not in ./go-types.ts) stay, after the known ones, in input
 * order: Talos would have rejected them, Minos keeps them for the validator to report.
 */
import { MAX_CONFIG_BYTES } from "@/lib/config/parse";
import { isV1Alpha1Document, V1ALPHA1 } from "@/lib/talos/documents";

import { emitDocument, sortGoKeys, type Out } from "@/lib/talos/goyaml";
import { isObj } from "./merge";
import { documentType, type GoType } from "./types";

/**
 * What the MarshalText of Talos's text types writes for their zero value, for fields without
 * `omitempty` (enumer's String() of 0; netip's empty text).
 */
const ZERO_TEXT: Readonly<Record<string, string>> = {
  "block.EncryptionProviderType": "none",
  "block.FilesystemType": "none",
  "nethelpers.DefaultAction": "accept",
  "nethelpers.RoutingTable": "unspec",
  "nethelpers.Protocol": "Protocol(0)",
  "storageres.LVMLogicalVolumeType": "linear",
  "storageres.MDLevel": "raid1",
  "netip.Prefix": "",
  "time.Duration": "0s",
};

/** Go's zero value as yaml.v3 writes it, or undefined when the text form is not known here. */
function zeroOut(t: GoType): Out | undefined {
  switch (t.k) {
    case "ptr":
      return null;
    case "any":
      // meta.Unstructured is a struct inlining its map: empty, it is written `{}`.
      return t.unstructured ? { entries: [] } : null;
    case "slice":
    case "bytes":
      return [];
    case "map":
      return { entries: [] };
    case "struct":
      return structOut({}, t);
    case "special":
      if (t.name === "meta.Args") return { entries: [] };
      // URL's MarshalYAML and netip's MarshalText write nothing for the zero value.
      if (["meta.URL", "meta.Addr", "meta.Prefix", "meta.AddrPort"].includes(t.name)) return "";
      return undefined;
    case "scalar":
      if (t.go === "string") return "";
      if (t.go === "bool") return false;
      if (/^(u?int\d*|float\d+)$/.test(t.go)) return 0;
      return ZERO_TEXT[t.go]; // enums and other text types: their marshaller's text for zero
  }
}

/** yaml.v3's isZero, for `omitempty`. */
export function isZeroValue(v: unknown, t: GoType): boolean {
  if (v === null || v === undefined) return true;
  switch (t.k) {
    case "ptr":
      return false;
    case "slice":
    case "bytes":
      return Array.isArray(v) ? v.length === 0 : v === "";
    case "map":
      return isObj(v) && Object.keys(v).length === 0;
    case "any":
      // meta.Unstructured is a struct around its map: zero when the map is empty.
      return isObj(v) && Object.keys(v).length === 0;
    case "struct":
      if (!isObj(v)) return false;
      return Object.keys(v).every((k) => {
        const f = t.byName.get(k);
        return f ? isZeroValue(v[k], f.type) : v[k] === null || v[k] === undefined;
      });
    case "special":
      return v === "" || (isObj(v) && Object.keys(v).length === 0);
    case "scalar":
      return v === "" || v === 0 || v === false;
  }
}

function anyOut(v: unknown): Out {
  if (Array.isArray(v)) return v.map(anyOut);
  if (isObj(v)) return { entries: sortGoKeys(Object.keys(v)).map((k) => [k, anyOut(v[k])] as const) };
  if (v === undefined) return null;
  return v as Out;
}

/** meta.ArgValue's MarshalYAML: hand-built `!!str` nodes; an empty string is written as null. */
function argOut(v: unknown): Out {
  if (Array.isArray(v)) return v.map((x) => ({ node: x === null || x === undefined ? "" : String(x) }));
  if (v === null || v === undefined || v === "") return null;
  return { node: String(v) };
}

/** Unknown to Go: kept as given, maps in input order. */
function inputOrderOut(v: unknown): Out {
  if (Array.isArray(v)) return v.map(inputOrderOut);
  if (isObj(v)) return { entries: Object.keys(v).map((k) => [k, inputOrderOut(v[k])] as const) };
  if (v === undefined) return null;
  return v as Out;
}

function structOut(v: Record<string, unknown>, t: Extract<GoType, { k: "struct" }>): Out {
  const entries: (readonly [string, Out])[] = [];
  for (const f of t.fields) {
    const val = v[f.yaml];
    if (f.omitempty && isZeroValue(val, f.type)) continue;
    if (val === undefined || val === null) {
      const z = zeroOut(f.type);
      if (z !== undefined) entries.push([f.yaml, z]);
      continue;
    }
    entries.push([f.yaml, valueOut(val, f.type)]);
  }
  for (const k of Object.keys(v)) if (!t.byName.has(k) && v[k] !== undefined) entries.push([k, inputOrderOut(v[k])]);
  return { entries };
}

export function valueOut(v: unknown, t: GoType): Out {
  if (v === undefined || v === null) return zeroOut(t) ?? null;
  switch (t.k) {
    case "ptr":
      return valueOut(v, t.elem);
    case "struct":
      return isObj(v) ? structOut(v, t) : inputOrderOut(v);
    case "slice":
      return Array.isArray(v) ? v.map((x) => (x === null || x === undefined ? null : valueOut(x, t.elem))) : inputOrderOut(v);
    case "map":
      return isObj(v) ? { entries: sortGoKeys(Object.keys(v)).map((k) => [k, valueOut(v[k], t.elem)] as const) } : inputOrderOut(v);
    case "special":
      if (t.name === "meta.Args" && isObj(v)) return { entries: sortGoKeys(Object.keys(v)).map((k) => [k, argOut(v[k])] as const) };
      return anyOut(v);
    case "any":
      return anyOut(v);
    case "bytes":
      return inputOrderOut(v);
    case "scalar":
      if (t.go === "string" && (typeof v === "number" || typeof v === "boolean")) return String(v);
      return inputOrderOut(v);
  }
}

/** The kind a document is encoded as: "v1alpha1", its `kind`, or null. */
export function kindOf(doc: unknown): string | null {
  if (!isObj(doc)) return null;
  if (isV1Alpha1Document(doc)) return V1ALPHA1;
  return typeof doc.kind === "string" && doc.kind !== "" ? doc.kind : null;
}

/**
 * One document body as yaml.v3 writes it for its Go type (input order when the kind is unknown).
 * Throws OutputTooLarge past MAX_CONFIG_BYTES: nothing downstream reads a larger config.
 */
export function encodeDocument(doc: unknown): string {
  const kind = kindOf(doc);
  const t = kind ? documentType(kind) : null;
  return emitDocument(t ? valueOut(doc, t) : inputOrderOut(doc), "v4", MAX_CONFIG_BYTES);
}

/**
 * Documents as Talos writes a config: the v1alpha1 document first (the container keeps it
 * apart), then the others in order, separated by `---`.
 */
export function encodeConfig(docs: unknown[]): string {
  const first = docs.filter((d) => kindOf(d) === V1ALPHA1);
  const rest = docs.filter((d) => kindOf(d) !== V1ALPHA1);
  return [...first, ...rest].map(encodeDocument).join("---\n");
}
