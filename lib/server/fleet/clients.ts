import "server-only";

import { AppError } from "@/lib/server/platform/errors";
import { getFleetSource } from "@/lib/server/fleet/source";
import { createTalosClient, type TalosClient } from "@/lib/server/talos";
import type { TalosContext } from "@/lib/server/talos/talosconfig";
import { processState } from "@/lib/server/platform/process-state";

const g = processState<{ __minosTalosClients?: Map<string, { key: string; client: TalosClient }> }>();

/** The talosconfig context of a cluster. @throws AppError not_found, or misconfigured. */
export async function getClusterContextOrThrow(cluster: string): Promise<TalosContext> {
  const source = await getFleetSource();
  if (!source.config) throw new AppError("misconfigured", source.error ?? "No talosconfig is loaded");
  const context = source.config.contexts.find((c) => c.name === cluster);
  if (!context) throw new AppError("not_found", `No cluster named "${cluster}" in the talosconfig or the uploads`);
  return context;
}

// A context's identity for the client cache: its endpoints, nodes and credentials, computed once per parsed context.
const contextKeys = new WeakMap<TalosContext, string>();
function contextKey(context: TalosContext): string {
  let key = contextKeys.get(context);
  if (key === undefined) {
    key = JSON.stringify(context);
    contextKeys.set(context, key);
  }
  return key;
}

/**
 * The Talos client of a cluster, one per process: its channels are shared by every request,
 * poller and runner (cached in the process state so dev reloads don't open new ones). The
 * context is looked up on every call, from the uploads as the database has them now, so a
 * cluster whose upload another replica removed is not found, and one re-uploaded under the same
 * name with other credentials gets a new client.
 */
export async function getClusterClient(cluster: string): Promise<TalosClient> {
  const context = await getClusterContextOrThrow(cluster);
  const key = contextKey(context);
  g.__minosTalosClients ??= new Map();
  const cached = g.__minosTalosClients.get(cluster);
  if (cached?.key === key) return cached.client;
  const client = createTalosClient(context);
  g.__minosTalosClients.set(cluster, { key, client });
  return client;
}

/**
 * Forgets a cluster's cached client (its context was removed or replaced). The channels stay in
 * the channel cache: they are keyed by endpoint and credentials, and closing them could cut
 * another client's calls.
 */
export function dropClusterClient(cluster: string): void {
  g.__minosTalosClients?.delete(cluster);
}
