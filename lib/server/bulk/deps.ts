import "server-only";

import { parse } from "yaml";

import { manifestSchema } from "@/lib/manifest/schema";
import type { BulkRun } from "@/lib/schemas/bulk";
import { upgradeRequestSchema } from "@/lib/schemas/upgrades";
import { defaultConfigDeps } from "@/lib/server/configs/deps";
import { getClusterClient } from "@/lib/server/fleet/clients";
import { getFleetPoller } from "@/lib/server/fleet/service";
import { getNodeDrainer } from "@/lib/server/kubernetes/deps";
import { defaultNodeActionDeps } from "@/lib/server/node-actions";
import { ManifestRepository } from "@/lib/server/manifests/repo";
import { getDb, type Db } from "@/lib/server/platform/db/db";
import { env } from "@/lib/server/platform/env";
import { publish } from "@/lib/server/platform/events";
import { processState } from "@/lib/server/platform/process-state";
import { relayTopic } from "@/lib/server/platform/relay";
import { getSecretBox } from "@/lib/server/platform/secret-box";
import { withUpgradeRunner } from "@/lib/server/upgrades";

import { startPatchRollout } from "./delegate";
import { coreNodeActions } from "./node-port";
import { BulkRepository, publicRun } from "./repo";
import { BulkRunner } from "./runner";
import type { BulkServiceDeps, FleetNode } from "./service";

declare module "@/lib/server/platform/events" {
  interface ServerEvents {
    /** Every persisted transition of a bulk run, with the whole run. */
    bulk: { type: "bulk"; run: BulkRun };
  }
}

const g = processState<{ __minosBulkRunner?: BulkRunner }>();

const FIRST_SWEEP_WAIT_MS = 4_000;

/** Bulk events reach every replica's browsers: the run's id travels, each replica reads the run. */
function relayBulkEvents(db: () => Db): void {
  relayTopic("bulk", {
    ref: (event) => event.run.id,
    load: async (id) => {
      const r = await new BulkRepository(db()).get(id);
      return r ? { type: "bulk", run: publicRun(r) } : null;
    },
  });
}

/** The process's bulk runner over the real store, clients and Kubernetes. */
export function getBulkRunner(): BulkRunner {
  g.__minosBulkRunner ??= new BulkRunner({
    db: getDb(),
    now: () => new Date(),
    client: (cluster) => getClusterClient(cluster),
    actions: coreNodeActions(defaultNodeActionDeps(), getNodeDrainer()),
    publish: (run) => publish("bulk", { type: "bulk", run }),
  });
  return g.__minosBulkRunner;
}

/** Starts the bulk runner once per process (instrumentation; the API before each use). Idempotent. */
export function startBulkRunner(): BulkRunner {
  relayBulkEvents(getDb);
  const runner = getBulkRunner();
  runner.start();
  return runner;
}

/** Minos labels per node address, from the cluster's latest manifest (none without one). */
async function manifestLabels(db: Db, cluster: string): Promise<Map<string, Record<string, string>>> {
  const repo = new ManifestRepository(db, getSecretBox(env()));
  const latest = await repo.latest(cluster);
  if (!latest) return new Map();
  const parsed = manifestSchema.safeParse(parse(await repo.manifest(cluster, latest.revision), { maxAliasCount: 100 }));
  if (!parsed.success) return new Map();
  return new Map(parsed.data.nodes.map((n) => [n.address, n.labels ?? {}]));
}

export function defaultBulkDeps(): BulkServiceDeps {
  const db = getDb();
  return {
    db,
    now: () => new Date(),
    fleetNodes: async () => {
      const poller = getFleetPoller();
      await poller.firstSweep(FIRST_SWEEP_WAIT_MS);
      return poller.snapshot().nodes.map((n): FleetNode => ({ id: n.id, cluster: n.cluster, address: n.address, hostname: n.hostname, role: n.role, talosVersion: n.talosVersion }));
    },
    labels: (cluster) => manifestLabels(db, cluster),
    runner: () => startBulkRunner(),
    publish: (run) => publish("bulk", { type: "bulk", run }),
    startUpgrade: (req, actor) =>
      withUpgradeRunner(async (r) => {
        const body = upgradeRequestSchema.parse({ cluster: req.cluster, version: req.version, image: req.image, nodes: req.nodes, strategy: { maxParallelWorkers: req.concurrency } });
        return (await r.create(body, actor)).id;
      }),
    startPatchRollout: (req, actor) => startPatchRollout(defaultConfigDeps(), req, actor),
  };
}
