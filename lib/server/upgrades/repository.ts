import "server-only";

import type {
  PlannedNode,
  UpgradeCheck,
  UpgradeNode,
  UpgradeNodeState,
  UpgradePlan,
  UpgradePlanState,
  UpgradePlanSummary,
  UpgradePreview,
  UpgradeStrategy,
} from "@/lib/schemas/upgrades";
import type { LegacyDb as Db } from "@/lib/server/platform/db/db";
import { computeProgress } from "@/lib/upgrades/progress";

/** Messages kept per node: enough for the live view, bounded for long installs. */
const MAX_MESSAGES = 50;

interface PlanRow {
  id: string;
  cluster: string;
  target_version: string;
  image: string;
  strategy: string;
  state: UpgradePlanState;
  reason: string | null;
  actor: string;
  checks: string;
  batches: string;
  etcd_members: number | null;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  updated_at: string;
}

interface NodeRow {
  plan_id: string;
  node_id: string;
  address: string;
  hostname: string | null;
  role: "controlplane" | "worker";
  batch: number;
  position: number;
  from_version: string | null;
  to_version: string;
  already_on_target: number;
  state: UpgradeNodeState;
  started_at: string | null;
  finished_at: string | null;
  state_changed_at: string | null;
  attempts: number;
  boot_id_before: string | null;
  error: string | null;
  messages: string;
}

const iso = (t: number) => new Date(t).toISOString();

function toNode(r: NodeRow): UpgradeNode {
  return {
    id: r.node_id,
    address: r.address,
    hostname: r.hostname,
    role: r.role,
    batch: r.batch,
    position: r.position,
    fromVersion: r.from_version,
    alreadyOnTarget: r.already_on_target === 1,
    toVersion: r.to_version,
    state: r.state,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    stateChangedAt: r.state_changed_at,
    attempts: r.attempts,
    bootIdBefore: r.boot_id_before,
    error: r.error,
    messages: JSON.parse(r.messages) as UpgradeNode["messages"],
  };
}

function toSummary(r: PlanRow, nodes: UpgradeNode[], now: number): UpgradePlanSummary {
  return {
    id: r.id,
    cluster: r.cluster,
    targetVersion: r.target_version,
    image: r.image,
    strategy: JSON.parse(r.strategy) as UpgradeStrategy,
    state: r.state,
    reason: r.reason,
    actor: r.actor,
    createdAt: r.created_at,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    updatedAt: r.updated_at,
    progress: computeProgress(nodes, r.finished_at ? Date.parse(r.finished_at) : now),
  };
}

export interface NodePatch {
  state?: UpgradeNodeState;
  started?: boolean;
  finished?: boolean;
  attempt?: boolean;
  bootIdBefore?: string | null;
  error?: string | null;
  message?: string;
  now: number;
}

/**
 * Upgrade plans and their nodes in SQLite. Every transition is written before the runner acts
 * on it, so a restarted Minos resumes each node from what it had announced.
 */
export class UpgradeRepository {
  constructor(private readonly db: Db) {}

  /** Persists a new plan and its nodes (state `pending`) in one transaction. */
  insertPlan(p: { id: string; actor: string; preview: UpgradePreview; etcdMembers: number | null; now: number }): void {
    const at = iso(p.now);
    const { preview } = p;
    this.db.transaction(() => {
      this.db.prepare(
        `INSERT INTO upgrade_plans (id, cluster, target_version, image, strategy, state, reason, actor, checks, batches, etcd_members, created_at, started_at, finished_at, updated_at)
         VALUES (?, ?, ?, ?, ?, 'pending', NULL, ?, ?, ?, ?, ?, NULL, NULL, ?)`,
      ).run(p.id, preview.cluster, preview.targetVersion, preview.image, JSON.stringify(preview.strategy), p.actor, JSON.stringify(preview.checks), JSON.stringify(preview.batches), p.etcdMembers, at, at);
      const ins = this.db.prepare(
        `INSERT INTO upgrade_nodes (plan_id, node_id, address, hostname, role, batch, position, from_version, to_version, already_on_target, state, started_at, finished_at, state_changed_at, attempts, boot_id_before, error, messages)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', NULL, NULL, NULL, 0, NULL, NULL, '[]')`,
      );
      for (const n of preview.nodes as PlannedNode[]) {
        ins.run(p.id, n.id, n.address, n.hostname, n.role, n.batch, n.position, n.fromVersion, preview.targetVersion, n.alreadyOnTarget ? 1 : 0);
      }
    })();
  }

  getPlanNodes(id: string): UpgradeNode[] {
    return (this.db.prepare("SELECT * FROM upgrade_nodes WHERE plan_id = ? ORDER BY position").all(id) as NodeRow[]).map(toNode);
  }

  /** A plan with its nodes and progress; null when there is none with this id. */
  getPlan(id: string, now: number): UpgradePlan | null {
    const r = this.planRow(id);
    if (!r) return null;
    const nodes = this.getPlanNodes(id);
    return {
      ...toSummary(r, nodes, now),
      checks: JSON.parse(r.checks) as UpgradeCheck[],
      batches: JSON.parse(r.batches) as UpgradePlan["batches"],
      nodes,
    };
  }

  /** Plans newest first, without their nodes. */
  listPlans(opts: { cluster?: string; limit: number; now: number }): UpgradePlanSummary[] {
    const rows = (
      opts.cluster
        ? this.db.prepare("SELECT * FROM upgrade_plans WHERE cluster = ? ORDER BY created_at DESC, rowid DESC LIMIT ?").all(opts.cluster, opts.limit)
        : this.db.prepare("SELECT * FROM upgrade_plans ORDER BY created_at DESC, rowid DESC LIMIT ?").all(opts.limit)
    ) as PlanRow[];
    return rows.map((r) => toSummary(r, this.getPlanNodes(r.id), opts.now));
  }

  /** Ids of plans in one of `states`, oldest first. */
  listPlanIdsInStates(states: readonly UpgradePlanState[]): { id: string; cluster: string; state: UpgradePlanState }[] {
    if (states.length === 0) return [];
    return this.db
      .prepare(`SELECT id, cluster, state FROM upgrade_plans WHERE state IN (${states.map(() => "?").join(", ")}) ORDER BY created_at, rowid`)
      .all(...states) as { id: string; cluster: string; state: UpgradePlanState }[];
  }

  /** How many etcd members the cluster had when the plan was made (the health gate expects as many). */
  getPlanEtcdMembers(id: string): number | null {
    return (this.db.prepare("SELECT etcd_members FROM upgrade_plans WHERE id = ?").pluck().get(id) as number | null | undefined) ?? null;
  }

  getPlanState(id: string): UpgradePlanState | null {
    return (this.db.prepare("SELECT state FROM upgrade_plans WHERE id = ?").pluck().get(id) as UpgradePlanState | undefined) ?? null;
  }

  /** Sets a plan's state (and reason); `started`/`finished` stamp those times if not set yet. */
  setPlanState(id: string, p: { state: UpgradePlanState; reason?: string | null; started?: boolean; finished?: boolean; now: number }): void {
    const at = iso(p.now);
    this.db.prepare(
      `UPDATE upgrade_plans SET state = ?, reason = COALESCE(?, reason), updated_at = ?,
         started_at = CASE WHEN ? AND started_at IS NULL THEN ? ELSE started_at END,
         finished_at = CASE WHEN ? AND finished_at IS NULL THEN ? ELSE finished_at END
       WHERE id = ?`,
    ).run(p.state, p.reason ?? null, at, p.started ? 1 : 0, at, p.finished ? 1 : 0, at, id);
  }

  clearPlanReason(id: string): void {
    this.db.prepare("UPDATE upgrade_plans SET reason = NULL WHERE id = ?").run(id);
  }

  /** Updates one node row (and the plan's updated_at) in one transaction. */
  updateNode(planId: string, nodeId: string, p: NodePatch): void {
    const at = iso(p.now);
    this.db.transaction(() => {
      const row = this.db.prepare("SELECT messages FROM upgrade_nodes WHERE plan_id = ? AND node_id = ?").get(planId, nodeId) as { messages: string } | undefined;
      if (!row) throw new Error(`no node ${nodeId} in plan ${planId}`);
      let messages = row.messages;
      if (p.message !== undefined) {
        const list = JSON.parse(messages) as UpgradeNode["messages"];
        list.push({ at, text: p.message });
        messages = JSON.stringify(list.slice(-MAX_MESSAGES));
      }
      this.db.prepare(
        `UPDATE upgrade_nodes SET
           state = COALESCE(?, state),
           state_changed_at = CASE WHEN ? IS NOT NULL THEN ? ELSE state_changed_at END,
           started_at = CASE WHEN ? AND started_at IS NULL THEN ? ELSE started_at END,
           finished_at = CASE WHEN ? THEN ? ELSE finished_at END,
           attempts = attempts + ?,
           boot_id_before = CASE WHEN ? THEN ? ELSE boot_id_before END,
           error = CASE WHEN ? THEN ? ELSE error END,
           messages = ?
         WHERE plan_id = ? AND node_id = ?`,
      ).run(
        p.state ?? null,
        p.state ?? null,
        at,
        p.started ? 1 : 0,
        at,
        p.finished ? 1 : 0,
        at,
        p.attempt ? 1 : 0,
        p.bootIdBefore !== undefined ? 1 : 0,
        p.bootIdBefore ?? null,
        p.error !== undefined ? 1 : 0,
        p.error ?? null,
        messages,
        planId,
        nodeId,
      );
      this.db.prepare("UPDATE upgrade_plans SET updated_at = ? WHERE id = ?").run(at, planId);
    })();
  }

  private planRow(id: string): PlanRow | undefined {
    return this.db.prepare("SELECT * FROM upgrade_plans WHERE id = ?").get(id) as PlanRow | undefined;
  }
}
