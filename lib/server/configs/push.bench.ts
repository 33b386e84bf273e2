/**
 * Config push figures (`npm run bench configs`): time from "apply" to a healthy node, for one
 * node and for a rollout of 8, against the simulator's configured durations (the e2e fleet's
 * reboot 2 s, boot 1 s; ready 0.5 s; apply 0.3 s with dry runs a third of that).
 */
import { performance } from "node:perf_hooks";

import type { BenchRow } from "@/test/bench/types";
import { redactConfig } from "@/lib/config/redact";
import { applyNodeConfig } from "@/lib/server/configs/apply";
import { RolloutRunner } from "@/lib/server/configs/rollouts/runner";
import { createRollout, getRollout } from "@/lib/server/configs/rollouts/service";
import { openDb } from "@/lib/server/platform/db/db";
import { startConfigTestFleet, type ConfigTestFleet } from "@/test/configs/fleet";
import { withHostname } from "@/test/talos/fleet";

const SUITE = "config-push";
const TIMING = { rebootSeconds: 2, bootSeconds: 1, readySeconds: 0.5, applySeconds: 0.3 };
/** What the simulator makes a reboot apply take at best: dry run + apply + reboot + boot + ready. */
const REBOOT_FLOOR_S = TIMING.applySeconds / 3 + TIMING.applySeconds + TIMING.rebootSeconds + TIMING.bootSeconds + TIMING.readySeconds;


async function waitHealthy(t: ConfigTestFleet, id: string, bootBefore: number | null): Promise<void> {
  for (;;) {
    try {
      const rebooted = bootBefore === null || (await t.clients.admin.systemStat(t.address(id))).bootTime !== bootBefore;
      const s = rebooted ? await t.clients.admin.machineStatus(t.address(id)) : null;
      if (s && s.stage === "running" && s.ready) return;
    } catch {
      // Rebooting: unreachable for a while.
    }
    await new Promise((r) => setTimeout(r, 25));
  }
}

export default async function bench(): Promise<BenchRow[]> {
  const db = openDb(":memory:");
  const t = await startConfigTestFleet({ firstAddress: "127.0.155.1", controlPlanes: 1, workers: 8, ...TIMING }, { db });
  const rows: BenchRow[] = [];
  try {
    const cluster = t.fleet.clusters[0]!;
    const workers = t.ids.slice(1);
    const base = redactConfig(await t.runningConfig(workers[0]!));

    for (const mode of ["no-reboot", "reboot"] as const) {
      const node = workers[0]!;
      const bootBefore = mode === "reboot" ? (await t.clients.admin.systemStat(t.address(node))).bootTime : null;
      const start = performance.now();
      await applyNodeConfig(t.deps, node, { yaml: withHostname(base, `bench-${mode}`), mode }, { actor: "bench" });
      await waitHealthy(t, node, bootBefore);
      const s = (performance.now() - start) / 1000;
      rows.push({
        suite: SUITE,
        name: `one node, ${mode}: apply → healthy`,
        value: s,
        unit: "s",
        note: mode === "reboot" ? `floor ${REBOOT_FLOOR_S.toFixed(1)} s (dry run + apply + reboot ${TIMING.rebootSeconds} s + boot ${TIMING.bootSeconds} s + ready ${TIMING.readySeconds} s)` : `floor ${(TIMING.applySeconds * 4 / 3).toFixed(2)} s (dry run + apply)`,
      });
    }

    for (const concurrency of [1, 4]) {
      const runner = new RolloutRunner({ deps: t.deps, pollMs: 100 });
      const start = performance.now();
      const r = await createRollout(
        t.deps,
        { yaml: withHostname(base, `bench-rollout-${concurrency}`), target: { cluster, role: "worker" }, mode: "reboot", concurrency, continueOnFailure: false },
        "bench",
        { runner },
      );
      await runner.drain();
      const s = (performance.now() - start) / 1000;
      const done = await getRollout(t.deps, r.id);
      if (done.state !== "done") throw new Error(`rollout ended ${done.state}: ${done.message}`);
      const perNode = done.nodes.map((n) => (Date.parse(n.finishedAt!) - Date.parse(n.startedAt!)) / 1000);
      const floor = Math.ceil(8 / concurrency) * (REBOOT_FLOOR_S - TIMING.applySeconds / 3) + TIMING.applySeconds / 3;
      rows.push({ suite: SUITE, name: `rollout of 8, reboot, concurrency ${concurrency}: create → all healthy`, value: s, unit: "s", note: `floor ≈ ${floor.toFixed(1)} s` });
      rows.push({ suite: SUITE, name: `rollout of 8, concurrency ${concurrency}: per node apply → healthy (mean)`, value: perNode.reduce((a, b) => a + b, 0) / perNode.length, unit: "s" });
    }
  } finally {
    await t.stop();
    await db.destroy();
  }
  return rows;
}
