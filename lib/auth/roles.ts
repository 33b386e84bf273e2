import type { Role } from "@/lib/schemas/auth";

const RANK: Record<Role, number> = { viewer: 0, operator: 1, admin: 2 };

/** True when `role` is `min` or stronger (admin ≥ operator ≥ viewer). */
export function roleAtLeast(role: Role, min: Role): boolean {
  return RANK[role] >= RANK[min];
}

/** Everything a person or token can be allowed to do in Minos, and the weakest role that may. */
export const ACTION_MIN_ROLE = {
  read: "viewer",
  reboot: "operator",
  shutdown: "operator",
  serviceAction: "operator",
  pauseUpgrade: "operator",
  resumeUpgrade: "operator",
  pauseRollout: "operator",
  resumeRollout: "operator",
  applyConfig: "admin",
  rollbackConfig: "admin",
  startUpgrade: "admin",
  cancelUpgrade: "admin",
  startRollout: "admin",
  cancelRollout: "admin",
  revealSecrets: "admin",
  resetNode: "admin",
  manageClusters: "admin",
  manageUsers: "admin",
  manageTokens: "admin",
} as const satisfies Record<string, Role>;
export type MinosAction = keyof typeof ACTION_MIN_ROLE;

export const ROLE_LABEL: Record<Role, string> = { viewer: "Viewer", operator: "Operator", admin: "Admin" };

/** One sentence per role, for role pickers and the access page. */
export const ROLE_SUMMARY: Record<Role, string> = {
  viewer: "Sees every page; secrets stay redacted",
  operator: "Also reboots nodes and pauses or resumes upgrades and rollouts",
  admin: "Also applies configs, starts and cancels upgrades, reveals secrets, manages users and tokens",
};

/** Whether a Minos role may take an action at all (before the cluster's own credentials are considered). */
export function roleAllows(role: Role, action: MinosAction): boolean {
  return roleAtLeast(role, ACTION_MIN_ROLE[action]);
}
