import "server-only";

import type { Selectable } from "kysely";

import { describeSelector } from "@/lib/fleet/select";
import type { Role } from "@/lib/schemas/auth";
import { bulkParamsSchema, type BulkAction, type BulkNodeState, type BulkParams, type BulkRun, type BulkRunState } from "@/lib/schemas/bulk";
import { nodeSelectorSchema, type NodeSelector } from "@/lib/schemas/selector";
import { dialectOf, type Db } from "@/lib/server/platform/db/db";
import type { BulkRunNodesTable, BulkRunsTable } from "@/lib/server/platform/db/schema";
import { AppError } from "@/lib/server/platform/errors";

import { ACTIVE_STATES } from "./plan";

/** A bulk run as the runner sees it: the API shape plus its bookkeeping. */
export interface StoredBulkRun extends BulkRun {
  failuresAllowed: number;
  /** The author's role when the run was made (each node action is checked against it). */
  authorRole: Role;
  nodes: StoredBulkNode[];
}

export interface StoredBulkNode {
  id: string;
  hostname: string | null;
  role: "controlplane" | "worker";
  state: BulkNodeState;
  message: string;
  startedAt: string | null;
  finishedAt: string | null;
  /** The boot identity read before a reboot was sent. */
  bootBefore: string | null;
  /** Set just before the node's reboot or service restart is sent: whoever resumes waits, never sends it again. */
  sentAt: string | null;
}

export interface NewBulkRun {
  id: string;
  cluster: string;
  action: BulkAction;
  params: BulkParams;
  selector: NodeSelector;
  author: string;
  authorRole: Role;
  concurrency: number;
  continueOnFailure: boolean;
  at: Date;
  /** In the order they go (control planes first). */
  nodes: { id: string; hostname: string | null; role: "controlplane" | "worker" }[];
}

export interface BulkNodeUpdate {
  state?: BulkNodeState;
  message?: string;
  bootBefore?: string;
  sentAt?: Date;
  finishedAt?: Date;
}

/**
 * Bulk runs in the store. Every transition is written before the runner acts on it (a node is
 * `running` before its first Talos call), so whoever drives the run next knows which node was
 * being worked on. The runner writes through `on(trx)` inside its lease-fenced transactions.
 */
export class BulkRepository {
  constructor(private readonly db: Db) {}

  on(trx: Db): BulkRepository {
    return trx === this.db ? this : new BulkRepository(trx);
  }

  async create(r: NewBulkRun): Promise<void> {
    const at = r.at.toISOString();
    const write = async (trx: Db) => {
      await trx
        .insertInto("bulk_runs")
        .values({
          id: r.id,
          cluster: r.cluster,
          action: r.action,
          params: JSON.stringify(r.params),
          selector: JSON.stringify(r.selector),
          state: "running",
          author: r.author,
          author_role: r.authorRole,
          concurrency: r.concurrency,
          continue_on_failure: Number(r.continueOnFailure),
          message: "",
          created_at: at,
          updated_at: at,
        })
        .execute();
      if (r.nodes.length > 0) {
        await trx
          .insertInto("bulk_run_nodes")
          .values(r.nodes.map((n, i) => ({ run_id: r.id, node: n.id, position: i, role: n.role, hostname: n.hostname, state: "pending", message: "" })))
          .execute();
      }
    };
    await (this.db.isTransaction ? write(this.db) : this.db.transaction().execute(write));
  }

  async get(id: string): Promise<StoredBulkRun | undefined> {
    const row = await this.db.selectFrom("bulk_runs").selectAll().where("id", "=", id).executeTakeFirst();
    if (!row) return undefined;
    const nodes = await this.db.selectFrom("bulk_run_nodes").selectAll().where("run_id", "=", id).orderBy("position").execute();
    return toRun(row, nodes);
  }

  /** @throws AppError not_found */
  async getOrThrow(id: string): Promise<StoredBulkRun> {
    const r = await this.get(id);
    if (!r) throw new AppError("not_found", `No bulk run ${id}`);
    return r;
  }

  /** Newest first, without their nodes. */
  async list(limit: number, cluster?: string): Promise<Omit<StoredBulkRun, "nodes">[]> {
    const rows = await this.db
      .selectFrom("bulk_runs")
      .selectAll()
      .$if(cluster !== undefined, (q) => q.where("cluster", "=", cluster!))
      .orderBy("created_at", "desc")
      .orderBy("id", "desc")
      .limit(limit)
      .execute();
    return rows.map((r) => {
      const { nodes: _, ...run } = toRun(r, []);
      return run;
    });
  }

  /** Runs that need a driver: running ones, and any with a node in flight (a pause or cancel lets those finish). */
  async idsToDrive(): Promise<string[]> {
    const rows = await this.db
      .selectFrom("bulk_runs as r")
      .select("r.id")
      .where((eb) =>
        eb.or([
          eb("r.state", "=", "running"),
          eb.exists(
            eb
              .selectFrom("bulk_run_nodes as n")
              .select("n.node")
              .whereRef("n.run_id", "=", "r.id")
              .where("n.state", "in", [...ACTIVE_STATES]),
          ),
        ]),
      )
      .orderBy("r.created_at")
      .orderBy("r.id")
      .execute();
    return rows.map((r) => r.id);
  }

  /** Live runs of a cluster (running or paused), oldest first: one at a time per cluster. */
  async liveIn(cluster: string): Promise<{ id: string; state: string }[]> {
    return this.db.selectFrom("bulk_runs").select(["id", "state"]).where("cluster", "=", cluster).where("state", "in", ["running", "paused"]).orderBy("created_at").execute();
  }

  /** The run's state, its row locked until the transaction ends on PostgreSQL (call inside one). */
  async lockState(id: string): Promise<BulkRunState | undefined> {
    const row = await this.db
      .selectFrom("bulk_runs")
      .select("state")
      .where("id", "=", id)
      .$if(dialectOf(this.db) === "postgres", (q) => q.forUpdate())
      .executeTakeFirst();
    return row?.state as BulkRunState | undefined;
  }

  /** Sets the state; with `from`, only if it is in one of those now. True when written. */
  async setState(id: string, state: BulkRunState, at: Date, message?: string, extra: { failuresAllowed?: number; from?: BulkRunState[] } = {}): Promise<boolean> {
    const r = await this.db
      .updateTable("bulk_runs")
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

  async setMessage(id: string, message: string, at: Date): Promise<void> {
    await this.db.updateTable("bulk_runs").set({ message, updated_at: at.toISOString() }).where("id", "=", id).execute();
  }

  /**
   * A node's start, written before its first Talos call: only while the run still runs and the
   * node still waits. Call inside a transaction. True when written.
   */
  async startNode(id: string, node: string, at: Date): Promise<boolean> {
    if ((await this.lockState(id)) !== "running") return false;
    const r = await this.db
      .updateTable("bulk_run_nodes")
      .set({ state: "running", message: "Starting", started_at: at.toISOString() })
      .where("run_id", "=", id)
      .where("node", "=", node)
      .where("state", "=", "pending")
      .executeTakeFirst();
    if (Number(r.numUpdatedRows) !== 1) return false;
    await this.db.updateTable("bulk_runs").set({ updated_at: at.toISOString() }).where("id", "=", id).execute();
    return true;
  }

  async updateNode(id: string, node: string, u: BulkNodeUpdate, at: Date): Promise<void> {
    const set = {
      ...(u.state !== undefined ? { state: u.state } : {}),
      ...(u.message !== undefined ? { message: u.message } : {}),
      ...(u.bootBefore !== undefined ? { boot_before: u.bootBefore } : {}),
      ...(u.sentAt !== undefined ? { sent_at: u.sentAt.toISOString() } : {}),
      ...(u.finishedAt !== undefined ? { finished_at: u.finishedAt.toISOString() } : {}),
    };
    const write = async (trx: Db) => {
      if (Object.keys(set).length > 0) await trx.updateTable("bulk_run_nodes").set(set).where("run_id", "=", id).where("node", "=", node).execute();
      await trx.updateTable("bulk_runs").set({ updated_at: at.toISOString() }).where("id", "=", id).execute();
    };
    await (this.db.isTransaction ? write(this.db) : this.db.transaction().execute(write));
  }

  /** Every node still waiting becomes `skipped`, with the reason. */
  async skipPending(id: string, message: string, at: Date): Promise<void> {
    await this.db.updateTable("bulk_run_nodes").set({ state: "skipped", message, finished_at: at.toISOString() }).where("run_id", "=", id).where("state", "=", "pending").execute();
  }
}

function toRun(r: Selectable<BulkRunsTable>, nodes: Selectable<BulkRunNodesTable>[]): StoredBulkRun {
  const selector = nodeSelectorSchema.parse(JSON.parse(r.selector));
  return {
    id: r.id,
    cluster: r.cluster,
    action: r.action as BulkAction,
    params: bulkParamsSchema.parse(JSON.parse(r.params)),
    selector,
    selection: describeSelector(selector),
    state: r.state as BulkRunState,
    author: r.author,
    authorRole: r.author_role as Role,
    concurrency: r.concurrency,
    continueOnFailure: r.continue_on_failure === 1,
    failuresAllowed: r.failures_allowed,
    message: r.message,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    nodes: nodes.map((n) => ({
      id: n.node,
      hostname: n.hostname,
      role: n.role as "controlplane" | "worker",
      state: n.state as BulkNodeState,
      message: n.message,
      startedAt: n.started_at,
      finishedAt: n.finished_at,
      bootBefore: n.boot_before,
      sentAt: n.sent_at,
    })),
  };
}

/** The API shape: bookkeeping dropped. */
export function publicRun(r: StoredBulkRun): BulkRun {
  return {
    id: r.id,
    cluster: r.cluster,
    action: r.action,
    params: r.params,
    selector: r.selector,
    selection: r.selection,
    state: r.state,
    author: r.author,
    concurrency: r.concurrency,
    continueOnFailure: r.continueOnFailure,
    message: r.message,
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
    nodes: r.nodes.map(({ bootBefore: _b, sentAt: _s, ...n }) => n),
  };
}
