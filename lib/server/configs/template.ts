import "server-only";

import { LATEST_TALOS_MINOR, TALOS_MINORS, type TalosMinor } from "@/lib/config/types";
import type { ConfigTemplateResponse } from "@/lib/schemas/node-config";
import { RateLimitedError } from "@/lib/server/auth/guard";
import { PoolBusyError, ReadyPool } from "@/lib/server/configs/ready-pool";
import { AppError } from "@/lib/server/platform/errors";
import { generateMachineConfig } from "@/lib/talos/generate";
import { generateSecretsBundle, type SecretsBundle } from "@/lib/talos/secrets/bundle";
import { defaultKubernetesVersion } from "@/lib/talos/features";
import { installerImage } from "@/lib/talos/upgrade";
import { talosMinor } from "@/lib/talos/version";
import { processState } from "@/lib/server/platform/process-state";

export interface TemplateRequest {
  role: "controlplane" | "worker";
  talosVersion?: string;
  clusterName: string;
  endpoint: string;
}

/** Everything secret in one template: a whole secrets bundle (with its RSA-4096 service-account key). */
export type TemplateSecrets = SecretsBundle;

/**
 * A fresh bundle, as `talosctl gen secrets` makes it (~1.6 s of CPU for the RSA key). Contracts
 * 1.10–1.14 make the same kinds of secrets (RSA service-account key after 1.6, secretbox after
 * 1.2: bundle.go populate), so one stock serves every version.
 */
export async function makeTemplateSecrets(): Promise<TemplateSecrets> {
  return generateSecretsBundle({ talosVersion: LATEST_TALOS_MINOR });
}

/** Ready secret sets kept in stock: a template request never waits for key generation while one is ready. */
export const TEMPLATE_POOL_SIZE = 3;
/** Requests that may wait for the next set when the stock is empty; more get 429. */
export const TEMPLATE_POOL_MAX_WAITING = 4;

const g = processState<{ __minosTemplatePool?: ReadyPool<TemplateSecrets> }>();

/**
 * The process's stock of template secrets, filled in the background one set at a time. Talos
 * makes an RSA-4096 service-account key (contracts since 1.6), so Minos does too; making it
 * ahead of time, serially, keeps a burst of requests from taking every core and libuv's whole
 * threadpool.
 */
export function templateSecretsPool(): ReadyPool<TemplateSecrets> {
  g.__minosTemplatePool ??= new ReadyPool({ make: makeTemplateSecrets, size: TEMPLATE_POOL_SIZE, maxWaiting: TEMPLATE_POOL_MAX_WAITING, retryAfterSeconds: 5 });
  return g.__minosTemplatePool;
}

/** The version contract of a request's Talos version; a version outside 1.10–1.14 is refused. */
function contractOf(version: string): TalosMinor {
  const minor = talosMinor(version);
  if (minor === null || !(TALOS_MINORS as readonly string[]).includes(minor)) {
    throw new AppError("validation_failed", `Talos ${version} is not supported: templates are generated for ${TALOS_MINORS.join(", ")}`);
  }
  return minor as TalosMinor;
}

/**
 * A new machine config for a role, as `talosctl gen config --talos-version <version>` writes it
 * with comments off (lib/talos/generate, the generator the simulated fleet uses too), with a
 * fresh secrets bundle taken from the pool. Nothing is stored: the secrets exist only in the
 * returned text, and each set is handed out once.
 * @throws RateLimitedError when too many requests already wait for a set.
 */
export async function generateConfigTemplate(req: TemplateRequest, pool: ReadyPool<TemplateSecrets> = templateSecretsPool()): Promise<ConfigTemplateResponse> {
  const talosVersion = normalizeTag(req.talosVersion ?? `v${LATEST_TALOS_MINOR}.0`);
  const contract = contractOf(talosVersion);
  let secrets: SecretsBundle;
  try {
    secrets = await pool.take();
  } catch (e) {
    if (e instanceof PoolBusyError) throw new RateLimitedError(e.retryAfterSeconds);
    throw e;
  }
  const yaml = generateMachineConfig(
    { clusterName: req.clusterName, endpoint: req.endpoint, kubernetesVersion: defaultKubernetesVersion(talosVersion), talosVersion: contract, installImage: installerImage(talosVersion), secrets },
    req.role,
  );
  return { yaml, role: req.role, talosVersion };
}

function normalizeTag(version: string): string {
  const v = version.startsWith("v") ? version : `v${version}`;
  return /^v\d+\.\d+$/.test(v) ? `${v}.0` : v;
}
