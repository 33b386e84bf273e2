import "server-only";

import { randomBytes, randomUUID } from "node:crypto";
import { performance } from "node:perf_hooks";

import {
  smtpSettingsSchema,
  type Channel,
  type ChannelTestResponse,
  type ChannelType,
  type CreateChannelBody,
  type CreateChannelResponse,
  type DeliveriesQuery,
  type DeliveriesResponse,
  type PatchChannelBody,
} from "@/lib/schemas/alerts";
import type { Actor } from "@/lib/server/auth/actor";
import { recordAudit } from "@/lib/server/platform/audit";
import type { Db } from "@/lib/server/platform/db/db";
import type { AlertChannelsTable } from "@/lib/server/platform/db/schema-alert-delivery";
import { AppError } from "@/lib/server/platform/errors";
import type { SecretBox } from "@/lib/server/platform/secret-box";

import { testNotice } from "./messages";
import { targetOf, type ChannelSecrets, type ChannelSettings } from "./model";
import { recordAttempt } from "./outcome";
import { cancelPending, channelView, deleteChannelRow, deliveryView, getChannelRow, insertChannel, listChannelRows, listDeliveries, openChannel, sealSecrets, updateChannel, type NewDelivery } from "./repository";
import type { Sender, SenderDeps, SendResult } from "./senders";

/** What the channel routes need; tests pass their own store, box, clock and senders. */
export interface ChannelServiceDeps {
  db: Db;
  box: SecretBox;
  now: () => Date;
  senders: Record<ChannelType, Sender>;
  sender: Omit<SenderDeps, "now">;
  publish(channel: Channel): void;
}

const ALL_SEVERITIES: Channel["severities"] = ["info", "warning", "critical"];

/** A generated webhook secret: 32 random bytes, base64url (43 characters). */
export function generateSecret(): string {
  return randomBytes(32).toString("base64url");
}

async function rowOrThrow(db: Db, id: string): Promise<AlertChannelsTable> {
  const row = await getChannelRow(db, id);
  if (!row) throw new AppError("not_found", `No alert channel "${id}"`);
  return row;
}

async function assertNameFree(db: Db, name: string, except?: string): Promise<void> {
  const clash = (await listChannelRows(db)).find((r) => r.name.toLowerCase() === name.toLowerCase() && r.id !== except);
  if (clash) throw new AppError("conflict", `An alert channel named "${clash.name}" exists already; pick another name`);
}

/** What the audit log says about a channel: never a secret, a password, or a URL beyond scheme://host/path. */
function auditView(c: Channel) {
  return { id: c.id, type: c.type, name: c.name, target: c.target, enabled: c.enabled, severities: c.severities, clusters: c.clusters };
}

/** GET /api/alerts/channels */
export async function listChannels(deps: Pick<ChannelServiceDeps, "db">): Promise<{ channels: Channel[] }> {
  return { channels: (await listChannelRows(deps.db)).map(channelView) };
}

/** POST /api/alerts/channels → 201; a webhook without a secret gets one, returned this once. */
export async function createChannel(actor: Actor, body: CreateChannelBody, deps: ChannelServiceDeps): Promise<Response> {
  await assertNameFree(deps.db, body.name);
  const id = randomUUID();
  const at = deps.now().toISOString();
  let generated: string | undefined;
  let secrets: ChannelSecrets;
  let settings: ChannelSettings = {};
  if (body.type === "webhook") {
    generated = body.secret ? undefined : generateSecret();
    secrets = { url: body.url, secret: body.secret ?? generated };
  } else if (body.type === "slack") {
    secrets = { url: body.url };
  } else {
    const { password, ...smtp } = body.smtp;
    settings = { smtp };
    secrets = password ? { password } : {};
  }
  const row: AlertChannelsTable = {
    id,
    type: body.type,
    name: body.name,
    enabled: body.enabled === false ? 0 : 1,
    target: targetOf(body.type, settings, secrets),
    settings: JSON.stringify(settings),
    ...sealSecrets(deps.box, id, secrets),
    has_secret: hasSecret(body.type, secrets) ? 1 : 0,
    severities: JSON.stringify(body.severities ? ALL_SEVERITIES.filter((s) => body.severities!.includes(s)) : ALL_SEVERITIES),
    clusters: body.clusters ? JSON.stringify([...new Set(body.clusters)]) : null,
    state: "untested",
    consecutive_failures: 0,
    failing_since: null,
    last_error: null,
    last_delivery_at: null,
    created_by: actor.label,
    created_at: at,
    updated_at: at,
  };
  const channel = channelView(row);
  await deps.db.transaction().execute(async (trx) => {
    await insertChannel(trx, row);
    await recordAudit(trx, { actor: actor.label, action: "alerts.channel.create", target: channel.name, result: "ok", details: { ...auditView(channel), ...(body.type === "webhook" ? { signing: generated !== undefined ? "generated" : "given" } : {}) } });
  });
  const res: CreateChannelResponse = { channel, ...(generated ? { secret: generated } : {}) };
  return Response.json(res, { status: 201 });
}

function hasSecret(type: ChannelType, s: ChannelSecrets): boolean {
  return type === "email" ? Boolean(s.password) : Boolean(s.secret ?? s.url);
}

/** PATCH /api/alerts/channels/:id: the type never changes; an omitted secret or password is kept. */
export async function patchChannel(actor: Actor, id: string, body: PatchChannelBody, deps: ChannelServiceDeps): Promise<Channel> {
  const row = await rowOrThrow(deps.db, id);
  const type = row.type as ChannelType;
  if (body.url !== undefined && type === "email") throw new AppError("invalid_config", "An email channel has no URL: change its smtp settings instead");
  if (body.secret !== undefined && type !== "webhook") throw new AppError("invalid_config", `A ${type} channel has no signing secret`);
  if (body.smtp !== undefined && type !== "email") throw new AppError("invalid_config", `A ${type} channel has no SMTP settings`);
  if (body.url !== undefined && type === "slack" && !body.url.startsWith("https:")) throw new AppError("invalid_config", "A Slack incoming webhook URL must use https");
  if (body.name !== undefined) await assertNameFree(deps.db, body.name, id);
  const open = openChannel(deps.box, row);
  const secrets: ChannelSecrets = { ...open.secrets };
  const settings: ChannelSettings = { ...open.settings };
  if (body.url !== undefined) secrets.url = body.url;
  if (body.secret !== undefined) secrets.secret = body.secret;
  if (body.smtp !== undefined) {
    const { password, ...rest } = body.smtp;
    const merged = smtpSettingsSchema.omit({ password: true }).safeParse({ ...settings.smtp, ...rest });
    if (!merged.success) throw new AppError("invalid_config", `The SMTP settings are incomplete: ${merged.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
    settings.smtp = merged.data;
    if (password !== undefined) secrets.password = password || undefined;
  }
  const reached = body.url !== undefined || body.secret !== undefined || body.smtp !== undefined;
  const now = deps.now();
  const set: Partial<AlertChannelsTable> = {
    ...(body.name !== undefined ? { name: body.name } : {}),
    ...(body.enabled !== undefined ? { enabled: body.enabled ? 1 : 0 } : {}),
    ...(body.severities !== undefined ? { severities: JSON.stringify(ALL_SEVERITIES.filter((s) => body.severities!.includes(s))) } : {}),
    ...(body.clusters !== undefined ? { clusters: body.clusters === null ? null : JSON.stringify([...new Set(body.clusters)]) } : {}),
    // A new address or credential: what was known about the old one's health no longer applies.
    ...(reached
      ? { settings: JSON.stringify(settings), ...sealSecrets(deps.box, id, secrets), target: targetOf(type, settings, secrets), has_secret: hasSecret(type, secrets) ? 1 : 0, state: "untested", consecutive_failures: 0, failing_since: null, last_error: null }
      : {}),
    updated_at: now.toISOString(),
  };
  const channel = channelView({ ...row, ...set });
  await deps.db.transaction().execute(async (trx) => {
    await updateChannel(trx, id, set);
    const cancelled = body.enabled === false ? await cancelPending(trx, id, now) : 0;
    const changed = Object.keys(body).map((k) => (k === "smtp" ? Object.keys(body.smtp ?? {}).map((s) => `smtp.${s}`) : [k])).flat();
    await recordAudit(trx, { actor: actor.label, action: "alerts.channel.update", target: channel.name, result: "ok", details: { ...auditView(channel), changed, cancelledNotifications: cancelled } });
  });
  return channel;
}

/** DELETE /api/alerts/channels/:id: what it still had to send goes with it; its delivery log stays. */
export async function deleteChannel(actor: Actor, id: string, deps: Pick<ChannelServiceDeps, "db">): Promise<{ id: string }> {
  const row = await rowOrThrow(deps.db, id);
  await deps.db.transaction().execute(async (trx) => {
    await deleteChannelRow(trx, id);
    await recordAudit(trx, { actor: actor.label, action: "alerts.channel.delete", target: row.name, result: "ok", details: auditView(channelView(row)) });
  });
  return { id };
}

/** POST /api/alerts/channels/:id/test: sends now (no retries), logged with kind `test`; 200 either way, `ok` says. */
export async function testChannel(actor: Actor, id: string, deps: ChannelServiceDeps): Promise<ChannelTestResponse> {
  const row = await rowOrThrow(deps.db, id);
  const channel = openChannel(deps.box, row);
  const started = performance.now();
  const result: SendResult = await deps.senders[channel.type](channel, testNotice(`test-${randomUUID()}`, channel.name, deps.now()), { ...deps.sender, now: deps.now }).catch((e: unknown) => ({
    ok: false,
    statusCode: null,
    error: `the sender failed unexpectedly (${(e as Error).name})`,
  }));
  const durationMs = Math.round(performance.now() - started);
  const now = deps.now();
  const d: NewDelivery = {
    notification_id: null,
    channel_id: row.id,
    channel_name: row.name,
    channel_type: row.type,
    alert_id: null,
    kind: "test",
    rule: "test",
    severity: "info",
    cluster: null,
    attempt: 1,
    at: now.toISOString(),
    ok: result.ok ? 1 : 0,
    status_code: result.statusCode,
    error: result.error,
    duration_ms: durationMs,
    next_attempt_at: null,
  };
  const { id: deliveryId, changed } = await deps.db.transaction().execute(async (trx) => {
    const r = await recordAttempt(trx, d, result, now);
    await recordAudit(trx, { actor: actor.label, action: "alerts.channel.test", target: row.name, result: result.ok ? "ok" : "failed", details: { id: row.id, type: row.type, target: row.target, statusCode: result.statusCode, error: result.error } });
    return r;
  });
  if (changed) deps.publish(changed);
  return { delivery: deliveryView({ id: deliveryId, ...d }) };
}

/** GET /api/alerts/deliveries */
export async function listDeliveryLog(q: DeliveriesQuery, deps: Pick<ChannelServiceDeps, "db">): Promise<DeliveriesResponse> {
  return { deliveries: await listDeliveries(deps.db, q) };
}

