/**
 * The fleet API route handlers, called in-process against the simulated fleet through the real
 * wiring (talosconfig file → fleet source → process poller): /api/nodes, /api/nodes/:node,
 * /api/events (SSE), /api/metrics, /api/sim, and resolveNodeOrThrow for discovered nodes.
 */
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";

import { GET as getEvents } from "@/app/api/events/route";
import { GET as getMetrics } from "@/app/api/metrics/route";
import { GET as getNode } from "@/app/api/nodes/[node]/route";
import { GET as getNodes } from "@/app/api/nodes/route";
import { GET as getSim } from "@/app/api/sim/route";
import { nodeId } from "@/lib/fleet/node-id";
import type { Role } from "@/lib/schemas/auth";
import { errorEnvelopeSchema } from "@/lib/schemas/error";
import { fleetEventSchema, nodeDetailSchema, nodesResponseSchema, simInfoSchema, type FleetEvent } from "@/lib/schemas/fleet";
import { authedRequest } from "@/test/auth/credentials";
import { subscriberCount } from "@/lib/server/platform/events";
import { resolveNodeOrThrow } from "@/lib/server/fleet/nodes";
import { getFleetPoller, stopFleetPoller } from "@/lib/server/fleet/service";
import { startTestFleet, waitFor, type TestFleet } from "@/test/talos/fleet";
import { processState } from "@/lib/server/platform/process-state";

let t: TestFleet;
let cps: string[];
let workers: string[];

beforeAll(async () => {
  t = await startTestFleet({ firstAddress: "127.0.111.1", controlPlanes: 3, workers: 2 });
  cps = t.fleet.nodes.filter((n) => n.role === "controlplane").map((n) => n.address);
  workers = t.fleet.nodes.filter((n) => n.role === "worker").map((n) => n.address);
  // A talosconfig that lists only the control planes: the workers must be discovered.
  const config = parse(await readFile(t.fleet.talosconfig.admin, "utf8")) as { contexts: Record<string, { nodes: string[] }> };
  config.contexts["sim-1"]!.nodes = cps;
  const file = path.join(t.stateDir, "talosconfig-cps-only");
  await writeFile(file, stringify(config), { mode: 0o600 });
  process.env.TALOSCONFIG = file;
  getFleetPoller({ intervalMs: 500, callTimeoutMs: 1_000, publishDelayMs: 20, discoveryIntervalMs: 1_000 });
});

afterAll(async () => {
  await stopFleetPoller();
  await t?.stop();
});

// Signed in through the test harness: these tests are about the routes, not access control.
const req = (p: string, init?: RequestInit, role: Role = "viewer") => authedRequest(`http://minos.test${p}`, init, role);
const params = (node: string) => ({ params: Promise.resolve({ node }) });

describe("GET /api/nodes", () => {
  it("serves the snapshot: the talosconfig's control planes and the discovered workers", async () => {
    const body = await waitFor(async () => {
      const res = await getNodes(await req("/api/nodes"));
      expect(res.status).toBe(200);
      const b = nodesResponseSchema.parse(await res.json());
      return b.nodes.length === 5 && b.nodes.every((n) => n.reachable && n.ready) ? b : undefined;
    }, 10_000);
    expect(body.nodes.map((n) => [n.address, n.source])).toEqual([...cps.map((a) => [a, "talosconfig"]), ...workers.map((a) => [a, "discovered"])]);
    expect(body.clusters).toHaveLength(1);
    expect(body.clusters[0]?.nodes.total).toBe(5);
  });

  it("filters by cluster; an unknown cluster is a 404 envelope", async () => {
    const ok = nodesResponseSchema.parse(await (await getNodes(await req("/api/nodes?cluster=sim-1"))).json());
    expect(ok.clusters.map((c) => c.name)).toEqual(["sim-1"]);
    const res = await getNodes(await req("/api/nodes?cluster=nope"));
    expect(res.status).toBe(404);
    expect(errorEnvelopeSchema.parse(await res.json()).error.code).toBe("not_found");
  });
});

describe("GET /api/nodes/:node", () => {
  it("details a discovered node; an unknown one is a 404", async () => {
    const id = nodeId("sim-1", workers[0]!);
    const res = await getNode(await req(`/api/nodes/${encodeURIComponent(id)}`), params(id));
    expect(res.status).toBe(200);
    const d = nodeDetailSchema.parse(await res.json());
    expect(d.summary).toMatchObject({ id, role: "worker", source: "discovered" });
    expect(d.services.find((s) => s.id === "kubelet")?.healthy).toBe(true);

    const missing = await getNode(await req("/api/nodes/x"), params("10.9.9.9@sim-1"));
    expect(missing.status).toBe(404);
  });

  it("resolveNodeOrThrow accepts discovered nodes and still refuses strangers", async () => {
    await expect(resolveNodeOrThrow(nodeId("sim-1", workers[1]!))).resolves.toEqual({ cluster: "sim-1", address: workers[1] });
    await expect(resolveNodeOrThrow("10.9.9.9@sim-1")).rejects.toMatchObject({ code: "not_found" });
    await expect(resolveNodeOrThrow(`${workers[1]}@elsewhere`)).rejects.toMatchObject({ code: "not_found" });
  });
});

/** Reads SSE frames from a response body until `until` accepts one. */
async function readEvents(body: ReadableStream<Uint8Array>, until: (events: FleetEvent[]) => boolean, timeoutMs: number): Promise<{ events: FleetEvent[]; raw: string }> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  const events: FleetEvent[] = [];
  let raw = "";
  let buffer = "";
  const deadline = Date.now() + timeoutMs;
  try {
    while (!until(events)) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no matching event within ${timeoutMs} ms; got ${events.map((e) => e.type).join(", ")}`);
      const chunk = await Promise.race([reader.read(), new Promise<never>((_, reject) => setTimeout(() => reject(new Error("read timed out")), left))]);
      if (chunk.done) break;
      const text = decoder.decode(chunk.value, { stream: true });
      raw += text;
      buffer += text;
      let end: number;
      while ((end = buffer.indexOf("\n\n")) >= 0) {
        const frame = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const data = frame
          .split("\n")
          .filter((l) => l.startsWith("data: "))
          .map((l) => l.slice(6))
          .join("\n");
        if (data) events.push(fleetEventSchema.parse(JSON.parse(data)));
      }
    }
  } finally {
    reader.releaseLock();
  }
  return { events, raw };
}

describe("GET /api/events", () => {
  it("streams a snapshot, then the change when a node goes down, and cleans up on disconnect", async () => {
    const abort = new AbortController();
    const res = await getEvents(await req("/api/events", { signal: abort.signal }));
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/event-stream/);
    expect(res.headers.get("cache-control")).toContain("no-transform");
    const body = res.body!;

    const first = await readEvents(body, (ev) => ev.length >= 1, 5_000);
    expect(first.raw).toMatch(/^retry: \d+\n\nevent: snapshot\ndata: /);
    const snapshot = first.events[0]!;
    expect(snapshot.type).toBe("snapshot");
    expect(snapshot.nodes).toHaveLength(5);
    expect(subscriberCount("fleet")).toBe(1);

    const target = nodeId("sim-1", workers[1]!);
    t.fleet.setFault({ node: workers[1]!, fault: "down" });
    try {
      const isDown = (e: FleetEvent) => e.type === "nodes" && e.nodes.some((n) => n.id === target && !n.reachable);
      const { events } = await readEvents(body, (ev) => ev.some(isDown), 5_000);
      const delta = events.find(isDown)!;
      // A delta: the node that changed, not the whole fleet.
      expect(delta.nodes.length).toBeLessThan(5);
      expect(delta.clusters[0]?.nodes.unreachable).toBe(1);
    } finally {
      t.fleet.clearFaults(workers[1]);
    }

    abort.abort();
    await waitFor(async () => subscriberCount("fleet") === 0, 2_000);
  });
});

/** Parses the Prometheus text format strictly enough to catch a malformed exposition. */
function parseExposition(text: string): { name: string; labels: Record<string, string>; value: number }[] {
  const samples: { name: string; labels: Record<string, string>; value: number }[] = [];
  for (const line of text.split("\n")) {
    if (line === "") continue;
    if (line.startsWith("#")) {
      expect(line).toMatch(/^# (HELP|TYPE) [a-zA-Z_:][a-zA-Z0-9_:]* .+$/);
      continue;
    }
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    expect(m, line).not.toBeNull();
    const labels: Record<string, string> = {};
    for (const l of (m![2] ?? "").matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]!] = l[2]!;
    const value = m![3] === "+Inf" ? Infinity : m![3] === "-Inf" ? -Infinity : Number(m![3]);
    expect(Number.isNaN(value) && m![3] !== "NaN", line).toBe(false);
    samples.push({ name: m![1]!, labels, value });
  }
  return samples;
}

describe("GET /api/metrics", () => {
  it("parses, and carries node up/ready/stage, etcd members and poll latency", async () => {
    await waitFor(async () => nodesResponseSchema.parse(await (await getNodes(await req("/api/nodes"))).json()).nodes.every((n) => n.reachable && n.ready), 10_000);
    const res = await getMetrics(await req("/api/metrics"));
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    const samples = parseExposition(text);
    // Certificates come from lib/server/certs (values once its first scan is in).
    expect(text).toContain("# TYPE minos_certificate_not_after_seconds gauge");
    const find = (name: string, labels: Record<string, string> = {}) =>
      samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));

    const w = nodeId("sim-1", workers[0]!);
    expect(find("minos_node_up", { node: w, role: "worker", hostname: "sim-1-worker-1" })[0]?.value).toBe(1);
    expect(find("minos_node_ready", { node: w })[0]?.value).toBe(1);
    expect(find("minos_node_stage", { node: w, stage: "running" })[0]?.value).toBe(1);
    expect(find("minos_node_stage", { node: w, stage: "rebooting" })[0]?.value).toBe(0);
    expect(find("minos_node_up")).toHaveLength(5);
    expect(find("minos_etcd_members", { cluster: "sim-1" })[0]?.value).toBe(3);
    expect(find("minos_etcd_members_healthy", { cluster: "sim-1" })[0]?.value).toBe(3);
    expect(find("minos_etcd_quorum", { cluster: "sim-1", state: "ok" })[0]?.value).toBe(1);
    expect(find("minos_cluster_nodes", { cluster: "sim-1", state: "healthy" })[0]?.value).toBe(5);
    expect(find("minos_poll_duration_seconds_count", { cluster: "sim-1", outcome: "reachable" })[0]?.value).toBeGreaterThan(0);
    expect(find("minos_talos_call_duration_seconds_bucket", { method: "Version", outcome: "ok", le: "+Inf" })[0]?.value).toBeGreaterThan(0);
    expect(find("minos_process_resident_memory_bytes")[0]?.value).toBeGreaterThan(0);
    // The facts the alert rules read (lib/server/alerts/prometheus-metrics.ts): a healthy fleet.
    expect(find("minos_node_etcd_member_problem").map((s) => s.value)).toEqual([0, 0, 0]);
    expect(find("minos_node_service_failing")).toEqual([]);
    expect(find("minos_node_talos_support_end_timestamp_seconds", { node: w })[0]?.labels.minor).toMatch(/^\d+\.\d+$/);
    expect(text).toContain("# TYPE minos_backup_latest_failed gauge");
  });
});

describe("GET /api/sim", () => {
  it("is a 404 envelope unless Minos runs the simulated fleet", async () => {
    const res = await getSim(await req("/api/sim", undefined, "admin"));
    expect(res.status).toBe(404);
    expect(errorEnvelopeSchema.parse(await res.json()).error.code).toBe("not_found");
  });

  it("answers the control URL with MINOS_SIM=1", async () => {
    const g = processState<{ __minosEnv?: unknown }>();
    const saved = { sim: process.env.MINOS_SIM, url: process.env.MINOS_SIM_CONTROL_URL, env: g.__minosEnv };
    Object.assign(process.env, { MINOS_SIM: "1", MINOS_SIM_CONTROL_URL: t.fleet.controlUrl });
    g.__minosEnv = undefined;
    try {
      const res = await getSim(await req("/api/sim", undefined, "admin"));
      expect(simInfoSchema.parse(await res.json())).toEqual({ controlUrl: t.fleet.controlUrl });
    } finally {
      if (saved.sim === undefined) delete process.env.MINOS_SIM;
      else process.env.MINOS_SIM = saved.sim;
      if (saved.url === undefined) delete process.env.MINOS_SIM_CONTROL_URL;
      else process.env.MINOS_SIM_CONTROL_URL = saved.url;
      g.__minosEnv = saved.env;
    }
  });
});
