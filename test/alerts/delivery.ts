/**
 * Builders for delivery tests: a secret box, channel service deps over a test store, a worker on
 * a fake clock, notices, and a dump of every stored row a viewer could reach (for "no secret anywhere").
 */
import { randomBytes } from "node:crypto";

import type { Channel, CreateChannelBody, CreateChannelResponse } from "@/lib/schemas/alerts";
import type { AlertNotice } from "@/lib/server/alerts/notices";
import { enqueueNotice } from "@/lib/server/alerts/delivery/outbox";
import { SENDERS, type SenderDeps } from "@/lib/server/alerts/delivery/senders";
import { createChannel, type ChannelServiceDeps } from "@/lib/server/alerts/delivery/service";
import { DeliveryWorker } from "@/lib/server/alerts/delivery/worker";
import type { Actor } from "@/lib/server/auth/actor";
import type { Db } from "@/lib/server/platform/db/db";
import { SecretBox } from "@/lib/server/platform/secret-box";
import type { FakeClock } from "@/test/fake-clock";

export const ORIGIN = "https://minos.example.com";
export const admin = { kind: "user", id: "u1", name: "admin", role: "admin", label: "user:admin" } as Actor;
export const T0 = Date.parse("2026-12-07T00:00:00.000Z");

export function testBox(): SecretBox {
  return new SecretBox(randomBytes(32));
}

export function senderDeps(extra: Partial<SenderDeps> = {}): Omit<SenderDeps, "now"> {
  return { origin: ORIGIN, userAgent: "Minos/0.0.0-test", timeoutMs: 5_000, ...extra };
}

export function channelDeps(db: Db, box: SecretBox, clock: FakeClock, events: Channel[], extra: Partial<SenderDeps> = {}): ChannelServiceDeps {
  return { db, box, now: () => new Date(clock.now()), senders: SENDERS, sender: senderDeps(extra), publish: (c) => events.push(c) };
}

export function makeWorker(db: Db, box: SecretBox, clock: FakeClock, owner: string, events: Channel[], extra: Partial<SenderDeps> = {}): DeliveryWorker {
  return new DeliveryWorker({ db, box, clock, owner, senders: SENDERS, sender: senderDeps(extra), publish: (c) => events.push(c) }, { tickMs: 1_000 });
}

export async function addChannel(deps: ChannelServiceDeps, body: CreateChannelBody): Promise<CreateChannelResponse> {
  const res = await createChannel(admin, body, deps);
  if (res.status !== 201) throw new Error(`create channel: HTTP ${res.status} ${await res.text()}`);
  return (await res.json()) as CreateChannelResponse;
}

export function notice(over: Partial<AlertNotice> = {}): AlertNotice {
  return {
    alertId: "alert-1",
    status: "firing",
    reason: "fired",
    rule: "node-unreachable",
    severity: "critical",
    cluster: "prod",
    node: "10.5.0.3@prod",
    hostname: "worker-3",
    summary: "worker-3 has not answered for 5 minutes",
    startsAt: new Date(T0 - 300_000).toISOString(),
    endsAt: null,
    path: "/nodes/10.5.0.3%40prod",
    ...over,
  };
}

/** What the engine does: the notice written in the transaction of the transition. */
export async function enqueue(db: Db, n: AlertNotice, at: number): Promise<number> {
  return db.transaction().execute((trx) => enqueueNotice(trx, n, new Date(at)));
}

/** Every stored row outside the sealed column, as text: the delivery log, the outbox, channels, the audit log. */
export async function storedText(db: Db): Promise<string> {
  const [deliveries, notifications, channels, audit] = await Promise.all([
    db.selectFrom("alert_deliveries").selectAll().execute(),
    db.selectFrom("alert_notifications").selectAll().execute(),
    db.selectFrom("alert_channels").selectAll().execute(),
    db.selectFrom("audit_log").selectAll().execute(),
  ]);
  return JSON.stringify({ deliveries, notifications, channels: channels.map(({ secrets_sealed: _sealed, ...rest }) => rest), audit });
}
