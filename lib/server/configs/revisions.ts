import "server-only";

import { redactConfig } from "@/lib/config/redact";
import type { ApplyMode, RevisionDetail, RevisionResult, RevisionSource, RevisionSummary } from "@/lib/schemas/configs";
import { configHash } from "@/lib/server/configs/modes";
import type { SecretBox } from "@/lib/server/platform/secret-box";
import type { LegacyDb as Db } from "@/lib/server/platform/db/db";
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

interface RevisionRow {
  id: number;
  node: string;
  author: string;
  at: string;
  mode: ApplyMode | null;
  result: RevisionResult;
  source: RevisionSource;
  message: string;
  config_hash: string;
  redacted_yaml: string;
  config_sealed: string;
  key_id: string;
  rollback_of: number | null;
  rollout_id: string | null;
  try_until: string | null;
}

const SUMMARY_COLUMNS = "id, node, author, at, mode, result, source, message, config_hash, rollback_of, rollout_id, try_until";

function toSummary(r: Omit<RevisionRow, "redacted_yaml" | "config_sealed" | "key_id">): RevisionSummary {
  return {
    id: r.id,
    node: r.node,
    author: r.author,
    at: r.at,
    mode: r.mode,
    result: r.result,
    source: r.source,
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
 * Config revisions in SQLite: one row per config Minos applied (or adopted) on a node. The
 * full config is sealed with the SecretBox; a redacted copy sits beside it so history and
 * diffs of non-secret fields never need the key.
 */
export class RevisionRepository {
  constructor(
    private readonly db: Db,
    private readonly box: SecretBox,
  ) {}

  insert(r: NewRevision): RevisionSummary {
    const info = this.db
      .prepare(
        `INSERT INTO config_revisions (node, author, at, mode, result, source, message, config_hash, redacted_yaml, config_sealed, key_id, rollback_of, rollout_id, try_until)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        r.node,
        r.author,
        r.at.toISOString(),
        r.mode,
        r.result,
        r.source,
        r.message ?? "",
        configHash(r.yaml),
        redactConfig(r.yaml),
        this.box.seal(r.yaml, r.node),
        this.box.keyId,
        r.rollbackOf ?? null,
        r.rolloutId ?? null,
        r.tryUntil?.toISOString() ?? null,
      );
    return this.getOrThrow(r.node, Number(info.lastInsertRowid));
  }

  /** Records the outcome of a pending apply. */
  finish(id: number, update: { result: RevisionResult; mode?: ApplyMode | null; message: string; tryUntil?: Date | null }): void {
    this.db
      .prepare("UPDATE config_revisions SET result = ?, mode = COALESCE(?, mode), message = ?, try_until = COALESCE(?, try_until) WHERE id = ?")
      .run(update.result, update.mode ?? null, update.message, update.tryUntil?.toISOString() ?? null, id);
  }

  setResult(id: number, result: RevisionResult): void {
    this.db.prepare("UPDATE config_revisions SET result = ? WHERE id = ?").run(result, id);
  }

  list(node: string, limit = 100): RevisionSummary[] {
    const rows = this.db.prepare(`SELECT ${SUMMARY_COLUMNS} FROM config_revisions WHERE node = ? ORDER BY id DESC LIMIT ?`).all(node, limit) as RevisionRow[];
    return rows.map(toSummary);
  }

  get(node: string, id: number): RevisionSummary | undefined {
    const row = this.db.prepare(`SELECT ${SUMMARY_COLUMNS} FROM config_revisions WHERE node = ? AND id = ?`).get(node, id) as RevisionRow | undefined;
    return row && toSummary(row);
  }

  /** @throws AppError not_found */
  getOrThrow(node: string, id: number): RevisionSummary {
    const r = this.get(node, id);
    if (!r) throw new AppError("not_found", `Node ${node} has no config revision ${id}`);
    return r;
  }

  /** The revision with its redacted config. */
  detail(node: string, id: number): RevisionDetail {
    const row = this.db.prepare("SELECT * FROM config_revisions WHERE node = ? AND id = ?").get(node, id) as RevisionRow | undefined;
    if (!row) throw new AppError("not_found", `Node ${node} has no config revision ${id}`);
    return { ...toSummary(row), yaml: row.redacted_yaml };
  }

  /** The full config of a revision, secrets included (for rollback, re-apply and secret-aware diffs). */
  config(node: string, id: number): string {
    const row = this.db.prepare("SELECT config_sealed, key_id FROM config_revisions WHERE node = ? AND id = ?").get(node, id) as
      | Pick<RevisionRow, "config_sealed" | "key_id">
      | undefined;
    if (!row) throw new AppError("not_found", `Node ${node} has no config revision ${id}`);
    return this.box.open(row.config_sealed, node, row.key_id);
  }

  /** The newest revision whose config Minos put (or accepted) on the node, if any. */
  lastEffective(node: string): RevisionSummary | undefined {
    const placeholders = EFFECTIVE_RESULTS.map(() => "?").join(", ");
    const row = this.db
      .prepare(`SELECT ${SUMMARY_COLUMNS} FROM config_revisions WHERE node = ? AND result IN (${placeholders}) ORDER BY id DESC LIMIT 1`)
      .get(node, ...EFFECTIVE_RESULTS) as RevisionRow | undefined;
    return row && toSummary(row);
  }

  /**
   * TRY revisions whose window has passed without a later apply: the node has rolled them back
   * on its own, so they are `reverted`. A later successful apply of the same config marks them
   * `kept` when it is written ({@link markTryOutcome}).
   */
  settleExpiredTries(node: string, now: Date): void {
    this.db
      .prepare("UPDATE config_revisions SET result = 'reverted' WHERE node = ? AND result = 'trying' AND try_until IS NOT NULL AND try_until <= ?")
      .run(node, now.toISOString());
  }

  /** A non-TRY apply ends any pending TRY on the node: the same config is kept, another replaced it. */
  markTryOutcome(node: string, newRevisionId: number, newHash: string): void {
    const trying = this.db
      .prepare("SELECT id, config_hash FROM config_revisions WHERE node = ? AND result = 'trying' AND id < ?")
      .all(node, newRevisionId) as { id: number; config_hash: string }[];
    for (const t of trying) this.setResult(t.id, t.config_hash === newHash ? "kept" : "reverted");
  }
}
