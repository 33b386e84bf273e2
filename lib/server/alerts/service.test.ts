/**
 * What the alert routes do over the real store (both projects): the list and its counts, ack,
 * rules (validation against param specs, reset, audit), silences (window checks, audit, ending).
 */
import { beforeEach, describe, expect, it } from "vitest";

import { errorStatus } from "@/lib/schemas/error";
import type { Actor } from "@/lib/server/auth/actor";
import type { Db } from "@/lib/server/platform/db/db";
import { AppError } from "@/lib/server/platform/errors";
import { node } from "@/test/alerts/fixtures";
import { testDb } from "@/test/db";

import { AlertEngine } from "./engine";
import type { AlertInputs } from "./evaluate";
import { acknowledge, listOpenAlerts } from "./repository";
import { listAlertRules, ruleSettings } from "./rules";
import { ackAlert, createSilence, deleteSilence, getRule, listAlerts, listSilencesFor, patchRule, type AlertServiceDeps } from "./service";

let db: Db;
let t: number;
const T0 = Date.parse("2026-12-07T00:00:00Z");
const admin = { label: "user:admin", role: "admin" } as Actor;
const operator = { label: "user:ops", role: "operator" } as Actor;
const deps = (): AlertServiceDeps => ({ db, now: () => new Date(t) });

async function audit() {
  return (await db.selectFrom("audit_log").selectAll().orderBy("id").execute()).map((r) => ({ actor: r.actor, action: r.action, target: r.target, details: r.details ? (JSON.parse(r.details) as Record<string, unknown>) : null }));
}

async function appError(p: Promise<unknown>): Promise<AppError> {
  const e = await p.then(
    () => null,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(AppError);
  return e as AppError;
}

/** A firing critical alert for worker-3 (forSeconds 0), made by the engine. */
async function firing(): Promise<string> {
  await patchRule(admin, "node-unreachable", { forSeconds: 0 }, deps());
  const inputs: AlertInputs = {
    fleet: { nodes: [node("10.5.0.3", { reachable: false, hostname: "worker-3" }, [{ kind: "down", severity: "critical", message: "Unreachable" }])], clusters: [] },
    certificates: [],
    runs: [],
    backups: [],
    drift: [],
    support: null,
  };
  const e = new AlertEngine({ db, owner: "a", now: () => new Date(t), gather: async () => inputs, notify: async () => 0, publish: () => {}, intervalMs: () => 5_000 });
  await e.tick();
  await e.stop();
  return (await listOpenAlerts(db))[0]!.id;
}

beforeEach(async () => {
  db = await testDb();
  t = T0;
});

describe("alert rules", () => {
  it("lists every built-in rule on its defaults, then with an admin's change (audited before/after)", async () => {
    const before = await listAlertRules(db);
    expect(before.map((r) => r.id)).toContain("talos-unsupported");
    expect(before.find((r) => r.id === "run-failed")).toMatchObject({ params: { maxAgeHours: 24 }, updatedBy: null });
    const r = await patchRule(admin, "run-failed", { severity: "critical", params: { maxAgeHours: 48 } }, deps());
    expect(r).toMatchObject({ severity: "critical", params: { maxAgeHours: 48 }, forSeconds: 0, updatedBy: "user:admin", updatedAt: new Date(T0).toISOString() });
    expect((await ruleSettings(db)).get("run-failed")).toMatchObject({ severity: "critical", params: { maxAgeHours: 48 } });
    const [entry] = await audit();
    expect(entry).toMatchObject({ actor: "user:admin", action: "alert.rule.update", target: "run-failed", details: { before: { severity: "warning", params: { maxAgeHours: 24 } }, after: { severity: "critical", params: { maxAgeHours: 48 } } } });
    const reset = await patchRule(admin, "run-failed", { reset: true }, deps());
    expect(reset).toMatchObject({ severity: "warning", params: { maxAgeHours: 24 }, updatedBy: null });
  });

  it("refuses an unknown parameter or one out of its range with a 422 naming it, an unknown rule with a 404", async () => {
    const unknown = await appError(patchRule(admin, "run-failed", { params: { maxAgeDays: 2 } }, deps()));
    expect(errorStatus[unknown.code]).toBe(422);
    expect(unknown.message).toContain('no parameter "maxAgeDays" (it takes maxAgeHours)');
    const none = await appError(patchRule(admin, "node-unreachable", { params: { x: 1 } }, deps()));
    expect(none.message).toContain("(it takes none)");
    const range = await appError(patchRule(admin, "run-failed", { params: { maxAgeHours: 721 } }, deps()));
    expect(errorStatus[range.code]).toBe(422);
    expect(range.message).toBe("Parameter maxAgeHours of rule run-failed must be between 1 and 720 hours; got 721");
    const missing = await appError(getRule("no-such-rule", deps()));
    expect(errorStatus[missing.code]).toBe(404);
    expect(await audit()).toEqual([]);
  });
});

describe("alerts and ack", () => {
  it("lists active alerts with counts; an operator acknowledges one (audited with the comment), once", async () => {
    const id = await firing();
    const list = await listAlerts({ state: "active", limit: 200 }, deps());
    expect(list.counts).toMatchObject({ firing: 1, critical: 1, acknowledged: 0 });
    expect(list.evaluatedAt).toBe(new Date(T0).toISOString());
    expect(list.alerts[0]).toMatchObject({ id, status: "firing", rule: "node-unreachable", hostname: "worker-3" });
    expect(list.alerts[0]).not.toHaveProperty("notifiedSeverity");
    expect((await listAlerts({ state: "history", limit: 200 }, deps())).alerts).toEqual([]);
    // A warning seen earlier still lists after the critical one: most urgent first.
    await db.insertInto("alerts").values({ id: "w1", alert_key: "node-not-ready|prod|x|", rule: "node-not-ready", severity: "warning", status: "firing", cluster: "prod", node: "x", hostname: null, object: null, summary: "s", path: "/", pending_since: new Date(T0 - 60_000).toISOString(), starts_at: new Date(T0).toISOString(), ends_at: null, last_notified_at: null, notified_severity: null, acknowledged_by: null, acknowledged_at: null, ack_comment: null, silenced_by: null, updated_at: new Date(T0).toISOString() }).execute();
    expect((await listAlerts({ state: "active", limit: 200 }, deps())).alerts.map((a) => a.id)).toEqual([id, "w1"]);
    expect((await listAlerts({ state: "active", severity: "warning", limit: 200 }, deps())).alerts.map((a) => a.id)).toEqual(["w1"]);
    await db.deleteFrom("alerts").where("id", "=", "w1").execute();
    t += 1_000;
    const acked = await ackAlert(operator, id, { comment: "on it" }, deps());
    expect(acked).toMatchObject({ acknowledgedBy: "user:ops", acknowledgedAt: new Date(t).toISOString() });
    expect((await audit()).at(-1)).toMatchObject({ action: "alert.ack", actor: "user:ops", details: { id, rule: "node-unreachable", comment: "on it" } });
    // The store's write itself refuses a second acknowledgement (the check above it may race).
    expect(await acknowledge(db, id, "user:late", null, new Date(t))).toBe(false);
    expect((await listOpenAlerts(db))[0]).toMatchObject({ acknowledgedBy: "user:ops" });
    const again = await appError(ackAlert(operator, id, {}, deps()));
    expect(errorStatus[again.code]).toBe(409);
    expect(again.message).toContain("acknowledged by user:ops");
    expect(errorStatus[(await appError(ackAlert(operator, "nope", {}, deps()))).code]).toBe(404);
  });

  it("two acknowledgements at once: one wins, the other answers 409 naming the winner", async () => {
    const id = await firing();
    const results = await Promise.allSettled([ackAlert(operator, id, { comment: "mine" }, deps()), ackAlert(admin, id, { comment: "no, mine" }, deps())]);
    const won = results.filter((r) => r.status === "fulfilled");
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    const winner = (await listOpenAlerts(db))[0]!.acknowledgedBy!;
    expect(lost[0]!.reason).toBeInstanceOf(AppError);
    expect(errorStatus[(lost[0]!.reason as AppError).code]).toBe(409);
    expect((lost[0]!.reason as AppError).message).toContain(`acknowledged by ${winner}`);
    expect((await audit()).filter((a) => a.action === "alert.ack")).toHaveLength(1);
  });
});

describe("silences", () => {
  it("creates one (audited with matchers, end and reason), lists it, ends it early (audited)", async () => {
    const endsAt = new Date(T0 + 2 * 3_600_000).toISOString();
    const res = await createSilence(operator, { matchers: { cluster: "prod", node: "worker-3" }, endsAt, reason: "disk swap" }, deps());
    expect(res.status).toBe(201);
    const s = (await res.json()) as { id: string };
    expect((await audit())[0]).toMatchObject({ action: "alert.silence.create", actor: "user:ops", target: s.id, details: { matchers: { cluster: "prod", node: "worker-3" }, endsAt, reason: "disk swap" } });
    expect((await listSilencesFor("active", deps())).silences).toMatchObject([{ id: s.id, active: true, createdBy: "user:ops", matchers: { cluster: "prod", node: "worker-3" } }]);
    t += 60_000;
    const ended = await deleteSilence(operator, s.id, deps());
    expect(ended).toMatchObject({ active: false, expiredBy: "user:ops", expiredAt: new Date(t).toISOString() });
    expect((await listSilencesFor("active", deps())).silences).toEqual([]);
    expect((await listSilencesFor("all", deps())).silences).toHaveLength(1);
    expect((await audit()).at(-1)).toMatchObject({ action: "alert.silence.delete", target: s.id, details: { reason: "disk swap" } });
    expect(errorStatus[(await appError(deleteSilence(operator, s.id, deps()))).code]).toBe(409);
    expect(errorStatus[(await appError(deleteSilence(operator, "nope", deps()))).code]).toBe(404);
  });

  it("lists every active silence, then the newest ended ones up to the limit (newest first)", async () => {
    const endsAt = (h: number) => new Date(t + h * 3_600_000).toISOString();
    const ids: string[] = [];
    // Five silences, a minute apart; the first (oldest) stays active, the others are ended early.
    for (let i = 0; i < 5; i++) {
      const res = await createSilence(operator, { matchers: { rule: "node-unreachable" }, endsAt: endsAt(2), reason: `s${i}` }, deps());
      ids.push(((await res.json()) as { id: string }).id);
      t += 60_000;
    }
    for (const id of ids.slice(1)) await deleteSilence(operator, id, deps());
    const all = (await listSilencesFor("all", deps(), 2)).silences;
    expect(all.map((s) => s.reason)).toEqual(["s0", "s4", "s3"]);
    expect(all.map((s) => s.active)).toEqual([true, false, false]);
    expect((await listSilencesFor("active", deps(), 2)).silences.map((s) => s.reason)).toEqual(["s0"]);
  });

  it("refuses an end in the past or more than 90 days ahead (422)", async () => {
    const past = await appError(createSilence(operator, { matchers: { rule: "node-unreachable" }, endsAt: new Date(T0 - 1000).toISOString(), reason: "x" }, deps()));
    expect(errorStatus[past.code]).toBe(422);
    expect(past.message).toContain("must be in the future");
    const far = await appError(createSilence(operator, { matchers: { rule: "node-unreachable" }, endsAt: new Date(T0 + 91 * 86_400_000).toISOString(), reason: "x" }, deps()));
    expect(errorStatus[far.code]).toBe(422);
    expect(far.message).toContain("more than 90 days ahead");
    expect(await audit()).toEqual([]);
  });
});
