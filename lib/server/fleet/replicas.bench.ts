/**
 * Replicas benchmark (`npm run bench replicas`; needs the production build, `npx next build`):
 * three Minos servers (scripts/serve.ts on the build, exactly what `npm start` runs, each its own
 * process) on one throwaway PostgreSQL, and three simulated clusters of 300 nodes (3 control
 * planes + 297 workers each) served by the simulator in a process of its own.
 *  - each replica's clusters (its `poller:` leases) once the share has settled;
 *  - each replica's steady CPU (utime + stime from /proc/<pid>/stat over a window in which
 *    nothing calls the servers) and resident memory; the simulator's CPU beside them;
 *  - SIGKILL of one replica: how long until its cluster's lease is held by a survivor, until the
 *    survivor's first poll of it, and the longest gap in any of its nodes' "last seen" (the
 *    nodes' own poll times, sampled every second from the replica polling them) across the
 *    takeover, against the longest gap of the other clusters' nodes in the same window;
 *  - the survivors' steady CPU once they poll the dead replica's share too.
 */
import { readFileSync } from "node:fs";
import { performance } from "node:perf_hooks";

import type { NodesResponse } from "@/lib/schemas/fleet";
import type { HealthResponse } from "@/lib/schemas/health";
import type { BenchRow } from "@/test/bench/types";
import { bootstrapToken, cpuSeconds, leaseReader, postmasterPid, rssMiB, startReplicaStack, treeCpuSeconds, type MinosReplica } from "@/test/replicas/stack";

const SUITE = "replicas";
const REPLICAS = 3;
const CLUSTERS = 3;
const CONTROL_PLANES = 3;
const WORKERS = 297;
const NODES = CLUSTERS * (CONTROL_PLANES + WORKERS);
const WARMUP_S = 10;
const STEADY_S = 30;
const SAMPLE_BEFORE_KILL_S = 15;
const SAMPLE_AFTER_TAKEOVER_S = 25;
const AFTER_S = 20;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(what: string, timeoutMs: number, probe: () => Promise<T | null | undefined | false>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe().catch(() => null);
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs / 1000} s`);
    await sleep(500);
  }
}

async function health(r: MinosReplica): Promise<HealthResponse> {
  const res = await fetch(`${r.baseURL}/api/health`, { signal: AbortSignal.timeout(10_000) });
  if (!res.ok) throw new Error(`GET /api/health on ${r.name}: ${res.status}`);
  return (await res.json()) as HealthResponse;
}

/** CPU share (% of one core) of each meter over `seconds` (a meter reads CPU seconds used so far), while nothing calls the servers. */
async function cpuWindow(meters: (() => number)[], seconds: number): Promise<number[]> {
  const before = meters.map((m) => m());
  const t0 = performance.now();
  await sleep(seconds * 1000);
  const wall = (performance.now() - t0) / 1000;
  return meters.map((m, i) => ((m() - before[i]!) / wall) * 100);
}

function loadAverage(): string {
  return readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");
}

/** Per node (id): every distinct lastSeen (epoch ms) observed. */
type Seen = Map<string, Set<number>>;

function record(seen: Seen, body: NodesResponse): void {
  for (const n of body.nodes) {
    if (n.lastSeen === null) continue;
    let s = seen.get(n.id);
    if (!s) seen.set(n.id, (s = new Set()));
    s.add(Date.parse(n.lastSeen));
  }
}

/** The longest interval between consecutive polls of one node (its lastSeen values) within [from, to]. */
function longestGap(values: Set<number> | undefined, from: number, to: number): number {
  const v = [...(values ?? [])].filter((t) => t >= from && t <= to).sort((x, y) => x - y);
  let gap = 0;
  for (let i = 1; i < v.length; i++) gap = Math.max(gap, v[i]! - v[i - 1]!);
  return gap;
}

export default async function bench(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const t0 = performance.now();
  const stack = await startReplicaStack({ replicas: REPLICAS, clusters: CLUSTERS, controlPlanes: CONTROL_PLANES, workers: WORKERS, readyTimeoutMs: 300_000 });
  const leases = leaseReader(stack.databaseUrl);
  const note = `${CLUSTERS} × ${CONTROL_PLANES + WORKERS} nodes, full servers on one PostgreSQL; 2-core machine shared with other work`;
  try {
    const [a] = stack.replicas as [MinosReplica];
    console.error(`stack up in ${((performance.now() - t0) / 1000).toFixed(1)} s (${stack.sim.nodes} simulated nodes)`);

    // A session for reading /api/nodes (GETs need no CSRF header).
    const token = await bootstrapToken(a);
    const signedIn = await fetch(`${a.baseURL}/api/auth/bootstrap`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ token, name: "bench" }) });
    if (!signedIn.ok) throw new Error(`sign-in failed: ${signedIn.status} ${await signedIn.text()}`);
    const cookie = signedIn.headers
      .getSetCookie()
      .map((c) => c.split(";")[0]!)
      .join("; ");
    const nodes = async (r: MinosReplica, cluster?: string): Promise<NodesResponse> => {
      const res = await fetch(`${r.baseURL}/api/nodes${cluster ? `?cluster=${cluster}` : ""}`, { headers: { cookie }, signal: AbortSignal.timeout(10_000) });
      if (!res.ok) throw new Error(`GET /api/nodes on ${r.name}: ${res.status}`);
      return (await res.json()) as NodesResponse;
    };

    // Settled: one cluster each, and every replica shows every node reachable (its own and the mirrored).
    const settleStart = performance.now();
    await until("one poller lease per replica", 180_000, async () => (await Promise.all(stack.replicas.map(health))).every((h) => h.replica.leases.poller === 1));
    await until(`all ${NODES} nodes reachable on every replica`, 240_000, async () => {
      for (const r of stack.replicas) if ((await nodes(r)).nodes.filter((n) => n.reachable).length !== NODES) return false;
      return true;
    });
    const settledS = (performance.now() - settleStart) / 1000;
    const owners = await leases.pollerOwners();
    const clustersOf = (r: MinosReplica) => [...owners].filter(([, o]) => o === r.id).map(([c]) => c);
    console.error(`settled in ${settledS.toFixed(1)} s: ${stack.replicas.map((r) => `${r.name}=${clustersOf(r).join(",")}`).join(" ")}`);
    rows.push({ suite: SUITE, name: "settle: one cluster each, every node reachable on every replica", value: settledS, unit: "s", note });

    // Steady CPU: nothing calls the servers during the window.
    await sleep(WARMUP_S * 1000);
    const load0 = loadAverage();
    const postmaster = await postmasterPid(stack.databaseUrl);
    const cpu = await cpuWindow([...[...stack.replicas.map((r) => r.pid), stack.sim.child.pid!].map((pid) => () => cpuSeconds(pid)), () => treeCpuSeconds(postmaster)], STEADY_S);
    stack.replicas.forEach((r, i) => {
      rows.push({
        suite: SUITE,
        name: `replica ${r.name}: steady CPU`,
        value: cpu[i]!,
        unit: "% of a core",
        note: `polls ${clustersOf(r).join(", ")} (${CONTROL_PLANES + WORKERS} nodes), mirrors ${CLUSTERS - 1}; ${STEADY_S} s window; RSS ${rssMiB(r.pid).toFixed(0)} MiB`,
      });
    });
    rows.push(
      { suite: SUITE, name: "simulator: CPU in the same window", value: cpu[REPLICAS]!, unit: "% of a core", note: `${NODES} nodes answering three pollers; load average before: ${load0}` },
      { suite: SUITE, name: "PostgreSQL: CPU in the same window", value: cpu[REPLICAS + 1]!, unit: "% of a core", note: "the postmaster and every backend, those that ended included (leases, heartbeats, snapshots, relay)" },
    );

    // The kill: sample each cluster from the replica polling it (its own, fresh view) every second.
    const seen: Seen = new Map();
    const members = new Map<string, string>();
    const rounds: number[] = [];
    const sampleOnce = async () => {
      rounds.push(Date.now());
      const now = await leases.pollerOwners().catch(() => new Map<string, string>());
      await Promise.all(
        [...now].map(async ([cluster, owner]) => {
          const r = stack.replicas.find((x) => x.id === owner && x.alive());
          if (!r) return;
          const body = await nodes(r, cluster).catch(() => null);
          if (!body) return;
          record(seen, body);
          for (const n of body.nodes) members.set(n.id, cluster);
        }),
      );
    };
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const tick = Date.now();
        await sampleOnce();
        await sleep(Math.max(0, 1_000 - (Date.now() - tick)));
      }
    })();
    await sleep(SAMPLE_BEFORE_KILL_S * 1000);

    const victim = stack.replicas[REPLICAS - 1]!;
    const moved = clustersOf(victim);
    const survivors = stack.replicas.filter((r) => r !== victim);
    // One last look just before the kill, so a poll the victim made in the last second is not missed.
    await sampleOnce();
    const killedAt = Date.now();
    await victim.kill("SIGKILL");
    const takenAt = await until("the dead replica's clusters held by survivors", 60_000, async () => {
      const now = await leases.pollerOwners();
      return moved.every((c) => survivors.some((s) => s.id === now.get(c))) ? Date.now() : null;
    });
    const newOwners = await leases.pollerOwners();
    await sleep(SAMPLE_AFTER_TAKEOVER_S * 1000);
    sampling = false;
    await sampler;

    const windowFrom = killedAt - SAMPLE_BEFORE_KILL_S * 1000;
    const windowTo = Date.now();
    const movedNodes = [...members].filter(([, c]) => moved.includes(c)).map(([id]) => id);
    const otherNodes = [...members].filter(([, c]) => !moved.includes(c)).map(([id]) => id);
    const firstAfter = movedNodes.map((id) => Math.min(...[...(seen.get(id) ?? [])].filter((t) => t > killedAt)));
    const movedGaps = movedNodes.map((id) => longestGap(seen.get(id), windowFrom, windowTo));
    const otherGaps = otherNodes.map((id) => longestGap(seen.get(id), windowFrom, windowTo));
    const sorted = [...movedGaps].sort((x, y) => x - y);
    const others = [...otherGaps].sort((x, y) => x - y);
    const median = (v: number[]) => ((v[Math.floor(v.length / 2)] ?? NaN) / 1000).toFixed(1);
    const sampleGaps = rounds.slice(1).map((t, i) => t - rounds[i]!);
    const samplerNote = `${rounds.length} sampling rounds, at most ${(Math.max(...sampleGaps) / 1000).toFixed(1)} s apart`;
    const takeoverNote = `${victim.name} (polling ${moved.join(", ")}) SIGKILLed; now ${moved.map((c) => `${c} → ${stack.replicas.find((r) => r.id === newOwners.get(c))?.name}`).join(", ")}`;
    rows.push(
      { suite: SUITE, name: "kill -9 → lease held by a survivor", value: (takenAt - killedAt) / 1000, unit: "s", note: `${takeoverNote}; sampled every 0.5 s` },
      { suite: SUITE, name: "kill -9 → the new owner's first poll of a moved node", value: (Math.min(...firstAfter) - killedAt) / 1000, unit: "s", note: `${movedNodes.length} moved nodes sampled` },
      { suite: SUITE, name: "kill -9 → every moved node polled again", value: (Math.max(...firstAfter) - killedAt) / 1000, unit: "s", note: Number.isFinite(Math.max(...firstAfter)) ? "" : "some moved node was never polled again in the window" },
      { suite: SUITE, name: "longest 'last seen' gap, moved nodes", value: (sorted.at(-1) ?? NaN) / 1000, unit: "s", note: `median ${median(sorted)} s; window ${SAMPLE_BEFORE_KILL_S} s before the kill to ${SAMPLE_AFTER_TAKEOVER_S} s after the takeover; ${samplerNote}` },
      { suite: SUITE, name: "longest 'last seen' gap, other nodes (same window)", value: (others.at(-1) ?? NaN) / 1000, unit: "s", note: `${otherNodes.length} nodes, median ${median(others)} s; the poll interval is 5 s` },
    );

    // The survivors' CPU once they carry the dead replica's share.
    await sleep(5_000);
    const after = await cpuWindow(
      survivors.map((r) => () => cpuSeconds(r.pid)),
      AFTER_S,
    );
    const finalOwners = await leases.pollerOwners();
    survivors.forEach((r, i) => {
      const mine = [...finalOwners].filter(([, o]) => o === r.id).map(([c]) => c);
      rows.push({ suite: SUITE, name: `replica ${r.name}: CPU after the takeover`, value: after[i]!, unit: "% of a core", note: `polls ${mine.join(", ")}; ${AFTER_S} s window` });
    });
    return rows;
  } catch (e) {
    for (const r of stack.replicas) console.error(`--- replica ${r.name} output ---\n${r.output().slice(-4_000)}`);
    throw e;
  } finally {
    await leases.close().catch(() => undefined);
    await stack.stop();
  }
}
