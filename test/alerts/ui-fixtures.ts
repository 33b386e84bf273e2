/**
 * Alert, channel, rule and delivery fixtures for the UI's tests, each parsed by the contract's
 * schema (lib/schemas/alerts.ts), so a test can never build data the server could not send.
 */
import { RULES } from "@/lib/alerts/catalog";
import { alertCountsSchema, alertRuleSchema, alertSchema, channelSchema, deliverySchema, silenceSchema, type Alert, type AlertRule, type Channel, type Delivery, type Silence } from "@/lib/schemas/alerts";

export const T0 = "2026-12-07T00:00:00.000Z";

export function alertFixture(over: Partial<Alert> = {}): Alert {
  return alertSchema.parse({
    id: "al-1",
    key: "node-unreachable|prod|10.5.0.3@prod|",
    rule: "node-unreachable",
    severity: "critical",
    status: "firing",
    cluster: "prod",
    node: "10.5.0.3@prod",
    hostname: "worker-3",
    object: null,
    summary: "worker-3 has not answered for 5 min",
    path: "/nodes/10.5.0.3%40prod",
    pendingSince: "2026-12-06T23:50:00.000Z",
    startsAt: "2026-12-06T23:55:00.000Z",
    endsAt: null,
    lastNotifiedAt: "2026-12-06T23:55:00.000Z",
    acknowledgedBy: null,
    acknowledgedAt: null,
    silencedBy: null,
    ...over,
  });
}

export function countsFixture(over: Partial<ReturnType<typeof alertCountsSchema.parse>> = {}) {
  return alertCountsSchema.parse({ firing: 1, critical: 1, warning: 0, info: 0, pending: 0, silenced: 0, acknowledged: 0, ...over });
}

export function ruleFixture(id: AlertRule["id"], over: Partial<AlertRule> = {}): AlertRule {
  const def = RULES.find((r) => r.id === id)!;
  return alertRuleSchema.parse({ id, name: def.name, description: def.description, paramSpecs: def.paramSpecs, defaults: def.defaults, ...def.defaults, updatedBy: null, updatedAt: null, ...over });
}

export function channelFixture(over: Partial<Channel> = {}): Channel {
  return channelSchema.parse({
    id: "ch-1",
    type: "webhook",
    name: "on-call hook",
    enabled: true,
    target: "https://hooks.example.com/minos",
    hasSecret: true,
    smtp: null,
    severities: ["critical", "warning", "info"],
    clusters: null,
    state: "ok",
    consecutiveFailures: 0,
    failingSince: null,
    lastError: null,
    lastDeliveryAt: T0,
    createdBy: "user:ada",
    createdAt: T0,
    updatedAt: T0,
    ...over,
  });
}

export function deliveryFixture(over: Partial<Delivery> = {}): Delivery {
  return deliverySchema.parse({
    id: "d-1",
    channelId: "ch-1",
    channelName: "on-call hook",
    channelType: "webhook",
    alertId: "al-1",
    kind: "firing",
    rule: "node-unreachable",
    severity: "critical",
    cluster: "prod",
    attempt: 1,
    at: T0,
    ok: true,
    statusCode: 200,
    error: null,
    durationMs: 12,
    nextAttemptAt: null,
    ...over,
  });
}

export function silenceFixture(over: Partial<Silence> = {}): Silence {
  return silenceSchema.parse({
    id: "si-1",
    matchers: { rule: "node-unreachable", node: "10.5.0.3@prod" },
    startsAt: T0,
    endsAt: "2026-12-07T04:00:00.000Z",
    reason: "maintenance of worker-3",
    createdBy: "user:ada",
    expiredBy: null,
    expiredAt: null,
    active: true,
    ...over,
  });
}
