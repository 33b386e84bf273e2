/**
 * Monaco for cluster manifests (browser-only, imported by the manifest editor): monaco-yaml gets
 * the manifest's JSON Schema, and inside each `patch: |` block a completion and hover provider
 * of Minos's own answers from the Talos config schema of the manifest's cluster.talosVersion,
 * the same schema the single-node editor uses (monaco-yaml sees a patch as one string).
 */
import { MANIFEST_MODEL_SUFFIX, monaco, setManifestSchema } from "@/components/monaco/monaco-setup";
import { configJsonSchema, toTalosMinor } from "@/lib/config/schema";
import { LATEST_TALOS_MINOR, type TalosMinor } from "@/lib/config/types";
import { manifestJsonSchema } from "@/lib/manifest/json-schema";

import { propertiesOf, talosContextAt, typeLabel, valuesOf } from "./patch-context";

type Model = import("monaco-editor/esm/vs/editor/editor.api").editor.ITextModel;
type Languages = typeof monaco.languages;

setManifestSchema(manifestJsonSchema() as Parameters<typeof setManifestSchema>[0]);

const isManifest = (model: Model) => model.uri.path.endsWith(MANIFEST_MODEL_SUFFIX);

/** The contract the manifest names (cluster.talosVersion), else the newest Minos knows. */
export function manifestTalosMinor(text: string): TalosMinor {
  const m = /^ {2}talosVersion:\s*["']?([^\s"'#]+)/m.exec(text);
  return (m && toTalosMinor(m[1]!)) || LATEST_TALOS_MINOR;
}

function contextAt(model: Model, position: { lineNumber: number; column: number }) {
  if (!isManifest(model)) return null;
  const lines = model.getLinesContent();
  const schema = configJsonSchema(manifestTalosMinor(model.getValue()));
  return talosContextAt(lines, position.lineNumber, position.column, schema);
}

const languages: Languages = monaco.languages;

languages.registerCompletionItemProvider("yaml", {
  triggerCharacters: [" ", ":"],
  provideCompletionItems(model, position) {
    const at = contextAt(model, position);
    if (!at) return { suggestions: [] };
    const { ctx, block } = at;
    const range = new monaco.Range(position.lineNumber, block.indent + ctx.wordStart + 1, position.lineNumber, block.indent + ctx.wordEnd + 1);
    if (ctx.at === "key") {
      if (!at.parent) return { suggestions: [] };
      return {
        suggestions: propertiesOf(at.parent).map((p) => ({
          label: p.name,
          kind: languages.CompletionItemKind.Property,
          detail: `Talos: ${typeLabel(p.schema)}`,
          documentation: { value: p.description },
          insertText: `${p.name}: `,
          range,
        })),
      };
    }
    const values = ctx.key === "kind" && ctx.path.length === 0 ? at.kinds : at.field ? valuesOf(at.field) : [];
    return { suggestions: values.map((v) => ({ label: v, kind: languages.CompletionItemKind.EnumMember, insertText: v, range })) };
  },
});

languages.registerHoverProvider("yaml", {
  provideHover(model, position) {
    const at = contextAt(model, position);
    if (!at || !at.field || !at.ctx.key) return null;
    const { ctx, block } = at;
    const path = [...ctx.path, ctx.key].map((s) => (typeof s === "number" ? "[]" : s)).join(".").replace(/\.\[\]/g, "[]");
    const description = typeof at.field.description === "string" ? at.field.description : "";
    return {
      range: new monaco.Range(position.lineNumber, block.indent + ctx.wordStart + 1, position.lineNumber, block.indent + ctx.wordEnd + 1),
      contents: [{ value: `**${path}** — Talos ${manifestTalosMinor(model.getValue())}${typeLabel(at.field) ? ` · ${typeLabel(at.field)}` : ""}` }, ...(description ? [{ value: description }] : [])],
    };
  },
});
