import "server-only";

import { LATEST_TALOS_MINOR } from "@/lib/config/types";
import type { ConfigTemplateResponse } from "@/lib/schemas/node-config";
import { RateLimitedError } from "@/lib/server/auth/guard";
import { PoolBusyError, ReadyPool } from "@/lib/server/configs/ready-pool";
import { buildConfigTemplate, renderNodeConfig } from "@/lib/talos/generate/config";
import { generateClusterSecrets, type ClusterSecrets } from "@/lib/talos/generate/secrets";
import { createTalosCa, type CertAndKey } from "@/lib/talos/pki";
import { defaultKubernetesVersion } from "@/lib/talos/features";
import { processState } from "@/lib/server/platform/process-state";

export interface TemplateRequest {
  role: "controlplane" | "worker";
  talosVersion?: string;
  clusterName: string;
  endpoint: string;
}

/** Everything secret in one template: the OS CA and the cluster secrets (with the RSA-4096 service-account key). */
export interface TemplateSecrets {
  osCa: CertAndKey;
  secrets: ClusterSecrets;
}

/** Fresh secrets for one template, as `talosctl gen config` makes them (~1.6 s of CPU for the RSA key). */
export async function makeTemplateSecrets(): Promise<TemplateSecrets> {
  const [osCa, secrets] = await Promise.all([createTalosCa("os"), generateClusterSecrets()]);
  return { osCa, secrets };
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

/**
 * A new machine config for a role, as `talosctl gen config` would write it, with fresh secrets
 * (the same generator the simulated fleet uses) taken from the pool. Nothing is stored: the
 * secrets exist only in the returned text, and each set is handed out once.
 * @throws RateLimitedError when too many requests already wait for a set.
 */
export async function generateConfigTemplate(req: TemplateRequest, pool: ReadyPool<TemplateSecrets> = templateSecretsPool()): Promise<ConfigTemplateResponse> {
  const talosVersion = normalizeTag(req.talosVersion ?? `v${LATEST_TALOS_MINOR}.0`);
  const host = new URL(req.endpoint).hostname.replace(/^\[|\]$/g, "");
  let osCa: CertAndKey, secrets: ClusterSecrets;
  try {
    ({ osCa, secrets } = await pool.take());
  } catch (e) {
    if (e instanceof PoolBusyError) throw new RateLimitedError(e.retryAfterSeconds);
    throw e;
  }
  const template = buildConfigTemplate({
    role: req.role,
    clusterName: req.clusterName,
    controlPlaneEndpoint: req.endpoint,
    controlPlaneHost: host,
    talosVersion,
    kubernetesVersion: defaultKubernetesVersion(talosVersion),
    osCa,
    secrets,
  });
  const hostname = req.role === "controlplane" ? `${req.clusterName}-cp-1` : `${req.clusterName}-worker-1`;
  return { yaml: renderNodeConfig(template, { hostname, address: host }), role: req.role, talosVersion };
}

function normalizeTag(version: string): string {
  const v = version.startsWith("v") ? version : `v${version}`;
  return /^v\d+\.\d+$/.test(v) ? `${v}.0` : v;
}
