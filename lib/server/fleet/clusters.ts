import "server-only";

import type { ClustersResponse } from "@/lib/schemas/fleet";
import { getFleetSource } from "@/lib/server/fleet/source";

/** The clusters Minos manages: one per talosconfig context (file or upload), without any key material. */
export async function listClusters(): Promise<ClustersResponse> {
  const source = await getFleetSource();
  const clusters = (source.config?.contexts ?? []).map((c) => {
    const origin = source.origins[c.name] ?? { source: "file" as const };
    return {
      name: c.name,
      endpoints: c.endpoints.map((e) => e.host),
      nodes: c.nodes,
      roles: c.roles,
      credentialsNotAfter: c.certNotAfter.toISOString(),
      source: origin.source,
      ...(origin.source === "upload" ? { uploadId: origin.uploadId } : {}),
    };
  });
  return {
    clusters,
    source: { path: source.path, simulated: source.simulated },
    ...(source.error ? { error: source.error } : {}),
  };
}
