"use client";

import { useQuery, useQueryClient } from "@tanstack/react-query";
import { AlertTriangle, CheckCheck, FileCode2, FilePlus2, History, Lock, PencilLine, RotateCw, Server, Type, Undo2, WandSparkles } from "lucide-react";
import { useCallback, useEffect, useRef, useState, useSyncExternalStore } from "react";

import { ConfigEditor } from "@/components/config-editor/config-editor";
import { toTalosMinor } from "@/components/config-editor/config-lib";
import type { EditorHandle } from "@/components/config-editor/editor-handle";
import { OpenConfig } from "@/components/config-editor/open-config";
import { ProblemsPanel } from "@/components/config-editor/problems-panel";
import {
  clearDraft,
  readDraft,
  sourceKey,
  sourceLabel,
  urlForSource,
  writeDraft,
  type ConfigDraft,
  type ConfigSource,
} from "@/components/config-editor/source";
import { StatusBar } from "@/components/config-editor/status-bar";
import { DriftBanner } from "@/components/config-push/drift-banner";
import { PushSection } from "@/components/config-push/push-section";
import { TryCountdown } from "@/components/config-push/try-countdown";
import { useValidation } from "@/components/config-editor/use-validation";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { Skeleton } from "@/components/ui/skeleton";
import { LATEST_TALOS_MINOR, type ConfigIssue, type TalosMinor } from "@/lib/config/types";
import { configTemplateQueryOptions, nodeConfigQueryOptions } from "@/lib/client/config";

const noop = () => () => {};
/** False during the server render and hydration, true after: drafts live in sessionStorage. */
function useIsClient(): boolean {
  return useSyncExternalStore(
    noop,
    () => true,
    () => false,
  );
}

const PLAIN_KEY = "minos.config.plainEditor";
function subscribePlain(onChange: () => void) {
  window.addEventListener("storage", onChange);
  window.addEventListener("minos:plain-editor", onChange);
  return () => {
    window.removeEventListener("storage", onChange);
    window.removeEventListener("minos:plain-editor", onChange);
  };
}
/** The operator's choice of the plain-text editor, remembered across visits. */
function usePlainEditor(): [boolean, (plain: boolean) => void] {
  const plain = useSyncExternalStore(
    subscribePlain,
    () => window.localStorage.getItem(PLAIN_KEY) === "1",
    () => false,
  );
  const set = useCallback((value: boolean) => {
    window.localStorage.setItem(PLAIN_KEY, value ? "1" : "0");
    window.dispatchEvent(new Event("minos:plain-editor"));
  }, []);
  return [plain, set];
}

interface Doc extends ConfigDraft {
  key: string;
  /** The text came back from sessionStorage (a reload or reopening a source). */
  restored: boolean;
}

export function ConfigClient({ initialSource, cluster }: { initialSource: ConfigSource; cluster: string | null }) {
  const isClient = useIsClient();
  if (!isClient) return <WorkspaceSkeleton />;
  // A navigation to another source (sidebar, back button) starts afresh; drafts are in storage.
  return <Workspace key={sourceKey(initialSource)} initialSource={initialSource} cluster={cluster} />;
}

function WorkspaceSkeleton() {
  return (
    <div aria-busy="true" aria-label="Loading the config editor" className="space-y-4">
      <Skeleton className="h-14" />
      <Skeleton className="h-[60vh] min-h-80" />
      <Skeleton className="h-24" />
    </div>
  );
}

function versionNote(doc: Doc, source: ConfigSource, nodeVersion: string | null | undefined): string {
  if (source.kind === "node" && nodeVersion && toTalosMinor(nodeVersion) === doc.talosVersion) return `the node runs ${nodeVersion}`;
  return "";
}

function Workspace({ initialSource, cluster }: { initialSource: ConfigSource; cluster: string | null }) {
  const [source, setSource] = useState(initialSource);
  const [doc, setDoc] = useState<Doc | null>(() => {
    const draft = readDraft(initialSource);
    return draft ? { ...draft, key: sourceKey(initialSource), restored: true } : null;
  });
  const [pendingOpen, setPendingOpen] = useState<{ source: ConfigSource; file?: { text: string } } | null>(null);
  const [plain, setPlain] = usePlainEditor();
  const [cursor, setCursor] = useState<{ line: number; column: number } | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  // Bumped when the text is replaced from outside the editor (see EditorProps.revision).
  const [revision, setRevision] = useState(0);
  const handle = useRef<EditorHandle | null>(null);
  const onReady = useCallback((h: EditorHandle | null) => {
    handle.current = h;
  }, []);
  const onCursorChange = useCallback((line: number, column: number) => setCursor({ line, column }), []);

  const key = sourceKey(source);
  const loaded = doc?.key === key ? doc : null;
  const nodeQuery = useQuery({
    ...nodeConfigQueryOptions(source.kind === "node" ? source.nodeId : ""),
    enabled: source.kind === "node" && !loaded,
  });
  const templateQuery = useQuery({
    ...configTemplateQueryOptions(source.kind === "template" ? source.role : "controlplane"),
    enabled: source.kind === "template" && !loaded,
  });
  const query = source.kind === "node" ? nodeQuery : source.kind === "template" ? templateQuery : null;

  // What the editor shows: the operator's text if any, else the source as fetched.
  let current: Doc | null = loaded;
  if (!current && source.kind === "node" && nodeQuery.data) {
    const d = nodeQuery.data;
    current = { key, text: d.yaml, original: d.yaml, talosVersion: toTalosMinor(d.talosVersion), redacted: d.redacted, restored: false };
  } else if (!current && source.kind === "template" && templateQuery.data) {
    const d = templateQuery.data;
    current = { key, text: d.yaml, original: d.yaml, talosVersion: toTalosMinor(d.talosVersion), restored: false };
  }
  const talosVersion = (current?.talosVersion ?? LATEST_TALOS_MINOR) as TalosMinor;
  const dirty = current !== null && current.text !== current.original;

  const { validation, pending, validateNow } = useValidation(current?.text ?? null, talosVersion);
  const queryClient = useQueryClient();
  const issues: ConfigIssue[] = validation?.result?.issues ?? [];
  const errors = issues.filter((i) => i.severity === "error").length;

  /** Show a new text or version, and keep it in this tab unless it is the source untouched. */
  const update = useCallback(
    (next: Doc) => {
      setDoc(next);
      // Files exist only in this tab, so they are always kept; other sources only once edited.
      if (source.kind === "file" || next.text !== next.original) {
        writeDraft(source, { text: next.text, original: next.original, talosVersion: next.talosVersion, redacted: next.redacted });
      } else {
        clearDraft(source);
      }
    },
    [source],
  );

  const onChange = useCallback(
    (text: string) => {
      if (current && text !== current.text) update({ ...current, text });
    },
    [current, update],
  );

  function open(next: ConfigSource, file?: { text: string }) {
    setPendingOpen(null);
    setNotice(null);
    setCursor(null);
    const nextKey = sourceKey(next);
    if (file) {
      const draft: ConfigDraft = { text: file.text, original: file.text, talosVersion };
      writeDraft(next, draft);
      setDoc({ ...draft, key: nextKey, restored: false });
    } else {
      const draft = readDraft(next);
      setDoc(draft ? { ...draft, key: nextKey, restored: true } : null);
    }
    setSource(next);
    setRevision((r) => r + 1);
    window.history.replaceState(window.history.state, "", urlForSource(next, new URL(window.location.href)));
  }

  function requestOpen(next: ConfigSource, file?: { text: string }) {
    if (!file && sourceKey(next) === key) return;
    if (dirty) setPendingOpen({ source: next, file });
    else open(next, file);
  }

  /** After an apply to the open node, show what it runs now (the editor's text is applied). */
  async function reloadAfterApply(node: string) {
    if (source.kind !== "node" || source.nodeId !== node) return;
    try {
      const fresh = await queryClient.fetchQuery({ ...nodeConfigQueryOptions(node), staleTime: 0 });
      clearDraft(source);
      setDoc({ key, text: fresh.yaml, original: fresh.yaml, talosVersion: toTalosMinor(fresh.talosVersion), redacted: fresh.redacted, restored: false });
      setRevision((r) => r + 1);
    } catch {
      // The node may be rebooting; the text stays as the operator left it, marked as edited.
    }
  }

  function format() {
    const result = handle.current?.format();
    setNotice(result && !result.ok ? result.reason : null);
  }

  // Ctrl/Cmd+S validates at once (and never opens the browser's "save page" dialog).
  const validateRef = useRef(validateNow);
  useEffect(() => {
    validateRef.current = validateNow;
  }, [validateNow]);
  useEffect(() => {
    function onKey(e: KeyboardEvent) {
      if ((e.ctrlKey || e.metaKey) && !e.altKey && !e.shiftKey && e.key.toLowerCase() === "s") {
        e.preventDefault();
        validateRef.current();
      }
    }
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, []);

  const label = sourceLabel(source);
  const SourceIcon = source.kind === "node" ? Server : source.kind === "template" ? FilePlus2 : FileCode2;

  let body;
  if (current) {
    body = (
      <ConfigEditor
        plain={plain}
        value={current.text}
        revision={revision}
        onChange={onChange}
        issues={issues}
        talosVersion={talosVersion}
        onReady={onReady}
        onCursorChange={onCursorChange}
        label={`Machine config: ${label}`}
      />
    );
  } else if (query?.isError) {
    body = (
      <SourceProblem
        title={source.kind === "node" ? `Cannot read the running config of ${label}` : "Cannot create a config from the template"}
        message={query.error.message}
        onRetry={() => void query.refetch()}
        onTemplate={source.kind === "node" ? () => open({ kind: "template", role: "controlplane" }) : undefined}
      />
    );
  } else if (source.kind === "file") {
    body = (
      <SourceProblem
        title={`${source.name} is no longer open in this tab`}
        message="Uploaded files live only in the browser tab that opened them. Upload it again, or start from a template."
        onTemplate={() => open({ kind: "template", role: "controlplane" })}
      />
    );
  } else {
    body = (
      <div aria-busy="true" className="space-y-2 p-4">
        <p className="text-sm text-fg-muted">{source.kind === "node" ? `Reading the running config of ${label}…` : `Generating a ${label}…`}</p>
        <Skeleton className="h-4 w-1/3" />
        <Skeleton className="h-4 w-1/2" />
        <Skeleton className="h-4 w-2/5" />
      </div>
    );
  }

  return (
    <div className="space-y-4">
      <Card className="px-4 py-3">
        <OpenConfig current={source} cluster={cluster} onOpen={requestOpen} />
      </Card>

      {pendingOpen ? (
        <div role="alertdialog" aria-labelledby="replace-title" aria-describedby="replace-desc" className="flex flex-wrap items-center gap-3 rounded-lg border border-warn/40 bg-warn/10 px-4 py-3 text-sm">
          <AlertTriangle aria-hidden className="size-5 shrink-0 text-warn" />
          <div className="min-w-0 flex-1">
            <p id="replace-title" className="font-semibold">
              Replace your edited config with {sourceLabel(pendingOpen.source)}?
            </p>
            <p id="replace-desc" className="text-fg-muted">
              Your edits to {label} are not applied anywhere. This tab keeps them: open {label} again to get them back.
            </p>
          </div>
          <Button variant="primary" size="sm" onClick={() => open(pendingOpen.source, pendingOpen.file)}>
            Open {sourceLabel(pendingOpen.source)}
          </Button>
          <Button size="sm" onClick={() => setPendingOpen(null)}>
            Keep editing
          </Button>
        </div>
      ) : null}

      {source.kind === "node" ? (
        <>
          <TryCountdown node={source.nodeId} nodeLabel={label} />
          <DriftBanner node={source.nodeId} nodeLabel={label} quietErrors />
        </>
      ) : null}

      <Card className="overflow-hidden">
        <div className="flex flex-wrap items-center gap-2 border-b border-border px-3 py-2">
          <h2 className="flex min-w-0 items-center gap-2 text-sm font-semibold">
            <SourceIcon aria-hidden className="size-4 shrink-0 text-fg-muted" />
            <span className="truncate">
              {source.kind === "node" ? `Running config of ${label}` : source.kind === "template" ? `New ${source.role} config (template)` : `File ${label}`}
            </span>
          </h2>
          {current?.redacted ? (
            <Badge tone="info" title="Secrets (keys, tokens, certificates' private parts) are replaced with placeholders; Minos puts the real values back when the config is applied.">
              <Lock aria-hidden className="size-3" /> Secrets redacted
            </Badge>
          ) : null}
          {dirty ? (
            <Badge tone="warn" title="The text differs from what was opened and is not applied to any node yet: run a preflight and apply it below.">
              <PencilLine aria-hidden className="size-3" /> Edited, not applied
            </Badge>
          ) : null}
          {current?.restored && dirty ? (
            <Badge tone="neutral" title="Your unsaved edits were kept in this browser tab and restored.">
              <History aria-hidden className="size-3" /> Restored from this tab
            </Badge>
          ) : null}
          <div className="ml-auto flex flex-wrap items-center gap-2">
            {dirty ? (
              <Button size="sm" variant="ghost" onClick={() => {
                  if (!current) return;
                  update({ ...current, text: current.original });
                  setRevision((r) => r + 1);
                }} title="Go back to the text as it was opened">
                <Undo2 aria-hidden className="size-4" /> Discard edits
              </Button>
            ) : null}
            <Button size="sm" onClick={format} disabled={!current}>
              <WandSparkles aria-hidden className="size-4" /> Format
            </Button>
            <Button size="sm" onClick={validateNow} disabled={!current} aria-keyshortcuts="Control+S Meta+S" title="Validate now (Ctrl/Cmd+S)">
              <CheckCheck aria-hidden className="size-4" /> Validate
              <kbd className="rounded border border-border px-1 font-mono text-[10px] text-fg-muted">Ctrl S</kbd>
            </Button>
            <Button size="sm" variant="ghost" aria-pressed={plain} onClick={() => setPlain(!plain)} title="A plain text box, for screen readers and simple browsers">
              <Type aria-hidden className="size-4" /> Plain text
            </Button>
          </div>
        </div>
        {notice ? (
          <p role="alert" className="flex items-center gap-2 border-b border-border bg-warn/10 px-3 py-1.5 text-sm text-warn">
            <AlertTriangle aria-hidden className="size-4" /> {notice}
          </p>
        ) : null}
        <div className="h-[60vh] min-h-80">{body}</div>
        <StatusBar
          errors={errors}
          warnings={issues.length - errors}
          pending={pending}
          failed={!!validation?.error}
          talosVersion={talosVersion}
          onTalosVersionChange={(v) => current && update({ ...current, talosVersion: v })}
          versionSource={current ? versionNote(current, source, nodeQuery.data?.talosVersion) : undefined}
          validationMs={validation?.ms ?? null}
          validationWhere={validation?.where ?? null}
          cursor={cursor}
        />
      </Card>

      <ProblemsPanel
        issues={issues}
        loading={!!current && validation === null}
        error={validation?.error ?? null}
        talosVersion={talosVersion}
        onSelect={(issue) => handle.current?.revealIssue(issue)}
        onRetry={validateNow}
      />

      {current ? (
        <PushSection
          sourceNode={source.kind === "node" ? source.nodeId : null}
          yaml={current.text}
          validated={!pending && !!validation?.result}
          localErrors={errors}
          talosVersion={source.kind === "node" ? nodeQuery.data?.talosVersion : null}
          cluster={cluster}
          plain={plain}
          redacted={!!current.redacted}
          onApplied={(node) => void reloadAfterApply(node)}
        />
      ) : null}
    </div>
  );
}

function SourceProblem({ title, message, onRetry, onTemplate }: { title: string; message: string; onRetry?: () => void; onTemplate?: () => void }) {
  return (
    <div role="alert" className="flex h-full flex-col items-center justify-center gap-3 px-6 text-center">
      <AlertTriangle aria-hidden className="size-10 text-danger" strokeWidth={1.5} />
      <h3 className="text-base font-semibold">{title}</h3>
      <p className="max-w-lg text-sm text-fg-muted">{message}</p>
      <div className="flex gap-2">
        {onRetry ? (
          <Button variant="primary" onClick={onRetry}>
            <RotateCw aria-hidden className="size-4" /> Retry
          </Button>
        ) : null}
        {onTemplate ? (
          <Button onClick={onTemplate}>
            <FilePlus2 aria-hidden className="size-4" /> Start from a template instead
          </Button>
        ) : null}
      </div>
    </div>
  );
}
