/**
 * Upgrade orchestration overhead (`npm run bench upgrades`): serial upgrades of 8 and 50 simulated
 * nodes (3 control planes), fast simulator timings. Overhead = wall time / the simulator's own
 * per-node work (the pull, at upgradeSeconds / 2, plus install and reboot-to-ready from the
 * timeline); 1.0 would mean the runner adds nothing between steps.
 */
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";

import type { BenchRow } from "@/test/bench/types";
import { upgradeRequestSchema } from "@/lib/schemas/upgrades";
import { openDb } from "@/lib/server/platform/db/db";
import { startTestFleet } from "@/test/talos/fleet";

import { UpgradeRunner } from "./runner";
import { simulatedWorkMs } from "@/test/upgrades/timeline";

const SUITE = "upgrades";
const UPGRADE_S = 0.2;

async function run(nodes: number, firstAddress: string): Promise<BenchRow[]> {
  const t = await startTestFleet({ firstAddress, controlPlanes: 3, workers: nodes - 3, rebootSeconds: 0.3, bootSeconds: 0.2, readySeconds: 0.1, upgradeSeconds: UPGRADE_S });
  const dir = await mkdtemp(path.join(os.tmpdir(), "minos-upgrade-bench-"));
  // MINOS_DATABASE_URL measures the PostgreSQL store; a SQLite file otherwise.
  const db = openDb(process.env.MINOS_DATABASE_URL ?? path.join(dir, "minos.db"));
  const runner = new UpgradeRunner({ db, client: async () => t.clients.admin, clusterNodes: async () => t.contexts.admin.nodes, pollIntervalMs: 100, log: () => {} });
  try {
    runner.start();
    const from = t.fleet.timeline().length;
    const t0 = performance.now();
    const plan = await runner.create(upgradeRequestSchema.parse({ cluster: "sim-1", version: "v1.14.0", strategy: { maxParallelWorkers: 1 } }));
    for (;;) {
      const p = await runner.getOrThrow(plan.id);
      if (p.state === "succeeded") break;
      if (p.state === "failed" || p.state === "cancelled") throw new Error(`plan ${p.state}: ${p.reason}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    const wall = performance.now() - t0;
    const sim = simulatedWorkMs(t.fleet.timeline().slice(from)) + nodes * (UPGRADE_S / 2) * 1000;
    return [
      { suite: SUITE, name: `serial upgrade, ${nodes} nodes: wall time`, value: wall / 1000, unit: "s" },
      { suite: SUITE, name: `serial upgrade, ${nodes} nodes: simulated work`, value: sim / 1000, unit: "s", note: "pull + install + reboot-to-ready, summed" },
      { suite: SUITE, name: `serial upgrade, ${nodes} nodes: orchestration overhead`, value: wall / sim, unit: "×", note: "wall / simulated work" },
      { suite: SUITE, name: `serial upgrade, ${nodes} nodes: per node`, value: (wall - sim) / nodes, unit: "ms", note: "added by Minos per node" },
    ];
  } finally {
    await runner.stop();
    await db.destroy();
    await t.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

export default async function bench(): Promise<BenchRow[]> {
  return [...(await run(8, "127.0.148.1")), ...(await run(50, "127.0.149.1"))];
}
