import "server-only";

import { startDeliveryWorker } from "@/lib/server/alerts/delivery/deps";
import { startAlertEvaluator } from "@/lib/server/alerts/service";
import { startBackupScheduler } from "@/lib/server/backups/service";
import { startBulkRunner } from "@/lib/server/bulk/deps";
import { startCertScanner } from "@/lib/server/certs/service";
import { watchClusterUploads } from "@/lib/server/fleet/cluster-admin";
import { getClusterClient } from "@/lib/server/fleet/clients";
import { bootIdentity, sameBoot } from "@/lib/server/jobs/boot-identity";
import { startDriftChecker } from "@/lib/server/configs/drift";
import { startRolloutRunner } from "@/lib/server/configs/rollouts/runner";
import { templateSecretsPool } from "@/lib/server/configs/template";
import { startFleetPoller, stopFleetPoller } from "@/lib/server/fleet/service";
import { startHousekeeping, stopHousekeeping } from "@/lib/server/housekeeping";
import { startKubernetesStatus } from "@/lib/server/kubernetes/deps";
import { startKubernetesUpgradeRunner } from "@/lib/server/kubernetes-upgrades/service";
import { startCaRotationRunner } from "@/lib/server/ca-rotation/service";
import { followClusterRemovals } from "@/lib/server/kubernetes/service";
import { dialectOf, getDb } from "@/lib/server/platform/db/db";
import { env } from "@/lib/server/platform/env";
import { processState } from "@/lib/server/platform/process-state";
import { relayTopic, startEventRelay } from "@/lib/server/platform/relay";
import { replicaId } from "@/lib/server/platform/replica";
import { startUpgradeRunner } from "@/lib/server/upgrades/service";

/**
 * The composition root: what a Minos server process runs in the background, started once at boot
 * (instrumentation.ts) and stopped as a whole (tests). Services themselves are built lazily by
 * their accessors (getDb, getFleetPoller, getUpgradeRunner, …) into the one process state
 * (platform/process-state.ts), so a route handler works before, or without, this start.
 *
 * Nothing under lib/server imports this file: it sits above every feature folder, which keeps it
 * out of their import graph.
 */

/** A job's stop, kept so stopRuntime can end what startRuntime began. */
type Stop = () => void | Promise<void>;

/** The runners' own slots (see upgrades/service.ts, configs/rollouts/runner.ts), read here to stop them. */
type Slots = {
  __minosRuntimeStops?: Map<string, Stop>;
  /** For scripts/serve.ts, which runs outside Next's bundles: stops this runtime on SIGTERM. */
  __minosStopRuntime?: () => Promise<void>;
  __minosUpgradeRunner?: { stop(): Promise<void> };
  __minosRolloutRunner?: { stop(): Promise<void> };
  __minosKubernetesUpgradeRunner?: { stop(): Promise<void> };
  __minosBulkRunner?: { stop(): Promise<void> };
  __minosCaRotationRunner?: { stop(): Promise<void> };
};

const g = processState<Slots>();

export interface RuntimeOptions {
  /** Make config templates' key material (RSA-4096) ahead of time; tests that never ask for a template skip it. */
  templatePool?: boolean;
}

/**
 * Begins the process's background work: the fleet poller first (loading the talosconfig is quick;
 * its first sweep is not awaited, so the server is ready at once), then the runners, each of which
 * resumes what it persisted. One failing to start must not keep the others down.
 */
export async function startRuntime(options: RuntimeOptions = {}): Promise<void> {
  const stops = (g.__minosRuntimeStops ??= new Map());
  g.__minosStopRuntime = stopRuntime;
  // Several replicas share one PostgreSQL: what one publishes, the browsers on the others see.
  const url = env().MINOS_DATABASE_URL;
  if (url && dialectOf(getDb()) === "postgres") {
    relayTopic("clusters");
    try {
      const relay = await startEventRelay(url, replicaId());
      stops.set("event relay", () => relay.stop());
    } catch (e) {
      console.error("[minos] the event relay could not start", e);
    }
  }
  await startFleetPoller().catch((e: unknown) => console.error("[minos] the fleet poller could not start", e));
  stops.set("fleet poller", () => stopFleetPoller());
  const starts: [string, () => Stop | undefined][] = [
    ["certificate scanner", () => startCertScanner()],
    ["upgrade runner", () => (startUpgradeRunner(), forget("__minosUpgradeRunner"))],
    ["rollout runner", () => (startRolloutRunner(), forget("__minosRolloutRunner"))],
    // Kubernetes upgrades left live by a previous process resume here (lib/server/kubernetes-upgrades).
    ["kubernetes upgrade runner", () => (startKubernetesUpgradeRunner(), forget("__minosKubernetesUpgradeRunner"))],
    // Bulk runs left live by a previous process resume here (lib/server/bulk).
    ["bulk runner", () => (startBulkRunner(), forget("__minosBulkRunner"))],
    // CA rotations left live by a previous process resume here (lib/server/ca-rotation).
    ["ca rotation runner", () => (startCaRotationRunner(), forget("__minosCaRotationRunner"))],
    ["drift checker", () => startDriftChecker().stop],
    // What Kubernetes says about each cluster, read at the poll interval into the fleet snapshot;
    // it also uncordons the Nodes a single-node apply rebooted, once they booted again.
    [
      "kubernetes status",
      () => startKubernetesStatus({ bootedSince: async (cluster, address, before) => !sameBoot(await bootIdentity(await getClusterClient(cluster), address, { like: before, timeoutMs: 5_000 }), before) }),
    ],
    // A removed cluster's uploaded kubeconfig goes with it (a new cluster may take the name).
    ["kubeconfig cleanup", () => followClusterRemovals()],
    // Config templates' key material (RSA-4096), made ahead of time off the request path.
    [
      "template key pool",
      () => {
        if (options.templatePool !== false) templateSecretsPool().fill();
        return undefined;
      },
    ],
    ["audit retention", () => (startHousekeeping(), stopHousekeeping)],
    // Scheduled etcd backups (one replica at a time, through a lease); off until a cluster has a schedule.
    ["backup scheduler", () => startBackupScheduler()],
    // Alert rules evaluated at every fleet poll (one replica at a time, through the lease alerts:evaluator).
    ["alert evaluator", () => startAlertEvaluator()],
    // Clusters uploaded or removed through another replica (the relay tells at once; this catches what it missed).
    ["cluster uploads watch", () => watchClusterUploads()],
    // Alert notifications: the outbox sent and retried by one replica at a time (lease alerts:delivery).
    ["alert delivery", () => startDeliveryWorker()],
  ];
  for (const [name, start] of starts) {
    try {
      const stop = start();
      if (stop) stops.set(name, stop);
    } catch (e) {
      console.error(`[minos] the ${name} could not start`, e);
    }
  }
}

/** Stops a runner and drops it, so the next accessor call builds a fresh one. */
function forget(slot: "__minosUpgradeRunner" | "__minosRolloutRunner" | "__minosKubernetesUpgradeRunner" | "__minosBulkRunner" | "__minosCaRotationRunner"): Stop {
  return async () => {
    const runner = g[slot];
    g[slot] = undefined;
    await runner?.stop();
  };
}

/** Ends every job startRuntime began, newest first (runners before the poller they read from). */
export async function stopRuntime(): Promise<void> {
  const stops = g.__minosRuntimeStops;
  if (!stops) return;
  for (const [name, stop] of [...stops].reverse()) {
    stops.delete(name);
    try {
      await stop();
    } catch (e) {
      console.error(`[minos] the ${name} did not stop cleanly`, e);
    }
  }
}

/** The names of the jobs running now, in start order (for tests and diagnostics). */
export function runningJobs(): string[] {
  return [...(g.__minosRuntimeStops?.keys() ?? [])];
}
