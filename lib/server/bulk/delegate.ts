import "server-only";

import { redactConfig } from "@/lib/config/redact";
import { applyPatches, loadPatch } from "@/lib/config/patch";
import type { ConfigDeps } from "@/lib/server/configs/deps";
import { configHash } from "@/lib/server/configs/modes";
import { runPreflight } from "@/lib/server/configs/preflight";
import { insertPlannedRollout, kickRollout, type RunnerChoice } from "@/lib/server/configs/rollouts/service";
import { errorText } from "@/lib/server/jobs";
import { AppError, isAppError } from "@/lib/server/platform/errors";
import { mapLimit } from "@/lib/utils/map-limit";

import type { BulkServiceDeps } from "./service";

type PatchRequest = Parameters<BulkServiceDeps["startPatchRollout"]>[0];

const PREFLIGHT_CONCURRENCY = 4;

/**
 * apply-patch on a selection, through a config rollout (no second apply machinery): the patch
 * goes onto each node's running config, each result is checked on its node (local validation
 * and ApplyConfiguration dry run), and only when every node accepts is the rollout written, each
 * node with its own config and the running config it was made against (the rollout refuses to
 * overwrite a config that changed since). Nothing is applied when one node refuses: 422 with
 * each refusal.
 */
export async function startPatchRollout(deps: ConfigDeps, req: PatchRequest, actor: string, opts: RunnerChoice = {}): Promise<string> {
  let patch;
  try {
    patch = loadPatch(req.patch, "the bulk patch");
  } catch (e) {
    throw new AppError("invalid_config", `The patch cannot be read: ${errorText(e)}`);
  }
  const checked = await mapLimit(req.nodes, PREFLIGHT_CONCURRENCY, async (n) => {
    try {
      const { cluster, address } = await deps.resolveNode(n.id);
      const running = (await (await deps.client(cluster)).machineConfig(address)).yaml;
      const patched = applyPatches(running, [patch]);
      const pre = await runPreflight(deps, n.id, { yaml: patched, mode: req.mode });
      if (pre.refusal) return { ...n, refused: pre.response.verdict };
      return { ...n, yaml: pre.merged, mode: pre.response.mode, message: pre.response.unchanged ? `Nothing changes; ${pre.response.effect}` : `Ready: ${pre.response.effect}`, expectedRunningHash: configHash(running) };
    } catch (e) {
      return { ...n, refused: isAppError(e) ? e.message : errorText(e) };
    }
  });
  const refused = checked.filter((n) => "refused" in n);
  if (refused.length > 0) {
    throw new AppError("invalid_config", `The patch was refused on ${refused.length} of ${checked.length} nodes; nothing was applied: ${refused.map((n) => `${n.id}: ${n.refused}`).join("; ")}`, {
      details: { refused: refused.map((n) => ({ node: n.id, reason: n.refused })) },
    });
  }
  const nodes = checked.flatMap((n) => ("yaml" in n && n.yaml !== undefined ? [{ id: n.id, role: n.role, yaml: n.yaml, mode: n.mode ?? null, message: n.message, expectedRunningHash: n.expectedRunningHash }] : []));
  const id = await deps.db.transaction().execute((trx) =>
    insertPlannedRollout(deps, trx, { cluster: req.cluster, mode: req.mode, concurrency: req.concurrency, redactedYaml: redactConfig(req.patch), configHash: configHash(req.patch), manifestRevision: null, nodes }, actor),
  );
  kickRollout(id, opts);
  return id;
}
