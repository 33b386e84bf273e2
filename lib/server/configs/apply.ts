import "server-only";

import { DEFAULT_DRAIN_POLICY, type DrainPolicy } from "@/lib/schemas/kubernetes";
import { DEFAULT_TRY_TIMEOUT_SECONDS, type ApplyMode, type ApplyResponse, type RevisionSource } from "@/lib/schemas/configs";
import { recordAudit } from "@/lib/server/platform/audit";
import { drainBeforeApply, type DrainBeforeApply } from "@/lib/server/configs/apply-drain";
import type { ConfigDeps } from "@/lib/server/configs/deps";
import { withApplySlot } from "@/lib/server/configs/in-flight";
import { configHash, effectOf, resultOfMode } from "@/lib/server/configs/modes";
import { runPreflight, withoutConfigSecrets, type PreflightOutcome } from "@/lib/server/configs/preflight";
import type { Db } from "@/lib/server/platform/db/db";
import { AppError, isAppError } from "@/lib/server/platform/errors";

export interface ApplyRequest {
  yaml: string;
  mode: ApplyMode;
  tryTimeoutSeconds?: number;
  /** The drain before an apply that reboots (single-node paths only; rollouts drain in their runner). Default DEFAULT_DRAIN_POLICY. */
  drain?: DrainPolicy;
}

export interface ApplyContext {
  actor: string;
  source?: RevisionSource;
  rollbackOf?: number;
  rolloutId?: string;
  /** Audit action; default from the source ("config.apply", "config.rollback", …). */
  action?: string;
  /**
   * Runs each write of the apply (the pending revision; the node's answer) as one transaction.
   * A rollout passes its lease's `fenced`, so a replica that lost the rollout writes nothing.
   */
  write?: <T>(fn: (trx: Db) => Promise<T>) => Promise<T>;
  /** In the transaction that writes the pending revision, before the node is called (rollouts persist it). */
  onPending?: (trx: Db, revisionId: number) => Promise<void>;
  /** In the transaction that records the node's answer (rollouts move the node on). */
  onApplied?: (trx: Db, result: { mode: ApplyMode; modeDetails: string }) => Promise<void>;
  /** Right before the node is called: throws to call the apply off (a rollout that is no longer this replica's). */
  beforeCall?: () => void;
  /** Added to the apply's audit details (what the drain before it did). */
  auditDetails?: Record<string, unknown>;
}

/** What an apply needs from its preflight (a rollout keeps these from its preflight-all). */
export type PreparedApply = Pick<PreflightOutcome, "client" | "address" | "merged"> & { response: Pick<PreflightOutcome["response"], "mode" | "warnings"> };

const actionOf: Record<RevisionSource, string> = {
  apply: "config.apply",
  rollback: "config.rollback",
  rollout: "config.rollout.apply",
  adopt: "config.adopt",
  reapply: "config.reapply",
  "kubernetes-upgrade": "kubernetes-upgrade.config",
};

/**
 * Sends a config that passed preflight and records it as a revision: written `pending` before
 * the call (so a crash leaves a trace), then finished with the node's answer. Exported for the
 * rollout runner, which preflights every node first and applies later.
 */
export async function applyAfterPreflight(deps: ConfigDeps, node: string, pre: PreparedApply, req: ApplyRequest, ctx: ApplyContext): Promise<ApplyResponse> {
  const action = ctx.action ?? actionOf[ctx.source ?? "apply"];
  const tryTimeoutSeconds = req.tryTimeoutSeconds ?? DEFAULT_TRY_TIMEOUT_SECONDS;
  const hash = configHash(pre.merged);
  const write = ctx.write ?? ((fn) => deps.db.transaction().execute(fn));
  const pending = await write(async (trx) => {
    const p = await deps.revisions.on(trx).insert({
      node,
      author: ctx.actor,
      at: deps.now(),
      mode: pre.response.mode,
      result: "pending",
      source: ctx.source ?? "apply",
      yaml: pre.merged,
      rollbackOf: ctx.rollbackOf ?? null,
      rolloutId: ctx.rolloutId ?? null,
    });
    await ctx.onPending?.(trx, p.id);
    return p;
  });
  // Outside the try: called off, the pending revision stays pending for whoever resumes the work.
  ctx.beforeCall?.();
  let applied;
  try {
    applied = await pre.client.applyConfiguration(pre.address, { data: pre.merged, mode: req.mode, tryModeTimeoutSeconds: tryTimeoutSeconds });
  } catch (raw) {
    const e = isAppError(raw) ? withoutConfigSecrets(raw, pre.merged) : raw;
    const message = e instanceof Error ? e.message : String(e);
    await write(async (trx) => {
      await deps.revisions.on(trx).finish(pending.id, { result: "failed", message });
      await recordAudit(trx, { actor: ctx.actor, action, target: node, result: "failed", details: { mode: req.mode, revision: pending.id, error: message, rolloutId: ctx.rolloutId } });
    });
    throw e;
  }
  const answer = applied;
  const tryUntil = answer.mode === "try" ? new Date(deps.now().getTime() + tryTimeoutSeconds * 1000) : null;
  const revision = await write(async (trx) => {
    const revisions = deps.revisions.on(trx);
    await revisions.finish(pending.id, { result: resultOfMode(answer.mode), mode: answer.mode, message: answer.modeDetails, tryUntil });
    // Talos cancels a pending TRY rollback on any later non-TRY apply: that is the "keep".
    if (answer.mode !== "try") await revisions.markTryOutcome(node, pending.id, hash);
    const finished = await revisions.getOrThrow(node, pending.id);
    await recordAudit(trx, {
      actor: ctx.actor,
      action,
      target: node,
      result: "ok",
      details: { ...ctx.auditDetails, mode: req.mode, resolvedMode: answer.mode, revision: finished.id, configHash: hash, rollbackOf: ctx.rollbackOf, rolloutId: ctx.rolloutId, tryUntil: tryUntil?.toISOString() },
    });
    await ctx.onApplied?.(trx, { mode: answer.mode, modeDetails: answer.modeDetails });
    return finished;
  });
  return {
    node,
    result: revision.result,
    mode: answer.mode,
    modeDetails: answer.modeDetails,
    effect: effectOf(answer.mode, tryTimeoutSeconds),
    warnings: [...pre.response.warnings, ...answer.warnings],
    revision,
    ...(tryUntil ? { tryUntil: tryUntil.toISOString() } : {}),
  };
}

/**
 * POST /api/nodes/:node/config/apply: preflight (local validation and the node's dry run must
 * both pass) then apply, holding the node's apply slot throughout so a second apply is a 409.
 * When the preflight says the apply reboots the node, the node is cordoned and drained first
 * (`req.drain`), and uncordoned by the Kubernetes status job after its reboot (apply-drain.ts).
 *
 * @throws AppError invalid_config (422) when either check fails, conflict (409) when another
 *   apply is in flight or Kubernetes cannot be asked under a halting drain policy, drain_blocked
 *   (409) when the drain halted (nothing applied), and the node's transport errors as they are.
 */
export async function applyNodeConfig(deps: ConfigDeps, node: string, req: ApplyRequest, ctx: ApplyContext): Promise<ApplyResponse> {
  const action = ctx.action ?? actionOf[ctx.source ?? "apply"];
  return withApplySlot(node, `an apply by ${ctx.actor}`, async () => {
    let pre: PreflightOutcome;
    try {
      pre = await runPreflight(deps, node, req, { holdsSlot: true });
    } catch (e) {
      await recordAudit(deps.db, { actor: ctx.actor, action, target: node, result: "refused", details: { mode: req.mode, stage: "preflight", error: e instanceof Error ? e.message : String(e) } });
      throw e;
    }
    if (pre.refusal) {
      await recordAudit(deps.db, { actor: ctx.actor, action, target: node, result: "refused", details: { mode: req.mode, stage: "preflight", error: pre.refusal.message } });
      throw new AppError(pre.refusal.code, pre.response.verdict, { node, details: pre.refusal.details, cause: pre.refusal });
    }
    let drained: DrainBeforeApply | null = null;
    if (pre.response.mode === "reboot" && deps.kubernetes) {
      try {
        drained = await drainBeforeApply(deps.kubernetes, { cluster: pre.cluster, address: pre.address, policy: req.drain ?? DEFAULT_DRAIN_POLICY, explicitPolicy: req.drain !== undefined, client: pre.client });
      } catch (e) {
        const details = isAppError(e) && e.code === "drain_blocked" ? { drain: "blocked", result: e.details } : { error: e instanceof Error ? e.message : String(e) };
        await recordAudit(deps.db, { actor: ctx.actor, action, target: node, result: "refused", details: { mode: req.mode, stage: "drain", ...details } });
        throw e;
      }
    }
    let applied: ApplyResponse;
    try {
      applied = await applyAfterPreflight(deps, node, pre, req, { ...ctx, action, auditDetails: drained?.audit });
    } catch (e) {
      // Not applied, so no reboot will come to uncordon it.
      await drained?.undo();
      throw e;
    }
    return drained && drained.warnings.length > 0 ? { ...applied, warnings: [...applied.warnings, ...drained.warnings] } : applied;
  });
}

/** Rollback: an old revision's full config through the same preflight → apply path, as a new revision. */
export async function rollbackNodeConfig(deps: ConfigDeps, node: string, revisionId: number, req: Omit<ApplyRequest, "yaml">, actor: string): Promise<ApplyResponse> {
  const yaml = await deps.revisions.config(node, revisionId);
  return applyNodeConfig(deps, node, { ...req, yaml }, { actor, source: "rollback", rollbackOf: revisionId });
}
