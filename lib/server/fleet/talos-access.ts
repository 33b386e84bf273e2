import "server-only";

import { actionAvailability } from "@/lib/auth/talos-roles";
import type { MinosAction } from "@/lib/auth/roles";
import type { Actor } from "@/lib/server/auth/actor";
import { AppError } from "@/lib/server/platform/errors";
import { getClusterContextOrThrow } from "@/lib/server/fleet/clients";

/**
 * Refuses `action` on `cluster` before any Talos call when the caller's role or Minos's own
 * talosconfig for the cluster (`talosRoles`) cannot do it, with the sentence the UI shows beside
 * the disabled control (e.g. "Minos's talosconfig for cluster prod has os:reader; Talos needs
 * os:admin for ApplyConfiguration"), so a half-done rollout or upgrade never starts.
 * @throws AppError forbidden
 */
export function assertActionAvailable(actor: Actor, action: MinosAction, cluster: string, talosRoles: readonly string[]): void {
  const verdict = actionAvailability(actor.role, action, talosRoles, cluster);
  if (!verdict.allowed) throw new AppError("forbidden", verdict.reason, { details: { action, cluster } });
}

/** {@link assertActionAvailable} with the roles of the server's talosconfig for `cluster`. */
export async function requireTalosAction(actor: Actor, action: MinosAction, cluster: string): Promise<void> {
  assertActionAvailable(actor, action, cluster, (await getClusterContextOrThrow(cluster)).roles);
}

/**
 * What {@link requireConfigAction} reads: the config-push deps (lib/server/configs/deps.ts)
 * satisfy it, so tests inject their refusals without fleet importing the configs feature.
 */
export interface TalosAccessDeps {
  resolveNode(id: string): Promise<{ cluster: string }>;
  talosRoles(cluster: string): Promise<readonly string[]>;
}

/** {@link assertActionAvailable} through config-push deps, for a cluster or a node ID (`address@cluster`). */
export async function requireConfigAction(deps: TalosAccessDeps, actor: Actor, action: MinosAction, target: { cluster: string } | { node: string }): Promise<void> {
  const cluster = "cluster" in target ? target.cluster : (await deps.resolveNode(target.node)).cluster;
  assertActionAvailable(actor, action, cluster, await deps.talosRoles(cluster));
}
