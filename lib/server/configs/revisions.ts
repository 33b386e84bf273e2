import "server-only";

import type { Selectable } from "kysely";

import { redactConfig } from "@/lib/config/redact";
import type { ApplyMode, RevisionDetail, RevisionResult, RevisionSource, RevisionSummary } from "@/lib/schemas/configs";
import { configHash } from "@/lib/server/configs/modes";
import type { SecretBox } from "@/lib/server/platform/secret-box";
import type { Db } from "@/lib/server/platform/db/db";
import type { ConfigRevisionsTable } from "@/lib/server/platform/db/schema";
import { AppError } from "@/lib/server/platform/errors";

export interface NewRevision {
  node: string;
  author: string;
  at: Date;
  mode: ApplyMode | null;
  result: RevisionResult;
  source: RevisionSource;
  message?: string;
  /** The full config, secrets included: sealed before it is written. */
  yaml: string;
  rollbackOf?: number | null;
  rolloutId?: string | null;
  tryUntil?: Date | null;
}

const SUMMARY_COLUMNS = ["id", "node", "author", "at", "mode", "result", "source", "message", "config_hash", "rollback_of", "rollout_id", "try_until"] as const;

type SummaryRow = Pick<Selectable<ConfigRevisionsTable>, (typeof SUMMARY_COLUMNS)[number]>;

function toSummary(r: SummaryRow): RevisionSummary {
  return {
    id: r.id,
    node: r.node,
    author: r.author,
    at: r.at,
    mode: r.mode as ApplyMode | null,
    result: r.result as RevisionResult,
    source: r.source as RevisionSource,
    message: r.message,
    configHash: r.config_hash,
    rollbackOf: r.rollback_of,
    rolloutId: r.rollout_id,
    tryUntil: r.try_until,
  };
}

/** Results whose config is (or, staged, will be) the node's own: what drift compares against. */
export const EFFECTIVE_RESULTS: RevisionResult[] = ["applied", "staged", "trying", "kept"];

/**
 * Config revisions: one row per config Minos applied (or adopted) on a node. The full config is
 * sealed with the SecretBox; a redacted copy sits beside it so history and diffs of non-secret
 * fields never need the key.
 */
export class RevisionRepository {
  constructor(
    private readonly db: Db,
    private readonly box: SecretBox,
  ) {}

  /** The same repository writing through `trx` (a runner's fenced transaction). */
  on(trx: Db): RevisionRepository {
    return trx === this.db ? this : new RevisionRepository(trx, this.box);
  }

  async insert(r: NewRevision): Promise<RevisionSummary> {
    const row = await this.db
      .insertInto("config_revisions")
      .values({
        node: r.node,
        author: r.author,
        at: r.at.toISOString(),
        mode: r.mode,
        result: r.result,
        source: r.source,
        message: r.message ?? "",
        config_hash: configHash(r.yaml),
        redacted_yaml: redactConfig(r.yaml),
        config_sealed: this.box.seal(r.yaml, r.node),
        key_id: this.box.keyId,
        rollback_of: r.rollbackOf ?? null,
        rollout_id: r.rolloutId ?? null,
        try_until: r.tryUntil?.toISOString() ?? null,
      })
      .returning(SUMMARY_COLUMNS)
      .executeTakeFirstOrThrow();
    return toSummary(row);
  }

  /** Records the outcome of a pending apply. */
  async finish(id: number, update: { result: RevisionResult; mode?: ApplyMode | null; message: string; tryUntil?: Date | null }): Promise<void> {
    await this.db
      .updateTable("config_revisions")
      .set({
        result: update.result,
        message: update.message,
        ...(update.mode != null ? { mode: update.mode } : {}),
        ...(update.tryUntil != null ? { try_until: update.tryUntil.toISOString() } : {}),
      })
      .where("id", "=", id)
      .execute();
  }

  async setResult(id: number, result: RevisionResult): Promise<void> {
    await this.db.updateTable("config_revisions").set({ result }).where("id", "=", id).execute();
  }

  async list(node: string, limit = 100): Promise<RevisionSummary[]> {
    const rows = await this.db.selectFrom("config_revisions").select(SUMMARY_COLUMNS).where("node", "=", node).orderBy("id", "desc").limit(limit).execute();
    return rows.map(toSummary);
  }

  async get(node: string, id: number): Promise<RevisionSummary | undefined> {
    const row = await this.db.selectFrom("config_revisions").select(SUMMARY_COLUMNS).where("node", "=", node).where("id", "=", id).executeTakeFirst();
    return row && toSummary(row);
  }

  /** @throws AppError not_found */
  async getOrThrow(node: string, id: number): Promise<RevisionSummary> {
    const r = await this.get(node, id);
    if (!r) throw new AppError("not_found", `Node ${node} has no config revision ${id}`);
    return r;
  }

  /** The revision with its redacted config. */
  async detail(node: string, id: number): Promise<RevisionDetail> {
    const row = await this.db
      .selectFrom("config_revisions")
      .select([...SUMMARY_COLUMNS, "redacted_yaml"])
      .where("node", "=", node)
      .where("id", "=", id)
      .executeTakeFirst();
    if (!row) throw new AppError("not_found", `Node ${node} has no config revision ${id}`);
    return { ...toSummary(row), yaml: row.redacted_yaml };
  }

  /** The full config of a revision, secrets included (for rollback, re-apply and secret-aware diffs). */
  async config(node: string, id: number): Promise<string> {
    const row = await this.db.selectFrom("config_revisions").select(["config_sealed", "key_id"]).where("node", "=", node).where("id", "=", id).executeTakeFirst();
    if (!row) throw new AppError("not_found", `Node ${node} has no config revision ${id}`);
    return this.box.open(row.config_sealed, node, row.key_id);
  }

  /** The newest revision whose config Minos put (or accepted) on the node, if any. */
  async lastEffective(node: string): Promise<RevisionSummary | undefined> {
    const row = await this.db
      .selectFrom("config_revisions")
      .select(SUMMARY_COLUMNS)
      .where("node", "=", node)
      .where("result", "in", EFFECTIVE_RESULTS)
      .orderBy("id", "desc")
      .limit(1)
      .executeTakeFirst();
    return row && toSummary(row);
  }

  /**
   * TRY revisions whose window has passed without a later apply: the node has rolled them back
   * on its own, so they are `reverted`. A later successful apply of the same config marks them
   * `kept` when it is written ({@link markTryOutcome}).
   */
  async settleExpiredTries(node: string, now: Date): Promise<void> {
    await this.db
      .updateTable("config_revisions")
      .set({ result: "reverted" })
      .where("node", "=", node)
      .where("result", "=", "trying")
      .where("try_until", "is not", null)
      .where("try_until", "<=", now.toISOString())
      .execute();
  }

  /** A non-TRY apply ends any pending TRY on the node: the same config is kept, another replaced it. */
  async markTryOutcome(node: string, newRevisionId: number, newHash: string): Promise<void> {
    // Two statements, one outcome each: no read-then-write to race with a concurrent settle.
    const trying = (q: Db) => q.updateTable("config_revisions").where("node", "=", node).where("result", "=", "trying").where("id", "<", newRevisionId);
    await trying(this.db).set({ result: "kept" }).where("config_hash", "=", newHash).execute();
    await trying(this.db).set({ result: "reverted" }).where("config_hash", "<>", newHash).execute();
  }
}
