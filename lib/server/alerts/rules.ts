import "server-only";

import { RULES } from "@/lib/alerts/catalog";
import type { AlertRule } from "@/lib/schemas/alerts";
import type { Db } from "@/lib/server/platform/db/db";

/**
 * The rules as they stand: each built-in rule with the admin's changes over its defaults
 * (placeholder until the engine's alert_rules table lands: defaults only).
 */
export async function listAlertRules(_db: Db): Promise<AlertRule[]> {
  return RULES.map((r) => ({ ...r.defaults, id: r.id, name: r.name, description: r.description, paramSpecs: r.paramSpecs, defaults: r.defaults, updatedBy: null, updatedAt: null }));
}
