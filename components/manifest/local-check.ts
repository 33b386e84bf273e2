/**
 * The manifest's own problems, found in the browser as the operator types (no round trip):
 * YAML syntax and the manifest's zod schema, each on its manifest line. The server's validate
 * adds what needs the secrets: every node's render and Talos's rules, and lib/manifest/parse's
 * semantic checks (parseManifest imports the renderer, whose PKI needs node:crypto, so it stays
 * on the server).
 */
import { LineCounter, parseDocument } from "yaml";

import { positionForPath } from "@/lib/config/positions";
import { manifestSchema } from "@/lib/manifest/schema";
import type { ManifestIssue } from "@/lib/schemas/manifests";

export function localManifestIssues(text: string): ManifestIssue[] {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: true });
  const syntax = doc.errors.map((e): ManifestIssue => {
    const start = lc.linePos(e.pos[0]);
    const end = lc.linePos(Math.max(e.pos[1], e.pos[0] + 1));
    return { severity: "error", message: e.message.split("\n")[0]!, line: start.line, column: start.col, endLine: end.line, endColumn: end.col, path: [], nodes: [] };
  });
  if (syntax.length > 0) return syntax;
  const parsed = manifestSchema.safeParse(doc.toJS({ maxAliasCount: 100 }));
  if (parsed.success) return [];
  return parsed.error.issues.map((i): ManifestIssue => {
    const path = i.path.filter((p): p is string | number => typeof p !== "symbol");
    const unknownKey = i.code === "unrecognized_keys";
    const at = unknownKey ? [...path, i.keys[0]!] : path;
    const pos = positionForPath(doc, lc, at, unknownKey ? "key" : "value");
    return { severity: "error", message: `${at.length ? `${at.join(".")}: ` : ""}${i.message}`, ...pos, path: at, nodes: [] };
  });
}
