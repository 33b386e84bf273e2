/**
 * GET /api/alerts/prometheus-rules end to end in process: a viewer gets a YAML rule file that
 * promtool accepts, built from the rules as the store has them.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { describe, expect, it } from "vitest";
import { parse } from "yaml";

// The route uses the process database: point it at a temporary state dir (PostgreSQL: the project's own).
const stateDir = mkdtempSync(path.join(tmpdir(), "minos-prom-rules-"));
process.env.MINOS_STATE_DIR = stateDir;
process.env.MINOS_DB = path.join(stateDir, "minos.db");

import { GET } from "@/app/api/alerts/prometheus-rules/route";
import { RULES } from "@/lib/alerts/catalog";
import { errorEnvelopeSchema } from "@/lib/schemas/error";
import { getDb } from "@/lib/server/platform/db/db";
import { authedRequest } from "@/test/auth/credentials";
import { promtool } from "@/test/promtool";

import { saveRuleSettings } from "./rules";

const URL = "http://127.0.0.1/api/alerts/prometheus-rules";

describe("GET /api/alerts/prometheus-rules", () => {
  it("serves a rule file promtool accepts, one or more rules per enabled rule", async () => {
    const res = await GET(await authedRequest(URL), {});
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^application\/yaml/);
    const body = await res.text();
    const doc = parse(body) as { groups: { name: string; rules: { alert: string; keep_firing_for?: string; labels: { rule: string } }[] }[] };
    const ids = new Set(doc.groups[0]!.rules.map((r) => r.labels.rule));
    for (const r of RULES.filter((x) => x.defaults.enabled)) expect(ids.has(r.id), r.id).toBe(true);
    // A gap in Minos's series (a restart, a failed source, the first certificate scan) must not resolve an alert.
    for (const r of doc.groups[0]!.rules) expect(r.keep_firing_for, r.alert).toBe("10m");
    expect(body).toMatch(/Prometheus 2\.42 or newer/);
    const check = await promtool(["check", "rules", "rules.yaml"], { "rules.yaml": body });
    expect(check.code, check.output).toBe(0);
  });

  it("follows the rules as the store has them: a disabled rule is left out, changed settings are used", async () => {
    const at = new Date();
    await saveRuleSettings(getDb(), "config-drift", { enabled: false, severity: "warning", forSeconds: 0, renotifyMinutes: 0, params: {} }, "ada", at);
    await saveRuleSettings(getDb(), "node-unreachable", { enabled: true, severity: "warning", forSeconds: 900, renotifyMinutes: 0, params: {} }, "ada", at);
    await saveRuleSettings(getDb(), "run-failed", { enabled: true, severity: "info", forSeconds: 0, renotifyMinutes: 0, params: { maxAgeHours: 6 } }, "ada", at);
    try {
      const doc = parse(await (await GET(await authedRequest(URL), {})).text()) as { groups: { rules: { alert: string; expr: string; for?: string; labels: { rule: string; severity: string } }[] }[] };
      const rules = doc.groups[0]!.rules;
      expect(rules.some((r) => r.labels.rule === "config-drift")).toBe(false);
      expect(rules.find((r) => r.alert === "MinosNodeUnreachable")).toMatchObject({ for: "15m", labels: { severity: "warning" } });
      expect(rules.find((r) => r.alert === "MinosRunFailed")).toMatchObject({ expr: `minos_run_failed_timestamp_seconds >= time() - ${6 * 3_600}`, labels: { severity: "info" } });
    } finally {
      for (const id of ["config-drift", "node-unreachable", "run-failed"] as const) await saveRuleSettings(getDb(), id, null, "ada", at);
    }
  });

  it("refuses a caller without a session or token (401, the one envelope)", async () => {
    const res = await GET(new Request(URL, { headers: { host: "127.0.0.1" } }), {});
    expect(res.status).toBe(401);
    expect(errorEnvelopeSchema.safeParse(await res.json()).success).toBe(true);
  });
});
