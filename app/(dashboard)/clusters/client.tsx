"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Boxes } from "lucide-react";
import { useRouter } from "next/navigation";
import { useState } from "react";

import { useControlAccess } from "@/components/auth/use-availability";
import { ClusterTable } from "@/components/clusters/cluster-table";
import { UploadForm } from "@/components/clusters/upload-form";
import { QueryError } from "@/components/fleet/query-error";
import { KubernetesAccessSection } from "@/components/kubernetes/kubernetes-access";
import { Card } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/empty-state";
import { Skeleton } from "@/components/ui/skeleton";
import { clustersQueryOptions, removeUploadedTalosconfig, uploadTalosconfig } from "@/lib/client/clusters";
import { fleetKeys, nodesQueryOptions } from "@/lib/client/fleet";
import type { Cluster } from "@/lib/schemas/fleet";

/** The clusters page: the list with each cluster's source and credentials, and the upload form. */
export function ClustersClient() {
  const queryClient = useQueryClient();
  const router = useRouter();
  const clusters = useQuery(clustersQueryOptions);
  const nodes = useQuery(nodesQueryOptions());
  // Adding and removing clusters is an admin's; everyone else sees the list only.
  const manage = !useControlAccess("manageClusters").hidden;
  const [notice, setNotice] = useState<string | null>(null);
  // Remounting the form after an upload clears it: the pasted file holds a private key.
  const [formKey, setFormKey] = useState(0);

  // The header's cluster selector is rendered on the server: refresh it with the lists.
  async function changed(message: string) {
    setNotice(message);
    await Promise.all([queryClient.invalidateQueries({ queryKey: clustersQueryOptions.queryKey }), queryClient.invalidateQueries({ queryKey: fleetKeys.all })]);
    router.refresh();
  }

  const upload = useMutation({
    mutationFn: ({ talosconfig, label }: { talosconfig: string; label: string }) => uploadTalosconfig({ talosconfig, ...(label.trim() ? { label } : {}) }),
    onMutate: () => setNotice(null),
    onSuccess: (r) => {
      setFormKey((k) => k + 1);
      return changed(`Added ${r.clusters.map((c) => c.name).join(", ")}. Minos is polling ${r.clusters.length === 1 ? "its" : "their"} nodes now.`);
    },
  });
  const remove = useMutation({
    mutationFn: (c: Cluster) => removeUploadedTalosconfig(c.uploadId!),
    onMutate: () => setNotice(null),
    onSuccess: (r) => changed(`Removed ${r.removed.join(", ")}. Minos no longer manages ${r.removed.length === 1 ? "it" : "them"}.`),
  });

  const kubeStatus = Object.fromEntries((nodes.data?.clusters ?? []).map((c) => [c.name, c.kubernetes]));
  const nodeCounts = nodes.data ? Object.fromEntries(nodes.data.clusters.map((c) => [c.name, c.nodes.total])) : undefined;

  return (
    <div className="space-y-6">
      {notice ? (
        <p role="status" className="rounded-md border border-ok/30 bg-ok/10 px-3 py-2 text-sm text-ok">
          {notice}
        </p>
      ) : null}
      {remove.error ? (
        <p role="alert" className="rounded-md border border-danger/30 bg-danger/10 px-3 py-2 text-sm text-danger">
          Could not remove the cluster: {remove.error.message}
        </p>
      ) : null}

      <section aria-labelledby="cluster-list-heading" className="space-y-3">
        <h2 id="cluster-list-heading" className="text-base font-semibold">
          Managed clusters
        </h2>
        {clusters.isPending ? (
          <Skeleton className="h-32 w-full" />
        ) : clusters.isError ? (
          <QueryError what="the clusters" error={clusters.error} retry={() => void clusters.refetch()} />
        ) : clusters.data.clusters.length === 0 ? (
          <EmptyState icon={Boxes} title="No clusters yet">
            {clusters.data.error ?? "Upload a talosconfig below, or point TALOSCONFIG at one and restart Minos."}
          </EmptyState>
        ) : (
          <Card className="overflow-x-auto p-0">
            <ClusterTable clusters={clusters.data.clusters} nodeCounts={nodeCounts} now={new Date()} removing={remove.isPending ? (remove.variables?.uploadId ?? null) : null} onRemove={manage ? (c) => remove.mutate(c) : undefined} />
          </Card>
        )}
      </section>

      {clusters.data && clusters.data.clusters.length > 0 ? (
        <section id="kubernetes-access" aria-labelledby="kubernetes-access-heading" className="space-y-3">
          <h2 id="kubernetes-access-heading" className="text-base font-semibold">
            Kubernetes access
          </h2>
          <p className="text-sm text-fg-muted">
            Minos asks a control plane for an admin kubeconfig when the cluster&apos;s talosconfig is os:admin; otherwise upload one to see Kubernetes status and drain nodes.
          </p>
          <KubernetesAccessSection clusters={clusters.data.clusters.map((c) => c.name)} status={kubeStatus} manage={manage} />
        </section>
      ) : null}

      {manage ? (
        <section aria-labelledby="upload-heading" className="space-y-3">
          <h2 id="upload-heading" className="text-base font-semibold">
            Add clusters from a talosconfig
          </h2>
          <Card className="p-5">
            <UploadForm
              key={formKey}
              pending={upload.isPending}
              error={upload.error ? upload.error.message : null}
              onSubmit={(talosconfig, label) => upload.mutate({ talosconfig, label })}
            />
          </Card>
        </section>
      ) : null}
    </div>
  );
}
