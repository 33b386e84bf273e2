import "server-only";

import { LATEST_TALOS_MINOR } from "@/lib/config/types";
import type { ConfigTemplateResponse } from "@/lib/schemas/node-config";
import { buildConfigTemplate, generateClusterSecrets, renderNodeConfig } from "@/lib/simulator/config-gen";
import { createCa } from "@/lib/simulator/pki";
import { defaultKubernetesVersion } from "@/lib/simulator/versions";

export interface TemplateRequest {
  role: "controlplane" | "worker";
  talosVersion?: string;
  clusterName: string;
  endpoint: string;
}

/**
 * A new machine config for a role, as `talosctl gen config` would write it, with fresh secrets
 * (the same generator the simulated fleet uses). Nothing is stored: the secrets exist only in
 * the returned text.
 */
export async function generateConfigTemplate(req: TemplateRequest): Promise<ConfigTemplateResponse> {
  const talosVersion = normalizeTag(req.talosVersion ?? `v${LATEST_TALOS_MINOR}.0`);
  const host = new URL(req.endpoint).hostname.replace(/^\[|\]$/g, "");
  const [osCa, secrets] = await Promise.all([createCa({ organization: "talos", commonName: "talos" }), generateClusterSecrets()]);
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
