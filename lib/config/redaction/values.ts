/** Secrets of a plain (already parsed) document, for scrubbing validation messages. */
import { childCursor, documentCursor, isSensitiveName, type SecretCursor, type StepMark } from "../schema/secrets";
import { secretPieces } from "../secret-values";

import type { PathSegment } from "./yaml-source";

/** `{name: GITHUB_TOKEN, value: …}` (Kubernetes env entries): the name says what the value is. */
export function namedValue(name: unknown): boolean {
  return typeof name === "string" && isSensitiveName(name);
}

/** A secret of a parsed document: where it is and its text. */
export interface ValueSecret {
  path: PathSegment[];
  text: string;
}

/**
 * The secrets of one parsed document (`kind` as the validator identified it), found the same
 * way as in {@link redactConfig}: schema marks, secret names in free-form maps, value rules.
 */
export function documentSecrets(kind: string | null, value: unknown): ValueSecret[] {
  const out: ValueSecret[] = [];
  const seen = new Set<unknown>();
  const leaves = (v: unknown, path: PathSegment[]) => {
    if (v === null || v === undefined) return;
    if (typeof v === "object") {
      if (seen.has(v)) return;
      seen.add(v);
      if (v instanceof Uint8Array) return void out.push({ path, text: new TextDecoder().decode(v) });
      if (Array.isArray(v)) v.forEach((x, i) => leaves(x, [...path, i]));
      else for (const [k, x] of Object.entries(v)) leaves(x, [...path, k]);
      return;
    }
    const text = String(v);
    if (text !== "") out.push({ path, text });
  };
  const walk = (v: unknown, cursor: SecretCursor, mark: StepMark | null, path: PathSegment[]) => {
    if (v === null || v === undefined) return;
    const isObj = typeof v === "object" && !Array.isArray(v) && !(v instanceof Uint8Array);
    if (mark === true || ((mark === "values" || mark === "leaf") && !isObj)) return leaves(v, path);
    const text = typeof v === "string" ? v : v instanceof Uint8Array ? new TextDecoder().decode(v) : null;
    if (text !== null) {
      const pieces = secretPieces(text);
      if (pieces === "whole") out.push({ path, text });
      else for (const p of pieces) out.push({ path, text: text.slice(p.start, p.end) });
      return;
    }
    if (typeof v !== "object") return;
    if (Array.isArray(v)) {
      v.forEach((x, i) => {
        const step = childCursor(cursor, i);
        walk(x, step.cursor, step.mark, [...path, i]);
      });
      return;
    }
    const inner: SecretCursor = mark === "values" ? { ...cursor, valuesSecret: true } : cursor;
    const named = namedValue((v as Record<string, unknown>).name);
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
      const step = childCursor(inner, k);
      walk(x, step.cursor, named && k === "value" ? "leaf" : step.mark, [...path, k]);
    }
  };
  walk(value, documentCursor(kind), null, []);
  return out;
}
