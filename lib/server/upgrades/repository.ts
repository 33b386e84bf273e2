import "server-only";

import { nodeDrainSchema, type NodeDrain } from "@/lib/schemas/drain";
import {
  type PlannedNode,
  type UpgradeCheck,
  type UpgradeNode,
  type UpgradeNodeState,
  type UpgradePlan,
  type UpgradePlanState,
  type UpgradePlanSummary,
  type UpgradePreview,
  upgradeStrategySchema,
} from "@/lib/schemas/upgrades";
import { dialectOf, type Db } from "@/lib/server/platform/db/db";
import type { UpgradeNodesTable, UpgradePlansTable } from "@/lib/server/platform/db/schema";
import { computeProgress } from "@/lib/upgrades/progress";

/** Messages kept per node: enough for the live view, bounded for long installs. */
const MAX_MESSAGES = 50;

type PlanRow = Omit<UpgradePlansTable, "state"> & { state: UpgradePlanState };
type NodeRow = Omit<UpgradeNodesTable, "role" | "state" | "steps"> & { role: "controlplane" | "worker"; state: UpgradeNodeState; steps: string };

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
    steps: JSON.parse(r.steps) as string[],
    toVersion: r.to_version,
    state: r.state,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    stateChangedAt: r.state_changed_at,
    attempts: r.attempts,
    bootIdBefore: r.boot_id_before,
    error: r.error,
    drain: r.drain === null ? null : nodeDrainSchema.parse(JSON.parse(r.drain)),
    messages: JSON.parse(r.messages) as UpgradeNode["messages"],
  };
}

function toSummary(r: PlanRow, nodes: UpgradeNode[], now: number): UpgradePlanSummary {
  return {
    id: r.id,
    cluster: r.cluster,
    targetVersion: r.target_version,
    image: r.image,
    // Parsed: plans stored before a strategy field existed (drain) get its default.
    strategy: upgradeStrategySchema.parse(JSON.parse(r.strategy)),
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
  drain?: NodeDrain | null;
  message?: string;
  now: number;
}

/** Runs `fn` in the caller's transaction, or in a new one. */
function inTransaction<T>(db: Db, fn: (trx: Db) => Promise<T>): Promise<T> {
  return db.isTransaction ? fn(db) : db.transaction().execute(fn);
}

/**
 * Upgrade plans and their nodes. Every transition is written before the runner acts on it, so a
 * runner that takes a plan over (after a restart, or on another replica) resumes each node from
 * what was announced. Construct it over a transaction to make its writes part of that
 * transaction (the runner's fenced writes, an API action and its audit entry).
 */
export class UpgradeRepository {
  constructor(private readonly db: Db) {}

  /** Persists a new plan and its nodes (state `pending`) in one transaction. */
  async insertPlan(p: { id: string; actor: string; preview: UpgradePreview; etcdMembers: number | null; now: number }): Promise<void> {
    const at = iso(p.now);
    const { preview } = p;
    await inTransaction(this.db, async (trx) => {
      await trx
        .insertInto("upgrade_plans")
        .values({
          id: p.id,
          cluster: preview.cluster,
          target_version: preview.targetVersion,
          image: preview.image,
          strategy: JSON.stringify(preview.strategy),
          state: "pending",
          reason: null,
          actor: p.actor,
          checks: JSON.stringify(preview.checks),
          batches: JSON.stringify(preview.batches),
          etcd_members: p.etcdMembers,
          created_at: at,
          started_at: null,
          finished_at: null,
          updated_at: at,
        })
        .execute();
      const nodes = preview.nodes as PlannedNode[];
      if (nodes.length === 0) return;
      await trx
        .insertInto("upgrade_nodes")
        .values(
          nodes.map((n) => ({
            plan_id: p.id,
            node_id: n.id,
            address: n.address,
            hostname: n.hostname,
            role: n.role,
            batch: n.batch,
            position: n.position,
            from_version: n.fromVersion,
            to_version: preview.targetVersion,
            already_on_target: n.alreadyOnTarget ? 1 : 0,
            steps: JSON.stringify(n.steps),
            state: "pending",
            started_at: null,
            finished_at: null,
            state_changed_at: null,
            attempts: 0,
            boot_id_before: null,
            error: null,
            messages: "[]",
          })),
        )
        .execute();
    });
  }

  async getPlanNodes(id: string): Promise<UpgradeNode[]> {
    const rows = await this.db.selectFrom("upgrade_nodes").selectAll().where("plan_id", "=", id).orderBy("position").execute();
    return (rows as NodeRow[]).map(toNode);
  }

  /** A plan with its nodes and progress; null when there is none with this id. */
  async getPlan(id: string, now: number): Promise<UpgradePlan | null> {
    const r = (await this.db.selectFrom("upgrade_plans").selectAll().where("id", "=", id).executeTakeFirst()) as PlanRow | undefined;
    if (!r) return null;
    const nodes = await this.getPlanNodes(id);
    return {
      ...toSummary(r, nodes, now),
      checks: JSON.parse(r.checks) as UpgradeCheck[],
      batches: JSON.parse(r.batches) as UpgradePlan["batches"],
      nodes,
    };
  }

  /** Plans newest first, without their nodes. */
  async listPlans(opts: { cluster?: string; limit: number; now: number }): Promise<UpgradePlanSummary[]> {
    // id breaks ties of plans made in the same millisecond (it was SQLite's rowid: insertion order, which neither store keeps portably).
    const rows = (await this.db
      .selectFrom("upgrade_plans")
      .selectAll()
      .$if(opts.cluster !== undefined, (q) => q.where("cluster", "=", opts.cluster!))
      .orderBy("created_at", "desc")
      .orderBy("id", "desc")
      .limit(opts.limit)
      .execute()) as PlanRow[];
    return Promise.all(rows.map(async (r) => toSummary(r, await this.getPlanNodes(r.id), opts.now)));
  }

  /** Ids of plans in one of `states`, oldest first. */
  async listPlanIdsInStates(states: readonly UpgradePlanState[], opts: { cluster?: string } = {}): Promise<{ id: string; cluster: string; state: UpgradePlanState }[]> {
    if (states.length === 0) return [];
    const rows = await this.db
      .selectFrom("upgrade_plans")
      .select(["id", "cluster", "state"])
      .where("state", "in", states)
      .$if(opts.cluster !== undefined, (q) => q.where("cluster", "=", opts.cluster!))
      .orderBy("created_at")
      .orderBy("id")
      .execute();
    return rows as { id: string; cluster: string; state: UpgradePlanState }[];
  }

  /** How many etcd members the cluster had when the plan was made (the health gate expects as many). */
  async getPlanEtcdMembers(id: string): Promise<number | null> {
    const r = await this.db.selectFrom("upgrade_plans").select("etcd_members").where("id", "=", id).executeTakeFirst();
    return r?.etcd_members ?? null;
  }

  /**
   * A plan's state. `lock` (inside a transaction that then writes the plan) holds the row on
   * PostgreSQL until the transaction ends, so a pause on one replica and the driver's step on
   * another do not both decide from the same old state; SQLite's IMMEDIATE transactions are serial.
   */
  async getPlanState(id: string, opts: { lock?: boolean } = {}): Promise<UpgradePlanState | null> {
    const r = await this.db
      .selectFrom("upgrade_plans")
      .select("state")
      .where("id", "=", id)
      .$if(opts.lock === true && dialectOf(this.db) === "postgres", (q) => q.forUpdate())
      .executeTakeFirst();
    return (r?.state as UpgradePlanState | undefined) ?? null;
  }

  /** Sets a plan's state (and reason); `started`/`finished` stamp those times if not set yet. */
  async setPlanState(id: string, p: { state: UpgradePlanState; reason?: string | null; started?: boolean; finished?: boolean; now: number }): Promise<void> {
    const at = iso(p.now);
    await this.db
      .updateTable("upgrade_plans")
      .set((eb) => ({
        state: p.state,
        reason: p.reason != null ? p.reason : eb.ref("reason"),
        updated_at: at,
        started_at: p.started ? eb.fn.coalesce("started_at", eb.val(at)) : eb.ref("started_at"),
        finished_at: p.finished ? eb.fn.coalesce("finished_at", eb.val(at)) : eb.ref("finished_at"),
      }))
      .where("id", "=", id)
      .execute();
  }

  /** Says why a running plan waits (a blocked drain), without changing its state. */
  async setPlanReason(id: string, reason: string | null, now: number): Promise<void> {
    await this.db.updateTable("upgrade_plans").set({ reason, updated_at: iso(now) }).where("id", "=", id).execute();
  }

  async clearPlanReason(id: string): Promise<void> {
    await this.db.updateTable("upgrade_plans").set({ reason: null }).where("id", "=", id).execute();
  }

  /** Updates one node row (and the plan's updated_at) in one transaction. */
  async updateNode(planId: string, nodeId: string, p: NodePatch): Promise<void> {
    const at = iso(p.now);
    await inTransaction(this.db, async (trx) => {
      const row = await trx
        .selectFrom("upgrade_nodes")
        .select("messages")
        .where("plan_id", "=", planId)
        .where("node_id", "=", nodeId)
        .$if(dialectOf(trx) === "postgres", (q) => q.forUpdate())
        .executeTakeFirst();
      if (!row) throw new Error(`no node ${nodeId} in plan ${planId}`);
      let messages = row.messages;
      if (p.message !== undefined) {
        const list = JSON.parse(messages) as UpgradeNode["messages"];
        list.push({ at, text: p.message });
        messages = JSON.stringify(list.slice(-MAX_MESSAGES));
      }
      await trx
        .updateTable("upgrade_nodes")
        .set((eb) => ({
          ...(p.state !== undefined ? { state: p.state, state_changed_at: at } : {}),
          ...(p.started ? { started_at: eb.fn.coalesce("started_at", eb.val(at)) } : {}),
          ...(p.finished ? { finished_at: at } : {}),
          ...(p.attempt ? { attempts: eb("attempts", "+", 1) } : {}),
          ...(p.bootIdBefore !== undefined ? { boot_id_before: p.bootIdBefore } : {}),
          ...(p.error !== undefined ? { error: p.error } : {}),
          ...(p.drain !== undefined ? { drain: p.drain === null ? null : JSON.stringify(p.drain) } : {}),
          messages,
        }))
        .where("plan_id", "=", planId)
        .where("node_id", "=", nodeId)
        .execute();
      await trx.updateTable("upgrade_plans").set({ updated_at: at }).where("id", "=", planId).execute();
    });
  }
}
