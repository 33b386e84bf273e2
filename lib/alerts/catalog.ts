import { RULE_NAMES } from "@/lib/alerts/rule-names";
import type { AlertRuleId, AlertRuleParamSpec, AlertRuleSettings } from "@/lib/schemas/alerts";

/** What Minos knows about one built-in rule: its words, its defaults and the thresholds it takes. */
export interface RuleDefinition {
  id: AlertRuleId;
  name: string;
  description: string;
  defaults: AlertRuleSettings;
  paramSpecs: AlertRuleParamSpec[];
}

const rule = (id: AlertRuleId, description: string, defaults: AlertRuleSettings, paramSpecs: AlertRuleParamSpec[] = []): RuleDefinition => ({
  id,
  name: RULE_NAMES[id],
  description,
  defaults,
  paramSpecs,
});

/**
 * The built-in rules, on by default. Durations damp flapping: a condition must hold for
 * `forSeconds` before anyone is told. Isomorphic: the settings form and the server read the same list.
 */
export const RULES: readonly RuleDefinition[] = [
  rule("node-unreachable", "The node has not answered Minos's polls for the rule's duration.", {
    enabled: true,
    severity: "critical",
    forSeconds: 300,
    renotifyMinutes: 60,
    params: {},
  }),
  rule("node-not-ready", "The node answers but is not ready: it is not in the running stage, or a readiness condition is unmet.", {
    enabled: true,
    severity: "warning",
    forSeconds: 300,
    renotifyMinutes: 0,
    params: {},
  }),
  rule("service-failing", "A Talos service on the node has failed or reports unhealthy.", {
    enabled: true,
    severity: "warning",
    forSeconds: 120,
    renotifyMinutes: 0,
    params: {},
  }),
  rule("etcd-quorum", "Some of the cluster's etcd members are unhealthy (one more failure may lose quorum); critical once quorum is lost.", {
    enabled: true,
    severity: "critical",
    forSeconds: 60,
    renotifyMinutes: 30,
    params: {},
  }),
  rule("etcd-member-down", "A control plane's etcd member is missing from the member list, still a learner, or unhealthy.", {
    enabled: true,
    severity: "warning",
    forSeconds: 120,
    renotifyMinutes: 0,
    params: {},
  }),
  rule(
    "certificate-expiry",
    "A certificate (node, CA, or the talosconfig client certificate) reached its warning tier; critical tier and expired certificates are always critical.",
    { enabled: true, severity: "warning", forSeconds: 0, renotifyMinutes: 1440, params: {} },
  ),
  rule(
    "run-failed",
    "An upgrade, Kubernetes upgrade, config rollout, CA rotation or bulk action failed. Resolves when a newer run of the same kind starts on the cluster, or after the age limit.",
    { enabled: true, severity: "warning", forSeconds: 0, renotifyMinutes: 0, params: { maxAgeHours: 24 } },
    [{ key: "maxAgeHours", label: "Forget after", unit: "hours", min: 1, max: 720, description: "A failed run older than this no longer alerts." }],
  ),
  rule("run-halted", "An upgrade, Kubernetes upgrade, rollout, CA rotation or bulk action stopped and waits for someone: paused on a failure, or a drain blocked by a disruption budget.", {
    enabled: true,
    severity: "warning",
    forSeconds: 60,
    renotifyMinutes: 0,
    params: {},
  }),
  rule("backup-failed", "The cluster's latest etcd backup failed. Resolves when a later backup succeeds.", {
    enabled: true,
    severity: "warning",
    forSeconds: 0,
    renotifyMinutes: 0,
    params: {},
  }),
  rule("config-drift", "The node's running machine config differs from the last one Minos applied.", {
    enabled: true,
    severity: "warning",
    forSeconds: 0,
    renotifyMinutes: 0,
    params: {},
  }),
  rule(
    "talos-unsupported",
    "The node runs a Talos minor whose community support has ended (Sidero Labs supports a minor until the next minor's release).",
    { enabled: true, severity: "info", forSeconds: 0, renotifyMinutes: 0, params: { graceDays: 90 } },
    [{ key: "graceDays", label: "Grace after end of support", unit: "days", min: 0, max: 730, description: "Days after a minor's end of community support before its nodes alert." }],
  ),
];

const byId = new Map(RULES.map((r) => [r.id, r]));

/** The built-in rule with this id (every AlertRuleId has one). */
export function ruleDefinition(id: AlertRuleId): RuleDefinition {
  const def = byId.get(id);
  if (!def) throw new Error(`no built-in alert rule ${id}`);
  return def;
}
