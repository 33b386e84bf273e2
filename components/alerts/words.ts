import { RULE_NAMES } from "@/lib/alerts/rule-names";
import { roleAtLeast } from "@/lib/auth/roles";
import type { AlertRuleId, AlertSeverity } from "@/lib/schemas/alerts";
import type { Role } from "@/lib/schemas/auth";

/**
 * The alert views' words and permissions: what the overview's alert card needs, apart from the
 * forms (model.ts), which check their values with zod; the overview must not load zod (issue 20's
 * page weight).
 */

export const SEVERITIES: readonly AlertSeverity[] = ["critical", "warning", "info"];
export const SEVERITY_LABEL: Record<AlertSeverity, string> = { critical: "Critical", warning: "Warning", info: "Info" };

const ruleNames = new Map<string, string>(Object.entries(RULE_NAMES));

/** A rule's name from the catalog; an unknown id (e.g. `test` in the delivery log) as it is. */
export function ruleName(id: string): string {
  return ruleNames.get(id) ?? id;
}

/** What each role may do here: operators acknowledge and silence, admins change rules and channels. */
export function alertPermissions(role: Role | null | undefined) {
  return {
    ack: !!role && roleAtLeast(role, "operator"),
    silence: !!role && roleAtLeast(role, "operator"),
    admin: !!role && roleAtLeast(role, "admin"),
  };
}

/** "45 s", "12 min", "3 h 5 min", "2 d 4 h". */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min`;
  const h = Math.floor(m / 60);
  if (h < 48) return m % 60 ? `${h} h ${m % 60} min` : `${h} h`;
  const d = Math.floor(h / 24);
  return h % 24 ? `${d} d ${h % 24} h` : `${d} d`;
}

/** How long an episode lasted (fired to resolved; pending time counts when it never fired). */
export function alertDuration(a: { pendingSince: string; startsAt: string | null; endsAt: string | null }): string | null {
  if (!a.endsAt) return null;
  return formatDuration(Date.parse(a.endsAt) - Date.parse(a.startsAt ?? a.pendingSince));
}

// ── URL filters ────────────────────────────────────────────────────────────────────────────

export type AlertRuleName = { id: AlertRuleId; name: string };
/** Every rule with its name, for filter and silence pickers. */
export const RULE_CHOICES: readonly AlertRuleName[] = (Object.entries(RULE_NAMES) as [AlertRuleId, string][]).map(([id, name]) => ({ id, name }));
