/**
 * The config workspace's state model: which source is open, the operator's text for it, a
 * pending "replace your edits?" question, and what the editor area shows. Pure (no React, no
 * storage, no fetch): use-workspace.ts reads and writes the tab's drafts and the URL around it.
 */
import { toTalosMinor } from "@/components/config-editor/config-lib";
import { sourceKey, type ConfigDraft, type ConfigSource } from "@/components/config-editor/source";

/** The text in the editor for one source. */
export interface Doc extends ConfigDraft {
  /** sourceKey() of the source it belongs to: a doc of another source is not shown. */
  key: string;
  /** The text came back from sessionStorage (a reload or reopening a source). */
  restored: boolean;
}

/** An uploaded file's text; files exist only in this tab. */
export interface OpenedFile {
  text: string;
}

export interface PendingOpen {
  source: ConfigSource;
  file?: OpenedFile;
}

export interface WorkspaceState {
  source: ConfigSource;
  /** The operator's text, or null while the source's own text (fetched) is shown untouched. */
  doc: Doc | null;
  /** Another source asked for while the text is edited: the operator confirms first. */
  pendingOpen: PendingOpen | null;
  /** A message about the last Format (e.g. the YAML does not parse). */
  notice: string | null;
  /** Bumped when the text is replaced from outside the editor (see EditorProps.revision). */
  revision: number;
}

/** A source's text as the API answered it (GET /api/nodes/:node/config or /api/config/template). */
export interface FetchedConfig {
  yaml: string;
  /** A Talos version tag ("v1.13.9") or minor; null when the node did not say. */
  talosVersion: string | null;
  redacted?: boolean;
}

export type WorkspaceAction =
  /** Open `source`: with an uploaded file's text, else with the draft this tab kept for it (or none). */
  | { type: "open"; source: ConfigSource; file?: OpenedFile; draft: ConfigDraft | null; talosVersion: string }
  | { type: "ask-open"; open: PendingOpen }
  | { type: "keep-editing" }
  /** The operator's text or chosen version changed (typing stays inside the editor: no revision bump). */
  | { type: "edit"; doc: Doc }
  | { type: "discard"; current: Doc }
  /** The node's config as it runs after an apply replaces the text (`key`: the source it was read for). */
  | { type: "reloaded"; key: string; fetched: FetchedConfig }
  | { type: "notice"; notice: string | null };

/** The state a workspace starts in, with the tab's draft of its source if there is one. */
export function initialWorkspace(source: ConfigSource, draft: ConfigDraft | null): WorkspaceState {
  return {
    source,
    doc: draft ? { ...draft, key: sourceKey(source), restored: true } : null,
    pendingOpen: null,
    notice: null,
    revision: 0,
  };
}

/** A fetched config as the editor's untouched doc. */
export function docFromFetched(key: string, fetched: FetchedConfig): Doc {
  const doc: Doc = { key, text: fetched.yaml, original: fetched.yaml, talosVersion: toTalosMinor(fetched.talosVersion), restored: false };
  if (fetched.redacted !== undefined) doc.redacted = fetched.redacted;
  return doc;
}

export function workspaceReducer(state: WorkspaceState, action: WorkspaceAction): WorkspaceState {
  switch (action.type) {
    case "open": {
      const key = sourceKey(action.source);
      let doc: Doc | null = null;
      if (action.file) doc = { text: action.file.text, original: action.file.text, talosVersion: action.talosVersion, key, restored: false };
      else if (action.draft) doc = { ...action.draft, key, restored: true };
      return { source: action.source, doc, pendingOpen: null, notice: null, revision: state.revision + 1 };
    }
    case "ask-open":
      return { ...state, pendingOpen: action.open };
    case "keep-editing":
      return { ...state, pendingOpen: null };
    case "edit":
      // An edit made for another source (a keystroke's late transition after another source
      // opened) must not replace the open source's text.
      if (action.doc.key !== sourceKey(state.source)) return state;
      return { ...state, doc: action.doc };
    case "discard":
      return { ...state, doc: { ...action.current, text: action.current.original }, revision: state.revision + 1 };
    case "reloaded":
      // Another source opened while the node was read: its text stays, the stale read is dropped.
      if (action.key !== sourceKey(state.source)) return state;
      return { ...state, doc: docFromFetched(action.key, action.fetched), revision: state.revision + 1 };
    case "notice":
      return { ...state, notice: action.notice };
  }
}

/** What the editor shows: the operator's text for this source if any, else the source as fetched. */
export function currentDoc(state: Pick<WorkspaceState, "source" | "doc">, fetched: FetchedConfig | undefined): Doc | null {
  const key = sourceKey(state.source);
  if (state.doc?.key === key) return state.doc;
  if (fetched && state.source.kind !== "file") return docFromFetched(key, fetched);
  return null;
}

/**
 * The doc with the keys typed since it was last in the state (`typed`, see useWorkspace), when
 * they were typed into this very doc.
 */
export function newestDoc(current: Doc | null, typed: Doc | null): Doc | null {
  return current && typed && typed.key === current.key ? typed : current;
}

/** The operator's own text for the open source, which makes fetching it unnecessary. */
export function hasOwnText(state: Pick<WorkspaceState, "source" | "doc">): boolean {
  return state.doc?.key === sourceKey(state.source);
}

export function isDirty(doc: Doc | null): boolean {
  return doc !== null && doc.text !== doc.original;
}

/**
 * What asking for another source does: nothing when it is already open (a file is always read
 * anew), a question when edits would be replaced, else open it.
 */
export function openDecision(state: Pick<WorkspaceState, "source">, current: Doc | null, next: ConfigSource, file?: OpenedFile): "ignore" | "ask" | "open" {
  if (!file && sourceKey(next) === sourceKey(state.source)) return "ignore";
  return isDirty(current) ? "ask" : "open";
}

/**
 * Whether a doc is kept in the tab's sessionStorage. Files exist only in this tab, so they are
 * always kept; other sources only once edited (the untouched text is fetched again).
 */
export function keepsDraft(source: ConfigSource, doc: Doc): boolean {
  return source.kind === "file" || doc.text !== doc.original;
}

/** The draft stored for a doc: the doc without its in-memory bookkeeping. */
export function draftOf(doc: Doc): ConfigDraft {
  return { text: doc.text, original: doc.original, talosVersion: doc.talosVersion, redacted: doc.redacted };
}

/** The editor area's states. */
export type BodyView =
  | { kind: "editor"; doc: Doc }
  | { kind: "fetch-failed"; message: string }
  | { kind: "file-gone" }
  | { kind: "loading" };

export function bodyView(source: ConfigSource, current: Doc | null, fetchError: Error | null): BodyView {
  if (current) return { kind: "editor", doc: current };
  if (fetchError && source.kind !== "file") return { kind: "fetch-failed", message: fetchError.message };
  if (source.kind === "file") return { kind: "file-gone" };
  return { kind: "loading" };
}

/** Where the status bar says the Talos version came from, when the node itself set it. */
export function versionNote(doc: Doc, source: ConfigSource, nodeVersion: string | null | undefined): string {
  if (source.kind === "node" && nodeVersion && toTalosMinor(nodeVersion) === doc.talosVersion) return `the node runs ${nodeVersion}`;
  return "";
}

/** The editor card's heading. */
export function workspaceTitle(source: ConfigSource, label: string): string {
  if (source.kind === "node") return `Running config of ${label}`;
  if (source.kind === "template") return source.talosVersion ? `New ${source.role} config (template, Talos ${source.talosVersion})` : `New ${source.role} config (template)`;
  return `File ${label}`;
}
