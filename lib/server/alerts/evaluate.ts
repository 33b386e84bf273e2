import type { AlertRuleId, AlertRuleSettings, AlertSeverity } from "@/lib/schemas/alerts";
import type { Certificate } from "@/lib/schemas/certs";
import type { ClusterHealth, NodeSummary } from "@/lib/schemas/fleet";

/**
 * The pure half of the alert engine: what the sources say now → the conditions that hold now.
 * No clock, no store: `now` and the rules' settings come in, conditions go out. Whether a
 * condition has held long enough to fire is the lifecycle's business (lifecycle.ts).
 */

/** The kinds of run the run rules watch (their tables: upgrade_plans, kubernetes_upgrades, config_rollouts, ca_rotations, bulk_runs). */
export type RunKind = "talos-upgrade" | "kubernetes-upgrade" | "config-rollout" | "ca-rotation" | "bulk";

/** One run, as the run rules need it. */
export interface RunFact {
  kind: RunKind;
  id: string;
  cluster: string;
  state: string;
  createdAt: string;
  finishedAt: string | null;
  /** Nodes of the run waiting in `drain-blocked` (hostnames or addresses). */
  drainBlocked: string[];
  /** Why it failed or paused, when recorded (a short sentence; never a secret). */
  reason: string | null;
}

/** The latest etcd backup of a cluster. */
export interface BackupFact {
  cluster: string;
  id: string;
  state: "running" | "succeeded" | "failed";
  error: string | null;
  startedAt: string;
}

/** A node whose running config differs from the last one Minos applied. */
export interface DriftFact {
  node: string;
  checkedAt: string;
}

/** A Talos minor's support as lib/talos/support.ts knows it; null when the version is unknown to it. */
export type SupportLookup = (talosVersion: string, now: Date) => { minor: string; communitySupportEndedAt: Date | null } | null;

/**
 * What the sources gave this round. A source that failed is null: the rules that read it are
 * skipped (their alerts stay as they are), never resolved by an absence of data.
 */
export interface AlertInputs {
  fleet: { nodes: NodeSummary[]; clusters: ClusterHealth[] } | null;
  certificates: Certificate[] | null;
  runs: RunFact[] | null;
  backups: BackupFact[] | null;
  drift: DriftFact[] | null;
  support: SupportLookup | null;
  /**
   * Where this round's certificate scan failed (lib/server/certs/scanner.ts's errors): a node
   * (its handshake) or a whole cluster (node null: its talosconfig or machine config). Their
   * certificates are missing from `certificates` for want of an answer, not because they were
   * renewed, so their open alerts are held.
   */
  certificateScanErrors?: { cluster: string; node: string | null }[];
}

/** One condition that holds now. `key` = `rule|cluster|node|object` (empty parts for none): stable across rounds. */
export interface Condition {
  key: string;
  rule: AlertRuleId;
  cluster: string;
  node: string | null;
  hostname: string | null;
  object: string | null;
  severity: AlertSeverity;
  summary: string;
  path: string;
  /**
   * When the condition began, where the source knows better than this round: an unreachable node
   * has not answered since its last answer. The alert's pendingSince starts there.
   */
  since?: string;
}

export interface Evaluation {
  conditions: Condition[];
  /** Enabled rules not evaluated this round (a source failed): their open alerts stay untouched. */
  skipped: Set<AlertRuleId>;
  /** Narrower than `skipped`: open alerts in these scopes stay untouched (a node that did not answer). */
  held: Hold[];
}

/** Open alerts of these rules in this cluster (and on this node; null: any node of it) are kept as they are this round. */
export interface Hold {
  rules: readonly AlertRuleId[];
  cluster: string;
  node: string | null;
}

/** Whether an open alert is in a held scope (see Hold). */
export function isHeld(held: readonly Hold[], a: { rule: AlertRuleId; cluster: string; node: string | null }): boolean {
  return held.some((h) => h.cluster === a.cluster && h.rules.includes(a.rule) && (h.node === null || h.node === a.node));
}

/** The rules an unreachable node can't speak to: unknown while it is down, neither firing nor resolving. */
const SILENT_WHILE_DOWN: readonly AlertRuleId[] = ["node-not-ready", "service-failing", "etcd-member-down"];

/** An operator's pause (the runners and services record "paused by <actor>"): nobody is waited for. */
const DELIBERATE_PAUSE = /^paused by /i;

/** A live run waits for a person: a node's drain is blocked, or it paused itself (not an operator's pause). */
export function runWaitsForPerson(r: { state: string; drainBlocked: readonly string[]; reason?: string | null }): boolean {
  if (["failed", "succeeded", "done", "cancelled"].includes(r.state)) return false;
  return r.drainBlocked.length > 0 || (r.state === "paused" && !DELIBERATE_PAUSE.test(r.reason ?? ""));
}

export type RuleSettingsMap = ReadonlyMap<AlertRuleId, AlertRuleSettings>;

/** Which source each rule reads; a null source skips the rule. */
const SOURCE: Record<AlertRuleId, keyof AlertInputs> = {
  "node-unreachable": "fleet",
  "node-not-ready": "fleet",
  "service-failing": "fleet",
  "etcd-quorum": "fleet",
  "etcd-member-down": "fleet",
  "certificate-expiry": "certificates",
  "run-failed": "runs",
  "run-halted": "runs",
  "backup-failed": "backups",
  "config-drift": "drift",
  "talos-unsupported": "support",
};

export function alertKey(rule: AlertRuleId, cluster: string, node: string | null, object: string | null): string {
  return [rule, cluster, node ?? "", object ?? ""].join("|");
}

export const nodePath = (node: string) => `/nodes/${encodeURIComponent(node)}`;
const clusterPath = (cluster: string) => `/clusters/${encodeURIComponent(cluster)}`;

const RUN_LABEL: Record<RunKind, string> = {
  "talos-upgrade": "Talos upgrade",
  "kubernetes-upgrade": "Kubernetes upgrade",
  "config-rollout": "Config rollout",
  "ca-rotation": "CA rotation",
  bulk: "Bulk action",
};
const RUN_PATH: Record<RunKind, string> = {
  "talos-upgrade": "/upgrades",
  "kubernetes-upgrade": "/kubernetes-upgrades",
  "config-rollout": "/config/rollouts",
  "ca-rotation": "/ca-rotations",
  bulk: "/bulk",
};

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

/** The node's cluster from its id (`address@cluster`). */
function clusterOfNode(node: string): string {
  const at = node.indexOf("@");
  return at < 0 ? "" : node.slice(at + 1);
}

/**
 * The conditions of every enabled rule whose source answered. Severities are the rule's, except
 * where the rule says otherwise: etcd quorum lost, a certificate in its critical tier or expired
 * are critical whatever the setting.
 */
export function evaluate(inputs: AlertInputs, rules: RuleSettingsMap, now: Date): Evaluation {
  const conditions: Condition[] = [];
  const skipped = new Set<AlertRuleId>();
  const held: Hold[] = [];
  // Every enabled rule whose source failed is skipped, whether or not another source's data would reach it.
  const active = new Map<AlertRuleId, AlertRuleSettings>();
  for (const [rule, s] of rules) {
    if (!s.enabled) continue;
    if (inputs[SOURCE[rule]] === null || (rule === "talos-unsupported" && inputs.fleet === null)) skipped.add(rule);
    else active.set(rule, s);
  }
  const on = (rule: AlertRuleId): AlertRuleSettings | null => active.get(rule) ?? null;
  const add = (rule: AlertRuleId, c: Omit<Condition, "key" | "rule">) => conditions.push({ key: alertKey(rule, c.cluster, c.node, c.object), rule, ...c });
  const name = (n: NodeSummary) => n.hostname ?? n.address;

  const fleet = inputs.fleet;
  if (fleet) {
    const unreachable = on("node-unreachable");
    const notReady = on("node-not-ready");
    const services = on("service-failing");
    const member = on("etcd-member-down");
    for (const n of fleet.nodes) {
      const base = { cluster: n.cluster, node: n.id, hostname: n.hostname, path: nodePath(n.id) };
      const down = n.problems.find((p) => p.kind === "down");
      if (down) {
        // An unreachable node's other rules can't be known: only this one speaks for it, and the
        // others' alerts stay as they were (resolving them would be a false all-clear).
        held.push({ rules: SILENT_WHILE_DOWN, cluster: n.cluster, node: n.id });
        if (unreachable) add("node-unreachable", { ...base, object: null, severity: unreachable.severity, summary: `Node ${name(n)} (${n.cluster}) is unreachable: ${down.message}`, since: n.lastSeen ?? undefined });
        continue;
      }
      const stage = n.problems.find((p) => p.kind === "stage" || p.kind === "not_ready");
      if (notReady && stage) add("node-not-ready", { ...base, object: null, severity: notReady.severity, summary: `Node ${name(n)} (${n.cluster}) is not ready: ${stage.message}` });
      if (services) {
        for (const svc of n.failingServices) add("service-failing", { ...base, object: svc, severity: services.severity, summary: `Service ${svc} is failing on ${name(n)} (${n.cluster})` });
      }
      const etcd = n.problems.find((p) => p.kind === "etcd");
      if (member && etcd) add("etcd-member-down", { ...base, object: null, severity: member.severity, summary: `etcd member of ${name(n)} (${n.cluster}): ${etcd.message}` });
    }
    const quorum = on("etcd-quorum");
    for (const c of quorum ? fleet.clusters : []) {
      const q = c.etcd?.quorum;
      if (q !== "degraded" && q !== "lost") continue;
      const e = c.etcd!;
      add("etcd-quorum", {
        cluster: c.name,
        node: null,
        hostname: null,
        object: null,
        severity: q === "lost" ? "critical" : quorum!.severity,
        summary: q === "lost" ? `etcd of ${c.name} lost quorum: ${e.healthy} of ${e.members} members healthy` : `etcd of ${c.name} is degraded: ${e.healthy} of ${e.members} members healthy, ${e.canTolerate} more failure(s) tolerated`,
        path: clusterPath(c.name),
      });
    }
  }

  const certRule = on("certificate-expiry");
  if (certRule) for (const e of inputs.certificateScanErrors ?? []) held.push({ rules: ["certificate-expiry"], cluster: e.cluster, node: e.node });
  for (const c of certRule ? (inputs.certificates ?? []) : []) {
    const expired = c.daysLeft < 0;
    if (!expired && c.tier !== "warning" && c.tier !== "critical") continue;
    const what = c.kind === "client" ? `The talosconfig client certificate${c.commonName ? ` ${c.commonName}` : ""}` : `${c.purpose}${c.commonName ? ` (${c.commonName})` : ""}`;
    const when = expired ? `expired ${-c.daysLeft} day(s) ago` : `expires in ${c.daysLeft} day(s) (${c.tier})`;
    add("certificate-expiry", {
      cluster: c.cluster,
      node: c.nodes.length === 1 ? c.nodes[0]! : null,
      hostname: null,
      object: c.id,
      severity: expired || c.tier === "critical" ? "critical" : certRule!.severity,
      summary: `${what} of ${c.cluster} ${when}`,
      path: "/certificates",
    });
  }

  const failed = on("run-failed");
  const halted = on("run-halted");
  if (inputs.runs && (failed || halted)) {
    // The latest run of each kind per cluster: a failed one stops alerting once a newer one starts.
    const latest = new Map<string, RunFact>();
    for (const r of inputs.runs) {
      const k = `${r.kind}|${r.cluster}`;
      const prev = latest.get(k);
      if (!prev || prev.createdAt < r.createdAt) latest.set(k, r);
    }
    for (const r of inputs.runs) {
      const base = { cluster: r.cluster, node: null, hostname: null, object: `${r.kind}:${r.id}`, path: `${RUN_PATH[r.kind]}/${encodeURIComponent(r.id)}` };
      const why = r.reason ? `: ${r.reason}` : "";
      if (failed && r.state === "failed" && latest.get(`${r.kind}|${r.cluster}`) === r) {
        const at = Date.parse(r.finishedAt ?? r.createdAt);
        if (now.getTime() - at <= (failed.params.maxAgeHours ?? 24) * HOUR_MS) add("run-failed", { ...base, severity: failed.severity, summary: `${RUN_LABEL[r.kind]} ${r.id} on ${r.cluster} failed${why}` });
      }
      // A person is waited for when a drain is blocked or the run paused itself; an operator's own pause is not news to anyone.
      if (halted && runWaitsForPerson(r)) {
        const what = r.drainBlocked.length > 0 ? `waits for a person: the drain of ${r.drainBlocked.join(", ")} is blocked` : `is paused and waits for a person${why}`;
        add("run-halted", { ...base, severity: halted.severity, summary: `${RUN_LABEL[r.kind]} ${r.id} on ${r.cluster} ${what}` });
      }
    }
  }

  const backup = on("backup-failed");
  for (const b of backup ? (inputs.backups ?? []) : []) {
    if (b.state !== "failed") continue;
    add("backup-failed", { cluster: b.cluster, node: null, hostname: null, object: null, severity: backup!.severity, summary: `The latest etcd backup of ${b.cluster} failed${b.error ? `: ${b.error}` : ""}`, path: "/backups" });
  }

  const drift = on("config-drift");
  if (drift && inputs.drift) {
    const hostnames = new Map((fleet?.nodes ?? []).map((n) => [n.id, n.hostname]));
    for (const d of inputs.drift) {
      // A node removed from the fleet keeps its last drift row: with a snapshot at hand, only the fleet's nodes count.
      if (fleet && !hostnames.has(d.node)) continue;
      const hostname = hostnames.get(d.node) ?? null;
      add("config-drift", { cluster: clusterOfNode(d.node), node: d.node, hostname, object: null, severity: drift.severity, summary: `The running config of ${hostname ?? d.node} differs from the last one Minos applied`, path: nodePath(d.node) });
    }
  }

  const support = on("talos-unsupported");
  if (support && inputs.support && fleet) {
    const grace = (support.params.graceDays ?? 0) * DAY_MS;
    for (const n of fleet.nodes) {
      if (!n.talosVersion) {
        // Not known yet (a node down since Minos started): its version did not change, so neither does its alert.
        held.push({ rules: ["talos-unsupported"], cluster: n.cluster, node: n.id });
        continue;
      }
      const s = inputs.support(n.talosVersion, now);
      const ended = s?.communitySupportEndedAt;
      if (!s || !ended || now.getTime() < ended.getTime() + grace) continue;
      add("talos-unsupported", {
        cluster: n.cluster,
        node: n.id,
        hostname: n.hostname,
        object: null,
        severity: support.severity,
        summary: `Node ${name(n)} (${n.cluster}) runs Talos ${n.talosVersion}; community support of ${s.minor} ended on ${ended.toISOString().slice(0, 10)}`,
        path: nodePath(n.id),
      });
    }
  }

  return { conditions: dedupe(conditions), skipped, held };
}

/** One condition per key (a certificate listed twice, a run seen twice): the first wins. */
function dedupe(conditions: Condition[]): Condition[] {
  const seen = new Set<string>();
  return conditions.filter((c) => (seen.has(c.key) ? false : (seen.add(c.key), true)));
}
