import "server-only";

import type { ApplyMode, PreflightResponse, RevisionDetail, RevisionDiffResponse, RevisionListResponse } from "@/lib/schemas/configs";
import type { ConfigDeps } from "@/lib/server/configs/deps";
import { preflightNodeConfig } from "@/lib/server/configs/preflight";
import { validationPool } from "@/lib/server/validation/pool";

/** A node's revisions, newest first; TRY windows that have passed are settled first. */
export async function listRevisions(deps: ConfigDeps, node: string, limit: number): Promise<RevisionListResponse> {
  await deps.resolveNode(node);
  await deps.revisions.settleExpiredTries(node, deps.now());
  return { node, revisions: await deps.revisions.list(node, limit) };
}

/** One revision with its config, redacted. @throws AppError not_found */
export async function getRevision(deps: ConfigDeps, node: string, id: number): Promise<RevisionDetail> {
  await deps.resolveNode(node);
  await deps.revisions.settleExpiredTries(node, deps.now());
  return deps.revisions.detail(node, id);
}

/**
 * The redacted diff between two revisions, or a revision and the node's running config. Both
 * sides are decrypted so a changed secret shows as changed (never its value).
 */
export async function diffRevisions(deps: ConfigDeps, node: string, from: number, to: number | "running"): Promise<RevisionDiffResponse> {
  const { cluster, address } = await deps.resolveNode(node);
  const fromYaml = await deps.revisions.config(node, from);
  const toYaml = to === "running" ? (await (await deps.client(cluster)).machineConfig(address)).yaml : await deps.revisions.config(node, to);
  // Off the event loop: a line diff of two large configs is costly (lib/server/validation).
  const d = await validationPool().redactedDiff(fromYaml, toYaml, { from: `revision ${from}`, to: to === "running" ? "running" : `revision ${to}` });
  return { node, from, to, diff: d.diff, unchanged: d.unchanged, changedSecrets: d.changedSecrets, fromYaml: d.fromYaml, toYaml: d.toYaml };
}

/** The preview of a rollback: the old revision's full config through the normal preflight. */
export async function preflightRevision(deps: ConfigDeps, node: string, id: number, req: { mode: ApplyMode; tryTimeoutSeconds?: number }, actor: string): Promise<PreflightResponse> {
  const yaml = await deps.revisions.config(node, id);
  return preflightNodeConfig(deps, node, { ...req, yaml }, actor, "config.rollback.preflight");
}
