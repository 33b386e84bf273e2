/**
 * Fleet poller benchmarks (`npm run bench poller`), against 1,000 simulated nodes (3 control
 * planes + 997 workers, `ports` mode) run by the simulator in a child process, so the CPU and
 * memory measured here are Minos's alone:
 *  - one full sweep (every node: Version, MachineStatus, ServiceList, Memory, LoadAvg, Hostname,
 *    BootID, and etcd on control planes), cold (first) and warm: wall time, CPU per node, heap;
 *  - steady state with every Events stream open at the default 5 s interval, over 60 s: CPU share,
 *    CPU per node per second (the figure issue 20 halves), CPU per poll (the same, independent of
 *    how many polls a loaded machine gets done), heap;
 *  - GET /api/nodes (all 1,000 nodes) under 50 concurrent clients, calling the route handler
 *    in-process (JSON serialisation and body read included, no HTTP socket) while the poller
 *    keeps polling: p50, p99, throughput, body size.
 *
 * `MINOS_BENCH_POLLER_STEADY=1` runs the steady state only (for A/B runs of two checkouts,
 * interleaved: the bench file is the same, the poller under it is not).
 * `MINOS_BENCH_POLLER_AB=<rounds>` adds an A/B in this one process, rounds interleaved so drift
 * on the shared cores hits both alike: A polls without Events streams, so every poll reads
 * everything (the reads before light polls, with today's decoding: a conservative baseline);
 * B is the default poller. CPU per poll, medians, and the median of the per-round ratios.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { createInterface } from "node:readline";

import type { BenchRow } from "@/test/bench/types";

const SUITE = "fleet-poller";
const CONTROL_PLANES = 3;
const WORKERS = 997;
const NODES = CONTROL_PLANES + WORKERS;
const API_CLIENTS = 50;
const API_REQUESTS = 1_000;
const STEADY_SECONDS = 60;

function quantile(sorted: number[], q: number): number {
  const idx = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[idx] ?? NaN;
}

function gc(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

/** JS heap plus ArrayBuffers (the history rings are typed arrays, outside heapUsed). */
const heapMb = () => {
  const m = process.memoryUsage();
  return (m.heapUsed + m.arrayBuffers) / 2 ** 20;
};
const cpuMs = (since: NodeJS.CpuUsage) => {
  const d = process.cpuUsage(since);
  return (d.user + d.system) / 1000;
};

async function startSimulator(stateDir: string): Promise<{ child: ChildProcess; talosconfig: string }> {
  const root = path.resolve(__dirname, "../../..");
  const tsx = path.join(root, "node_modules", "tsx", "dist", "cli.mjs");
  const args = [tsx, path.join(root, "lib", "simulator", "main.ts"), "--control-planes", String(CONTROL_PLANES), "--workers", String(WORKERS)];
  args.push("--ports", "--base-port", "0", "--control-port", "0", "--state-dir", stateDir);
  const child = spawn(process.execPath, args, { cwd: root, stdio: ["ignore", "pipe", "inherit"] });
  const talosconfig = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on("line", (line) => {
      const m = /^MINOS_SIM_READY (.*)$/.exec(line);
      if (m) resolve((JSON.parse(m[1]!) as { talosconfig: string }).talosconfig);
    });
    child.on("exit", (code) => reject(new Error(`the simulator exited (${code}) before it was ready`)));
  });
  return { child, talosconfig };
}

export default async function bench(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const stateDir = await mkdtemp(path.join(os.tmpdir(), "minos-poller-bench-"));
  const simStart = performance.now();
  const sim = await startSimulator(stateDir);
  console.error(`simulator with ${NODES} nodes ready in ${((performance.now() - simStart) / 1000).toFixed(1)} s`);
  process.env.TALOSCONFIG = sim.talosconfig;
  const note = `${CONTROL_PLANES} CP + ${WORKERS} workers, simulator in a child process`;

  try {
    const { getFleetPoller, stopFleetPoller } = await import("@/lib/server/fleet/service");
    const { createFleetPoller } = await import("@/lib/server/fleet/poller");
    const { getClusterClient } = await import("@/lib/server/fleet/clients");
    const { getFleetSource } = await import("@/lib/server/fleet/source");
    const { GET } = await import("@/app/api/nodes/route");
    const { authedRequest } = await import("@/test/auth/credentials");

    const steadyOnly = process.env.MINOS_BENCH_POLLER_STEADY === "1";
    let cpu = process.cpuUsage();
    let t0 = performance.now();
    // --- one full sweep, cold then warm ----------------------------------------------------
    if (!steadyOnly) {
      gc();
      const heap0 = heapMb();
      // Dropped after use, so the steady-state heap below is measured without it.
      // Polled here, not leased: the replication's leases would leave every cluster mirrored (unpolled) at first.
      let poller: ReturnType<typeof getFleetPoller> | null = getFleetPoller({ watchEvents: false, startUnowned: false, ownership: undefined });
      cpu = process.cpuUsage();
      t0 = performance.now();
      await poller.firstSweep();
      const coldMs = performance.now() - t0;
      const coldCpu = cpuMs(cpu);
      if (poller.snapshot().nodes.length !== NODES) throw new Error(`expected ${NODES} nodes, got ${poller.snapshot().nodes.length}`);
      const reachable = poller.snapshot().nodes.filter((n) => n.reachable && n.ready).length;

      cpu = process.cpuUsage();
      t0 = performance.now();
      await poller.sweepNow();
      const warmMs = performance.now() - t0;
      const warmCpu = cpuMs(cpu);
      gc();
      const heapSweep = heapMb() - heap0;

      rows.push(
        { suite: SUITE, name: "full sweep, cold (first; TLS + role lookups)", value: coldMs, unit: "ms", note: `${note}; concurrency 32, ${reachable}/${NODES} ready` },
        { suite: SUITE, name: "full sweep, warm", value: warmMs, unit: "ms", note: "concurrency 32, 7 calls per node (+2 on control planes)" },
        { suite: SUITE, name: "CPU per node, cold sweep", value: (coldCpu * 1000) / NODES, unit: "µs", note: "process.cpuUsage delta / nodes" },
        { suite: SUITE, name: "CPU per node, warm sweep", value: (warmCpu * 1000) / NODES, unit: "µs", note: "process.cpuUsage delta / nodes" },
        { suite: SUITE, name: "heap after a sweep (snapshot + history)", value: heapSweep, unit: "MB", note: "heapUsed + arrayBuffers delta after gc, poller included" },
      );

      // --- GET /api/nodes under 50 concurrent clients ------------------------------------------
      // The poller keeps polling (5 s interval) meanwhile, as it would in production.
      const url = "http://minos.bench/api/nodes";
      let bytes = 0;
      for (let i = 0; i < 20; i++) bytes = (await (await GET(await authedRequest(url))).text()).length;
      const lat: number[] = [];
      let next = 0;
      cpu = process.cpuUsage();
      t0 = performance.now();
      await Promise.all(
        Array.from({ length: API_CLIENTS }, async () => {
          while (next++ < API_REQUESTS) {
            const s = performance.now();
            const res = await GET(await authedRequest(url));
            await res.text();
            lat.push(performance.now() - s);
          }
        }),
      );
      const apiMs = performance.now() - t0;
      lat.sort((a, b) => a - b);
      rows.push(
        { suite: SUITE, name: "GET /api/nodes p50 (50 clients)", value: quantile(lat, 0.5), unit: "ms", note: `in-process route handler, ${NODES} nodes, ${(bytes / 1024).toFixed(0)} KB body` },
        { suite: SUITE, name: "GET /api/nodes p99 (50 clients)", value: quantile(lat, 0.99), unit: "ms", note: "while the poller polls every 5 s" },
        { suite: SUITE, name: "GET /api/nodes throughput", value: (API_REQUESTS / apiMs) * 1000, unit: "req/s", note: `${API_REQUESTS} requests; CPU ${(cpuMs(cpu) / API_REQUESTS).toFixed(2)} ms each` },
      );
      await stopFleetPoller();
      poller = null;
      await new Promise((r) => setTimeout(r, 100));
    }

    // --- steady state: 5 s interval, every Events stream open --------------------------------
    const source = await getFleetSource();
    const ctx = source.config!.contexts[0]!;
    const client = await getClusterClient(ctx.name);
    gc();
    const heap1 = heapMb();
    const steady = createFleetPoller({ loadClusters: async () => [{ name: ctx.name, nodes: ctx.nodes, client }] });
    t0 = performance.now();
    await steady.firstSweep();
    const deadline = Date.now() + 30_000;
    while (steady.stats().watchers < NODES && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    const watchersOpenMs = performance.now() - t0;
    const watchers = steady.stats().watchers;
    // Let the first sweep's burst pass; then measure whole intervals. The window is one
    // `fullReadMaxAgeMs` (60 s) long, so it holds every node's periodic full read: a long-run average.
    await new Promise((r) => setTimeout(r, 5_000));
    cpu = process.cpuUsage();
    const polls0 = steady.stats().polls;
    const full0 = steady.stats().fullReads;
    t0 = performance.now();
    await new Promise((r) => setTimeout(r, STEADY_SECONDS * 1000));
    const steadyCpu = cpuMs(cpu) / (performance.now() - t0);
    const polls = steady.stats().polls - polls0;
    const fullReads = steady.stats().fullReads - full0;
    gc();
    const heapSteady = heapMb() - heap1;
    await steady.stop();
    rows.push(
      { suite: SUITE, name: "steady state CPU (5 s interval, Events streams open)", value: steadyCpu * 100, unit: "% of a core", note: `${polls} polls in ${STEADY_SECONDS} s, ${watchers}/${NODES} streams` },
      // CPU ms per wall ms → µs of CPU per node per second of watching.
      { suite: SUITE, name: "CPU per node per second in steady state", value: (steadyCpu * 1e6) / NODES, unit: "µs/s", note: `process.cpuUsage over the steady window / nodes / seconds; ${fullReads} of ${polls} polls read more than the readings` },
      { suite: SUITE, name: "CPU per poll in steady state", value: (steadyCpu * STEADY_SECONDS * 1e6) / Math.max(1, polls), unit: "µs", note: "the same CPU / polls made (the poll rate drops when the machine is loaded)" },
      // On a loaded machine the poller may not get every node polled every 5 s; this is the
      // figure at the interval it is set to, whatever rate this run reached.
      { suite: SUITE, name: "CPU per node per second at the 5 s interval", value: (steadyCpu * STEADY_SECONDS * 1e6) / Math.max(1, polls) / 5, unit: "µs/s", note: `CPU per poll / 5 s; this run polled each node every ${((NODES * STEADY_SECONDS) / Math.max(1, polls)).toFixed(1)} s` },
      { suite: SUITE, name: "time to first sweep + every Events stream open", value: watchersOpenMs, unit: "ms" },
      { suite: SUITE, name: "heap in steady state", value: heapSteady, unit: "MB", note: "heapUsed + arrayBuffers delta after gc, 1,000 open streams" },
    );

    const rounds = Number(process.env.MINOS_BENCH_POLLER_AB ?? 0);
    if (rounds > 0) rows.push(...(await abRounds(rounds, () => createFleetPoller({ loadClusters: async () => [{ name: ctx.name, nodes: ctx.nodes, client }], watchEvents: false }), () => createFleetPoller({ loadClusters: async () => [{ name: ctx.name, nodes: ctx.nodes, client }] }))));
  } finally {
    sim.child.kill("SIGTERM");
    await new Promise((r) => sim.child.once("exit", r));
    await rm(stateDir, { recursive: true, force: true });
  }
  return rows;
}

type BenchPoller = { firstSweep(): Promise<unknown>; stats(): { polls: number; watchers: number }; stop(): Promise<void> };

/** CPU per poll over `windowMs`, after the first sweep, the streams (when `streams`) and a settling pause. */
async function cpuPerPoll(make: () => BenchPoller, streams: boolean, windowMs: number): Promise<number> {
  const p = make();
  await p.firstSweep();
  const deadline = Date.now() + 30_000;
  while (streams && p.stats().watchers < NODES && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
  await new Promise((r) => setTimeout(r, 5_000));
  const cpu = process.cpuUsage();
  const polls0 = p.stats().polls;
  await new Promise((r) => setTimeout(r, windowMs));
  const used = cpuMs(cpu);
  const polls = p.stats().polls - polls0;
  await p.stop();
  gc();
  return (used * 1000) / Math.max(1, polls);
}

const median = (xs: number[]) => quantile([...xs].sort((a, b) => a - b), 0.5);

async function abRounds(rounds: number, makeA: () => BenchPoller, makeB: () => BenchPoller): Promise<BenchRow[]> {
  const a: number[] = [];
  const b: number[] = [];
  for (let i = 0; i < rounds; i++) {
    // A's cost is the same every poll (20 s hold four intervals); B's window is one
    // `fullReadMaxAgeMs` long, so it holds each node's periodic re-read.
    a.push(await cpuPerPoll(makeA, false, 20_000));
    b.push(await cpuPerPoll(makeB, true, STEADY_SECONDS * 1000));
    console.error(`A/B round ${i + 1}: A ${a[i]!.toFixed(0)} µs/poll, B ${b[i]!.toFixed(0)} µs/poll`);
  }
  const ratios = a.map((x, i) => b[i]! / x);
  const list = (xs: number[]) => xs.map((x) => x.toFixed(0)).join(", ");
  return [
    { suite: SUITE, name: "A/B: CPU per poll, A (every poll reads everything)", value: median(a), unit: "µs", note: `median of ${rounds}: ${list(a)}` },
    { suite: SUITE, name: "A/B: CPU per poll, B (light polls, Events streams open)", value: median(b), unit: "µs", note: `median of ${rounds}: ${list(b)}` },
    { suite: SUITE, name: "A/B: B / A", value: median(ratios), unit: "×", note: `median of the per-round ratios: ${ratios.map((r) => r.toFixed(2)).join(", ")}` },
  ];
}
