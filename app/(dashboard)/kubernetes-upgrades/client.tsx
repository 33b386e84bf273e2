"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState } from "react";

import { KubeUpgradeForm } from "@/components/kubernetes-upgrades/kube-upgrade-form";
import { KubeUpgradeHistory } from "@/components/kubernetes-upgrades/kube-upgrade-history";
import { KubeUpgradePreview } from "@/components/kubernetes-upgrades/kube-upgrade-preview";
import { Card } from "@/components/ui/card";
import { ApiError } from "@/lib/client/api";
import { isLiveKubernetesUpgrade, kubernetesUpgradeKeys, kubernetesUpgradeListQueryOptions, previewKubernetesUpgrade, startKubernetesUpgrade } from "@/lib/client/kubernetes-upgrades";
import { useEventStream } from "@/lib/client/use-event-stream";
import type { KubernetesUpgradePreview, KubernetesUpgradeRequest } from "@/lib/schemas/kubernetes-upgrades";

const errorText = (e: unknown) => (e instanceof ApiError ? e.message : "The request failed.");

/** The Kubernetes upgrades page: the form, the preview with its checks and steps, and the history. */
export function KubernetesUpgradesClient({ clusters, defaultCluster, currentVersions }: { clusters: string[]; defaultCluster?: string; currentVersions?: Record<string, string | null> }) {
  const router = useRouter();
  const queryClient = useQueryClient();
  useEventStream();
  const history = useQuery(kubernetesUpgradeListQueryOptions());
  const [request, setRequest] = useState<KubernetesUpgradeRequest | null>(null);
  const [preview, setPreview] = useState<KubernetesUpgradePreview | null>(null);
  const plan = useMutation({ mutationFn: previewKubernetesUpgrade, onSuccess: (p) => setPreview(p) });
  const start = useMutation({
    mutationFn: startKubernetesUpgrade,
    onSuccess: (p) => {
      void queryClient.invalidateQueries({ queryKey: kubernetesUpgradeKeys.all });
      router.push(`/kubernetes-upgrades/${p.id}`);
    },
  });
  const live = history.data?.plans.find(isLiveKubernetesUpgrade);
  return (
    <div className="space-y-8">
      <section aria-labelledby="new-kube-upgrade" className="space-y-4">
        <h2 id="new-kube-upgrade" className="text-lg font-semibold">
          New Kubernetes upgrade
        </h2>
        {live ? (
          <p role="status" className="rounded-md border border-info/30 bg-info/10 px-3 py-2 text-sm text-info">
            Kubernetes of {live.cluster} is being upgraded to {live.toVersion} ({Math.round(live.progress.percent)}%).{" "}
            <Link href={`/kubernetes-upgrades/${live.id}`} className="underline">
              Watch it
            </Link>
          </p>
        ) : null}
        <Card className="p-5">
          <KubeUpgradeForm
            clusters={clusters}
            defaultCluster={defaultCluster}
            currentVersions={currentVersions}
            busy={plan.isPending}
            onChange={() => {
              setPreview(null);
              plan.reset();
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
        {preview && request ? <KubeUpgradePreview preview={preview} starting={start.isPending} onStart={() => start.mutate(request)} /> : null}
        {start.error ? (
          <p role="alert" className="text-sm text-danger">
            {errorText(start.error)}
          </p>
        ) : null}
      </section>
      <section aria-labelledby="kube-history" className="space-y-4">
        <h2 id="kube-history" className="text-lg font-semibold">
          History
        </h2>
        {history.data ? <KubeUpgradeHistory plans={history.data.plans} /> : history.error ? <p role="alert" className="text-sm text-danger">{errorText(history.error)}</p> : null}
      </section>
    </div>
  );
}
