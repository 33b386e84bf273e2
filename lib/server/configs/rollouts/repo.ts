import "server-only";

import type { Selectable } from "kysely";

import type { ApplyMode, RolloutDetail, RolloutNode, RolloutNodeState, RolloutState, RolloutTarget } from "@/lib/schemas/configs";
import { nodeDrainSchema, type NodeDrain } from "@/lib/schemas/drain";
import { DEFAULT_DRAIN_POLICY, type DrainPolicy, drainPolicySchema } from "@/lib/schemas/kubernetes";
import type { ConfigRolloutNodesTable, ConfigRolloutsTable } from "@/lib/server/platform/db/schema";
import type { SecretBox } from "@/lib/server/platform/secret-box";
import { dialectOf, type Db } from "@/lib/server/platform/db/db";
import { AppError } from "@/lib/server/platform/errors";

type RolloutMode = Exclude<ApplyMode, "try">;

/** Rows as read: the tables' columns, with the texts the code wrote typed as what they are. */
type RolloutRow = Omit<Selectable<ConfigRolloutsTable>, "state" | "mode"> & { state: RolloutState; mode: RolloutMode };

type NodeRow = Omit<Selectable<ConfigRolloutNodesTable>, "role" | "state" | "mode"> & { role: "controlplane" | "worker"; state: RolloutNodeState; mode: ApplyMode | null };

/** A rollout as the runner sees it: the API shape plus bookkeeping the API does not show. */
export interface StoredRollout extends RolloutDetail {
  failuresAllowed: number;
  /** strategy.drain: the default for rollouts stored without one (before it existed, manifest plans). */
  drainPolicy: DrainPolicy;
  nodes: StoredRolloutNode[];
}

export interface StoredRolloutNode extends RolloutNode {
  configHash: string | null;
  /** The boot marker (boot ID or boot time) read before the apply, to see the reboot happen. */
  bootBefore: string | null;
  /** A planned node: the running config (its configHash) the plan was made against; anything else is not overwritten. */
  expectedRunningHash: string | null;
}

/** A node's own config, checked before the rollout was created (a manifest plan's render and dry run). */
export interface PlannedNodeConfig {
  yaml: string;
  hash: string;
  /** The mode the node's dry run resolved to. */
  mode: ApplyMode | null;
  message: string;
  /** configHash of the running config the node was checked against: the runner applies only over that one. */
  expectedRunningHash?: string | null;
}

export interface NodeUpdate {
  state?: RolloutNodeState;
  message?: string;
  mode?: ApplyMode | null;
  revisionId?: number;
  bootBefore?: string | null;
  startedAt?: Date;
  finishedAt?: Date;
  drain?: NodeDrain | null;
}

/**
 * Node states of a node being worked on: its rollout needs a driver whatever the rollout's state
 * (a drain waiting for a person included: a cancel must still uncordon it).
 */
export const IN_FLIGHT: RolloutNodeState[] = ["draining", "drain-blocked", "applying", "waiting-healthy"];

/**
 * Rollouts in the store. Every transition is written before the runner acts on it, so the
 * replica that drives a rollout next (after a restart or a takeover) knows exactly which node
 * was being applied and never starts one twice. A runner writes through `on(trx)` inside its
 * lease-fenced transaction.
 */
export class RolloutRepository {
  constructor(
    private readonly db: Db,
    private readonly box: SecretBox,
  ) {}

  /** The same repository on `trx` (a transaction, fenced or not). */
  on(trx: Db): RolloutRepository {
    return trx === this.db ? this : new RolloutRepository(trx, this.box);
  }

  async create(r: {
    id: string;
    author: string;
    at: Date;
    target: RolloutTarget;
    mode: RolloutMode;
    concurrency: number;
    continueOnFailure: boolean;
    configHash: string;
    redactedYaml: string;
    nodes: { id: string; role: "controlplane" | "worker"; config?: PlannedNodeConfig }[];
    /** Default `preflight` (the preflight-all follows); `running` for nodes checked already (each with its config). */
    state?: "preflight" | "running";
    /** The cluster manifest revision the rollout applies (a manifest plan's apply). */
    manifestRevision?: number | null;
    /** strategy.drain; default {@link DEFAULT_DRAIN_POLICY}. */
    drainPolicy?: DrainPolicy;
  }): Promise<void> {
    const write = async (trx: Db) => {
      await trx
        .insertInto("config_rollouts")
        .values({
          id: r.id,
          state: r.state ?? "preflight",
          author: r.author,
          created_at: r.at.toISOString(),
          updated_at: r.at.toISOString(),
          target: JSON.stringify(r.target),
          mode: r.mode,
          concurrency: r.concurrency,
          continue_on_failure: Number(r.continueOnFailure),
          config_hash: r.configHash,
          redacted_yaml: r.redactedYaml,
          message: "",
          manifest_revision: r.manifestRevision ?? null,
          drain_policy: r.drainPolicy ? JSON.stringify(r.drainPolicy) : null,
        })
        .execute();
      if (r.nodes.length > 0) {
        await trx
          .insertInto("config_rollout_nodes")
          .values(
            r.nodes.map((n, i) => ({
              rollout_id: r.id,
              node: n.id,
              position: i,
              role: n.role,
              state: n.config ? "preflight-ok" : "pending",
              message: n.config?.message ?? "",
              ...(n.config
                ? {
                    mode: n.config.mode,
                    config_sealed: this.box.seal(n.config.yaml, n.id),
                    key_id: this.box.keyId,
                    config_hash: n.config.hash,
                    expected_running_hash: n.config.expectedRunningHash ?? null,
                  }
                : {}),
            })),
          )
          .execute();
      }
    };
    await (this.db.isTransaction ? write(this.db) : this.db.transaction().execute(write));
  }

  async get(id: string): Promise<StoredRollout | undefined> {
    const row = await this.db.selectFrom("config_rollouts").selectAll().where("id", "=", id).executeTakeFirst();
    if (!row) return undefined;
    const nodes = await this.db.selectFrom("config_rollout_nodes").selectAll().where("rollout_id", "=", id).orderBy("position").execute();
    return toRollout(row as RolloutRow, nodes as NodeRow[]);
  }

  /** @throws AppError not_found */
  async getOrThrow(id: string): Promise<StoredRollout> {
    const r = await this.get(id);
    if (!r) throw new AppError("not_found", `No rollout ${id}`);
    return r;
  }

  async list(limit = 50): Promise<StoredRollout[]> {
    const rows = (await this.db.selectFrom("config_rollouts").selectAll().orderBy("created_at", "desc").orderBy("id", "desc").limit(limit).execute()) as RolloutRow[];
    if (rows.length === 0) return [];
    const nodes = (await this.db
      .selectFrom("config_rollout_nodes")
      .selectAll()
      .where(
        "rollout_id",
        "in",
        rows.map((r) => r.id),
      )
      .orderBy("rollout_id")
      .orderBy("position")
      .execute()) as NodeRow[];
    return rows.map((r) => toRollout(r, nodes.filter((n) => n.rollout_id === r.id)));
  }

  async idsInState(...states: RolloutState[]): Promise<string[]> {
    const rows = await this.db.selectFrom("config_rollouts").select("id").where("state", "in", states).orderBy("created_at").orderBy("id").execute();
    return rows.map((r) => r.id);
  }

  /** Rollouts that need a driver: running ones, and any with a node in flight (a pause or cancel lets those finish). */
  async idsToDrive(): Promise<string[]> {
    const rows = await this.db
      .selectFrom("config_rollouts as r")
      .select("r.id")
      .where((eb) =>
        eb.or([
          eb("r.state", "=", "running"),
          eb.exists(eb.selectFrom("config_rollout_nodes as n").select("n.node").whereRef("n.rollout_id", "=", "r.id").where("n.state", "in", IN_FLIGHT)),
        ]),
      )
      .orderBy("r.created_at")
      .orderBy("r.id")
      .execute();
    return rows.map((r) => r.id);
  }

  /** The rollout's state, its row locked until the transaction ends on PostgreSQL (call inside one). */
  async lockState(id: string): Promise<RolloutState | undefined> {
    const row = await this.db
      .selectFrom("config_rollouts")
      .select("state")
      .where("id", "=", id)
      .$if(dialectOf(this.db) === "postgres", (q) => q.forUpdate())
      .executeTakeFirst();
    return row?.state as RolloutState | undefined;
  }

  /**
   * Sets the rollout's state; with `from`, only if it is in one of those states now (another
   * replica may have paused or cancelled it since it was read). True when it was written.
   */
  async setState(id: string, state: RolloutState, at: Date, message?: string, extra: { failuresAllowed?: number; from?: RolloutState[] } = {}): Promise<boolean> {
    const r = await this.db
      .updateTable("config_rollouts")
      .set({
        state,
        updated_at: at.toISOString(),
        ...(message !== undefined ? { message } : {}),
        ...(extra.failuresAllowed !== undefined ? { failures_allowed: extra.failuresAllowed } : {}),
      })
      .where("id", "=", id)
      .$if(extra.from !== undefined, (q) => q.where("state", "in", extra.from!))
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  /** The per-node config a preflight accepted (secrets merged from that node), sealed. */
  async setNodeConfig(id: string, node: string, yaml: string, hash: string): Promise<void> {
    await this.db
      .updateTable("config_rollout_nodes")
      .set({ config_sealed: this.box.seal(yaml, node), key_id: this.box.keyId, config_hash: hash })
      .where("rollout_id", "=", id)
      .where("node", "=", node)
      .execute();
  }

  async nodeConfig(id: string, node: string): Promise<string> {
    const row = await this.db.selectFrom("config_rollout_nodes").select(["config_sealed", "key_id"]).where("rollout_id", "=", id).where("node", "=", node).executeTakeFirst();
    if (!row?.config_sealed) throw new AppError("internal", `Rollout ${id} has no config for ${node}`);
    return this.box.open(row.config_sealed, node, row.key_id ?? undefined);
  }

  async updateNode(id: string, node: string, u: NodeUpdate, at: Date): Promise<void> {
    const write = async (trx: Db) => {
      await this.setNode(trx, id, node, u);
      await trx.updateTable("config_rollouts").set({ updated_at: at.toISOString() }).where("id", "=", id).execute();
    };
    await (this.db.isTransaction ? write(this.db) : this.db.transaction().execute(write));
  }

  /**
   * A node's start, written before its first Talos call: only while the rollout still runs and
   * the node still waits (an action on another replica may have paused, cancelled or skipped
   * it since the runner planned). Call inside a transaction. True when it was written.
   */
  async startNode(id: string, node: string, at: Date): Promise<boolean> {
    if ((await this.lockState(id)) !== "running") return false;
    const r = await this.db
      .updateTable("config_rollout_nodes")
      .set({ state: "applying", message: "Applying the config", started_at: at.toISOString() })
      .where("rollout_id", "=", id)
      .where("node", "=", node)
      .where("state", "=", "preflight-ok")
      .executeTakeFirst();
    if (Number(r.numUpdatedRows) !== 1) return false;
    await this.db.updateTable("config_rollouts").set({ updated_at: at.toISOString() }).where("id", "=", id).execute();
    return true;
  }

  private async setNode(trx: Db, id: string, node: string, u: NodeUpdate): Promise<void> {
    const set = {
      ...(u.state !== undefined ? { state: u.state } : {}),
      ...(u.message !== undefined ? { message: u.message } : {}),
      ...(u.mode != null ? { mode: u.mode } : {}),
      ...(u.revisionId !== undefined ? { revision_id: u.revisionId } : {}),
      ...(u.bootBefore != null ? { boot_before: u.bootBefore } : {}),
      ...(u.startedAt !== undefined ? { started_at: u.startedAt.toISOString() } : {}),
      ...(u.finishedAt !== undefined ? { finished_at: u.finishedAt.toISOString() } : {}),
      ...(u.drain !== undefined ? { drain: u.drain === null ? null : JSON.stringify(u.drain) } : {}),
    };
    if (Object.keys(set).length === 0) return;
    await trx.updateTable("config_rollout_nodes").set(set).where("rollout_id", "=", id).where("node", "=", node).execute();
  }

  /** The rollout's message (why it waits), its state unchanged. */
  async setMessage(id: string, message: string, at: Date): Promise<void> {
    await this.db.updateTable("config_rollouts").set({ message, updated_at: at.toISOString() }).where("id", "=", id).execute();
  }

  /** Every node still waiting to start becomes `skipped`, with the reason. */
  async skipPending(id: string, message: string, at: Date): Promise<void> {
    await this.db
      .updateTable("config_rollout_nodes")
      .set({ state: "skipped", message, finished_at: at.toISOString() })
      .where("rollout_id", "=", id)
      .where("state", "in", ["pending", "preflight-ok"])
      .execute();
  }
}

function toRollout(r: RolloutRow, nodes: NodeRow[]): StoredRollout {
  return {
    id: r.id,
    state: r.state,
    author: r.author,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    target: JSON.parse(r.target) as RolloutTarget,
    mode: r.mode,
    concurrency: r.concurrency,
    continueOnFailure: r.continue_on_failure === 1,
    configHash: r.config_hash,
    message: r.message,
    yaml: r.redacted_yaml,
    manifestRevision: r.manifest_revision,
    failuresAllowed: r.failures_allowed,
    drainPolicy: r.drain_policy ? drainPolicySchema.parse(JSON.parse(r.drain_policy)) : DEFAULT_DRAIN_POLICY,
    strategy: { drain: r.drain_policy ? drainPolicySchema.parse(JSON.parse(r.drain_policy)) : DEFAULT_DRAIN_POLICY },
    nodes: nodes.map((n) => ({
      id: n.node,
      role: n.role,
      state: n.state,
      message: n.message,
      mode: n.mode,
      ...(n.revision_id !== null ? { revisionId: n.revision_id } : {}),
      startedAt: n.started_at,
      finishedAt: n.finished_at,
      configHash: n.config_hash,
      bootBefore: n.boot_before,
      expectedRunningHash: n.expected_running_hash,
      drain: n.drain ? nodeDrainSchema.parse(JSON.parse(n.drain)) : null,
    })),
  };
}

/** The API shape: bookkeeping fields dropped. */
export function publicRollout(r: StoredRollout): RolloutDetail {
  return {
    id: r.id,
    state: r.state,
    author: r.author,
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
    target: r.target,
    mode: r.mode,
    concurrency: r.concurrency,
    continueOnFailure: r.continueOnFailure,
    configHash: r.configHash,
    message: r.message,
    yaml: r.yaml,
    manifestRevision: r.manifestRevision ?? null,
    strategy: { drain: r.drainPolicy },
    nodes: r.nodes.map((n) => ({
      id: n.id,
      role: n.role,
      state: n.state,
      message: n.message,
      mode: n.mode,
      ...(n.revisionId !== undefined ? { revisionId: n.revisionId } : {}),
      startedAt: n.startedAt,
      finishedAt: n.finishedAt,
      drain: n.drain ?? null,
    })),
  };
}
