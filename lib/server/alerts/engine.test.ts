/**
 * The evaluator over the real store (SQLite and PostgreSQL projects): rounds, the notice sink in
 * the transition's transaction, a restart that must not re-notify, the lease, a failed source,
 * the SSE event and the metric.
 */
import { Registry } from "prom-client";
import { beforeEach, describe, expect, it } from "vitest";

import type { AlertEvent } from "@/lib/schemas/alerts";
import type { Certificate } from "@/lib/schemas/certs";
import type { Db } from "@/lib/server/platform/db/db";
import { acquireLease } from "@/lib/server/platform/leases";
import { node } from "@/test/alerts/fixtures";
import { testDb } from "@/test/db";

import { AlertEngine, EVALUATOR_LEASE, MIN_ROUND_DELAY_MS, type EngineDeps } from "./engine";
import type { AlertInputs } from "./evaluate";
import { registerAlertMetrics } from "./metrics";
import type { AlertNotice } from "./notices";
import { acknowledge, insertSilence, listOpenAlerts, queryAlerts } from "./repository";
import { saveRuleSettings } from "./rules";

let db: Db;
let t: number;
let inputs: AlertInputs;
let notices: AlertNotice[];
let events: AlertEvent[];

const T0 = Date.parse("2026-12-07T00:00:00Z");
const down = node("10.5.0.3", { reachable: false, hostname: "worker-3", lastSeen: null }, [{ kind: "down", severity: "critical", message: "Unreachable: connection refused" }]);
const up = node("10.5.0.3", { hostname: "worker-3" });
const certificate: Certificate = {
  id: "prod/apid",
  fingerprint: "AB",
  subject: "CN=apid",
  commonName: "apid",
  issuer: "",
  serialNumber: "1",
  keyAlgorithm: "Ed25519",
  kind: "leaf",
  purpose: "Talos API server (apid)",
  cluster: "prod",
  nodes: [],
  sources: ["tls-handshake"],
  roles: [],
  notBefore: "2026-01-01T00:00:00Z",
  notAfter: "2026-12-20T00:00:00Z",
  daysLeft: 13,
  tier: "warning",
  renewedBy: "talos",
  howToRenew: "",
  note: null,
};
const fleetOf = (...nodes: ReturnType<typeof node>[]): AlertInputs => ({ fleet: { nodes, clusters: [] }, certificates: [], runs: [], backups: [], drift: [], support: null });

function engine(over: Partial<EngineDeps> = {}): AlertEngine {
  return new AlertEngine({
    db,
    owner: "replica-a",
    now: () => new Date(t),
    gather: async () => inputs,
    // The sink writes in the caller's transaction, as delivery's outbox does: a row per notice.
    notify: async (trx, n) => {
      await trx.insertInto("audit_log").values({ at: new Date(t).toISOString(), actor: "test-sink", action: `notice.${n.reason}`, target: n.alertId, result: "ok", details: null }).execute();
      notices.push(n);
      return 1;
    },
    publish: (e) => events.push(e),
    intervalMs: () => 5_000,
    ...over,
  });
}

const sinkRows = async () => (await db.selectFrom("audit_log").select(["action", "target"]).where("actor", "=", "test-sink").orderBy("id").execute()).map((r) => r.action);

beforeEach(async () => {
  db = await testDb();
  t = T0;
  notices = [];
  events = [];
  inputs = fleetOf(up);
  await saveRuleSettings(db, "node-unreachable", { enabled: true, severity: "critical", forSeconds: 60, renotifyMinutes: 60, params: {} }, "user:admin", new Date(T0));
});

describe("alert engine", () => {
  it("fires once after forSeconds and resolves once, each notice written in the transition's transaction", async () => {
    const e = engine();
    await e.tick();
    expect(events).toEqual([]);
    inputs = fleetOf(down);
    t += 5_000;
    await e.tick();
    expect((await listOpenAlerts(db))[0]).toMatchObject({ status: "pending", rule: "node-unreachable", node: "10.5.0.3@prod", hostname: "worker-3" });
    expect(events).toHaveLength(1);
    expect(events[0]!.counts).toMatchObject({ pending: 1, firing: 0 });
    for (let i = 0; i < 11; i++) {
      t += 5_000;
      await e.tick();
    }
    expect(notices).toEqual([]);
    t += 5_000;
    await e.tick();
    expect(notices.map((n) => `${n.reason}:${n.status}`)).toEqual(["fired:firing"]);
    expect(notices[0]).toMatchObject({ rule: "node-unreachable", severity: "critical", cluster: "prod", node: "10.5.0.3@prod", hostname: "worker-3", path: "/nodes/10.5.0.3%40prod", startsAt: new Date(t).toISOString(), endsAt: null });
    expect(events.at(-1)!.counts).toMatchObject({ firing: 1, critical: 1, pending: 0 });
    const eventsBefore = events.length;
    t += 5_000;
    await e.tick();
    // Nothing changed: no event.
    expect(events).toHaveLength(eventsBefore);
    inputs = fleetOf(up);
    t += 5_000;
    await e.tick();
    expect(notices.map((n) => n.reason)).toEqual(["fired", "resolved"]);
    expect(await sinkRows()).toEqual(["notice.fired", "notice.resolved"]);
    const [resolved] = await queryAlerts(db, { state: "history", limit: 10 });
    expect(resolved).toMatchObject({ status: "resolved", endsAt: new Date(t).toISOString() });
    await e.stop();
  });

  it("runs its next round at a pending alert's due time when that comes before the next poll", async () => {
    const e = engine();
    await e.tick();
    expect(e.nextRoundInMs()).toBe(5_000);
    inputs = fleetOf(down);
    await e.tick();
    t += 58_000;
    await e.tick();
    expect(e.nextRoundInMs()).toBe(2_000);
    t += 2_000;
    await e.tick();
    expect(notices.map((n) => n.reason)).toEqual(["fired"]);
    expect(e.nextRoundInMs()).toBe(5_000);
  });

  it("never schedules its next round sooner than MIN_ROUND_DELAY_MS", async () => {
    const e = engine();
    inputs = fleetOf(down);
    await e.tick();
    t += 59_900;
    await e.tick();
    expect(e.nextRoundInMs()).toBe(MIN_ROUND_DELAY_MS);
  });

  it("does not spin when a pending alert's due time passes while its source fails", async () => {
    const e = engine();
    inputs = fleetOf(down);
    await e.tick();
    expect(e.nextRoundInMs()).toBe(5_000);
    // The fleet source fails past the alert's due time: its rule is skipped, the alert stays pending.
    inputs = { ...fleetOf(), fleet: null };
    t += 120_000;
    await e.tick();
    expect((await listOpenAlerts(db)).map((a) => a.status)).toEqual(["pending"]);
    expect(e.nextRoundInMs()).toBe(5_000);
  });

  it("after a round that threw, waits a whole interval rather than chase the due time it had", async () => {
    let failing = false;
    const e = engine({
      gather: async () => {
        if (failing) throw new Error("store unavailable");
        return inputs;
      },
    });
    inputs = fleetOf(down);
    await e.tick();
    t += 58_000;
    await e.tick();
    expect(e.nextRoundInMs()).toBe(2_000);
    failing = true;
    t += 10_000;
    await expect(e.tick()).rejects.toThrow("store unavailable");
    expect(e.nextRoundInMs()).toBe(5_000);
  });

  it("keeps a down node's other alerts and the certificate alerts of a node the scan missed (no false resolve)", async () => {
    await saveRuleSettings(db, "service-failing", { enabled: true, severity: "warning", forSeconds: 0, renotifyMinutes: 0, params: {} }, "user:admin", new Date(T0));
    await saveRuleSettings(db, "certificate-expiry", { enabled: true, severity: "warning", forSeconds: 0, renotifyMinutes: 0, params: {} }, "user:admin", new Date(T0));
    const sick = node("10.5.0.3", { hostname: "worker-3", failingServices: ["kubelet"] });
    const apid = { ...certificate, nodes: ["10.5.0.4@prod"] };
    inputs = { ...fleetOf(sick), certificates: [apid] };
    const e = engine();
    await e.tick();
    expect((await listOpenAlerts(db)).map((a) => `${a.rule}:${a.status}`).sort()).toEqual(["certificate-expiry:firing", "service-failing:firing"]);
    // worker-3 goes down and the scan could not reach 10.5.0.4: neither alert resolves.
    inputs = { ...fleetOf(down), certificates: [], certificateScanErrors: [{ cluster: "prod", node: "10.5.0.4@prod" }] };
    t += 5_000;
    await e.tick();
    expect((await listOpenAlerts(db)).map((a) => a.rule).sort()).toEqual(["certificate-expiry", "node-unreachable", "service-failing"]);
    expect(notices.map((n) => `${n.reason}:${n.rule}`).sort()).toEqual(["fired:certificate-expiry", "fired:service-failing"]);
    // Both answer again without the conditions: now they resolve.
    inputs = { ...fleetOf(up), certificates: [] };
    t += 5_000;
    await e.tick();
    expect(await listOpenAlerts(db)).toEqual([]);
    expect(notices.filter((n) => n.reason === "resolved").map((n) => n.rule).sort()).toEqual(["certificate-expiry", "service-failing"]);
  });

  it("prunes resolved alerts that ended over 90 days ago, at most once an hour", async () => {
    const old = (id: string, status: string, endedDaysAgo: number | null) =>
      db
        .insertInto("alerts")
        .values({ id, alert_key: `node-not-ready|prod|${id}|`, rule: "node-not-ready", severity: "warning", status, cluster: "prod", node: id, hostname: null, object: null, summary: "s", path: "/", pending_since: new Date(T0 - 200 * 86_400_000).toISOString(), starts_at: null, ends_at: endedDaysAgo === null ? null : new Date(T0 - endedDaysAgo * 86_400_000).toISOString(), last_notified_at: null, notified_severity: null, acknowledged_by: null, acknowledged_at: null, ack_comment: null, silenced_by: null, updated_at: new Date(T0).toISOString() })
        .execute();
    await old("gone", "resolved", 91);
    await old("kept", "resolved", 89);
    await old("open", "firing", null);
    const ids = async () => (await db.selectFrom("alerts").select("id").orderBy("id").execute()).map((r) => r.id);
    const e = engine();
    await e.tick();
    expect(await ids()).toEqual(["kept", "open"]);
    // Another one past 90 days: within the hour of the last prune it stays, then goes.
    await old("later", "resolved", 95);
    t += 30 * 60_000;
    await e.tick();
    expect(await ids()).toEqual(["kept", "later", "open"]);
    t += 30 * 60_000;
    await e.tick();
    expect(await ids()).toEqual(["kept", "open"]);
  });

  it("a transition whose notice could not be written is not recorded either (and is retried next round)", async () => {
    await saveRuleSettings(db, "node-unreachable", { enabled: true, severity: "critical", forSeconds: 0, renotifyMinutes: 60, params: {} }, "user:admin", new Date(T0));
    inputs = fleetOf(down);
    const failing = engine({
      notify: async () => {
        throw new Error("outbox unavailable");
      },
    });
    await expect(failing.tick()).rejects.toThrow("outbox unavailable");
    expect(await listOpenAlerts(db)).toEqual([]);
    t += 5_000;
    await engine().tick();
    expect(notices.map((n) => n.reason)).toEqual(["fired"]);
  });

  it("a new engine over the same store (a restart) carries on without notifying again", async () => {
    inputs = fleetOf(down);
    const first = engine();
    await first.tick();
    t += 60_000;
    await first.tick();
    expect(notices.map((n) => n.reason)).toEqual(["fired"]);
    await first.stop();
    const second = engine({ owner: "replica-a" });
    for (let i = 0; i < 5; i++) {
      t += 5_000;
      await second.tick();
    }
    expect(notices.map((n) => n.reason)).toEqual(["fired"]);
    inputs = fleetOf(up);
    t += 5_000;
    await second.tick();
    // And a third after the resolution: nothing more.
    const third = engine();
    t += 5_000;
    await third.tick();
    expect(notices.map((n) => n.reason)).toEqual(["fired", "resolved"]);
  });

  it("re-notifies an unacknowledged critical alert every renotifyMinutes; an acknowledgement (kept by later rounds) stops it", async () => {
    inputs = fleetOf(down);
    const e = engine();
    await e.tick();
    t += 60_000;
    await e.tick();
    t += 60 * 60_000;
    await e.tick();
    expect(notices.map((n) => `${n.reason}:${n.status}`)).toEqual(["fired:firing", "renotify:firing"]);
    const [a] = await listOpenAlerts(db);
    expect(await acknowledge(db, a!.id, "user:ops", "looking", new Date(t))).toBe(true);
    for (let i = 0; i < 3; i++) {
      t += 60 * 60_000;
      await e.tick();
    }
    expect(notices.map((n) => n.reason)).toEqual(["fired", "renotify"]);
    expect((await listOpenAlerts(db))[0]).toMatchObject({ acknowledgedBy: "user:ops", lastNotifiedAt: new Date(T0 + 61 * 60_000).toISOString() });
  });

  it("does nothing while another replica holds the evaluator lease", async () => {
    expect(await acquireLease(db, EVALUATOR_LEASE, "replica-b", T0, 60_000)).not.toBeNull();
    inputs = fleetOf(down);
    expect(await engine().tick()).toBeNull();
    expect(await listOpenAlerts(db)).toEqual([]);
  });

  it("keeps a firing alert as it is while its source fails", async () => {
    inputs = fleetOf(down);
    const e = engine();
    await e.tick();
    t += 60_000;
    await e.tick();
    inputs = { ...fleetOf(), fleet: null };
    t += 5_000;
    await e.tick();
    expect((await listOpenAlerts(db)).map((a) => a.status)).toEqual(["firing"]);
    expect(notices.map((n) => n.reason)).toEqual(["fired"]);
  });

  it("a silence on the node suppresses both notices", async () => {
    await insertSilence(db, { id: "s1", matchers: { node: "worker-3" }, endsAt: new Date(T0 + 3_600_000).toISOString(), reason: "maintenance", createdBy: "user:ops" }, new Date(T0));
    inputs = fleetOf(down);
    const e = engine();
    await e.tick();
    t += 60_000;
    await e.tick();
    expect((await listOpenAlerts(db))[0]).toMatchObject({ status: "firing", silencedBy: "s1" });
    expect(events.at(-1)!.counts).toMatchObject({ firing: 0, silenced: 1 });
    inputs = fleetOf(up);
    t += 5_000;
    await e.tick();
    expect(notices).toEqual([]);
  });

  it("serves minos_alerts_firing{rule,severity} from the store", async () => {
    inputs = fleetOf(down);
    const e = engine();
    await e.tick();
    t += 60_000;
    await e.tick();
    const registry = new Registry();
    registerAlertMetrics(registry, () => listOpenAlerts(db));
    const text = await registry.metrics();
    expect(text).toContain('minos_alerts_firing{rule="node-unreachable",severity="critical"} 1');
    expect(text).toContain('minos_alerts_firing{rule="service-failing",severity="warning"} 0');
  });
});
