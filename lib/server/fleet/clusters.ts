import "server-only";

import type { ClustersResponse } from "@/lib/schemas/fleet";
import { getFleetSource } from "@/lib/server/fleet/source";

/** The clusters Minos manages: one per talosconfig context, without any key material. */
export async function listClusters(): Promise<ClustersResponse> {
  const source = await getFleetSource();
  const clusters = (source.config?.contexts ?? []).map((c) => ({
    name: c.name,
    endpoints: c.endpoints.map((e) => e.host),
    nodes: c.nodes,
    roles: c.roles,
    credentialsNotAfter: c.certNotAfter.toISOString(),
  }));
  return {
    clusters,
    source: { path: source.path, simulated: source.simulated },
    ...(source.error ? { error: source.error } : {}),
  };
}
