/**
 * Machine-config YAML streams → documents with source ranges, identified the way Talos's decoder
 * identifies them (pkg/machinery/config/configloader/internal/decoder/decoder.go). Isomorphic: no Node imports, the browser runs it.
 * Hardened: inputs over 4 MiB are refused, alias expansion is bounded, and nothing here throws.
 */
import { isAlias, isMap, isScalar, LineCounter, visit, type Document, type Node as YamlNode } from "yaml";
import type { z } from "zod";

import { MAX_ALIAS_COUNT, MAX_CONFIG_BYTES } from "@/lib/talos/constants";
import { isV1Alpha1Document, V1ALPHA1 } from "@/lib/talos/documents";

import { compareMinor } from "./rules/version";
import type { ConfigIssue, TalosMinor } from "./types";
import { findDuplicateKeys, indexAliases, parseStream } from "./yaml";

export { MAX_ALIAS_COUNT, MAX_CONFIG_BYTES };

/** The schema package's API as the validator uses it (lib/config/schema implements it). */
export interface SchemaCatalog {
  toTalosMinor(version: string): TalosMinor | null;
  readonly DOCUMENT_KINDS: readonly string[];
  kindSince(kind: string): TalosMinor | null;
  kindIsNamed(kind: string): boolean;
  documentSchema(kind: string, version: TalosMinor, opts?: { patch?: boolean }): z.ZodType;
}

/** Which document this is: "v1alpha1" or a kind, and its name for named kinds. */
export interface DocumentIdentity {
  kind: string;
  name?: string;
}

export interface ParsedDocument {
  /** 0-based index in the YAML stream (empty documents count, so indices match the source). */
  index: number;
  doc: Document.Parsed;
  /** The document as plain JS; undefined when it could not be built (see issues). */
  value: unknown;
  /** True when the YAML itself is broken: such documents are not validated further. */
  broken: boolean;
}

export interface ParseResult {
  documents: ParsedDocument[];
  lineCounter: LineCounter;
  /** Syntax-level issues, already positioned. */
  issues: ConfigIssue[];
}

type Range = readonly [number, number];

/** 1-based position of a source range. */
export function rangeToPosition(lc: LineCounter, range: Range) {
  const start = lc.linePos(range[0]);
  const end = lc.linePos(Math.max(range[1], range[0]));
  return { line: start.line, column: start.col, endLine: end.line, endColumn: end.col };
}

function issueAt(lc: LineCounter, document: number, range: Range, message: string, severity: ConfigIssue["severity"] = "error"): ConfigIssue {
  return { severity, message, path: [], document, ...rangeToPosition(lc, range) };
}

function utf8Length(s: string): number {
  // UTF-16 length ≤ UTF-8 length ≤ 3 × UTF-16 length: only count when it matters.
  if (s.length > MAX_CONFIG_BYTES) return s.length;
  if (s.length * 3 <= MAX_CONFIG_BYTES) return s.length;
  return new TextEncoder().encode(s).length;
}

function firstAlias(doc: Document): YamlNode | undefined {
  let found: YamlNode | undefined;
  visit(doc, {
    Alias(_, node) {
      found = node;
      return visit.BREAK;
    },
  });
  return found;
}

/** True when aliases make the value cyclic (`a: &a [*a]`), which no validator could walk. */
function isCyclic(value: unknown): boolean {
  const onStack = new Set<object>();
  const done = new Set<object>();
  const walk = (v: unknown): boolean => {
    if (v === null || typeof v !== "object") return false;
    if (onStack.has(v)) return true;
    if (done.has(v)) return false;
    onStack.add(v);
    const children = Array.isArray(v) ? v : Object.values(v as Record<string, unknown>);
    for (const c of children) if (walk(c)) return true;
    onStack.delete(v);
    done.add(v);
    return false;
  };
  return walk(value);
}

const isEmptyDocument = (doc: Document.Parsed): boolean =>
  doc.contents === null || (isScalar(doc.contents) && (doc.contents.value === null || doc.contents.value === undefined) && !doc.contents.tag);

/** Parses a YAML stream. Never throws. */
export function parseConfigYaml(source: string): ParseResult {
  const lineCounter = new LineCounter();
  const issues: ConfigIssue[] = [];
  const documents: ParsedDocument[] = [];

  if (utf8Length(source) > MAX_CONFIG_BYTES) {
    lineCounter.addNewLine(0);
    issues.push({
      severity: "error",
      message: `config is larger than ${MAX_CONFIG_BYTES / (1024 * 1024)} MiB (${MAX_CONFIG_BYTES} bytes): refusing to parse it`,
      path: [],
      document: 0,
      line: 1,
      column: 1,
      endLine: 1,
      endColumn: 1,
    });
    return { documents, lineCounter, issues };
  }

  let docs: Document.Parsed[];
  try {
    // Duplicate keys are found below in linear time (yaml's own check is quadratic).
    docs = parseStream(source, { lineCounter, prettyErrors: false, merge: true, uniqueKeys: false });
  } catch (e) {
    issues.push({ severity: "error", message: `YAML parser failed: ${(e as Error).message}`, path: [], document: 0, line: 1, column: 1, endLine: 1, endColumn: 1 });
    return { documents, lineCounter, issues };
  }

  // Once, not per document: a stream of 50,000 documents would scan the source 50,000 times.
  const mayHaveAliases = source.includes("*");
  docs.forEach((doc, index) => {
    let broken = false;
    for (const e of doc.errors) {
      broken = true;
      const message = e.code === "TAB_AS_INDENT" ? "tabs are not allowed as indentation (use spaces)" : e.message;
      issues.push(issueAt(lineCounter, index, e.pos, message));
    }
    for (const { key, name } of findDuplicateKeys(doc)) {
      broken = true;
      const range: Range = key.range ? [key.range[0], key.range[1]] : [0, 0];
      issues.push(issueAt(lineCounter, index, range, `duplicate key \`${name}\` (map keys must be unique)`));
    }
    for (const w of doc.warnings) issues.push(issueAt(lineCounter, index, w.pos, w.message, "warning"));

    if (isEmptyDocument(doc)) return; // `---` with nothing after it, or only comments
    let value: unknown;
    if (!broken) {
      try {
        if (mayHaveAliases) indexAliases(doc);
        value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
        if (mayHaveAliases && isCyclic(value)) {
          const alias = firstAlias(doc);
          const range: Range = alias?.range ? [alias.range[0], alias.range[1]] : [0, 0];
          issues.push(issueAt(lineCounter, index, range, "alias refers to a node that contains it (cyclic YAML)"));
          broken = true;
          value = undefined;
        }
      } catch (e) {
        const alias = firstAlias(doc);
        const range: Range = alias?.range ? [alias.range[0], alias.range[1]] : doc.range ? [doc.range[0], doc.range[0]] : [0, 0];
        const why = /excessive alias count/i.test((e as Error).message)
          ? `too many alias expansions (more than ${MAX_ALIAS_COUNT}): the document looks like a YAML "billion laughs" bomb`
          : `cannot read the document: ${(e as Error).message}`;
        issues.push(issueAt(lineCounter, index, range, why));
        broken = true;
        value = undefined;
      }
    }
    documents.push({ index, doc, value, broken });
  });
  return { documents, lineCounter, issues };
}

/** A problem identifying a document, with the path of the node to point at. */
export interface IdentifyIssue {
  message: string;
  path: (string | number)[];
  at?: "key" | "value";
}

function suggestKind(kind: string, kinds: readonly string[]): string {
  const lower = kind.toLowerCase();
  const hit =
    kinds.find((k) => k.toLowerCase() === lower) ??
    kinds.find((k) => k.toLowerCase() === `${lower}config`) ??
    kinds.find((k) => k.toLowerCase().replace(/config$/, "") === lower.replace(/s?config$/, ""));
  return hit && hit !== kind ? ` (did you mean \`${hit}\`?)` : "";
}

/**
 * Identifies a document as Talos's decoder does: the v1alpha1 one by lib/talos/documents' rule;
 * otherwise `apiVersion` and a known `kind`, available in `version`.
 */
export function identifyDocument(
  value: unknown,
  catalog: Pick<SchemaCatalog, "DOCUMENT_KINDS" | "kindSince" | "kindIsNamed">,
  version: TalosMinor,
): { identity: DocumentIdentity } | { issue: IdentifyIssue } {
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    return { issue: { message: "expected a YAML document (a mapping of keys to values)", path: [] } };
  }
  const o = value as Record<string, unknown>;
  if (isV1Alpha1Document(o)) return { identity: { kind: V1ALPHA1 } };
  const rawKind = o.kind;
  if (rawKind === undefined) return { issue: { message: "missing kind", path: [] } };
  if (rawKind === null || rawKind === "") return { issue: { message: "missing kind", path: ["kind"], at: "key" } };
  if (typeof rawKind !== "string") return { issue: { message: "kind must be a string", path: ["kind"] } };
  const apiVersion = o.apiVersion;
  if (apiVersion === undefined || apiVersion === null || apiVersion === "") {
    return { issue: { message: "missing apiVersion", path: apiVersion === undefined ? ["kind"] : ["apiVersion"], at: "key" } };
  }
  const since = rawKind === "v1alpha1" ? null : catalog.kindSince(rawKind);
  if (since === null) {
    return { issue: { message: `unknown document kind \`${rawKind}\`${suggestKind(rawKind, catalog.DOCUMENT_KINDS)}`, path: ["kind"] } };
  }
  if (apiVersion !== "v1alpha1") {
    return { issue: { message: `unknown apiVersion \`${String(apiVersion)}\` for ${rawKind} (expected v1alpha1)`, path: ["apiVersion"] } };
  }
  if (compareMinor(version, since) < 0) {
    return { issue: { message: `${rawKind} requires Talos ≥ ${since} (validating for ${version})`, path: ["kind"] } };
  }
  const identity: DocumentIdentity = { kind: rawKind };
  if (catalog.kindIsNamed(rawKind) && (typeof o.name === "string" || typeof o.name === "number")) identity.name = String(o.name);
  return { identity };
}

/** The first key of a mapping document (where whole-document issues point). */
export function rootKeyNode(doc: Document): YamlNode | undefined {
  const c = doc.contents;
  if (isMap(c) && c.items.length > 0) {
    const k = c.items[0]!.key;
    return isAlias(k) ? undefined : (k as YamlNode);
  }
  return undefined;
}
