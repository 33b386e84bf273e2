/**
 * Upgrade events across replicas (PostgreSQL's event relay): a plan's event leaves this replica
 * as a reference to the plan, and another replica's reference arrives here as the whole plan,
 * read from the store.
 */
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";

import type { UpgradeEvent } from "@/lib/schemas/upgrades";
import { openDb } from "@/lib/server/platform/db/db";
import { publish, subscribe } from "@/lib/server/platform/events";
import { RELAY_CHANNEL, startEventRelay } from "@/lib/server/platform/relay";
import { testStore } from "@/test/db";
import { waitFor } from "@/test/talos/fleet";
import { preview } from "@/test/upgrades/preview";

import { relayUpgradeEvents } from "./relay";
import { UpgradeRepository } from "./repository";

const stops: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const s of stops.splice(0).reverse()) await s();
});

// LISTEN/NOTIFY is PostgreSQL's: with SQLite there is one replica and nothing to relay.
describe.skipIf(testStore() !== "postgres")("upgrade events between replicas (PostgreSQL)", () => {
  it("sends a plan's event by reference and delivers another replica's as the plan from the store", async () => {
    const url = process.env.MINOS_DATABASE_URL!;
    const db = openDb(url);
    stops.push(() => db.destroy());
    const repo = new UpgradeRepository(db);
    await repo.insertPlan({ id: "plan-1", actor: "ada", preview: preview("lab", 3), etcdMembers: 3, now: Date.now() });
    // Enough node messages that the plan is beyond NOTIFY's payload limit.
    for (let i = 0; i < 50; i++) await repo.updateNode("plan-1", "10.5.0.2@lab", { message: `installer: step ${i} ${"·".repeat(200)}`, now: Date.now() });

    relayUpgradeEvents(() => db);
    const relay = await startEventRelay(url, "replica-a");
    stops.push(() => relay.stop());
    const other = new pg.Client({ connectionString: url });
    await other.connect();
    stops.push(() => other.end());
    const heard: { origin: string; topic: string; ref?: string; payload?: unknown }[] = [];
    other.on("notification", (n) => {
      if (n.payload?.startsWith("{")) heard.push(JSON.parse(n.payload));
    });
    await other.query(`LISTEN ${RELAY_CHANNEL}`);
    const got: UpgradeEvent[] = [];
    const unsubscribe = subscribe("upgrade", (e) => got.push(e));
    stops.push(async () => unsubscribe());

    const plan = (await repo.getPlan("plan-1", Date.now()))!;
    publish("upgrade", { type: "upgrade", plan });
    await waitFor(async () => heard.length === 1, 5_000);
    expect(heard[0]).toEqual({ origin: "replica-a", topic: "upgrade", ref: "plan-1" });

    // Replica b drove the plan a step further and says so.
    await repo.setPlanState("plan-1", { state: "running", started: true, now: Date.now() });
    await other.query("SELECT pg_notify($1, $2)", [RELAY_CHANNEL, JSON.stringify({ origin: "replica-b", topic: "upgrade", ref: "plan-1" })]);
    await waitFor(async () => got.length === 2, 5_000);
    expect(got[1]!.plan).toMatchObject({ id: "plan-1", state: "running", cluster: "lab" });
    expect(got[1]!.plan.nodes[0]!.messages).toHaveLength(50);
  });
});
