"use client";

import { useQuery, useQueryClient } from "@tanstack/react-query";
import { startTransition, useCallback, useEffect, useReducer, useState } from "react";

import { clearDraft, readDraft, sourceKey, urlForSource, writeDraft, type ConfigSource } from "@/components/config-editor/source";
import {
  currentDoc,
  draftOf,
  hasOwnText,
  initialWorkspace,
  isDirty,
  keepsDraft,
  openDecision,
  workspaceReducer,
  type Doc,
  type OpenedFile,
} from "@/components/config-editor/workspace-model";
import { DeferredWrite } from "@/components/config-editor/deferred-write";
import { configTemplateQueryOptions, nodeConfigQueryOptions } from "@/lib/client/config";
import { LATEST_TALOS_MINOR, type TalosMinor } from "@/lib/config/types";

/** A draft is written this long after the last keystroke (and at once on pagehide or unmount). */
const DRAFT_WRITE_DELAY_MS = 300;

/** Keep a doc in this tab unless it is the source untouched. */
function persistDraft(source: ConfigSource, doc: Doc): void {
  if (keepsDraft(source, doc)) writeDraft(source, draftOf(doc));
  else clearDraft(source);
}

/**
 * The config workspace's state (workspace-model.ts) with its edges: the source's text fetched
 * while the operator has none of their own, drafts kept in this tab's sessionStorage, and the
 * URL following the open source.
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
  const talosVersion = (current?.talosVersion ?? LATEST_TALOS_MINOR) as TalosMinor;
  const dirty = isDirty(current);
  const queryClient = useQueryClient();

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

  const persist = useCallback(
    (doc: Doc) => {
      typedDraft.flush();
      persistDraft(source, doc);
    },
    [source, typedDraft],
  );

  /** Show a new text or version. */
  const edit = useCallback(
    (doc: Doc) => {
      dispatch({ type: "edit", doc });
      persist(doc);
    },
    [persist],
  );

  /**
   * A keystroke in the editor. The editor already shows it: the rest of the page (validation,
   * status, push) follows as a transition, which React renders without holding up the next
   * frame or key.
   */
  const onChange = useCallback(
    (text: string) => {
      if (!current || text === current.text) return;
      const doc = { ...current, text };
      startTransition(() => dispatch({ type: "edit", doc }));
      typedDraft.schedule(() => persistDraft(source, doc));
    },
    [current, source, typedDraft],
  );

  function setTalosVersion(talosVersion: string) {
    if (current) edit({ ...current, talosVersion });
  }

  /**
   * The editor replaced the text (a migration) and the check version changes with it: one edit
   * with both, since `current` still holds the text from before the editor's own change.
   */
  function replaceText(text: string, talosVersion: string) {
    if (current) edit({ ...current, text, talosVersion });
  }

  function discard() {
    if (!current) return;
    dispatch({ type: "discard", current });
    persist({ ...current, text: current.original });
  }

  function open(next: ConfigSource, file?: OpenedFile) {
    typedDraft.flush();
    if (file) writeDraft(next, { text: file.text, original: file.text, talosVersion });
    dispatch({ type: "open", source: next, file, draft: file ? null : readDraft(next), talosVersion });
    window.history.replaceState(window.history.state, "", urlForSource(next, new URL(window.location.href)));
  }

  function requestOpen(next: ConfigSource, file?: OpenedFile) {
    const decision = openDecision(state, current, next, file);
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

  // With the keystroke's transition, so that one render carries both.
  const setCursor = useCallback((line: number, column: number) => startTransition(() => dispatch({ type: "cursor", line, column })), []);
  const setNotice = useCallback((notice: string | null) => dispatch({ type: "notice", notice }), []);
  const keepEditing = useCallback(() => dispatch({ type: "keep-editing" }), []);

  return {
    state,
    current,
    talosVersion,
    dirty,
    /** The fetch of the open source's own text (null for a file). */
    query,
    /** The node's running Talos version, when a node is open and was read. */
    nodeVersion: source.kind === "node" ? nodeQuery.data?.talosVersion : undefined,
    onChange,
    setTalosVersion,
    replaceText,
    discard,
    open,
    requestOpen,
    keepEditing,
    reloadAfterApply,
    setCursor,
    setNotice,
  };
}

export type Workspace = ReturnType<typeof useWorkspace>;
