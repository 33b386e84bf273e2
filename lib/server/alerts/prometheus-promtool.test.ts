/**
 * `promtool test rules` over the served rule file: synthetic series of Minos's metrics prove the
 * rules fire when they should (after their `for`, with the right labels and summary) and stay
 * quiet when they should (a down node is not also "not ready", an old failure is forgotten, a
 * warning-tier certificate that expired is critical only).
 */
import { Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import { stringify } from "yaml";

import { RULES } from "@/lib/alerts/catalog";
import type { AlertRuleId } from "@/lib/schemas/alerts";
import { alertRules } from "@/test/alerts/fixtures";
import { promtool } from "@/test/promtool";

import { registerAlertSourceMetrics } from "./prometheus-metrics";
import { prometheusRuleFile } from "./prometheus-rules";

const rules = alertRules;

const description = (id: AlertRuleId) => RULES.find((r) => r.id === id)!.description;

interface Expected {
  labels: Record<string, string>;
  summary: string;
}
interface AlertCase {
  eval_time: string;
  alertname: string;
  /** The rule whose description the alert carries, when not the test's. */
  rule?: AlertRuleId;
  /** Empty: the rule must not fire at that time. */
  exp: Expected[];
}

/**
 * A promtool unit test file (one test) for `series` (selector → values) and the expected alerts.
 * `interval` is both the series' step and the rules' evaluation interval.
 */
function unitTest(rule: AlertRuleId, series: Record<string, string>, cases: AlertCase[], interval = "1m"): string {
  return stringify({
    rule_files: ["rules.yaml"],
    evaluation_interval: interval,
    tests: [
      {
        interval,
        input_series: Object.entries(series).map(([s, values]) => ({ series: s, values })),
        alert_rule_test: cases.map((c) => ({
          eval_time: c.eval_time,
          alertname: c.alertname,
          exp_alerts: c.exp.map((e) => ({ exp_labels: e.labels, exp_annotations: { summary: e.summary, description: description(c.rule ?? rule) } })),
        })),
      },
    ],
  });
}

async function runUnitTest(file: string, test: string): Promise<void> {
  const r = await promtool(["test", "rules", "test.yaml"], { "rules.yaml": file, "test.yaml": test });
  expect(r.code, r.output).toBe(0);
  expect(r.output).toMatch(/SUCCESS/);
}

const W3 = { cluster: "prod", node: "10.0.0.3@prod", hostname: "worker-3", role: "worker" };
const CP1 = { cluster: "prod", node: "10.0.0.1@prod", hostname: "cp-1", role: "controlplane" };
const NAMELESS = { cluster: "prod", node: "10.0.0.7@prod", hostname: "", role: "unknown" };
// An empty label is no label to Prometheus.
const NAMELESS_LABELS = { cluster: "prod", node: "10.0.0.7@prod", role: "unknown" };
const sel = (name: string, labels: Record<string, string>) => `${name}{${Object.entries(labels).map(([k, v]) => `${k}="${v}"`).join(",")}}`;

describe("promtool test rules", () => {
  it("node unreachable fires after its duration; a down node is not also not-ready", async () => {
    const file = prometheusRuleFile(rules(), new Date(0)); // node-unreachable: critical, 5m; node-not-ready: warning, 5m
    const test = unitTest(
      "node-unreachable",
      {
        // worker-3 goes down at 2m; cp-1 stays up but is not ready from 1m.
        [sel("minos_node_up", W3)]: "1 1 0x12",
        [sel("minos_node_ready", W3)]: "1 1 0x12",
        [sel("minos_node_up", CP1)]: "1x14",
        [sel("minos_node_ready", CP1)]: "1x14",
        // A node that never told its name: the summary names its id.
        [sel("minos_node_up", NAMELESS)]: "0x14",
      },
      [
        { eval_time: "4m", alertname: "MinosNodeUnreachable", exp: [] },
        { eval_time: "6m", alertname: "MinosNodeUnreachable", exp: [{ labels: { ...NAMELESS_LABELS, severity: "critical", rule: "node-unreachable" }, summary: "Node 10.0.0.7@prod (prod) is unreachable" }] },
        {
          eval_time: "8m",
          alertname: "MinosNodeUnreachable",
          exp: [
            { labels: { ...W3, severity: "critical", rule: "node-unreachable" }, summary: "Node worker-3 (prod) is unreachable" },
            { labels: { ...NAMELESS_LABELS, severity: "critical", rule: "node-unreachable" }, summary: "Node 10.0.0.7@prod (prod) is unreachable" },
          ],
        },
        { eval_time: "10m", alertname: "MinosNodeNotReady", exp: [] },
      ],
    );
    await runUnitTest(file, test);
  });

  it("node not ready fires for a reachable node after its duration", async () => {
    const file = prometheusRuleFile(rules({ "node-not-ready": { forSeconds: 120 } }), new Date(0));
    const test = stringify({
      rule_files: ["rules.yaml"],
      evaluation_interval: "1m",
      tests: [
        {
          interval: "1m",
          input_series: [
            { series: sel("minos_node_up", CP1), values: "1x10" },
            { series: sel("minos_node_ready", CP1), values: "1 0x9" },
          ],
          alert_rule_test: [
            { eval_time: "2m", alertname: "MinosNodeNotReady", exp_alerts: [] },
            {
              eval_time: "4m",
              alertname: "MinosNodeNotReady",
              exp_alerts: [{ exp_labels: { ...CP1, severity: "warning", rule: "node-not-ready" }, exp_annotations: { summary: "Node cp-1 (prod) is not ready", description: description("node-not-ready") } }],
            },
          ],
        },
      ],
    });
    await runUnitTest(file, test);
  });

  it("etcd quorum: degraded at the rule's severity, lost always critical", async () => {
    const file = prometheusRuleFile(rules({ "etcd-quorum": { severity: "warning", forSeconds: 60 } }), new Date(0));
    const q = (state: string) => sel("minos_etcd_quorum", { cluster: "prod", state });
    const test = unitTest(
      "etcd-quorum",
      { [q("ok")]: "1 0x20", [q("degraded")]: "0 1 1 1 0x17", [q("lost")]: "0 0 0 0 1x17" },
      [
        { eval_time: "3m", alertname: "MinosEtcdQuorumDegraded", exp: [{ labels: { cluster: "prod", state: "degraded", severity: "warning", rule: "etcd-quorum" }, summary: "etcd of prod is degraded: one more member failure may lose quorum" }] },
        { eval_time: "3m", alertname: "MinosEtcdQuorumLost", exp: [] },
        { eval_time: "6m", alertname: "MinosEtcdQuorumLost", exp: [{ labels: { cluster: "prod", state: "lost", severity: "critical", rule: "etcd-quorum" }, summary: "etcd of prod lost quorum" }] },
        // Degraded stopped at 4m: it resolves once keep_firing_for (10m) has passed.
        { eval_time: "15m", alertname: "MinosEtcdQuorumDegraded", exp: [] },
        { eval_time: "15m", alertname: "MinosEtcdQuorumLost", exp: [{ labels: { cluster: "prod", state: "lost", severity: "critical", rule: "etcd-quorum" }, summary: "etcd of prod lost quorum" }] },
      ],
    );
    await runUnitTest(file, test);
  });

  it("a failed run alerts until it is older than maxAgeHours; a halted one while it waits", async () => {
    const file = prometheusRuleFile(rules({ "run-failed": { params: { maxAgeHours: 1 } }, "run-halted": { forSeconds: 60 } }), new Date(0));
    const run = { cluster: "prod", kind: "talos-upgrade" };
    const test = unitTest(
      "run-failed",
      {
        // Failed at t=60 s (the gauge holds the failure's Unix time; promtool's clock starts at 0).
        [sel("minos_run_failed_timestamp_seconds", run)]: "60x80",
        [sel("minos_runs_halted", { cluster: "prod", kind: "config-rollout" })]: "0x80",
      },
      [
        { eval_time: "30m", alertname: "MinosRunFailed", exp: [{ labels: { ...run, severity: "warning", rule: "run-failed" }, summary: "The latest talos-upgrade run on prod failed at 1970-01-01 00:01:00 +0000 UTC" }] },
        // Too old from 62m on; keep_firing_for (10m) holds it until 71m.
        { eval_time: "72m", alertname: "MinosRunFailed", exp: [] },
        { eval_time: "30m", alertname: "MinosRunHalted", exp: [] },
      ],
    );
    await runUnitTest(file, test);

    const halted = unitTest("run-halted", { [sel("minos_runs_halted", { cluster: "prod", kind: "config-rollout" })]: "0 2x10" }, [
      { eval_time: "1m", alertname: "MinosRunHalted", exp: [] },
      { eval_time: "3m", alertname: "MinosRunHalted", exp: [{ labels: { cluster: "prod", kind: "config-rollout", severity: "warning", rule: "run-halted" }, summary: "A config-rollout run on prod waits for a person" }] },
    ]);
    await runUnitTest(file, halted);
  });

  it("certificates: the warning tier at the rule's severity; expired is critical and not also 'expiring'", async () => {
    const file = prometheusRuleFile(rules(), new Date(0));
    const cert = (subject: string, tier: string) => ({ cluster: "prod", kind: "leaf", purpose: "apid", subject, fingerprint: subject, renewed_by: "talos", tier });
    const soon = cert("soon", "warning");
    const gone = cert("gone", "warning"); // the last scan saw it in its warning tier; it expired since
    const test = unitTest(
      "certificate-expiry",
      { [sel("minos_certificate_not_after_seconds", soon)]: "100000x20", [sel("minos_certificate_not_after_seconds", gone)]: "120x20" },
      [
        // "gone" left the warning rule at 2m; keep_firing_for (10m) holds its warning until 11m.
        { eval_time: "13m", alertname: "MinosCertificateExpiring", exp: [{ labels: { ...soon, severity: "warning", rule: "certificate-expiry" }, summary: "Certificate apid (soon) of prod expires at 1970-01-02 03:46:40 +0000 UTC" }] },
        {
          eval_time: "13m",
          alertname: "MinosCertificateCritical",
          exp: [{ labels: { ...gone, severity: "critical", rule: "certificate-expiry" }, summary: "Certificate apid (gone) of prod is in its critical tier or expired (notAfter 1970-01-01 00:02:00 +0000 UTC)" }],
        },
      ],
    );
    await runUnitTest(file, test);
  });

  it("talos unsupported waits for the grace days after the end of support", async () => {
    const file = prometheusRuleFile(rules({ "talos-unsupported": { params: { graceDays: 1 } } }), new Date(0));
    const node = { cluster: "prod", node: "10.0.0.3@prod", hostname: "worker-3", minor: "1.12" };
    // Support ended at t=600 s; one grace day later the rule fires.
    const test = unitTest("talos-unsupported", { [sel("minos_node_talos_support_end_timestamp_seconds", node)]: "600+0x1500" }, [
      { eval_time: "1h", alertname: "MinosTalosUnsupported", exp: [] },
      { eval_time: "1450m", alertname: "MinosTalosUnsupported", exp: [{ labels: { ...node, severity: "info", rule: "talos-unsupported" }, summary: "Node worker-3 (prod) runs Talos 1.12, out of community support since 1970-01-01 00:10:00 +0000 UTC" }] },
    ]);
    await runUnitTest(file, test);
  });

  it("failing service, etcd member, backup and drift fire on 1 and stay quiet on 0", async () => {
    const file = prometheusRuleFile(rules(), new Date(0));
    const node = { cluster: "prod", node: "10.0.0.1@prod", hostname: "cp-1" };
    const cases: [AlertRuleId, string, string, Record<string, string>, string, string][] = [
      ["service-failing", "MinosServiceFailing", "minos_node_service_failing", { ...node, service: "kubelet" }, "1x10", "Service kubelet is failing on cp-1 (prod)"],
      ["etcd-member-down", "MinosEtcdMemberDown", "minos_node_etcd_member_problem", node, "1x10", "The etcd member of cp-1 (prod) is missing, a learner or unhealthy"],
      ["backup-failed", "MinosBackupFailed", "minos_backup_latest_failed", { cluster: "prod" }, "1x10", "The latest etcd backup of prod failed"],
      ["config-drift", "MinosConfigDrift", "minos_node_config_drifted", node, "1x10", "The running config of cp-1 (prod) differs from the last one Minos applied"],
    ];
    for (const [rule, alert, metric, labels, values, summary] of cases) {
      const fires = unitTest(rule, { [sel(metric, labels)]: values }, [{ eval_time: "5m", alertname: alert, exp: [{ labels: { ...labels, severity: "warning", rule }, summary }] }]);
      await runUnitTest(file, fires);
      const quiet = unitTest(rule, { [sel(metric, labels)]: "0x10" }, [{ eval_time: "5m", alertname: alert, exp: [] }]);
      await runUnitTest(file, quiet);
    }
  });

  it("fires on the series Minos itself exposes (metric and label names agree end to end), at the sources' own clock", async () => {
    // promtool's clock starts at 0 (1970): the timestamp rules (run-failed, talos-unsupported) only
    // mean something when promtool evaluates at the time the samples were taken. Steps of 281
    // days (20,794 = 74 × 281 days from 1970 to `now`) put an evaluation exactly at `now` in 74
    // steps (one a day would take promtool tens of seconds).
    const now = new Date("2026-12-07T00:00:00Z");
    const days = now.getTime() / 86_400_000;
    const stepDays = 281;
    expect(days % stepDays).toBe(0);
    const registry = new Registry();
    const base = { cluster: "prod", source: "talosconfig" as const, reachable: true, stage: "running" as const, ready: true, unmetConditions: [], lastSeen: null, lastError: null, bootId: null, memory: null, load1: null, problems: [] };
    registerAlertSourceMetrics(registry, {
      fleet: () => ({
        nodes: [
          // 1.14: supported until 1.15 ships (2026-12-27).
          { ...base, id: "10.0.0.1@prod", address: "10.0.0.1", hostname: "cp-1", role: "controlplane" as const, talosVersion: "v1.14.4", failingServices: ["apid"] },
          // 1.10: out of support since 1.11 shipped (2025-09-01), more than the 90 grace days ago.
          { ...base, id: "10.0.0.9@prod", address: "10.0.0.9", hostname: "worker-9", role: "worker" as const, talosVersion: "v1.10.3", failingServices: [] },
        ],
        clusters: [],
        updatedAt: null,
      }),
      runs: async () => [
        // Within maxAgeHours (24): fires.
        { kind: "talos-upgrade", cluster: "prod", state: "failed", createdAt: "2026-12-06T22:00:00.000Z", finishedAt: "2026-12-06T23:00:00.000Z", drainBlocked: [] },
        // Six days old: quiet.
        { kind: "ca-rotation", cluster: "prod", state: "failed", createdAt: "2026-12-01T00:00:00.000Z", finishedAt: "2026-12-01T00:10:00.000Z", drainBlocked: [] },
      ],
      backups: async () => [{ cluster: "prod", state: "failed", startedAt: "2026-12-01T00:00:00.000Z" }],
      drift: async () => [{ node: "10.0.0.1@prod" }],
      now: () => now,
    });
    // Every sample of the exposition becomes one promtool sample at `now` only: the gauges were read
    // at `now`, and a timestamp in the future of an earlier step would fire there and be held by
    // keep_firing_for.
    const series: Record<string, string> = {};
    const labelsOf: Record<string, Record<string, string>[]> = {};
    for (const line of (await registry.metrics()).split("\n")) {
      const m = /^(minos_\w+)\{(.*)\} (\S+)$/.exec(line);
      if (!m) continue;
      series[`${m[1]}{${m[2]}}`] = `_x${days / stepDays} ${m[3]}`;
      (labelsOf[m[1]!] ??= []).push(Object.fromEntries([...m[2]!.matchAll(/(\w+)="([^"]*)"/g)].map((l) => [l[1]!, l[2]!])));
    }
    const only = (metric: string, match: Record<string, string>) => {
      const found = (labelsOf[metric] ?? []).filter((l) => Object.entries(match).every(([k, v]) => l[k] === v));
      expect(found, metric).toHaveLength(1);
      return found[0]!;
    };
    // One evaluation sees the samples: no `for`, so a rule fires (or not) on that evaluation alone.
    const file = prometheusRuleFile(rules(Object.fromEntries(RULES.map((r) => [r.id, { forSeconds: 0 }]))), new Date(0));
    const at = `${days}d`;
    const cases: AlertCase[] = [
      { rule: "service-failing", eval_time: at, alertname: "MinosServiceFailing", exp: [{ labels: { ...only("minos_node_service_failing", {}), severity: "warning", rule: "service-failing" }, summary: "Service apid is failing on cp-1 (prod)" }] },
      {
        rule: "run-failed",
        eval_time: at,
        alertname: "MinosRunFailed",
        exp: [{ labels: { ...only("minos_run_failed_timestamp_seconds", { kind: "talos-upgrade" }), severity: "warning", rule: "run-failed" }, summary: "The latest talos-upgrade run on prod failed at 2026-12-06 23:00:00 +0000 UTC" }],
      },
      { rule: "backup-failed", eval_time: at, alertname: "MinosBackupFailed", exp: [{ labels: { ...only("minos_backup_latest_failed", {}), severity: "warning", rule: "backup-failed" }, summary: "The latest etcd backup of prod failed" }] },
      { rule: "config-drift", eval_time: at, alertname: "MinosConfigDrift", exp: [{ labels: { ...only("minos_node_config_drifted", {}), severity: "warning", rule: "config-drift" }, summary: "The running config of cp-1 (prod) differs from the last one Minos applied" }] },
      {
        rule: "talos-unsupported",
        eval_time: at,
        alertname: "MinosTalosUnsupported",
        exp: [
          {
            labels: { ...only("minos_node_talos_support_end_timestamp_seconds", { minor: "1.10" }), severity: "info", rule: "talos-unsupported" },
            summary: "Node worker-9 (prod) runs Talos 1.10, out of community support since 2025-09-01 00:00:00 +0000 UTC",
          },
        ],
      },
      // The healthy facts among them stay quiet (etcd member 0, no halted run).
      { eval_time: at, alertname: "MinosEtcdMemberDown", exp: [] },
      { eval_time: at, alertname: "MinosRunHalted", exp: [] },
    ];
    // Both runs and both Talos minors are exposed: the quiet ones are quiet by the rules, not for lack of a series.
    expect(labelsOf.minos_run_failed_timestamp_seconds).toHaveLength(2);
    expect(labelsOf.minos_node_talos_support_end_timestamp_seconds).toHaveLength(2);
    await runUnitTest(file, unitTest("service-failing", series, cases, `${stepDays}d`));
  });

  it("a gap in Minos's series (a restart, a failed source) keeps a firing alert firing; a real recovery resolves it after keep_firing_for", async () => {
    const file = prometheusRuleFile(rules(), new Date(0));
    const failed = (v: string) => ({ [sel("minos_backup_latest_failed", { cluster: "prod" })]: v });
    const firing = [{ labels: { cluster: "prod", severity: "warning", rule: "backup-failed" }, summary: "The latest etcd backup of prod failed" }];
    // Samples at 0–2m; at 3m the scrape fails (Prometheus marks the series stale: gone at once); back from 13m on.
    const gap = unitTest("backup-failed", failed("1x2 stale _x9 1x5"), [
      { eval_time: "1m", alertname: "MinosBackupFailed", exp: firing },
      { eval_time: "10m", alertname: "MinosBackupFailed", exp: firing },
      { eval_time: "14m", alertname: "MinosBackupFailed", exp: firing },
    ]);
    await runUnitTest(file, gap);
    // The same file without keep_firing_for resolves in the gap: the test above can fail.
    const without = (await promtool(["test", "rules", "test.yaml"], { "rules.yaml": file.replace(/^\s*keep_firing_for: .*\n/gm, ""), "test.yaml": gap })).code;
    expect(without).not.toBe(0);
    // The condition really ends at 3m: resolved once 10 minutes have passed (still firing at 12m, gone at 13m).
    await runUnitTest(
      file,
      unitTest("backup-failed", failed("1x2 0x20"), [
        { eval_time: "12m", alertname: "MinosBackupFailed", exp: firing },
        { eval_time: "13m", alertname: "MinosBackupFailed", exp: [] },
      ]),
    );
  });

  it("fails when an expected alert does not come (the harness can fail)", async () => {
    const file = prometheusRuleFile(rules(), new Date(0));
    const test = unitTest("node-unreachable", { [sel("minos_node_up", W3)]: "1x10" }, [
      { eval_time: "8m", alertname: "MinosNodeUnreachable", exp: [{ labels: { ...W3, severity: "critical", rule: "node-unreachable" }, summary: "Node worker-3 (prod) is unreachable" }] },
    ]);
    const r = await promtool(["test", "rules", "test.yaml"], { "rules.yaml": file, "test.yaml": test });
    expect(r.code).not.toBe(0);
  });
});
