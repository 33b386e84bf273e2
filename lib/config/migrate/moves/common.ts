/** What every group of moves shares: the plan shapes and small value helpers. */
import type { Json, JsonObject } from "../stream";
import type { Move, Path } from "../types";


/** A document of the 1.14 layout to create or merge into. Field order = Talos's struct order. */
export interface Write {
  kind: string;
  /** For named kinds: the document's `name`. */
  name?: string;
  fields: JsonObject;
  /** Map fields merge key by key into an existing document (Talos merges these maps too). */
  mergeMaps?: boolean;
}

export interface Plan {
  moved: Move[];
  /** v1alpha1 paths to delete. */
  remove: Path[];
  writes: Write[];
  /** Parts of the group left in place for a person (the rest moved). */
  leave?: { path: string; message: string }[];
}

export interface Refusal {
  decision: string;
}

export type Outcome = Plan | Refusal;

export interface Ctx {
  /** The v1alpha1 document's current value. */
  v1: JsonObject;
  /** Current documents of a kind (plain values). */
  docs(kind: string): JsonObject[];
}

export interface Group {
  id: string;
  /** The deprecation warnings this group resolves, as dotted v1alpha1 paths. */
  triggers: readonly string[];
  /** null: nothing of this group is in the config. */
  plan(ctx: Ctx): Outcome | null;
}

export const isObj = (v: unknown): v is JsonObject => v !== null && typeof v === "object" && !Array.isArray(v);

export function getPath(root: unknown, dotted: string): Json | undefined {
  let cur: unknown = root;
  for (const seg of dotted.split(".")) {
    if (!isObj(cur)) return undefined;
    cur = cur[seg];
  }
  return cur as Json | undefined;
}

export const split = (dotted: string): Path => dotted.split(".");
export const refuse = (decision: string): Refusal => ({ decision });
export const has = (v: unknown) => v !== undefined && v !== null;
export const nonEmpty = (v: unknown) => (Array.isArray(v) ? v.length > 0 : isObj(v) ? Object.keys(v).length > 0 : has(v));

/** `{a: 1, b: undefined}` → `{a: 1}`, keeping order (Go's omitempty on what we did not set). */
export function compact(fields: Record<string, Json | undefined>): JsonObject {
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(fields)) if (v !== undefined) out[k] = v;
  return out;
}

/** v1alpha1 holds PEM as base64 of the PEM text; the new k8s documents hold the PEM text. */
export function pemFromBase64(value: Json | undefined): string | null {
  if (typeof value !== "string" || value === "") return null;
  let text: string;
  try {
    text = atob(value.replace(/\s+/g, ""));
  } catch {
    return null;
  }
  return /^-----BEGIN [A-Z0-9 ]+-----/.test(text) ? text : null;
}

export const CONTROL_PLANE_LABEL = "node-role.kubernetes.io/control-plane";

export function machineType(v1: JsonObject): string {
  const t = getPath(v1, "machine.type");
  return typeof t === "string" ? t : "";
}
export const isControlPlane = (v1: JsonObject) => ["controlplane", "init"].includes(machineType(v1));

/** Extra volumes have no field in the new pod documents (Talos 1.14 has none for them). */
export function noExtraVolumes(base: string, section: JsonObject): Refusal | null {
  return nonEmpty(section.extraVolumes)
    ? refuse(`\`${base}.extraVolumes\` has no place in the 1.14 documents; remove the volumes or keep the old field`)
    : null;
}

export function unknownKeys(section: JsonObject, known: readonly string[], base: string): Refusal | null {
  const extra = Object.keys(section).filter((k) => !known.includes(k));
  return extra.length > 0 ? refuse(`\`${base}\` has fields this fix does not know (${extra.join(", ")}); move them by hand`) : null;
}

// ---------------------------------------------------------------------------------------------
