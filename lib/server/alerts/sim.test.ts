/**
 * "Done when" #1 of issue 19, against the simulator, with the real poller, evaluator, outbox,
 * delivery worker and a webhook receiver: a worker taken down through the simulator's control
 * API produces exactly one signed `firing` webhook within the rule's duration plus two poll
 * intervals (and a margin for a loaded machine); bringing it back produces exactly one
 * `resolved`. With a silence on that node (audited), neither arrives.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { webhookPayloadSchema, type WebhookPayload } from "@/lib/schemas/alerts";
import type { Actor } from "@/lib/server/auth/actor";
import { enqueueNotice } from "@/lib/server/alerts/delivery/outbox";
import { SENDERS } from "@/lib/server/alerts/delivery/senders";
import { createChannel } from "@/lib/server/alerts/delivery/service";
import { DeliveryWorker } from "@/lib/server/alerts/delivery/worker";
import { createFleetPoller, type FleetPoller } from "@/lib/server/fleet/poller";
import type { Db } from "@/lib/server/platform/db/db";
import { realClock } from "@/lib/utils/clock";
import { ORIGIN, senderDeps, testBox } from "@/test/alerts/delivery";
import { startReceiver, verifyMinosSignature, type Receiver } from "@/test/alerts/webhook-receiver";
import { testDb } from "@/test/db";
import { startTestFleet, waitFor, type TestFleet } from "@/test/talos/fleet";

import { AlertEngine } from "./engine";
import { saveRuleSettings } from "./rules";
import { createSilence, listAlerts } from "./service";
import { gatherInputs } from "./sources";
import { talosSupportLookup } from "./support";

const CLUSTER = "sim-1";
const INTERVAL_MS = 500;
const FOR_SECONDS = 2;
/** What a loaded CI machine (2 cores, the simulator and Minos in one process) may add to the bound. */
const MARGIN_MS = 4_000;
const DEADLINE_MS = FOR_SECONDS * 1000 + 2 * INTERVAL_MS + MARGIN_MS;
/** How long "nothing more arrives" is watched: several evaluation rounds and worker ticks. */
const QUIET_MS = FOR_SECONDS * 1000 + 4 * INTERVAL_MS;

let t: TestFleet;
let db: Db;
let poller: FleetPoller;
let engine: AlertEngine;
let worker: DeliveryWorker;
let receiver: Receiver;
let secret: string;
let worker3: { address: string; hostname: string; id: string };

const operator = { kind: "user", id: "u2", name: "ops", role: "operator", label: "user:ops" } as Actor;
const admin = { kind: "user", id: "u1", name: "admin", role: "admin", label: "user:admin" } as Actor;

beforeAll(async () => {
  t = await startTestFleet({ firstAddress: "127.0.197.1", controlPlanes: 1, workers: 2, version: "v1.11.3" });
  db = await testDb();
  poller = createFleetPoller({
    loadClusters: async () => [{ name: CLUSTER, nodes: t.contexts.admin.nodes, client: t.clients.admin }],
    intervalMs: INTERVAL_MS,
    callTimeoutMs: 1_000,
    concurrency: 4,
    jitter: 0,
    // A node back up is seen again within a second, not after the default minute of backoff.
    maxBackoffMs: 1_000,
    watchBackoffMs: { first: 100, max: 1_000 },
    discoveryIntervalMs: 3_600_000,
    publishDelayMs: 20,
    publish: () => {},
  });
  await poller.start();
  const w = t.fleet.nodes.find((n) => n.role === "worker")!;
  worker3 = { address: w.address, hostname: w.hostname, id: `${w.address}@${CLUSTER}` };
  await waitFor(async () => poller.snapshot().nodes.length === 3 && poller.snapshot().nodes.every((n) => n.reachable && n.ready), 30_000, 100);

  await saveRuleSettings(db, "node-unreachable", { enabled: true, severity: "critical", forSeconds: FOR_SECONDS, renotifyMinutes: 60, params: {} }, admin.label, new Date());
  receiver = await startReceiver();
  const box = testBox();
  const created = await createChannel(admin, { type: "webhook", name: "on-call", url: `${receiver.url}/hook?token=abc` }, { db, box, now: () => new Date(), senders: SENDERS, sender: senderDeps(), publish: () => {} });
  const body = (await created.json()) as { secret?: string };
  secret = body.secret!;
  worker = new DeliveryWorker({ db, box, clock: realClock, owner: "replica-a", senders: SENDERS, sender: senderDeps(), publish: () => {} }, { tickMs: 1_000 });
  engine = new AlertEngine({
    db,
    owner: "replica-a",
    now: () => new Date(),
    gather: () => gatherInputs({ db, fleet: () => poller.snapshot(), certificates: async () => ({ certificates: [], errors: [] }), support: talosSupportLookup, now: () => new Date() }),
    notify: enqueueNotice,
    // As in production (service.ts): the worker sends at once rather than at its next tick.
    notified: () => worker.kick(),
    publish: () => {},
    intervalMs: () => poller.intervalMs,
  });
  worker.start();
  engine.start();
}, 60_000);

afterAll(async () => {
  await engine?.stop();
  await worker?.stop();
  await poller?.stop();
  await receiver?.close();
  await t?.stop();
});

async function control(method: "POST" | "DELETE", body?: unknown): Promise<void> {
  const url = method === "DELETE" ? `${t.fleet.controlUrl}/faults?node=${encodeURIComponent(worker3.address)}` : `${t.fleet.controlUrl}/faults`;
  const res = await fetch(url, { method, headers: body ? { "content-type": "application/json" } : {}, body: body ? JSON.stringify(body) : undefined });
  expect(res.status, await res.text()).toBe(200);
}

/** The webhooks about worker3's unreachability received so far, each with its signature checked. */
function hooks(): (WebhookPayload & { signed: boolean })[] {
  return receiver.requests
    .map((r) => ({ ...webhookPayloadSchema.parse(JSON.parse(r.body)), signed: verifyMinosSignature(secret, r.headers, r.body, Math.floor(Date.now() / 1000)) }))
    .filter((p) => p.rule === "node-unreachable" && p.node === worker3.id);
}

const count = (status: "firing" | "resolved") => hooks().filter((h) => h.status === status).length;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("alerts against the simulator", () => {
  it("a downed worker: exactly one signed firing webhook within forSeconds + two poll intervals; back up: exactly one resolved", async () => {
    const downAt = Date.now();
    await control("POST", { node: worker3.address, fault: "down" });
    await waitFor(async () => count("firing") > 0, DEADLINE_MS + 10_000, 50);
    const elapsed = Date.now() - downAt;
    expect(elapsed, `first firing webhook after ${elapsed} ms`).toBeLessThanOrEqual(DEADLINE_MS);
    const [firing] = hooks();
    expect(firing).toMatchObject({ status: "firing", severity: "critical", cluster: CLUSTER, node: worker3.id, signed: true, url: `${ORIGIN}/nodes/${encodeURIComponent(worker3.id)}` });
    expect(firing!.summary).toContain(worker3.hostname);
    // The URL's query (a token) never reaches the payload, and the receiver got it as configured.
    expect(receiver.requests[0]!.path).toBe("/hook?token=abc");
    await sleep(QUIET_MS);
    expect(count("firing")).toBe(1);

    await control("DELETE");
    await waitFor(async () => count("resolved") > 0, 30_000, 50);
    await sleep(QUIET_MS);
    expect(hooks().map((h) => `${h.status}:${h.signed}`)).toEqual(["firing:true", "resolved:true"]);
    const resolved = hooks()[1]!;
    expect(resolved.id).toBe(firing!.id);
    expect(resolved.endsAt).toBeDefined();
    const { alerts } = await listAlerts({ state: "history", rule: "node-unreachable", limit: 10 }, { db, now: () => new Date() });
    expect(alerts.map((a) => ({ id: a.id, status: a.status, silencedBy: a.silencedBy }))).toEqual([{ id: firing!.id, status: "resolved", silencedBy: null }]);
  }, 90_000);

  it("a silence on the node (audited) suppresses both webhooks; the alert still shows, silenced", async () => {
    const before = receiver.requests.length;
    const res = await createSilence(operator, { matchers: { node: worker3.hostname }, endsAt: new Date(Date.now() + 3_600_000).toISOString(), reason: "replacing its disk" }, { db, now: () => new Date() });
    const silence = (await res.json()) as { id: string };
    const audit = await db.selectFrom("audit_log").selectAll().where("action", "=", "alert.silence.create").execute();
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ actor: "user:ops", target: silence.id });
    expect(JSON.parse(audit[0]!.details!)).toMatchObject({ matchers: { node: worker3.hostname }, reason: "replacing its disk" });

    await control("POST", { node: worker3.address, fault: "down" });
    const firing = await waitFor(
      async () => {
        const { alerts } = await listAlerts({ state: "firing", rule: "node-unreachable", limit: 10 }, { db, now: () => new Date() });
        return alerts.find((a) => a.node === worker3.id);
      },
      DEADLINE_MS + 10_000,
      100,
    );
    expect(firing.silencedBy).toBe(silence.id);
    await sleep(QUIET_MS);
    await control("DELETE");
    await waitFor(
      async () => {
        const { alerts } = await listAlerts({ state: "history", rule: "node-unreachable", limit: 10 }, { db, now: () => new Date() });
        return alerts.find((a) => a.id === firing.id);
      },
      30_000,
      100,
    );
    await sleep(QUIET_MS);
    expect(receiver.requests.slice(before).filter((r) => r.body.includes(worker3.id))).toEqual([]);
    expect(count("firing")).toBe(1);
    expect(count("resolved")).toBe(1);
  }, 90_000);
});
