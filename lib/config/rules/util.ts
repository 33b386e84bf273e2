import type { Obj, PathSegment, RuleIssue } from "./types";

/** A plain mapping, or undefined (including `$patch: delete` markers, which carry no settings). */
export function obj(v: unknown): Obj | undefined {
  if (v === null || typeof v !== "object" || Array.isArray(v)) return undefined;
  if ((v as Obj).$patch === "delete") return undefined;
  return v as Obj;
}

export const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** A string value; Go's YAML decoder fills string fields from any scalar, so numbers count too. */
export function str(v: unknown): string | undefined {
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "bigint") return String(v);
  if (typeof v === "boolean") return String(v);
  return undefined;
}

export const num = (v: unknown): number => (typeof v === "number" && Number.isFinite(v) ? v : 0);

export const bool = (v: unknown): boolean => v === true;

export function get(root: unknown, ...path: PathSegment[]): unknown {
  let cur: unknown = root;
  for (const seg of path) {
    if (typeof seg === "number") {
      if (!Array.isArray(cur)) return undefined;
      cur = cur[seg];
    } else {
      const o = obj(cur);
      if (!o) return undefined;
      cur = o[seg];
    }
  }
  return cur;
}

export const has = (o: Obj | undefined, key: string): boolean =>
  o !== undefined && Object.prototype.hasOwnProperty.call(o, key) && o[key] !== undefined;

export const error = (path: PathSegment[], message: string, at?: "key" | "value"): RuleIssue => ({
  severity: "error",
  message,
  path,
  ...(at ? { at } : {}),
});

export const warning = (path: PathSegment[], message: string, at?: "key" | "value"): RuleIssue => ({
  severity: "warning",
  message,
  path,
  ...(at ? { at } : {}),
});

/** Entries of a string map, skipping non-scalar values (the schema reports those). */
export function stringEntries(v: unknown): [string, string][] {
  const o = obj(v);
  if (!o) return [];
  const out: [string, string][] = [];
  for (const [k, val] of Object.entries(o)) {
    const s = val === null ? "" : str(val);
    if (s !== undefined) out.push([k, s]);
  }
  return out;
}
