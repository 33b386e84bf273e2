"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { CheckCheck, CircleAlert, ClipboardList, FileCode2, History, LoaderCircle, Lock, PencilLine, Radar, RotateCw, Save, Type, Undo2 } from "lucide-react";
import Link from "next/link";
import { useCallback, useDeferredValue, useEffect, useMemo, useRef, useState, useSyncExternalStore } from "react";

import { useControlAccess } from "@/components/auth/use-availability";
import { usePlainEditor } from "@/components/config-editor/use-plain-editor";
import { ROLLOUT_STATE } from "@/components/config-push/push-model";
import { QueryError } from "@/components/fleet/query-error";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { Skeleton } from "@/components/ui/skeleton";
import { ApiError } from "@/lib/client/api";
import { rolloutQueryOptions } from "@/lib/client/config-push";
import { applyManifestPlan, clusterDriftQueryOptions, manifestKeys, manifestQueryOptions, planManifest, saveManifest } from "@/lib/client/manifests";
import type { AdoptReport, ManifestResponse, PlanResponse } from "@/lib/schemas/manifests";

import { AdoptionReport, AdoptPanel } from "./adopt-panel";
import { driftCounts, DriftView } from "./drift-view";
import { HistoryView } from "./history-view";
import { ManifestEditor } from "./manifest-editor";
import type { ManifestEditorHandle } from "./manifest-monaco";
import { manifestNodes, type ListedNode } from "./manifest-model";
import { NodePanel } from "./node-panel";
import { openingText, readManifestDraft, writeManifestDraft } from "./drafts";
import { PlainManifestEditor } from "./plain-editor";
import { PlanView } from "./plan-view";
import { ProblemsList } from "./problems-list";
import { SecretsExport } from "./secrets-export";
import { useManifestValidation } from "./use-manifest-validation";

type Tab = "manifest" | "history" | "drift";

const noop = () => () => {};
/** False during the server render and hydration, true after. */
function useIsClient(): boolean {
  return useSyncExternalStore(
    noop,
    () => true,
    () => false,
  );
}

/** The cluster page's body: adoption before a manifest exists, then the manifest workspace. */
export function ClusterManifest({ cluster }: { cluster: string }) {
  const manifest = useQuery(manifestQueryOptions(cluster));
  const access = useControlAccess("applyConfig", cluster);
  const isAdmin = !access.hidden;
  const blockedReason = !access.hidden && !access.allowed ? access.reason : null;
  const [adopted, setAdopted] = useState<AdoptReport | null>(null);
  const isClient = useIsClient();

  // Drafts live in sessionStorage: the workspace opens in the browser only (the editor is anyway).
  if (manifest.isPending || (manifest.data && !isClient)) return <Skeleton className="h-[60vh]" />;
  if (manifest.isError) return <QueryError what="the cluster's manifest" error={manifest.error} retry={() => void manifest.refetch()} />;
  if (manifest.data === null) return <AdoptPanel cluster={cluster} canAdopt={isAdmin} blockedReason={blockedReason} onAdopted={setAdopted} />;
  return (
    <div className="space-y-4">
      {adopted ? <AdoptionReport report={adopted} saved onDismiss={() => setAdopted(null)} /> : null}
      <ManifestWorkspace cluster={cluster} initial={manifest.data} isAdmin={isAdmin} blockedReason={blockedReason} />
    </div>
  );
}

function ManifestWorkspace({ cluster, initial, isAdmin, blockedReason }: { cluster: string; initial: ManifestResponse; isAdmin: boolean; blockedReason: string | null }) {
  const queryClient = useQueryClient();
  const [tab, setTab] = useState<Tab>("manifest");
  const [plain, setPlain] = usePlainEditor();
  const [opening] = useState(() => openingText(initial, readManifestDraft(cluster)));
  const [text, setText] = useState(opening.text);
  const [base, setBase] = useState({ text: initial.yaml, revision: initial.revision });
  const [replaced, setReplaced] = useState(0);
  const [notice, setNotice] = useState<string | null>(opening.notice);
  const [planned, setPlanned] = useState<{ plan: PlanResponse; text: string } | null>(null);
  const editor = useRef<ManifestEditorHandle | null>(null);
  const onReady = useCallback((h: ManifestEditorHandle | null) => {
    editor.current = h;
  }, []);

  const validation = useManifestValidation(cluster, text);
  const deferred = useDeferredValue(text);
  // While the text does not parse (mid-edit), the picker keeps the last list it could read.
  const [lastNodes, setLastNodes] = useState<{ text: string; nodes: ListedNode[] }>(() => ({ text: initial.yaml, nodes: manifestNodes(initial.yaml) ?? [] }));
  const listed = useMemo(() => manifestNodes(deferred), [deferred]);
  if (listed && lastNodes.text !== deferred) setLastNodes({ text: deferred, nodes: listed });
  const nodes = listed ?? lastNodes.nodes;
  const drift = useQuery(clusterDriftQueryOptions(cluster));
  const dirty = text !== base.text;
  useEffect(() => writeManifestDraft(cluster, dirty ? { text, baseRevision: base.revision } : null), [cluster, dirty, text, base.revision]);

  function replaceText(next: string) {
    setText(next);
    setReplaced((n) => n + 1);
  }

  const refreshAfterWrite = () => Promise.all([queryClient.invalidateQueries({ queryKey: manifestKeys.revisions(cluster) }), queryClient.invalidateQueries({ queryKey: manifestKeys.drift(cluster) })]);

  async function reloadLatest() {
    const latest = await queryClient.fetchQuery({ ...manifestQueryOptions(cluster), staleTime: 0 });
    if (!latest) return;
    setBase({ text: latest.yaml, revision: latest.revision });
    replaceText(latest.yaml);
    save.reset();
    setNotice(null);
  }

  const save = useMutation({
    mutationFn: () => saveManifest(cluster, { yaml: text, baseRevision: base.revision }),
    onMutate: () => setNotice(null),
    onSuccess: (r, _v) => {
      setBase({ text, revision: r.revision });
      queryClient.setQueryData(manifestKeys.manifest(cluster), { yaml: text, revision: r.revision });
      setNotice(`Saved as revision #${r.revision}. Nothing is applied to the nodes until you plan and apply.`);
      void refreshAfterWrite();
    },
  });
  const conflict = save.error instanceof ApiError && save.error.code === "conflict";

  const plan = useMutation({
    mutationFn: (yaml: string) => planManifest(cluster, { yaml }).then((p) => ({ plan: p, text: yaml })),
    onMutate: () => {
      apply.reset();
      setPlanned(null);
    },
    onSuccess: setPlanned,
  });
  const apply = useMutation({
    mutationFn: (planId: string) => applyManifestPlan(cluster, { planId }),
    onSuccess: async () => {
      await reloadLatest();
      void refreshAfterWrite();
    },
  });

  // After an apply, follow its rollout; once it ends, drift and previews are read again.
  const rolloutId = apply.data?.rolloutId ?? null;
  const rollout = useQuery({ ...rolloutQueryOptions(rolloutId ?? "-"), enabled: rolloutId !== null });
  const rolloutState = rollout.data?.state ?? null;
  const rolloutMoving = rolloutState === "running" || rolloutState === "preflight" || rolloutState === "paused";
  useEffect(() => {
    if (rolloutState && rolloutState !== "running" && rolloutState !== "preflight" && rolloutState !== "paused") {
      void queryClient.invalidateQueries({ queryKey: manifestKeys.drift(cluster) });
      void queryClient.invalidateQueries({ queryKey: [...manifestKeys.cluster(cluster), "render"] });
    }
  }, [rolloutState, queryClient, cluster]);

  const errors = validation.issues.filter((i) => i.severity === "error").length;
  const counts = drift.data ? driftCounts(drift.data.nodes) : null;

  return (
    <div className="space-y-4">
      <Card className="flex flex-wrap items-center gap-x-6 gap-y-2 px-4 py-3 text-sm">
        <span>
          <span className="text-fg-muted">Manifest</span> <span className="font-semibold">revision #{base.revision}</span>
        </span>
        <span>
          <span className="text-fg-muted">Nodes</span> <span className="font-semibold">{nodes.length}</span>
        </span>
        <button type="button" className="flex items-center gap-2 text-left hover:underline" onClick={() => setTab("drift")} aria-label="Drift summary: open the drift tab">
          <span className="text-fg-muted">Drift</span>
          {counts ? (
            <span data-testid="drift-summary" className={counts.drifted + counts.unreachable + counts.missing > 0 ? "font-semibold text-warn" : "font-semibold text-ok"}>
              {counts["in-sync"]} in sync
              {counts.drifted ? `, ${counts.drifted} drifted` : ""}
              {counts.unreachable ? `, ${counts.unreachable} unreachable` : ""}
              {counts.missing ? `, ${counts.missing} missing` : ""}
              {counts["not-in-manifest"] ? `, ${counts["not-in-manifest"]} not in the manifest` : ""}
            </span>
          ) : drift.isError ? (
            <span className="text-danger">cannot check</span>
          ) : (
            <span className="text-fg-muted">checking…</span>
          )}
        </button>
        {rolloutId && rolloutState ? (
          <Link href={`/config/rollouts/${encodeURIComponent(rolloutId)}`} className="flex items-center gap-1 hover:underline">
            <span className="text-fg-muted">Rollout</span>
            <span className={`font-semibold ${rolloutMoving ? "text-info" : rolloutState === "done" ? "text-ok" : "text-danger"}`}>
              {ROLLOUT_STATE[rolloutState].label}
              {rolloutMoving ? ` (${rollout.data!.nodes.filter((n) => n.state === "done").length} of ${rollout.data!.nodes.length} done; drift settles when it ends)` : ""}
            </span>
          </Link>
        ) : null}
        {!isAdmin ? (
          <Badge tone="info" title="Only admins edit, plan and apply manifests; secrets inside patches read ******.">
            <Lock aria-hidden className="size-3" /> Read-only, secrets redacted
          </Badge>
        ) : null}
        {isAdmin ? (
          <span className="ml-auto">
            <SecretsExport cluster={cluster} />
          </span>
        ) : null}
      </Card>

      <nav role="tablist" aria-label="Cluster manifest" className="flex gap-1 border-b border-border">
        {(
          [
            { id: "manifest", label: "Manifest", icon: FileCode2 },
            { id: "history", label: "History", icon: History },
            { id: "drift", label: "Drift", icon: Radar },
          ] as const
        ).map((t) => (
          <button
            key={t.id}
            type="button"
            role="tab"
            aria-selected={tab === t.id}
            onClick={() => setTab(t.id)}
            className={`-mb-px flex items-center gap-2 border-b-2 px-3 py-2 text-sm font-medium ${tab === t.id ? "border-accent text-fg" : "border-transparent text-fg-muted hover:text-fg"}`}
          >
            <t.icon aria-hidden className="size-4" /> {t.label}
          </button>
        ))}
      </nav>

      {tab === "history" ? (
        <HistoryView
          cluster={cluster}
          canRestore={isAdmin}
          onRestore={(yaml, revision) => {
            replaceText(yaml);
            setPlanned(null);
            setNotice(`Revision #${revision} is loaded into the editor. Plan and apply it to put it back on the nodes, or Save it as the latest revision.`);
            setTab("manifest");
          }}
        />
      ) : null}
      {tab === "drift" ? <DriftView cluster={cluster} /> : null}

      <div hidden={tab !== "manifest"} className="space-y-4">
        {notice ? (
          <p role="status" className="rounded-md border border-info/30 bg-info/10 px-3 py-2 text-sm text-info">
            {notice}
          </p>
        ) : null}
        {conflict ? (
          <div role="alert" className="flex flex-wrap items-center gap-3 rounded-md border border-danger/30 bg-danger/10 px-3 py-2 text-sm text-danger">
            <CircleAlert aria-hidden className="size-4" />
            Someone saved a newer revision of this manifest since you opened it. Reload it (your edits here are replaced), then redo them.
            <Button size="sm" onClick={() => void reloadLatest()}>
              <RotateCw aria-hidden className="size-4" /> Reload the latest revision
            </Button>
          </div>
        ) : save.error ? (
          <p role="alert" className="rounded-md border border-danger/30 bg-danger/10 px-3 py-2 text-sm text-danger">
            Could not save: {save.error.message}
          </p>
        ) : null}

        <Card className="overflow-hidden">
          <div className="flex flex-wrap items-center gap-2 border-b border-border px-3 py-2">
            <h2 className="flex items-center gap-2 text-sm font-semibold">
              <FileCode2 aria-hidden className="size-4 text-fg-muted" /> Manifest of {cluster}
            </h2>
            {dirty ? (
              <Badge tone="warn" title="The text differs from the saved revision: save it, or plan and apply it.">
                <PencilLine aria-hidden className="size-3" /> Edited, not saved
              </Badge>
            ) : null}
            <div className="ml-auto flex flex-wrap items-center gap-2">
              <Button size="sm" variant="ghost" aria-pressed={plain} onClick={() => setPlain(!plain)} title="A plain text box, for screen readers and simple browsers">
                <Type aria-hidden className="size-4" /> Plain text
              </Button>
              {isAdmin ? (
                <>
                  {dirty ? (
                    <Button size="sm" variant="ghost" onClick={() => replaceText(base.text)} title={`Go back to revision #${base.revision}`}>
                      <Undo2 aria-hidden className="size-4" /> Discard edits
                    </Button>
                  ) : null}
                  <Button size="sm" onClick={() => save.mutate()} disabled={!dirty || save.isPending || errors > 0} title={errors > 0 ? "Fix the problems first" : "Save as a new revision without applying"}>
                    <Save aria-hidden className="size-4" /> {save.isPending ? "Saving…" : "Save"}
                  </Button>
                  <Button
                    size="sm"
                    variant="primary"
                    onClick={() => plan.mutate(text)}
                    disabled={plan.isPending || blockedReason !== null}
                    title={blockedReason ?? "Ask every node what it would do with its render (dry run); nothing is applied"}
                  >
                    <ClipboardList aria-hidden className="size-4" /> {plan.isPending ? "Asking every node…" : "Plan"}
                  </Button>
                </>
              ) : null}
            </div>
          </div>
          <div className="grid lg:grid-cols-[minmax(0,3fr)_minmax(0,2fr)]">
            <div className="h-[62vh] min-h-80 border-border lg:border-r">
              {plain ? (
                <PlainManifestEditor value={text} onChange={setText} readOnly={!isAdmin} onReady={onReady} label={`Manifest of ${cluster}`} />
              ) : (
                <ManifestEditor
                  cluster={cluster}
                  value={text}
                  revision={replaced}
                  onChange={setText}
                  readOnly={!isAdmin}
                  serverIssues={validation.server?.issues ?? null}
                  localIssues={validation.server?.text === text ? [] : validation.local}
                  onReady={onReady}
                  label={`Manifest of ${cluster}`}
                />
              )}
            </div>
            <div className="h-[62vh] min-h-80 border-t border-border lg:border-t-0">
              <NodePanel
                cluster={cluster}
                yaml={validation.lastValid ?? validation.server?.text ?? null}
                nodes={nodes}
                outdated={validation.lastValid !== null && validation.server?.text === text && !validation.server.valid}
              />
            </div>
          </div>
          <div role="status" aria-label="Manifest check" className="flex flex-wrap items-center gap-3 border-t border-border bg-surface-muted px-3 py-1.5 text-xs">
            {validation.error ? (
              <span className="text-danger">Cannot check every node: {validation.error}</span>
            ) : validation.pending ? (
              <span className="text-fg-muted">Checking the manifest and every node&apos;s render…</span>
            ) : errors > 0 ? (
              <span className="font-medium text-danger">
                {errors} problem{errors === 1 ? "" : "s"}
              </span>
            ) : (
              <span className="flex items-center gap-1 font-medium text-ok">
                <CheckCheck aria-hidden className="size-3.5" /> Valid: every node renders and passes Talos&apos;s checks
              </span>
            )}
            <span className="ml-auto text-fg-muted">Inside a patch: Ctrl+Space completes Talos fields; hover a field for its docs.</span>
          </div>
        </Card>

        <ProblemsList issues={validation.issues} onSelect={(i) => editor.current?.revealLine(i.line, i.column)} />

        {plan.error ? (
          <p role="alert" className="rounded-md border border-danger/30 bg-danger/10 px-3 py-2 text-sm text-danger">
            Could not plan: {plan.error.message}
          </p>
        ) : null}
        {plan.isPending ? (
          <p role="status" className="flex items-center gap-2 rounded-lg border border-border bg-surface px-4 py-3 text-sm text-fg-muted">
            <LoaderCircle aria-hidden className="size-4 animate-spin" /> Rendering every node and asking each for a dry run of its config…
          </p>
        ) : null}
        {planned ? (
          <PlanView
            plan={planned.plan}
            changedSince={planned.text !== text}
            canApply={isAdmin}
            applying={apply.isPending}
            applyError={apply.error ? apply.error.message : null}
            applied={apply.data ?? null}
            onApply={() => apply.mutate(planned.plan.planId)}
          />
        ) : null}
      </div>
    </div>
  );
}
