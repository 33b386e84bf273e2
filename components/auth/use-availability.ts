"use client";

import { useQuery } from "@tanstack/react-query";

import { roleAllows, type MinosAction } from "@/lib/auth/roles";
import { actionAvailability } from "@/lib/auth/talos-roles";
import { sessionQuery } from "@/lib/client/auth";
import { clustersQueryOptions } from "@/lib/client/clusters";

/** Whether to show a control at all, and if shown whether it works (else the reason beside it). */
export type ControlAccess = { hidden: true } | { hidden: false; allowed: true } | { hidden: false; allowed: false; reason: string };

/**
 * What the signed-in person may do about `action` on `cluster`: hidden when their Minos role can
 * never do it (a viewer sees no apply or upgrade buttons), disabled with the reason when Minos's
 * talosconfig for the cluster lacks the Talos role (the server refuses with the same sentence).
 */
export function useControlAccess(action: MinosAction, cluster?: string | null): ControlAccess {
  const session = useQuery(sessionQuery());
  const clusters = useQuery(clustersQueryOptions);
  const role = session.data?.user?.role;
  if (!role || !roleAllows(role, action)) return { hidden: true };
  const roles = cluster ? clusters.data?.clusters.find((c) => c.name === cluster)?.roles : undefined;
  if (!roles) return { hidden: false, allowed: true };
  const verdict = actionAvailability(role, action, roles, cluster ?? undefined);
  return verdict.allowed ? { hidden: false, allowed: true } : { hidden: false, allowed: false, reason: verdict.reason };
}
