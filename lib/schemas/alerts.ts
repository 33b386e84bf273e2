import { z } from "zod";

/**
 * The HTTP contract of alerts and notifications (issue 19): rules, alerts, silences, channels and
 * their delivery log, the webhook payload, and the SSE event. Every wire type is inferred here.
 */

export const alertSeveritySchema = z.enum(["info", "warning", "critical"]);
export type AlertSeverity = z.infer<typeof alertSeveritySchema>;

/**
 * The built-in rules (lib/alerts/catalog.ts describes each: name, defaults, thresholds).
 * - `node-unreachable`: the node has not answered for the rule's duration.
 * - `node-not-ready`: reachable but MachineStatus not ready (a stage or an unmet condition).
 * - `service-failing`: a Talos service failed or reports unhealthy (object: the service id).
 * - `etcd-quorum`: the cluster's etcd quorum is degraded (critical: lost).
 * - `etcd-member-down`: a control plane's etcd member is missing, a learner or unhealthy.
 * - `certificate-expiry`: a certificate reached the warning or critical tier, or expired
 *   (object: the certificate id; the talosconfig client certificate included).
 * - `run-failed`: an upgrade, Kubernetes upgrade, rollout, CA rotation or bulk action failed
 *   (object: `<kind>:<id>`).
 * - `run-halted`: one of those runs waits for a person (paused on a failure, a blocked drain).
 * - `backup-failed`: the cluster's latest etcd backup failed.
 * - `config-drift`: the node's running config differs from the last one Minos applied.
 * - `talos-unsupported`: the node runs a Talos minor past its end of community support.
 */
export const alertRuleIdSchema = z.enum([
  "node-unreachable",
  "node-not-ready",
  "service-failing",
  "etcd-quorum",
  "etcd-member-down",
  "certificate-expiry",
  "run-failed",
  "run-halted",
  "backup-failed",
  "config-drift",
  "talos-unsupported",
]);
export type AlertRuleId = z.infer<typeof alertRuleIdSchema>;

/** One threshold a rule takes besides its duration (e.g. `maxAgeHours`), as the settings form shows it. */
export const alertRuleParamSpecSchema = z.object({
  key: z.string(),
  label: z.string(),
  unit: z.enum(["seconds", "minutes", "hours", "days", "count", "minors"]),
  min: z.number(),
  max: z.number(),
  description: z.string(),
});
export type AlertRuleParamSpec = z.infer<typeof alertRuleParamSpecSchema>;

/** What an admin can change on a rule. */
export const alertRuleSettingsSchema = z.object({
  enabled: z.boolean(),
  severity: alertSeveritySchema,
  /** The condition must hold this long before the alert fires (damps flapping); 0 fires at once. */
  forSeconds: z.number().int().min(0).max(7 * 86_400),
  /** A critical alert nobody acknowledged is notified again this often; 0 never. */
  renotifyMinutes: z.number().int().min(0).max(7 * 1_440),
  /** The rule's own thresholds, keyed by its param specs' keys. */
  params: z.record(z.string(), z.number()),
});
export type AlertRuleSettings = z.infer<typeof alertRuleSettingsSchema>;

/** GET /api/alerts/rules[/:id] */
export const alertRuleSchema = alertRuleSettingsSchema.extend({
  id: alertRuleIdSchema,
  name: z.string(),
  description: z.string(),
  paramSpecs: z.array(alertRuleParamSpecSchema),
  defaults: alertRuleSettingsSchema,
  /** null while the rule runs on its defaults. */
  updatedBy: z.string().nullable(),
  updatedAt: z.iso.datetime().nullable(),
});
export type AlertRule = z.infer<typeof alertRuleSchema>;

export const alertRulesResponseSchema = z.object({ rules: z.array(alertRuleSchema) });
export type AlertRulesResponse = z.infer<typeof alertRulesResponseSchema>;

/** PATCH /api/alerts/rules/:id [admin]; `reset: true` goes back to the defaults. Unknown param keys are a 422. */
export const patchAlertRuleBodySchema = alertRuleSettingsSchema
  .partial()
  .extend({ reset: z.literal(true).optional() })
  .strict();
export type PatchAlertRuleBody = z.infer<typeof patchAlertRuleBodySchema>;

export const alertStatusSchema = z.enum(["pending", "firing", "resolved"]);
export type AlertStatus = z.infer<typeof alertStatusSchema>;

/**
 * One alert: an episode of a rule's condition for one key (rule + cluster + node + object).
 * `pending` while the condition holds for less than the rule's duration (nobody is notified),
 * `firing` after, `resolved` once the condition is gone (a later episode is a new alert).
 */
export const alertSchema = z.object({
  id: z.string(),
  key: z.string(),
  rule: alertRuleIdSchema,
  severity: alertSeveritySchema,
  status: alertStatusSchema,
  cluster: z.string(),
  /** The node's id (`address@cluster`) for node rules; null for cluster-wide ones. */
  node: z.string().nullable(),
  hostname: z.string().nullable(),
  /** What else the key names: a service id, certificate id, `<kind>:<run id>`; null when none. */
  object: z.string().nullable(),
  /** One human sentence. Never a secret. */
  summary: z.string(),
  /** Where in Minos to look (a path, e.g. `/nodes/10.5.0.3%40prod`). */
  path: z.string(),
  /** When the condition was first seen. */
  pendingSince: z.iso.datetime(),
  /** When it fired; null while pending. */
  startsAt: z.iso.datetime().nullable(),
  /** When it resolved. */
  endsAt: z.iso.datetime().nullable(),
  lastNotifiedAt: z.iso.datetime().nullable(),
  acknowledgedBy: z.string().nullable(),
  acknowledgedAt: z.iso.datetime().nullable(),
  /** The silence that keeps it quiet now (or kept it quiet when it fired), if any. */
  silencedBy: z.string().nullable(),
});
export type Alert = z.infer<typeof alertSchema>;

export const alertCountsSchema = z.object({
  /** Firing alerts, silenced ones excluded. */
  firing: z.number().int(),
  critical: z.number().int(),
  warning: z.number().int(),
  info: z.number().int(),
  pending: z.number().int(),
  silenced: z.number().int(),
  acknowledged: z.number().int(),
});
export type AlertCounts = z.infer<typeof alertCountsSchema>;

/** GET /api/alerts?state=&cluster=&node=&rule=&severity=&limit= */
export const alertsQuerySchema = z.object({
  /** `active` = pending and firing (default); `history` = resolved, newest first. */
  state: z.enum(["active", "firing", "pending", "history", "all"]).default("active"),
  cluster: z.string().min(1).max(253).optional(),
  node: z.string().min(1).max(300).optional(),
  rule: alertRuleIdSchema.optional(),
  severity: alertSeveritySchema.optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(200),
});
export type AlertsQuery = z.infer<typeof alertsQuerySchema>;

export const alertsResponseSchema = z.object({
  alerts: z.array(alertSchema),
  counts: alertCountsSchema,
  /** When the rules last ran; null before the first evaluation. */
  evaluatedAt: z.iso.datetime().nullable(),
});
export type AlertsResponse = z.infer<typeof alertsResponseSchema>;

/** POST /api/alerts/:id/ack [operator]: stops re-notification of a firing alert. */
export const ackAlertBodySchema = z.object({ comment: z.string().max(500).optional() }).strict();
export type AckAlertBody = z.infer<typeof ackAlertBodySchema>;

/** Which alerts a silence keeps quiet: all given matchers must equal (exact strings). */
export const silenceMatchersSchema = z
  .object({
    rule: alertRuleIdSchema.optional(),
    cluster: z.string().min(1).max(253).optional(),
    node: z.string().min(1).max(300).optional(),
  })
  .strict()
  .refine((m) => m.rule !== undefined || m.cluster !== undefined || m.node !== undefined, "name at least one of rule, cluster, node");
export type SilenceMatchers = z.infer<typeof silenceMatchersSchema>;

/** POST /api/alerts/silences [operator]; `endsAt` in the future, at most 90 days ahead (checked by the server). */
export const createSilenceBodySchema = z
  .object({
    matchers: silenceMatchersSchema,
    endsAt: z.iso.datetime(),
    reason: z.string().trim().min(1).max(500),
  })
  .strict();
export type CreateSilenceBody = z.infer<typeof createSilenceBodySchema>;

export const silenceSchema = z.object({
  id: z.string(),
  matchers: z.object({ rule: alertRuleIdSchema.optional(), cluster: z.string().optional(), node: z.string().optional() }),
  startsAt: z.iso.datetime(),
  endsAt: z.iso.datetime(),
  reason: z.string(),
  createdBy: z.string(),
  /** Set when someone ended it early (DELETE). */
  expiredBy: z.string().nullable(),
  expiredAt: z.iso.datetime().nullable(),
  active: z.boolean(),
});
export type Silence = z.infer<typeof silenceSchema>;

/** GET /api/alerts/silences?state=active|all */
export const silencesQuerySchema = z.object({ state: z.enum(["active", "all"]).default("active") });
export const silencesResponseSchema = z.object({ silences: z.array(silenceSchema) });
export type SilencesResponse = z.infer<typeof silencesResponseSchema>;

/** DELETE /api/alerts/silences?id= [operator]: ends the silence now (kept in the list as expired). */
export const deleteSilenceQuerySchema = z.object({ id: z.string().min(1).max(100) });

// ── channels ──────────────────────────────────────────────────────────────────────────────

export const channelTypeSchema = z.enum(["webhook", "slack", "email"]);
export type ChannelType = z.infer<typeof channelTypeSchema>;

const channelName = z.string().trim().min(1).max(100);
const httpUrl = z.url({ protocol: /^https?$/ }).max(2048);
const email = z.email().max(254);
/** Which alerts a channel gets: severities (default all three) and clusters (null or absent: every cluster). */
const channelFilters = {
  severities: z.array(alertSeveritySchema).min(1).max(3).optional(),
  clusters: z.array(z.string().min(1).max(253)).min(1).max(100).nullable().optional(),
  enabled: z.boolean().optional(),
};

/** SMTP settings of an email channel; `security`: `tls` (implicit, usually port 465) or `starttls` (required upgrade, usually 587). */
export const smtpSettingsSchema = z
  .object({
    host: z.string().trim().min(1).max(253),
    port: z.number().int().min(1).max(65535),
    security: z.enum(["starttls", "tls"]),
    username: z.string().max(254).optional(),
    /** Write-only: never returned. */
    password: z.string().max(1024).optional(),
    from: email,
    to: z.array(email).min(1).max(20),
  })
  .strict();
export type SmtpSettings = z.infer<typeof smtpSettingsSchema>;

/**
 * POST /api/alerts/channels [admin]. A webhook without `secret` gets one generated, returned once
 * in the response. The Slack URL is a secret itself (sealed, never returned whole).
 */
export const createChannelBodySchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("webhook"), name: channelName, url: httpUrl, secret: z.string().min(16).max(256).optional(), ...channelFilters }).strict(),
  z.object({ type: z.literal("slack"), name: channelName, url: z.url({ protocol: /^https$/ }).max(2048), ...channelFilters }).strict(),
  z.object({ type: z.literal("email"), name: channelName, smtp: smtpSettingsSchema, ...channelFilters }).strict(),
]);
export type CreateChannelBody = z.infer<typeof createChannelBodySchema>;

/** PATCH /api/alerts/channels/:id [admin]: any of these; the type never changes. An omitted secret or password is kept. */
export const patchChannelBodySchema = z
  .object({
    name: channelName.optional(),
    url: httpUrl.optional(),
    secret: z.string().min(16).max(256).optional(),
    smtp: smtpSettingsSchema.partial().strict().optional(),
    ...channelFilters,
  })
  .strict();
export type PatchChannelBody = z.infer<typeof patchChannelBodySchema>;

/** A channel as anyone may see it: no secret, no password, no whole Slack URL, no URL query or user info. */
export const channelSchema = z.object({
  id: z.string(),
  type: channelTypeSchema,
  name: z.string(),
  enabled: z.boolean(),
  /** Where it goes, redacted: `https://hooks.example.com/minos`, `hooks.slack.com (incoming webhook)`, `smtp.example.com:587 → oncall@example.com`. */
  target: z.string(),
  hasSecret: z.boolean(),
  smtp: z
    .object({ host: z.string(), port: z.number().int(), security: z.enum(["starttls", "tls"]), username: z.string().nullable(), hasPassword: z.boolean(), from: z.string(), to: z.array(z.string()) })
    .nullable(),
  severities: z.array(alertSeveritySchema),
  clusters: z.array(z.string()).nullable(),
  /** `failing` after several deliveries in a row failed; back to `ok` on the next success. */
  state: z.enum(["ok", "failing", "untested"]),
  consecutiveFailures: z.number().int(),
  failingSince: z.iso.datetime().nullable(),
  /** The last failure's reason, redacted. */
  lastError: z.string().nullable(),
  lastDeliveryAt: z.iso.datetime().nullable(),
  createdBy: z.string(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});
export type Channel = z.infer<typeof channelSchema>;

export const channelsResponseSchema = z.object({ channels: z.array(channelSchema) });
export type ChannelsResponse = z.infer<typeof channelsResponseSchema>;

/** POST /api/alerts/channels → 201; `secret` only when Minos generated it (shown once). */
export const createChannelResponseSchema = z.object({ channel: channelSchema, secret: z.string().optional() });
export type CreateChannelResponse = z.infer<typeof createChannelResponseSchema>;

/** One attempt to send one notification (or a test) to one channel. */
export const deliverySchema = z.object({
  id: z.string(),
  channelId: z.string(),
  channelName: z.string(),
  channelType: channelTypeSchema,
  /** null for a test. */
  alertId: z.string().nullable(),
  kind: z.enum(["firing", "resolved", "test"]),
  rule: z.string().nullable(),
  severity: alertSeveritySchema.nullable(),
  cluster: z.string().nullable(),
  attempt: z.number().int(),
  at: z.iso.datetime(),
  ok: z.boolean(),
  /** The HTTP status, or the SMTP reply code; null when no answer came (refused, timed out). */
  statusCode: z.number().int().nullable(),
  /** Why it failed, redacted (never a secret or a URL's query). */
  error: z.string().nullable(),
  durationMs: z.number().int(),
  /** When the next attempt is due; null when this one succeeded or was the last. */
  nextAttemptAt: z.iso.datetime().nullable(),
});
export type Delivery = z.infer<typeof deliverySchema>;

/** GET /api/alerts/deliveries?channel=&alert=&ok=&limit= */
export const deliveriesQuerySchema = z.object({
  channel: z.string().min(1).max(100).optional(),
  alert: z.string().min(1).max(100).optional(),
  ok: z.enum(["true", "false"]).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});
export type DeliveriesQuery = z.infer<typeof deliveriesQuerySchema>;

export const deliveriesResponseSchema = z.object({ deliveries: z.array(deliverySchema) });
export type DeliveriesResponse = z.infer<typeof deliveriesResponseSchema>;

/** `:id` of /api/alerts/channels/:id[/test]. */
export const channelParamsSchema = z.object({ id: z.string().min(1).max(100) });

/** POST /api/alerts/channels/:id/test [admin] → the attempt (200 even when it failed: `ok` says). */
export const channelTestResponseSchema = z.object({ delivery: deliverySchema });
export type ChannelTestResponse = z.infer<typeof channelTestResponseSchema>;

/**
 * The generic webhook's JSON body (docs/alerts-webhook.schema.json is generated from this). Signed:
 * `X-Minos-Timestamp: <unix seconds>`, `X-Minos-Signature: sha256=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>`.
 * `rule` is `test` for "Send a test".
 */
export const webhookPayloadSchema = z.object({
  id: z.string(),
  status: z.enum(["firing", "resolved"]),
  rule: z.string(),
  severity: alertSeveritySchema,
  cluster: z.string(),
  node: z.string().optional(),
  summary: z.string(),
  startsAt: z.iso.datetime(),
  endsAt: z.iso.datetime().optional(),
  url: z.url(),
});
export type WebhookPayload = z.infer<typeof webhookPayloadSchema>;

/**
 * The SSE `alerts` event on GET /api/events: the counts after each evaluation that changed
 * something, with the alerts that changed (whole).
 */
export const alertEventSchema = z.object({
  counts: alertCountsSchema,
  changed: z.array(alertSchema),
  evaluatedAt: z.iso.datetime(),
});
export type AlertEvent = z.infer<typeof alertEventSchema>;

/** SSE `alert-channel` event: a channel's state changed (e.g. it became failing). */
export const alertChannelEventSchema = z.object({ channel: channelSchema });
export type AlertChannelEvent = z.infer<typeof alertChannelEventSchema>;
