"use client";

import { useQuery, useQueryClient } from "@tanstack/react-query";
import { startTransition, useCallback, useEffect, useReducer, useState } from "react";
import { flushSync } from "react-dom";

import { clearDraft, readDraft, sourceKey, urlForSource, writeDraft, type ConfigSource } from "@/components/config-editor/source";
import {
  currentDoc,
  draftOf,
  hasOwnText,
  initialWorkspace,
  isDirty,
  keepsDraft,
  newestDoc,
  openDecision,
  workspaceReducer,
  type Doc,
  type OpenedFile,
} from "@/components/config-editor/workspace-model";
import { DeferredWrite } from "@/components/config-editor/deferred-write";
import { configTemplateQueryOptions, nodeConfigQueryOptions } from "@/lib/client/config";
import { LiveValue, useLiveValueAtRender } from "@/lib/client/live-value";
import { LATEST_TALOS_MINOR, type TalosMinor } from "@/lib/config/types";

/** A draft is written this long after the last keystroke (and at once on pagehide or unmount). */
const DRAFT_WRITE_DELAY_MS = 300;

/** Keep a doc in this tab unless it is the source untouched. */
function persistDraft(source: ConfigSource, doc: Doc): void {
  if (keepsDraft(source, doc)) writeDraft(source, draftOf(doc));
  else clearDraft(source);
}

export interface CursorPosition {
  line: number;
  column: number;
}

/**
 * The config workspace's state (workspace-model.ts) with its edges: the source's text fetched
 * while the operator has none of their own, drafts kept in this tab's sessionStorage, and the
 * URL following the open source.
 *
 * Keys typed into Monaco stay out of that state while they come: re-rendering the page on each
 * one cost the typing frames their budget. The first key after a pause goes to the state (the
 * page shows at once that the text changed: a preflight is stale, a check is running); the keys
 * after it wait in `typed` and land in the state once they pause, when the editor loses focus
 * (before a click elsewhere acts on the text), before any other change, and at once when they
 * make the text edited or unedited.
 */
export function useWorkspace(initialSource: ConfigSource) {
  const [state, dispatch] = useReducer(workspaceReducer, initialSource, (s) => initialWorkspace(s, readDraft(s)));
  const { source } = state;
  const ownText = hasOwnText(state);

  const nodeQuery = useQuery({
    ...nodeConfigQueryOptions(source.kind === "node" ? source.nodeId : ""),
    enabled: source.kind === "node" && !ownText,
  });
  const templateQuery = useQuery({
    ...configTemplateQueryOptions(source.kind === "template" ? source.role : "controlplane", source.kind === "template" ? source.talosVersion : undefined),
    enabled: source.kind === "template" && !ownText,
  });
  const query = source.kind === "node" ? nodeQuery : source.kind === "template" ? templateQuery : null;

  const current = currentDoc(state, query?.data);
  const [typed] = useState(() => new LiveValue<Doc | null>(null));
  const [cursor] = useState(() => new LiveValue<CursorPosition | null>(null));
  /** The newest text, typed keys included: what validation and the status follow. */
  const latest = newestDoc(current, useLiveValueAtRender(typed));
  const talosVersion = (current?.talosVersion ?? LATEST_TALOS_MINOR) as TalosMinor;
  const dirty = isDirty(current);
  const queryClient = useQueryClient();

  const commitTyped = useCallback(() => {
    const doc = typed.get();
    if (!doc) return;
    typed.set(null);
    dispatch({ type: "edit", doc });
  }, [typed]);

  // Typing writes its draft once the keys pause; every other change writes at once, after it.
  const [typedDraft] = useState(() => new DeferredWrite(DRAFT_WRITE_DELAY_MS));
  useEffect(() => {
    const flush = () => typedDraft.flush();
    const onHidden = () => {
      if (document.visibilityState === "hidden") flush();
    };
    window.addEventListener("pagehide", flush);
    document.addEventListener("visibilitychange", onHidden);
    return () => {
      window.removeEventListener("pagehide", flush);
      document.removeEventListener("visibilitychange", onHidden);
      flush();
    };
  }, [typedDraft]);

  /** Show a new text or version, after whatever was typed before it. */
  const edit = useCallback(
    (doc: Doc) => {
      typedDraft.flush();
      dispatch({ type: "edit", doc });
      persistDraft(source, doc);
    },
    [source, typedDraft],
  );

  /**
   * A change in the editor, which already shows it; returns the doc it makes (null: no change).
   * `typing`: keys in Monaco, held in `typed` after the first of a burst (see above). Any other
   * change (the plain textarea, which shows the state's text; Format; a quick fix from outside)
   * goes to the state as a transition, which React renders without holding up the next key.
   */
  const onChange = useCallback(
    (text: string, typing = false): Doc | null => {
      const base = newestDoc(current, typed.get());
      if (!base || text === base.text) return null;
      const doc = { ...base, text };
      if (typing && typedDraft.waiting && isDirty(doc) === isDirty(current)) {
        typed.set(doc);
      } else {
        typed.set(null);
        startTransition(() => dispatch({ type: "edit", doc }));
      }
      typedDraft.schedule(() => {
        commitTyped();
        persistDraft(source, doc);
      });
      return doc;
    },
    [current, source, typed, typedDraft, commitTyped],
  );

  /**
   * The operator left the editor: the typed text reaches the page before whatever they do next
   * (a click on Run preflight must act on it). After the blur's own handlers, outside any render.
   */
  const onEditorBlur = useCallback(() => queueMicrotask(() => flushSync(commitTyped)), [commitTyped]);

  /** The newest doc now, for event handlers (a render's `latest` may be older). */
  const latestNow = useCallback(() => newestDoc(current, typed.get()), [current, typed]);

  function setTalosVersion(talosVersion: string) {
    const doc = latestNow();
    if (doc) edit({ ...doc, talosVersion });
  }

  /**
   * The editor replaced the text (a migration) and the check version changes with it: one edit
   * with both.
   */
  function replaceText(text: string, talosVersion: string) {
    const doc = latestNow();
    if (doc) edit({ ...doc, text, talosVersion });
  }

  function discard() {
    if (!current) return;
    typedDraft.flush();
    dispatch({ type: "discard", current });
    persistDraft(source, { ...current, text: current.original });
  }

  function open(next: ConfigSource, file?: OpenedFile) {
    typedDraft.flush();
    if (file) writeDraft(next, { text: file.text, original: file.text, talosVersion });
    dispatch({ type: "open", source: next, file, draft: file ? null : readDraft(next), talosVersion });
    cursor.set(null);
    window.history.replaceState(window.history.state, "", urlForSource(next, new URL(window.location.href)));
  }

  function requestOpen(next: ConfigSource, file?: OpenedFile) {
    const decision = openDecision(state, latestNow(), next, file);
    if (decision === "ask") dispatch({ type: "ask-open", open: { source: next, file } });
    else if (decision === "open") open(next, file);
  }

  /** After an apply to the open node, show what it runs now (the editor's text is applied). */
  async function reloadAfterApply(node: string) {
    if (source.kind !== "node" || source.nodeId !== node) return;
    try {
      const fresh = await queryClient.fetchQuery({ ...nodeConfigQueryOptions(node), staleTime: 0 });
      typedDraft.flush();
      clearDraft(source);
      dispatch({ type: "reloaded", key: sourceKey(source), fetched: fresh });
    } catch {
      // The node may be rebooting; the text stays as the operator left it, marked as edited.
    }
  }

  const setCursor = useCallback((line: number, column: number) => cursor.set({ line, column }), [cursor]);
  const setNotice = useCallback((notice: string | null) => dispatch({ type: "notice", notice }), []);
  const keepEditing = useCallback(() => dispatch({ type: "keep-editing" }), []);

  return {
    state,
    current,
    /** `current` with the keys typed since: see above. */
    latest,
    latestNow,
    talosVersion,
    dirty,
    /** The fetch of the open source's own text (null for a file). */
    query,
    /** The node's running Talos version, when a node is open and was read. */
    nodeVersion: source.kind === "node" ? nodeQuery.data?.talosVersion : undefined,
    onChange,
    onEditorBlur,
    setTalosVersion,
    replaceText,
    discard,
    open,
    requestOpen,
    keepEditing,
    reloadAfterApply,
    setCursor,
    /** The editor's cursor, for the status bar alone. */
    cursor,
    setNotice,
  };
}

export type Workspace = ReturnType<typeof useWorkspace>;
