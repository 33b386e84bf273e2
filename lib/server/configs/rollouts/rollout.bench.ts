/**
 * Config rollout orchestration overhead (`npm run bench rollouts`): a reboot-mode rollout over 8
 * and 50 simulated workers, one node at a time, fast simulator timings (the upgrade benchmark's).
 * The preflight is done before the clock starts; measured is the drive, from the kick to the last
 * node healthy. Overhead = wall time / the simulator's own per-node work (from the apply call to
 * the node ready again after its reboot: the node's answer, its reboot and boot, from the call
 * log and the timeline); 1.0 would mean the runner adds nothing between steps. The breakdown rows
 * say where the rest goes, per node (means).
 */
import { performance } from "node:perf_hooks";

import type { BenchRow } from "@/test/bench/types";
import { callsOf, type CallRecord, mean, recordCalls } from "@/test/bench/calls";
import { redactConfig } from "@/lib/config/redact";
import type { RolloutDetail } from "@/lib/schemas/configs";
import { type RolloutRunnerOptions, RolloutRunner } from "@/lib/server/configs/rollouts/runner";
import { createRollout, getRollout } from "@/lib/server/configs/rollouts/service";
import { openDb } from "@/lib/server/platform/db/db";
import type { TimelineEntry } from "@/lib/simulator/fleet";
import { startConfigTestFleet } from "@/test/configs/fleet";
import { withHostname } from "@/test/talos/fleet";

const SUITE = "rollouts";
const TIMING = { rebootSeconds: 0.3, bootSeconds: 0.2, readySeconds: 0.1, applySeconds: 0.2 };

function breakdown(r: RolloutDetail, calls: CallRecord[], timeline: TimelineEntry[], address: (id: string) => string): { simMs: number; parts: Record<string, number[]> } {
  const parts: Record<string, number[]> = {
    "node start → apply call": [],
    "apply call (in the simulated work)": [],
    "ready → node done (health gate)": [],
    "node done → next node's start": [],
    "health reads (machineStatus) per node": [],
  };
  let simMs = 0;
  let prevDone: number | null = null;
  for (const n of [...r.nodes].sort((a, b) => Date.parse(a.startedAt!) - Date.parse(b.startedAt!))) {
    const a = address(n.id);
    const apply = callsOf(calls, a, "applyConfiguration").at(-1);
    const ready = apply && timeline.find((e) => e.node === a && e.event === "ready" && e.time >= apply.end);
    if (!apply || !ready) continue;
    const started = Date.parse(n.startedAt!);
    const done = Date.parse(n.finishedAt!);
    simMs += ready.time - apply.start;
    if (prevDone !== null) parts["node done → next node's start"]!.push(started - prevDone);
    parts["node start → apply call"]!.push(apply.start - started);
    parts["apply call (in the simulated work)"]!.push(apply.end - apply.start);
    parts["ready → node done (health gate)"]!.push(done - ready.time);
    parts["health reads (machineStatus) per node"]!.push(callsOf(calls, a, "machineStatus").filter((c) => c.start >= apply.end).length);
    prevDone = done;
  }
  return { simMs, parts };
}

async function run(workers: number, firstAddress: string, mode: { label: string; options: Partial<RolloutRunnerOptions> }): Promise<BenchRow[]> {
  // MINOS_DATABASE_URL measures the PostgreSQL store; an in-memory SQLite otherwise.
  const db = openDb(process.env.MINOS_DATABASE_URL ?? ":memory:");
  const t = await startConfigTestFleet({ firstAddress, controlPlanes: 1, workers, ...TIMING }, { db });
  const calls: CallRecord[] = [];
  const client = recordCalls(t.clients.admin, calls);
  const deps = { ...t.deps, client: async () => client };
  const runner = new RolloutRunner({ deps, pollMs: 100, ...mode.options });
  try {
    const cluster = t.fleet.clusters[0]!;
    const base = redactConfig(await t.runningConfig(t.ids[1]!));
    const created = await createRollout(t.deps, { yaml: withHostname(base, "bench-rolled"), target: { cluster, role: "worker" }, mode: "reboot", concurrency: 1, continueOnFailure: false }, "bench", { runner: null });
    const from = t.fleet.timeline().length;
    const t0 = performance.now();
    runner.kick(created.id);
    await runner.idle(created.id);
    const wall = performance.now() - t0;
    const r = await getRollout(t.deps, created.id);
    if (r.state !== "done") throw new Error(`rollout ended ${r.state}: ${r.message}`);
    const { simMs, parts } = breakdown(r, calls, t.fleet.timeline().slice(from), t.address);
    const name = (what: string) => `reboot rollout, ${workers} nodes, ${mode.label}: ${what}`;
    const rows: BenchRow[] = [
      { suite: SUITE, name: name("wall time"), value: wall / 1000, unit: "s" },
      { suite: SUITE, name: name("simulated work"), value: simMs / 1000, unit: "s", note: "apply call → ready after the reboot, summed" },
      { suite: SUITE, name: name("orchestration overhead"), value: wall / simMs, unit: "×", note: "wall / simulated work" },
      { suite: SUITE, name: name("per node"), value: (wall - simMs) / workers, unit: "ms", note: "added by Minos per node" },
    ];
    for (const [what, xs] of Object.entries(parts)) {
      rows.push({ suite: SUITE, name: name(`  ${what}`), value: mean(xs), unit: what.startsWith("health reads") ? "reads" : "ms", note: "mean per node" });
    }
    return rows;
  } finally {
    await runner.stop();
    await t.stop();
    await db.destroy();
  }
}

export default async function bench(): Promise<BenchRow[]> {
  // The wait as it was (a look every 100 ms), and on the node's events with a 1 s fallback poll.
  const modes = [
    { label: "polling every 100 ms", options: { pollMs: 100, gateEvents: false } },
    { label: "events, 1 s fallback poll", options: { pollMs: 1000 } },
  ];
  const rows: BenchRow[] = [];
  for (const m of modes) rows.push(...(await run(8, "127.0.156.1", m)), ...(await run(50, "127.0.157.1", m)));
  return rows;
}
