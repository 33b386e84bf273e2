/**
 * Config template figures (`npm run bench template`): a template from a stocked pool, and what a
 * burst of 8 template requests does to everything else, with the pool (one RSA-4096 generation
 * at a time, in the background) and without it (each request generating its own, as before).
 * "Everything else" is probed two ways while the burst runs: a 0 ms timer (event-loop lag, as a
 * health check would feel it) and `fs.stat` (libuv's threadpool, which async key generation
 * shares with file I/O and DNS).
 */
import { stat } from "node:fs/promises";
import { performance } from "node:perf_hooks";

import type { BenchRow } from "@/test/bench/types";
import { ReadyPool } from "@/lib/server/configs/ready-pool";
import { generateConfigTemplate, makeTemplateSecrets, TEMPLATE_POOL_SIZE, type TemplateSecrets } from "@/lib/server/configs/template";

const SUITE = "config-template";
const BURST = 8;
const INPUT = { role: "controlplane", clusterName: "lab", endpoint: "https://10.0.0.10:6443" } as const;

/** Probes the event loop and the threadpool every 20 ms until `stop` resolves; the worst of each. */
async function probeWhile(stop: Promise<unknown>): Promise<{ loopMaxMs: number; fsMaxMs: number }> {
  let done = false;
  void stop.finally(() => (done = true));
  let loopMaxMs = 0;
  let fsMaxMs = 0;
  while (!done) {
    const t0 = performance.now();
    await new Promise((r) => setTimeout(r, 0));
    loopMaxMs = Math.max(loopMaxMs, performance.now() - t0);
    const t1 = performance.now();
    await stat(__filename);
    fsMaxMs = Math.max(fsMaxMs, performance.now() - t1);
    await new Promise((r) => setTimeout(r, 20));
  }
  return { loopMaxMs, fsMaxMs };
}

async function filledPool(): Promise<ReadyPool<TemplateSecrets>> {
  const pool = new ReadyPool({ make: makeTemplateSecrets, size: TEMPLATE_POOL_SIZE, maxWaiting: BURST });
  pool.fill();
  while (pool.stock < TEMPLATE_POOL_SIZE) await new Promise((r) => setTimeout(r, 50));
  return pool;
}

export default async function bench(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];

  const pool = await filledPool();
  const t0 = performance.now();
  await generateConfigTemplate(INPUT, pool);
  rows.push({ suite: SUITE, name: "template from a stocked pool", value: performance.now() - t0, unit: "ms" });
  while (pool.stock < TEMPLATE_POOL_SIZE) await new Promise((r) => setTimeout(r, 50));

  const started = performance.now();
  const burst = Promise.all(Array.from({ length: BURST }, () => generateConfigTemplate(INPUT, pool)));
  const pooled = await probeWhile(burst);
  rows.push({ suite: SUITE, name: `${BURST} requests, pool of ${TEMPLATE_POOL_SIZE}: burst done`, value: performance.now() - started, unit: "ms" });
  rows.push({ suite: SUITE, name: `${BURST} requests, pool: worst event-loop lag`, value: pooled.loopMaxMs, unit: "ms" });
  rows.push({ suite: SUITE, name: `${BURST} requests, pool: worst fs.stat`, value: pooled.fsMaxMs, unit: "ms" });
  // Let the pool's refill finish before the comparison, so it does not compete.
  while (pool.stock < TEMPLATE_POOL_SIZE) await new Promise((r) => setTimeout(r, 50));

  const unpooled = performance.now();
  const each = Promise.all(Array.from({ length: BURST }, () => makeTemplateSecrets()));
  const direct = await probeWhile(each);
  rows.push({ suite: SUITE, name: `${BURST} requests generating their own: burst done`, value: performance.now() - unpooled, unit: "ms", note: "the old behaviour" });
  rows.push({ suite: SUITE, name: `${BURST} requests generating their own: worst event-loop lag`, value: direct.loopMaxMs, unit: "ms" });
  rows.push({ suite: SUITE, name: `${BURST} requests generating their own: worst fs.stat`, value: direct.fsMaxMs, unit: "ms" });
  return rows;
}
