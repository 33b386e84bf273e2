import "server-only";

import { parseNodeId } from "@/lib/fleet/node-id";
import { redactManifest } from "@/lib/manifest/redact";
import { configHash, formatSeconds } from "@/lib/server/configs/modes";
import { insertPlannedRollout, kickRollout, type RunnerChoice } from "@/lib/server/configs/rollouts/service";
import { mapLimited } from "@/lib/server/manifests/nodes";
import type { PlanDeps } from "@/lib/server/manifests/plan";
import { PlanRepository, type StoredPlan } from "@/lib/server/manifests/plans-repo";
import { PLAN_MAX_AGE_MS } from "@/lib/server/manifests/plans-repo";
import { recordAudit } from "@/lib/server/platform/audit";
import { AppError } from "@/lib/server/platform/errors";

export { PLAN_MAX_AGE_MS } from "@/lib/server/manifests/plans-repo";

export interface ApplyPlanRequest {
  planId: string;
  /** Workers applied at once (control planes always one at a time); default 1. */
  concurrency?: number;
}

const listed = (ids: string[]) => ids.slice(0, 10).join(", ") + (ids.length > 10 ? ` and ${ids.length - 10} more` : "");

/** Why the plan cannot be applied as it is, or null. Checks that need no node first. */
async function staleReason(deps: PlanDeps, plan: StoredPlan): Promise<string | null> {
  if (plan.appliedAt !== null) {
    return `Plan ${plan.id} was applied already (by ${plan.appliedBy} at ${plan.appliedAt}${plan.appliedRevision !== null ? `, manifest revision ${plan.appliedRevision}` : ""}); plan again`;
  }
  const age = deps.manifests.now().getTime() - Date.parse(plan.createdAt);
  if (age > PLAN_MAX_AGE_MS) return `Plan ${plan.id} is older than ${formatSeconds(PLAN_MAX_AGE_MS / 1000)} (plans expire after that); plan again`;
  const blocked = plan.nodes.filter((n) => n.change === "refused" || n.change === "unreachable");
  if (blocked.length > 0) {
    return `Plan ${plan.id} has ${blocked.length} node${blocked.length > 1 ? "s" : ""} refused or unreachable (${listed(blocked.map((n) => `${n.node}: ${n.change}`))}); fix the manifest or the nodes and plan again`;
  }
  const latest = (await deps.manifests.repo.latest(plan.cluster))?.revision ?? null;
  if (latest !== plan.baseRevision) {
    return `The manifest of cluster "${plan.cluster}" changed since the plan (planned against ${plan.baseRevision === null ? "no revision" : `revision ${plan.baseRevision}`}, now ${latest === null ? "none" : `revision ${latest}`}); plan again`;
  }
  // Each node's running config must be the one the plan asked it about.
  const client = await deps.manifests.client(plan.cluster);
  const changed = (
    await mapLimited(plan.nodes, deps.manifests.concurrency, async (n) => {
      try {
        const running = await client.machineConfig(parseNodeId(n.node)!.address, { timeoutMs: deps.manifests.nodeTimeoutMs });
        return configHash(running.yaml) === n.runningHash ? null : `${n.node}: its running config changed since the plan`;
      } catch (e) {
        return `${n.node}: its running config could not be read to check it (${e instanceof Error ? e.message : String(e)})`;
      }
    })
  ).filter((x): x is string => x !== null);
  if (changed.length > 0) return `Plan ${plan.id} is stale: ${listed(changed)}; plan again`;
  return null;
}

/**
 * POST /api/clusters/:cluster/manifest/apply: applies a plan as it was made. Refused (409) when
 * it was applied already, is older than {@link PLAN_MAX_AGE_MS}, has a node refused or
 * unreachable, or is stale: the cluster's manifest got a revision since, or a node's running
 * config is no longer the one the plan was made against (each node is read again). Otherwise, in
 * one transaction: the plan is claimed (a plan applies once, whichever replica asks), its
 * manifest is saved as the next revision (source `apply`) and a rollout is created with each
 * changing node's own render (control planes one at a time, workers up to `concurrency`, health
 * gates, pause/resume/cancel, resume after a restart: the rollout runner's). No node changing:
 * the revision alone, `rolloutId: null`.
 *
 * @throws AppError not_found (unknown plan), conflict (409, the reason in the message)
 */
export async function applyManifestPlan(deps: PlanDeps, cluster: string, req: ApplyPlanRequest, actor: string, opts: RunnerChoice = {}): Promise<{ rolloutId: string | null; revision: number }> {
  const m = deps.manifests;
  const repo = new PlanRepository(m.db, m.box);
  const plan = await repo.get(req.planId);
  if (!plan || plan.cluster !== cluster) throw new AppError("not_found", `Cluster "${cluster}" has no manifest plan ${req.planId}`);
  const refusal = await staleReason(deps, plan);
  if (refusal !== null) {
    await recordAudit(m.db, { actor, action: "manifest.apply", target: cluster, result: "refused", details: { planId: plan.id, reason: refusal } });
    throw new AppError("conflict", refusal, { details: { planId: plan.id } });
  }
  const manifest = await repo.manifest(plan.id);
  const updates = plan.nodes.filter((n) => n.change === "update");
  const configs = await Promise.all(
    updates.map(async (n) => ({
      id: n.node,
      role: n.role,
      yaml: await repo.nodeConfig(plan.id, n.node),
      mode: n.mode,
      message: n.reboot ? "Ready: reboots the node" : "Ready: applies without a reboot",
      // The runner checks it again right before the node's apply: a change made meanwhile is not overwritten.
      expectedRunningHash: n.runningHash,
    })),
  );
  const concurrency = req.concurrency ?? 1;
  const result = await m.db.transaction().execute(async (trx) => {
    if (!(await repo.on(trx).claim(plan.id, actor, m.now()))) throw new AppError("conflict", `Plan ${plan.id} was applied already; plan again`, { details: { planId: plan.id } });
    // Fails with conflict when another save came in since the check above: nothing is written.
    const revision = await m.repo.on(trx).insert({ cluster, author: actor, at: m.now(), source: "apply", message: `Applied plan ${plan.id}`, yaml: manifest, base: plan.baseRevision });
    const rolloutId =
      configs.length === 0
        ? null
        : await insertPlannedRollout(
            deps.configs,
            trx,
            { cluster, mode: plan.mode, concurrency, redactedYaml: redactManifest(manifest), configHash: configHash(manifest), manifestRevision: revision.revision, nodes: configs },
            actor,
          );
    await repo.on(trx).recordApplied(plan.id, revision.revision, rolloutId);
    await recordAudit(trx, {
      actor,
      action: "manifest.apply",
      target: cluster,
      result: "ok",
      details: { planId: plan.id, revision: revision.revision, rolloutId, concurrency, nodes: updates.map((n) => ({ node: n.node, reboot: n.reboot })) },
    });
    return { rolloutId, revision: revision.revision };
  });
  if (result.rolloutId !== null) kickRollout(result.rolloutId, opts);
  return result;
}
