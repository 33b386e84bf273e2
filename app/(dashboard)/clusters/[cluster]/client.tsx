"use client";

import { ClusterManifest } from "@/components/manifest/cluster-manifest";

/** The cluster's page: its manifest (adoption, editor, plan and apply), history and drift. */
export function ClusterPageClient({ cluster }: { cluster: string }) {
  return <ClusterManifest cluster={cluster} />;
}
