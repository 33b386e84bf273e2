import { CircleX, Eye, ShieldCheck } from "lucide-react";

import { Card } from "@/components/ui/card";
import type { CertClusterScan, CertScanError } from "@/lib/schemas/certs";

const SOURCE_LABEL: Record<CertScanError["source"], string> = {
  talosconfig: "talosconfig",
  "machine-config": "machine config",
  "tls-handshake": "TLS handshake (apid certificate)",
  secrets: "secrets (etcd/Kubernetes leaves)",
};

function leafSecretsText(scan: CertClusterScan): string {
  switch (scan.leafSecrets) {
    case "served":
      return "etcd and kube-apiserver leaf certificates read from the control planes' secrets.";
    case "none":
      return "The control planes returned no EtcdSecrets or KubernetesDynamicCerts, so etcd and kube-apiserver leaves are not listed. (Minos's simulated fleet serves them as empty lists unless it runs with --leaf-secrets.)";
    case "failed":
      return "Reading the machine configs or secrets failed (see below), so some CAs and leaves may be missing.";
    case "forbidden":
      return `These credentials (${scan.roles.join(", ") || "no role"}) cannot read machine configs or secrets, which need os:admin: the cluster CAs and the etcd and kube-apiserver leaves are not listed. Your client certificate, the Talos CA in your talosconfig and every node's apid certificate are.`;
  }
}

/** What each cluster's credentials let Minos see. */
export function ClusterCoverage({ clusters }: { clusters: CertClusterScan[] }) {
  if (clusters.length === 0) return null;
  return (
    <ul aria-label="What was scanned" className="space-y-2">
      {clusters.map((c) => {
        const Icon = c.admin ? ShieldCheck : Eye;
        return (
          <li key={c.cluster} className="flex items-start gap-2 text-sm">
            <Icon aria-hidden className="mt-0.5 size-4 shrink-0 text-fg-muted" />
            <span>
              <strong className="font-medium">{c.cluster}</strong>
              <span className="text-fg-muted">
                {" "}
                · {c.admin ? "admin" : "read-only"} credentials · {c.nodesScanned} {c.nodesScanned === 1 ? "node" : "nodes"} scanned.
              </span>{" "}
              <span className="text-fg-muted">{leafSecretsText(c)}</span>
            </span>
          </li>
        );
      })}
    </ul>
  );
}

/** The parts of the scan that failed, per node; the rest of the inventory is still shown. */
export function ScanErrors({ errors }: { errors: CertScanError[] }) {
  if (errors.length === 0) return null;
  const nodes = new Set(errors.map((e) => e.node ?? e.cluster)).size;
  return (
    <Card role="region" aria-label="Scan errors" tone="danger">
      <h2 className="flex items-center gap-2 border-b border-border px-4 py-3 text-sm font-semibold text-danger">
        <CircleX aria-hidden className="size-4" />
        {errors.length} {errors.length === 1 ? "read" : "reads"} failed on {nodes} {nodes === 1 ? "node" : "nodes"}: their certificates may be missing below
      </h2>
      <ul className="divide-y divide-border text-sm">
        {errors.map((e, i) => (
          <li key={i} className="grid gap-1 px-4 py-2 md:grid-cols-[14rem_16rem_1fr]">
            <span className="font-mono text-xs">{e.node ?? `${e.cluster} (cluster)`}</span>
            <span className="text-fg-muted">{SOURCE_LABEL[e.source]}</span>
            <span>
              {e.message} <span className="font-mono text-xs text-fg-muted">({e.code})</span>
            </span>
          </li>
        ))}
      </ul>
    </Card>
  );
}
