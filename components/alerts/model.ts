import type { z } from "zod";

import { SEVERITIES } from "@/components/alerts/words";
import { alertsQueryOptions, type AlertsFilter, type DeliveriesFilter } from "@/lib/client/alerts";
import {
  alertRuleIdSchema,
  alertSeveritySchema,
  createChannelBodySchema,
  createSilenceBodySchema,
  patchAlertRuleBodySchema,
  patchChannelBodySchema,
  type AlertRule,
  type AlertSeverity,
  type Channel,
  type ChannelType,
  type CreateChannelBody,
  type CreateSilenceBody,
  type PatchAlertRuleBody,
  type PatchChannelBody,
} from "@/lib/schemas/alerts";

/**
 * The pure side of the alert views: URL filters, form values to request bodies (checked by the
 * same schemas the routes use, so a form never sends what the server would refuse). The words,
 * permissions and links the shell needs too are in words.ts (re-exported here).
 */

export { alertDuration, alertPermissions, formatDuration, RULE_CHOICES, ruleName, SEVERITIES, SEVERITY_LABEL, type AlertRuleName } from "@/components/alerts/words";

export type Result<T> = { ok: true; value: T } | { ok: false; error: string };


export const ALERT_STATES = ["active", "firing", "pending", "history"] as const;
export type AlertPageState = (typeof ALERT_STATES)[number];

type Params = { get(name: string): string | null };

/** The alerts page's filters from its URL (`?state=&severity=&rule=` and the header's `?cluster=`); bad values are dropped. */
export function parseAlertFilters(params: Params): AlertsFilter & { state: AlertPageState } {
  const state = ALERT_STATES.find((s) => s === params.get("state")) ?? "active";
  const severity = alertSeveritySchema.safeParse(params.get("severity"));
  const rule = alertRuleIdSchema.safeParse(params.get("rule"));
  const cluster = params.get("cluster");
  return {
    state,
    ...(severity.success ? { severity: severity.data } : {}),
    ...(rule.success ? { rule: rule.data } : {}),
    ...(cluster ? { cluster } : {}),
  };
}

/** How many resolved alerts the page's history shows. */
export const HISTORY_LIMIT = 50;

/** The alerts page's two lists for its URL filters: the active ones (unless only history is asked for) and the history. */
export function alertsPageQueries(filter: AlertsFilter & { state: AlertPageState }) {
  const { state, ...rest } = filter;
  return {
    active: state === "history" ? null : alertsQueryOptions({ ...rest, state }),
    history: alertsQueryOptions({ ...rest, state: "history", limit: HISTORY_LIMIT }),
  };
}

/** The delivery log's filters from its URL (`?channel=&ok=true|false`). */
export function parseDeliveryFilters(params: Params): DeliveriesFilter {
  const channel = params.get("channel");
  const ok = params.get("ok");
  return { ...(channel ? { channel } : {}), ...(ok === "true" || ok === "false" ? { ok } : {}) };
}

function firstIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return "invalid";
  const where = issue.path.filter((p) => typeof p === "string" || typeof p === "number").join(".");
  return where ? `${where}: ${issue.message}` : issue.message;
}

function parsed<T>(r: { success: true; data: T } | { success: false; error: z.ZodError }): Result<T> {
  return r.success ? { ok: true, value: r.data } : { ok: false, error: firstIssue(r.error) };
}

/** A whole number from a form field, or null. */
function int(text: string): number | null {
  const t = text.trim();
  return /^-?\d+$/.test(t) ? Number(t) : null;
}

// ── silences ───────────────────────────────────────────────────────────────────────────────

/** The "ends in" choices, in minutes (the server allows at most 90 days). */
export const SILENCE_DURATIONS: readonly { minutes: number; label: string }[] = [
  { minutes: 30, label: "30 minutes" },
  { minutes: 60, label: "1 hour" },
  { minutes: 240, label: "4 hours" },
  { minutes: 720, label: "12 hours" },
  { minutes: 1_440, label: "1 day" },
  { minutes: 4_320, label: "3 days" },
  { minutes: 10_080, label: "7 days" },
  { minutes: 43_200, label: "30 days" },
  { minutes: 129_600, label: "90 days" },
];

export interface SilenceForm {
  rule: string;
  cluster: string;
  node: string;
  endsInMinutes: number;
  reason: string;
}

export function silenceBodyFromForm(form: SilenceForm, now: Date): Result<CreateSilenceBody> {
  const matchers = {
    ...(form.rule ? { rule: form.rule } : {}),
    ...(form.cluster.trim() ? { cluster: form.cluster.trim() } : {}),
    ...(form.node.trim() ? { node: form.node.trim() } : {}),
  };
  const endsAt = new Date(now.getTime() + form.endsInMinutes * 60_000).toISOString();
  return parsed(createSilenceBodySchema.safeParse({ matchers, endsAt, reason: form.reason }));
}

// ── rules ──────────────────────────────────────────────────────────────────────────────────

export interface RuleForm {
  enabled: boolean;
  severity: AlertSeverity;
  forSeconds: string;
  renotifyMinutes: string;
  params: Record<string, string>;
}

export function ruleFormOf(rule: AlertRule): RuleForm {
  return {
    enabled: rule.enabled,
    severity: rule.severity,
    forSeconds: String(rule.forSeconds),
    renotifyMinutes: String(rule.renotifyMinutes),
    params: Object.fromEntries(rule.paramSpecs.map((p) => [p.key, String(rule.params[p.key] ?? rule.defaults.params[p.key] ?? "")])),
  };
}

/** The PATCH body for what the admin changed (only that), or why it cannot be sent. */
export function rulePatchFromForm(rule: AlertRule, form: RuleForm): Result<PatchAlertRuleBody> {
  const patch: PatchAlertRuleBody = {};
  if (form.enabled !== rule.enabled) patch.enabled = form.enabled;
  if (form.severity !== rule.severity) patch.severity = form.severity;
  const forSeconds = int(form.forSeconds);
  if (forSeconds === null) return { ok: false, error: "For: a whole number of seconds" };
  if (forSeconds !== rule.forSeconds) patch.forSeconds = forSeconds;
  const renotify = int(form.renotifyMinutes);
  if (renotify === null) return { ok: false, error: "Re-notify: a whole number of minutes (0 never)" };
  if (renotify !== rule.renotifyMinutes) patch.renotifyMinutes = renotify;
  const params: Record<string, number> = {};
  for (const spec of rule.paramSpecs) {
    const text = (form.params[spec.key] ?? "").trim();
    const value = text === "" ? NaN : Number(text);
    if (!Number.isFinite(value) || value < spec.min || value > spec.max) return { ok: false, error: `${spec.label}: a number from ${spec.min} to ${spec.max} (${spec.unit})` };
    if (value !== rule.params[spec.key]) params[spec.key] = value;
  }
  if (Object.keys(params).length > 0) patch.params = { ...rule.params, ...params };
  if (Object.keys(patch).length === 0) return { ok: false, error: "Nothing changed" };
  return parsed(patchAlertRuleBodySchema.safeParse(patch));
}

/** Whether a rule runs on other settings than its defaults. */
export function ruleCustomized(rule: AlertRule): boolean {
  const d = rule.defaults;
  return (
    rule.enabled !== d.enabled ||
    rule.severity !== d.severity ||
    rule.forSeconds !== d.forSeconds ||
    rule.renotifyMinutes !== d.renotifyMinutes ||
    rule.paramSpecs.some((p) => rule.params[p.key] !== d.params[p.key])
  );
}

// ── channels ───────────────────────────────────────────────────────────────────────────────

export interface ChannelForm {
  type: ChannelType;
  name: string;
  enabled: boolean;
  /** Webhook or Slack URL; on edit, empty keeps the stored one (it may hold a token we never show). */
  url: string;
  /** Webhook secret; empty: generated on create, kept on edit. */
  secret: string;
  smtpHost: string;
  smtpPort: string;
  smtpSecurity: "starttls" | "tls";
  smtpUsername: string;
  /** Empty on edit keeps the stored password. */
  smtpPassword: string;
  smtpFrom: string;
  /** Recipients, separated by commas, spaces or lines. */
  smtpTo: string;
  severities: AlertSeverity[];
  /** Cluster names separated by commas; empty: every cluster. */
  clusters: string;
}

export function channelFormOf(channel?: Channel): ChannelForm {
  return {
    type: channel?.type ?? "webhook",
    name: channel?.name ?? "",
    enabled: channel?.enabled ?? true,
    url: "",
    secret: "",
    smtpHost: channel?.smtp?.host ?? "",
    smtpPort: String(channel?.smtp?.port ?? 587),
    smtpSecurity: channel?.smtp?.security ?? "starttls",
    smtpUsername: channel?.smtp?.username ?? "",
    smtpPassword: "",
    smtpFrom: channel?.smtp?.from ?? "",
    smtpTo: channel?.smtp?.to.join(", ") ?? "",
    severities: channel ? [...channel.severities] : [...SEVERITIES],
    clusters: channel?.clusters?.join(", ") ?? "",
  };
}

const list = (text: string) =>
  text
    .split(/[\s,;]+/)
    .map((s) => s.trim())
    .filter(Boolean);

function smtpOf(form: ChannelForm) {
  return {
    host: form.smtpHost.trim(),
    port: int(form.smtpPort) ?? NaN,
    security: form.smtpSecurity,
    ...(form.smtpUsername.trim() ? { username: form.smtpUsername.trim() } : {}),
    ...(form.smtpPassword ? { password: form.smtpPassword } : {}),
    from: form.smtpFrom.trim(),
    to: list(form.smtpTo),
  };
}

/** POST /api/alerts/channels's body from the form. */
export function channelCreateFromForm(form: ChannelForm): Result<CreateChannelBody> {
  const clusters = list(form.clusters);
  const common = { name: form.name, enabled: form.enabled, severities: form.severities, ...(clusters.length ? { clusters } : {}) };
  if (form.severities.length === 0) return { ok: false, error: "Severities: pick at least one" };
  const body =
    form.type === "email"
      ? { type: "email", ...common, smtp: smtpOf(form) }
      : form.type === "slack"
        ? { type: "slack", ...common, url: form.url.trim() }
        : { type: "webhook", ...common, url: form.url.trim(), ...(form.secret ? { secret: form.secret } : {}) };
  return parsed(createChannelBodySchema.safeParse(body));
}

/** PATCH /api/alerts/channels/:id's body: what differs from the channel; empty secret fields keep the stored ones. */
export function channelPatchFromForm(channel: Channel, form: ChannelForm): Result<PatchChannelBody> {
  if (form.severities.length === 0) return { ok: false, error: "Severities: pick at least one" };
  const patch: PatchChannelBody = {};
  if (form.name.trim() !== channel.name) patch.name = form.name;
  if (form.enabled !== channel.enabled) patch.enabled = form.enabled;
  if (form.url.trim() && channel.type !== "email") patch.url = form.url.trim();
  if (form.secret && channel.type === "webhook") patch.secret = form.secret;
  const severities = SEVERITIES.filter((s) => form.severities.includes(s));
  if (severities.join() !== SEVERITIES.filter((s) => channel.severities.includes(s)).join()) patch.severities = severities;
  const clusters = list(form.clusters);
  const was = channel.clusters ?? [];
  if (clusters.join() !== was.join()) patch.clusters = clusters.length ? clusters : null;
  if (channel.type === "email" && channel.smtp) {
    const next = smtpOf(form);
    const s = channel.smtp;
    const smtp: NonNullable<PatchChannelBody["smtp"]> = {};
    if (next.host !== s.host) smtp.host = next.host;
    if (next.port !== s.port) smtp.port = next.port;
    if (next.security !== s.security) smtp.security = next.security;
    if ((next.username ?? null) !== s.username) smtp.username = next.username ?? "";
    if (next.password) smtp.password = next.password;
    if (next.from !== s.from) smtp.from = next.from;
    if (next.to.join() !== s.to.join()) smtp.to = next.to;
    if (Object.keys(smtp).length > 0) patch.smtp = smtp;
  }
  if (Object.keys(patch).length === 0) return { ok: false, error: "Nothing changed" };
  return parsed(patchChannelBodySchema.safeParse(patch));
}
