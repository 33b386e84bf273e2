import "server-only";

import type { NodeDetail, NodesResponse } from "@/lib/schemas/fleet";
import type { ClusterUpgradeProgress, UpgradePlan } from "@/lib/schemas/upgrades";
import { collectCertMetrics } from "@/lib/server/certs/metrics";
import { AppError } from "@/lib/server/http/errors";
import { publish, subscribe } from "@/lib/server/platform/events";
import { getClusterClient } from "@/lib/server/fleet/clients";
import { createFleetPoller, type FleetPoller, type PollerCluster, type PollerOptions } from "@/lib/server/fleet/poller";
import { registerFleetMetrics } from "@/lib/server/fleet/metrics";
import { getFleetSource } from "@/lib/server/fleet/source";
import { observePoll, observeTalosCall, registerMetrics, renderMetrics } from "@/lib/server/platform/metrics";
import { processState } from "@/lib/server/platform/process-state";

/**
 * The process's fleet poller and the reads the API serves from its snapshot. The poller lives in the
 * process state (platform/process-state.ts): instrumentation and route handlers may be separate module instances.
 */
const g = processState<{ __minosFleetPoller?: FleetPoller }>();

/** How long a request made right after start waits for the first sweep before answering with what is known. */
const FIRST_SWEEP_WAIT_MS = 4_000;

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
    g.__minosFleetPoller = createFleetPoller({
      loadClusters,
      publish: (event) => publish("fleet", event),
      onCall: observeTalosCall,
      onPoll: observePoll,
      ...options,
    });
    const poller = g.__minosFleetPoller;
    // Cluster roll-ups show the live upgrade ("upgrading 3/8"), kept current by the runner's events.
    subscribe("upgrade", ({ plan }) => poller.setClusterUpgrade(plan.cluster, upgradeProgress(plan)));
    poller.start().catch((e: unknown) => console.error("[minos] the fleet poller could not start", e));
  }
  return g.__minosFleetPoller;
}

const LIVE_PLAN_STATES: ReadonlySet<UpgradePlan["state"]> = new Set(["pending", "running", "paused", "cancelling"]);

function upgradeProgress(plan: UpgradePlan): ClusterUpgradeProgress | null {
  if (!LIVE_PLAN_STATES.has(plan.state)) return null;
  return { planId: plan.id, state: plan.state, total: plan.nodes.length, done: plan.nodes.filter((n) => n.state === "done").length };
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
 * requests (see `FleetPoller.snapshotJson`). @throws AppError not_found for an unknown cluster.
 */
export async function listNodesResponse(cluster?: string): Promise<Response> {
  const poller = getFleetPoller();
  await poller.firstSweep(FIRST_SWEEP_WAIT_MS);
  if (cluster !== undefined && !poller.clusterNames().includes(cluster)) {
    throw new AppError("not_found", `No cluster named "${cluster}"`);
  }
  return new Response(poller.snapshotJson(cluster), { headers: { "content-type": "application/json" } });
}

/** GET /api/nodes/:node: one node's detail, from the snapshot. @throws AppError not_found. */
export async function getNodeDetailOrThrow(id: string): Promise<NodeDetail> {
  const poller = getFleetPoller();
  await poller.firstSweep(FIRST_SWEEP_WAIT_MS);
  const detail = poller.detail(id);
  if (!detail) throw new AppError("not_found", `No node "${id}" in the fleet`);
  return detail;
}

/**
 * GET /api/metrics: the Prometheus exposition (fleet, poll latency, certificates, process).
 * Starts the poller if nothing has, so a scrape right after boot has node series once the first
 * sweep is in. Upgrades (issue 7) add theirs with `registerMetrics("upgrades", …)`.
 */
export async function getMetricsText(): Promise<{ body: string; contentType: string }> {
  registerMetrics("certificates", collectCertMetrics);
  await getFleetPoller().firstSweep(FIRST_SWEEP_WAIT_MS);
  return renderMetrics();
}
