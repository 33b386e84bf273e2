import "server-only";

import { randomUUID } from "node:crypto";

import { ruleDefinition } from "@/lib/alerts/catalog";
import { alertRuleIdSchema, type AckAlertBody, type Alert, type AlertRule, type AlertRuleId, type AlertsQuery, type AlertsResponse, type CreateSilenceBody, type PatchAlertRuleBody, type Silence, type SilencesResponse } from "@/lib/schemas/alerts";
import type { Actor } from "@/lib/server/auth/actor";
import { kickDeliveryWorker } from "@/lib/server/alerts/delivery/deps";
import { enqueueNotice } from "@/lib/server/alerts/delivery/outbox";
import { getCertInventory } from "@/lib/server/certs/service";
import { currentFleetPoller } from "@/lib/server/fleet/service";
import { recordAudit } from "@/lib/server/platform/audit";
import { getDb, type Db } from "@/lib/server/platform/db/db";
import { AppError } from "@/lib/server/platform/errors";
import { publish } from "@/lib/server/platform/events";
import { registerMetrics } from "@/lib/server/platform/metrics";
import { processState } from "@/lib/server/platform/process-state";
import { relayTopic } from "@/lib/server/platform/relay";
import { replicaId } from "@/lib/server/platform/replica";

import "./events";
import { AlertEngine, countAlerts, toAlert, type EngineDeps } from "./engine";
import type { AlertRecord } from "./lifecycle";
import { registerAlertMetrics } from "./metrics";
import { acknowledge, evaluatedAt, expireSilence, getAlert, getSilence, insertSilence, listOpenAlerts, listSilencesNewestFirst, queryAlerts } from "./repository";
import { getAlertRule, listAlertRules, patchedSettings, saveRuleSettings } from "./rules";
import { gatherInputs, type SourceDeps } from "./sources";
import { talosSupportLookup } from "./support";

/**
 * The alert engine's composition root and the routes' reads and writes: the one place that
 * wires the engine to delivery's outbox (`enqueueNotice`), the fleet poller, the certificate
 * inventory and the event bus.
 */

/** The fleet's default poll interval, used when no poller runs in this process. */
const DEFAULT_INTERVAL_MS = 5_000;
/** A silence ends at most this far ahead: a forgotten one must not hide a fleet for ever. */
export const MAX_SILENCE_MS = 90 * 86_400_000;

export interface AlertServiceDeps {
  db: Db;
  now: () => Date;
}

export function defaultAlertServiceDeps(): AlertServiceDeps {
  return { db: getDb(), now: () => new Date() };
}

export function defaultSourceDeps(db: Db = getDb()): SourceDeps {
  return {
    db,
    fleet: () => currentFleetPoller()?.snapshot() ?? null,
    // Never waits for a scan: the round goes on without certificates until the first one is in.
    certificates: async () => {
      const inv = await getCertInventory({ waitMs: 0 });
      return inv ? { certificates: inv.certificates, errors: inv.errors } : null;
    },
    support: talosSupportLookup,
    now: () => new Date(),
  };
}

export function defaultEngineDeps(overrides: Partial<EngineDeps> = {}): EngineDeps {
  const db = overrides.db ?? getDb();
  const sources = defaultSourceDeps(db);
  return {
    db,
    owner: replicaId(),
    now: () => new Date(),
    gather: () => gatherInputs(sources),
    notify: enqueueNotice,
    notified: kickDeliveryWorker,
    publish: (ev) => publish("alerts", ev),
    intervalMs: () => currentFleetPoller()?.intervalMs ?? DEFAULT_INTERVAL_MS,
    ...overrides,
  };
}

const g = processState<{ __minosAlertEngine?: AlertEngine }>();

/** Starts the process's evaluator (runtime.ts); returns its stop. */
export function startAlertEvaluator(overrides: Partial<EngineDeps> = {}): () => Promise<void> {
  // The evaluator runs on one replica; browsers on the others hear its rounds through the relay.
  relayTopic("alerts");
  registerMetrics("alerts", (registry) => registerAlertMetrics(registry, () => listOpenAlerts(getDb())));
  g.__minosAlertEngine ??= new AlertEngine(defaultEngineDeps(overrides));
  g.__minosAlertEngine.start();
  return async () => {
    const e = g.__minosAlertEngine;
    g.__minosAlertEngine = undefined;
    await e?.stop();
  };
}

/** GET /api/alerts */
export async function listAlerts(query: AlertsQuery, deps = defaultAlertServiceDeps()): Promise<AlertsResponse> {
  const [alerts, open, at] = await Promise.all([queryAlerts(deps.db, query), listOpenAlerts(deps.db), evaluatedAt(deps.db)]);
  return { alerts: alerts.map(toAlert), counts: countAlerts(open), evaluatedAt: at };
}

/** POST /api/alerts/:id/ack: stops re-notification; audited with the comment. */
export async function ackAlert(actor: Actor, id: string, body: AckAlertBody, deps = defaultAlertServiceDeps()): Promise<Alert> {
  const a = await getAlert(deps.db, id);
  if (!a) throw new AppError("not_found", `No alert "${id}"`);
  if (a.status === "resolved") throw new AppError("conflict", `Alert ${id} is resolved already: there is nothing left to acknowledge`);
  const acked = (x: AlertRecord) => new AppError("conflict", `Alert ${id} was acknowledged by ${x.acknowledgedBy} at ${x.acknowledgedAt}`, { details: { acknowledgedBy: x.acknowledgedBy, acknowledgedAt: x.acknowledgedAt } });
  if (a.acknowledgedAt !== null) throw acked(a);
  const now = deps.now();
  if (!(await acknowledge(deps.db, id, actor.label, body.comment ?? null, now))) {
    // Someone else acknowledged it (or it resolved) between the read and the write: say which.
    const b = await getAlert(deps.db, id);
    if (b && b.acknowledgedAt !== null) throw acked(b);
    throw new AppError("conflict", `Alert ${id} resolved meanwhile`);
  }
  await recordAudit(deps.db, { actor: actor.label, action: "alert.ack", target: a.key, result: "ok", details: { id, rule: a.rule, cluster: a.cluster, node: a.node, ...(body.comment ? { comment: body.comment } : {}) } });
  const after = toAlert((await getAlert(deps.db, id))!);
  publish("alerts", { counts: countAlerts(await listOpenAlerts(deps.db)), changed: [after], evaluatedAt: (await evaluatedAt(deps.db)) ?? now.toISOString() });
  return after;
}

/** GET /api/alerts/rules */
export async function listRules(deps = defaultAlertServiceDeps()): Promise<{ rules: AlertRule[] }> {
  return { rules: await listAlertRules(deps.db) };
}

function ruleIdOr404(id: string): AlertRuleId {
  const r = alertRuleIdSchema.safeParse(id);
  if (!r.success) throw new AppError("not_found", `No alert rule "${id}"; the rules are ${alertRuleIdSchema.options.join(", ")}`);
  return r.data;
}

/** GET /api/alerts/rules/:id */
export async function getRule(id: string, deps = defaultAlertServiceDeps()): Promise<AlertRule> {
  return getAlertRule(deps.db, ruleIdOr404(id));
}

/** PATCH /api/alerts/rules/:id [admin]: audited with the settings before and after. */
export async function patchRule(actor: Actor, ruleId: string, body: PatchAlertRuleBody, deps = defaultAlertServiceDeps()): Promise<AlertRule> {
  const id = ruleIdOr404(ruleId);
  const def = ruleDefinition(id);
  const before = await getAlertRule(deps.db, id);
  const settings = patchedSettings(def, before, body);
  await saveRuleSettings(deps.db, id, body.reset ? null : settings, actor.label, deps.now());
  const pick = (r: { enabled: boolean; severity: string; forSeconds: number; renotifyMinutes: number; params: Record<string, number> }) => ({
    enabled: r.enabled,
    severity: r.severity,
    forSeconds: r.forSeconds,
    renotifyMinutes: r.renotifyMinutes,
    params: r.params,
  });
  await recordAudit(deps.db, { actor: actor.label, action: body.reset ? "alert.rule.reset" : "alert.rule.update", target: id, result: "ok", details: { before: pick(before), after: pick(settings) } });
  return getAlertRule(deps.db, id);
}

/** GET /api/alerts/silences */
export async function listSilencesFor(state: "active" | "all", deps = defaultAlertServiceDeps(), historyLimit?: number): Promise<SilencesResponse> {
  return { silences: await listSilencesNewestFirst(deps.db, deps.now(), state, historyLimit) };
}

/** POST /api/alerts/silences [operator]: 201 with the silence; audited with its matchers, end and reason. */
export async function createSilence(actor: Actor, body: CreateSilenceBody, deps = defaultAlertServiceDeps()): Promise<Response> {
  const now = deps.now();
  const ends = Date.parse(body.endsAt);
  if (ends <= now.getTime()) throw new AppError("invalid_config", `endsAt (${body.endsAt}) must be in the future`, { details: { endsAt: body.endsAt } });
  if (ends - now.getTime() > MAX_SILENCE_MS) throw new AppError("invalid_config", `endsAt (${body.endsAt}) is more than 90 days ahead; silence for at most 90 days and renew it if need be`, { details: { endsAt: body.endsAt } });
  const silence = await insertSilence(deps.db, { id: randomUUID(), matchers: body.matchers, endsAt: new Date(ends).toISOString(), reason: body.reason, createdBy: actor.label }, now);
  await recordAudit(deps.db, { actor: actor.label, action: "alert.silence.create", target: silence.id, result: "ok", details: { matchers: body.matchers, endsAt: silence.endsAt, reason: body.reason } });
  return Response.json(silence, { status: 201 });
}

/** DELETE /api/alerts/silences?id= [operator]: ends it now (the row stays, expired). */
export async function deleteSilence(actor: Actor, id: string, deps = defaultAlertServiceDeps()): Promise<Silence> {
  const now = deps.now();
  const s = await getSilence(deps.db, id, now);
  if (!s) throw new AppError("not_found", `No silence "${id}"`);
  if (!s.active) throw new AppError("conflict", `Silence ${id} has ended already (${s.expiredAt ? `ended early by ${s.expiredBy}` : `at ${s.endsAt}`})`);
  const ended = (await expireSilence(deps.db, id, actor.label, now))!;
  await recordAudit(deps.db, { actor: actor.label, action: "alert.silence.delete", target: id, result: "ok", details: { matchers: s.matchers, reason: s.reason } });
  return ended;
}
