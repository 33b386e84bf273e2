import "server-only";

import type { ApplyMode, RolloutDetail, RolloutNode, RolloutNodeState, RolloutState, RolloutTarget } from "@/lib/schemas/configs";
import type { SecretBox } from "@/lib/server/platform/secret-box";
import type { LegacyDb as Db } from "@/lib/server/platform/db/db";
import { AppError } from "@/lib/server/platform/errors";

type RolloutMode = Exclude<ApplyMode, "try">;

interface RolloutRow {
  id: string;
  state: RolloutState;
  author: string;
  created_at: string;
  updated_at: string;
  target: string;
  mode: RolloutMode;
  concurrency: number;
  continue_on_failure: number;
  config_hash: string;
  redacted_yaml: string;
  message: string;
  failures_allowed: number;
}

interface NodeRow {
  rollout_id: string;
  node: string;
  position: number;
  role: "controlplane" | "worker";
  state: RolloutNodeState;
  message: string;
  mode: ApplyMode | null;
  config_hash: string | null;
  config_sealed: string | null;
  key_id: string | null;
  boot_before: string | null;
  revision_id: number | null;
  started_at: string | null;
  finished_at: string | null;
}

/** A rollout as the runner sees it: the API shape plus bookkeeping the API does not show. */
export interface StoredRollout extends RolloutDetail {
  failuresAllowed: number;
  nodes: StoredRolloutNode[];
}

export interface StoredRolloutNode extends RolloutNode {
  configHash: string | null;
  /** The boot marker (boot ID or boot time) read before the apply, to see the reboot happen. */
  bootBefore: string | null;
}

export interface NodeUpdate {
  state?: RolloutNodeState;
  message?: string;
  mode?: ApplyMode | null;
  revisionId?: number;
  bootBefore?: string | null;
  startedAt?: Date;
  finishedAt?: Date;
}

/**
 * Rollouts in SQLite. Every transition is written before the runner acts on it, so a restarted
 * Minos knows exactly which node was being applied and never starts one twice.
 */
export class RolloutRepository {
  constructor(
    private readonly db: Db,
    private readonly box: SecretBox,
  ) {}

  create(r: {
    id: string;
    author: string;
    at: Date;
    target: RolloutTarget;
    mode: RolloutMode;
    concurrency: number;
    continueOnFailure: boolean;
    configHash: string;
    redactedYaml: string;
    nodes: { id: string; role: "controlplane" | "worker" }[];
  }): void {
    this.db.transaction(() => {
      this.db
        .prepare(
          `INSERT INTO config_rollouts (id, state, author, created_at, updated_at, target, mode, concurrency, continue_on_failure, config_hash, redacted_yaml, message)
           VALUES (?, 'preflight', ?, ?, ?, ?, ?, ?, ?, ?, ?, '')`,
        )
        .run(r.id, r.author, r.at.toISOString(), r.at.toISOString(), JSON.stringify(r.target), r.mode, r.concurrency, Number(r.continueOnFailure), r.configHash, r.redactedYaml);
      const insert = this.db.prepare("INSERT INTO config_rollout_nodes (rollout_id, node, position, role, state, message) VALUES (?, ?, ?, ?, 'pending', '')");
      r.nodes.forEach((n, i) => insert.run(r.id, n.id, i, n.role));
    })();
  }

  get(id: string): StoredRollout | undefined {
    const row = this.db.prepare("SELECT * FROM config_rollouts WHERE id = ?").get(id) as RolloutRow | undefined;
    if (!row) return undefined;
    const nodes = this.db.prepare("SELECT * FROM config_rollout_nodes WHERE rollout_id = ? ORDER BY position").all(id) as NodeRow[];
    return toRollout(row, nodes);
  }

  /** @throws AppError not_found */
  getOrThrow(id: string): StoredRollout {
    const r = this.get(id);
    if (!r) throw new AppError("not_found", `No rollout ${id}`);
    return r;
  }

  list(limit = 50): StoredRollout[] {
    const ids = this.db.prepare("SELECT id FROM config_rollouts ORDER BY created_at DESC, id DESC LIMIT ?").pluck().all(limit) as string[];
    return ids.map((id) => this.getOrThrow(id));
  }

  idsInState(...states: RolloutState[]): string[] {
    return this.db.prepare(`SELECT id FROM config_rollouts WHERE state IN (${states.map(() => "?").join(", ")}) ORDER BY created_at`).pluck().all(...states) as string[];
  }

  setState(id: string, state: RolloutState, at: Date, message?: string, extra: { failuresAllowed?: number } = {}): void {
    this.db
      .prepare("UPDATE config_rollouts SET state = ?, updated_at = ?, message = COALESCE(?, message), failures_allowed = COALESCE(?, failures_allowed) WHERE id = ?")
      .run(state, at.toISOString(), message ?? null, extra.failuresAllowed ?? null, id);
  }

  /** The per-node config a preflight accepted (secrets merged from that node), sealed. */
  setNodeConfig(id: string, node: string, yaml: string, hash: string): void {
    this.db
      .prepare("UPDATE config_rollout_nodes SET config_sealed = ?, key_id = ?, config_hash = ? WHERE rollout_id = ? AND node = ?")
      .run(this.box.seal(yaml, node), this.box.keyId, hash, id, node);
  }

  nodeConfig(id: string, node: string): string {
    const row = this.db.prepare("SELECT config_sealed, key_id FROM config_rollout_nodes WHERE rollout_id = ? AND node = ?").get(id, node) as
      | Pick<NodeRow, "config_sealed" | "key_id">
      | undefined;
    if (!row?.config_sealed) throw new AppError("internal", `Rollout ${id} has no config for ${node}`);
    return this.box.open(row.config_sealed, node, row.key_id ?? undefined);
  }

  updateNode(id: string, node: string, u: NodeUpdate, at: Date): void {
    this.db.transaction(() => {
      this.db
        .prepare(
          `UPDATE config_rollout_nodes SET state = COALESCE(?, state), message = COALESCE(?, message), mode = COALESCE(?, mode), revision_id = COALESCE(?, revision_id),
             boot_before = COALESCE(?, boot_before), started_at = COALESCE(?, started_at), finished_at = COALESCE(?, finished_at)
           WHERE rollout_id = ? AND node = ?`,
        )
        .run(u.state ?? null, u.message ?? null, u.mode ?? null, u.revisionId ?? null, u.bootBefore ?? null, u.startedAt?.toISOString() ?? null, u.finishedAt?.toISOString() ?? null, id, node);
      this.db.prepare("UPDATE config_rollouts SET updated_at = ? WHERE id = ?").run(at.toISOString(), id);
    })();
  }

  /** Every node still waiting to start becomes `skipped`, with the reason. */
  skipPending(id: string, message: string, at: Date): void {
    this.db
      .prepare("UPDATE config_rollout_nodes SET state = 'skipped', message = ?, finished_at = ? WHERE rollout_id = ? AND state IN ('pending', 'preflight-ok')")
      .run(message, at.toISOString(), id);
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
    failuresAllowed: r.failures_allowed,
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
    nodes: r.nodes.map((n) => ({
      id: n.id,
      role: n.role,
      state: n.state,
      message: n.message,
      mode: n.mode,
      ...(n.revisionId !== undefined ? { revisionId: n.revisionId } : {}),
      startedAt: n.startedAt,
      finishedAt: n.finishedAt,
    })),
  };
}
