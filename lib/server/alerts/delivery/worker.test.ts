/**
 * The outbox and its worker over the real store (both projects) and a real local HTTP receiver,
 * on a fake clock: signed webhooks, retries with backoff, the failing state, a restart between a
 * failure and its retry, two replicas, per-channel order.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import { webhookPayloadSchema, type Channel } from "@/lib/schemas/alerts";
import type { Db } from "@/lib/server/platform/db/db";
import type { SecretBox } from "@/lib/server/platform/secret-box";
import { addChannel, channelDeps, enqueue, makeWorker, notice, ORIGIN, T0, testBox } from "@/test/alerts/delivery";
import { startReceiver, verifyMinosSignature, type Receiver } from "@/test/alerts/webhook-receiver";
import { testDb } from "@/test/db";
import { FakeClock } from "@/test/fake-clock";

import { listDeliveries } from "./repository";
import type { DeliveryWorker } from "./worker";

let db: Db;
let box: SecretBox;
let clock: FakeClock;
let r: Receiver;
let events: Channel[];
const workers: DeliveryWorker[] = [];

const SECRET = "whsec-test-0123456789abcdef";

beforeEach(async () => {
  db = await testDb();
  box = testBox();
  clock = new FakeClock(T0);
  r = await startReceiver();
  events = [];
});

afterEach(async () => {
  await Promise.all(workers.splice(0).map((w) => w.stop()));
  await r.close();
});

function worker(owner = "replica-a", c = clock) {
  const w = makeWorker(db, box, c, owner, events);
  workers.push(w);
  return w;
}

async function webhook(name = "hook", over: Record<string, unknown> = {}) {
  return (await addChannel(channelDeps(db, box, clock, events), { type: "webhook", name, url: `${r.url}/minos`, secret: SECRET, ...over })).channel;
}

const notifications = () => db.selectFrom("alert_notifications").selectAll().orderBy("id").execute();
const channelRow = (id: string) => db.selectFrom("alert_channels").selectAll().where("id", "=", id).executeTakeFirstOrThrow();

describe("enqueueNotice", () => {
  it("writes one row per enabled channel whose severities and clusters match", async () => {
    const all = await webhook("all");
    const critProd = await webhook("crit-prod", { severities: ["critical"], clusters: ["prod"] });
    await webhook("warn-only", { severities: ["warning"] });
    await webhook("staging", { clusters: ["staging"] });
    await webhook("off", { enabled: false });
    expect(await enqueue(db, notice(), T0)).toBe(2);
    expect((await notifications()).map((n) => n.channel_id).sort()).toEqual([all.id, critProd.id].sort());
    expect(await enqueue(db, notice({ severity: "info", cluster: "staging" }), T0)).toBe(2); // "all" and "staging"
  });

  it("writes nothing when the caller's transaction rolls back (the notice lives and dies with the transition)", async () => {
    await webhook();
    await expect(
      db.transaction().execute(async (trx) => {
        const { enqueueNotice } = await import("./outbox");
        expect(await enqueueNotice(trx, notice(), new Date(T0))).toBe(1);
        throw new Error("the transition failed");
      }),
    ).rejects.toThrow("the transition failed");
    expect(await notifications()).toEqual([]);
  });
});

describe("delivery worker", () => {
  it("sends a signed webhook with the payload of the schema, once", async () => {
    const ch = await webhook();
    await enqueue(db, notice(), T0);
    const w = worker();
    expect(await w.tick()).toBe(1);
    expect(await w.tick()).toBe(0);
    expect(r.requests).toHaveLength(1);
    const req = r.requests[0]!;
    expect(req.path).toBe("/minos");
    expect(req.headers["content-type"]).toBe("application/json");
    expect(req.headers["user-agent"]).toBe("Minos/0.0.0-test");
    expect(req.headers["x-minos-timestamp"]).toBe(String(T0 / 1000));
    expect(verifyMinosSignature(SECRET, req.headers, req.body, T0 / 1000)).toBe(true);
    expect(verifyMinosSignature("another-secret-entirely", req.headers, req.body, T0 / 1000)).toBe(false);
    expect(verifyMinosSignature(SECRET, req.headers, req.body.replace("critical", "warning"), T0 / 1000)).toBe(false);
    const payload = webhookPayloadSchema.strict().parse(JSON.parse(req.body));
    expect(payload).toEqual({
      id: "alert-1",
      status: "firing",
      rule: "node-unreachable",
      severity: "critical",
      cluster: "prod",
      node: "10.5.0.3@prod",
      summary: "worker-3 has not answered for 5 minutes",
      startsAt: new Date(T0 - 300_000).toISOString(),
      url: `${ORIGIN}/nodes/10.5.0.3%40prod`,
    });
    const [n] = await notifications();
    expect(n).toMatchObject({ state: "sent", attempts: 1, claimed_by: null });
    const [d] = await listDeliveries(db, { limit: 10 });
    expect(d).toMatchObject({ channelId: ch.id, channelName: "hook", channelType: "webhook", alertId: "alert-1", kind: "firing", attempt: 1, ok: true, statusCode: 200, error: null, nextAttemptAt: null });
    expect((await channelRow(ch.id)).state).toBe("ok");
  });

  it("sends at once when the engine kicks it, without waiting for its next tick", async () => {
    await webhook();
    const w = worker();
    w.start();
    await clock.advance(0);
    // The first tick found nothing; the next one is a tick away.
    await vi.waitFor(() => expect(w.idle).toBe(true));
    await enqueue(db, notice(), clock.now());
    w.kick();
    await clock.advance(0);
    await vi.waitFor(() => expect(r.requests).toHaveLength(1));
    expect(clock.now()).toBe(T0);
  });

  it("retries a channel answering 500 with exponential backoff, marks it failing after 3, and ok again on success", async () => {
    const ch = await webhook();
    r.answer(500, "upstream exploded");
    await enqueue(db, notice(), T0);
    const w = worker();
    expect(await w.tick()).toBe(1);
    let [d] = await listDeliveries(db, { limit: 1 });
    expect(d).toMatchObject({ attempt: 1, ok: false, statusCode: 500, error: "HTTP 500: upstream exploded", nextAttemptAt: new Date(T0 + 5_000).toISOString() });
    expect((await channelRow(ch.id)).state).toBe("untested");

    await clock.advance(4_999);
    expect(await w.tick()).toBe(0);
    await clock.advance(1);
    expect(await w.tick()).toBe(1);
    [d] = await listDeliveries(db, { limit: 1 });
    expect(d).toMatchObject({ attempt: 2, nextAttemptAt: new Date(T0 + 15_000).toISOString() });

    await clock.advance(9_999);
    expect(await w.tick()).toBe(0);
    await clock.advance(1);
    expect(await w.tick()).toBe(1);
    const failing = await channelRow(ch.id);
    expect(failing).toMatchObject({ state: "failing", consecutive_failures: 3, failing_since: new Date(T0 + 15_000).toISOString(), last_error: "HTTP 500: upstream exploded" });
    expect(events.map((e) => [e.id, e.state])).toEqual([[ch.id, "failing"]]);
    [d] = await listDeliveries(db, { limit: 1 });
    expect(d!.nextAttemptAt).toBe(new Date(T0 + 35_000).toISOString());

    r.answer(200);
    await clock.advance(20_000);
    expect(await w.tick()).toBe(1);
    expect(r.requests).toHaveLength(4);
    expect(r.requests.map((q) => Number(q.headers["x-minos-timestamp"]) - T0 / 1000)).toEqual([0, 5, 15, 35]); // each attempt signs its own time
    expect(await channelRow(ch.id)).toMatchObject({ state: "ok", consecutive_failures: 0, failing_since: null });
    expect(events.map((e) => e.state)).toEqual(["failing", "ok"]);
    expect((await notifications())[0]).toMatchObject({ state: "sent", attempts: 4 });
    expect((await listDeliveries(db, { ok: "false", limit: 10 })).map((x) => x.attempt)).toEqual([3, 2, 1]);
  });

  it("gives a notification up after 3 permanent refusals in a row, so the channel's next notice goes out; the channel stays failing", async () => {
    const ch = await webhook();
    r.answer(404, "no such hook");
    await enqueue(db, notice(), T0);
    await enqueue(db, notice({ alertId: "alert-2" }), T0);
    const w = worker();
    expect(await w.tick()).toBe(1);
    await clock.advance(5_000);
    expect(await w.tick()).toBe(1);
    await clock.advance(10_000);
    expect(await w.tick()).toBe(1); // the third 404: given up
    let [first, second] = await notifications();
    expect(first).toMatchObject({ alert_id: "alert-1", state: "failed", attempts: 3, last_error: "HTTP 404: no such hook", finished_at: new Date(T0 + 15_000).toISOString() });
    expect(second).toMatchObject({ alert_id: "alert-2", state: "pending", attempts: 0 });
    const [last] = await listDeliveries(db, { limit: 1 });
    expect(last).toMatchObject({ alertId: "alert-1", attempt: 3, ok: false, statusCode: 404, nextAttemptAt: null });
    expect(await channelRow(ch.id)).toMatchObject({ state: "failing", consecutive_failures: 3, last_error: "HTTP 404: no such hook" });

    // The row behind it is due at once, not a day later.
    r.answer(200);
    expect(await w.tick()).toBe(1);
    [first, second] = await notifications();
    expect(second).toMatchObject({ alert_id: "alert-2", state: "sent", attempts: 1 });
    expect(r.requests.map((q) => (JSON.parse(q.body) as { id: string }).id)).toEqual(["alert-1", "alert-1", "alert-1", "alert-2"]);
    expect((await channelRow(ch.id)).state).toBe("ok");
  });

  it("keeps retrying through 429, 408 and 5xx answers; gives up only on three permanent refusals in a row", async () => {
    await webhook();
    const statuses = [429, 408, 429, 404, 500, 404, 404];
    let i = 0;
    await enqueue(db, notice(), T0);
    const w = worker();
    for (const status of statuses) {
      r.answer(status, "nope");
      expect(await w.tick()).toBe(1);
      i++;
      const [n] = await notifications();
      if (i < statuses.length) {
        expect(n).toMatchObject({ state: "pending", attempts: i });
        await clock.advance(Date.parse(n!.next_attempt_at) - clock.now());
      }
    }
    // The 500 broke the run of 404s: the last three answers were 500, 404, 404.
    const [n] = await notifications();
    expect(n).toMatchObject({ state: "pending", attempts: 7 });
    r.answer(404, "nope");
    await clock.advance(Date.parse(n!.next_attempt_at) - clock.now());
    expect(await w.tick()).toBe(1);
    expect((await notifications())[0]).toMatchObject({ state: "failed", attempts: 8 });
  });

  it("sends at the retry time after a restart between the failure and the retry, exactly once", async () => {
    await webhook();
    r.answer(503);
    await enqueue(db, notice(), T0);
    // The first process fails once, then dies without releasing its lease.
    const a = makeWorker(db, box, clock, "replica-a", events);
    expect(await a.tick()).toBe(1);
    // A new process over the same store, its own clock and id; the dead one's lease expires on its own.
    const later = new FakeClock(T0 + 1_000);
    const b = worker("replica-b", later);
    expect(await b.tick()).toBe(0);
    r.answer(200);
    await later.advance(3_999); // T0 + 4.999 s: not due yet (and the old lease still live)
    expect(await b.tick()).toBe(0);
    await later.advance(2_001); // T0 + 7 s: due since 5 s, the old lease gone at 6 s
    expect(await b.tick()).toBe(1);
    expect(await b.tick()).toBe(0);
    expect(r.requests).toHaveLength(2);
    expect((await notifications())[0]).toMatchObject({ state: "sent", attempts: 2 });
    expect((await listDeliveries(db, { limit: 10 })).map((x) => [x.attempt, x.ok])).toEqual([
      [2, true],
      [1, false],
    ]);
  });

  it("sends a row once when two replicas tick at the same time", async () => {
    await webhook();
    await enqueue(db, notice(), T0);
    await enqueue(db, notice({ alertId: "alert-2" }), T0);
    const counts = await Promise.all([worker("replica-a").tick(), worker("replica-b").tick()]);
    expect(counts.sort()).toEqual([0, 2]);
    expect(r.requests).toHaveLength(2);
  });

  it("keeps a channel's order: a resolved notice waits behind its failing firing one", async () => {
    await webhook();
    r.answer(500);
    await enqueue(db, notice(), T0);
    const w = worker();
    expect(await w.tick()).toBe(1);
    await enqueue(db, notice({ status: "resolved", reason: "resolved", endsAt: new Date(T0 + 1_000).toISOString() }), T0 + 1_000);
    await clock.advance(1_000);
    expect(await w.tick()).toBe(0);
    r.answer(200);
    await clock.advance(4_000);
    expect(await w.tick()).toBe(2);
    expect(r.requests.map((q) => (JSON.parse(q.body) as { status: string }).status)).toEqual(["firing", "firing", "resolved"]);
    expect(JSON.parse(r.requests[2]!.body)).toMatchObject({ status: "resolved", endsAt: new Date(T0 + 1_000).toISOString() });
  });

  it("does not let one dead channel's backlog hold back another channel", async () => {
    const dead = await startReceiver();
    await dead.close();
    await addChannel(channelDeps(db, box, clock, events), { type: "webhook", name: "dead", url: `${dead.url}/x`, secret: SECRET, severities: ["warning"] });
    // More rows than any one look at the outbox would take if it were not per channel.
    await db.transaction().execute(async (trx) => {
      const { enqueueNotice } = await import("./outbox");
      for (let i = 0; i < 250; i++) await enqueueNotice(trx, notice({ alertId: `old-${i}`, severity: "warning" }), new Date(T0));
    });
    const w = worker();
    expect(await w.tick()).toBe(1); // the dead channel's first row fails, the others wait behind it
    await webhook("alive");
    await enqueue(db, notice({ alertId: "new" }), T0);
    expect(await w.tick()).toBe(1);
    expect(r.requests.map((q) => (JSON.parse(q.body) as { id: string }).id)).toEqual(["new"]);
  });

  it("leaves a row claimed by another replica alone until that claim expires", async () => {
    await webhook();
    await enqueue(db, notice(), T0);
    // Another replica claimed it and died mid-send; its claim runs to T0 + 45 s.
    await db.updateTable("alert_notifications").set({ claimed_by: "replica-z#1", claimed_until: new Date(T0 + 45_000).toISOString() }).execute();
    const w = worker();
    expect(await w.tick()).toBe(0);
    await clock.advance(44_000);
    expect(await w.tick()).toBe(0);
    await clock.advance(2_000);
    expect(await w.tick()).toBe(1);
    expect(r.requests).toHaveLength(1);
    expect((await notifications())[0]).toMatchObject({ state: "sent", claimed_by: null });
  });

  it("does not send to a channel switched off or deleted after the notice was queued", async () => {
    const a = await webhook("a");
    const b = await webhook("b");
    await enqueue(db, notice(), T0);
    const deps = channelDeps(db, box, clock, events);
    const { patchChannel, deleteChannel } = await import("./service");
    const { admin } = await import("@/test/alerts/delivery");
    await patchChannel(admin, a.id, { enabled: false }, deps);
    await deleteChannel(admin, b.id, deps);
    expect(await worker().tick()).toBe(0);
    expect(r.requests).toEqual([]);
    expect((await notifications()).map((n) => n.state)).toEqual(["cancelled"]);
  });

  it("keeps the delivery log and finished notifications 30 days", async () => {
    const ch = await webhook();
    await enqueue(db, notice({ alertId: "old" }), T0 - 31 * 86_400_000);
    await enqueue(db, notice({ alertId: "recent" }), T0 - 29 * 86_400_000);
    const w = worker();
    // Both sent now, as if long ago: backdate what the first attempts wrote.
    expect(await w.tick()).toBe(2);
    for (const [alert, days] of [["old", 31], ["recent", 29]] as const) {
      const at = new Date(T0 - days * 86_400_000).toISOString();
      await db.updateTable("alert_deliveries").set({ at }).where("alert_id", "=", alert).execute();
      await db.updateTable("alert_notifications").set({ finished_at: at }).where("alert_id", "=", alert).execute();
    }
    // A notice queued long ago (Minos was down): one attempt, then given up, and kept as recent.
    await enqueue(db, notice({ alertId: "stale" }), T0 - 40 * 86_400_000);
    r.answer(500);
    await clock.advance(3_600_000); // the next prune is an hour after the first
    await w.tick();
    expect((await listDeliveries(db, { channel: ch.id, limit: 10 })).map((d) => d.alertId).sort()).toEqual(["recent", "stale"]);
    expect((await notifications()).map((n) => [n.alert_id, n.state])).toEqual([
      ["recent", "sent"],
      ["stale", "failed"],
    ]);
  });

  it("gives a notification up once its next attempt would fall more than 24 hours after it was queued", async () => {
    await webhook();
    r.answer(500);
    await enqueue(db, notice(), T0);
    const w = worker();
    let attempts = 0;
    for (let i = 0; i < 400; i++) {
      const made = await w.tick();
      attempts += made;
      const [n] = await notifications();
      if (n!.state !== "pending") break;
      await clock.advance(Date.parse(n!.next_attempt_at) - clock.now());
    }
    const [n] = await notifications();
    expect(n!.state).toBe("failed");
    expect(attempts).toBe(n!.attempts);
    // Waits of 5, 10, 20, 40, 80, 160 s, then every 5 minutes: the 293rd attempt is the last within 24 h.
    expect(n!.attempts).toBe(293);
    const [last] = await listDeliveries(db, { limit: 1 });
    expect(last!.nextAttemptAt).toBeNull();
    expect(Date.parse(last!.at) - T0).toBeLessThanOrEqual(24 * 3_600_000);
  });
});
