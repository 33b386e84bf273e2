/**
 * Talos completion and hover inside a manifest's `patch: |` blocks. monaco-yaml sees a patch as
 * one string; these pure functions find the block scalar around the cursor, work out where the
 * cursor sits in the patch's own YAML (the key path, key or value), and answer from the Talos
 * config JSON Schema the single-node editor uses. Text scanning, not a YAML parse: the manifest
 * is mid-edit (and often invalid) whenever completion is asked for.
 */

/** A `patch: |` block: manifest lines are 1-based; `indent` is the block's content indentation. */
export interface PatchBlock {
  headerLine: number;
  /** The key's column (0-based): content lines are indented deeper than it. */
  keyColumn: number;
  startLine: number;
  endLine: number;
  indent: number;
}

const HEADER = /^(\s*(?:-\s+)?)patch:\s*[|>]([1-9])?[-+]?([1-9])?\s*(?:#.*)?$/;

const indentOf = (line: string) => line.length - line.trimStart().length;
const isBlank = (line: string) => line.trim() === "";

/**
 * The patch block holding manifest position (line, column), both 1-based, or null. A blank line
 * counts as inside when the cursor itself is indented deeper than the `patch:` key.
 */
export function patchBlockAt(lines: readonly string[], line: number, column: number): PatchBlock | null {
  const here = lines[line - 1];
  if (here === undefined) return null;
  let minIndent = isBlank(here) ? column - 1 : indentOf(here);
  if (!isBlank(here) && HEADER.test(here)) return null;
  for (let l = line - 1; l >= 1 && minIndent > 0; l--) {
    const text = lines[l - 1]!;
    if (isBlank(text)) continue;
    const m = HEADER.exec(text);
    if (m) {
      const keyColumn = m[1]!.length;
      if (keyColumn < minIndent) return blockFrom(lines, l, keyColumn, m[2] ?? m[3], line, column);
    }
    minIndent = Math.min(minIndent, indentOf(text));
  }
  return null;
}

function blockFrom(lines: readonly string[], headerLine: number, keyColumn: number, indicator: string | undefined, cursorLine: number, cursorColumn: number): PatchBlock {
  let endLine = headerLine;
  let contentIndent = Infinity;
  for (let l = headerLine + 1; l <= lines.length; l++) {
    const text = lines[l - 1]!;
    if (!isBlank(text)) {
      if (indentOf(text) <= keyColumn) break;
      contentIndent = Math.min(contentIndent, indentOf(text));
    }
    endLine = l;
  }
  // Trailing blank lines belong to the next key's surroundings, except the cursor's own.
  while (endLine > headerLine && endLine > cursorLine && isBlank(lines[endLine - 1]!)) endLine--;
  let indent = indicator ? keyColumn + Number(indicator) : contentIndent;
  // An empty block (the operator is typing its first line): the cursor's column sets the indent.
  if (!Number.isFinite(indent)) indent = Math.max(keyColumn + 1, cursorColumn - 1);
  return { headerLine, keyColumn, startLine: headerLine + 1, endLine: Math.max(endLine, headerLine + 1), indent };
}

/** The block's text as the patch itself (the indentation removed). */
export function patchLines(lines: readonly string[], block: PatchBlock): string[] {
  const out: string[] = [];
  for (let l = block.startLine; l <= block.endLine; l++) out.push((lines[l - 1] ?? "").slice(Math.min(block.indent, indentOf(lines[l - 1] ?? ""))));
  return out;
}

export type PathStep = string | number;

/** Where a cursor sits inside a patch's YAML. */
export interface YamlContext {
  /** The mapping the cursor is in (for a key) or the key whose value it is at (for a value). */
  path: PathStep[];
  at: "key" | "value";
  /** The key being typed or hovered (for "key"), or whose value it is (for "value"). */
  key: string;
  /** The `kind:` of the document around the cursor (multi-document patches), or null (v1alpha1). */
  kind: string | null;
  /** The word under or before the cursor: the range completion replaces, 0-based columns. */
  wordStart: number;
  wordEnd: number;
}

const KEY_LINE = /^(\s*)((?:-\s+)*)(["']?)([^\s:#"'][^:#]*?)\3:(?:\s+(.*))?$/;
const KEY_CHARS = /[A-Za-z0-9_.\-/$]/;

/**
 * The context at (line, column) of a patch's lines, both 0-based. Parents are the nearest lines
 * above with a key further left; a `- ` left of the current key makes that step a list item.
 */
export function yamlContextAt(lines: readonly string[], line: number, column: number): YamlContext | null {
  const text = lines[line] ?? "";
  if (/^\s*#/.test(text.slice(0, column))) return null;
  let wordStart = column;
  while (wordStart > 0 && KEY_CHARS.test(text[wordStart - 1]!)) wordStart--;
  let wordEnd = column;
  while (wordEnd < text.length && KEY_CHARS.test(text[wordEnd]!)) wordEnd++;

  const kind = documentKind(lines, line);
  const dashes = /^(\s*)((?:-\s+)*)/.exec(text)!;
  const keyColumn = dashes[0].length;
  const colon = text.indexOf(":", keyColumn);
  const path: PathStep[] = [];
  let at: "key" | "value" = "key";
  let key = text.slice(wordStart, wordEnd);
  if (colon >= 0 && colon < column && !/^\s*$/.test(text.slice(keyColumn, colon))) {
    at = "value";
    key = text.slice(keyColumn, colon).trim().replace(/^["']|["']$/g, "");
  } else if (column < keyColumn) {
    return null;
  }
  // Dashes before the key on this very line: the key is in a list item's mapping.
  let cur = isBlank(text) ? column : keyColumn;
  if (dashes[2]) {
    path.unshift(0);
    cur = dashes[1]!.length;
  }
  for (let l = line - 1; l >= 0 && cur > 0; l--) {
    const t = lines[l]!;
    if (/^---\s*$/.test(t)) break;
    if (isBlank(t) || /^\s*#/.test(t)) continue;
    const m = KEY_LINE.exec(t);
    const dash = /^(\s*)((?:-\s*)*)/.exec(t)!;
    const itemColumn = dash[1]!.length;
    const contentColumn = dash[0].length;
    if (m && contentColumn < cur) {
      path.unshift(m[4]!.trim());
      cur = contentColumn;
      // "- key:": the key is in a list item, so the list step comes before it.
      if (dash[2]) {
        path.unshift(0);
        cur = itemColumn;
      }
    } else if (dash[2] && itemColumn < cur && contentColumn >= cur) {
      // A sibling key that opens the list item this mapping belongs to.
      path.unshift(0);
      cur = itemColumn;
    }
  }
  return { path, at, key, kind, wordStart, wordEnd };
}

/** The `kind:` at column 0 of the document holding `line`, or null. */
function documentKind(lines: readonly string[], line: number): string | null {
  let start = line;
  while (start > 0 && !/^---\s*$/.test(lines[start - 1]!)) start--;
  for (let l = start; l < lines.length && !(l > start && /^---\s*$/.test(lines[l]!)); l++) {
    const m = /^kind:\s*["']?([A-Za-z0-9]+)/.exec(lines[l]!);
    if (m) return m[1]!;
  }
  return null;
}

type Schema = Record<string, unknown>;

const asSchema = (v: unknown): Schema | null => (typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Schema) : null);

/** A node and the branches of its anyOf/oneOf/allOf, where properties may live. */
function branches(node: Schema): Schema[] {
  const out = [node];
  for (const k of ["anyOf", "oneOf", "allOf"]) {
    const list = node[k];
    if (Array.isArray(list)) for (const b of list) if (asSchema(b)) out.push(...branches(b as Schema));
  }
  return out;
}

/** The document's schema: the branch whose `kind` enum names `kind`, else the v1alpha1 document. */
export function documentSchemaFor(root: Schema, kind: string | null): Schema | null {
  const docs = (Array.isArray(root.oneOf) ? root.oneOf : []).map(asSchema).filter((s): s is Schema => s !== null);
  if (kind) {
    const found = docs.find((d) => {
      const k = asSchema(asSchema(d.properties)?.kind);
      return Array.isArray(k?.enum) && k.enum.includes(kind);
    });
    if (found) return found;
  }
  return docs.find((d) => asSchema(d.properties)?.machine !== undefined) ?? null;
}

/** Walk `path` down a schema: properties, additionalProperties (maps), items (lists). */
export function schemaAtPath(doc: Schema, path: readonly PathStep[]): Schema | null {
  let node: Schema | null = doc;
  for (const step of path) {
    if (!node) return null;
    let next: Schema | null = null;
    for (const b of branches(node)) {
      if (typeof step === "number") next = asSchema(b.items);
      else next = asSchema(asSchema(b.properties)?.[step]) ?? asSchema(b.additionalProperties);
      if (next) break;
    }
    node = next;
  }
  return node;
}

/** The keys a mapping's schema declares, each with its description. */
export function propertiesOf(node: Schema): { name: string; description: string; schema: Schema }[] {
  const out = new Map<string, { name: string; description: string; schema: Schema }>();
  for (const b of branches(node)) {
    for (const [name, v] of Object.entries(asSchema(b.properties) ?? {})) {
      const s = asSchema(v);
      if (s && !out.has(name)) out.set(name, { name, description: typeof s.description === "string" ? s.description : "", schema: s });
    }
  }
  return [...out.values()];
}

/** The values a field's schema names (enum, const, booleans). */
export function valuesOf(node: Schema): string[] {
  const out = new Set<string>();
  for (const b of branches(node)) {
    if (Array.isArray(b.enum)) for (const v of b.enum) out.add(String(v));
    if (b.const !== undefined) out.add(String(b.const));
    const t = b.type;
    if (t === "boolean" || (Array.isArray(t) && t.length === 1 && t[0] === "boolean")) ["true", "false"].forEach((v) => out.add(v));
  }
  return [...out];
}

/** A short type line for hover: "object", "list", "string | number | boolean", "one of: a, b". */
export function typeLabel(node: Schema): string {
  const values = valuesOf(node);
  if (values.length > 0 && values.length <= 12) return `one of: ${values.join(", ")}`;
  const types = new Set<string>();
  for (const b of branches(node)) {
    const t = b.type;
    for (const x of Array.isArray(t) ? t : t ? [t] : []) types.add(x === "array" ? "list" : String(x));
  }
  return [...types].join(" | ");
}

/**
 * A manifest position's Talos context: the patch block, the cursor's place in the patch, and the
 * schema node there (the mapping for a key, the field for a value). Null outside patch blocks.
 */
export function talosContextAt(manifestLines: readonly string[], line: number, column: number, root: Schema) {
  const block = patchBlockAt(manifestLines, line, column);
  if (!block || line < block.startLine || line > block.endLine) return null;
  const inner = patchLines(manifestLines, block);
  const ctx = yamlContextAt(inner, line - block.startLine, Math.max(0, column - 1 - block.indent));
  if (!ctx) return null;
  const doc = documentSchemaFor(root, ctx.kind);
  if (!doc) return null;
  const parent = schemaAtPath(doc, ctx.path);
  const field = parent && ctx.key ? schemaAtPath(parent, [ctx.key]) : null;
  return { block, ctx, doc, parent, field, kinds: documentKinds(root) };
}

/** Every document kind the schema knows (for `kind:` values). */
export function documentKinds(root: Schema): string[] {
  const out: string[] = [];
  for (const d of Array.isArray(root.oneOf) ? root.oneOf : []) {
    const k = asSchema(asSchema(asSchema(d)?.properties)?.kind);
    if (Array.isArray(k?.enum)) out.push(...k.enum.map(String));
  }
  return out;
}
