import "server-only";

import { parseNodeId } from "@/lib/fleet/node-id";
import { AppError } from "@/lib/server/platform/errors";
import { getClusterContextOrThrow } from "@/lib/server/fleet/clients";
import { currentFleetPoller } from "@/lib/server/fleet/service";

/**
 * Resolves a node ID to its cluster and address: a node of the talosconfig context, or one the
 * fleet poller discovered (COSI Members, etcd members). @throws AppError not_found for unknown nodes.
 */
export async function resolveNodeOrThrow(id: string): Promise<{ cluster: string; address: string }> {
  const parsed = parseNodeId(id);
  if (!parsed) throw new AppError("not_found", `"${id}" is not a node ID (expected address@cluster)`);
  const context = await getClusterContextOrThrow(parsed.cluster);
  if (context.nodes.includes(parsed.address) || currentFleetPoller()?.resolve(id)) return parsed;
  throw new AppError("not_found", `Node ${parsed.address} is not in cluster "${parsed.cluster}"`);
}
