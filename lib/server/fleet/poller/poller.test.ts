/**
 * The poller against the simulated fleet (real gRPC, mTLS, faults): states within two poll
 * intervals, no stuck calls, visible backoff, discovery, and stage changes through Events.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";

import { nodeId } from "@/lib/fleet/node-id";
import type { FleetEvent, NodeSummary } from "@/lib/schemas/fleet";
import type { TalosEvent } from "@/lib/server/talos/events";
import { startTestFleet, waitFor, type TestFleet } from "@/test/talos/fleet";

import { createFleetPoller, type FleetPoller } from "./poller";
import type { PollerOptions } from "./types";

const INTERVAL = 500;
const CALL_TIMEOUT = 1_000;
/** "Within two poll intervals", plus one call deadline for the poll that notices. */
const TWO_POLLS = 2 * INTERVAL + CALL_TIMEOUT;

let t: TestFleet;
let cps: string[];
let workers: string[];
const pollers: FleetPoller[] = [];

beforeAll(async () => {
  t = await startTestFleet({ firstAddress: "127.0.110.1", controlPlanes: 3, workers: 2, version: "v1.14.0" });
  cps = t.fleet.nodes.filter((n) => n.role === "controlplane").map((n) => n.address);
  workers = t.fleet.nodes.filter((n) => n.role === "worker").map((n) => n.address);
});

afterAll(async () => {
  await t?.stop();
});

afterEach(async () => {
  await Promise.all(pollers.splice(0).map((p) => p.stop()));
  t.fleet.clearFaults();
  // Let a node that was faulted settle back to running before the next test.
  await waitFor(async () => t.fleet.nodeStates().every((n) => n.reachable && n.stage === "running" && n.ready), 10_000);
});

function poller(events: FleetEvent[] = [], options: Partial<PollerOptions> = {}): FleetPoller {
  const p = createFleetPoller({
    loadClusters: async () => [{ name: "sim-1", nodes: t.contexts.admin.nodes, client: t.clients.admin }],
    intervalMs: INTERVAL,
    callTimeoutMs: CALL_TIMEOUT,
    concurrency: 4,
    jitter: 0,
    maxBackoffMs: 8_000,
    watchBackoffMs: { first: 100, max: 1_000 },
    publishDelayMs: 20,
    publish: (e) => events.push(e),
    ...options,
  });
  pollers.push(p);
  return p;
}

const id = (address: string) => nodeId("sim-1", address);
const summary = (p: FleetPoller, address: string): NodeSummary | undefined => p.snapshot().nodes.find((n) => n.id === id(address));

describe("fleet poller", () => {
  it("reads every node on the first sweep: role, stage, readiness, version, etcd", async () => {
    const p = poller();
    expect(await p.firstSweep(10_000)).toBe(true);
    // Roles come with the first poll; etcd with the control planes' second round trip.
    await waitFor(async () => p.snapshot().clusters[0]?.etcd?.healthy === 3, 5_000);
    const snap = p.snapshot();
    expect(snap.nodes).toHaveLength(5);
    for (const n of snap.nodes) {
      expect(n).toMatchObject({ reachable: true, stage: "running", ready: true, talosVersion: "v1.14.0", lastError: null, problems: [], source: "talosconfig" });
      expect(n.hostname).toMatch(/^sim-1-(controlplane|worker)-\d$/);
      expect(n.bootId).toMatch(/\S/);
      expect(n.memory?.totalKb).toBeGreaterThan(0);
    }
    expect(snap.nodes.filter((n) => n.role === "controlplane").map((n) => n.address)).toEqual(cps);
    expect(snap.clusters[0]).toMatchObject({
      name: "sim-1",
      status: "healthy",
      nodes: { total: 5, healthy: 5, unreachable: 0 },
      etcd: { members: 3, healthy: 3, canTolerate: 1, quorum: "ok", leader: "sim-1-controlplane-1" },
      versions: { "v1.14.0": 5 },
      upgrade: null,
    });
    expect(snap.updatedAt).not.toBeNull();

    const detail = p.detail(id(cps[0]!))!;
    expect(detail.etcd).toMatchObject({ isLeader: true, isLearner: false });
    expect(detail.etcd!.dbSize).toBeGreaterThan(0);
    expect(detail.services.map((s) => s.id)).toContain("etcd");
    expect(detail.services.find((s) => s.id === "etcd")).toMatchObject({ state: "Running", healthy: true });
    expect(detail.history.length).toBeGreaterThanOrEqual(1);
    expect(detail.stageEvents.at(-1)).toMatchObject({ stage: "running", ready: true });
    expect(p.detail(id(workers[0]!))!.etcd).toBeNull();
  });

  it("a down node is offline within two polls, keeps its last-seen time, and is polled with growing gaps", async () => {
    const p = poller();
    await p.firstSweep(10_000);
    const target = workers[1]!;
    const lastSeenBefore = summary(p, target)!.lastSeen;
    const faultAt = Date.now();
    t.fleet.setFault({ node: target, fault: "down" });

    const down = await waitFor(async () => {
      const s = summary(p, target);
      return s && !s.reachable ? s : undefined;
    }, TWO_POLLS);
    expect(Date.now() - faultAt).toBeLessThanOrEqual(TWO_POLLS);
    expect(down).toMatchObject({ reachable: false, stage: "unknown", ready: false, memory: null, lastError: { code: "node_unreachable" } });
    expect(down.problems.map((x) => x.kind)).toEqual(["down"]);
    expect(Date.parse(down.lastSeen!)).toBeGreaterThanOrEqual(Date.parse(lastSeenBefore!));
    expect(down.hostname).toBe("sim-1-worker-2");
    expect(p.snapshot().clusters[0]).toMatchObject({ status: "degraded", nodes: { healthy: 4, unreachable: 1 } });

    // Backoff: 0.5 s, 1 s, 2 s between attempts (doubling from the interval).
    const attempts = await waitFor(async () => {
      const a = p.attempts(id(target)).filter((x) => x >= faultAt);
      return a.length >= 4 ? a : undefined;
    }, 10_000);
    const gaps = attempts.slice(1).map((x, i) => x - attempts[i]!);
    expect(gaps[1]!).toBeGreaterThan(gaps[0]! * 1.5);
    expect(gaps[2]!).toBeGreaterThan(gaps[1]! * 1.5);
    // The healthy nodes kept their pace meanwhile.
    expect(summary(p, workers[0]!)!.reachable).toBe(true);

    t.fleet.clearFaults(target);
    // Back: the Events watcher reconnects and asks for a poll at once, whatever the backoff says.
    await waitFor(async () => summary(p, target)?.reachable && summary(p, target)?.ready, 5_000);
  });

  it("a slow node stays reachable under the call deadline and times out above it; no call is left hanging", async () => {
    const p = poller();
    await p.firstSweep(10_000);
    const target = workers[0]!;
    t.fleet.setFault({ node: target, fault: "slow", ms: 300 });
    await waitFor(async () => p.attempts(id(target)).length >= 3, 5_000);
    expect(summary(p, target)).toMatchObject({ reachable: true, ready: true });

    t.fleet.setFault({ node: target, fault: "slow", ms: 3 * CALL_TIMEOUT });
    const faultAt = Date.now();
    const timedOut = await waitFor(async () => {
      const s = summary(p, target);
      return s && !s.reachable ? s : undefined;
    }, TWO_POLLS + CALL_TIMEOUT);
    expect(Date.now() - faultAt).toBeLessThanOrEqual(TWO_POLLS + CALL_TIMEOUT);
    expect(timedOut.lastError?.code).toBe("node_timeout");
    // Calls to the slow node are bounded by the deadline, so in-flight work never piles up.
    expect(p.stats().inFlightCalls).toBeLessThanOrEqual(4 * 10);

    t.fleet.clearFaults(target);
    await waitFor(async () => summary(p, target)?.reachable, 10_000);
    await waitFor(async () => p.stats().inFlightCalls === 0 && p.stats().inFlightPolls === 0, 5_000, 5);
  });

  it("unhealthy services: a worker's kubelet fails, a control plane's etcd degrades quorum", async () => {
    const p = poller();
    await p.firstSweep(10_000);
    await waitFor(async () => p.snapshot().clusters[0]?.etcd?.healthy === 3, 5_000);
    t.fleet.setFault({ node: workers[0]!, fault: "unhealthy" });
    t.fleet.setFault({ node: cps[2]!, fault: "unhealthy" });

    const w = await waitFor(async () => {
      const s = summary(p, workers[0]!);
      return s?.failingServices.length ? s : undefined;
    }, TWO_POLLS);
    expect(w).toMatchObject({ reachable: true, ready: false, failingServices: ["kubelet"] });
    expect(w.problems.map((x) => x.kind)).toEqual(["service_failing", "not_ready"]);

    const cluster = await waitFor(async () => {
      const c = p.snapshot().clusters[0];
      return c?.etcd?.healthy === 2 ? c : undefined;
    }, TWO_POLLS);
    expect(cluster.etcd).toMatchObject({ members: 3, healthy: 2, canTolerate: 0, quorum: "degraded" });
    expect(cluster.status).toBe("degraded");
    expect(summary(p, cps[2]!)!.problems.map((x) => x.kind)).toContain("etcd");
  });

  it("a reboot shows through the Events stream within a second, then the node comes back running", async () => {
    const events: FleetEvent[] = [];
    // A long interval: only the Events stream can make the stage change show this fast.
    const p = poller(events, { intervalMs: 10_000 });
    await p.firstSweep(10_000);
    await waitFor(async () => p.stats().watchers === 5, 5_000);
    const target = workers[0]!;
    const bootBefore = summary(p, target)!.bootId;
    const rebootAt = Date.now();
    await t.clients.admin.reboot(target);

    const seen = await waitFor(async () => events.flatMap((e) => e.nodes).find((n) => n.id === id(target) && n.stage === "rebooting"), 1_000, 10);
    expect(Date.now() - rebootAt).toBeLessThan(1_000);
    expect(seen.ready).toBe(false);

    await waitFor(async () => {
      const s = summary(p, target);
      return s?.reachable && s.stage === "running" && s.ready && s.bootId !== bootBefore;
    }, 10_000);
    const stages = p.detail(id(target))!.stageEvents.map((e) => e.stage);
    expect(stages).toEqual(expect.arrayContaining(["rebooting", "booting", "running"]));
    expect(stages.indexOf("rebooting")).toBeLessThan(stages.lastIndexOf("running"));
  });

  /** The admin client, recording `<method> <node>` for each call of `methods` before making it. */
  function recordingClient(methods: readonly ("version" | "machineStatus" | "serviceList" | "memoryReadings" | "loadAvg" | "hostname" | "bootId" | "etcdStatus" | "etcdMemberList")[]) {
    const admin = t.clients.admin;
    const calls: string[] = [];
    const client = Object.create(admin) as typeof admin;
    for (const m of methods) {
      const real = admin[m].bind(admin) as (node: string | undefined, opts?: object) => Promise<unknown>;
      (client as unknown as Record<string, unknown>)[m] = (node: string | undefined, opts?: object) => {
        calls.push(`${m} ${node}`);
        return real(node, opts);
      };
    }
    return { client, calls };
  }

  it("with its Events stream open, a node's polls read only memory, load and etcd; an event brings the full read back", async () => {
    const { client, calls } = recordingClient(["version", "machineStatus", "serviceList", "memoryReadings", "loadAvg", "hostname", "bootId", "etcdStatus", "etcdMemberList"]);
    const p = poller([], { loadClusters: async () => [{ name: "sim-1", nodes: t.contexts.admin.nodes, client }] });
    await p.firstSweep(10_000);
    await waitFor(async () => p.stats().watchers === 5, 5_000);
    // The streams' hellos each ask for one full read; let those pass.
    let polls = p.stats().polls;
    await waitFor(async () => p.stats().polls >= polls + 10, 5_000);
    let mark = calls.length;
    polls = p.stats().polls;
    await waitFor(async () => p.stats().polls >= polls + 10, 5_000);
    const w = workers[0]!;
    const of = (node: string, from: number) => calls.slice(from).filter((c) => c.endsWith(` ${node}`)).map((c) => c.split(" ")[0]);
    expect(of(w, mark).filter((m) => m === "memoryReadings").length).toBeGreaterThanOrEqual(1);
    expect(new Set(of(w, mark))).toEqual(new Set(["memoryReadings", "loadAvg"]));
    expect(new Set(of(cps[0]!, mark))).toEqual(new Set(["memoryReadings", "loadAvg", "etcdStatus", "etcdMemberList"]));
    expect(p.stats().fullReads).toBeLessThan(p.stats().polls);
    // What the light polls did not read is still shown.
    expect(summary(p, w)).toMatchObject({ reachable: true, stage: "running", ready: true, talosVersion: "v1.14.0", hostname: expect.stringMatching(/^sim-1-worker-/), bootId: expect.stringMatching(/\S/) });

    // The kubelet's health changes: the stream says so, and the next poll reads the services again.
    mark = calls.length;
    t.fleet.setFault({ node: w, fault: "unhealthy" });
    await waitFor(async () => summary(p, w)?.failingServices.includes("kubelet"), TWO_POLLS);
    expect(of(w, mark)).toEqual(expect.arrayContaining(["version", "machineStatus", "serviceList", "hostname", "bootId"]));
  });

  it("with its Events stream open and no event for `fullReadMaxAgeMs`, a poll re-reads stage, services and hostname, not version and boot ID", async () => {
    const { client, calls } = recordingClient(["version", "machineStatus", "serviceList", "hostname", "bootId"]);
    const p = poller([], { loadClusters: async () => [{ name: "sim-1", nodes: t.contexts.admin.nodes, client }], fullReadMaxAgeMs: 1_200 });
    await p.firstSweep(10_000);
    await waitFor(async () => p.stats().watchers === 5, 5_000);
    let polls = p.stats().polls;
    await waitFor(async () => p.stats().polls >= polls + 10, 5_000);
    const mark = calls.length;
    polls = p.stats().polls;
    // Over 2.5 max ages: at least one refresh per node.
    await new Promise((r) => setTimeout(r, 3_000));
    const w = workers[1]!;
    const seen = calls.slice(mark).filter((c) => c.endsWith(` ${w}`)).map((c) => c.split(" ")[0]);
    expect(new Set(seen)).toEqual(new Set(["machineStatus", "serviceList", "hostname"]));
    expect(p.stats().polls - polls).toBeGreaterThan(10);
  });

  it("without the Events stream, every poll reads everything", async () => {
    const p = poller([], { watchEvents: false });
    await p.firstSweep(10_000);
    const polls = p.stats().polls;
    await waitFor(async () => p.stats().polls >= polls + 10, 5_000);
    expect(p.stats().fullReads).toBe(p.stats().polls);
  });

  it("an event that arrives while a poll is reading brings one more read after it: the node ends in its final state, not the poll's stale one", async () => {
    const admin = t.clients.admin;
    const w = workers[0]!;
    const client = Object.create(admin) as typeof admin;
    // The stream as the poller sees it: each event is recorded once the watcher has handled it.
    const handled: TalosEvent[] = [];
    client.events = async function* (node, opts) {
      for await (const ev of admin.events(node, opts)) {
        yield ev;
        if (node === w) handled.push(ev);
      }
    };
    // Armed, the next ServiceList of `w` reads the node at once and answers only when released.
    let hold: { read: Promise<Awaited<ReturnType<typeof admin.serviceList>>> | null; release: () => void; released: Promise<void> } | null = null;
    client.serviceList = (node, opts) => {
      const real = admin.serviceList(node, opts);
      if (node !== w || !hold || hold.read) return real;
      hold.read = real;
      const h = hold;
      return real.then(async (answer) => {
        await h.released;
        return answer;
      });
    };
    // A long interval: only the trailing read the events ask for can show the final state in time.
    const p = poller([], { loadClusters: async () => [{ name: "sim-1", nodes: t.contexts.admin.nodes, client }], intervalMs: 30_000 });
    await p.firstSweep(10_000);
    await waitFor(async () => p.stats().watchers === 5, 5_000);
    let release = () => {};
    const released = new Promise<void>((r) => (release = r));
    hold = { read: null, release, released };

    t.fleet.setFault({ node: w, fault: "unhealthy" });
    // The event's poll is reading: what it read is the kubelet failing.
    const stale = await waitFor(async () => hold?.read ?? undefined, 5_000);
    expect((await stale).find((s) => s.id === "kubelet")?.health?.healthy).toBe(false);
    // While it reads, the kubelet recovers and the stream says so.
    const seen = handled.length;
    t.fleet.clearFaults(w);
    await waitFor(async () => handled.slice(seen).some((e) => e.type === "serviceState" && e.service === "kubelet" && e.healthy === true), 5_000);
    hold.release();
    // The poll lands with the failing kubelet; the read after it shows the recovery, long before the next interval.
    await waitFor(async () => summary(p, w)?.failingServices.includes("kubelet"), 5_000);
    await waitFor(async () => summary(p, w)?.failingServices.length === 0 && summary(p, w)?.ready, 5_000);
    expect(p.detail(id(w))!.services.find((s) => s.id === "kubelet")).toMatchObject({ state: "Running", healthy: true });
  });

  it("discovers nodes the talosconfig does not list (COSI Members, etcd members)", async () => {
    const p = createFleetPoller({
      loadClusters: async () => [{ name: "sim-1", nodes: [cps[0]!], client: t.clients.admin }],
      intervalMs: INTERVAL,
      callTimeoutMs: CALL_TIMEOUT,
      jitter: 0,
      watchEvents: false,
    });
    pollers.push(p);
    await p.firstSweep(10_000);
    const all = await waitFor(async () => {
      const s = p.snapshot();
      return s.nodes.length === 5 && s.nodes.every((n) => n.reachable) ? s : undefined;
    }, 5_000);
    expect(all.nodes.map((n) => [n.address, n.source, n.role])).toEqual([
      [cps[0], "talosconfig", "controlplane"],
      ...cps.slice(1).map((a) => [a, "discovered", "controlplane"]),
      ...workers.map((a) => [a, "discovered", "worker"]),
    ]);
    expect(p.resolve(id(workers[1]!))).toEqual({ cluster: "sim-1", address: workers[1] });
  });

  it("never shows one machine twice: a member without addresses is not polled by hostname", async () => {
    // worker-1 is in the talosconfig by address but down, so no poll has told its hostname; its
    // Members entry has no addresses yet (an affiliate whose addresses have not arrived).
    t.fleet.setFault({ node: workers[0]!, fault: "down" });
    const admin = t.clients.admin;
    const client = Object.create(admin) as typeof admin;
    client.clusterMembers = async (...args: Parameters<typeof admin.clusterMembers>) =>
      (await admin.clusterMembers(...args)).map((m) => (m.hostname === "sim-1-worker-1" ? { ...m, addresses: [] } : m));
    const p = createFleetPoller({
      loadClusters: async () => [{ name: "sim-1", nodes: [cps[0]!, workers[0]!], client }],
      intervalMs: INTERVAL,
      callTimeoutMs: CALL_TIMEOUT,
      jitter: 0,
      watchEvents: false,
      discoveryIntervalMs: 200,
    });
    pollers.push(p);
    await p.firstSweep(10_000);
    const all = await waitFor(async () => {
      const s = p.snapshot();
      return s.nodes.length === 5 && s.nodes.filter((n) => n.reachable).length === 4 ? s : undefined;
    }, 5_000);
    // Several discovery rounds later, still one entry per machine.
    await new Promise((r) => setTimeout(r, 600));
    expect(p.snapshot().nodes.map((n) => n.address).sort()).toEqual([cps[0], workers[0], ...cps.slice(1), workers[1]].sort());
    expect(all.nodes.find((n) => n.address === "sim-1-worker-1")).toBeUndefined();
  });

  it("a reader's credentials read everything the poll needs", async () => {
    const p = createFleetPoller({
      loadClusters: async () => [{ name: "sim-1", nodes: t.contexts.reader.nodes, client: t.clients.reader }],
      intervalMs: INTERVAL,
      callTimeoutMs: CALL_TIMEOUT,
      watchEvents: true,
    });
    pollers.push(p);
    await p.firstSweep(10_000);
    await waitFor(async () => p.snapshot().clusters[0]?.etcd?.healthy === 3, 5_000);
    for (const n of p.snapshot().nodes) expect(n).toMatchObject({ reachable: true, ready: true, problems: [] });
  });

  it("shows a cluster's live upgrade in its roll-up and publishes the change at once", async () => {
    const events: FleetEvent[] = [];
    const p = poller(events);
    await p.start();
    await p.firstSweep(10_000);
    p.setClusterUpgrade("sim-1", { planId: "plan-1", state: "running", done: 3, total: 5 });
    expect(p.snapshot().clusters[0]!.upgrade).toEqual({ planId: "plan-1", state: "running", done: 3, total: 5 });
    const last = events.at(-1);
    expect(last?.type === "nodes" && last.clusters[0]!.upgrade).toEqual({ planId: "plan-1", state: "running", done: 3, total: 5 });
    const published = events.length;
    p.setClusterUpgrade("sim-1", { planId: "plan-1", state: "running", done: 3, total: 5 });
    expect(events).toHaveLength(published);
    p.setClusterUpgrade("sim-1", null);
    expect(p.snapshot().clusters[0]!.upgrade).toBeNull();
  });

  it("merges what Kubernetes says into the nodes and the roll-up, and publishes only real changes", async () => {
    const events: FleetEvent[] = [];
    const p = poller(events);
    await p.start();
    await p.firstSweep(10_000);
    const before = summary(p, workers[0]!)!;
    expect(before.kubernetes).toMatchObject({ nodeName: null, ready: null, pods: null });
    expect(p.snapshot().clusters[0]!.kubernetes).toMatchObject({ access: "unknown" });
    const node = { nodeName: "sim-1-worker-1", ready: true, readyReason: null, kubeletVersion: "v1.34.1", unschedulable: true, cordonedByMinos: true, pods: 4 };
    const cluster = { access: "ok" as const, message: null, source: "talos" as const, controlPlaneVersion: "v1.34.1", kubeletVersions: { "v1.34.1": 1 }, skew: 0, checkedAt: new Date(1).toISOString() };
    const published = events.length;
    p.setClusterKubernetes("sim-1", { cluster, nodes: { [workers[0]!]: node } });
    expect(summary(p, workers[0]!)).toMatchObject({ kubernetes: node, kubernetesVersion: "v1.34.1" });
    expect(summary(p, workers[1]!)!.kubernetes).toMatchObject({ nodeName: null, ready: null });
    expect(p.snapshot().clusters[0]!.kubernetes).toEqual(cluster);
    await waitFor(async () => events.length > published, 2_000);
    const changed = events.slice(published).flatMap((e) => (e.type === "nodes" ? e.nodes : []));
    expect(changed.map((n) => n.id)).toContain(id(workers[0]!));
    // The same status read again later (only checkedAt moves) is not news.
    await new Promise((r) => setTimeout(r, 100));
    const after = events.filter((e) => e.type === "nodes" && e.nodes.some((n) => n.kubernetes?.nodeName)).length;
    p.setClusterKubernetes("sim-1", { cluster: { ...cluster, checkedAt: new Date(2).toISOString() }, nodes: { [workers[0]!]: node } });
    await new Promise((r) => setTimeout(r, 100));
    expect(events.filter((e) => e.type === "nodes" && e.nodes.some((n) => n.kubernetes?.nodeName)).length).toBe(after);
    expect(p.snapshot().clusters[0]!.kubernetes!.checkedAt).toBe(new Date(2).toISOString());
  });

  it("stop() settles every call and stream", async () => {
    const p = poller();
    await p.firstSweep(10_000);
    await waitFor(async () => p.stats().watchers === 5, 5_000);
    await p.stop();
    expect(p.stats()).toMatchObject({ inFlightCalls: 0, inFlightPolls: 0, watchers: 0 });
  });
});
