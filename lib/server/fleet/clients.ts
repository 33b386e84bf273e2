import "server-only";

import { AppError } from "@/lib/server/platform/errors";
import { getFleetSource } from "@/lib/server/fleet/source";
import { createTalosClient, type TalosClient } from "@/lib/server/talos";
import type { TalosContext } from "@/lib/server/talos/talosconfig";
import { processState } from "@/lib/server/platform/process-state";

const g = processState<{ __minosTalosClients?: Map<string, TalosClient> }>();

/** The talosconfig context of a cluster. @throws AppError not_found, or misconfigured. */
export async function getClusterContextOrThrow(cluster: string): Promise<TalosContext> {
  const source = await getFleetSource();
  if (!source.config) throw new AppError("misconfigured", source.error ?? "No talosconfig is loaded");
  const context = source.config.contexts.find((c) => c.name === cluster);
  if (!context) throw new AppError("not_found", `No cluster named "${cluster}" in the talosconfig or the uploads`);
  return context;
}

/**
 * The Talos client of a cluster, one per process: its channels are shared by every request,
 * poller and runner (cached in the process state so dev reloads don't open new ones).
 */
export async function getClusterClient(cluster: string): Promise<TalosClient> {
  g.__minosTalosClients ??= new Map();
  const cached = g.__minosTalosClients.get(cluster);
  if (cached) return cached;
  const client = createTalosClient(await getClusterContextOrThrow(cluster));
  g.__minosTalosClients.set(cluster, client);
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
