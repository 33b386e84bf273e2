/**
 * Config rollouts drain the nodes they reboot, through the real Kubernetes access and drainer
 * against the simulator's Kubernetes API: cordon and drain before the apply, uncordon once the
 * node is back healthy (the timeline proves the order); modes that do not reboot are not
 * drained; a `pdb-blocks` node waits for a person (the rollout says why) until forced or skipped.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";

import { redactConfig } from "@/lib/config/redact";
import type { RolloutDetail } from "@/lib/schemas/configs";
import type { TimelineEntry } from "@/lib/simulator/fleet";
import { createKubeAccessProvider } from "@/lib/server/kubernetes/access";
import { createNodeDrainer } from "@/lib/server/kubernetes/drainer";
import { listAudit } from "@/lib/server/platform/audit";
import { RolloutRepository } from "@/lib/server/configs/rollouts/repo";
import { RolloutRunner } from "@/lib/server/configs/rollouts/runner";
import { createRollout, getRollout, rolloutAction, rolloutDrainAction } from "@/lib/server/configs/rollouts/service";
import { startConfigTestFleet, type ConfigTestFleet } from "@/test/configs/fleet";
import { rejection, waitFor, withHostname } from "@/test/talos/fleet";

const USER = "test user";
let t: ConfigTestFleet;
let runner: RolloutRunner;
let workerYaml: string;
let cluster: string;

beforeAll(async () => {
  t = await startConfigTestFleet({ firstAddress: "127.0.163.1", controlPlanes: 1, workers: 3, podSeconds: 0.1 });
  const cp = t.fleet.nodes.find((n) => n.role === "controlplane")!.address;
  const access = createKubeAccessProvider({ uploaded: async () => null, uploadStamp: async () => null, talos: async () => ({ client: t.clients.admin, controlPlanes: [cp] }), now: Date.now }, { callTimeoutMs: 2_000 });
  runner = new RolloutRunner({ deps: t.deps, pollMs: 50, healthTimeoutMs: 10_000, kubernetes: { access, drainer: createNodeDrainer(access, { retryMs: 200, pollMs: 100, forceWaitMs: 5_000 }) } });
  cluster = t.fleet.clusters[0]!;
  workerYaml = redactConfig(await t.runningConfig(t.ids[1]!));
});

afterAll(async () => {
  await runner?.stop();
  await t?.stop();
});

afterEach(() => {
  t.fleet.clearFaults();
});

async function until(id: string, ok: (r: RolloutDetail) => boolean): Promise<RolloutDetail> {
  return waitFor(async () => {
    const r = await getRollout(t.deps, id);
    return ok(r) ? r : undefined;
  }, 60_000, 100);
}
const settled = (id: string) => until(id, (r) => ["done", "failed", "cancelled"].includes(r.state) && r.nodes.every((n) => !["draining", "drain-blocked", "applying", "waiting-healthy"].includes(n.state)));
const sinceNow = () => {
  const from = t.fleet.timeline().length;
  return () => t.fleet.timeline().slice(from);
};
const at = (tl: TimelineEntry[], host: string, event: string, stage?: string) => tl.findIndex((e) => e.hostname === host && e.event === event && (stage === undefined || e.stage === stage));
const hostOf = (id: string) => t.fleet.nodes.find((n) => n.address === t.address(id))!.hostname;

describe("rollouts drain the nodes they reboot", () => {
  it("mode reboot: cordon and drain before the apply, uncordon after the node is back; at most `concurrency` cordoned", async () => {
    const timeline = sinceNow();
    const r = await createRollout(t.deps, { yaml: withHostname(workerYaml, "w-drained"), target: { cluster, role: "worker" }, mode: "reboot", concurrency: 1, continueOnFailure: false }, USER, { runner });
    expect(r.strategy?.drain).toEqual({ enabled: true, timeoutSeconds: 300, onTimeout: "halt" });
    const done = await settled(r.id);
    expect(done.state).toBe("done");
    const tl = timeline();
    for (const n of done.nodes) {
      const h = hostOf(n.id);
      expect(at(tl, h, "cordon"), h).toBeGreaterThanOrEqual(0);
      expect(at(tl, h, "cordon"), h).toBeLessThan(at(tl, h, "apply"));
      expect(at(tl, h, "apply"), h).toBeLessThan(tl.findLastIndex((e) => e.hostname === h && e.event === "uncordon"));
      expect(n.drain?.phase).toBe("uncordoned");
    }
    let cordoned = 0;
    let max = 0;
    for (const e of tl) {
      if (e.event === "cordon") cordoned++;
      if (e.event === "uncordon") cordoned--;
      max = Math.max(max, cordoned);
    }
    expect(max).toBe(1);
  }, 90_000);

  it("mode no-reboot: nothing is drained", async () => {
    const timeline = sinceNow();
    const r = await createRollout(t.deps, { yaml: withHostname(workerYaml, "w-noreboot"), target: { cluster, nodes: [t.ids[1]!] }, mode: "no-reboot", concurrency: 1, continueOnFailure: false }, USER, { runner });
    const done = await settled(r.id);
    expect(done.state).toBe("done");
    expect(timeline().filter((e) => e.event === "cordon")).toEqual([]);
    expect(done.nodes[0]!.drain).toBeNull();
  }, 60_000);

  it("pdb-blocks: the node waits for a person with the PDB named; skip applies it with its pods, then the next node goes on", async () => {
    const [a, b] = [t.ids[2]!, t.ids[3]!];
    t.fleet.setFault({ node: hostOf(a), fault: "pdb-blocks" });
    const r = await createRollout(
      t.deps,
      { yaml: withHostname(workerYaml, "w-pinned"), target: { cluster, nodes: [a, b] }, mode: "reboot", concurrency: 1, continueOnFailure: false, strategy: { drain: { enabled: true, timeoutSeconds: 10, onTimeout: "halt" } } },
      USER,
      { runner },
    );
    const blocked = await until(r.id, (x) => x.nodes.some((n) => n.state === "drain-blocked"));
    expect(blocked.state).toBe("running");
    expect(blocked.message).toContain(`default/pinned-${hostOf(a)}`);
    const node = blocked.nodes.find((n) => n.id === a)!;
    expect(node).toMatchObject({ state: "drain-blocked", drain: { phase: "blocked" } });
    expect(node.drain?.blocking.flatMap((p) => p.pdbs)).toContain(`default/pinned-${hostOf(a)}`);
    expect(blocked.nodes.find((n) => n.id === b)!.state).toBe("preflight-ok");

    const timeline = sinceNow();
    await rolloutDrainAction(t.deps, r.id, a, "skip-drain", "user:ops", { runner });
    // The pinned pod was not moved; it lands on b only if the simulator moves it. Either way b is next.
    const next = await until(r.id, (x) => x.nodes.find((n) => n.id === a)!.state === "done" && x.nodes.find((n) => n.id === b)!.state !== "preflight-ok");
    expect(next.nodes.find((n) => n.id === a)!.drain?.message).toMatch(/^drain skipped by a person: .*; uncordoned /);
    expect(timeline().filter((e) => e.event === "pod-deleted")).toEqual([]);
    expect((await rejection(rolloutDrainAction(t.deps, r.id, a, "force-drain", "user:ops", { runner }))).code).toBe("conflict");
    const audit = (await listAudit(t.deps.db, { limit: 10 })).filter((e) => e.target === r.id).map((e) => e.action);
    expect(audit).toContain("config.rollout.skip-drain");
    const done = await settled(r.id);
    expect(done.state).toBe("done");
  }, 120_000);

  it("a cancel that comes while a drain still runs: once it ends, the node is uncordoned and skipped, nothing applied", async () => {
    const a = t.ids[2]!;
    // The PDB holds the drain for its whole timeout, then onTimeout force lets it go on.
    t.fleet.setFault({ node: hostOf(a), fault: "pdb-blocks" });
    const timeline = sinceNow();
    const r = await createRollout(
      t.deps,
      { yaml: withHostname(workerYaml, "w-cancel-mid"), target: { cluster, nodes: [a] }, mode: "reboot", concurrency: 1, continueOnFailure: false, strategy: { drain: { enabled: true, timeoutSeconds: 10, onTimeout: "force" } } },
      USER,
      { runner },
    );
    await until(r.id, (x) => x.nodes[0]!.state === "draining" && x.nodes[0]!.drain?.message.startsWith("cordoned ") === true);
    await rolloutAction(t.deps, r.id, "cancel", "user:ops", { runner });
    const done = await settled(r.id);
    expect(done.state).toBe("cancelled");
    expect(done.nodes[0]).toMatchObject({ state: "skipped", message: expect.stringMatching(/^Cancelled while its drain ran: nothing applied; forced after 10 s .*; uncordoned /) });
    expect(timeline().filter((e) => e.event === "apply")).toEqual([]);
    expect(at(timeline(), hostOf(a), "uncordon")).toBeGreaterThan(at(timeline(), hostOf(a), "cordon"));
  }, 90_000);

  it("a restart between the node's start and its drain drains it before the apply (not resumed as an apply)", async () => {
    const a = t.ids[3]!;
    const r = await createRollout(t.deps, { yaml: withHostname(workerYaml, "w-crash-start"), target: { cluster, nodes: [a] }, mode: "reboot", concurrency: 1, continueOnFailure: false }, USER, { runner: null });
    // The crash: `applying` + started_at written (as startNode does), the `draining` write never made.
    const repo = new RolloutRepository(t.deps.db, t.deps.box);
    const started = new Date();
    await repo.updateNode(r.id, a, { state: "applying", startedAt: started, message: "Applying the config" }, started);
    const timeline = sinceNow();
    await runner.resumeAll();
    const done = await settled(r.id);
    expect(done.state).toBe("done");
    expect(done.nodes[0]!.drain?.phase).toBe("uncordoned");
    const tl = timeline();
    expect(at(tl, hostOf(a), "cordon")).toBeGreaterThanOrEqual(0);
    expect(at(tl, hostOf(a), "cordon")).toBeLessThan(at(tl, hostOf(a), "apply"));
    expect(tl.filter((e) => e.event === "apply")).toHaveLength(1);
  }, 90_000);

  it("a cancel reaches a node whose drain waits: it is uncordoned and skipped, nothing applied", async () => {
    const a = t.ids[1]!;
    t.fleet.setFault({ node: hostOf(a), fault: "pdb-blocks" });
    const r = await createRollout(
      t.deps,
      { yaml: withHostname(workerYaml, "w-cancel"), target: { cluster, nodes: [a] }, mode: "reboot", concurrency: 1, continueOnFailure: false, strategy: { drain: { enabled: true, timeoutSeconds: 10, onTimeout: "halt" } } },
      USER,
      { runner },
    );
    await until(r.id, (x) => x.nodes[0]!.state === "drain-blocked");
    const timeline = sinceNow();
    await rolloutAction(t.deps, r.id, "cancel", "user:ops", { runner });
    const done = await settled(r.id);
    expect(done.state).toBe("cancelled");
    expect(done.nodes[0]).toMatchObject({ state: "skipped", message: expect.stringMatching(/^Cancelled while its drain waited for a person: nothing applied; drain of .* blocked .*; uncordoned sim-1-worker-1$/) });
    expect(timeline().filter((e) => e.event === "apply")).toEqual([]);
    expect(at(timeline(), hostOf(a), "uncordon")).toBeGreaterThanOrEqual(0);
  }, 90_000);
});
