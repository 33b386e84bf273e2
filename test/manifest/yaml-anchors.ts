/**
 * The anchors and aliases of a cluster manifest's text and of every patch string in it: manifests
 * refuse them (what a reader sees must be what applies), so adoption must never write one.
 */
import { parseAllDocuments, parseDocument, visit } from "yaml";

import type { Manifest } from "@/lib/manifest/schema";

/** Every anchor and alias of a YAML text, and of every patch string inside it. */
export function anchorsAndAliases(text: string): string[] {
  const found: string[] = [];
  const scan = (source: string, where: string) => {
    for (const doc of parseAllDocuments(source)) {
      if (!("contents" in doc)) continue;
      visit(doc, {
        Alias(_, a) {
          found.push(`${where}: *${a.source}`);
        },
        Node(_, n) {
          if (n.anchor) found.push(`${where}: &${n.anchor}`);
        },
      });
    }
  };
  scan(text, "manifest");
  const m = parseDocument(text).toJS() as Manifest;
  (m.patches ?? []).forEach((p) => scan(p.patch, `patches[${p.name}]`));
  m.nodes.forEach((n) => n.patch !== undefined && scan(n.patch, `nodes[${n.hostname}].patch`));
  return found;
}
