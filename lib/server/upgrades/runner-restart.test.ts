/**
 * Killing Minos mid-upgrade: the runner runs in a child process (tsx) over a database file; it
 * is SIGKILLed while a node is mid-reboot, and a new runner over the same file resumes the plan.
 * The simulator's timeline proves no node was installed or rebooted twice.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";

import { afterAll, beforeAll, expect, it } from "vitest";

import { openLegacyDb as openDb, type LegacyDb as Db } from "@/lib/server/platform/db/db";
import { startTestFleet, waitFor, type TestFleet } from "@/test/talos/fleet";

import { UpgradeRepository } from "./repository";
import { countEvents, maxConcurrentlyDown } from "@/test/upgrades/timeline";

const root = path.resolve(__dirname, "../../..");
let t: TestFleet;
let dir: string;
const children: ChildProcess[] = [];

beforeAll(async () => {
  t = await startTestFleet({ firstAddress: "127.0.142.1", controlPlanes: 3, workers: 5, rebootSeconds: 0.6, bootSeconds: 0.2, readySeconds: 0.1, upgradeSeconds: 0.2 });
  dir = await mkdtemp(path.join(os.tmpdir(), "minos-upgrade-restart-"));
}, 60_000);

afterAll(async () => {
  for (const c of children) if (c.exitCode === null) c.kill("SIGKILL");
  await t?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** Starts a runner process; resolves its lines as they come. */
function runner(dbFile: string, create?: unknown) {
  const args = ["--conditions=react-server", "--import", "tsx", path.join(root, "test/upgrades/runner-child.ts"), "--db", dbFile, "--talosconfig", t.fleet.talosconfig.admin];
  if (create) args.push("--create", JSON.stringify(create));
  const child = spawn(process.execPath, args, { cwd: root, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, NODE_OPTIONS: "" } });
  children.push(child);
  const lines: string[] = [];
  createInterface({ input: child.stdout! }).on("line", (l) => lines.push(l));
  createInterface({ input: child.stderr! }).on("line", (l) => {
    if (!l.includes("DEP0123") && !l.includes("trace-deprecation")) lines.push(`ERR ${l}`);
  });
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return { child, lines, exited };
}

it("a runner killed while a node reboots is resumed by a new one; no node is upgraded twice", async () => {
  const dbFile = path.join(dir, "minos.db");
  const timelineFrom = t.fleet.timeline().length;
  const first = runner(dbFile, { cluster: "sim-1", version: "v1.14.0", strategy: { maxParallelWorkers: 1, healthTimeoutSeconds: 60 } });
  const planId = await waitFor(async () => first.lines.find((l) => l.startsWith("PLAN "))?.slice(5) ?? (first.child.exitCode !== null ? Promise.reject(new Error(first.lines.join("\n"))) : undefined), 30_000, 50);

  // Kill it while a worker is mid-reboot: its row says waiting-healthy, the node is down.
  const db: Db = openDb(dbFile);
  const victim = await waitFor(async () => {
    const plan = new UpgradeRepository(db).getPlan(planId, Date.now());
    const n = plan?.nodes.find((x) => x.role === "worker" && x.state === "waiting-healthy");
    if (!n) return undefined;
    const sim = t.fleet.nodeStates().find((s) => s.address === n.address);
    return sim && !sim.reachable ? n : undefined;
  }, 60_000, 10);
  first.child.kill("SIGKILL");
  await first.exited;
  const atKill = new UpgradeRepository(db).getPlan(planId, Date.now())!;
  expect(atKill.state).toBe("running");
  expect(atKill.nodes.filter((n) => n.state === "done").length).toBeGreaterThanOrEqual(3);

  const second = runner(dbFile);
  const code = await Promise.race([second.exited, new Promise<"timeout">((r) => setTimeout(() => r("timeout"), 90_000))]);
  expect(code, second.lines.join("\n")).toBe(0);

  const plan = new UpgradeRepository(db).getPlan(planId, Date.now())!;
  db.close();
  expect(plan.state).toBe("succeeded");
  expect(plan.nodes.every((n) => n.state === "done")).toBe(true);
  const resumed = plan.nodes.find((n) => n.id === victim.id)!;
  expect(resumed.attempts).toBe(2);
  expect(resumed.messages.map((m) => m.text).join("\n")).toMatch(/Minos restarted while waiting-healthy/);
  expect(new Set(t.fleet.nodeStates().map((n) => n.version))).toEqual(new Set(["v1.14.0"]));

  const timeline = t.fleet.timeline().slice(timelineFrom);
  const installs = countEvents(timeline, "installed");
  const reboots = countEvents(timeline.filter((e) => e.event === "stage" && e.stage === "rebooting").map((e) => ({ ...e, event: "reboot" })), "reboot");
  for (const n of t.fleet.nodes) {
    expect(installs.get(n.address), `${n.hostname} installs`).toBe(1);
    expect(reboots.get(n.address), `${n.hostname} reboots`).toBe(1);
  }
  expect(maxConcurrentlyDown(timeline, t.fleet.nodes)).toEqual({ controlplane: 1, worker: 1 });
}, 180_000);
