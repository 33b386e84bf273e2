import "server-only";

import { errorCodeSchema } from "@/lib/schemas/error";
import type { KubernetesUpgradeEvent } from "@/lib/schemas/kubernetes-upgrades";
import { getClusterClient, getClusterContextOrThrow } from "@/lib/server/fleet/clients";
import { defaultConfigDeps } from "@/lib/server/configs/deps";
import { getKubeAccess } from "@/lib/server/kubernetes/deps";
import { getDb } from "@/lib/server/platform/db/db";
import { env } from "@/lib/server/platform/env";
import { AppError } from "@/lib/server/platform/errors";
import { publish } from "@/lib/server/platform/events";
import { processState } from "@/lib/server/platform/process-state";
import { relayTopic } from "@/lib/server/platform/relay";
import { getSecretBox } from "@/lib/server/platform/secret-box";

import { createUpgradeAccess } from "./access";
import { manifestKubernetesVersion, recordManifestKubernetesVersion } from "./manifest-version";
import { KubernetesUpgradeRunner } from "./runner";

declare module "@/lib/server/platform/events" {
  interface ServerEvents {
    /** Every persisted transition of a Kubernetes upgrade, with the whole plan. */
    "kubernetes-upgrade": KubernetesUpgradeEvent;
  }
}

// One runner per server process, in the process state (instrumentation and route handlers may be separate module instances).
const g = processState<{ __minosKubernetesUpgradeRunner?: KubernetesUpgradeRunner }>();

/** The process's Kubernetes upgrade runner over the real store, Talos clients, Kubernetes access and event bus. */
export function getKubernetesUpgradeRunner(): KubernetesUpgradeRunner {
  g.__minosKubernetesUpgradeRunner ??= new KubernetesUpgradeRunner({
    db: getDb(),
    client: (cluster) => getClusterClient(cluster),
    clusterNodes: async (cluster) => (await getClusterContextOrThrow(cluster)).nodes,
    kube: createUpgradeAccess(getKubeAccess()),
    revisions: defaultConfigDeps().revisions,
    recordManifestVersion: (trx, cluster, version, id) => recordManifestKubernetesVersion(trx, getSecretBox(env()), cluster, version, id),
    manifestKubernetesVersion: (cluster) => manifestKubernetesVersion(getDb(), getSecretBox(env()), cluster),
    publish: (event) => publish("kubernetes-upgrade", event),
  });
  return g.__minosKubernetesUpgradeRunner;
}

/** Starts the runner once per process (instrumentation at boot, the API before each use); it takes up live plans. */
export function startKubernetesUpgradeRunner(): KubernetesUpgradeRunner {
  // Other replicas' browsers get the events too: the id travels, each replica reads the plan from the store.
  relayTopic("kubernetes-upgrade", {
    ref: (event) => event.plan.id,
    load: async (id) => {
      const plan = await getKubernetesUpgradeRunner().get(id);
      return plan ? { type: "kubernetes-upgrade", plan } : null;
    },
  });
  const runner = getKubernetesUpgradeRunner();
  runner.start();
  return runner;
}

/**
 * Runs `fn` with the started runner and rethrows its failures as this module graph's AppError
 * (the runner may come from another bundle, whose AppError class differs).
 */
export async function withKubernetesUpgradeRunner<T>(fn: (runner: KubernetesUpgradeRunner) => T | Promise<T>): Promise<T> {
  try {
    return await fn(startKubernetesUpgradeRunner());
  } catch (e) {
    if (e instanceof AppError || typeof e !== "object" || e === null) throw e;
    const code = errorCodeSchema.safeParse((e as { code?: unknown }).code);
    if (!code.success) throw e;
    const { message, details, node } = e as { message?: string; details?: unknown; node?: string };
    throw new AppError(code.data, message ?? code.data, { details, node, cause: e });
  }
}
