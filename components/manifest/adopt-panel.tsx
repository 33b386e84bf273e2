"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { CircleCheck, CircleX, FileStack, LoaderCircle, X } from "lucide-react";

import { Button } from "@/components/ui/button";
import { EmptyState } from "@/components/ui/empty-state";
import { ApiError } from "@/lib/client/api";
import { adoptManifest, manifestKeys } from "@/lib/client/manifests";
import { adoptReportSchema, type AdoptReport } from "@/lib/schemas/manifests";

/** Each node: reproduced exactly by the manifest's render, or why not. */
export function AdoptionReport({ report, saved, onDismiss }: { report: AdoptReport; saved: boolean; onDismiss?: () => void }) {
  const failed = report.nodes.filter((n) => !n.reproduced).length;
  const list = (
    <ul className="mt-3 space-y-1.5 text-sm">
        {report.nodes.map((n) => (
          <li key={n.node} className="flex items-start gap-2">
            {n.reproduced ? <CircleCheck aria-hidden className="mt-0.5 size-4 shrink-0 text-ok" /> : <CircleX aria-hidden className="mt-0.5 size-4 shrink-0 text-danger" />}
            <span>
              <span className="font-mono">{n.hostname ?? n.node}</span> <span className="text-fg-muted">({n.node})</span>
              <span className="sr-only">{n.reproduced ? ": reproduced" : ": not reproduced"}</span>
              {n.reproduced ? <span className="text-fg-muted"> reproduced exactly</span> : null}
              {n.reason ? <span className="block text-danger">{n.reason}</span> : null}
              {n.paths?.length ? <span className="block font-mono text-xs text-fg-muted">differs at: {n.paths.join(", ")}</span> : null}
            </span>
          </li>
        ))}
    </ul>
  );
  return (
    <section aria-label="Adoption report" className={`rounded-lg border p-4 ${saved ? "border-ok/30 bg-ok/5" : "border-danger/30 bg-danger/5"}`}>
      <div className="flex items-start gap-3">
        <h3 className="text-sm font-semibold">
          {saved
            ? `Adopted: the manifest reproduces all ${report.nodes.length} nodes exactly`
            : `Not adopted: ${failed} of ${report.nodes.length} node${report.nodes.length === 1 ? "" : "s"} could not be reproduced. Nothing was saved.`}
        </h3>
        {onDismiss ? (
          <Button size="xs" variant="ghost" className="ml-auto" onClick={onDismiss} aria-label="Dismiss the adoption report">
            <X aria-hidden className="size-4" />
          </Button>
        ) : null}
      </div>
      {/* Every node reproduced: the list is proof, not news, so it stays folded. */}
      {failed === 0 ? (
        <details>
          <summary className="mt-2 cursor-pointer text-xs font-medium text-fg-muted">Each node</summary>
          {list}
        </details>
      ) : (
        list
      )}
    </section>
  );
}

/** Before adoption: what a manifest is, and (for an admin) the button that reads the nodes and writes one. */
export function AdoptPanel({ cluster, canAdopt, blockedReason, onAdopted }: { cluster: string; canAdopt: boolean; blockedReason: string | null; onAdopted: (report: AdoptReport) => void }) {
  const queryClient = useQueryClient();
  const adopt = useMutation({
    mutationFn: () => adoptManifest(cluster),
    onSuccess: (r) => {
      onAdopted(r.report);
      queryClient.setQueryData(manifestKeys.manifest(cluster), { yaml: r.yaml, revision: r.revision });
      void queryClient.invalidateQueries({ queryKey: manifestKeys.cluster(cluster) });
    },
  });
  const failedReport = adopt.error instanceof ApiError ? adoptReportSchema.safeParse((adopt.error.details as { report?: unknown } | undefined)?.report) : null;
  return (
    <div className="space-y-4">
      <EmptyState
        icon={FileStack}
        title="This cluster has no manifest yet"
        action={
          canAdopt ? (
            <Button variant="primary" onClick={() => adopt.mutate()} disabled={adopt.isPending || blockedReason !== null} title={blockedReason ?? undefined}>
              {adopt.isPending ? <LoaderCircle aria-hidden className="size-4 animate-spin" /> : <FileStack aria-hidden className="size-4" />}
              {adopt.isPending ? "Reading every node…" : "Adopt from running nodes"}
            </Button>
          ) : (
            <p className="text-sm text-fg-muted">An admin can adopt it from the running nodes.</p>
          )
        }
      >
        <p>
          A manifest describes the whole cluster in one YAML file: the generation inputs, shared patches chosen by role, hostname or label, and each node
          with its own patch. Minos renders every node&apos;s config from it, plans changes with each node&apos;s dry run and applies them as a rollout.
        </p>
        <p className="mt-2">
          Adopting reads every node&apos;s running config and the cluster&apos;s secrets, and writes a manifest that reproduces each node exactly. If any node
          cannot be reproduced, nothing is saved and the report says why.
        </p>
        {blockedReason ? <p className="mt-2 text-warn">{blockedReason}</p> : null}
      </EmptyState>
      {failedReport?.success ? <AdoptionReport report={failedReport.data} saved={false} /> : null}
      {adopt.error && !failedReport?.success ? (
        <p role="alert" className="rounded-md border border-danger/30 bg-danger/10 px-3 py-2 text-sm text-danger">
          Could not adopt: {adopt.error.message}
        </p>
      ) : null}
    </div>
  );
}
