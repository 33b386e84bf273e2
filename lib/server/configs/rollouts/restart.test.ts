import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { redactConfig } from "@/lib/config/redact";
import { applyAfterPreflight } from "@/lib/server/configs/apply";
import { RolloutRepository } from "@/lib/server/configs/rollouts/repo";
import { rolloutLease, RolloutRunner } from "@/lib/server/configs/rollouts/runner";
import { configHash } from "@/lib/server/configs/modes";
import { createRollout, getRollout, insertPlannedRollout } from "@/lib/server/configs/rollouts/service";
import { startConfigTestFleet, type ConfigTestFleet } from "@/test/configs/fleet";
import { waitFor, withHostname } from "@/test/talos/fleet";

const USER = "test user";
const CHILD = path.resolve(__dirname, "../../../../test/configs/rollout-runner-child.ts");
const key = randomBytes(32);
let dir: string;
let t: ConfigTestFleet;
let workers: string[];
let cluster: string;

const appliesByNode = (since = 0) => {
  const counts: Record<string, number> = {};
  for (const e of t.fleet.timeline()) if (e.event === "apply" && e.time >= since) counts[e.node] = (counts[e.node] ?? 0) + 1;
  return counts;
};

/**
 * A replica's rollout runner in a process of its own, on the test's store, its owner name
 * prefixed `name`. Short leases (the production TTL is 9 s), so a takeover is quick here.
 */
function startChild(name: string): { child: ChildProcess; exited: Promise<number | null> } {
  const child = spawn(process.execPath, ["--conditions=react-server", "--import", "tsx", CHILD], {
    cwd: path.resolve(__dirname, "../../../.."),
    env: {
      ...process.env,
      MINOS_TEST_DB: path.join(dir, "minos.db"),
      MINOS_TEST_KEY: key.toString("hex"),
      TALOSCONFIG: t.fleet.talosconfig.admin,
      MINOS_REPLICA_ID: name,
      MINOS_TEST_LEASE_TTL_MS: "2000",
      MINOS_TEST_LEASE_RENEW_MS: "400",
      MINOS_TEST_SCAN_MS: "300",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) =>
    child.on("exit", (code) => {
      if (code !== 0 && code !== null) console.error(`runner child exited ${code}: ${stderr}`);
      resolve(code);
    }),
  );
  return { child, exited };
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "minos-rollout-restart-"));
  // Reboots long enough (1 s + 0.5 s boot) that a kill lands while nodes are mid-flight.
  t = await startConfigTestFleet(
    { firstAddress: "127.0.153.1", controlPlanes: 1, workers: 8, rebootSeconds: 1, bootSeconds: 0.5, readySeconds: 0.2 },
    { dbFile: path.join(dir, "minos.db"), key },
  );
  workers = t.ids.slice(1);
  cluster = t.fleet.clusters[0]!;
});
afterAll(async () => {
  await t?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe("rollout restart", () => {
  it("two replicas: the one driving is SIGKILLed mid-rollout, the other takes over once its lease expires, and no node is applied twice", async () => {
    const yaml = withHostname(redactConfig(await t.runningConfig(workers[0]!)), "w-restart");
    const since = Date.now();
    const r = await createRollout(t.deps, { yaml, target: { cluster, role: "worker" }, mode: "reboot", concurrency: 2, continueOnFailure: false }, USER, { runner: null });
    expect(r.nodes).toHaveLength(8);
    expect(r.state).toBe("running");

    const replicas = { "child-a": startChild("child-a"), "child-b": startChild("child-b") };
    // Kill the driver once some nodes are done and others are mid-flight (applied, waiting for the reboot).
    const atKill = await waitFor(async () => {
      const now = await getRollout(t.deps, r.id);
      const done = now.nodes.filter((n) => n.state === "done").length;
      return done >= 2 && now.nodes.some((n) => n.state === "waiting-healthy" || n.state === "applying") ? now : undefined;
    }, 60_000, 25);
    const lease = await t.deps.db.selectFrom("leases").selectAll().where("name", "=", rolloutLease(r.id)).executeTakeFirstOrThrow();
    const driver = lease.owner.startsWith("child-a-") ? "child-a" : "child-b";
    const survivor = driver === "child-a" ? "child-b" : "child-a";
    expect(lease.owner.startsWith(`${driver}-`)).toBe(true);
    replicas[driver].child.kill("SIGKILL");
    await replicas[driver].exited;
    expect(atKill.nodes.some((n) => n.state === "preflight-ok")).toBe(true);

    // The survivor was scanning all along: it takes the expired lease and finishes the rollout.
    expect(await replicas[survivor].exited).toBe(0);
    const done = await getRollout(t.deps, r.id);
    expect(done.state).toBe("done");
    expect(done.nodes.every((n) => n.state === "done")).toBe(true);
    const last = await t.deps.db.selectFrom("leases").selectAll().where("name", "=", rolloutLease(r.id)).executeTakeFirstOrThrow();
    expect(last.owner.startsWith(`${survivor}-`)).toBe(true);
    expect(last.fence).toBeGreaterThan(lease.fence);

    // The simulator's own record: every worker applied exactly once, the control plane never.
    const applies = appliesByNode(since);
    expect(Object.keys(applies).sort()).toEqual(workers.map((w) => t.address(w)).sort());
    expect(Object.values(applies).every((n) => n === 1)).toBe(true);
    for (const w of workers) expect(await t.runningConfig(w)).toContain("w-restart");
  }, 120_000);

  it("resuming a node caught in 'applying' asks the node instead of applying again", async () => {
    const runner = new RolloutRunner({ deps: t.deps, pollMs: 50, healthTimeoutMs: 10_000 });
    const repo = new RolloutRepository(t.deps.db, t.deps.box);
    const [landed, lost] = [workers[0]!, workers[1]!];
    const yaml = withHostname(redactConfig(await t.runningConfig(landed)), "w-crash");
    const r = await createRollout(t.deps, { yaml, target: { cluster, nodes: [landed, lost] }, mode: "no-reboot", concurrency: 2, continueOnFailure: false }, USER, { runner: null });
    // Simulate a crash after the transition to "applying" was written: on `landed` the apply
    // reached the node (its pending revision is there), on `lost` it never left Minos.
    const at = new Date();
    for (const id of [landed, lost]) await repo.updateNode(r.id, id, { state: "applying", startedAt: at, message: "Applying the config" }, at);
    const merged = await repo.nodeConfig(r.id, landed);
    const applied = await applyAfterPreflight(
      t.deps,
      landed,
      { client: t.clients.admin, address: t.address(landed), merged, response: { mode: "no-reboot", warnings: [] } },
      { yaml: merged, mode: "no-reboot" },
      { actor: USER, source: "rollout", rolloutId: r.id, onPending: (trx, revisionId) => repo.on(trx).updateNode(r.id, landed, { revisionId }, new Date()) },
    );
    const since = Date.now();

    await runner.resumeAll();
    await runner.drain();
    const done = await getRollout(t.deps, r.id);
    expect(done.nodes.map((n) => [n.id, n.state])).toEqual([
      [landed, "done"],
      [lost, "done"],
    ]);
    expect(appliesByNode(since)).toEqual({ [t.address(lost)]: 1 });
    expect(done.nodes[0]!.revisionId).toBe(applied.revision.id);
    expect(await t.runningConfig(lost)).toContain("w-crash");
  });

  it("a rollout interrupted during its preflight-all is marked preflight-failed, nothing applied", async () => {
    const repo = new RolloutRepository(t.deps.db, t.deps.box);
    await repo.create({ id: "ro-interrupted", author: USER, at: new Date(), target: { cluster }, mode: "auto", concurrency: 1, continueOnFailure: false, configHash: "x", redactedYaml: "", nodes: [{ id: workers[0]!, role: "worker" }] });
    const runner = new RolloutRunner({ deps: t.deps });
    await runner.resumeAll();
    await runner.drain();
    expect(await getRollout(t.deps, "ro-interrupted")).toMatchObject({ state: "preflight-failed", nodes: [{ state: "skipped" }] });
  });
  it("a planned node resumed after a crash is not applied over a running config that changed meanwhile", async () => {
    const runner = new RolloutRunner({ deps: t.deps, pollMs: 50, healthTimeoutMs: 10_000 });
    const repo = new RolloutRepository(t.deps.db, t.deps.box);
    const [changed, same] = [workers[2]!, workers[3]!];
    const nodes = await Promise.all(
      [changed, same].map(async (id) => {
        const running = await t.runningConfig(id);
        return { id, role: "worker" as const, yaml: withHostname(running, `planned-${t.address(id)}`), mode: "no-reboot" as const, message: "", expectedRunningHash: configHash(running) };
      }),
    );
    const id = await t.deps.db
      .transaction()
      .execute((trx) => insertPlannedRollout(t.deps, trx, { cluster, mode: "no-reboot", concurrency: 2, redactedYaml: "", configHash: "planned", manifestRevision: null, nodes }, USER));
    // A crash right after both nodes were marked started, before anything was checked or sent.
    const at = new Date();
    for (const n of [changed, same]) await repo.updateNode(id, n, { state: "applying", startedAt: at, message: "Applying the config" }, at);
    // Meanwhile someone applies another config to one of them, outside the rollout.
    const outside = withHostname(await t.runningConfig(changed), "changed-outside");
    await t.clients.admin.applyConfiguration(t.address(changed), { data: outside, mode: "no-reboot" });
    const since = Date.now();

    await runner.resumeAll();
    await runner.drain();
    const done = await getRollout(t.deps, id);
    const by = new Map(done.nodes.map((n) => [n.id, n]));
    expect(by.get(changed)).toMatchObject({ state: "failed", message: expect.stringContaining("running config changed since the plan") });
    expect(await t.runningConfig(changed)).toContain("changed-outside");
    expect(by.get(same)!.state).toBe("done");
    expect(appliesByNode(since)).toEqual({ [t.address(same)]: 1 });
  });
});
