"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { AlertTriangle, OctagonAlert, RotateCw, ShieldCheck, SlidersHorizontal } from "lucide-react";
import { usePathname, useRouter, useSearchParams } from "next/navigation";

import { CertTable } from "@/components/certificates/cert-table";
import { CertTimeline } from "@/components/certificates/cert-timeline";
import { ClusterCoverage, ScanErrors } from "@/components/certificates/scan-status";
import { TierSummary } from "@/components/certificates/tier-summary";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/empty-state";
import { Skeleton } from "@/components/ui/skeleton";
import { certificatesQueryOptions, certKeys, rescanCertificates } from "@/lib/client/certs";
import { certName, filterCertificates, formatTimeLeft, formatUtc, parseCertFilters, tierCounts, type CertFilters } from "@/lib/certs/view";
import { ApiError } from "@/lib/client/api";
import type { Certificate, CertificatesResponse, CertTier } from "@/lib/schemas/certs";

const TIER_LABEL: Record<CertTier, string> = { critical: "Critical", warning: "Warning", notice: "Notice", ok: "OK" };

const selectClass = "h-8 rounded-md border border-border bg-surface px-2 text-sm text-fg";

/** Kind and tier; the cluster comes from the header's selector (the same `?cluster=` parameter). */
function Filters({ filters, set }: { filters: CertFilters; set: (name: keyof CertFilters, value: string | null) => void }) {
  return (
    <div role="search" aria-label="Filter certificates" className="flex flex-wrap items-center gap-3 text-sm">
      <SlidersHorizontal aria-hidden className="size-4 text-fg-muted" />
      <label className="flex items-center gap-2">
        <span className="text-fg-muted">Kind</span>
        <select className={selectClass} value={filters.kind ?? ""} onChange={(e) => set("kind", e.target.value || null)}>
          <option value="">All</option>
          <option value="client">Your credentials (client)</option>
          <option value="ca">CAs</option>
          <option value="leaf">Node leaves</option>
        </select>
      </label>
      <label className="flex items-center gap-2">
        <span className="text-fg-muted">Tier</span>
        <select className={selectClass} value={filters.tier ?? ""} onChange={(e) => set("tier", e.target.value || null)}>
          <option value="">All</option>
          <option value="critical">Critical</option>
          <option value="warning">Warning</option>
          <option value="notice">Notice</option>
          <option value="ok">OK</option>
        </select>
      </label>
    </div>
  );
}

/** The one line an operator reads first: the most urgent certificate, or that all is well. */
function Headline({ data, asOf }: { data: CertificatesResponse["certificates"]; asOf: Date }) {
  const first = data[0];
  if (!first) return null;
  if (first.tier === "ok") {
    return (
      <p role="status" className="flex items-center gap-2 rounded-lg border border-ok/30 bg-ok/10 px-4 py-3 text-sm text-ok">
        <ShieldCheck aria-hidden className="size-4 shrink-0" />
        All {data.length} certificates are fine. The nearest operator renewal:{" "}
        {(() => {
          const mine = data.find((c) => c.renewedBy === "operator");
          return mine ? `${mine.purpose} (${mine.cluster}), ${formatTimeLeft(mine.notAfter, asOf)}.` : "none.";
        })()}
      </p>
    );
  }
  const urgent = data.filter((c) => c.tier === first.tier).length;
  // Talos-rotated certificates often lead the list; what the operator must renew comes next.
  const yours = data.find((c) => c.renewedBy === "operator" && c.tier !== "ok");
  const Icon = first.tier === "critical" ? OctagonAlert : AlertTriangle;
  const tone = first.tier === "critical" ? "border-danger/40 bg-danger/10 text-danger" : first.tier === "warning" ? "border-warn/40 bg-warn/10 text-warn" : "border-info/30 bg-info/10 text-info";
  const label = (c: Certificate) => `${c.purpose} (${certName(c)}, ${c.cluster}), ${formatTimeLeft(c.notAfter, asOf)}`;
  return (
    <div role="status" className={`flex items-start gap-2 rounded-lg border px-4 py-3 text-sm ${tone}`}>
      <Icon aria-hidden className="mt-0.5 size-4 shrink-0" />
      <div>
        <p>
          <strong className="font-semibold">
            {urgent} {urgent === 1 ? "certificate is" : "certificates are"} in the {TIER_LABEL[first.tier]} tier.
          </strong>{" "}
          Most urgent: {label(first)}
          {first.note ? ` – ${first.note}` : ""}. {first.renewedBy === "operator" ? "You renew it." : "Talos renews it."}
        </p>
        {yours && yours !== first ? <p className="mt-1">Yours to renew next: {label(yours)}.</p> : null}
      </div>
    </div>
  );
}

/** The Certificates page body: filters in the URL, the inventory from the query cache. */
export function CertificatesClient() {
  const router = useRouter();
  const pathname = usePathname();
  const searchParams = useSearchParams();
  const queryClient = useQueryClient();
  const query = useQuery(certificatesQueryOptions);
  const rescan = useMutation({
    mutationFn: () => rescanCertificates(),
    onSuccess: (data) => queryClient.setQueryData(certKeys.list(), data),
  });

  const filters = parseCertFilters(searchParams);
  const setFilter = (name: keyof CertFilters, value: string | null) => {
    const next = new URLSearchParams(searchParams);
    if (value) next.set(name, value);
    else next.delete(name);
    const qs = next.toString();
    router.replace(qs ? `${pathname}?${qs}` : pathname, { scroll: false });
  };

  if (query.isPending) {
    return (
      <div aria-busy="true" aria-label="Loading certificates" className="space-y-4">
        <Skeleton className="h-20" />
        <Skeleton className="h-64" />
      </div>
    );
  }
  if (query.isError) {
    const message = query.error instanceof ApiError ? query.error.message : "The certificate inventory could not be loaded.";
    return (
      <EmptyState
        icon={AlertTriangle}
        title="Certificates could not be loaded"
        action={
          <Button variant="primary" onClick={() => void query.refetch()}>
            <RotateCw aria-hidden className="size-4" />
            Retry
          </Button>
        }
      >
        {message}
      </EmptyState>
    );
  }

  const data = query.data;
  const asOf = new Date(data.scannedAt ?? 0);
  const inCluster = filterCertificates(data.certificates, { ...filters, kind: null, tier: null });
  const shown = filterCertificates(data.certificates, filters);
  const scopedErrors = data.errors.filter((e) => !filters.cluster || e.cluster === filters.cluster);
  const scopedClusters = data.clusters.filter((c) => !filters.cluster || c.cluster === filters.cluster);

  return (
    <div className="space-y-5">
      <div className="flex flex-wrap items-center justify-between gap-3 text-sm text-fg-muted">
        <span>
          {data.scannedAt ? (
            <>
              Scanned <time dateTime={data.scannedAt}>{formatUtc(data.scannedAt)}</time>
              {data.nextScanAt ? (
                <>
                  {" "}
                  · next scan <time dateTime={data.nextScanAt}>{formatUtc(data.nextScanAt).slice(11)}</time>
                </>
              ) : null}
            </>
          ) : (
            "Not scanned yet"
          )}
        </span>
        <Button size="sm" onClick={() => rescan.mutate()} disabled={rescan.isPending}>
          <RotateCw aria-hidden className={`size-4 ${rescan.isPending ? "animate-spin" : ""}`} />
          {rescan.isPending ? "Scanning…" : "Rescan now"}
        </Button>
      </div>
      {rescan.isError ? (
        <p role="alert" className="text-sm text-danger">
          The rescan failed: {rescan.error instanceof Error ? rescan.error.message : "unknown error"}. The inventory below is from the last scan.
        </p>
      ) : null}

      {data.scannedAt === null ? (
        <div role="status" aria-busy="true" className="space-y-3">
          <p className="text-sm text-fg-muted">Minos is scanning the fleet for the first time; the inventory appears here when it is done.</p>
          <Skeleton className="h-20" />
          <Skeleton className="h-64" />
        </div>
      ) : data.clusters.length === 0 ? (
        <EmptyState icon={ShieldCheck} title="No certificates">
          No talosconfig context is loaded, so there are no credentials or nodes to inspect. Set TALOSCONFIG and restart Minos.
        </EmptyState>
      ) : (
        <>
          <Headline data={inCluster} asOf={asOf} />
          <TierSummary counts={tierCounts(inCluster)} selected={filters.tier} onSelect={(t) => setFilter("tier", t)} />
          <ScanErrors errors={scopedErrors} />

          <Card>
            <h2 className="border-b border-border px-4 py-3 text-sm font-semibold">Expiry timeline</h2>
            {shown.length > 0 ? <CertTimeline certificates={shown} asOf={asOf} /> : <p className="px-4 py-6 text-sm text-fg-muted">No certificate matches the filters.</p>}
          </Card>

          <Card className="overflow-x-auto">
            <div className="flex flex-wrap items-center justify-between gap-3 border-b border-border px-4 py-3">
              <h2 className="text-sm font-semibold">
                {shown.length} of {data.certificates.length} certificates <span className="font-normal text-fg-muted">· most urgent first</span>
              </h2>
              <Filters filters={filters} set={setFilter} />
            </div>
            {shown.length > 0 ? (
              <CertTable certificates={shown} asOf={asOf} />
            ) : (
              <EmptyState
                icon={ShieldCheck}
                title="No certificate matches"
                className="m-4"
                action={
                  <Button size="sm" onClick={() => router.replace(filters.cluster ? `${pathname}?cluster=${encodeURIComponent(filters.cluster)}` : pathname, { scroll: false })}>
                    Clear the kind and tier filters
                  </Button>
                }
              >
                Nothing in {filters.cluster ?? "any cluster"} is {filters.tier ? `in the ${filters.tier} tier` : "of this kind"}
                {filters.tier && filters.kind ? " of this kind" : ""}.
              </EmptyState>
            )}
          </Card>

          <Card className="px-4 py-3">
            <h2 className="mb-2 text-sm font-semibold">What Minos could see</h2>
            <ClusterCoverage clusters={scopedClusters} />
          </Card>
        </>
      )}
    </div>
  );
}
