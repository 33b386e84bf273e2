import { describe, expect, it } from "vitest";
import { parse } from "yaml";

import { RULES } from "@/lib/alerts/catalog";
import { alertRules } from "@/test/alerts/fixtures";
import { promtool } from "@/test/promtool";

import { KEEP_FIRING_FOR_SECONDS, promDuration, prometheusRuleFile, prometheusRuleGroup, type PrometheusRuleGroup } from "./prometheus-rules";

const rules = alertRules;

const NOW = new Date("2026-12-07T00:00:00Z");

describe("promDuration", () => {
  it.each([
    [0, "0s"],
    [45, "45s"],
    [90, "90s"],
    [300, "5m"],
    [3_600, "1h"],
    [5_400, "90m"],
    [86_400, "1d"],
    [7 * 86_400, "7d"],
  ])("%i s → %s", (s, d) => {
    expect(promDuration(s)).toBe(d);
  });

  it("refuses what is not whole non-negative seconds", () => {
    expect(() => promDuration(-1)).toThrow(/seconds/);
    expect(() => promDuration(1.5)).toThrow(/seconds/);
  });
});

describe("prometheusRuleGroup", () => {
  it("has a Prometheus rule for every catalog rule, labelled with its id", () => {
    const group = prometheusRuleGroup(rules());
    for (const r of RULES) expect(group.rules.filter((p) => p.labels.rule === r.id).length, r.id).toBeGreaterThan(0);
    // Alert names are unique: Alertmanager routes and silences by them.
    expect(new Set(group.rules.map((p) => p.alert)).size).toBe(group.rules.length);
  });

  it("uses the admin's severity, duration and thresholds, and leaves disabled rules out", () => {
    const group = prometheusRuleGroup(
      rules({
        "node-unreachable": { severity: "warning", forSeconds: 600 },
        "run-failed": { params: { maxAgeHours: 48 } },
        "talos-unsupported": { params: { graceDays: 30 } },
        "config-drift": { enabled: false },
      }),
    );
    const by = (alert: string) => group.rules.find((p) => p.alert === alert);
    expect(by("MinosNodeUnreachable")).toMatchObject({ for: "10m", labels: { severity: "warning", rule: "node-unreachable" } });
    expect(by("MinosRunFailed")?.expr).toBe(`minos_run_failed_timestamp_seconds >= time() - ${48 * 3_600}`);
    expect(by("MinosTalosUnsupported")?.expr).toBe(`minos_node_talos_support_end_timestamp_seconds <= time() - ${30 * 86_400}`);
    expect(by("MinosConfigDrift")).toBeUndefined();
    expect(group.rules.some((p) => p.labels.rule === "config-drift")).toBe(false);
    // A rule firing at once has no `for`.
    expect(by("MinosBackupFailed")?.for).toBeUndefined();
  });

  it("keeps the engine's own escalations critical whatever the rule's severity", () => {
    const group = prometheusRuleGroup(rules({ "etcd-quorum": { severity: "info" }, "certificate-expiry": { severity: "info" } }));
    const sev = (alert: string) => group.rules.find((p) => p.alert === alert)?.labels.severity;
    expect([sev("MinosEtcdQuorumDegraded"), sev("MinosEtcdQuorumLost")]).toEqual(["info", "critical"]);
    expect([sev("MinosCertificateExpiring"), sev("MinosCertificateCritical")]).toEqual(["info", "critical"]);
  });

  it("keeps every rule firing through a gap in Minos's series (keep_firing_for)", () => {
    const group = prometheusRuleGroup(rules({ "backup-failed": { forSeconds: 0 }, "node-unreachable": { forSeconds: 7 * 86_400 } }));
    expect(KEEP_FIRING_FOR_SECONDS).toBeGreaterThanOrEqual(600);
    for (const p of group.rules) expect(p.keep_firing_for, p.alert).toBe(promDuration(KEEP_FIRING_FOR_SECONDS));
  });

  it("never alerts on the engine's own minos_alerts_firing", () => {
    expect(prometheusRuleGroup(rules()).rules.every((p) => !p.expr.includes("minos_alerts_firing"))).toBe(true);
  });
});

describe("prometheusRuleFile", () => {
  it("is YAML of one group holding the rules", () => {
    const file = prometheusRuleFile(rules(), NOW);
    const doc = parse(file) as { groups: PrometheusRuleGroup[] };
    expect(doc.groups).toHaveLength(1);
    expect(doc.groups[0]).toEqual(prometheusRuleGroup(rules()));
    expect(file).toContain(NOW.toISOString());
  });

  it("passes promtool check rules, with the defaults and with every rule changed", async () => {
    for (const file of [
      prometheusRuleFile(rules(), NOW),
      prometheusRuleFile(rules({ "node-unreachable": { forSeconds: 7 * 86_400 }, "run-failed": { params: { maxAgeHours: 720 } }, "etcd-quorum": { forSeconds: 45 } }), NOW),
      prometheusRuleFile(rules(Object.fromEntries(RULES.map((r) => [r.id, { enabled: false }]))), NOW),
    ]) {
      const r = await promtool(["check", "rules", "rules.yaml"], { "rules.yaml": file });
      expect(r.output).toMatch(/SUCCESS/);
      expect(r.code, r.output).toBe(0);
    }
  });

  it("fails promtool check rules when an expression is broken (the check can fail)", async () => {
    const group = prometheusRuleGroup(rules());
    group.rules[0]!.expr = "minos_node_up ==";
    const r = await promtool(["check", "rules", "rules.yaml"], { "rules.yaml": JSON.stringify({ groups: [group] }) });
    expect(r.code).not.toBe(0);
  });
});
