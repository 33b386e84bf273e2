import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";

import { publish, subscribe } from "@/lib/server/platform/events";
import { RELAY_CHANNEL, relayTopic, startEventRelay } from "@/lib/server/platform/relay";
import { testDb, testStore } from "@/test/db";
import { freePort, startPostgres } from "@/test/pg/server";
import { waitFor } from "@/test/talos/fleet";

declare module "@/lib/server/platform/events" {
  interface ServerEvents {
    relayTest: { n: number; blob?: string };
  }
}

const stops: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const s of stops.splice(0)) await s();
});

// LISTEN/NOTIFY is PostgreSQL's: with SQLite there is one replica and nothing to relay.
describe.skipIf(testStore() !== "postgres")("event relay between replicas (PostgreSQL)", () => {
  it("sends this replica's events to the others, delivers theirs here, and sends large ones by reference", async () => {
    await testDb();
    const url = process.env.MINOS_DATABASE_URL!;
    const big = "x".repeat(20_000);
    relayTopic("relayTest", { ref: (p) => String(p.n), load: async (ref) => ({ n: Number(ref), blob: big }) });
    const relay = await startEventRelay(url, "replica-a");
    stops.push(() => relay.stop());

    // Another replica, seen from the wire: it listens, and it notifies.
    const other = new pg.Client({ connectionString: url });
    await other.connect();
    stops.push(() => other.end());
    const heard: { topic: string; payload?: { n: number }; ref?: string }[] = [];
    other.on("notification", (n) => {
      if (n.payload?.startsWith("{")) heard.push(JSON.parse(n.payload));
    });
    await other.query(`LISTEN ${RELAY_CHANNEL}`);

    const got: { n: number; blob?: string }[] = [];
    const unsubscribe = subscribe("relayTest", (p) => got.push(p));
    stops.push(async () => unsubscribe());

    publish("relayTest", { n: 1 });
    publish("relayTest", { n: 2, blob: big });
    await waitFor(async () => heard.length === 2, 5_000);
    expect(heard).toMatchObject([{ topic: "relayTest", payload: { n: 1 } }, { topic: "relayTest", ref: "2" }]);
    expect(got.map((p) => p.n)).toEqual([1, 2]); // local subscribers got both once

    await other.query("SELECT pg_notify($1, $2)", [RELAY_CHANNEL, JSON.stringify({ origin: "replica-b", topic: "relayTest", payload: { n: 3 } })]);
    await other.query("SELECT pg_notify($1, $2)", [RELAY_CHANNEL, JSON.stringify({ origin: "replica-b", topic: "relayTest", ref: "4" })]);
    // Its own events coming back are not delivered twice; unknown topics and junk are dropped.
    await other.query("SELECT pg_notify($1, $2)", [RELAY_CHANNEL, JSON.stringify({ origin: "replica-a", topic: "relayTest", payload: { n: 5 } })]);
    await other.query("SELECT pg_notify($1, $2)", [RELAY_CHANNEL, "not json"]);
    await waitFor(async () => got.length === 4, 5_000).catch((e: unknown) => {
      throw new Error(`${(e as Error).message}: got ${JSON.stringify(got.map((p) => p.n))}`);
    });
    expect(got.slice(2)).toEqual([{ n: 3 }, { n: 4, blob: big }]);
  });

  it("starts while the database is down, and listens once it answers", async () => {
    const port = await freePort();
    relayTopic("relayTest");
    // Nothing listens on the port yet: the relay must start anyway and keep trying.
    const relay = await startEventRelay(`postgres://minos@127.0.0.1:${port}/postgres`, "replica-late");
    stops.push(() => relay.stop());
    publish("relayTest", { n: 10 }); // sending to a database that is down is logged, not thrown
    const server = await startPostgres({ port });
    stops.push(async () => server.stop());
    const got: number[] = [];
    const unsubscribe = subscribe("relayTest", (p) => got.push(p.n));
    stops.push(async () => unsubscribe());
    const other = new pg.Client({ connectionString: server.adminUrl });
    await other.connect();
    stops.push(() => other.end());
    await waitFor(async () => {
      await other.query("SELECT pg_notify($1, $2)", [RELAY_CHANNEL, JSON.stringify({ origin: "replica-b", topic: "relayTest", payload: { n: 11 } })]);
      return got.includes(11);
    }, 15_000, 500);
  });
});
