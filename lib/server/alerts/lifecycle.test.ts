import { describe, expect, it } from "vitest";

import type { AlertRuleId, AlertRuleSettings, AlertSeverity, Silence } from "@/lib/schemas/alerts";

import { defaultRules } from "@/test/alerts/fixtures";

import { alertKey, type Condition } from "./evaluate";
import { silenceMatches, step, type AlertRecord } from "./lifecycle";

const T0 = Date.parse("2026-12-07T00:00:00Z");
const at = (s: number) => new Date(T0 + s * 1000);

function cond(severity: AlertSeverity = "critical", rule: AlertRuleId = "node-unreachable", node = "10.5.0.3@prod"): Condition {
  return { key: alertKey(rule, "prod", node, null), rule, cluster: "prod", node, hostname: "worker-3", object: null, severity, summary: `${rule} ${node}`, path: "/nodes/x" };
}

function silence(over: Partial<Silence> = {}): Silence {
  return { id: "s1", matchers: { node: "worker-3" }, startsAt: at(-10).toISOString(), endsAt: at(3600).toISOString(), reason: "maintenance", createdBy: "user:a", expiredBy: null, expiredAt: null, active: true, ...over };
}

/** Runs rounds over an in-memory store, as the engine does over the database. */
function world(rules: Map<AlertRuleId, AlertRuleSettings> = defaultRules({ "node-unreachable": { forSeconds: 60, renotifyMinutes: 30 } })) {
  let open: AlertRecord[] = [];
  const resolved: AlertRecord[] = [];
  const notices: string[] = [];
  let n = 0;
  return {
    round(s: number, conditions: Condition[], silences: Silence[] = [], skipped: AlertRuleId[] = []) {
      const r = step(open, conditions, rules, silences, new Set(skipped), at(s), () => `a${++n}`);
      const byId = new Map(open.map((a) => [a.id, a]));
      for (const a of r.upserts) byId.set(a.id, a);
      for (const a of r.dropped) byId.delete(a.id);
      open = [...byId.values()].filter((a) => a.status !== "resolved");
      resolved.push(...r.upserts.filter((a) => a.status === "resolved"));
      notices.push(...r.notices.map((x) => `${s}:${x.reason}:${x.alert.severity}`));
      return r;
    },
    get open() {
      return open;
    },
    ack(s: number) {
      open = open.map((a) => ({ ...a, acknowledgedAt: at(s).toISOString(), acknowledgedBy: "user:a" }));
    },
    notices,
    resolved,
  };
}

describe("alert lifecycle", () => {
  it("holds a condition pending for its duration, fires once, resolves once", () => {
    const w = world();
    w.round(0, [cond()]);
    expect(w.open[0]).toMatchObject({ status: "pending", pendingSince: at(0).toISOString(), startsAt: null });
    w.round(30, [cond()]);
    w.round(59, [cond()]);
    expect(w.notices).toEqual([]);
    w.round(60, [cond()]);
    expect(w.open[0]).toMatchObject({ status: "firing", startsAt: at(60).toISOString(), lastNotifiedAt: at(60).toISOString() });
    w.round(65, [cond()]);
    w.round(70, []);
    expect(w.notices).toEqual(["60:fired:critical", "70:resolved:critical"]);
    expect(w.open).toEqual([]);
    expect(w.resolved[0]).toMatchObject({ status: "resolved", endsAt: at(70).toISOString() });
  });

  it("drops a pending alert whose condition went away (flapping damped: nobody is told)", () => {
    const w = world();
    w.round(0, [cond()]);
    const r = w.round(10, []);
    expect(r.dropped).toHaveLength(1);
    w.round(20, [cond()]);
    w.round(40, []);
    expect(w.notices).toEqual([]);
    expect(w.resolved).toEqual([]);
  });

  it("fires at once with forSeconds 0", () => {
    const w = world(defaultRules({ "node-unreachable": { forSeconds: 0 } }));
    w.round(0, [cond()]);
    expect(w.notices).toEqual(["0:fired:critical"]);
  });

  it("re-notifies a critical alert every renotifyMinutes until acknowledged; a warning never", () => {
    const w = world(defaultRules({ "node-unreachable": { forSeconds: 60, renotifyMinutes: 30 }, "node-not-ready": { forSeconds: 60, renotifyMinutes: 30 } }));
    w.round(0, [cond(), cond("warning", "node-not-ready")]);
    w.round(60, [cond(), cond("warning", "node-not-ready")]);
    w.round(60 + 29 * 60, [cond()]);
    w.round(60 + 30 * 60, [cond()]);
    w.round(60 + 60 * 60, [cond()]);
    w.ack(60 + 61 * 60);
    w.round(60 + 95 * 60, [cond()]);
    expect(w.notices).toEqual(["60:fired:critical", "60:fired:warning", `${60 + 29 * 60}:resolved:warning`, `${60 + 30 * 60}:renotify:critical`, `${60 + 60 * 60}:renotify:critical`]);
  });

  it("notifies a raised severity (escalated) once, not a lowered one", () => {
    const w = world(defaultRules({ "certificate-expiry": { forSeconds: 0, renotifyMinutes: 0 } }));
    const c = (s: AlertSeverity) => ({ ...cond(s, "certificate-expiry"), object: "prod/abc" });
    w.round(0, [c("warning")]);
    w.round(10, [c("critical")]);
    w.round(20, [c("critical")]);
    w.round(30, [c("warning")]);
    w.round(40, [c("critical")]);
    expect(w.notices).toEqual(["0:fired:warning", "10:escalated:critical"]);
  });

  it("a silence suppresses both notices; when it ends and the alert still fires, it fires then", () => {
    const w = world();
    const s = silence();
    w.round(0, [cond()], [s]);
    w.round(60, [cond()], [s]);
    expect(w.open[0]).toMatchObject({ status: "firing", silencedBy: "s1", lastNotifiedAt: null });
    w.round(70, [], [s]);
    expect(w.notices).toEqual([]);
    expect(w.resolved[0]!.silencedBy).toBe("s1");
    // A second episode outlives its silence.
    const short = silence({ id: "s2", endsAt: at(200).toISOString() });
    w.round(100, [cond()], [short]);
    w.round(160, [cond()], [short]);
    w.round(200, [cond()], [short]);
    expect(w.open[0]).toMatchObject({ status: "firing", silencedBy: null });
    w.round(210, [], [short]);
    expect(w.notices).toEqual(["200:fired:critical", "210:resolved:critical"]);
  });

  it("leaves the alerts of a skipped rule (its source failed) as they are", () => {
    const w = world();
    w.round(0, [cond()]);
    w.round(60, [cond()]);
    const r = w.round(70, [], [], ["node-unreachable"]);
    expect(r.upserts).toEqual([]);
    expect(w.open[0]!.status).toBe("firing");
    expect(w.notices).toEqual(["60:fired:critical"]);
  });

  it("matches silences on every given matcher; node by id or hostname", () => {
    const a = { rule: "node-unreachable" as const, cluster: "prod", node: "10.5.0.3@prod", hostname: "worker-3" };
    expect(silenceMatches({ matchers: { node: "10.5.0.3@prod" } }, a)).toBe(true);
    expect(silenceMatches({ matchers: { node: "worker-3", cluster: "prod" } }, a)).toBe(true);
    expect(silenceMatches({ matchers: { node: "worker-3", cluster: "dev" } }, a)).toBe(false);
    expect(silenceMatches({ matchers: { rule: "node-not-ready" } }, a)).toBe(false);
    expect(silenceMatches({ matchers: {} }, a)).toBe(false);
  });
});
