import "server-only";

import { Gauge, type Registry } from "prom-client";

import { RULES } from "@/lib/alerts/catalog";
import { alertSeveritySchema } from "@/lib/schemas/alerts";

import type { AlertRecord } from "./lifecycle";

export const ALERTS_FIRING_METRIC = "minos_alerts_firing";

/**
 * `minos_alerts_firing{rule,severity}`: alerts firing now, silenced ones included (a dashboard
 * wants to see them; the bell does not count them). Every rule × severity is present (0 when
 * none), so a series never vanishes. Read from the store at scrape time: any replica answers the
 * same. Minos's own Prometheus rules (prometheus*.ts) must not alert on it: it is the alerts
 * themselves, not a fact about the fleet.
 */
export function registerAlertMetrics(registry: Registry, readOpen: () => Promise<Pick<AlertRecord, "rule" | "severity" | "status">[]>): void {
  if (registry.getSingleMetric(ALERTS_FIRING_METRIC)) return;
  new Gauge({
    name: ALERTS_FIRING_METRIC,
    help: "Minos alerts firing now, by rule and severity",
    labelNames: ["rule", "severity"] as const,
    registers: [registry],
    async collect() {
      const open = await readOpen().catch(() => null);
      this.reset();
      if (!open) return;
      for (const r of RULES) for (const severity of alertSeveritySchema.options) this.set({ rule: r.id, severity }, 0);
      for (const a of open) if (a.status === "firing") this.inc({ rule: a.rule, severity: a.severity });
    },
  });
}
