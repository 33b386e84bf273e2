import "server-only";

import type {
  KubernetesUpgradeOptions,
  KubernetesUpgradePlan,
  KubernetesUpgradePreview,
  KubernetesUpgradeStep,
  KubernetesUpgradeStepKind,
  KubernetesUpgradeStepState,
  KubernetesUpgradeSummary,
} from "@/lib/schemas/kubernetes-upgrades";
import type { UpgradeCheck, UpgradePlanState } from "@/lib/schemas/upgrades";
import { dialectOf, type Db } from "@/lib/server/platform/db/db";
import type { KubernetesUpgradeStepsTable, KubernetesUpgradesTable } from "@/lib/server/platform/db/schema";

import { kubernetesProgress } from "./machine";

/** Messages kept per step: enough for the live view, bounded for long waits. */
const MAX_MESSAGES = 50;

type PlanRow = Omit<KubernetesUpgradesTable, "state"> & { state: UpgradePlanState };
type StepRow = Omit<KubernetesUpgradeStepsTable, "kind" | "state"> & { kind: KubernetesUpgradeStepKind; state: KubernetesUpgradeStepState };

const iso = (t: number) => new Date(t).toISOString();

function toStep(r: StepRow): KubernetesUpgradeStep {
  return {
    index: r.step_index,
    kind: r.kind,
    node: r.node_id,
    address: r.address,
    hostname: r.hostname,
    images: JSON.parse(r.images) as string[],
    description: r.description,
    state: r.state,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    stateChangedAt: r.state_changed_at,
    attempts: r.attempts,
    error: r.error,
    messages: JSON.parse(r.messages) as KubernetesUpgradeStep["messages"],
  };
}

function toSummary(r: PlanRow, steps: KubernetesUpgradeStep[], now: number): KubernetesUpgradeSummary {
  return {
    id: r.id,
    cluster: r.cluster,
    fromVersion: r.from_version,
    toVersion: r.to_version,
    options: JSON.parse(r.options) as KubernetesUpgradeOptions,
    manifestsSync: r.manifests_sync as KubernetesUpgradeSummary["manifestsSync"],
    state: r.state,
    reason: r.reason,
    actor: r.actor,
    createdAt: r.created_at,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    updatedAt: r.updated_at,
    progress: kubernetesProgress(steps, r.finished_at ? Date.parse(r.finished_at) : now),
    manifestRevision: r.manifest_revision,
  };
}

export interface StepPatch {
  state?: KubernetesUpgradeStepState;
  started?: boolean;
  finished?: boolean;
  attempt?: boolean;
  error?: string | null;
  message?: string;
  now: number;
}

function inTransaction<T>(db: Db, fn: (trx: Db) => Promise<T>): Promise<T> {
  return db.isTransaction ? fn(db) : db.transaction().execute(fn);
}

/**
 * Kubernetes upgrades and their steps. Every transition is written before the runner acts on
 * it, so a runner that takes a plan over resumes from what was announced. Construct it over a
 * transaction to make its writes part of that transaction (fenced runner writes, API actions
 * with their audit entry).
 */
export class KubernetesUpgradeRepository {
  constructor(private readonly db: Db) {}

  async insertPlan(p: { id: string; actor: string; preview: KubernetesUpgradePreview; now: number }): Promise<void> {
    const at = iso(p.now);
    const { preview } = p;
    await inTransaction(this.db, async (trx) => {
      await trx
        .insertInto("kubernetes_upgrades")
        .values({
          id: p.id,
          cluster: preview.cluster,
          from_version: preview.fromVersion,
          to_version: preview.toVersion,
          options: JSON.stringify(preview.options),
          manifests_sync: preview.manifestsSync,
          state: "pending",
          reason: null,
          actor: p.actor,
          checks: JSON.stringify(preview.checks),
          manifest_revision: null,
          created_at: at,
          started_at: null,
          finished_at: null,
          updated_at: at,
        })
        .execute();
      if (preview.steps.length === 0) return;
      await trx
        .insertInto("kubernetes_upgrade_steps")
        .values(
          preview.steps.map((s) => ({
            upgrade_id: p.id,
            step_index: s.index,
            kind: s.kind,
            node_id: s.node,
            address: s.address,
            hostname: s.hostname,
            images: JSON.stringify(s.images),
            description: s.description,
            state: "pending",
            started_at: null,
            finished_at: null,
            state_changed_at: null,
            attempts: 0,
            error: null,
            messages: "[]",
          })),
        )
        .execute();
    });
  }

  async getSteps(id: string): Promise<KubernetesUpgradeStep[]> {
    const rows = await this.db.selectFrom("kubernetes_upgrade_steps").selectAll().where("upgrade_id", "=", id).orderBy("step_index").execute();
    return (rows as StepRow[]).map(toStep);
  }

  async getPlan(id: string, now: number): Promise<KubernetesUpgradePlan | null> {
    const r = (await this.db.selectFrom("kubernetes_upgrades").selectAll().where("id", "=", id).executeTakeFirst()) as PlanRow | undefined;
    if (!r) return null;
    const steps = await this.getSteps(id);
    return { ...toSummary(r, steps, now), checks: JSON.parse(r.checks) as UpgradeCheck[], steps };
  }

  /** Plans newest first, without their steps. */
  async listPlans(opts: { cluster?: string; limit: number; now: number }): Promise<KubernetesUpgradeSummary[]> {
    const rows = (await this.db
      .selectFrom("kubernetes_upgrades")
      .selectAll()
      .$if(opts.cluster !== undefined, (q) => q.where("cluster", "=", opts.cluster!))
      .orderBy("created_at", "desc")
      .orderBy("id", "desc")
      .limit(opts.limit)
      .execute()) as PlanRow[];
    return Promise.all(rows.map(async (r) => toSummary(r, await this.getSteps(r.id), opts.now)));
  }

  async listPlanIdsInStates(states: readonly UpgradePlanState[], opts: { cluster?: string } = {}): Promise<{ id: string; cluster: string; state: UpgradePlanState }[]> {
    if (states.length === 0) return [];
    const rows = await this.db
      .selectFrom("kubernetes_upgrades")
      .select(["id", "cluster", "state"])
      .where("state", "in", states)
      .$if(opts.cluster !== undefined, (q) => q.where("cluster", "=", opts.cluster!))
      .orderBy("created_at")
      .orderBy("id")
      .execute();
    return rows as { id: string; cluster: string; state: UpgradePlanState }[];
  }

  /** A plan's state; `lock` holds the row on PostgreSQL until the transaction ends (SQLite's transactions are serial). */
  async getPlanState(id: string, opts: { lock?: boolean } = {}): Promise<UpgradePlanState | null> {
    const r = await this.db
      .selectFrom("kubernetes_upgrades")
      .select("state")
      .where("id", "=", id)
      .$if(opts.lock === true && dialectOf(this.db) === "postgres", (q) => q.forUpdate())
      .executeTakeFirst();
    return (r?.state as UpgradePlanState | undefined) ?? null;
  }

  async setPlanState(id: string, p: { state: UpgradePlanState; reason?: string | null; started?: boolean; finished?: boolean; now: number }): Promise<void> {
    const at = iso(p.now);
    await this.db
      .updateTable("kubernetes_upgrades")
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

  async clearPlanReason(id: string): Promise<void> {
    await this.db.updateTable("kubernetes_upgrades").set({ reason: null }).where("id", "=", id).execute();
  }

  /** The plan's reason, e.g. a succeeded plan whose manifest could not be updated. */
  async setReason(id: string, reason: string): Promise<void> {
    await this.db.updateTable("kubernetes_upgrades").set({ reason }).where("id", "=", id).execute();
  }

  async setManifestRevision(id: string, revision: number): Promise<void> {
    await this.db.updateTable("kubernetes_upgrades").set({ manifest_revision: revision }).where("id", "=", id).execute();
  }

  /** Updates one step (and the plan's updated_at) in one transaction. */
  async updateStep(id: string, index: number, p: StepPatch): Promise<void> {
    const at = iso(p.now);
    await inTransaction(this.db, async (trx) => {
      const row = await trx
        .selectFrom("kubernetes_upgrade_steps")
        .select("messages")
        .where("upgrade_id", "=", id)
        .where("step_index", "=", index)
        .$if(dialectOf(trx) === "postgres", (q) => q.forUpdate())
        .executeTakeFirst();
      if (!row) throw new Error(`no step ${index} in Kubernetes upgrade ${id}`);
      let messages = row.messages;
      if (p.message !== undefined) {
        const list = JSON.parse(messages) as KubernetesUpgradeStep["messages"];
        list.push({ at, text: p.message });
        messages = JSON.stringify(list.slice(-MAX_MESSAGES));
      }
      await trx
        .updateTable("kubernetes_upgrade_steps")
        .set((eb) => ({
          ...(p.state !== undefined ? { state: p.state, state_changed_at: at } : {}),
          ...(p.started ? { started_at: eb.fn.coalesce("started_at", eb.val(at)) } : {}),
          ...(p.finished ? { finished_at: at } : {}),
          ...(p.attempt ? { attempts: eb("attempts", "+", 1) } : {}),
          ...(p.error !== undefined ? { error: p.error } : {}),
          messages,
        }))
        .where("upgrade_id", "=", id)
        .where("step_index", "=", index)
        .execute();
      await trx.updateTable("kubernetes_upgrades").set({ updated_at: at }).where("id", "=", id).execute();
    });
  }
}
