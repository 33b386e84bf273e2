import { ShieldCheck } from "lucide-react";
import type { Metadata } from "next";

import { TierBadge } from "@/components/certificates/tier-badge";
import { PageHeader } from "@/components/shell/page-header";
import { Card } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/empty-state";
import { certTier, daysLeft } from "@/lib/certs/tiers";
import { listClusters } from "@/lib/server/fleet/clusters";

export const metadata: Metadata = { title: "Certificates" };

export default async function CertificatesPage({ searchParams }: { searchParams: Promise<{ cluster?: string }> }) {
  const { cluster } = await searchParams;
  const { clusters } = await listClusters();
  const now = new Date();
  const rows = clusters
    .filter((c) => !cluster || c.name === cluster)
    .map((c) => {
      const notAfter = new Date(c.credentialsNotAfter);
      return { ...c, notAfter, days: daysLeft(notAfter, now), tier: certTier("leaf", notAfter, now) };
    })
    .sort((a, b) => a.notAfter.getTime() - b.notAfter.getTime());

  return (
    <>
      <PageHeader title="Certificates" description="Expiry of the certificates your fleet depends on, nearest first." />
      {rows.length === 0 ? (
        <EmptyState icon={ShieldCheck} title="No certificates">
          No talosconfig context is loaded, so there are no credentials to inspect.
        </EmptyState>
      ) : (
        <Card className="overflow-x-auto">
          <h2 className="border-b border-border px-4 py-3 text-sm font-semibold">
            Your talosconfig client certificates <span className="font-normal text-fg-muted">· Talos does not renew these</span>
          </h2>
          <table className="w-full text-left text-sm">
            <thead className="border-b border-border text-xs uppercase tracking-wide text-fg-muted">
              <tr>
                <th scope="col" className="px-4 py-3 font-medium">Cluster</th>
                <th scope="col" className="px-4 py-3 font-medium">Roles</th>
                <th scope="col" className="px-4 py-3 font-medium">Expires</th>
                <th scope="col" className="px-4 py-3 font-medium">Days left</th>
                <th scope="col" className="px-4 py-3 font-medium">Tier</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr key={r.name} className="border-b border-border last:border-0">
                  <td className="px-4 py-2">{r.name}</td>
                  <td className="px-4 py-2 font-mono text-xs">{r.roles.join(", ") || "none"}</td>
                  <td className="px-4 py-2">
                    <time dateTime={r.credentialsNotAfter}>{r.notAfter.toISOString().slice(0, 16).replace("T", " ")} UTC</time>
                  </td>
                  <td className="px-4 py-2 tabular-nums">{r.days < 0 ? "expired" : r.days}</td>
                  <td className="px-4 py-2">
                    <TierBadge tier={r.tier} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <p className="border-t border-border px-4 py-3 text-xs text-fg-muted">
            Renew with <code className="font-mono">talosctl config new</code> against a control plane before the expiry. Node and CA
            certificates join this list with the fleet poller.
          </p>
        </Card>
      )}
    </>
  );
}
