"use client";

import { AlertTriangle } from "lucide-react";
import { memo, useCallback, useMemo, useRef, useState } from "react";

import { ConfigEditor } from "@/components/config-editor/config-editor";
import type { EditorHandle, MigrateOutcome } from "@/components/config-editor/editor-handle";
import { MigrateReport } from "@/components/config-editor/migrate-report";
import { OpenConfig } from "@/components/config-editor/open-config";
import { ProblemsPanel } from "@/components/config-editor/problems-panel";
import { ReplacePrompt } from "@/components/config-editor/replace-prompt";
import { sourceKey, sourceLabel, type ConfigSource } from "@/components/config-editor/source";
import { StatusBar } from "@/components/config-editor/status-bar";
import { usePlainEditor } from "@/components/config-editor/use-plain-editor";
import { useSaveShortcut } from "@/components/config-editor/use-save-shortcut";
import { useValidation, type Validation } from "@/components/config-editor/use-validation";
import { useWorkspace } from "@/components/config-editor/use-workspace";
import { WorkspaceBody } from "@/components/config-editor/workspace-body";
import { WorkspaceHeader } from "@/components/config-editor/workspace-header";
import { bodyView, versionNote } from "@/components/config-editor/workspace-model";
import { DriftBanner } from "@/components/config-push/drift-banner";
import { PushSection } from "@/components/config-push/push-section";
import { TryCountdown } from "@/components/config-push/try-countdown";
import { Card } from "@/components/ui/card";
import type { ConfigIssue, TalosMinor } from "@/lib/config/types";
import { useStableCallback } from "@/lib/client/use-stable-callback";
import { atLeastMinor, parseTalosVersion } from "@/lib/talos/version";

const TEMPLATE: ConfigSource = { kind: "template", role: "controlplane" };
const NO_ISSUES: ConfigIssue[] = [];

// Of the keys typed in Monaco only the first of a burst renders the workspace, but each validation
// does (about one per key while typing fast): these take nothing a validation changes then.
const MemoOpenConfig = memo(OpenConfig);
const MemoWorkspaceHeader = memo(WorkspaceHeader);
const MemoProblemsPanel = memo(ProblemsPanel);
const MemoStatusBar = memo(StatusBar);
const MemoPushSection = memo(PushSection);
const MemoTryCountdown = memo(TryCountdown);
const MemoDriftBanner = memo(DriftBanner);

/**
 * Whether the push panels' text (the state's: keys typed after the first of a burst reach it when
 * they pause or the editor loses focus) is the text validated. Run preflight is disabled from the
 * first key of a burst until the burst's text is there and checked: it never looks ready for a
 * text it does not hold. The status bar follows the editor's newest text instead.
 */
function validatedText(validation: Validation | null, text: string, talosVersion: TalosMinor): boolean {
  return !!validation?.result && validation.text === text && validation.talosVersion === talosVersion;
}

/**
 * The config workspace: pick a source, edit its text with live validation, preview and apply it.
 * The state lives in useWorkspace (a pure model with storage and URL at its edges); this
 * component lays the pieces out and wires the editor, validation and push to it.
 */
export function Workspace({ initialSource, cluster }: { initialSource: ConfigSource; cluster: string | null }) {
  const ws = useWorkspace(initialSource);
  const { state, current, latest, talosVersion, dirty, query } = ws;
  const { source } = state;
  const hasDoc = current !== null;
  const [plain, setPlain] = usePlainEditor();
  const handle = useRef<EditorHandle | null>(null);
  const onReady = useCallback((h: EditorHandle | null) => {
    handle.current = h;
  }, []);
  const revealIssue = useCallback((issue: ConfigIssue) => handle.current?.revealIssue(issue), []);

  const { latestNow } = ws;
  const newestText = useCallback(() => latestNow()?.text ?? null, [latestNow]);
  const { validation, pending, validateNow, submit } = useValidation(latest?.text ?? null, talosVersion, newestText);
  const onEditorChange = useStableCallback((text: string, typing?: boolean) => {
    const doc = ws.onChange(text, typing);
    if (doc) submit(doc.text, talosVersion);
  });
  useSaveShortcut(validateNow);
  const issues: ConfigIssue[] = validation?.result?.issues ?? NO_ISSUES;
  const errors = issues.filter((i) => i.severity === "error").length;

  function format() {
    const result = handle.current?.format();
    ws.setNotice(result && !result.ok ? result.reason : null);
  }

  const [migration, setMigration] = useState<{ key: string; outcome: MigrateOutcome } | null>(null);
  function migrate() {
    const outcome = handle.current?.migrate() ?? null;
    setMigration(outcome ? { key: sourceKey(source), outcome } : null);
    // The moved documents exist from 1.14 on: check the result against 1.14.
    if (outcome?.ok && outcome.moved.length > 0) ws.replaceText(outcome.text, "1.14");
  }
  // A node that runs an older Talos cannot read the 1.14 documents: it would refuse the result.
  const migrateBlocked = typeof ws.nodeVersion === "string" && parseTalosVersion(ws.nodeVersion) !== null && !atLeastMinor(ws.nodeVersion, 1, 14);

  const requestOpen = useStableCallback(ws.requestOpen);
  const discard = useStableCallback(ws.discard);
  const formatNow = useStableCallback(format);
  const migrateNow = useStableCallback(migrate);
  const onApplied = useStableCallback((node: string) => void ws.reloadAfterApply(node));
  const setTalosVersion = useStableCallback(ws.setTalosVersion);
  const redacted = !!current?.redacted;
  const restored = !!current?.restored;
  const docFlags = useMemo(() => (hasDoc ? { redacted, restored } : null), [hasDoc, redacted, restored]);

  const label = sourceLabel(source);
  const view = bodyView(source, current, query?.isError ? query.error : null);

  return (
    <div className="space-y-4">
      <Card className="px-4 py-3">
        <MemoOpenConfig current={source} cluster={cluster} onOpen={requestOpen} />
      </Card>

      {state.pendingOpen ? (
        <ReplacePrompt
          next={state.pendingOpen.source}
          currentLabel={label}
          onReplace={() => state.pendingOpen && ws.open(state.pendingOpen.source, state.pendingOpen.file)}
          onKeep={ws.keepEditing}
        />
      ) : null}

      {source.kind === "node" ? (
        <>
          <MemoTryCountdown node={source.nodeId} nodeLabel={label} />
          <MemoDriftBanner node={source.nodeId} nodeLabel={label} quietErrors />
        </>
      ) : null}

      <Card className="overflow-hidden">
        <MemoWorkspaceHeader
          source={source}
          label={label}
          doc={docFlags}
          dirty={dirty}
          plain={plain}
          onDiscard={discard}
          onFormat={formatNow}
          onMigrate={migrateNow}
          migrateBlocked={migrateBlocked ? `This node runs Talos ${ws.nodeVersion}; the 1.14 layout needs Talos 1.14 or later` : null}
          onValidate={validateNow}
          onPlainChange={setPlain}
        />
        {migration && migration.key === sourceKey(source) ? <MigrateReport outcome={migration.outcome} onClose={() => setMigration(null)} /> : null}
        {state.notice ? (
          <p role="alert" className="flex items-center gap-2 border-b border-border bg-warn/10 px-3 py-1.5 text-sm text-warn">
            <AlertTriangle aria-hidden className="size-4" /> {state.notice}
          </p>
        ) : null}
        <div className="h-[60vh] min-h-80">
          <WorkspaceBody
            view={view}
            source={source}
            label={label}
            onRetry={() => void query?.refetch()}
            onTemplate={() => ws.open(TEMPLATE)}
            editor={
              current ? (
                <ConfigEditor
                  plain={plain}
                  value={current.text}
                  revision={state.revision}
                  onChange={onEditorChange}
                  onBlur={ws.onEditorBlur}
                  issues={issues}
                  issuesText={validation?.text ?? null}
                  talosVersion={talosVersion}
                  onReady={onReady}
                  onCursorChange={ws.setCursor}
                  label={`Machine config: ${label}`}
                />
              ) : null
            }
          />
        </div>
        <MemoStatusBar
          errors={errors}
          warnings={issues.length - errors}
          pending={pending}
          failed={!!validation?.error}
          talosVersion={talosVersion}
          onTalosVersionChange={setTalosVersion}
          versionSource={current ? versionNote(current, source, ws.nodeVersion) : undefined}
          validationMs={validation?.ms ?? null}
          validationWhere={validation?.where ?? null}
          cursor={ws.cursor}
        />
      </Card>

      <MemoProblemsPanel
        issues={issues}
        loading={!!current && validation === null}
        error={validation?.error ?? null}
        talosVersion={talosVersion}
        onSelect={revealIssue}
        onRetry={validateNow}
      />

      {current ? (
        <MemoPushSection
          sourceNode={source.kind === "node" ? source.nodeId : null}
          yaml={current.text}
          validated={validatedText(validation, current.text, talosVersion)}
          localErrors={errors}
          talosVersion={source.kind === "node" ? ws.nodeVersion : null}
          cluster={cluster}
          plain={plain}
          redacted={!!current.redacted}
          onApplied={onApplied}
        />
      ) : null}
    </div>
  );
}
