/**
 * Upgrade orchestration overhead (`npm run bench upgrades/runner`): serial upgrades of 8 and 50
 * simulated nodes (3 control planes), fast simulator timings. Overhead = wall time / the
 * simulator's own per-node work (the pull, at upgradeSeconds / 2, plus install and
 * reboot-to-ready from the timeline); 1.0 would mean the runner adds nothing between steps.
 * The breakdown rows say where the rest goes, per node (means): each is the time between two
 * of the simulator's steps that the runner spends on its own reads, writes and waits.
 */
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";

import type { BenchRow } from "@/test/bench/types";
import { callsOf, type CallRecord, mean, recordCalls } from "@/test/bench/calls";
import { upgradeRequestSchema, type UpgradePlan } from "@/lib/schemas/upgrades";
import type { TimelineEntry } from "@/lib/simulator/fleet";
import { openDb } from "@/lib/server/platform/db/db";
import { startTestFleet } from "@/test/talos/fleet";

import { type RunnerDeps, UpgradeRunner } from "./runner";
import { simulatedWorkMs } from "@/test/upgrades/timeline";

const SUITE = "upgrades";
const UPGRADE_S = 0.2;

/** Where each node's time went, from the runner's calls, the simulator's timeline and the plan. */
function breakdown(plan: UpgradePlan, calls: CallRecord[], timeline: TimelineEntry[]): Record<string, number[]> {
  const out: Record<string, number[]> = {
    "first read → pull": [],
    "pull beyond the simulator's": [],
    "pull → installer": [],
    "installer beyond the simulator's": [],
    "installer → reboot call": [],
    "ready → node done (health gate)": [],
    "node done → next node's first read": [],
    "health reads (machineStatus) per node": [],
  };
  const byStart = [...plan.nodes].sort((a, b) => Date.parse(a.startedAt!) - Date.parse(b.startedAt!));
  let prevDone: number | null = null;
  for (const n of byStart) {
    const a = n.address;
    const pull = callsOf(calls, a, "imagePull")[0];
    // The node's own first read (the planner read every node's version long before).
    const first = pull && callsOf(calls, a, "version").filter((c) => c.start <= pull.start).at(-1);
    const install = callsOf(calls, a, "lifecycleUpgrade")[0];
    const reboot = callsOf(calls, a, "reboot")[0];
    const ready = timeline.find((e) => e.node === a && e.event === "ready" && reboot && e.time >= reboot.start);
    const done = Date.parse(n.finishedAt!);
    if (!first || !pull || !install || !reboot || !ready) continue;
    if (prevDone !== null) out["node done → next node's first read"]!.push(first.start - prevDone);
    out["first read → pull"]!.push(pull.start - first.start);
    out["pull beyond the simulator's"]!.push(pull.end - pull.start - (UPGRADE_S * 1000) / 2);
    out["pull → installer"]!.push(install.start - pull.end);
    out["installer beyond the simulator's"]!.push(install.end - install.start - UPGRADE_S * 1000);
    out["installer → reboot call"]!.push(reboot.start - install.end);
    out["ready → node done (health gate)"]!.push(done - ready.time);
    out["health reads (machineStatus) per node"]!.push(callsOf(calls, a, "machineStatus").filter((c) => c.start >= reboot.end).length);
    prevDone = done;
  }
  return out;
}

async function run(nodes: number, firstAddress: string, mode: { label: string; deps: Partial<RunnerDeps> }): Promise<BenchRow[]> {
  const t = await startTestFleet({ firstAddress, controlPlanes: 3, workers: nodes - 3, rebootSeconds: 0.3, bootSeconds: 0.2, readySeconds: 0.1, upgradeSeconds: UPGRADE_S });
  const dir = await mkdtemp(path.join(os.tmpdir(), "minos-upgrade-bench-"));
  // MINOS_DATABASE_URL measures the PostgreSQL store; a SQLite file otherwise.
  const db = openDb(process.env.MINOS_DATABASE_URL ?? path.join(dir, "minos.db"));
  const calls: CallRecord[] = [];
  const client = recordCalls(t.clients.admin, calls);
  const runner = new UpgradeRunner({ db, client: async () => client, clusterNodes: async () => t.contexts.admin.nodes, pollIntervalMs: 100, log: () => {}, ...mode.deps });
  try {
    runner.start();
    const from = t.fleet.timeline().length;
    const t0 = performance.now();
    const plan = await runner.create(upgradeRequestSchema.parse({ cluster: "sim-1", version: "v1.14.0", strategy: { maxParallelWorkers: 1 } }));
    let p: UpgradePlan;
    for (;;) {
      p = await runner.getOrThrow(plan.id);
      if (p.state === "succeeded") break;
      if (p.state === "failed" || p.state === "cancelled") throw new Error(`plan ${p.state}: ${p.reason}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    const wall = performance.now() - t0;
    const timeline = t.fleet.timeline().slice(from);
    const sim = simulatedWorkMs(timeline) + nodes * (UPGRADE_S / 2) * 1000;
    const name = (what: string) => `serial upgrade, ${nodes} nodes, ${mode.label}: ${what}`;
    const rows: BenchRow[] = [
      { suite: SUITE, name: name("wall time"), value: wall / 1000, unit: "s" },
      { suite: SUITE, name: name("simulated work"), value: sim / 1000, unit: "s", note: "pull + install + reboot-to-ready, summed" },
      { suite: SUITE, name: name("orchestration overhead"), value: wall / sim, unit: "×", note: "wall / simulated work" },
      { suite: SUITE, name: name("per node"), value: (wall - sim) / nodes, unit: "ms", note: "added by Minos per node" },
    ];
    for (const [what, xs] of Object.entries(breakdown(p, calls, timeline))) {
      rows.push({ suite: SUITE, name: name(`  ${what}`), value: mean(xs), unit: what.startsWith("health reads") ? "reads" : "ms", note: "mean per node" });
    }
    return rows;
  } finally {
    await runner.stop();
    await db.destroy();
    await t.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

export default async function bench(): Promise<BenchRow[]> {
  // The gate as it was (a look every 100 ms), and on the node's events with a 1 s fallback poll.
  const modes = [
    { label: "polling every 100 ms", deps: { pollIntervalMs: 100, gateEvents: false } },
    { label: "events, 1 s fallback poll", deps: { pollIntervalMs: 1000 } },
  ];
  const rows: BenchRow[] = [];
  for (const m of modes) rows.push(...(await run(8, "127.0.148.1", m)), ...(await run(50, "127.0.149.1", m)));
  return rows;
}
