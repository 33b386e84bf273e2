/**
 * Monaco, loaded from the local package (never a CDN), with only what the manifest editor uses:
 * the editor API, the contributions behind hover, completion, find, folding and format, and the
 * YAML language. Importing `monaco-editor` itself would pull every language (≈6.7 MB).
 *
 * Browser-only: imported from the `ssr: false` editor module, never on the server. Shared by the
 * config editor and the push feature's diff view, so it belongs to neither.
 */
import { loader } from "@monaco-editor/react";
import * as monaco from "monaco-editor/esm/vs/editor/editor.api";
import "monaco-editor/esm/vs/editor/browser/coreCommands";
import "monaco-editor/esm/vs/editor/browser/widget/codeEditor/codeEditorWidget";
import "monaco-editor/esm/vs/editor/contrib/bracketMatching/browser/bracketMatching";
import "monaco-editor/esm/vs/editor/contrib/clipboard/browser/clipboard";
import "monaco-editor/esm/vs/editor/contrib/comment/browser/comment";
import "monaco-editor/esm/vs/editor/contrib/contextmenu/browser/contextmenu";
import "monaco-editor/esm/vs/editor/contrib/cursorUndo/browser/cursorUndo";
import "monaco-editor/esm/vs/editor/contrib/find/browser/findController";
import "monaco-editor/esm/vs/editor/contrib/folding/browser/folding";
import "monaco-editor/esm/vs/editor/contrib/format/browser/formatActions";
import "monaco-editor/esm/vs/editor/contrib/gotoError/browser/gotoError";
import "monaco-editor/esm/vs/editor/contrib/hover/browser/hoverContribution";
import "monaco-editor/esm/vs/editor/contrib/indentation/browser/indentation";
import "monaco-editor/esm/vs/editor/contrib/linesOperations/browser/linesOperations";
import "monaco-editor/esm/vs/editor/contrib/multicursor/browser/multicursor";
import "monaco-editor/esm/vs/editor/contrib/snippet/browser/snippetController2";
import "monaco-editor/esm/vs/editor/contrib/suggest/browser/suggestController";
import "monaco-editor/esm/vs/editor/contrib/tokenization/browser/tokenization";
import "monaco-editor/esm/vs/editor/contrib/wordHighlighter/browser/wordHighlighter";
import "monaco-editor/esm/vs/editor/contrib/wordOperations/browser/wordOperations";
import "monaco-editor/esm/vs/editor/common/standaloneStrings";
import "monaco-editor/esm/vs/base/browser/ui/codicons/codiconStyles";
import "monaco-editor/esm/vs/basic-languages/yaml/yaml.contribution";
import { configureMonacoYaml, type JSONSchema, type MonacoYaml } from "monaco-yaml";

import { formatYaml } from "@/lib/config/format";
import { configJsonSchema } from "@/lib/config/schema";
import { LATEST_TALOS_MINOR, type TalosMinor } from "@/lib/config/types";

export type Monaco = typeof monaco;

declare global {
  interface Window {
    /** The Monaco namespace, for e2e tests to read markers (`monaco.editor.getModelMarkers`). */
    monaco?: Monaco;
    MonacoEnvironment?: monaco.Environment;
  }
}

/** The marker owner for lib/config's issues (monaco-yaml's own validation is off). */
export const MARKER_OWNER = "minos";

window.MonacoEnvironment = {
  getWorker(_moduleId, label) {
    if (label === "yaml") return new Worker(new URL("monaco-yaml/yaml.worker", import.meta.url), { type: "module", name: "yaml" });
    return new Worker(new URL("monaco-editor/esm/vs/editor/editor.worker", import.meta.url), { type: "module", name: "editor" });
  },
};

/*
 * monaco-yaml (through monaco-worker-manager) calls `editor.createWebWorker({ moduleId, label,
 * createData })`, the legacy form. The full `monaco-editor` entry adapts that form to the core's
 * `{ worker }` form; importing the editor API alone skips the adapter, so it is repeated here
 * (as in monaco-editor 0.54's editor.main.js). Without it: "Could not create web worker(s)".
 */
type LegacyWorkerOptions = { moduleId: string; label?: string; createData?: unknown; host?: unknown; keepIdleModels?: boolean; worker?: undefined };
const coreCreateWebWorker = monaco.editor.createWebWorker as (opts: unknown) => ReturnType<typeof monaco.editor.createWebWorker>;
(monaco.editor as { createWebWorker: unknown }).createWebWorker = (opts: LegacyWorkerOptions | { worker: unknown }) => {
  if (opts.worker !== undefined) return coreCreateWebWorker(opts);
  const legacy = opts as LegacyWorkerOptions;
  const worker = Promise.resolve(window.MonacoEnvironment!.getWorker!("workerMain.js", legacy.label ?? "monaco-editor-worker")).then((w) => {
    w.postMessage("ignore");
    w.postMessage(legacy.createData);
    return w;
  });
  return coreCreateWebWorker({ worker, host: legacy.host, keepIdleModels: legacy.keepIdleModels });
};

loader.config({ monaco });
window.monaco = monaco;

// Colours from the app's tokens, so the editor sits in the page instead of on it.
monaco.editor.defineTheme("minos-light", {
  base: "vs",
  inherit: true,
  // vs's teal keys, green numbers and comments fall under 4.5:1 on the current line's highlight.
  rules: [
    { token: "type", foreground: "006b6b" },
    { token: "number", foreground: "067a50" },
    { token: "comment", foreground: "006f00" },
  ],
  colors: { "editor.background": "#ffffff", "editorGutter.background": "#ffffff", "editor.lineHighlightBackground": "#f0f2f5" },
});
monaco.editor.defineTheme("minos-dark", {
  base: "vs-dark",
  inherit: true,
  rules: [],
  colors: { "editor.background": "#161b22", "editorGutter.background": "#161b22", "editor.lineHighlightBackground": "#1f2630" },
});

monaco.languages.registerDocumentFormattingEditProvider("yaml", {
  displayName: "Minos",
  provideDocumentFormattingEdits(model) {
    const result = formatYaml(model.getValue());
    return result.ok ? [{ range: model.getFullModelRange(), text: result.text }] : [];
  },
});

let yaml: MonacoYaml | undefined;
let yamlVersion: TalosMinor | undefined;
let manifestSchema: JSONSchema | undefined;

/** A cluster manifest's model path ends so; machine configs get the Talos schema, manifests theirs. */
export const MANIFEST_MODEL_SUFFIX = ".manifest.yaml";

function yamlOptions(version: TalosMinor) {
  return {
    enableSchemaRequest: false,
    // Markers come from lib/config (the same rules as the API and the CLI), not from monaco-yaml.
    validate: false,
    completion: true,
    hover: true,
    // Formatting is Minos's own (formatYaml), the same for Monaco and the plain-text editor.
    format: { enable: false },
    schemas: [
      { uri: `https://minos.local/schemas/talos-${version}.json`, fileMatch: ["*", `!*${MANIFEST_MODEL_SUFFIX}`], schema: configJsonSchema(version) as JSONSchema },
      ...(manifestSchema ? [{ uri: "https://minos.local/schemas/manifest.json", fileMatch: [`*${MANIFEST_MODEL_SUFFIX}`], schema: manifestSchema }] : []),
    ],
  };
}

/** Completion and hover docs for a Talos version: configures monaco-yaml once, then updates it. */
export function setTalosSchema(version: TalosMinor): void {
  if (version === yamlVersion) return;
  yamlVersion = version;
  if (!yaml) yaml = configureMonacoYaml(monaco, yamlOptions(version));
  else void yaml.update(yamlOptions(version));
}

/** Completion and hover docs for cluster manifests (models whose path ends in MANIFEST_MODEL_SUFFIX). */
export function setManifestSchema(schema: JSONSchema): void {
  if (manifestSchema === schema) return;
  manifestSchema = schema;
  const version = yamlVersion ?? LATEST_TALOS_MINOR;
  yamlVersion = version;
  if (!yaml) yaml = configureMonacoYaml(monaco, yamlOptions(version));
  else void yaml.update(yamlOptions(version));
}

export { monaco };

/** The options both YAML editors (machine config, cluster manifest) share. */
export const YAML_EDITOR_OPTIONS = {
  automaticLayout: true,
  fixedOverflowWidgets: true,
  fontSize: 13,
  minimap: { enabled: false },
  scrollBeyondLastLine: false,
  tabSize: 2,
  insertSpaces: true,
  quickSuggestions: { other: true, comments: false, strings: true },
  // Suggestions open once typing pauses, not after every key: each request has monaco-yaml's
  // worker parse the whole document again (~20 ms of CPU at 400 lines), which on a small machine
  // takes a core from the editor while a person types a key every 50-100 ms.
  quickSuggestionsDelay: 150,
  // A space or colon must never accept a suggestion and rewrite the operator's line.
  acceptSuggestionOnCommitCharacter: false,
  wordBasedSuggestions: "off",
  hover: { delay: 250 },
  padding: { top: 8 },
  // Talos configs are block YAML, with a bracket only in a rare flow list: keeping Monaco's
  // bracket tree current cost every keystroke about a tenth of the editor's rendering.
  bracketPairColorization: { enabled: false },
  matchBrackets: "never",
} satisfies monaco.editor.IStandaloneEditorConstructionOptions;
