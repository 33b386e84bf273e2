/**
 * GET /api/nodes over real HTTP (`npm run bench nodes-http`): a production Minos (scripts/start.ts,
 * simulated fleet of 3 control planes + 997 workers, MINOS_BENCH_ROUTES=1) signed in as its first
 * admin, then 50 concurrent keep-alive clients (node:http, latency measured client-side, from
 * request to the last byte) in interleaved rounds of:
 *  (a) the full 200, no Accept-Encoding;
 *  (b) a 200 with `Accept-Encoding: br` (bytes as they come: not decoded);
 *  (c) a revalidation with `If-None-Match` (304 when nothing changed);
 *  (d) the same bytes as (a), (b) and (c) from a trivial route handler in the same server
 *      (`/api/bench-echo`: stored bytes, same route wrapper and session check).
 * Each row of (a)–(c) is compared with its (d) twin within the same round; the figures are the
 * medians over the rounds. Needs a production build (`npx next build`), or MINOS_BENCH_URL plus
 * MINOS_BENCH_STATE_DIR of a running server started with MINOS_BENCH_ROUTES=1.
 */
import { Agent, request } from "node:http";
import { performance } from "node:perf_hooks";
import { brotliDecompressSync, gunzipSync } from "node:zlib";

import { defaultDistDir, hasBuild, signIn, startMinos } from "@/test/bench/minos-server";
import type { BenchRow } from "@/test/bench/types";

const SUITE = "nodes-http";
const CONTROL_PLANES = 3;
const WORKERS = 997;
const NODES = CONTROL_PLANES + WORKERS;
const CLIENTS = 50;
/** Requests per scenario per round (each of the 50 clients makes REQUESTS / 50); the machine is shared, so rounds are short. */
const REQUESTS = Number(process.env.MINOS_BENCH_REQUESTS ?? 200);
const ROUNDS = Number(process.env.MINOS_BENCH_ROUNDS ?? 3);

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  ms: number;
}

/** Requests that were sent again on a fresh connection (see `get`). */
let resent = 0;

function get(agent: Agent, base: string, p: string, headers: Record<string, string>, start = performance.now()): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(new URL(p, base), { agent, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks), ms: performance.now() - start }));
      res.on("error", reject);
    });
    req.on("error", (e: NodeJS.ErrnoException) => {
      // The server closes a keep-alive connection idle for 5 s; a request written onto it just
      // then is reset before any answer. Node's documented remedy: send it again (a GET), once.
      // The latency still counts from the first attempt.
      if (req.reusedSocket && (e.code === "ECONNRESET" || e.code === "EPIPE")) {
        resent++;
        get(agent, base, p, headers, start).then(resolve, reject);
      } else {
        reject(e);
      }
    });
    req.end();
  });
}

function decode(a: Answer): Buffer {
  const enc = a.headers["content-encoding"];
  if (enc === "br") return brotliDecompressSync(a.body);
  if (enc === "gzip") return gunzipSync(a.body);
  return a.body;
}

function quantile(sorted: number[], q: number): number {
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[i] ?? NaN;
}

const median = (xs: number[]) => quantile([...xs].sort((a, b) => a - b), 0.5);

interface Scenario {
  name: string;
  path: string;
  headers: () => Record<string, string>;
  /** Called with every answer (keeps the ETag of (c) current when the snapshot changes). */
  check: (a: Answer) => void;
}

interface RoundResult {
  p50: number;
  p99: number;
  statuses: Map<number, number>;
  bytes: number[];
}

async function runScenario(agent: Agent, base: string, s: Scenario, requests = REQUESTS): Promise<RoundResult> {
  const lat: number[] = [];
  const statuses = new Map<number, number>();
  const bytes: number[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      while (next++ < requests) {
        const a = await get(agent, base, s.path, s.headers());
        s.check(a);
        lat.push(a.ms);
        bytes.push(a.body.byteLength);
        statuses.set(a.status, (statuses.get(a.status) ?? 0) + 1);
      }
    }),
  );
  lat.sort((x, y) => x - y);
  return { p50: quantile(lat, 0.5), p99: quantile(lat, 0.99), statuses, bytes };
}

async function measure(base: string, stateDir: string): Promise<BenchRow[]> {
  const { cookie, csrf } = await signIn(base, stateDir);
  const agent = new Agent({ keepAlive: true, maxSockets: CLIENTS });
  const auth = { cookie };

  // The fleet must be fully polled first: the body is then the size it keeps. On a loaded
  // machine some nodes may time out; after a while the run goes on with what answered.
  let identity: Answer | null = null;
  let reachable = 0;
  const deadline = Date.now() + 240_000;
  for (;;) {
    let a: Answer;
    try {
      a = await get(agent, base, "/api/nodes", auth);
    } catch (e) {
      console.error(`GET /api/nodes while waiting for the fleet: ${(e as Error).message}; retrying`);
      await new Promise((r) => setTimeout(r, 1_000));
      continue;
    }
    if (a.status !== 200) throw new Error(`GET /api/nodes: HTTP ${a.status} ${a.body.toString("utf8").slice(0, 200)}`);
    const body = JSON.parse(a.body.toString("utf8")) as { nodes: { reachable: boolean }[]; updatedAt: string | null };
    reachable = body.nodes.filter((n) => n.reachable).length;
    const settled = body.nodes.length === NODES && body.updatedAt !== null && (reachable === NODES || Date.now() > deadline - 120_000);
    if (settled || Date.now() > deadline) {
      if (body.nodes.length !== NODES) throw new Error(`the fleet did not reach ${NODES} nodes in time (${body.nodes.length})`);
      identity = a;
      break;
    }
    await new Promise((r) => setTimeout(r, 2_000));
  }
  console.error(`fleet: ${reachable}/${NODES} nodes reachable; body ${(identity.body.byteLength / 1024).toFixed(0)} KiB`);

  // br only: Next's own gzip (compress: true) then leaves the trivial route's stored br bytes
  // alone, so both sides of the pair send the same bytes untouched (the nodes route marks its
  // answers no-transform; the trivial one cannot, and gzipped them again per request otherwise).
  const ACCEPT = "br";
  const compressed = await get(agent, base, "/api/nodes", { ...auth, "accept-encoding": ACCEPT });
  if (JSON.parse(decode(compressed).toString("utf8")).nodes.length !== NODES) throw new Error("the compressed answer does not decode to the fleet");
  const encoding = (compressed.headers["content-encoding"] as string | undefined) ?? null;
  let etag = (identity.headers.etag as string | undefined) ?? null;

  // The reference: the same bytes stored in the trivial route.
  const store = async (variant: string, bytes: Buffer, contentEncoding: string | null) => {
    const res = await fetch(new URL("/api/bench-echo", base), {
      method: "POST",
      headers: { cookie, "x-minos-csrf": csrf, origin: base, "content-type": "application/json" },
      body: JSON.stringify({ variant, base64: bytes.toString("base64"), contentEncoding }),
    });
    if (!res.ok) throw new Error(`POST /api/bench-echo: HTTP ${res.status} ${await res.text()} (was the server started with MINOS_BENCH_ROUTES=1?)`);
  };
  await store("identity", identity.body, null);
  await store("compressed", compressed.body, encoding);
  await store("empty", Buffer.alloc(0), null);

  const expect = (status: number) => (a: Answer) => {
    if (a.status !== status) throw new Error(`HTTP ${a.status}, expected ${status}: ${a.body.toString("utf8").slice(0, 200)}`);
  };
  const scenarios: Scenario[] = [
    { name: "(a) 200 identity", path: "/api/nodes", headers: () => auth, check: expect(200) },
    { name: "(d) trivial 200 identity", path: "/api/bench-echo?variant=identity", headers: () => auth, check: expect(200) },
    { name: `(b) 200 ${encoding ?? "identity"}`, path: "/api/nodes", headers: () => ({ ...auth, "accept-encoding": ACCEPT }), check: expect(200) },
    { name: `(d) trivial 200 ${encoding ?? "identity"}`, path: "/api/bench-echo?variant=compressed", headers: () => ({ ...auth, "accept-encoding": ACCEPT }), check: expect(200) },
    {
      name: "(c) If-None-Match",
      path: "/api/nodes",
      headers: () => (etag ? { ...auth, "if-none-match": etag } : auth),
      // A reading that changed gives a 200 with the new tag: the next request revalidates that.
      check: (a) => {
        if (a.status !== 200 && a.status !== 304) expect(304)(a);
        if (typeof a.headers.etag === "string") etag = a.headers.etag;
      },
    },
    { name: "(d) trivial 200 empty", path: "/api/bench-echo?variant=empty", headers: () => auth, check: expect(200) },
  ];

  // Warm-up (JIT, connections), then interleaved rounds so drift hits every scenario alike.
  for (const s of scenarios) await runScenario(agent, base, s, CLIENTS);
  const results = new Map<string, RoundResult[]>(scenarios.map((s) => [s.name, []]));
  for (let r = 0; r < ROUNDS; r++) {
    for (const s of scenarios) results.get(s.name)!.push(await runScenario(agent, base, s));
    console.error(`round ${r + 1}/${ROUNDS} done (${new Date().toISOString()})`);
  }
  agent.destroy();

  const rows: BenchRow[] = [];
  const pairs: [string, string][] = [
    [scenarios[0]!.name, scenarios[1]!.name],
    [scenarios[2]!.name, scenarios[3]!.name],
    [scenarios[4]!.name, scenarios[5]!.name],
  ];
  const note = `${NODES} nodes (${reachable} reachable), ${CLIENTS} clients, ${REQUESTS} requests × ${ROUNDS} rounds; median over rounds`;
  for (const [nodes, trivial] of pairs) {
    for (const name of [nodes, trivial]) {
      const rs = results.get(name)!;
      const statuses = new Map<number, number>();
      for (const r of rs) for (const [k, v] of r.statuses) statuses.set(k, (statuses.get(k) ?? 0) + v);
      const mix = [...statuses].map(([k, v]) => `${v}× ${k}`).join(", ");
      const bytes = median(rs.flatMap((r) => r.bytes));
      rows.push(
        { suite: SUITE, name: `${name} p50`, value: median(rs.map((r) => r.p50)), unit: "ms", note },
        { suite: SUITE, name: `${name} p99`, value: median(rs.map((r) => r.p99)), unit: "ms", note: mix },
        { suite: SUITE, name: `${name} body`, value: Math.round(bytes / 102.4) / 10, unit: "KiB", note: "median bytes on the wire per response (body only)" },
      );
    }
    const ratios = results.get(nodes)!.map((r, i) => r.p99 / results.get(trivial)!.at(i)!.p99);
    rows.push({ suite: SUITE, name: `p99 ratio ${nodes} / trivial`, value: median(ratios), unit: "×", note: `per round: ${ratios.map((x) => x.toFixed(2)).join(", ")}; target ≤ 1.5` });
  }
  rows.push({ suite: SUITE, name: "requests resent after a keep-alive reset", value: resent, unit: "requests", note: "counted in their latency" });
  return rows;
}

export default async function bench(): Promise<BenchRow[]> {
  const given = process.env.MINOS_BENCH_URL;
  if (given) {
    const stateDir = process.env.MINOS_BENCH_STATE_DIR;
    if (!stateDir) throw new Error("MINOS_BENCH_URL needs MINOS_BENCH_STATE_DIR (the server's MINOS_STATE_DIR, for its first-start link)");
    return measure(given, stateDir);
  }
  if (!hasBuild(defaultDistDir())) {
    return [{ suite: SUITE, name: "GET /api/nodes over HTTP", value: 0, unit: "ms", note: "skipped: MINOS_BENCH_URL not set and no production build (npx next build)" }];
  }
  const minos = await startMinos({
    firstAddress: "127.0.73.1",
    // Later than start.ts's defaults, so these win.
    simArgs: ["--control-planes", String(CONTROL_PLANES), "--workers", String(WORKERS)],
    env: { MINOS_BENCH_ROUTES: "1" },
    // Starting 1,000 simulated nodes on a shared machine takes minutes.
    healthTimeoutMs: 360_000,
    stopGraceMs: 10_000,
    stateDirPrefix: "minos-nodes-http-",
  });
  try {
    return await measure(minos.url, minos.stateDir);
  } finally {
    await minos.stop();
  }
}
