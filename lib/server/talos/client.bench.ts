/**
 * Talos client benchmarks (`npm run bench talos`):
 *  - unary Version throughput and p50/p99 latency through Minos's client vs raw generated
 *    grpc-js client calls to the same simulated node with the same channel setup (credentials,
 *    options, a dedicated channel each), sequential and at concurrency 32, after warm-up;
 *  - simulator memory per node at 1,000 nodes (3 control planes + 997 workers, `ports` mode).
 */
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";

import type { BenchRow } from "@/test/bench/types";

const SUITE = "talos-client";
const WARMUP = 300;
const CALLS = 2000;
const CONCURRENCY = 32;

function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const idx = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[idx]!;
}

interface Run {
  perSecond: number;
  p50: number;
  p99: number;
}

/**
 * Measures two call functions fairly on a shared, noisy machine: `rounds` alternating slices of
 * `calls / rounds` calls each (A, B, A, B…), `concurrency` calls in flight within a slice.
 * Throughput is calls over the summed slice times; percentiles over every call's latency.
 */
async function compare(a: () => Promise<unknown>, b: () => Promise<unknown>, calls: number, concurrency: number, rounds: number): Promise<[Run, Run]> {
  const fns = [a, b];
  const lat: number[][] = [[], []];
  const time = [0, 0];
  const perRound = Math.ceil(calls / rounds);
  for (let r = 0; r < rounds; r++) {
    for (let k = 0; k < 2; k++) {
      const f = fns[(r + k) % 2]!;
      const slot = (r + k) % 2;
      let next = 0;
      const start = performance.now();
      await Promise.all(
        Array.from({ length: concurrency }, async () => {
          while (next++ < perRound) {
            const t0 = performance.now();
            await f();
            lat[slot]!.push(performance.now() - t0);
          }
        }),
      );
      time[slot]! += performance.now() - start;
    }
  }
  return [0, 1].map((i) => {
    const sorted = lat[i]!.sort((x, y) => x - y);
    return { perSecond: (sorted.length / time[i]!) * 1000, p50: quantile(sorted, 0.5), p99: quantile(sorted, 0.99) };
  }) as [Run, Run];
}

async function versionBench(): Promise<BenchRow[]> {
  const [{ startFleet }, grpc, channel, client, gen, talosconfig] = await Promise.all([
    import("@/test/talos/fleet"),
    import("@grpc/grpc-js"),
    import("./channel"),
    import("./client"),
    import("@/lib/third_party/talos-proto/gen/machine/machine"),
    import("./talosconfig"),
  ]);
  const stateDir = await mkdtemp(path.join(os.tmpdir(), "minos-talos-bench-"));
  const fleet = await startFleet({ controlPlanes: 1, workers: 1, controlPort: 0, stateDir, firstAddress: "127.0.34.1" });
  try {
    const ctx = talosconfig.getTalosContextOrThrow(await talosconfig.loadTalosconfig(fleet.talosconfig.admin));
    const ep = ctx.endpoints[0]!;
    const target = fleet.nodes.find((n) => n.address === ep.host)!;

    // Minos: the cached channel for this endpoint and identity; no `node` metadata (the endpoint answers).
    const minos = client.createTalosClient(ctx);
    // Raw: the generated client on its own channel with identical credentials and options.
    const raw = new gen.MachineServiceClient(
      channel.endpointTarget(ep),
      channel.createChannelCredentials(ep, ctx),
      channel.CHANNEL_OPTIONS,
    );
    const rawVersion = () =>
      new Promise<string>((resolve, reject) =>
        raw.version({}, new grpc.Metadata(), { deadline: Date.now() + 5000 }, (err, res) =>
          err ? reject(err) : resolve(res.messages[0]?.version?.tag ?? ""),
        ),
      );
    const minosVersion = () => minos.version(undefined);

    if ((await minosVersion()).tag !== target.version || (await rawVersion()) !== target.version) {
      throw new Error("version mismatch between clients");
    }
    await compare(minosVersion, rawVersion, WARMUP, 8, 2);

    const rows: BenchRow[] = [];
    for (const [label, concurrency] of [["sequential", 1], [`concurrency ${CONCURRENCY}`, CONCURRENCY]] as const) {
      // Sequential: alternate call by call; concurrent: alternate slices of 100 calls.
      const [m, r] = await compare(minosVersion, rawVersion, CALLS, concurrency, concurrency === 1 ? CALLS : CALLS / 100);
      const note = `${CALLS} Version calls, ${label}`;
      rows.push(
        { suite: SUITE, name: `minos Version ${label}: throughput`, value: Math.round(m.perSecond), unit: "calls/s", note },
        { suite: SUITE, name: `raw grpc-js Version ${label}: throughput`, value: Math.round(r.perSecond), unit: "calls/s", note },
        { suite: SUITE, name: `minos/raw throughput ${label}`, value: m.perSecond / r.perSecond, unit: "ratio", note: "1.0 = no overhead" },
        { suite: SUITE, name: `minos Version ${label}: p50`, value: m.p50, unit: "ms" },
        { suite: SUITE, name: `raw grpc-js Version ${label}: p50`, value: r.p50, unit: "ms" },
        { suite: SUITE, name: `minos/raw p50 ${label}`, value: m.p50 / r.p50, unit: "ratio" },
        { suite: SUITE, name: `minos Version ${label}: p99`, value: m.p99, unit: "ms" },
        { suite: SUITE, name: `raw grpc-js Version ${label}: p99`, value: r.p99, unit: "ms" },
      );
    }
    raw.close();
    channel.closeAllConnections();
    return rows;
  } finally {
    await fleet.stop();
    await rm(stateDir, { recursive: true, force: true });
  }
}

/** Process memory per simulated node at 1,000 nodes. */
async function fleetMemoryBench(): Promise<BenchRow[]> {
  const { startFleet } = await import("@/test/talos/fleet");
  const gc = (globalThis as { gc?: () => void }).gc;
  const settle = async () => {
    gc?.();
    await new Promise((r) => setTimeout(r, 200));
    gc?.();
  };
  const stateDir = await mkdtemp(path.join(os.tmpdir(), "minos-talos-bench-1k-"));
  await settle();
  const before = process.memoryUsage();
  const t0 = performance.now();
  const fleet = await startFleet({ controlPlanes: 3, workers: 997, controlPort: 0, ports: true, basePort: 0, stateDir });
  const startMs = performance.now() - t0;
  try {
    await new Promise((r) => setTimeout(r, 1000)); // let boot timers settle
    await settle();
    const after = process.memoryUsage();
    const n = fleet.nodes.length;
    const note = `${n} nodes in one process; start took ${(startMs / 1000).toFixed(1)} s${gc ? "" : "; no --expose-gc, so deltas include garbage"}`;
    return [
      { suite: SUITE, name: "simulator RSS per node (1,000 nodes)", value: (after.rss - before.rss) / n / 1024, unit: "KiB", note },
      {
        suite: SUITE,
        name: "simulator heap per node (1,000 nodes)",
        value: (after.heapUsed - before.heapUsed) / n / 1024,
        unit: "KiB",
        ...(gc ? {} : { note: "unreliable without --expose-gc (run: node --expose-gc --import tsx scripts/bench.ts talos)" }),
      },
      { suite: SUITE, name: "simulator start, 1,000 nodes", value: startMs / 1000, unit: "s" },
    ];
  } finally {
    await fleet.stop();
    await rm(stateDir, { recursive: true, force: true });
  }
}

export default async function bench(): Promise<BenchRow[]> {
  const rows = await versionBench();
  try {
    rows.push(...(await fleetMemoryBench()));
  } catch (err) {
    rows.push({ suite: SUITE, name: "simulator memory per node (1,000 nodes)", value: NaN, unit: "KiB", note: `failed: ${String(err)}` });
  }
  return rows;
}
