"use client";

import { ShieldCheck, ShieldQuestion } from "lucide-react";
import Link from "next/link";
import { use } from "react";

import { TierBadge } from "@/components/certificates/tier-badge";
import { ExpiresIn, type CertResult } from "@/components/fleet/cert-expiry";
import { formatUtc } from "@/components/fleet/format";
import { Card } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/empty-state";
import { Skeleton } from "@/components/ui/skeleton";
import { Table, TableBody, TableCell, TableHead, TableHeaderCell, TableRow } from "@/components/ui/table";
import type { Certificate } from "@/lib/schemas/certs";
import { certName } from "@/lib/certs/view";

export function NodeCertificatesSkeleton() {
  return <Skeleton aria-label="Loading the node's certificates" className="h-32" />;
}

/** The certificates seen on this node (from the certificate inventory), most urgent first. */
export function NodeCertificates({ result, cluster }: { result: Promise<CertResult<Certificate[]>>; cluster: string }) {
  const r = use(result);
  if (!r.ok) {
    return (
      <EmptyState icon={ShieldQuestion} title="Certificates unavailable">
        <span role="alert">Could not read the certificate inventory: {r.error}</span>
      </EmptyState>
    );
  }
  if (r.data.length === 0) {
    return (
      <EmptyState icon={ShieldCheck} title="No certificates seen on this node">
        The last certificate scan found none on this node (it may have been unreachable, or not scanned yet). The cluster&apos;s CAs and your credentials are on
        the{" "}
        <Link href={`/certificates?cluster=${encodeURIComponent(cluster)}`} className="text-accent underline underline-offset-2">
          Certificates page
        </Link>
        .
      </EmptyState>
    );
  }
  return (
    <Card className="overflow-x-auto">
      <Table aria-label="Certificates">
        <TableHead>
          <tr>
            <TableHeaderCell>Tier</TableHeaderCell>
            <TableHeaderCell>Purpose</TableHeaderCell>
            <TableHeaderCell>Subject</TableHeaderCell>
            <TableHeaderCell>Expires</TableHeaderCell>
            <TableHeaderCell>Renewed by</TableHeaderCell>
          </tr>
        </TableHead>
        <TableBody>
          {r.data.map((c) => (
            <TableRow key={c.id}>
              <TableCell>
                <TierBadge tier={c.tier} />
              </TableCell>
              <TableCell>{c.purpose}</TableCell>
              <TableCell className="font-mono text-xs">{certName(c)}</TableCell>
              <TableCell className="whitespace-nowrap" title={formatUtc(c.notAfter)}>
                <ExpiresIn notAfter={c.notAfter} daysLeft={c.daysLeft} />
              </TableCell>
              <TableCell className="text-fg-muted">{c.renewedBy === "talos" ? "Talos (automatic)" : "Operator"}</TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </Card>
  );
}
