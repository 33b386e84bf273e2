import "server-only";

import { getDb, type Db } from "@/lib/server/platform/db/db";

import { prometheusRuleFile } from "./prometheus-rules";
import { listAlertRules } from "./rules";

/** The YAML media type (RFC 9512); Prometheus reads the file whatever it was served as. */
export const PROMETHEUS_RULES_CONTENT_TYPE = "application/yaml; charset=utf-8";

/** GET /api/alerts/prometheus-rules: the rules as they stand, as a Prometheus rule file. */
export async function prometheusRulesResponse(db: Db = getDb(), now: Date = new Date()): Promise<Response> {
  const body = prometheusRuleFile(await listAlertRules(db), now);
  return new Response(body, {
    headers: {
      "content-type": PROMETHEUS_RULES_CONTENT_TYPE,
      "content-disposition": 'inline; filename="minos-alerts.rules.yaml"',
      "cache-control": "no-store",
    },
  });
}
