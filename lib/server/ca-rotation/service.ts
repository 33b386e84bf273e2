import "server-only";

import { errorCodeSchema } from "@/lib/schemas/error";
import { syncClusters } from "@/lib/server/fleet/cluster-admin";
import { getClusterContextOrThrow } from "@/lib/server/fleet/clients";
import { getFleetSource } from "@/lib/server/fleet/source";
import { createKubeApi } from "@/lib/server/kubernetes/client";
import { getKubeAccess } from "@/lib/server/kubernetes/deps";
import { parseKubeconfig } from "@/lib/server/kubernetes/kubeconfig";
import { getDb } from "@/lib/server/platform/db/db";
import { env } from "@/lib/server/platform/env";
import { AppError } from "@/lib/server/platform/errors";
import { processState } from "@/lib/server/platform/process-state";
import { getSecretBox } from "@/lib/server/platform/secret-box";
import { createTalosClient } from "@/lib/server/talos";
import { parseEndpoint } from "@/lib/server/talos/channel";

import { CaRotationRunner } from "./runner";
import { storeRotatedTalosconfig } from "./talosconfig";

// One runner per server process, in the process state (instrumentation and route handlers may be separate module instances).
const g = processState<{ __minosCaRotationRunner?: CaRotationRunner }>();

/** The process's CA rotation runner over the real store, secret box, Talos and Kubernetes clients. */
export function getCaRotationRunner(): CaRotationRunner {
  g.__minosCaRotationRunner ??= new CaRotationRunner({
    db: getDb(),
    box: getSecretBox(env()),
    context: (cluster) => getClusterContextOrThrow(cluster),
    origin: async (cluster) => ((await getFleetSource()).origins[cluster]?.source === "upload" ? "upload" : "file"),
    // Clients of their own per identity (old, intermediate, new): never the cluster's shared client, whose credentials these steps change.
    talos: (material, options) => createTalosClient({ name: options.contextName, endpoints: options.endpoints.map((e) => parseEndpoint(e)), nodes: options.contextNodes, ...material }),
    kube: (kubeconfig, cluster) => createKubeApi(parseKubeconfig(kubeconfig).config, { cluster }),
    replaceTalosconfig: async (p) => {
      const written = await storeRotatedTalosconfig(getDb(), getSecretBox(env()), p.options.talosconfig === "replace-upload" ? "upload" : "file", { ...p.talosconfig, cluster: p.cluster, rotationId: p.rotationId });
      // Clients, poller and caches of every replica move to the new credentials.
      await syncClusters([p.cluster]);
      return written;
    },
    afterFinish: (cluster) => getKubeAccess().invalidate(cluster),
  });
  return g.__minosCaRotationRunner;
}

/** Starts the runner once per process (instrumentation at boot, the API before each use); it takes up live rotations. */
export function startCaRotationRunner(): CaRotationRunner {
  const runner = getCaRotationRunner();
  runner.start();
  return runner;
}

/** Runs `fn` with the started runner, rethrowing its failures as this module graph's AppError (the runner may come from another bundle). */
export async function withCaRotationRunner<T>(fn: (runner: CaRotationRunner) => T | Promise<T>): Promise<T> {
  try {
    return await fn(startCaRotationRunner());
  } catch (e) {
    if (e instanceof AppError || typeof e !== "object" || e === null) throw e;
    const code = errorCodeSchema.safeParse((e as { code?: unknown }).code);
    if (!code.success) throw e;
    const { message, details, node } = e as { message?: string; details?: unknown; node?: string };
    throw new AppError(code.data, message ?? code.data, { details, node, cause: e });
  }
}
