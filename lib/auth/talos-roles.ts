import type { Role } from "@/lib/schemas/auth";
import { ACTION_MIN_ROLE, ROLE_LABEL, roleAllows, type MinosAction } from "@/lib/auth/roles";
import { TALOS_ROLES } from "@/lib/talos/constants";

/**
 * What Minos can do on a cluster with the talosconfig it holds for it. Talos enforces roles
 * from the client certificate's Organization values (pkg/machinery/role; machined's per-method table in internal/app/machined/pkg/system/services/machined.go): reads need
 * os:reader, Reboot needs os:operator, ApplyConfiguration, Upgrade and reading the machine
 * config need os:admin. Mapped to the Minos role the credentials are equivalent to, so the UI
 * can disable an action with a reason instead of letting Talos refuse it mid-flight.
 */
export function talosCredentialLevel(talosRoles: readonly string[]): Role | null {
  if (talosRoles.includes(TALOS_ROLES.admin)) return "admin";
  if (talosRoles.includes(TALOS_ROLES.operator)) return "operator";
  if (talosRoles.includes(TALOS_ROLES.reader)) return "viewer";
  return null;
}

/** Actions whose Talos calls need more than reading. */
const TALOS_NEEDS: Partial<Record<MinosAction, { talosRole: string; level: Role; rpc: string }>> = {
  reboot: { talosRole: TALOS_ROLES.operator, level: "operator", rpc: "Reboot" },
  shutdown: { talosRole: TALOS_ROLES.operator, level: "operator", rpc: "Shutdown" },
  serviceAction: { talosRole: TALOS_ROLES.operator, level: "operator", rpc: "ServiceStart/Stop/Restart" },
  resetNode: { talosRole: TALOS_ROLES.admin, level: "admin", rpc: "Reset" },
  applyConfig: { talosRole: TALOS_ROLES.admin, level: "admin", rpc: "ApplyConfiguration" },
  rollbackConfig: { talosRole: TALOS_ROLES.admin, level: "admin", rpc: "ApplyConfiguration" },
  startUpgrade: { talosRole: TALOS_ROLES.admin, level: "admin", rpc: "Upgrade" },
  startRollout: { talosRole: TALOS_ROLES.admin, level: "admin", rpc: "ApplyConfiguration" },
  revealSecrets: { talosRole: TALOS_ROLES.admin, level: "admin", rpc: "reading the machine config" },
};

export type Availability = { allowed: true } | { allowed: false; reason: string };

/**
 * Whether the signed-in role may take `action` on a cluster whose talosconfig carries
 * `talosRoles`, and if not, a sentence saying why (shown beside the disabled control).
 * Pausing, resuming and cancelling are Minos bookkeeping and need no Talos role beyond reading.
 */
export function actionAvailability(role: Role, action: MinosAction, talosRoles: readonly string[], cluster?: string): Availability {
  if (!roleAllows(role, action)) {
    const min = ACTION_MIN_ROLE[action];
    return { allowed: false, reason: `Needs the ${ROLE_LABEL[min]} role in Minos; you are ${article(ROLE_LABEL[role])} ${ROLE_LABEL[role]}` };
  }
  const need = TALOS_NEEDS[action];
  const level = talosCredentialLevel(talosRoles);
  const where = cluster ? `cluster ${cluster}` : "this cluster";
  if (level === null) {
    return { allowed: false, reason: `Minos's talosconfig for ${where} carries no Talos role (${describe(talosRoles)})` };
  }
  if (need && !roleAllowsLevel(level, need.level)) {
    return {
      allowed: false,
      reason: `Minos's talosconfig for ${where} has ${describe(talosRoles)}; Talos needs ${need.talosRole} for ${need.rpc}`,
    };
  }
  return { allowed: true };
}

function roleAllowsLevel(level: Role, need: Role): boolean {
  const rank: Record<Role, number> = { viewer: 0, operator: 1, admin: 2 };
  return rank[level] >= rank[need];
}

function describe(roles: readonly string[]): string {
  const known = roles.filter((r) => r.startsWith("os:"));
  return known.length ? known.join(", ") : "no os:* role";
}

function article(word: string): string {
  return /^[AEIOU]/i.test(word) ? "an" : "a";
}
