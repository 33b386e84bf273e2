"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState } from "react";

import { PlanPreview } from "@/components/upgrades/plan-preview";
import { UpgradeForm, type FormCluster } from "@/components/upgrades/upgrade-form";
import { UpgradeHistory } from "@/components/upgrades/upgrade-history";
import { Card } from "@/components/ui/card";
import { ApiError } from "@/lib/client/api";
import { previewUpgrade, startUpgrade, upgradeKeys, upgradeListQueryOptions } from "@/lib/client/upgrades";
import { useEventStream } from "@/lib/client/use-event-stream";
import type { UpgradePreview, UpgradeRequest } from "@/lib/schemas/upgrades";

function errorText(e: unknown): string {
  return e instanceof ApiError ? e.message : "The request failed.";
}

/** The Upgrades page: the form, the dry-run preview, and the history. */
export function UpgradesClient({ clusters, defaultCluster }: { clusters: FormCluster[]; defaultCluster?: string }) {
  const router = useRouter();
  const queryClient = useQueryClient();
  useEventStream();
  const history = useQuery(upgradeListQueryOptions());
  const [request, setRequest] = useState<UpgradeRequest | null>(null);
  const [preview, setPreview] = useState<UpgradePreview | null>(null);

  const plan = useMutation({
    mutationFn: previewUpgrade,
    onSuccess: (p) => setPreview(p),
  });
  const start = useMutation({
    mutationFn: startUpgrade,
    onSuccess: (p) => {
      void queryClient.invalidateQueries({ queryKey: upgradeKeys.all });
      router.push(`/upgrades/${p.id}`);
    },
  });
  const live = history.data?.plans.find((p) => ["pending", "running", "paused", "cancelling"].includes(p.state));

  return (
    <div className="space-y-8">
      <section aria-labelledby="new-upgrade" className="space-y-4">
        <h2 id="new-upgrade" className="text-lg font-semibold">
          New upgrade
        </h2>
        {live ? (
          <p role="status" className="rounded-md border border-info/30 bg-info/10 px-3 py-2 text-sm text-info">
            {live.cluster} is being upgraded to {live.targetVersion} ({live.progress.done}/{live.progress.total}).{" "}
            <Link href={`/upgrades/${live.id}`} className="underline">
              Watch it
            </Link>
          </p>
        ) : null}
        <Card className="p-5">
          <UpgradeForm
            clusters={clusters}
            defaultCluster={defaultCluster}
            busy={plan.isPending}
            onChange={() => {
              setPreview(null);
              start.reset();
            }}
            onPreview={(r) => {
              setRequest(r);
              start.reset();
              plan.mutate(r);
            }}
          />
        </Card>
        {plan.error ? (
          <p role="alert" className="text-sm text-danger">
            {errorText(plan.error)}
          </p>
        ) : null}
        {preview && request ? <PlanPreview preview={preview} starting={start.isPending} onStart={() => start.mutate(request)} /> : null}
        {start.error ? (
          <p role="alert" className="text-sm text-danger">
            {errorText(start.error)}
          </p>
        ) : null}
      </section>

      <section aria-labelledby="history" className="space-y-4">
        <h2 id="history" className="text-lg font-semibold">
          History
        </h2>
        {history.data ? <UpgradeHistory plans={history.data.plans} /> : history.error ? <p role="alert" className="text-sm text-danger">{errorText(history.error)}</p> : null}
      </section>
    </div>
  );
}
