/**
 * Reading a cluster manifest for the CLI: YAML with positions, the zod schema, and every problem
 * as a SourceError on the manifest's own line, including problems inside a patch (a patch's
 * line N is the manifest line holding that line of the block scalar). Pure.
 */
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node as YamlNode } from "yaml";
import type { z } from "zod";

import { manifestSchema, type Manifest } from "@/lib/manifest/schema";
import { SourceError } from "@/lib/talos/errors";

export interface LoadedManifest {
  manifest: Manifest;
  doc: Document;
  lc: LineCounter;
  /** The manifest's text (a block scalar's indentation is read from it). */
  text: string;
}

/** Several located problems at once (the CLI prints each, one per line). */
export class SourceErrors extends Error {
  constructor(readonly errors: SourceError[]) {
    super(errors.map((e) => e.message).join("; "));
    this.name = "SourceErrors";
  }
}

type Path = readonly (string | number)[];

function place(lc: LineCounter, offset: number) {
  const p = lc.linePos(offset);
  return { line: p.line, column: p.col };
}

/** The deepest node on `path` that exists (a missing key is reported where its parent is). */
function nodeAt(doc: Document, path: Path): YamlNode | null {
  let node = doc.contents as YamlNode | null;
  for (const key of path) {
    if (isMap(node)) {
      const pair = node.items.find((it) => (isScalar(it.key) ? it.key.value : it.key) === key);
      if (!pair) break;
      node = (pair.value as YamlNode | null) ?? (pair.key as YamlNode);
    } else if (isSeq(node) && typeof key === "number" && node.items[key] !== undefined) {
      node = node.items[key] as YamlNode;
    } else break;
  }
  return node;
}

const dotted = (path: Path) => path.map((k, i) => (typeof k === "number" ? `[${k}]` : i === 0 ? k : `.${k}`)).join("");

/** An error at a manifest path (its value, or the key `key` of the mapping there). */
export function errorAt(loaded: Pick<LoadedManifest, "doc" | "lc">, file: string, path: Path, message: string, key?: string): SourceError {
  const node = nodeAt(loaded.doc, path);
  let range = node?.range;
  if (key !== undefined && isMap(node)) {
    const pair = node.items.find((it) => isScalar(it.key) && it.key.value === key);
    range = (pair?.key as YamlNode | undefined)?.range ?? range;
  }
  const shown = key === undefined ? path : [...path, key];
  return new SourceError(message, { source: file, ...(range ? place(loaded.lc, range[0]) : { line: 1, column: 1 }), ...(shown.length > 0 ? { path: dotted(shown) } : {}) });
}

function zodErrors(loaded: Pick<LoadedManifest, "doc" | "lc">, file: string, error: z.ZodError): SourceError[] {
  return error.issues.flatMap((issue) => {
    const path = issue.path.filter((k): k is string | number => typeof k !== "symbol");
    if (issue.code === "unrecognized_keys") return issue.keys.map((k) => errorAt(loaded, file, path, `unknown key ${JSON.stringify(k)}`, k));
    return [errorAt(loaded, file, path, issue.message)];
  });
}

/**
 * Parses and checks the manifest's shape.
 * @throws SourceErrors: YAML syntax errors, then schema errors, each on its line.
 */
export function loadManifest(text: string, file: string): LoadedManifest {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new SourceErrors(doc.errors.map((e) => new SourceError(e.message.split("\n")[0]!, { source: file, ...place(lc, e.pos[0]) })));
  }
  const result = manifestSchema.safeParse(doc.toJS());
  if (!result.success) throw new SourceErrors(zodErrors({ doc, lc }, file, result.error));
  return { manifest: result.data, doc, lc, text };
}

/** The cluster.name of a manifest that may not be valid otherwise (for choosing the cluster id). */
export function manifestClusterName(text: string): string | undefined {
  try {
    const name = (parseDocument(text, { prettyErrors: false }).toJS() as { cluster?: { name?: unknown } } | null)?.cluster?.name;
    return typeof name === "string" && name !== "" ? name : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Where a patch's own line and column are in the manifest. A block scalar (`patch: |`) keeps
 * lines one to one, shifted by its indentation; a quoted or plain scalar has no such mapping, so
 * its problems are placed where the scalar starts.
 */
function mapIntoScalar(loaded: Pick<LoadedManifest, "doc" | "lc" | "text">, scalarPath: Path, inner: { line?: number; column?: number }): { line: number; column: number } | null {
  const node = nodeAt(loaded.doc, scalarPath);
  if (!isScalar(node) || !node.range) return null;
  const start = place(loaded.lc, node.range[0]);
  if ((node.type !== "BLOCK_LITERAL" && node.type !== "BLOCK_FOLDED") || inner.line === undefined) return start;
  // The header (`|`, `|-`, `|2`) ends its line; the content lines follow, indented alike.
  const text = loaded.text;
  const headerEnd = text.indexOf("\n", node.range[0]);
  if (headerEnd < 0) return start;
  const explicit = /^[|>][+-]?(\d)|^[|>](\d)/.exec(text.slice(node.range[0], headerEnd));
  let indent: number;
  if (explicit) {
    // An explicit indentation indicator counts from the indentation of the key's line.
    const lineStart = text.lastIndexOf("\n", node.range[0]) + 1;
    indent = /^ */.exec(text.slice(lineStart))![0].length + Number(explicit[1] ?? explicit[2]);
  } else {
    const first = text.slice(headerEnd + 1, node.range[1]).split("\n").find((l) => l.trim() !== "");
    indent = first === undefined ? 0 : /^ */.exec(first)![0].length;
  }
  return { line: start.line + inner.line, column: indent + (inner.column ?? 1) };
}

const PATCH_SOURCE = /^patches\[(\d+)\] "/;
const NODE_SOURCE = /^nodes\[([^\]]+)\](\.patch)?$/;

/**
 * Moves a render error (ManifestRenderer names a patch `patches[i] "name"` or
 * `nodes[host].patch`, or the node `nodes[host]`) onto the manifest's line; the message says
 * which patch, the rest of the place (config path) is kept.
 */
export function locateRenderError(loaded: LoadedManifest, file: string, e: SourceError): SourceError {
  const source = e.place.source ?? "";
  const p = PATCH_SOURCE.exec(source);
  const n = NODE_SOURCE.exec(source);
  let scalarPath: Path | null = null;
  let label = source;
  if (p) {
    const i = Number(p[1]);
    scalarPath = ["patches", i, "patch"];
    label = `patch ${JSON.stringify(loaded.manifest.patches?.[i]?.name ?? "")}`;
  } else if (n) {
    const j = loaded.manifest.nodes.findIndex((x) => x.hostname === n[1]);
    if (j >= 0) {
      scalarPath = n[2] ? ["nodes", j, "patch"] : ["nodes", j];
      label = n[2] ? `node ${n[1]}'s patch` : `node ${n[1]}`;
    }
  }
  if (scalarPath === null) return new SourceError(e.message, { ...e.place, source: file });
  const at = scalarPath.at(-1) === "patch" ? mapIntoScalar(loaded, scalarPath, e.place) : null;
  const fallback = errorAt(loaded, file, scalarPath, e.message).place;
  return new SourceError(`${label}: ${e.message}`, { source: file, line: at?.line ?? fallback.line, column: at?.column ?? fallback.column, ...(e.place.path ? { path: e.place.path } : {}) });
}
