import "server-only";

import { RULES, ruleDefinition, type RuleDefinition } from "@/lib/alerts/catalog";
import type { AlertRule, AlertRuleId, AlertRuleSettings, AlertSeverity, PatchAlertRuleBody } from "@/lib/schemas/alerts";
import type { Db } from "@/lib/server/platform/db/db";
import type { AlertRulesTable } from "@/lib/server/platform/db/schema-alerts";
import { AppError } from "@/lib/server/platform/errors";

/** The rules as they stand: each built-in rule with the admin's settings (alert_rules) over its defaults. */
export async function listAlertRules(db: Db): Promise<AlertRule[]> {
  const rows = new Map((await db.selectFrom("alert_rules").selectAll().execute()).map((r) => [r.rule_id, r]));
  return RULES.map((def) => view(def, rows.get(def.id)));
}

export async function getAlertRule(db: Db, id: AlertRuleId): Promise<AlertRule> {
  const row = await db.selectFrom("alert_rules").selectAll().where("rule_id", "=", id).executeTakeFirst();
  return view(ruleDefinition(id), row);
}

/** The settings the evaluator runs with, by rule. */
export async function ruleSettings(db: Db): Promise<Map<AlertRuleId, AlertRuleSettings>> {
  return new Map((await listAlertRules(db)).map((r) => [r.id, { enabled: r.enabled, severity: r.severity, forSeconds: r.forSeconds, renotifyMinutes: r.renotifyMinutes, params: r.params }]));
}

function view(def: RuleDefinition, row: AlertRulesTable | undefined): AlertRule {
  const settings: AlertRuleSettings = row
    ? {
        enabled: row.enabled === 1,
        severity: row.severity as AlertSeverity,
        forSeconds: row.for_seconds,
        renotifyMinutes: row.renotify_minutes,
        // A param the catalog added since the row was written takes its default.
        params: { ...def.defaults.params, ...pickKnown(def, JSON.parse(row.params) as Record<string, number>) },
      }
    : { ...def.defaults, params: { ...def.defaults.params } };
  return { ...settings, id: def.id, name: def.name, description: def.description, paramSpecs: def.paramSpecs, defaults: def.defaults, updatedBy: row?.updated_by ?? null, updatedAt: row?.updated_at ?? null };
}

function pickKnown(def: RuleDefinition, params: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(params).filter(([k]) => def.paramSpecs.some((s) => s.key === k)));
}

/**
 * The settings a PATCH leads to (pure): the body over the current settings, its params checked
 * against the rule's param specs. @throws AppError invalid_config (422) for an unknown key or a value out of range.
 */
export function patchedSettings(def: RuleDefinition, current: AlertRuleSettings, body: PatchAlertRuleBody): AlertRuleSettings {
  if (body.reset) return { ...def.defaults, params: { ...def.defaults.params } };
  const params = { ...current.params };
  for (const [key, value] of Object.entries(body.params ?? {})) {
    const spec = def.paramSpecs.find((s) => s.key === key);
    if (!spec) {
      const known = def.paramSpecs.map((s) => s.key);
      throw new AppError("invalid_config", `Rule ${def.id} has no parameter "${key}"${known.length ? ` (it takes ${known.join(", ")})` : " (it takes none)"}`, { details: { param: key, known } });
    }
    if (!Number.isFinite(value) || value < spec.min || value > spec.max) {
      throw new AppError("invalid_config", `Parameter ${key} of rule ${def.id} must be between ${spec.min} and ${spec.max} ${spec.unit}; got ${value}`, { details: { param: key, min: spec.min, max: spec.max } });
    }
    params[key] = value;
  }
  return {
    enabled: body.enabled ?? current.enabled,
    severity: body.severity ?? current.severity,
    forSeconds: body.forSeconds ?? current.forSeconds,
    renotifyMinutes: body.renotifyMinutes ?? current.renotifyMinutes,
    params,
  };
}

/** Writes a rule's settings (a reset deletes the row: the rule follows its defaults again, future ones included). */
export async function saveRuleSettings(db: Db, id: AlertRuleId, settings: AlertRuleSettings | null, by: string, at: Date): Promise<void> {
  if (settings === null) {
    await db.deleteFrom("alert_rules").where("rule_id", "=", id).execute();
    return;
  }
  const row = {
    enabled: settings.enabled ? 1 : 0,
    severity: settings.severity,
    for_seconds: settings.forSeconds,
    renotify_minutes: settings.renotifyMinutes,
    params: JSON.stringify(settings.params),
    updated_by: by,
    updated_at: at.toISOString(),
  };
  await db
    .insertInto("alert_rules")
    .values({ rule_id: id, ...row })
    .onConflict((oc) => oc.column("rule_id").doUpdateSet(row))
    .execute();
}
