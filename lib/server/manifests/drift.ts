import "server-only";

import type { z } from "zod";

import { configDifferences } from "@/lib/manifest/compare";
import { ManifestRenderer } from "@/lib/manifest/render";
import type { Manifest, ManifestNode } from "@/lib/manifest/schema";
import type { clusterDriftNodeSchema, clusterDriftResponseSchema } from "@/lib/schemas/manifests";
import type { ManifestDeps } from "@/lib/server/manifests/deps";
import { readNodes } from "@/lib/server/manifests/nodes";
import { clusterScrubber } from "@/lib/server/manifests/scrub";
import { storedManifest } from "@/lib/server/manifests/stored";
import { nodeId } from "@/lib/fleet/node-id";

export type ClusterDriftNode = z.infer<typeof clusterDriftNodeSchema>;
export type ClusterDriftResponse = z.infer<typeof clusterDriftResponseSchema>;

/** Lets the event loop serve other requests between two renders (each is a few milliseconds of CPU). */
const breathe = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Which manifest node a node of the cluster is: by address, else by hostname (a node the
 * talosconfig names by another address than the manifest does).
 */
function matcher(manifest: Manifest) {
  const byAddress = new Map(manifest.nodes.map((n) => [n.address, n]));
  const byHostname = new Map(manifest.nodes.map((n) => [n.hostname, n]));
  return (address: string, hostname?: string): ManifestNode | undefined => byAddress.get(address) ?? (hostname !== undefined ? byHostname.get(hostname) : undefined);
}

/**
 * The cluster's drift, live: every node of the cluster against the render of the latest manifest
 * revision. `in-sync` when the running config equals the render semantically (lib/manifest/compare),
 * `drifted` with the differing paths, `unreachable`, `not-in-manifest` for a node of the cluster
 * the manifest does not list, `missing` for one it lists that the cluster does not have. Before
 * adoption there is nothing to compare against: revision null, no nodes.
 *
 * Not stored, and the periodic per-node checker (lib/server/configs/drift.ts) keeps comparing each
 * node with the last config Minos put there: a manifest apply records those per node too, so both
 * agree after it, and this view costs one read and one render per node only when someone looks.
 * @throws AppError not_found for an unknown cluster
 */
export async function clusterDrift(deps: ManifestDeps, cluster: string): Promise<ClusterDriftResponse> {
  const addresses = await deps.clusterNodes(cluster);
  const latest = await deps.repo.latest(cluster);
  if (!latest) return { cluster, revision: null, checkedAt: deps.now().toISOString(), nodes: [] };
  const { manifest, secrets } = await storedManifest(deps, cluster, latest.revision);
  const renderer = new ManifestRenderer(manifest, secrets);
  // A render error may quote a value; viewers read this view.
  const scrub = clusterScrubber(secrets, [manifest]);
  const find = matcher(manifest);
  const seen = new Set<ManifestNode>();

  const readings = await readNodes(deps, cluster, addresses);
  const nodes: ClusterDriftNode[] = [];
  for (const r of readings) {
    const listed = find(r.address, r.ok ? r.hostname : undefined);
    if (listed) seen.add(listed);
    const hostname = listed?.hostname ?? (r.ok ? r.hostname : r.address);
    if (!listed) {
      nodes.push({ node: r.id, hostname, state: "not-in-manifest", paths: [], message: "The manifest does not list this node" });
    } else if (!r.ok) {
      nodes.push({ node: r.id, hostname, state: "unreachable", paths: [], message: scrub.message(r.error) });
    } else {
      await breathe();
      let rendered: string;
      try {
        rendered = renderer.render(listed);
      } catch (e) {
        nodes.push({ node: r.id, hostname, state: "drifted", paths: [], message: scrub.message(`The manifest does not render for this node: ${e instanceof Error ? e.message : String(e)}`) });
        continue;
      }
      const paths = configDifferences(rendered, r.config);
      nodes.push(paths.length === 0 ? { node: r.id, hostname, state: "in-sync", paths } : { node: r.id, hostname, state: "drifted", paths, message: "The running config differs from the manifest's render" });
    }
  }
  for (const n of manifest.nodes) {
    if (!seen.has(n)) nodes.push({ node: nodeId(cluster, n.address), hostname: n.hostname, state: "missing", paths: [], message: "The manifest lists this node, but the cluster does not have it" });
  }
  return { cluster, revision: latest.revision, checkedAt: deps.now().toISOString(), nodes };
}
