import "server-only";

import type { Selectable } from "kysely";
import type { z } from "zod";

import type { ApplyMode, RolloutMode } from "@/lib/schemas/configs";
import type { planChangeSchema, PlanResponse } from "@/lib/schemas/manifests";
import type { Db } from "@/lib/server/platform/db/db";
import type { ManifestPlanNodesTable, ManifestPlansTable } from "@/lib/server/platform/db/schema";
import { AppError } from "@/lib/server/platform/errors";
import type { SecretBox } from "@/lib/server/platform/secret-box";

export type PlanChange = z.infer<typeof planChangeSchema>;
export type PlanSummary = PlanResponse["summary"];

/** One node of a plan as stored: what the API shows, plus what apply checks and sends. */
export interface StoredPlanNode {
  node: string;
  hostname: string;
  role: "controlplane" | "worker";
  change: PlanChange;
  reboot: boolean;
  /** The mode the node's dry run resolved to (null when it gave none). */
  mode: ApplyMode | null;
  /** configHash of the running config the plan was made against; null when it could not be read. */
  runningHash: string | null;
  /** configHash of the render; null when rendering failed. */
  configHash: string | null;
  diff: string;
  issues: string[];
}

export interface StoredPlan {
  id: string;
  cluster: string;
  author: string;
  createdAt: string;
  baseRevision: number | null;
  mode: RolloutMode;
  summary: PlanSummary;
  notInManifest: string[];
  appliedAt: string | null;
  appliedBy: string | null;
  appliedRevision: number | null;
  rolloutId: string | null;
  nodes: StoredPlanNode[];
}

export interface NewPlan extends Omit<StoredPlan, "appliedAt" | "appliedBy" | "appliedRevision" | "rolloutId" | "nodes"> {
  /** The manifest the plan rendered (secrets merged back): sealed. */
  manifest: string;
  /** Each node with its render (sealed), null when there is none. */
  nodes: (StoredPlanNode & { config: string | null })[];
}

// What each sealed value is bound to: a render copied onto another plan's (or node's) row fails to open.
const manifestContext = (id: string) => `manifest-plan:${id}`;
const nodeContext = (id: string, node: string) => `manifest-plan:${id}:${node}`;

/**
 * A plan older than this is refused: what the nodes said about their configs an hour ago is not
 * a safe basis for changing them (and the operator has likely moved on). Plan again.
 */
export const PLAN_MAX_AGE_MS = 60 * 60_000;

/** Past the lifetime, a plan waits this long more before it is pruned: an apply that read it just in time still finds it. */
const PRUNE_GRACE_MS = 10 * 60_000;

/**
 * The housekeeping sweep's part for plans: unapplied plans past their lifetime (they can never be
 * applied) go, nodes first; applied ones keep their record (who, which revision, which rollout)
 * but drop their sealed renders, which the rollout holds now. Returns the plans deleted.
 */
export async function prunePlans(db: Db, now: Date, maxAgeMs = PLAN_MAX_AGE_MS): Promise<number> {
  const cutoff = new Date(now.getTime() - maxAgeMs - PRUNE_GRACE_MS).toISOString();
  return db.transaction().execute(async (trx) => {
    const stale = trx.selectFrom("manifest_plans").select("id").where("applied_at", "is", null).where("created_at", "<", cutoff);
    await trx.deleteFrom("manifest_plan_nodes").where("plan_id", "in", stale).execute();
    const deleted = await trx.deleteFrom("manifest_plans").where("applied_at", "is", null).where("created_at", "<", cutoff).executeTakeFirst();
    const applied = trx.selectFrom("manifest_plans").select("id").where("applied_at", "is not", null).where("applied_at", "<", cutoff);
    await trx.updateTable("manifest_plan_nodes").set({ config_sealed: null, key_id: null }).where("plan_id", "in", applied).where("config_sealed", "is not", null).execute();
    return Number(deleted.numDeletedRows);
  });
}

type PlanRow = Selectable<ManifestPlansTable>;
type NodeRow = Selectable<ManifestPlanNodesTable>;

/**
 * Manifest plans at rest: the manifest and every node's render sealed (both carry the cluster's
 * secrets), beside what each node said and the hash of the running config it said it about.
 */
export class PlanRepository {
  constructor(
    private readonly db: Db,
    private readonly box: SecretBox,
  ) {}

  on(trx: Db): PlanRepository {
    return trx === this.db ? this : new PlanRepository(trx, this.box);
  }

  async insert(p: NewPlan): Promise<void> {
    const write = async (trx: Db) => {
      await trx
        .insertInto("manifest_plans")
        .values({
          id: p.id,
          cluster: p.cluster,
          author: p.author,
          created_at: p.createdAt,
          base_revision: p.baseRevision,
          mode: p.mode,
          manifest_sealed: this.box.seal(p.manifest, manifestContext(p.id)),
          key_id: this.box.keyId,
          summary: JSON.stringify(p.summary),
          not_in_manifest: JSON.stringify(p.notInManifest),
        })
        .execute();
      if (p.nodes.length === 0) return;
      await trx
        .insertInto("manifest_plan_nodes")
        .values(
          p.nodes.map((n, i) => ({
            plan_id: p.id,
            node: n.node,
            position: i,
            hostname: n.hostname,
            role: n.role,
            change: n.change,
            reboot: Number(n.reboot),
            mode: n.mode,
            running_hash: n.runningHash,
            config_hash: n.configHash,
            config_sealed: n.config === null ? null : this.box.seal(n.config, nodeContext(p.id, n.node)),
            key_id: n.config === null ? null : this.box.keyId,
            diff: n.diff,
            issues: JSON.stringify(n.issues),
          })),
        )
        .execute();
    };
    await (this.db.isTransaction ? write(this.db) : this.db.transaction().execute(write));
  }

  async get(id: string): Promise<StoredPlan | undefined> {
    const row = await this.db.selectFrom("manifest_plans").selectAll().where("id", "=", id).executeTakeFirst();
    if (!row) return undefined;
    const nodes = await this.db
      .selectFrom("manifest_plan_nodes")
      .select(["node", "position", "hostname", "role", "change", "reboot", "mode", "running_hash", "config_hash", "diff", "issues"])
      .where("plan_id", "=", id)
      .orderBy("position")
      .execute();
    return toPlan(row, nodes);
  }

  /** The plan's manifest, secrets included. @throws AppError not_found */
  async manifest(id: string): Promise<string> {
    const row = await this.db.selectFrom("manifest_plans").select(["manifest_sealed", "key_id"]).where("id", "=", id).executeTakeFirst();
    if (!row) throw new AppError("not_found", `No manifest plan ${id}`);
    return this.box.open(row.manifest_sealed, manifestContext(id), row.key_id);
  }

  /** A node's render, secrets included. @throws AppError internal when the plan has none for it */
  async nodeConfig(id: string, node: string): Promise<string> {
    const row = await this.db.selectFrom("manifest_plan_nodes").select(["config_sealed", "key_id"]).where("plan_id", "=", id).where("node", "=", node).executeTakeFirst();
    if (!row?.config_sealed) throw new AppError("internal", `Manifest plan ${id} has no config for ${node}`);
    return this.box.open(row.config_sealed, nodeContext(id, node), row.key_id ?? undefined);
  }

  /**
   * Marks the plan applied, only if nobody did before (the row is locked until the transaction
   * ends on PostgreSQL; SQLite runs one writer). Call first in the apply's transaction.
   * True when this call claimed it.
   */
  async claim(id: string, by: string, at: Date): Promise<boolean> {
    const r = await this.db.updateTable("manifest_plans").set({ applied_at: at.toISOString(), applied_by: by }).where("id", "=", id).where("applied_at", "is", null).executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  /** What the claimed apply made: the manifest revision and the rollout (null when no node changes). */
  async recordApplied(id: string, revision: number, rolloutId: string | null): Promise<void> {
    await this.db.updateTable("manifest_plans").set({ applied_revision: revision, rollout_id: rolloutId }).where("id", "=", id).execute();
  }
}

function toPlan(r: PlanRow, nodes: Pick<NodeRow, "node" | "hostname" | "role" | "change" | "reboot" | "mode" | "running_hash" | "config_hash" | "diff" | "issues">[]): StoredPlan {
  return {
    id: r.id,
    cluster: r.cluster,
    author: r.author,
    createdAt: r.created_at,
    baseRevision: r.base_revision,
    mode: r.mode as RolloutMode,
    summary: JSON.parse(r.summary) as PlanSummary,
    notInManifest: JSON.parse(r.not_in_manifest) as string[],
    appliedAt: r.applied_at,
    appliedBy: r.applied_by,
    appliedRevision: r.applied_revision,
    rolloutId: r.rollout_id,
    nodes: nodes.map((n) => ({
      node: n.node,
      hostname: n.hostname,
      role: n.role as StoredPlanNode["role"],
      change: n.change as PlanChange,
      reboot: n.reboot === 1,
      mode: n.mode as ApplyMode | null,
      runningHash: n.running_hash,
      configHash: n.config_hash,
      diff: n.diff,
      issues: JSON.parse(n.issues) as string[],
    })),
  };
}

/** The API's view of a plan. */
export function publicPlan(p: StoredPlan): PlanResponse {
  return {
    planId: p.id,
    cluster: p.cluster,
    baseRevision: p.baseRevision,
    mode: p.mode,
    createdAt: p.createdAt,
    summary: p.summary,
    notInManifest: p.notInManifest,
    nodes: p.nodes.map((n) => ({ node: n.node, hostname: n.hostname, role: n.role, change: n.change, reboot: n.reboot, diff: n.diff, issues: n.issues })),
  };
}
