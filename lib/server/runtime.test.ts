import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { currentFleetPoller } from "@/lib/server/fleet/service";
import { processState } from "@/lib/server/platform/process-state";
import { runningJobs, startRuntime, stopRuntime } from "@/lib/server/runtime";
import { testStore } from "@/test/db";

type Slots = { __minosUpgradeRunner?: unknown; __minosRolloutRunner?: unknown; __minosHousekeeping?: unknown; __minosDriftChecker?: unknown };
const slots = processState<Slots>();
let dir = "";

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "minos-runtime-"));
  // An empty fleet (no talosconfig) and a private database: the jobs start, with nothing to reach.
  Object.assign(process.env, { MINOS_STATE_DIR: dir, MINOS_DB: path.join(dir, "minos.db"), TALOSCONFIG: path.join(dir, "absent-talosconfig") });
});

afterAll(async () => {
  await stopRuntime();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("runtime", () => {
  it("starts every background job once, and a second start adds none", async () => {
    await startRuntime({ templatePool: false });
    // On PostgreSQL (MINOS_DATABASE_URL) the replicas also relay events to each other.
    const jobs = [...(testStore() === "postgres" ? ["event relay"] : []), "fleet poller", "certificate scanner", "upgrade runner", "rollout runner", "kubernetes upgrade runner", "bulk runner", "ca rotation runner", "drift checker", "kubernetes status", "kubeconfig cleanup", "audit retention", "backup scheduler", "alert evaluator", "cluster uploads watch", "alert delivery"];
    expect(runningJobs()).toEqual(jobs);
    expect(currentFleetPoller()).toBeDefined();
    expect(slots.__minosUpgradeRunner).toBeDefined();
    expect(slots.__minosRolloutRunner).toBeDefined();
    expect(slots.__minosHousekeeping).toBeDefined();
    const runner = slots.__minosUpgradeRunner;
    await startRuntime({ templatePool: false });
    expect(runningJobs()).toEqual(jobs);
    expect(slots.__minosUpgradeRunner).toBe(runner);
  });

  it("stops them all, and the next start builds them afresh", async () => {
    const runner = slots.__minosUpgradeRunner;
    await stopRuntime();
    expect(runningJobs()).toEqual([]);
    expect(currentFleetPoller()).toBeUndefined();
    expect(slots.__minosUpgradeRunner).toBeUndefined();
    expect(slots.__minosRolloutRunner).toBeUndefined();
    expect(slots.__minosHousekeeping).toBeUndefined();
    expect(slots.__minosDriftChecker).toBeUndefined();
    await startRuntime({ templatePool: false });
    expect(slots.__minosUpgradeRunner).toBeDefined();
    expect(slots.__minosUpgradeRunner).not.toBe(runner);
  });
});
