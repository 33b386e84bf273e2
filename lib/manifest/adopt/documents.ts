/**
 * A config's documents as the adopter reads them: the text in canonical form (Talos's decoder
 * and encoder, see ../compare.ts), each document with the identity Talos merges it by and the
 * header a patch document needs to address it.
 */
import { documentType } from "@/lib/config/patch/types";
import { parseConfigYaml } from "@/lib/config/parse";
import { documentKind } from "@/lib/talos/documents";

import { isObj, type ConfigDocument } from "./delta";

function isNamedKind(kind: string): boolean {
  const t = documentType(kind);
  return t?.k === "struct" && t.byName.has("name");
}

/** The documents of a canonical config text (one Talos has read: identities are unique). */
export function readDocuments(canonical: string): ConfigDocument[] {
  const parsed = parseConfigYaml(canonical);
  const err = parsed.issues.find((i) => i.severity === "error");
  if (err) throw new Error(`line ${err.line}: ${err.message}`);
  const out: ConfigDocument[] = [];
  for (const d of parsed.documents) {
    const body = isObj(d.value) ? d.value : {};
    const kind = documentKind(body);
    if (kind === null) throw new Error(`document ${d.index + 1} has no kind`);
    out.push(documentOf(kind, body));
  }
  return out;
}

export function documentOf(kind: string, body: Record<string, unknown>): ConfigDocument {
  if (kind === "v1alpha1") return { id: "v1alpha1", kind, header: [], body };
  const apiVersion = String(body.apiVersion ?? "");
  const header: [string, string][] = [
    ["apiVersion", apiVersion],
    ["kind", kind],
  ];
  let id = `${apiVersion}/${kind}`;
  if (isNamedKind(kind)) {
    const name = String(body.name ?? "");
    header.push(["name", name]);
    id += `/${name}`;
  }
  return { id, kind, header, body };
}

/** The first document of a kind. */
export function docOfKind(docs: readonly ConfigDocument[], kind: string): Record<string, unknown> | undefined {
  return docs.find((d) => d.kind === kind)?.body;
}

/** The value at a path of keys, or undefined. */
export function dig(v: unknown, ...path: string[]): unknown {
  let cur = v;
  for (const k of path) {
    if (!isObj(cur)) return undefined;
    cur = cur[k];
  }
  return cur;
}
