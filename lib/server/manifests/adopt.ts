import "server-only";

import type { z } from "zod";

import { AdoptError, adoptManifest, type AdoptResult } from "@/lib/manifest/adopt";
import { redactManifest } from "@/lib/manifest/redact";
import type { AdoptReport, adoptResponseSchema } from "@/lib/schemas/manifests";
import type { ManifestDeps } from "@/lib/server/manifests/deps";
import { readNodes, type NodeFacts } from "@/lib/server/manifests/nodes";
import { recordAudit } from "@/lib/server/platform/audit";
import { AppError } from "@/lib/server/platform/errors";
import { SourceError } from "@/lib/talos/errors";
import { secretsBundleFromConfig, stringifySecretsBundle, type SecretsBundle } from "@/lib/talos/secrets/bundle";

type AdoptResponse = z.infer<typeof adoptResponseSchema>;
type NodeReport = AdoptReport["nodes"][number];

/** The bundle from the first control plane whose config has every key (a worker's has no CA keys). */
function bundleFrom(controlPlanes: NodeFacts[]): { bundle: SecretsBundle; from: NodeFacts } | { error: string } {
  let last = "no control plane of the cluster could be read";
  for (const n of controlPlanes) {
    try {
      return { bundle: secretsBundleFromConfig(n.config, `the running config of ${n.hostname}`), from: n };
    } catch (e) {
      if (!(e instanceof SourceError)) throw e;
      last = `the secrets bundle could not be read from ${n.hostname}: ${e.message}`;
    }
  }
  return { error: last };
}

/**
 * POST …/manifest/adopt: reads every node of the cluster, takes the secrets bundle from a control
 * plane, factors the running configs into a manifest (lib/manifest/adopt) and saves it as the
 * next revision together with the sealed bundle, in one transaction, only when rendering the
 * manifest reproduces every node exactly. Otherwise nothing is saved: 422 whose details.report
 * names each node that could not be read or reproduced. 409 when the cluster has a manifest and
 * `replace` is not set. Both outcomes are audited (revision and node names, never content).
 */
export async function adoptCluster(deps: ManifestDeps, cluster: string, opts: { replace?: boolean; reveal: boolean }, actor: string): Promise<AdoptResponse> {
  const addresses = await deps.clusterNodes(cluster);
  const latest = await deps.repo.latest(cluster);
  if (latest && !opts.replace) {
    throw new AppError("conflict", `Cluster "${cluster}" already has a manifest (revision ${latest.revision}); adopt with replace to make the running configs its next revision`, {
      details: { latestRevision: latest.revision },
    });
  }
  const refuse = async (message: string, report: AdoptReport): Promise<never> => {
    const failed = report.nodes.filter((n) => !n.reproduced).map((n) => n.node);
    await recordAudit(deps.db, { actor, action: "manifest.adopt", target: cluster, result: "refused", details: { nodes: report.nodes.length, failed } });
    throw new AppError("invalid_config", message, { details: { report } });
  };
  if (addresses.length === 0) return refuse(`Cluster "${cluster}" has no nodes to adopt`, { nodes: [] });

  const readings = await readNodes(deps, cluster, addresses);
  const read = readings.filter((r): r is NodeFacts => r.ok);
  const unreadable: NodeReport[] = readings.flatMap((r) => (r.ok ? [] : [{ node: r.id, reproduced: false, reason: `could not be read: ${r.error}` }]));
  const found = bundleFrom(read.filter((n) => n.role === "controlplane"));
  if ("error" in found) {
    const rest = read.map((n): NodeReport => ({ node: n.id, hostname: n.hostname, reproduced: false, reason: `not adopted: ${found.error}` }));
    return refuse(`Cluster "${cluster}" cannot be adopted: ${found.error}`, { nodes: [...unreadable, ...rest] });
  }

  // The nodes that could be read are adopted even when another could not: the report then says
  // for each of them whether the manifest reproduces it, so one fix covers everything.
  let adopted: AdoptResult;
  try {
    adopted = adoptManifest({
      nodes: read.map((n) => ({ address: n.address, hostname: n.hostname, role: n.role, config: n.config, ...(n.version ? { version: n.version } : {}) })),
      secrets: found.bundle,
      cluster: { ...(found.from.version ? { talosVersion: found.from.version } : {}) },
    });
  } catch (e) {
    if (!(e instanceof AdoptError)) throw e;
    const rest = read.map((n): NodeReport => ({ node: n.id, hostname: n.hostname, reproduced: false, reason: `not adopted: ${e.message}` }));
    return refuse(`Cluster "${cluster}" cannot be adopted: ${e.message}`, { nodes: [...unreadable, ...rest] });
  }
  const byAddress = new Map(read.map((n) => [n.address, n]));
  const reproducedReport: NodeReport[] = adopted.report.nodes.map((r) => ({
    node: byAddress.get(r.address)?.id ?? `${r.address}@${cluster}`,
    hostname: r.hostname,
    reproduced: r.reproduced,
    ...(r.reason !== undefined ? { reason: r.reason } : {}),
    ...(r.paths !== undefined ? { paths: r.paths } : {}),
  }));
  const report: AdoptReport = { nodes: [...unreadable, ...reproducedReport] };
  const bad = report.nodes.filter((n) => !n.reproduced);
  if (bad.length > 0) {
    const names = bad.slice(0, 5).map((n) => n.hostname ?? n.node);
    return refuse(
      `Cluster "${cluster}" was not adopted: ${bad.length} node${bad.length === 1 ? "" : "s"} could not be read or reproduced (${names.join(", ")}${bad.length > 5 ? ", …" : ""}); nothing was saved`,
      report,
    );
  }

  const saved = await deps.db.transaction().execute(async (trx) => {
    const repo = deps.repo.on(trx);
    const at = deps.now();
    const r = await repo.insert({
      cluster,
      author: actor,
      at,
      source: "adopt",
      message: opts.replace ? "Adopted again from the running nodes" : "Adopted from the running nodes",
      yaml: adopted.yaml,
      base: latest?.revision ?? null,
    });
    await repo.saveSecrets(cluster, stringifySecretsBundle(found.bundle), at);
    await recordAudit(trx, { actor, action: "manifest.adopt", target: cluster, result: "ok", details: { revision: r.revision, nodes: report.nodes.length, replace: Boolean(opts.replace), bundleFrom: found.from.hostname } });
    return r;
  });
  return { yaml: opts.reveal ? adopted.yaml : redactManifest(adopted.yaml), revision: saved.revision, report };
}
