/**
 * Cluster manifest figures (`npm run bench manifests`) on a simulated 100-node cluster (3 control
 * planes, 97 workers) over real gRPC: adoption end to end (read every node's config, hostname,
 * machine type and version; extract the bundle; factor; check every render; save), and the live
 * per-cluster drift (read every node, render it, compare).
 */
import { randomBytes } from "node:crypto";
import { performance } from "node:perf_hooks";

import { adoptCluster } from "@/lib/server/manifests/adopt";
import { makeManifestDeps } from "@/lib/server/manifests/deps";
import { clusterDrift } from "@/lib/server/manifests/drift";
import { openDb } from "@/lib/server/platform/db/db";
import { SecretBox } from "@/lib/server/platform/secret-box";
import { median } from "@/test/bench/stats";
import type { BenchRow } from "@/test/bench/types";
import { startTestFleet } from "@/test/talos/fleet";

const SUITE = "cluster-manifests";
const RUNS = 3;

export default async function bench(): Promise<BenchRow[]> {
  const t = await startTestFleet({ firstAddress: "127.0.157.1", controlPlanes: 3, workers: 97 });
  const db = openDb(":memory:");
  try {
    const deps = makeManifestDeps({
      db,
      box: new SecretBox(randomBytes(32)),
      clusterNodes: async () => t.fleet.nodes.map((n) => n.address),
      client: async () => t.clients.admin,
    });
    const cluster = t.fleet.clusters[0]!;
    const adopt: number[] = [];
    const drift: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      let start = performance.now();
      const a = await adoptCluster(deps, cluster, { replace: true, reveal: false }, "bench");
      adopt.push((performance.now() - start) / 1000);
      if (a.report.nodes.length !== 100 || a.report.nodes.some((n) => !n.reproduced)) throw new Error("adoption did not reproduce every node");
      start = performance.now();
      const d = await clusterDrift(deps, cluster);
      drift.push((performance.now() - start) / 1000);
      if (d.nodes.some((n) => n.state !== "in-sync")) throw new Error("drift right after adoption");
    }
    const note = `median of ${RUNS}; ${deps.concurrency} nodes read at a time`;
    return [
      { suite: SUITE, name: "adopt a 100-node cluster (read, factor, check, save)", value: median(adopt), unit: "s", note },
      { suite: SUITE, name: "drift of a 100-node cluster (read, render, compare)", value: median(drift), unit: "s", note },
    ];
  } finally {
    await db.destroy();
    await t.stop();
  }
}
