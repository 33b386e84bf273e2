import "server-only";

import { errorCodeSchema } from "@/lib/schemas/error";
import { getDb } from "@/lib/server/platform/db/db";
import { AppError } from "@/lib/server/platform/errors";
import { publish } from "@/lib/server/platform/events";
import { getClusterClient, getClusterContextOrThrow } from "@/lib/server/fleet/clients";
import { getKubeAccess, getNodeDrainer } from "@/lib/server/kubernetes/deps";

import { relayUpgradeEvents } from "./relay";
import { UpgradeRunner } from "./runner";
import { processState } from "@/lib/server/platform/process-state";

// One runner per server process, in the process state: instrumentation and route handlers may be
// separate module instances, and two runners would drive the same plan twice.
const g = processState<{ __minosUpgradeRunner?: UpgradeRunner }>();

/** The process's upgrade runner over the real store, Talos clients and event bus; its lease owner is this replica. */
export function getUpgradeRunner(): UpgradeRunner {
  g.__minosUpgradeRunner ??= new UpgradeRunner({
    db: getDb(),
    client: (cluster) => getClusterClient(cluster),
    clusterNodes: async (cluster) => (await getClusterContextOrThrow(cluster)).nodes,
    publish: (event) => publish("upgrade", event),
    kubernetes: { access: getKubeAccess(), drainer: getNodeDrainer() },
  });
  return g.__minosUpgradeRunner;
}

/**
 * Starts the upgrade runner once per process: it takes up every live plan no replica drives (those
 * this replica drove before a restart, once their lease expires) and keeps looking for orphans.
 * Idempotent: instrumentation calls it at boot, the API before each use.
 */
export function startUpgradeRunner(): UpgradeRunner {
  // Each bundle has its own relay module: registered on every start, the one that runs the relay (instrumentation's) has it too.
  relayUpgradeEvents(getDb);
  const runner = getUpgradeRunner();
  runner.start();
  return runner;
}

/**
 * Runs `fn` with the started runner and rethrows its failures as this module graph's AppError.
 * The runner lives in the process state and may have been created by another bundle (a page, the
 * instrumentation hook) whose AppError class differs, so the route wrapper's `instanceof` would
 * miss its errors and answer a bare 500.
 */
export async function withUpgradeRunner<T>(fn: (runner: UpgradeRunner) => T | Promise<T>): Promise<T> {
  try {
    return await fn(startUpgradeRunner());
  } catch (e) {
    if (e instanceof AppError || typeof e !== "object" || e === null) throw e;
    const code = errorCodeSchema.safeParse((e as { code?: unknown }).code);
    if (!code.success) throw e;
    const { message, details, node } = e as { message?: string; details?: unknown; node?: string };
    throw new AppError(code.data, message ?? code.data, { details, node, cause: e });
  }
}
