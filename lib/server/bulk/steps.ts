import "server-only";

import { DEFAULT_DRAIN_POLICY } from "@/lib/schemas/kubernetes";
import { bootIdentity, codeOf, errorText, sameBoot, waitUntil } from "@/lib/server/jobs";
import type { Db } from "@/lib/server/platform/db/db";
import { AppError } from "@/lib/server/platform/errors";
import { evaluateHealth, type HealthFacts } from "@/lib/server/upgrades/health";
import { etcdFacts } from "@/lib/server/upgrades/probes";
import type { Clock } from "@/lib/utils/clock";

import type { BulkActor, BulkNodeActions, BulkTarget } from "./node-port";
import type { BulkRepository, StoredBulkNode, StoredBulkRun } from "./repo";

/** What one node's steps work with: the drive's fenced writes and stop signal, and the timings. */
export interface StepContext {
  repo: BulkRepository;
  actions: BulkNodeActions;
  clock: Clock;
  now(): Date;
  pollMs: number;
  healthTimeoutMs: number;
  readTimeoutMs: number;
  signal: AbortSignal;
  write<T>(fn: (trx: Db) => Promise<T>): Promise<T>;
  /** Throws unless this replica may still act on the run (no Talos call after a lost lease). */
  assertDriving(): void;
}

/** The run's control planes as the etcd probe wants them, `first` asked first. */
function controlPlanes(run: StoredBulkRun, first: BulkTarget) {
  const cps = run.nodes.filter((n) => n.role === "controlplane" && n.id !== first.id);
  const fact = (id: string, hostname: string | null) => ({ id, address: id.slice(0, id.indexOf("@")), hostname, role: "controlplane" as const, version: null, reachable: true });
  return [fact(first.id, first.hostname), ...cps.map((n) => fact(n.id, n.hostname))];
}

/** One look at a node after its reboot, for the upgrades' pure health gate (same version: a reboot changes none). */
async function healthAfterReboot(ctx: StepContext, run: StoredBulkRun, t: BulkTarget, bootBefore: string): Promise<HealthFacts> {
  const opts = { timeoutMs: ctx.readTimeoutMs, signal: ctx.signal };
  let status;
  try {
    status = await t.client.machineStatus(t.address, opts);
  } catch (e) {
    return { reachable: false, error: codeOf(e) ?? errorText(e) };
  }
  const facts: HealthFacts = { reachable: true, stage: status.stage, ready: status.ready, unmetConditions: status.unmetConditions };
  if (status.stage !== "running") return facts;
  try {
    const [version, bootId, services] = await Promise.all([t.client.version(t.address, opts), bootIdentity(t.client, t.address, { ...opts, like: bootBefore }), t.client.services(t.address, opts)]);
    facts.version = version.tag;
    facts.bootId = sameBoot(bootId, bootBefore) ? bootBefore : bootId;
    facts.unhealthyServices = Object.entries(services)
      .filter(([, s]) => s.running && !s.unknown && !s.healthy)
      .map(([name]) => name)
      .sort();
    if (t.role === "controlplane") {
      const etcd = await etcdFacts(t.client, controlPlanes(run, t), opts);
      facts.etcd = etcd.error ? { members: 0, healthy: 0, leader: false, error: etcd.error } : { members: etcd.members.length, healthy: etcd.healthy.length, leader: etcd.leader !== null };
    }
  } catch (e) {
    return { reachable: false, error: codeOf(e) ?? errorText(e) };
  }
  return facts;
}

const who = (run: StoredBulkRun): BulkActor => ({ label: run.author, role: run.authorRole, runId: run.id });

async function setNode(ctx: StepContext, run: StoredBulkRun, node: StoredBulkNode, u: Parameters<BulkRepository["updateNode"]>[2]): Promise<void> {
  await ctx.write((trx) => ctx.repo.on(trx).updateNode(run.id, node.id, u, ctx.now()));
}

/**
 * A reboot, resumable and sent at most once: the boot identity and the "sent" mark are persisted
 * together just before the reboot is sent, so a driver that takes the node over after a restart
 * never sends it again. It waits for a new boot instead; a node still on its old boot when the
 * step's time is up fails saying the reboot may not have happened (the previous driver stopped
 * before or as it sent it, or the node ignored it). The node-action core refuses a control plane
 * whose going down would break etcd quorum, drains, and hands etcd leadership over. Then the
 * health gate: running, ready, services healthy, and on a control plane etcd healthy with a leader.
 */
async function reboot(ctx: StepContext, run: StoredBulkRun, node: StoredBulkNode, t: BulkTarget): Promise<string> {
  let bootBefore = node.bootBefore;
  let sent = "";
  const resumed = node.sentAt !== null && bootBefore !== null;
  if (!resumed) {
    ctx.assertDriving();
    bootBefore = await bootIdentity(t.client, t.address, { timeoutMs: ctx.readTimeoutMs });
    await setNode(ctx, run, node, { bootBefore, sentAt: ctx.now(), message: run.params.drain?.enabled === false ? "Rebooting" : "Draining, then rebooting" });
    ctx.assertDriving();
    sent = await ctx.actions.reboot(t, { mode: run.params.mode ?? "default", drain: run.params.drain ?? DEFAULT_DRAIN_POLICY }, who(run));
    await setNode(ctx, run, node, { state: "waiting-healthy", message: sent });
  } else if (node.state !== "waiting-healthy") {
    await setNode(ctx, run, node, { state: "waiting-healthy", message: "The reboot was sent before Minos restarted: waiting for the node to boot again" });
  }
  // Whether a poll ever saw the node on another boot (or down): without it, the reboot may not have happened.
  let left = false;
  const deadline = ctx.clock.now() + ctx.healthTimeoutMs;
  const verdict = await waitUntil({
    clock: ctx.clock,
    pollMs: ctx.pollMs,
    deadline,
    signal: ctx.signal,
    check: async () => {
      const f = await healthAfterReboot(ctx, run, t, bootBefore!);
      if (!f.reachable || f.stage !== "running" || (f.bootId !== undefined && f.bootId !== bootBefore)) left = true;
      return evaluateHealth(f, { targetVersion: f.version ?? "", bootIdBefore: bootBefore, role: t.role, etcdMembers: null });
    },
    onWaiting: (reason) => void setNode(ctx, run, node, { message: `${sent ? `${sent}; ` : ""}waiting: ${reason}` }).catch(() => undefined),
  });
  ctx.assertDriving();
  const secs = Math.round(ctx.healthTimeoutMs / 1000);
  if (!verdict.ok && !left) {
    throw new AppError("node_timeout", `Still on the boot it had before the reboot after ${secs} s: the reboot may not have happened${resumed ? " (Minos restarted while sending it)" : ""}; not sent again, reboot the node by hand if it needs one`);
  }
  if (!verdict.ok) throw new AppError("node_timeout", `Not back healthy within ${secs} s (${verdict.reason})`);
  return `${sent ? `${sent}; ` : ""}back healthy`;
}

/**
 * The services Talos health-checks (those implementing HealthcheckedService in
 * internal/app/machined/pkg/system/services: apid, containerd, cri, etcd, kubelet, trustd). Right
 * after Running their health is still unknown until the first check: that is not "back".
 */
export const HEALTH_CHECKED_SERVICES: ReadonlySet<string> = new Set(["apid", "containerd", "cri", "etcd", "kubelet", "trustd"]);

/** Is a restarted service back: running, and healthy when it has a health check (pure). */
export function serviceBack(service: string, s: { running: boolean; healthy: boolean; unknown: boolean } | undefined, healthChecked = HEALTH_CHECKED_SERVICES.has(service)): { ok: true } | { ok: false; reason: string } {
  if (!s) return { ok: false, reason: `no service ${service}` };
  if (!s.running) return { ok: false, reason: `${service} is not running yet` };
  if (s.unknown) return healthChecked ? { ok: false, reason: `${service} has no health reported yet` } : { ok: true };
  return s.healthy ? { ok: true } : { ok: false, reason: `${service} is not healthy yet` };
}

/**
 * ServiceRestart, then the service running again and healthy (when it has a health check), within
 * the step's time. Sent at most once: the "sent" mark is written just before the call, and a
 * driver taking the node over afterwards only waits.
 */
async function restartService(ctx: StepContext, run: StoredBulkRun, node: StoredBulkNode, t: BulkTarget): Promise<string> {
  const service = run.params.service!;
  const opts = { timeoutMs: ctx.readTimeoutMs, signal: ctx.signal };
  let said = "";
  // A service that reported a health before the restart has a check, whatever its name.
  let healthChecked = HEALTH_CHECKED_SERVICES.has(service);
  if (node.sentAt === null) {
    const before = await t.client.services(t.address, opts).then((all) => all[service], () => undefined);
    if (before && !before.unknown) healthChecked = true;
    ctx.assertDriving();
    await setNode(ctx, run, node, { sentAt: ctx.now(), message: `Restarting ${service}` });
    ctx.assertDriving();
    said = await ctx.actions.restartService(t, service, who(run));
    await setNode(ctx, run, node, { state: "waiting-healthy", message: said });
  } else if (node.state !== "waiting-healthy") {
    await setNode(ctx, run, node, { state: "waiting-healthy", message: `${service} was restarted before Minos restarted: waiting for it` });
  }
  const verdict = await waitUntil({
    clock: ctx.clock,
    pollMs: ctx.pollMs,
    deadline: ctx.clock.now() + ctx.healthTimeoutMs,
    signal: ctx.signal,
    check: async () => {
      try {
        return serviceBack(service, (await t.client.services(t.address, opts))[service], healthChecked);
      } catch (e) {
        return { ok: false, reason: errorText(e) };
      }
    },
  });
  ctx.assertDriving();
  if (!verdict.ok) throw new AppError("node_timeout", `${service} not back within ${Math.round(ctx.healthTimeoutMs / 1000)} s (${verdict.reason})`);
  return `${said ? `${said}; ` : ""}running again`;
}

/** Does the run's action to one node; the sentence for its row, or a throw that fails it. */
export async function runNodeAction(ctx: StepContext, run: StoredBulkRun, node: StoredBulkNode, t: BulkTarget): Promise<string> {
  switch (run.action) {
    case "reboot":
      return reboot(ctx, run, node, t);
    case "service-restart":
      return restartService(ctx, run, node, t);
    case "cordon":
      ctx.assertDriving();
      return ctx.actions.cordon(t, who(run));
    case "uncordon":
      ctx.assertDriving();
      return ctx.actions.uncordon(t, who(run));
    default:
      throw new AppError("internal", `A bulk run does not drive ${run.action}`);
  }
}
