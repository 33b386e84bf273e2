import "server-only";

import { alertSeveritySchema, type Channel, type ChannelType, type DeliveriesQuery, type Delivery } from "@/lib/schemas/alerts";
import type { Db } from "@/lib/server/platform/db/db";
import type { AlertChannelsTable, AlertDeliveriesTable } from "@/lib/server/platform/db/schema-alert-delivery";
import type { SecretBox } from "@/lib/server/platform/secret-box";

import type { ChannelSecrets, ChannelSettings, OpenChannel } from "./model";

/** The secret box binds each channel's sealed secrets to its id: a sealed value copied onto another channel fails to open. */
const aad = (id: string) => `alert-channel:${id}`;

export function sealSecrets(box: SecretBox, id: string, secrets: ChannelSecrets): { secrets_sealed: string; key_id: string } {
  return { secrets_sealed: box.seal(JSON.stringify(secrets), aad(id)), key_id: box.keyId };
}

export function openSecrets(box: SecretBox, row: Pick<AlertChannelsTable, "id" | "secrets_sealed" | "key_id">): ChannelSecrets {
  return JSON.parse(box.open(row.secrets_sealed, aad(row.id), row.key_id)) as ChannelSecrets;
}

const parseJson = <T>(s: string | null, fallback: T): T => (s === null ? fallback : (JSON.parse(s) as T));

/** The redacted view anyone may read. */
export function channelView(r: AlertChannelsTable): Channel {
  const settings = parseJson<ChannelSettings>(r.settings, {});
  const smtp = settings.smtp;
  return {
    id: r.id,
    type: r.type as ChannelType,
    name: r.name,
    enabled: r.enabled === 1,
    target: r.target,
    hasSecret: r.has_secret === 1,
    smtp: smtp
      ? { host: smtp.host, port: smtp.port, security: smtp.security, username: smtp.username ?? null, hasPassword: r.has_secret === 1, from: smtp.from, to: smtp.to }
      : null,
    severities: alertSeveritySchema.array().parse(parseJson(r.severities, [])),
    clusters: parseJson<string[] | null>(r.clusters, null),
    state: r.state as Channel["state"],
    consecutiveFailures: r.consecutive_failures,
    failingSince: r.failing_since,
    lastError: r.last_error,
    lastDeliveryAt: r.last_delivery_at,
    createdBy: r.created_by,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

export function openChannel(box: SecretBox, r: AlertChannelsTable): OpenChannel {
  return { id: r.id, type: r.type as ChannelType, name: r.name, settings: parseJson<ChannelSettings>(r.settings, {}), secrets: openSecrets(box, r) };
}

export async function listChannelRows(db: Db): Promise<AlertChannelsTable[]> {
  return db.selectFrom("alert_channels").selectAll().orderBy("name").orderBy("id").execute();
}

export async function getChannelRow(db: Db, id: string): Promise<AlertChannelsTable | undefined> {
  return db.selectFrom("alert_channels").selectAll().where("id", "=", id).executeTakeFirst();
}

export async function insertChannel(db: Db, row: AlertChannelsTable): Promise<void> {
  await db.insertInto("alert_channels").values(row).execute();
}

export async function updateChannel(db: Db, id: string, set: Partial<AlertChannelsTable>): Promise<void> {
  await db.updateTable("alert_channels").set(set).where("id", "=", id).execute();
}

/** Removes the channel and what it still had to send; its delivery log stays (it names the channel). */
export async function deleteChannelRow(db: Db, id: string): Promise<void> {
  await db.deleteFrom("alert_notifications").where("channel_id", "=", id).where("state", "=", "pending").execute();
  await db.deleteFrom("alert_channels").where("id", "=", id).execute();
}

/** Pending notifications of a channel that was switched off are not sent when it comes back (they would be stale). */
export async function cancelPending(db: Db, channelId: string, now: Date): Promise<number> {
  const r = await db
    .updateTable("alert_notifications")
    .set({ state: "cancelled", finished_at: now.toISOString(), claimed_by: null, claimed_until: null })
    .where("channel_id", "=", channelId)
    .where("state", "=", "pending")
    .executeTakeFirst();
  return Number(r.numUpdatedRows);
}

export type NewDelivery = Omit<AlertDeliveriesTable, "id">;

export async function insertDelivery(db: Db, d: NewDelivery): Promise<number> {
  const r = await db.insertInto("alert_deliveries").values(d).returning("id").executeTakeFirstOrThrow();
  return r.id;
}

export function deliveryView(r: Omit<AlertDeliveriesTable, "id"> & { id: number }): Delivery {
  return {
    id: String(r.id),
    channelId: r.channel_id,
    channelName: r.channel_name,
    channelType: r.channel_type as ChannelType,
    alertId: r.alert_id,
    kind: r.kind as Delivery["kind"],
    rule: r.rule,
    severity: r.severity === null ? null : alertSeveritySchema.parse(r.severity),
    cluster: r.cluster,
    attempt: r.attempt,
    at: r.at,
    ok: r.ok === 1,
    statusCode: r.status_code,
    error: r.error,
    durationMs: r.duration_ms,
    nextAttemptAt: r.next_attempt_at,
  };
}

/** The delivery log, newest first. */
export async function listDeliveries(db: Db, q: DeliveriesQuery): Promise<Delivery[]> {
  let s = db.selectFrom("alert_deliveries").selectAll();
  if (q.channel) s = s.where("channel_id", "=", q.channel);
  if (q.alert) s = s.where("alert_id", "=", q.alert);
  if (q.ok) s = s.where("ok", "=", q.ok === "true" ? 1 : 0);
  const rows = await s.orderBy("at", "desc").orderBy("id", "desc").limit(q.limit).execute();
  return rows.map(deliveryView);
}

/** Drops delivery log rows older than `before` and finished notifications (sent, failed, cancelled) likewise. */
export async function pruneDeliveryLog(db: Db, before: Date): Promise<number> {
  const iso = before.toISOString();
  const d = await db.deleteFrom("alert_deliveries").where("at", "<", iso).executeTakeFirst();
  await db.deleteFrom("alert_notifications").where("state", "<>", "pending").where("finished_at", "<", iso).execute();
  return Number(d.numDeletedRows);
}
