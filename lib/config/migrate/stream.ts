/**
 * The config as a stream of `yaml` Documents that can be edited and printed back with the
 * user's comments and the other documents untouched: a document that was not edited is printed
 * from its original text, an edited one is re-rendered by the yaml package (comments kept, at
 * the stream's own indentation), new documents are appended at the end.
 */
import { Document, isMap, isScalar, parseAllDocuments, type YAMLMap } from "yaml";

import { SourceError } from "@/lib/talos/errors";

import type { Path } from "./types";

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

interface Entry {
  doc: Document;
  /** Original text of the document (with its `---` when it had one); null for new documents. */
  source: string | null;
  changed: boolean;
}

const isObj = (v: unknown): v is JsonObject => v !== null && typeof v === "object" && !Array.isArray(v);

/** Indentation of the stream: the first indented key line (Talos writes 4). */
function detectIndent(text: string): number {
  const m = /^[A-Za-z_][^\n]*:\s*\n( +)[^\s#-]/m.exec(text);
  const n = m?.[1]?.length ?? 4;
  return n >= 2 && n <= 8 ? n : 4;
}

export class ConfigStream {
  private readonly entries: Entry[] = [];
  private readonly prefix: string;
  private readonly indent: number;

  constructor(text: string) {
    const docs = parseAllDocuments(text, { uniqueKeys: false });
    if (!Array.isArray(docs)) throw new SourceError("not a YAML document stream", { line: 1, column: 1 });
    for (const doc of docs) {
      const e = doc.errors[0];
      // The CLI prints it as FILE:LINE:COL (yaml's message repeats the place; keep its first line).
      if (e) throw new SourceError(e.message.split("\n")[0]!, { line: e.linePos?.[0].line, column: e.linePos?.[0].col });
    }
    this.indent = detectIndent(text);
    const first = docs[0];
    // Text before the first document that the parser keeps outside it (nothing but comments,
    // which the first document re-renders itself when it changes).
    this.prefix = first ? text.slice(0, first.range[0]) : text;
    docs.forEach((doc, i) => {
      const end = i + 1 < docs.length ? docs[i + 1]!.range[0] : text.length;
      this.entries.push({ doc, source: text.slice(doc.range[0], end), changed: false });
    });
  }

  /** Every document's plain value, in order. */
  values(): { index: number; value: unknown }[] {
    return this.entries.map((e, index) => ({ index, value: e.doc.toJS({ maxAliasCount: 1000 }) as unknown }));
  }

  /** Index of the v1alpha1 document (`version: v1alpha1`), or -1. */
  v1alpha1Index(): number {
    return this.entries.findIndex((e) => {
      const c = e.doc.contents;
      return isMap(c) && c.items.some((p) => isScalar(p.key) && p.key.value === "version" && isScalar(p.value) && p.value.value === "v1alpha1");
    });
  }

  /** Index of the document of `kind` (and `name`, for named kinds), or -1. */
  findDocument(kind: string, name?: string): number {
    return this.entries.findIndex((e) => {
      const v = e.doc.toJS() as unknown;
      return isObj(v) && v.kind === kind && (name === undefined || v.name === name);
    });
  }

  documentsOfKind(kind: string): { index: number; value: JsonObject }[] {
    return this.values().flatMap(({ index, value }) => (isObj(value) && value.kind === kind ? [{ index, value }] : []));
  }

  get(index: number, path: Path): unknown {
    const node = this.entries[index]!.doc.getIn(path, false) as unknown;
    return node;
  }

  /** Delete `path`, then the maps above it that became empty (down to `keep` segments). */
  remove(index: number, path: Path, keep = 1): void {
    const entry = this.entries[index]!;
    entry.doc.deleteIn(path);
    entry.changed = true;
    for (let n = path.length - 1; n > keep; n--) {
      const parent = entry.doc.getIn(path.slice(0, n), true) as unknown;
      if (isMap(parent) && (parent as YAMLMap).items.length === 0) entry.doc.deleteIn(path.slice(0, n));
      else break;
    }
  }

  set(index: number, path: Path, value: Json): void {
    const entry = this.entries[index]!;
    entry.doc.setIn(path, entry.doc.createNode(value));
    entry.changed = true;
  }

  /** Append a new document. `value` keys are in Talos's field order (apiVersion, kind, name, …). */
  append(value: JsonObject): number {
    this.entries.push({ doc: new Document(value), source: null, changed: true });
    return this.entries.length - 1;
  }

  toString(): string {
    // A re-rendered first document prints the comments before it itself.
    let out = this.entries[0]?.changed ? "" : this.prefix;
    this.entries.forEach((e, i) => {
      if (!e.changed && e.source !== null) {
        out += e.source;
      } else {
        if (out.length > 0 && !out.endsWith("\n")) out += "\n";
        const hadMarker = e.source !== null && /^---/.test(e.source);
        if (i > 0 || hadMarker) out += "---\n";
        if (e.doc.directives) e.doc.directives.docStart = null;
        const body = e.doc.toString({ indent: this.indent, lineWidth: 0, minContentWidth: 0 });
        out += body.replace(/^---\n/, "");
      }
    });
    return out;
  }
}
