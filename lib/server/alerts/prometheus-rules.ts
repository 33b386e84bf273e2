import "server-only";

import { stringify } from "yaml";

import type { AlertRule, AlertRuleId, AlertSeverity } from "@/lib/schemas/alerts";

import { METRIC } from "./prometheus-metrics";

/**
 * Minos's alert rules as a Prometheus rule file over Minos's own /api/metrics, for teams whose
 * alerting already runs through Prometheus and Alertmanager. Pure: the rules as they stand
 * (the admin's severities, durations and thresholds; disabled rules left out) in, YAML out.
 *
 * Each catalog rule maps to one or more Prometheus rules labelled `rule: <catalog id>`. Where
 * the engine raises a rule's severity by itself (etcd quorum lost; a certificate in its critical
 * tier or expired), the file has a second, always-critical rule, because a Prometheus rule has one
 * severity. The expressions mirror the engine's conditions (lib/server/alerts/evaluate.ts);
 * docs/alerts.md lists them. `minos_alerts_firing` (the engine's own count) is deliberately not
 * used: alerting on it would re-alert every alert under another name.
 */

export interface PrometheusRule {
  alert: string;
  expr: string;
  for?: string;
  keep_firing_for: string;
  labels: { severity: AlertSeverity; rule: AlertRuleId };
  annotations: { summary: string; description: string };
}

export interface PrometheusRuleGroup {
  name: string;
  rules: PrometheusRule[];
}

/** The one group's name in the served file. */
export const RULE_GROUP = "minos";

/**
 * How long a firing Prometheus alert outlives its expression (`keep_firing_for`, Prometheus
 * 2.42+). Minos's gauges go missing for reasons that are not a recovery: Minos restarting (the
 * scrape fails), a source it cannot read for a scrape (the store: its gauges are left out), the
 * certificate gauges until the first scan after a start (every CERT_SCAN_INTERVAL_MS, 5 min).
 * Without it each gap would resolve the alert and fire it again (a false "resolved", a second
 * page). The price: a real recovery reaches Alertmanager this much later.
 */
export const KEEP_FIRING_FOR_SECONDS = 600;

/** A Prometheus duration for whole seconds, in the largest unit that divides it ("5m", "90s", "2h"); "0s" for zero. */
export function promDuration(seconds: number): string {
  if (!Number.isInteger(seconds) || seconds < 0) throw new Error(`not a whole, non-negative number of seconds: ${seconds}`);
  if (seconds === 0) return "0s";
  for (const [unit, size] of [
    ["d", 86_400],
    ["h", 3_600],
    ["m", 60],
  ] as const) {
    if (seconds % size === 0) return `${seconds / size}${unit}`;
  }
  return `${seconds}s`;
}

// minos_node_up has hostname="" for a node that never said its name: the node id then.
const NODE = "{{ if $labels.hostname }}{{ $labels.hostname }}{{ else }}{{ $labels.node }}{{ end }} ({{ $labels.cluster }})";

interface Spec {
  alert: string;
  expr: string;
  /** The rule's configured severity unless set. */
  severity?: AlertSeverity;
  summary: string;
}

/** Each rule's Prometheus rules, given its settings (params already merged over the defaults). */
const SPECS: Record<AlertRuleId, (params: Record<string, number>) => Spec[]> = {
  "node-unreachable": () => [{ alert: "MinosNodeUnreachable", expr: `${METRIC.nodeUp} == 0`, summary: `Node ${NODE} is unreachable` }],
  "node-not-ready": () => [{ alert: "MinosNodeNotReady", expr: `${METRIC.nodeReady} == 0 and on (cluster, node) ${METRIC.nodeUp} == 1`, summary: `Node ${NODE} is not ready` }],
  "service-failing": () => [{ alert: "MinosServiceFailing", expr: `${METRIC.serviceFailing} == 1`, summary: `Service {{ $labels.service }} is failing on ${NODE}` }],
  "etcd-quorum": () => [
    { alert: "MinosEtcdQuorumDegraded", expr: `${METRIC.etcdQuorum}{state="degraded"} == 1`, summary: "etcd of {{ $labels.cluster }} is degraded: one more member failure may lose quorum" },
    { alert: "MinosEtcdQuorumLost", expr: `${METRIC.etcdQuorum}{state="lost"} == 1`, severity: "critical", summary: "etcd of {{ $labels.cluster }} lost quorum" },
  ],
  "etcd-member-down": () => [{ alert: "MinosEtcdMemberDown", expr: `${METRIC.etcdMemberProblem} == 1`, summary: `The etcd member of ${NODE} is missing, a learner or unhealthy` }],
  "certificate-expiry": () => [
    {
      alert: "MinosCertificateExpiring",
      // A warning-tier certificate that expired since the last scan belongs to the critical rule.
      expr: `${METRIC.certNotAfter}{tier="warning"} > time()`,
      summary: "Certificate {{ $labels.purpose }} ({{ $labels.subject }}) of {{ $labels.cluster }} expires at {{ $value | humanizeTimestamp }}",
    },
    {
      alert: "MinosCertificateCritical",
      expr: `${METRIC.certNotAfter}{tier="critical"} or ${METRIC.certNotAfter} <= time()`,
      severity: "critical",
      summary: "Certificate {{ $labels.purpose }} ({{ $labels.subject }}) of {{ $labels.cluster }} is in its critical tier or expired (notAfter {{ $value | humanizeTimestamp }})",
    },
  ],
  "run-failed": (p) => [
    {
      alert: "MinosRunFailed",
      // Comparisons keep the left side's value: $value is the failure's time.
      expr: `${METRIC.runFailedAt} >= time() - ${(p.maxAgeHours ?? 24) * 3_600}`,
      summary: "The latest {{ $labels.kind }} run on {{ $labels.cluster }} failed at {{ $value | humanizeTimestamp }}",
    },
  ],
  "run-halted": () => [{ alert: "MinosRunHalted", expr: `${METRIC.runsHalted} > 0`, summary: "A {{ $labels.kind }} run on {{ $labels.cluster }} waits for a person" }],
  "backup-failed": () => [{ alert: "MinosBackupFailed", expr: `${METRIC.backupLatestFailed} == 1`, summary: "The latest etcd backup of {{ $labels.cluster }} failed" }],
  "config-drift": () => [{ alert: "MinosConfigDrift", expr: `${METRIC.configDrifted} == 1`, summary: `The running config of ${NODE} differs from the last one Minos applied` }],
  "talos-unsupported": (p) => [
    {
      alert: "MinosTalosUnsupported",
      expr: `${METRIC.talosSupportEnd} <= time() - ${(p.graceDays ?? 0) * 86_400}`,
      summary: `Node ${NODE} runs Talos {{ $labels.minor }}, out of community support since {{ $value | humanizeTimestamp }}`,
    },
  ],
};

/** The Prometheus rules of every enabled rule, in catalog order. */
export function prometheusRuleGroup(rules: readonly AlertRule[]): PrometheusRuleGroup {
  const out: PrometheusRule[] = [];
  for (const r of rules) {
    if (!r.enabled) continue;
    for (const s of SPECS[r.id]({ ...r.defaults.params, ...r.params })) {
      out.push({
        alert: s.alert,
        expr: s.expr,
        ...(r.forSeconds > 0 ? { for: promDuration(r.forSeconds) } : {}),
        keep_firing_for: promDuration(KEEP_FIRING_FOR_SECONDS),
        labels: { severity: s.severity ?? r.severity, rule: r.id },
        annotations: { summary: s.summary, description: r.description },
      });
    }
  }
  return { name: RULE_GROUP, rules: out };
}

/** The rule file Prometheus loads (`rule_files:`), with a header saying where it came from. */
export function prometheusRuleFile(rules: readonly AlertRule[], generatedAt: Date): string {
  const header = [
    "# Minos alert rules over Minos's own metrics (scrape GET /api/metrics with a viewer token).",
    `# Generated ${generatedAt.toISOString()} from the rules as they stand; disabled rules are left out.`,
    "# Regenerate after changing a rule: GET /api/alerts/prometheus-rules. See docs/alerts.md.",
    "# Needs Prometheus 2.42 or newer (keep_firing_for).",
  ].join("\n");
  return `${header}\n${stringify({ groups: [prometheusRuleGroup(rules)] }, { lineWidth: 0 })}`;
}
