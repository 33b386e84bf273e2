/**
 * `npm run bench validation`: does the server keep answering while it is fed hostile configs?
 * Ten hostile POST /api/config/validate requests run at once through the route handler while
 * GET /api/health is probed every 20 ms; a probe's latency counts from when it was due, so time
 * the event loop spent blocked shows up. Goal (issue 11): health within 200 ms throughout. For
 * contrast, the same probes behind one hostile config validated on the main thread (as before).
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";

import type { BenchRow } from "@/test/bench/types";

const SUITE = "validation-attack";
const PROBE_MS = 20;

/** 1,000 aliases of a mapping of 1,000 bad keys: a million issues, well over the time budget. */
function aliasFlood(): string {
  const bad = Array.from({ length: 1_000 }, (_, i) => `b${i}: 1`).join(", ");
  return `machine:\n  network:\n    interfaces:\n      - &a {${bad}}\n${"      - *a\n".repeat(999)}`;
}
/** 60,000 unknown keys in one mapping (~0.9 MiB): a second or two of honest work. */
const wide = (): string => `machine:\n${Array.from({ length: 60_000 }, (_, i) => `  key${i}: 1\n`).join("")}`;
/** The size value from the issue: "1", 200,000 spaces, "x" (quadratic before). */
const spaces = (): string => `apiVersion: v1alpha1\nkind: UserVolumeConfig\nname: d\nprovisioning:\n  diskSelector:\n    match: 'true'\n  minSize: "1${" ".repeat(200_000)}x"\n`;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

/** Probes health every PROBE_MS until `until` settles; returns each probe's latency (ms). */
async function probeWhile(health: () => Promise<Response>, until: Promise<unknown>): Promise<number[]> {
  const latencies: number[] = [];
  let done = false;
  void until.finally(() => (done = true));
  const start = performance.now();
  for (let i = 1; !done; i++) {
    const due = start + i * PROBE_MS;
    await new Promise((r) => setTimeout(r, Math.max(0, due - performance.now())));
    const res = await health();
    if (res.status !== 200) throw new Error(`health answered ${res.status}`);
    // A timer may fire a fraction of a millisecond early: that is no latency.
    latencies.push(Math.max(0, performance.now() - due));
  }
  return latencies.sort((a, b) => a - b);
}

export default async function bench(): Promise<BenchRow[]> {
  process.env.MINOS_STATE_DIR ??= mkdtempSync(path.join(tmpdir(), "minos-bench-"));
  const [{ POST }, { GET }, { authedRequest }, { validateConfig }, { validationPool }] = await Promise.all([
    import("@/app/api/config/validate/route"),
    import("@/app/api/health/route"),
    import("@/test/auth/credentials"),
    import("@/lib/config/validate"),
    import("@/lib/server/validation/pool"),
  ]);
  const health = () => GET(new Request("http://127.0.0.1/api/health", { headers: { host: "127.0.0.1" } }));
  // Bodies are serialised before the clock starts: a client sends bytes, the server only reads them.
  const request = (body: string) => authedRequest("http://127.0.0.1/api/config/validate", { method: "POST", headers: { "content-type": "application/json" }, body });
  const validate = async (yaml: string) => POST(await request(JSON.stringify({ yaml })));

  // Warm up: the workers load lib/config once; the first request pays for it.
  await validate("machine:\n  type: worker\n");
  const idle = await probeWhile(health, new Promise((r) => setTimeout(r, 1_000)));

  const payloads = [aliasFlood(), aliasFlood(), aliasFlood(), aliasFlood(), wide(), wide(), wide(), spaces(), spaces(), aliasFlood()];
  const bodies = payloads.map((yaml) => JSON.stringify({ yaml }));
  const statuses: number[] = [];
  const attackStart = performance.now();
  const attack = Promise.all(bodies.map(async (b) => POST(await request(b)).then((r) => statuses.push(r.status))));
  const during = await probeWhile(health, attack);
  const attackSeconds = (performance.now() - attackStart) / 1000;
  const tally = Object.entries(statuses.reduce<Record<number, number>>((m, s) => ({ ...m, [s]: (m[s] ?? 0) + 1 }), {}))
    .map(([s, n]) => `${n}× ${s}`)
    .join(", ");

  // Contrast: one hostile config validated on the main thread, as the route did before.
  const inline = await probeWhile(health, new Promise((r) => setTimeout(r, 5)).then(() => validateConfig(aliasFlood())));

  await validationPool().close();
  const kib = Math.round(bodies.reduce((n, b) => n + b.length, 0) / 1024);
  const note = `${during.length} probes during 10 concurrent hostile requests (${kib} KiB in all; ${tally}; ${attackSeconds.toFixed(1)} s)`;
  return [
    { suite: SUITE, name: "health, idle p50", value: Number(percentile(idle, 50).toFixed(2)), unit: "ms", note: `${idle.length} probes` },
    { suite: SUITE, name: "health during attack p50", value: Number(percentile(during, 50).toFixed(2)), unit: "ms", note },
    { suite: SUITE, name: "health during attack p99", value: Number(percentile(during, 99).toFixed(2)), unit: "ms", note: "goal < 200 ms" },
    { suite: SUITE, name: "health during attack max", value: Number(during[during.length - 1]!.toFixed(2)), unit: "ms", note: "goal < 200 ms" },
    {
      suite: SUITE,
      name: "contrast: health behind one inline validation, max",
      value: Number(inline[inline.length - 1]!.toFixed(0)),
      unit: "ms",
      note: "the same alias flood validated on the main thread (what the pool prevents)",
    },
  ];
}
