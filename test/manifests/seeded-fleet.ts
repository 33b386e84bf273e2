/**
 * A simulated fleet whose running configs are the renders of a manifest, with that manifest saved
 * as revision 1 and its secrets bundle stored, as an adoption would leave them. The manifest is
 * built from the fleet's own inputs (cluster name, endpoint, versions, install image, secrets
 * bundle read from a control plane), then each node is sent its render, so a plan of the same
 * manifest finds nothing to change.
 */
import { parse, stringify } from "yaml";

import { ManifestRenderer } from "@/lib/manifest/render";
import { manifestSchema, type Manifest } from "@/lib/manifest/schema";
import type { FleetOptions } from "@/lib/simulator/fleet";
import { makeManifestDeps } from "@/lib/server/manifests/deps";
import type { PlanDeps } from "@/lib/server/manifests/plan";
import { secretsBundleFromConfig, stringifySecretsBundle, type SecretsBundle } from "@/lib/talos/secrets/bundle";
import { startConfigTestFleet, type ConfigTestFleet } from "@/test/configs/fleet";

export interface SeededFleet extends ConfigTestFleet {
  cluster: string;
  manifest: Manifest;
  /** The manifest as text (saved as revision 1). */
  yaml: string;
  secrets: SecretsBundle;
  plan: PlanDeps;
  /** What the clock of the manifest deps says (tests move it). */
  clock: { now: Date | null };
  /** The render of one node of `manifest` (default: the seeded one). */
  render(hostname: string, manifest?: Manifest): string;
}

type Js = Record<string, unknown>;

export async function startSeededFleet(options: Partial<FleetOptions> & { firstAddress: string }): Promise<SeededFleet> {
  const t = await startConfigTestFleet(options);
  const cluster = t.fleet.clusters[0]!;
  const cp = t.fleet.nodes.find((n) => n.role === "controlplane")!;
  const cpConfig = await t.runningConfig(t.idOf(cp.address));
  const secrets = secretsBundleFromConfig(cpConfig, "control plane config");
  const v1 = parse(cpConfig.split(/^---$/m)[0]!) as { machine: { install: { image: string } }; cluster: { clusterName: string; controlPlane: { endpoint: string }; apiServer: { image: string } } };
  const manifest = manifestSchema.parse({
    version: 1,
    cluster: {
      name: v1.cluster.clusterName,
      endpoint: v1.cluster.controlPlane.endpoint,
      talosVersion: await t.clients.admin.talosVersion(cp.address),
      kubernetesVersion: v1.cluster.apiServer.image.split(":").pop(),
    },
    generate: { installImage: v1.machine.install.image },
    nodes: t.fleet.nodes.map((n) => ({ address: n.address, hostname: n.hostname, role: n.role })),
  } satisfies Js);
  const yaml = stringify(manifest);
  const renderer = new ManifestRenderer(manifest, secrets);
  await Promise.all(manifest.nodes.map((n) => t.clients.admin.applyConfiguration(n.address, { data: renderer.render(n), mode: "no-reboot" })));

  const clock: { now: Date | null } = { now: null };
  const manifests = makeManifestDeps({
    db: t.deps.db,
    box: t.deps.box,
    clusterNodes: async () => t.fleet.nodes.map((n) => n.address),
    client: async () => t.clients.admin,
    now: () => clock.now ?? new Date(),
    nodeTimeoutMs: 5_000,
  });
  await manifests.repo.saveSecrets(cluster, stringifySecretsBundle(secrets), new Date());
  await manifests.repo.insert({ cluster, author: "test", at: new Date(), source: "adopt", yaml, base: null });
  return {
    ...t,
    cluster,
    manifest,
    yaml,
    secrets,
    clock,
    plan: { configs: t.deps, manifests, planNodeTimeoutMs: 10_000 },
    render: (hostname, m = manifest) => new ManifestRenderer(m, secrets).render(m.nodes.find((n) => n.hostname === hostname)!),
  };
}
