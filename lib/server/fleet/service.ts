import "server-only";

import type { NodeDetail, NodesResponse } from "@/lib/schemas/fleet";
import { AppError } from "@/lib/server/platform/errors";
import { publish } from "@/lib/server/platform/events";
import { getClusterClient } from "@/lib/server/fleet/clients";
import { createFleetPoller, type FleetPoller, type PollerCluster, type PollerOptions } from "@/lib/server/fleet/poller";
import { registerFleetMetrics } from "@/lib/server/fleet/metrics";
import { canonicalFields, projectNodesJson, type NodeField } from "@/lib/server/fleet/node-fields";
import { getFleetSource } from "@/lib/server/fleet/source";
import { fleetReplication } from "@/lib/server/fleet/replication";
import { followUpgrades } from "@/lib/server/fleet/upgrade-overlay";
import { getDb } from "@/lib/server/platform/db/db";
import { replicaId } from "@/lib/server/platform/replica";
import { observePoll, observeTalosCall, registerMetrics } from "@/lib/server/platform/metrics";
import { processState } from "@/lib/server/platform/process-state";
import { revalidatableResponse } from "@/lib/server/http/cached-body";

/**
 * The process's fleet poller and the reads the API serves from its snapshot. The poller lives in the
 * process state (platform/process-state.ts): instrumentation and route handlers may be separate module instances.
 */
const g = processState<{ __minosFleetPoller?: FleetPoller; __minosShuttingDown?: boolean }>();

/** How long a request made right after start waits for the first sweep before answering with what is known. */
export const FIRST_SWEEP_WAIT_MS = 4_000;

async function loadClusters(): Promise<PollerCluster[]> {
  const source = await getFleetSource();
  const out: PollerCluster[] = [];
  for (const context of source.config?.contexts ?? []) {
    try {
      out.push({ name: context.name, nodes: context.nodes, client: await getClusterClient(context.name) });
    } catch (e) {
      // One unusable context (no endpoints) must not take the other clusters down with it.
      console.error(`[minos] fleet poller: skipping cluster "${context.name}": ${(e as Error).message}`);
    }
  }
  return out;
}

/** The process's poller, created and started on first use (instrumentation.ts starts it at boot). */
export function getFleetPoller(options: Partial<PollerOptions> = {}): FleetPoller {
  registerMetrics("fleet", (registry) => registerFleetMetrics(registry, currentFleetPoller));
  if (!g.__minosFleetPoller) {
    // A request still in flight while the server stops (scripts/serve.ts) must not start a new
    // poller: it would take cluster leases again and leave them to expire.
    if (g.__minosShuttingDown) throw new AppError("internal", "Minos is shutting down");
    g.__minosFleetPoller = createFleetPoller({
      loadClusters,
      publish: (event) => publish("fleet", event),
      onCall: observeTalosCall,
      onPoll: observePoll,
      // Clusters are polled by the replica holding their lease and mirrored by the others.
      startUnowned: true,
      ownership: fleetReplication({ db: getDb(), owner: replicaId() }),
      ...options,
    });
    const poller = g.__minosFleetPoller;
    // Cluster roll-ups show the live upgrade ("upgrading 3/8"), kept current by the runner's events.
    followUpgrades(poller);
    poller.start().catch((e: unknown) => console.error("[minos] the fleet poller could not start", e));
  }
  return g.__minosFleetPoller;
}

/** Starts the process's poller (idempotent). */
export async function startFleetPoller(): Promise<void> {
  await getFleetPoller().start();
}

/** Stops and forgets the process's poller (tests; a later call starts a fresh one). */
export async function stopFleetPoller(): Promise<void> {
  const p = g.__minosFleetPoller;
  g.__minosFleetPoller = undefined;
  await p?.stop();
}

/**
 * Makes the running poller pick up added and removed clusters (after an upload or a delete);
 * a process without a poller has nothing to reload: the next one loads the clusters fresh.
 */
export async function reloadFleetClusters(): Promise<void> {
  await g.__minosFleetPoller?.reloadClusters();
}

/** The poller, if one is running in this process (never starts one). */
export function currentFleetPoller(): FleetPoller | undefined {
  return g.__minosFleetPoller;
}

/** GET /api/nodes: every node's summary and each cluster's roll-up, from the snapshot. @throws AppError not_found for an unknown cluster. */
export async function listNodes(cluster?: string): Promise<NodesResponse> {
  const poller = getFleetPoller();
  await poller.firstSweep(FIRST_SWEEP_WAIT_MS);
  if (cluster !== undefined && !poller.clusterNames().includes(cluster)) {
    throw new AppError("not_found", `No cluster named "${cluster}"`);
  }
  return poller.snapshot(cluster);
}

/**
 * GET /api/nodes as a ready Response: the serialised snapshot is shared between concurrent
 * requests (see `FleetPoller.snapshotJson`), and so are its tag and compressed codings (one per
 * snapshot version, see lib/server/http/cached-body.ts); a client whose tag is current gets a 304.
 * `fields` keeps only those node fields (and `id`). The caller must have checked access.
 * @throws AppError not_found for an unknown cluster.
 */
export async function listNodesResponse(request: Request, { cluster, fields }: { cluster?: string; fields?: NodeField[] } = {}): Promise<Response> {
  const poller = getFleetPoller();
  await poller.firstSweep(FIRST_SWEEP_WAIT_MS);
  if (cluster !== undefined && !poller.clusterNames().includes(cluster)) {
    throw new AppError("not_found", `No cluster named "${cluster}"`);
  }
  const full = poller.snapshotJson(cluster);
  const slot = `nodes\u0000${cluster ?? "*"}\u0000${fields ? canonicalFields(fields).join(",") : "*"}`;
  return revalidatableResponse(request, fields ? projectNodesJson(full, fields) : full, { contentType: "application/json", slot });
}

/** GET /api/nodes/:node: one node's detail, from the snapshot. @throws AppError not_found. */
export async function getNodeDetailOrThrow(id: string): Promise<NodeDetail> {
  const poller = getFleetPoller();
  await poller.firstSweep(FIRST_SWEEP_WAIT_MS);
  const detail = poller.detail(id);
  if (!detail) throw new AppError("not_found", `No node "${id}" in the fleet`);
  return detail;
}
