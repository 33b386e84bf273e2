/**
 * The health gate after a node's reboot waits on the node's Events stream: with the fallback poll
 * set far beyond the test's time, the upgrade still finishes, so the gate looked because the node
 * said something. Without a stream it polls.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { upgradeRequestSchema, type UpgradePlan } from "@/lib/schemas/upgrades";
import type { Db } from "@/lib/server/platform/db/db";
import { AppError } from "@/lib/server/platform/errors";
import type { TalosClient } from "@/lib/server/talos";
import { testDb } from "@/test/db";
import { startTestFleet, waitFor, type TestFleet } from "@/test/talos/fleet";

import { type RunnerDeps, UpgradeRunner } from "./runner";

let t: TestFleet;
let db: Db;
const CLUSTER = "sim-1";

beforeAll(async () => {
  t = await startTestFleet({ firstAddress: "127.0.159.1", controlPlanes: 1, workers: 2, rebootSeconds: 0.3, bootSeconds: 0.2, readySeconds: 0.1, upgradeSeconds: 0.2 });
  db = await testDb();
}, 60_000);
afterAll(async () => {
  await t?.stop();
});

/** The admin client, counting calls per method; `events: false` makes the Events stream fail to open. */
function counted(opts: { events: boolean }) {
  const calls: Record<string, number> = {};
  const client = new Proxy(t.clients.admin, {
    get(target, prop, receiver) {
      const value: unknown = Reflect.get(target, prop, receiver);
      if (typeof value !== "function" || typeof prop !== "string") return value;
      return (...args: unknown[]) => {
        calls[prop] = (calls[prop] ?? 0) + 1;
        if (prop === "events" && !opts.events) throw new AppError("node_unreachable", "Events: connection refused");
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  }) as TalosClient;
  return { client, calls };
}

async function upgradeOne(address: string, version: string, client: TalosClient, deps: Partial<RunnerDeps>): Promise<UpgradePlan> {
  const runner = new UpgradeRunner({ db, client: async () => client, clusterNodes: async () => t.contexts.admin.nodes, readTimeoutMs: 10_000, log: () => {}, ...deps });
  try {
    const plan = await runner.create(upgradeRequestSchema.parse({ cluster: CLUSTER, version, nodes: [address] }));
    return await waitFor(async () => {
      const p = await runner.getOrThrow(plan.id);
      return ["succeeded", "failed", "cancelled"].includes(p.state) ? p : undefined;
    }, 30_000, 50);
  } finally {
    await runner.stop();
  }
}

describe("the health gate on the node's events", () => {
  it("passes as soon as the node is back: no poll could have come (the fallback is a minute away)", async () => {
    const w = t.fleet.nodes.filter((n) => n.role === "worker")[0]!.address;
    const { client, calls } = counted({ events: true });
    const plan = await upgradeOne(w, "v1.14.0", client, { pollIntervalMs: 60_000 });
    expect(plan.state).toBe("succeeded");
    expect(plan.nodes[0]!.state).toBe("done");
    expect(plan.nodes[0]!.messages.map((m) => m.text)).toContain("healthy on v1.14.0");
    expect(calls.events).toBeGreaterThanOrEqual(2); // opened, then opened again after the reboot
    // One look per wake-up, not one per 100 ms: a handful for a whole reboot.
    expect(calls.machineStatus).toBeLessThan(25);
  });

  it("polls when the node's Events stream cannot be opened", async () => {
    const w = t.fleet.nodes.filter((n) => n.role === "worker")[1]!.address;
    const { client, calls } = counted({ events: false });
    const plan = await upgradeOne(w, "v1.14.0", client, { pollIntervalMs: 100, eventReconnectMs: 50 });
    expect(plan.state).toBe("succeeded");
    expect(calls.events).toBeGreaterThanOrEqual(1);
    expect(calls.machineStatus).toBeGreaterThanOrEqual(2);
  });
});
