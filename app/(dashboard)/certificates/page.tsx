import { dehydrate, HydrationBoundary } from "@tanstack/react-query";
import type { Metadata } from "next";

import { CertificatesClient } from "@/app/(dashboard)/certificates/client";
import { PageHeader } from "@/components/shell/page-header";
import { certificatesQueryOptions } from "@/lib/client/certs";
import { makeQueryClient } from "@/lib/client/query-client";
import { requirePageActor } from "@/lib/server/auth/page";
import { pageCertificates } from "@/lib/server/page-data";

export const metadata: Metadata = { title: "Certificates" };

export default async function CertificatesPage() {
  const grant = await requirePageActor("viewer");
  // The first request after start waits for the first scan; later ones get the cached inventory.
  const queryClient = makeQueryClient();
  queryClient.setQueryData(certificatesQueryOptions.queryKey, await pageCertificates(grant));
  return (
    <>
      <PageHeader
        title="Certificates"
        description="Every certificate your fleet depends on, most urgent first: your talosconfig credentials, the cluster CAs and the certificates nodes present."
      />
      <HydrationBoundary state={dehydrate(queryClient)}>
        <CertificatesClient />
      </HydrationBoundary>
    </>
  );
}
