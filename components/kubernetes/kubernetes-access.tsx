"use client";

import { useMutation, useQueries, useQueryClient } from "@tanstack/react-query";
import { CircleCheck, CircleHelp, CircleX, KeyRound, TriangleAlert } from "lucide-react";
import { useState } from "react";

import { RelativeTime } from "@/components/ui/relative-time";
import { KubeconfigForm } from "@/components/kubernetes/kubeconfig-form";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { Table, TableBody, TableCell, TableHead, TableHeaderCell, TableRow } from "@/components/ui/table";
import { fleetKeys } from "@/lib/client/fleet";
import { kubeconfigInfoQueryOptions, kubernetesKeys, removeKubeconfig, uploadKubeconfig } from "@/lib/client/kubernetes";
import type { ClusterKubernetes, KubeconfigInfo, KubernetesAccess } from "@/lib/schemas/kubernetes";

const accessLook: Record<
  KubernetesAccess,
  {
    label: string;
    tone: "ok" | "warn" | "danger" | "neutral";
    icon: typeof CircleCheck;
  }
> = {
  ok: { label: "Reachable", tone: "ok", icon: CircleCheck },
  "no-credentials": {
    label: "No credentials",
    tone: "warn",
    icon: TriangleAlert,
  },
  unreachable: { label: "Unreachable", tone: "danger", icon: CircleX },
  unknown: { label: "Not checked yet", tone: "neutral", icon: CircleHelp },
};

function AccessBadge({ access }: { access: KubernetesAccess }) {
  const { label, tone, icon: Icon } = accessLook[access];
  return (
    <Badge tone={tone}>
      <Icon aria-hidden className="size-3" />
      {label}
    </Badge>
  );
}

function Source({ info }: { info: KubeconfigInfo }) {
  if (info.source === "upload") {
    return (
      <span>
        Uploaded{info.uploadedBy ? ` by ${info.uploadedBy}` : ""}
        {info.uploadedAt ? (
          <>
            {" "}
            <RelativeTime iso={info.uploadedAt} />
          </>
        ) : null}
      </span>
    );
  }
  if (info.source === "talos") return <span>From Talos (Kubeconfig on a control plane)</span>;
  return <span className="text-fg-muted">None</span>;
}

/**
 * Each cluster's Kubernetes access: where the kubeconfig comes from (Talos, when the talosconfig
 * is os:admin, or an upload) and whether the API answers. Admins upload or remove kubeconfigs.
 */
export function KubernetesAccessSection({
  clusters,
  status,
  manage,
}: {
  clusters: readonly string[];
  /** Each cluster's live Kubernetes roll-up (GET /api/nodes), shown while its kubeconfig info loads. */
  status: Readonly<Record<string, ClusterKubernetes | undefined>>;
  manage: boolean;
}) {
  const queryClient = useQueryClient();
  const infos = useQueries({
    queries: clusters.map((c) => kubeconfigInfoQueryOptions(c)),
  });
  const [uploading, setUploading] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  async function changed(cluster: string, message: string) {
    setNotice(message);
    await Promise.all([
      queryClient.invalidateQueries({
        queryKey: kubernetesKeys.kubeconfig(cluster),
      }),
      queryClient.invalidateQueries({ queryKey: fleetKeys.all }),
    ]);
  }
  const upload = useMutation({
    mutationFn: ({ cluster, kubeconfig }: { cluster: string; kubeconfig: string }) => uploadKubeconfig(cluster, kubeconfig),
    onMutate: () => setNotice(null),
    onSuccess: (info) => {
      setUploading(null);
      return changed(info.cluster, `Minos uses the uploaded kubeconfig for ${info.cluster} now${info.server ? ` (${info.server})` : ""}.`);
    },
  });
  const remove = useMutation({
    mutationFn: (cluster: string) => removeKubeconfig(cluster),
    onMutate: () => setNotice(null),
    onSuccess: (info) => changed(info.cluster, `Removed the uploaded kubeconfig of ${info.cluster}; Minos asks Talos for one again.`),
  });

  return (
    <div className="space-y-3">
      {notice ? (
        <p role="status" className="rounded-md border border-ok/30 bg-ok/10 px-3 py-2 text-sm text-ok">
          {notice}
        </p>
      ) : null}
      {remove.error ? (
        <p role="alert" className="rounded-md border border-danger/30 bg-danger/10 px-3 py-2 text-sm text-danger">
          Could not remove the kubeconfig: {remove.error.message}
        </p>
      ) : null}
      <Card className="overflow-x-auto p-0">
        <Table aria-label="Kubernetes access">
          <TableHead>
            <TableRow>
              <TableHeaderCell>Cluster</TableHeaderCell>
              <TableHeaderCell>Access</TableHeaderCell>
              <TableHeaderCell>Kubeconfig</TableHeaderCell>
              <TableHeaderCell>API server</TableHeaderCell>
              <TableHeaderCell>
                <span className="sr-only">Actions</span>
              </TableHeaderCell>
            </TableRow>
          </TableHead>
          <TableBody>
            {clusters.map((cluster, i) => {
              const q = infos[i]!;
              const info = q.data;
              // The live roll-up first (it follows every poll), the info's answer when there is no roll-up.
              const live = status[cluster];
              const access = live?.access ?? info?.access;
              const message = live ? live.message : (info?.message ?? null);
              return (
                <TableRow key={cluster} aria-label={`Kubernetes access of ${cluster}`}>
                  <TableCell className="whitespace-nowrap font-medium">{cluster}</TableCell>
                  <TableCell>
                    {access ? <AccessBadge access={access} /> : <span className="text-fg-muted">–</span>}
                    {message ? <span className="mt-1 block max-w-md text-xs text-fg-muted">{message}</span> : null}
                  </TableCell>
                  {q.isError ? (
                    <TableCell colSpan={2} className="text-sm text-danger">
                      Could not read the kubeconfig info: {q.error.message}
                    </TableCell>
                  ) : (
                    <>
                      <TableCell className="text-sm">{info ? <Source info={info} /> : <span className="text-fg-muted">…</span>}</TableCell>
                      <TableCell className="font-mono text-xs">{info?.server ?? <span className="text-fg-muted">–</span>}</TableCell>
                    </>
                  )}
                  <TableCell className="text-right">
                    {manage ? (
                      <div className="flex items-center justify-end gap-2">
                        <Button size="sm" onClick={() => setUploading(uploading === cluster ? null : cluster)} aria-expanded={uploading === cluster}>
                          <KeyRound aria-hidden className="size-4" />
                          {info?.source === "upload" ? "Replace kubeconfig" : "Upload kubeconfig"}
                        </Button>
                        {info?.source === "upload" ? (
                          <Button
                            size="sm"
                            variant="ghost"
                            disabled={remove.isPending}
                            onClick={() => remove.mutate(cluster)}
                            aria-label={`Remove the uploaded kubeconfig of ${cluster}`}
                          >
                            Remove
                          </Button>
                        ) : null}
                      </div>
                    ) : null}
                  </TableCell>
                </TableRow>
              );
            })}
          </TableBody>
        </Table>
      </Card>
      {manage && uploading ? (
        <Card className="p-5">
          <KubeconfigForm
            key={uploading}
            cluster={uploading}
            pending={upload.isPending}
            error={upload.error && upload.variables?.cluster === uploading ? upload.error.message : null}
            onSubmit={(kubeconfig) => upload.mutate({ cluster: uploading, kubeconfig })}
            onCancel={() => setUploading(null)}
          />
        </Card>
      ) : null}
    </div>
  );
}
