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
 * A reboot, resumable: the boot identity is persisted before the reboot is sent, so a driver
 * that takes the node over after a restart sees whether the reboot happened (a new boot) and
 * only then waits; a node on its old boot and answering is sent the reboot again (the previous
 * driver stopped before or as it sent it). The node-action core refuses a control plane whose
 * going down would break etcd quorum, drains, and hands etcd leadership over. Then the health
 * gate: running, ready, services healthy, and on a control plane etcd healthy with a leader.
 */
async function reboot(ctx: StepContext, run: StoredBulkRun, node: StoredBulkNode, t: BulkTarget): Promise<string> {
  let bootBefore = node.bootBefore;
  let sent = "";
  const resumed = bootBefore !== null;
  const rebootedAlready = resumed && node.state === "waiting-healthy";
  if (!rebootedAlready) {
    let needSend = true;
    if (resumed) {
      const now = await bootIdentity(t.client, t.address, { like: bootBefore, timeoutMs: ctx.readTimeoutMs }).catch(() => null);
      // Down, or on a new boot: the reboot reached it.
      needSend = now !== null && sameBoot(now, bootBefore!);
    }
    if (needSend) {
      ctx.assertDriving();
      bootBefore = await bootIdentity(t.client, t.address, { timeoutMs: ctx.readTimeoutMs });
      await setNode(ctx, run, node, { bootBefore, message: run.params.drain?.enabled === false ? "Rebooting" : "Draining, then rebooting" });
      ctx.assertDriving();
      sent = await ctx.actions.reboot(t, { mode: run.params.mode ?? "default", drain: run.params.drain ?? DEFAULT_DRAIN_POLICY }, who(run));
    }
    await setNode(ctx, run, node, { state: "waiting-healthy", message: sent || "Rebooting (the reboot was sent before Minos restarted)" });
  }
  const deadline = ctx.clock.now() + ctx.healthTimeoutMs;
  const verdict = await waitUntil({
    clock: ctx.clock,
    pollMs: ctx.pollMs,
    deadline,
    signal: ctx.signal,
    check: async () => {
      const f = await healthAfterReboot(ctx, run, t, bootBefore!);
      return evaluateHealth(f, { targetVersion: f.version ?? "", bootIdBefore: bootBefore, role: t.role, etcdMembers: null });
    },
    onWaiting: (reason) => void setNode(ctx, run, node, { message: `${sent ? `${sent}; ` : ""}waiting: ${reason}` }).catch(() => undefined),
  });
  ctx.assertDriving();
  if (!verdict.ok) throw new AppError("node_timeout", `Not back healthy within ${Math.round(ctx.healthTimeoutMs / 1000)} s (${verdict.reason})`);
  return `${sent ? `${sent}; ` : ""}back healthy`;
}

/** ServiceRestart, then the service running again and healthy (or without a health check). */
async function restartService(ctx: StepContext, run: StoredBulkRun, node: StoredBulkNode, t: BulkTarget): Promise<string> {
  const service = run.params.service!;
  ctx.assertDriving();
  const said = await ctx.actions.restartService(t, service, who(run));
  await setNode(ctx, run, node, { state: "waiting-healthy", message: said });
  const verdict = await waitUntil({
    clock: ctx.clock,
    pollMs: ctx.pollMs,
    deadline: ctx.clock.now() + ctx.healthTimeoutMs,
    signal: ctx.signal,
    check: async () => {
      try {
        const s = (await t.client.services(t.address, { timeoutMs: ctx.readTimeoutMs, signal: ctx.signal }))[service];
        if (!s) return { ok: false, reason: `no service ${service}` };
        if (!s.running) return { ok: false, reason: `${service} is not running yet` };
        return s.unknown || s.healthy ? { ok: true } : { ok: false, reason: `${service} is not healthy yet` };
      } catch (e) {
        return { ok: false, reason: errorText(e) };
      }
    },
  });
  ctx.assertDriving();
  if (!verdict.ok) throw new AppError("node_timeout", `${service} not back within ${Math.round(ctx.healthTimeoutMs / 1000)} s (${verdict.reason})`);
  return `${said}; running again`;
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
