import { describe, expect, it } from "vitest";

import type { ConfigSource } from "./source";
import {
  bodyView,
  currentDoc,
  draftOf,
  hasOwnText,
  initialWorkspace,
  isDirty,
  keepsDraft,
  newestDoc,
  openDecision,
  versionNote,
  workspaceReducer,
  workspaceTitle,
  type Doc,
  type WorkspaceState,
} from "./workspace-model";

const NODE: ConfigSource = { kind: "node", nodeId: "10.5.0.2@sim" };
const OTHER_NODE: ConfigSource = { kind: "node", nodeId: "10.5.0.3@sim" };
const TEMPLATE: ConfigSource = { kind: "template", role: "worker" };
const FILE: ConfigSource = { kind: "file", name: "talos.yaml" };

const RUNNING = { yaml: "version: v1alpha1\n", talosVersion: "v1.13.9", redacted: true };

function doc(key: string, patch: Partial<Doc> = {}): Doc {
  return { key, text: "a: 1\n", original: "a: 1\n", talosVersion: "1.13", restored: false, ...patch };
}

function edited(state: WorkspaceState, text: string): WorkspaceState {
  const current = currentDoc(state, RUNNING);
  if (!current) throw new Error("nothing to edit");
  return workspaceReducer(state, { type: "edit", doc: { ...current, text } });
}

describe("the config workspace model", () => {
  it("ignores an edit made for another source: a late keystroke never replaces a newly opened file", () => {
    let s = initialWorkspace(NODE, null);
    const nodeDoc = currentDoc(s, RUNNING)!;
    s = workspaceReducer(s, { type: "open", source: FILE, file: { text: "uploaded: 1\n" }, draft: null, talosVersion: "1.13" });
    const after = workspaceReducer(s, { type: "edit", doc: { ...nodeDoc, text: "uploaded: 1\n" } });
    expect(after).toBe(s);
    expect(currentDoc(after, undefined)?.text).toBe("uploaded: 1\n");
    expect(bodyView(FILE, currentDoc(after, undefined), null).kind).toBe("editor");
  });

  it("starts with the tab's draft of its source, marked as restored", () => {
    const s = initialWorkspace(NODE, { text: "b: 2\n", original: "a: 1\n", talosVersion: "1.13", redacted: true });
    expect(s.doc).toEqual({ key: "node:10.5.0.2@sim", text: "b: 2\n", original: "a: 1\n", talosVersion: "1.13", redacted: true, restored: true });
    expect(hasOwnText(s)).toBe(true);
    expect(isDirty(currentDoc(s, RUNNING))).toBe(true);
  });

  it("without a draft shows the source as fetched, its version reduced to a minor and secrets marked", () => {
    const s = initialWorkspace(NODE, null);
    expect(hasOwnText(s)).toBe(false);
    expect(currentDoc(s, undefined)).toBeNull();
    expect(currentDoc(s, RUNNING)).toEqual({ key: "node:10.5.0.2@sim", text: RUNNING.yaml, original: RUNNING.yaml, talosVersion: "1.13", redacted: true, restored: false });
    // A template says nothing about redaction; a node that names no version validates against the latest.
    expect(currentDoc(initialWorkspace(TEMPLATE, null), { yaml: "x: 1\n", talosVersion: null })).toEqual({
      key: "template:worker",
      text: "x: 1\n",
      original: "x: 1\n",
      talosVersion: "1.14",
      restored: false,
    });
  });

  it("a doc left over from another source is not shown", () => {
    const s: WorkspaceState = { ...initialWorkspace(NODE, null), doc: doc("node:10.5.0.3@sim", { text: "other\n" }) };
    expect(hasOwnText(s)).toBe(false);
    expect(currentDoc(s, RUNNING)?.text).toBe(RUNNING.yaml);
  });

  it("a file has no fetched text: without its draft nothing is shown", () => {
    expect(currentDoc(initialWorkspace(FILE, null), RUNNING)).toBeNull();
  });

  it("opening an uploaded file shows its text untouched and clears the question and notice", () => {
    let s = edited(initialWorkspace(NODE, null), "changed\n");
    s = workspaceReducer(s, { type: "ask-open", open: { source: FILE, file: { text: "f: 1\n" } } });
    s = workspaceReducer(s, { type: "notice", notice: "not YAML" });
    const before = s.revision;
    s = workspaceReducer(s, { type: "open", source: FILE, file: { text: "f: 1\n" }, draft: null, talosVersion: "1.12" });
    expect(s.source).toEqual(FILE);
    expect(s.doc).toEqual({ key: "file:talos.yaml", text: "f: 1\n", original: "f: 1\n", talosVersion: "1.12", restored: false });
    expect([s.pendingOpen, s.notice]).toEqual([null, null]);
    expect(s.revision).toBe(before + 1);
    expect(isDirty(currentDoc(s, undefined))).toBe(false);
  });

  it("opening a source brings back its draft, or fetches it when the tab kept none", () => {
    const s0 = initialWorkspace(NODE, null);
    const withDraft = workspaceReducer(s0, { type: "open", source: OTHER_NODE, draft: { text: "t\n", original: "o\n", talosVersion: "1.11" }, talosVersion: "1.14" });
    expect(withDraft.doc).toMatchObject({ key: "node:10.5.0.3@sim", text: "t\n", restored: true });
    const without = workspaceReducer(s0, { type: "open", source: OTHER_NODE, draft: null, talosVersion: "1.14" });
    expect(without.doc).toBeNull();
    expect(hasOwnText(without)).toBe(false);
  });

  it("asks before edited text is replaced, and not when it is untouched or the same source", () => {
    const clean = initialWorkspace(NODE, null);
    const dirty = edited(clean, "changed\n");
    expect(openDecision(clean, currentDoc(clean, RUNNING), OTHER_NODE)).toBe("open");
    expect(openDecision(dirty, currentDoc(dirty, RUNNING), OTHER_NODE)).toBe("ask");
    expect(openDecision(dirty, currentDoc(dirty, RUNNING), NODE)).toBe("ignore");
    // A file is read anew even under the same name.
    const file = workspaceReducer(clean, { type: "open", source: FILE, file: { text: "f\n" }, draft: null, talosVersion: "1.14" });
    expect(openDecision(file, currentDoc(file, undefined), FILE, { text: "g\n" })).toBe("open");
    expect(openDecision(file, currentDoc(file, undefined), FILE)).toBe("ignore");
    // Keep editing drops the question and nothing else.
    const asked = workspaceReducer(dirty, { type: "ask-open", open: { source: OTHER_NODE } });
    expect(asked.pendingOpen).toEqual({ source: OTHER_NODE });
    expect(workspaceReducer(asked, { type: "keep-editing" })).toEqual(dirty);
  });

  it("keeps drafts of edited sources and of every file, without the in-memory bookkeeping", () => {
    expect(keepsDraft(NODE, doc("node:x"))).toBe(false);
    expect(keepsDraft(NODE, doc("node:x", { text: "b: 2\n" }))).toBe(true);
    expect(keepsDraft(FILE, doc("file:talos.yaml"))).toBe(true);
    expect(draftOf(doc("node:x", { restored: true, redacted: true }))).toEqual({ text: "a: 1\n", original: "a: 1\n", talosVersion: "1.13", redacted: true });
  });

  it("discarding edits goes back to the text as opened and refreshes the editor", () => {
    const dirty = edited(initialWorkspace(NODE, null), "changed\n");
    const current = currentDoc(dirty, RUNNING)!;
    const s = workspaceReducer(dirty, { type: "discard", current });
    expect(currentDoc(s, RUNNING)?.text).toBe(RUNNING.yaml);
    expect(isDirty(currentDoc(s, RUNNING))).toBe(false);
    expect(s.revision).toBe(dirty.revision + 1);
  });

  it("after an apply shows the node's running config, unless another source was opened meanwhile", () => {
    const dirty = edited(initialWorkspace(NODE, null), "changed\n");
    const fresh = { yaml: "changed\n", talosVersion: "v1.13.9", redacted: true };
    const s = workspaceReducer(dirty, { type: "reloaded", key: "node:10.5.0.2@sim", fetched: fresh });
    expect(currentDoc(s, RUNNING)).toMatchObject({ text: "changed\n", original: "changed\n", restored: false });
    expect(s.revision).toBe(dirty.revision + 1);

    const moved = workspaceReducer(dirty, { type: "open", source: TEMPLATE, draft: null, talosVersion: "1.14" });
    expect(workspaceReducer(moved, { type: "reloaded", key: "node:10.5.0.2@sim", fetched: fresh })).toBe(moved);
  });

  it.each([
    ["the editor once there is text, even if a refetch failed", NODE, doc("node:10.5.0.2@sim"), new Error("x"), "editor"],
    ["why the source could not be read", NODE, null, new Error("node unreachable"), "fetch-failed"],
    ["that an uploaded file is gone from this tab", FILE, null, null, "file-gone"],
    ["a placeholder while the text is on its way", TEMPLATE, null, null, "loading"],
  ] as const)("the editor area shows %s", (_what, source, current, error, kind) => {
    const view = bodyView(source, current, error);
    expect(view.kind).toBe(kind);
    if (view.kind === "fetch-failed") expect(view.message).toBe("node unreachable");
  });

  it("keys typed into the open doc are newer than the state's doc; keys typed into another are not", () => {
    const open = doc("node:10.5.0.2@sim");
    const typed = { ...open, text: "a: 12\n" };
    expect(newestDoc(open, typed)).toBe(typed);
    expect(newestDoc(open, null)).toBe(open);
    expect(newestDoc(doc("file:talos.yaml"), typed)?.key).toBe("file:talos.yaml");
    expect(newestDoc(null, typed)).toBeNull();
  });

  it("names where the version came from only when the node's own version is in use", () => {
    const d = doc("node:10.5.0.2@sim", { talosVersion: "1.13" });
    expect(versionNote(d, NODE, "v1.13.9")).toBe("the node runs v1.13.9");
    expect(versionNote({ ...d, talosVersion: "1.12" }, NODE, "v1.13.9")).toBe("");
    expect(versionNote(d, TEMPLATE, "v1.13.9")).toBe("");
    expect(versionNote(d, NODE, null)).toBe("");
  });

  it.each([
    [NODE, "10.5.0.2 (sim)", "Running config of 10.5.0.2 (sim)"],
    [TEMPLATE, "new worker config", "New worker config (template)"],
    [FILE, "talos.yaml", "File talos.yaml"],
  ] as const)("titles %j", (source, label, title) => {
    expect(workspaceTitle(source, label)).toBe(title);
  });
});
