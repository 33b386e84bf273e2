import "server-only";

import { actionAvailability } from "@/lib/auth/talos-roles";
import type { MinosAction } from "@/lib/auth/roles";
import type { Actor } from "@/lib/server/auth/actor";
import { AppError } from "@/lib/server/errors";
import { getClusterContextOrThrow } from "@/lib/server/fleet/clients";
import { resolveNodeOrThrow } from "@/lib/server/fleet/nodes";

/**
 * Refuses `action` on `cluster` before any Talos call when the caller's role or Minos's own
 * talosconfig for the cluster cannot do it, with the sentence the UI shows beside the disabled
 * control (e.g. "Minos's talosconfig for cluster prod has os:reader; Talos needs os:admin for
 * ApplyConfiguration"), so a half-done rollout or upgrade never starts.
 * @throws AppError forbidden
 */
export async function requireTalosAction(actor: Actor, action: MinosAction, cluster: string): Promise<void> {
  const context = await getClusterContextOrThrow(cluster);
  const verdict = actionAvailability(actor.role, action, context.roles, cluster);
  if (!verdict.allowed) throw new AppError("forbidden", verdict.reason, { details: { action, cluster } });
}

/** {@link requireTalosAction} for a node ID (`address@cluster`). */
export async function requireTalosActionOnNode(actor: Actor, action: MinosAction, node: string): Promise<void> {
  const { cluster } = await resolveNodeOrThrow(node);
  await requireTalosAction(actor, action, cluster);
}
