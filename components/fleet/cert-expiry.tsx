"use client";

import { ShieldCheck, ShieldQuestion } from "lucide-react";
import Link from "next/link";
import { use } from "react";

import { TierBadge } from "@/components/certificates/tier-badge";
import { formatUtc } from "@/components/fleet/format";
import { useNow } from "@/lib/client/use-now";
import { Card } from "@/components/ui/card";
import { Skeleton } from "@/components/ui/skeleton";
import type { Certificate, NearestExpiry } from "@/lib/schemas/certs";
import { certName } from "@/lib/certs/view";

/** What the server hands the page for certificates: the data, or why it isn't there. */
export type CertResult<T> = { ok: true; data: T } | { ok: false; error: string };

/** "expires in 12 days", "expired 3 days ago"; under a day, "expires within a day". */
export function daysText(days: number): string {
  if (days < 0) return `expired ${-days} ${days === -1 ? "day" : "days"} ago`;
  if (days === 0) return "expires within a day";
  return `expires in ${days} ${days === 1 ? "day" : "days"}`;
}

/** Like daysText, in hours when less than two days are left (Talos's own leaves live 24 h). */
export function expiryText(notAfter: string, daysLeft: number, now: number): string {
  const hours = Math.floor((Date.parse(notAfter) - now) / 3_600_000);
  if (hours >= 0 && hours < 48) return hours === 0 ? "expires within the hour" : `expires in ${hours} h`;
  return daysText(daysLeft);
}

/** A certificate's expiry in words; hours appear once the browser's clock is known (no hydration mismatch). */
export function ExpiresIn({ notAfter, daysLeft }: { notAfter: string; daysLeft: number }) {
  const now = useNow();
  return <>{now === null ? daysText(daysLeft) : expiryText(notAfter, daysLeft, now)}</>;
}

export function CertExpirySkeleton() {
  return (
    <Card aria-busy="true" aria-label="Loading the nearest certificate expiry" className="space-y-3 p-5">
      <Skeleton className="h-5 w-48" />
      <Skeleton className="h-8 w-32" />
      <Skeleton className="h-4 w-full" />
    </Card>
  );
}

/** The Overview's nearest certificate expiry, with the tier counts and a link to the inventory. */
export function CertExpiryCard({ result, cluster }: { result: Promise<CertResult<NearestExpiry>>; cluster: string | null }) {
  const r = use(result);
  const href = `/certificates${cluster ? `?cluster=${encodeURIComponent(cluster)}` : ""}`;
  return (
    <Card role="region" aria-label="Nearest certificate expiry" className="flex flex-col gap-3 p-5">
      <h3 className="text-sm font-medium text-fg-muted">Nearest expiry</h3>
      {!r.ok ? (
        <p role="alert" className="flex items-start gap-2 text-sm text-fg-muted">
          <ShieldQuestion aria-hidden className="mt-0.5 size-4 shrink-0" />
          Could not read the certificate inventory: {r.error}
        </p>
      ) : r.data.certificate === null ? (
        <p className="flex items-start gap-2 text-sm text-fg-muted">
          <ShieldQuestion aria-hidden className="mt-0.5 size-4 shrink-0" />
          {r.data.scannedAt ? "No certificates found in the last scan." : "Certificates have not been scanned yet."}
        </p>
      ) : (
        <NearestCertificate cert={r.data.certificate} />
      )}
      {r.ok && r.data.certificate ? (
        <p className="text-xs text-fg-muted">
          {r.data.counts.critical} critical · {r.data.counts.warning} warning · {r.data.counts.notice} notice · {r.data.counts.ok} ok
        </p>
      ) : null}
      <Link href={href} className="text-sm text-accent hover:underline">
        All certificates
      </Link>
    </Card>
  );
}

function NearestCertificate({ cert }: { cert: Certificate }) {
  return (
    <div className="space-y-1.5">
      <div className="flex flex-wrap items-center gap-2">
        <TierBadge tier={cert.tier} />
        <span className={cert.tier === "critical" ? "font-semibold text-danger" : cert.tier === "warning" ? "font-semibold text-warn" : "font-semibold"}>
          <ExpiresIn notAfter={cert.notAfter} daysLeft={cert.daysLeft} />
        </span>
      </div>
      <p className="flex items-start gap-2 text-sm">
        <ShieldCheck aria-hidden className="mt-0.5 size-4 shrink-0 text-fg-muted" />
        <span>
          <span className="font-medium">{cert.purpose}</span> <span className="text-fg-muted">({cert.cluster})</span>
          <span className="block font-mono text-xs text-fg-muted">{certName(cert)}</span>
        </span>
      </p>
      <p className="text-xs text-fg-muted">Not after {formatUtc(cert.notAfter)}</p>
      <p className="text-xs text-fg-muted">{cert.howToRenew}</p>
    </div>
  );
}
