import "server-only";

import { randomUUID } from "node:crypto";

import { parseNodeId } from "@/lib/fleet/node-id";
import type {
  ClusterUpgradeProgress,
  ParsedUpgradeRequest,
  UpgradeAction,
  UpgradeEvent,
  UpgradeNode,
  UpgradeNodeState,
  UpgradePlan,
  UpgradePlanSummary,
  UpgradePreview,
} from "@/lib/schemas/upgrades";
import { recordAudit } from "@/lib/server/platform/audit-legacy";
import type { LegacyDb as Db } from "@/lib/server/platform/db/db";
import { AppError } from "@/lib/server/platform/errors";
import { bootIdentity, errorText, JobLoops, sameBoot, waitUntil } from "@/lib/server/jobs";
import { installerExitError } from "@/lib/server/talos/errors";
import { upgradePathFor, installerImage, versionFromImage } from "@/lib/talos/upgrade";
import { normalizeTalosVersion, sameTalosVersion } from "@/lib/talos/version";
import { type Clock, realClock } from "@/lib/utils/clock";

import { evaluateHealth } from "./health";
import { ACTIVE_NODE_STATES, assertNodeTransition, decide, FINAL_PLAN_STATES, planTransition, type PlanEvent } from "./machine";
import { buildPlan, type EtcdFacts } from "./plan";
import { etcdFacts, healthFacts, nodeFacts, type UpgradeTalos } from "./probes";
import { mapLimit } from "@/lib/utils/map-limit";
import { type NodePatch, UpgradeRepository } from "./repository";

export interface RunnerDeps {
  db: Db;
  /** The Talos client of a cluster (one per cluster, shared). */
  client(cluster: string): Promise<UpgradeTalos>;
  /** The node addresses of a cluster (its talosconfig context's `nodes`). */
  clusterNodes(cluster: string): Promise<string[]>;
  clock?: Clock;
  /** Called after every persisted transition with the whole plan. */
  publish?(event: UpgradeEvent): void;
  /** The audit label when a caller names no actor (tests, resumed plans). */
  actor?: string;
  /** Health gate and etcd poll interval. Default 1000 ms. */
  pollIntervalMs?: number;
  /** Deadline of each read the runner makes. Default 5000 ms. */
  readTimeoutMs?: number;
  log?(message: string): void;
}

/** Plans that still have work (or a node in flight) to do. */
const LIVE_STATES = ["pending", "running", "paused", "cancelling"] as const;

/**
 * Runs rolling upgrades. Every plan and node transition is written to SQLite before the step it
 * announces, so a new runner over the same database (`start()`) resumes where a killed one
 * stopped: nodes mid-reboot are observed, never upgraded again; nodes already on the target are
 * marked done. Scheduling is the pure `decide` (./machine); this class only does the I/O.
 */
export class UpgradeRunner {
  private readonly db: Db;
  private readonly clock: Clock;
  private readonly actor: string;
  private readonly poll: number;
  private readonly readTimeout: number;
  private readonly repo: UpgradeRepository;
  private readonly loops: JobLoops;
  private started = false;

  constructor(private readonly deps: RunnerDeps) {
    this.db = deps.db;
    this.clock = deps.clock ?? realClock;
    this.actor = deps.actor ?? "local user";
    this.poll = deps.pollIntervalMs ?? 1000;
    this.readTimeout = deps.readTimeoutMs ?? 5000;
    this.repo = new UpgradeRepository(deps.db);
    this.loops = new JobLoops(this.clock, (id, e) => this.log(`plan ${id}: runner loop failed: ${errorText(e)}`));
  }

  private get signal(): AbortSignal {
    return this.loops.signal;
  }

  /** Resumes every plan that was live when the process stopped. Idempotent. */
  start(): void {
    if (this.started) return;
    this.started = true;
    for (const p of this.repo.listPlanIdsInStates(LIVE_STATES)) {
      this.log(`resuming plan ${p.id} (${p.cluster}, ${p.state})`);
      if (p.state === "pending") this.transition(p.id, "start", { started: true });
      // Listeners (the fleet's "upgrading 3/8") learn of resumed plans, paused ones included.
      this.publish(p.id);
      this.ensureLoop(p.id);
    }
  }

  /** Stops every loop (in-flight steps are abandoned, their state stays persisted for a resume). */
  async stop(): Promise<void> {
    await this.loops.stop();
  }

  // -------------------------------------------------------------------------------------------
  // Queries
  // -------------------------------------------------------------------------------------------

  get(id: string): UpgradePlan | null {
    return this.repo.getPlan(id, this.clock.now());
  }

  getOrThrow(id: string): UpgradePlan {
    const plan = this.get(id);
    if (!plan) throw new AppError("not_found", `No upgrade plan ${JSON.stringify(id)}`);
    return plan;
  }

  list(opts: { cluster?: string; limit: number }): UpgradePlanSummary[] {
    return this.repo.listPlans({ ...opts, now: this.clock.now() });
  }

  /** Per cluster, the live plan's progress. */
  progressByCluster(): Record<string, ClusterUpgradeProgress> {
    const out: Record<string, ClusterUpgradeProgress> = {};
    for (const p of this.repo.listPlanIdsInStates(LIVE_STATES)) {
      const nodes = this.repo.getPlanNodes(p.id);
      out[p.cluster] = { planId: p.id, state: p.state, total: nodes.length, done: nodes.filter((n) => n.state === "done").length };
    }
    return out;
  }

  // -------------------------------------------------------------------------------------------
  // Planning
  // -------------------------------------------------------------------------------------------

  /** The dry run: reads every selected node and etcd, orders and checks them; starts nothing. */
  async preview(req: ParsedUpgradeRequest): Promise<UpgradePreview> {
    return (await this.plan(req)).preview;
  }

  private async plan(req: ParsedUpgradeRequest): Promise<{ preview: UpgradePreview; etcd: EtcdFacts | null }> {
    const targetVersion = normalizeTalosVersion(req.version ?? versionFromImage(req.image!)!);
    const image = req.image ?? installerImage(targetVersion);
    const all = await this.deps.clusterNodes(req.cluster);
    const addresses = req.nodes ? this.selectNodes(req.cluster, all, req.nodes) : all;
    const client = await this.deps.client(req.cluster);
    const nodes = await mapLimit(addresses, 8, (a) => nodeFacts(client, req.cluster, a, { timeoutMs: this.readTimeout }));
    // etcd is judged through every control plane of the cluster, selected or not.
    const others = req.nodes ? await mapLimit(all.filter((a) => !addresses.includes(a)), 8, (a) => nodeFacts(client, req.cluster, a, { timeoutMs: this.readTimeout })) : [];
    const cps = [...nodes, ...others].filter((n) => n.role === "controlplane" && n.reachable);
    const etcd = cps.length > 0 ? await etcdFacts(client, cps, { timeoutMs: this.readTimeout }) : null;
    const preview = buildPlan({ cluster: req.cluster, targetVersion, image, strategy: req.strategy, nodes, etcd });
    return { preview, etcd };
  }

  private selectNodes(cluster: string, all: string[], wanted: string[]): string[] {
    const out: string[] = [];
    for (const w of wanted) {
      const parsed = parseNodeId(w);
      const address = parsed ? parsed.address : w;
      if (parsed && parsed.cluster !== cluster) throw new AppError("validation_failed", `Node ${w} is not in cluster "${cluster}"`);
      if (!all.includes(address)) throw new AppError("validation_failed", `Node ${address} is not in cluster "${cluster}"`);
      if (!out.includes(address)) out.push(address);
    }
    return out;
  }

  /**
   * Plans and starts an upgrade. Refused with `conflict` when the cluster already has a live plan
   * or a check fails (the checks are in the error's details). `actor` labels the plan and its audit records.
   */
  async create(req: ParsedUpgradeRequest, actor: string = this.actor): Promise<UpgradePlan> {
    const live = this.repo.listPlanIdsInStates(LIVE_STATES).find((p) => p.cluster === req.cluster);
    if (live) throw new AppError("conflict", `Cluster "${req.cluster}" already has an upgrade in progress (${live.id}, ${live.state})`, { details: { planId: live.id } });
    const { preview, etcd } = await this.plan(req);
    if (!preview.canStart) {
      const errors = preview.checks.filter((c) => c.level === "error");
      recordAudit(this.db, {
        actor,
        action: "upgrade.start",
        target: req.cluster,
        result: "refused",
        details: { targetVersion: preview.targetVersion, image: preview.image, checks: errors },
      });
      throw new AppError("conflict", `The upgrade was refused: ${errors.map((c) => c.message).join(" ")}`, { details: { checks: preview.checks } });
    }
    const id = randomUUID();
    const now = this.clock.now();
    this.db.transaction(() => {
      this.repo.insertPlan({ id, actor, preview, etcdMembers: etcd && !etcd.error ? etcd.members.length : null, now });
      recordAudit(this.db, {
        actor,
        action: "upgrade.start",
        target: id,
        result: "ok",
        details: { cluster: preview.cluster, targetVersion: preview.targetVersion, image: preview.image, nodes: preview.nodes.length, strategy: preview.strategy },
      });
    })();
    this.transition(id, "start", { started: true });
    this.ensureLoop(id);
    return this.getOrThrow(id);
  }

  /** Pause (the node in flight finishes, no more start), resume, or cancel (upgraded nodes stay upgraded). */
  control(id: string, action: UpgradeAction, actor: string = this.actor): UpgradePlan {
    const event: PlanEvent = action;
    const plan = this.getOrThrow(id);
    const next = planTransition(plan.state, event);
    if (!next) throw new AppError("conflict", `Cannot ${action} an upgrade that is ${plan.state}`);
    this.db.transaction(() => {
      const reason = action === "pause" ? `paused by ${actor}` : action === "cancel" ? `cancelled by ${actor}` : null;
      this.transition(id, event, {}, reason);
      if (action === "resume") this.repo.clearPlanReason(id);
      recordAudit(this.db, { actor, action: `upgrade.${action}`, target: id, result: "ok", details: { cluster: plan.cluster, from: plan.state, to: next } });
    })();
    this.publish(id);
    this.ensureLoop(id);
    this.loops.wake(id);
    return this.getOrThrow(id);
  }

  // -------------------------------------------------------------------------------------------
  // The plan loop
  // -------------------------------------------------------------------------------------------

  private transition(id: string, event: PlanEvent, stamp: { started?: boolean; finished?: boolean }, reason: string | null = null): void {
    const state = this.repo.getPlanState(id);
    if (!state) throw new AppError("not_found", `No upgrade plan ${JSON.stringify(id)}`);
    const next = planTransition(state, event);
    if (!next) throw new AppError("conflict", `Cannot ${event} an upgrade that is ${state}`);
    this.repo.setPlanState(id, { state: next, reason, ...stamp, now: this.clock.now() });
    this.publish(id);
  }

  private ensureLoop(id: string): void {
    // The fallback tick of nextWake: nothing should need it, but a lost wake-up must not stall a plan.
    this.loops.ensure(id, ({ nextWake }) => this.runPlan(id, () => nextWake(this.poll * 5), () => this.loops.wake(id)));
  }

  private async runPlan(id: string, waitForWake: () => Promise<void>, wake: () => void): Promise<void> {
    const inFlight = new Map<string, Promise<void>>();
    const drive = (plan: UpgradePlan, node: UpgradeNode) => {
      const p = this.driveNode(plan, node)
        .catch((e) => this.log(`plan ${id}: node ${node.id}: ${errorText(e)}`))
        .finally(() => {
          inFlight.delete(node.id);
          wake();
        });
      inFlight.set(node.id, p);
    };
    while (!this.signal.aborted) {
      const wakeUp = waitForWake();
      const plan = this.getOrThrow(id);
      if (FINAL_PLAN_STATES.has(plan.state)) break;
      // Nodes a previous process left mid-way: observe and finish them before anything else.
      for (const n of plan.nodes) if (ACTIVE_NODE_STATES.has(n.state) && !inFlight.has(n.id)) drive(plan, n);
      const d = decide({
        state: plan.state,
        stopOnFailure: plan.strategy.stopOnFailure,
        nodes: plan.nodes.map((n) => ({ id: n.id, role: n.role, batch: n.batch, state: n.state, error: n.error, label: n.hostname ?? n.address })),
        starting: new Set(inFlight.keys()),
      });
      if (d.kind === "finish") {
        this.finish(plan, d.event, d.reason, d.skip);
        break;
      }
      if (d.kind === "start") {
        for (const nid of d.nodes) {
          const n = plan.nodes.find((x) => x.id === nid)!;
          if (!inFlight.has(nid)) drive(plan, n);
        }
      }
      await wakeUp;
    }
    await Promise.all(inFlight.values());
  }

  private finish(plan: UpgradePlan, event: "succeed" | "fail" | "finish-cancel", reason: string | null, skip: string[]): void {
    const now = this.clock.now();
    this.db.transaction(() => {
      for (const nid of skip) {
        assertNodeTransition("pending", "skipped");
        this.repo.updateNode(plan.id, nid, { state: "skipped", message: event === "finish-cancel" ? "skipped: the upgrade was cancelled" : "skipped: the upgrade halted", now });
      }
      this.transition(plan.id, event, { finished: true }, reason);
      const outcome = event === "succeed" ? "succeeded" : event === "fail" ? "failed" : "cancelled";
      recordAudit(this.db, {
        actor: "system",
        action: `upgrade.${outcome}`,
        target: plan.id,
        result: event === "fail" ? "failed" : "ok",
        details: { cluster: plan.cluster, targetVersion: plan.targetVersion, ...(reason ? { reason } : {}) },
      });
    })();
    this.log(`plan ${plan.id}: ${event}${reason ? `: ${reason}` : ""}`);
  }

  // -------------------------------------------------------------------------------------------
  // One node
  // -------------------------------------------------------------------------------------------

  private setNode(plan: UpgradePlan, node: { id: string; state: UpgradeNodeState }, patch: Omit<NodePatch, "now">): void {
    if (patch.state && patch.state !== node.state) {
      assertNodeTransition(node.state, patch.state);
      node.state = patch.state;
    }
    this.repo.updateNode(plan.id, node.id, { ...patch, now: this.clock.now() });
    this.publish(plan.id);
  }

  /** Drives one node from its persisted state to done or failed; each step is persisted first. */
  private async driveNode(plan: UpgradePlan, row: UpgradeNode): Promise<void> {
    const client = await this.deps.client(plan.cluster);
    const addr = row.address;
    const node = { id: row.id, state: row.state };
    const signal = this.signal;
    const target = plan.targetVersion;
    let bootIdBefore = row.bootIdBefore;
    let path: "lifecycle" | "legacy" = "lifecycle";
    const opts = { timeoutMs: this.readTimeout, signal };
    try {
      if (node.state === "pending") {
        const from = (await client.version(addr, opts)).tag;
        if (sameTalosVersion(from, target)) {
          this.setNode(plan, node, { state: "done", started: true, finished: true, message: `already runs ${target}: nothing to do` });
          return;
        }
        bootIdBefore = await bootIdentity(client, addr, { timeoutMs: this.readTimeout, signal: this.signal });
        path = upgradePathFor(from);
        this.setNode(plan, node, {
          state: path === "lifecycle" ? "pulling" : "installing",
          started: true,
          attempt: true,
          bootIdBefore,
          message: path === "lifecycle" ? `${from} → ${target}: pulling ${plan.image}` : `${from} → ${target}: legacy MachineService/Upgrade with ${plan.image}`,
        });
      } else {
        // A previous runner stopped mid-node: look before acting, so nothing is done twice.
        await this.resumeNode(plan, node, client, bootIdBefore);
        const from = await client.version(addr, opts).then((v) => v.tag, () => null);
        if (from) path = upgradePathFor(from);
      }

      if (node.state === "pulling") {
        for await (const ev of client.imagePull(addr, { image: plan.image, signal })) {
          if (ev.type === "done") this.setNode(plan, node, { message: `pulled ${ev.name}` });
        }
        if (signal.aborted) return;
        this.setNode(plan, node, { state: "installing", message: "running the installer (LifecycleService/Upgrade)" });
      }

      if (node.state === "installing") {
        if (path === "legacy") {
          const res = await client.upgradeLegacy(addr, { image: plan.image, force: plan.strategy.force, rebootMode: plan.strategy.rebootMode, signal });
          if (signal.aborted) return;
          this.setNode(plan, node, { state: "waiting-healthy", message: `${res.ack || "upgrade accepted"}; the node reboots by itself` });
        } else {
          let exitCode: number | undefined;
          let last: string | undefined;
          for await (const ev of client.lifecycleUpgrade(addr, { image: plan.image, signal })) {
            if (ev.type === "message") {
              last = ev.message;
              this.setNode(plan, node, { message: ev.message });
            } else exitCode = ev.exitCode;
          }
          if (signal.aborted) return;
          if (exitCode === undefined) throw new AppError("internal", "the installer stream ended without an exit code", { node: addr });
          if (exitCode !== 0) throw installerExitError(exitCode, addr, last);
          this.setNode(plan, node, { state: "rebooting", message: `installed; rebooting (${plan.strategy.rebootMode})` });
        }
      }

      if (node.state === "rebooting") {
        const { actorId } = await client.reboot(addr, { mode: plan.strategy.rebootMode, signal });
        if (signal.aborted) return;
        this.setNode(plan, node, { state: "waiting-healthy", message: `reboot accepted${actorId ? ` (actor ${actorId})` : ""}; waiting for the node to come back healthy` });
      }

      if (node.state === "waiting-healthy") {
        const verdict = await this.healthGate(plan, node, client, addr, bootIdBefore);
        if (signal.aborted) return;
        if (verdict.ok) this.setNode(plan, node, { state: "done", finished: true, message: `healthy on ${target}` });
        else this.setNode(plan, node, { state: "failed", finished: true, error: verdict.reason, message: `failed: ${verdict.reason}` });
      }
    } catch (e) {
      if (signal.aborted) return;
      const reason = errorText(e);
      this.setNode(plan, node, { state: "failed", finished: true, error: reason, message: `failed: ${reason}` });
    }
  }

  /** Decides where a node left mid-way continues, from what it reports now. */
  private async resumeNode(plan: UpgradePlan, node: { id: string; state: UpgradeNodeState }, client: UpgradeTalos, bootIdBefore: string | null): Promise<void> {
    const addr = plan.nodes.find((n) => n.id === node.id)!.address;
    const opts = { timeoutMs: this.readTimeout, signal: this.signal };
    const status = await client.machineStatus(addr, opts).catch(() => null);
    const bootId = status ? await bootIdentity(client, addr, { ...opts, like: bootIdBefore }).catch(() => null) : null;
    const version = status ? await client.version(addr, opts).then((v) => v.tag, () => null) : null;
    const rebooted = status === null || status.stage !== "running" || (bootId !== null && bootIdBefore !== null && !sameBoot(bootId, bootIdBefore)) || (version !== null && sameTalosVersion(version, plan.targetVersion));
    const seen = status === null ? "unreachable" : `stage ${status.stage}, ${version ?? "version unknown"}`;
    if (node.state !== "waiting-healthy" && rebooted) {
      this.setNode(plan, node, { state: "waiting-healthy", attempt: true, message: `Minos restarted while ${node.state}; the node is ${seen}: watching it, not upgrading again` });
    } else {
      this.setNode(plan, node, { attempt: true, message: `Minos restarted while ${node.state}; the node is ${seen}: resuming` });
    }
  }

  private async healthGate(plan: UpgradePlan, node: { id: string; state: UpgradeNodeState }, client: UpgradeTalos, addr: string, bootIdBefore: string | null) {
    const row = this.repo.getPlanNodes(plan.id).find((n) => n.id === node.id)!;
    const since = row.stateChangedAt ? Date.parse(row.stateChangedAt) : this.clock.now();
    const expect = { targetVersion: plan.targetVersion, bootIdBefore, role: row.role, etcdMembers: this.repo.getPlanEtcdMembers(plan.id) };
    const opts = { timeoutMs: this.readTimeout, signal: this.signal };
    const verdict = await waitUntil({
      clock: this.clock,
      pollMs: this.poll,
      deadline: since + plan.strategy.healthTimeoutSeconds * 1000,
      signal: this.signal,
      check: async () => evaluateHealth(await healthFacts(plan, client, addr, row.role, bootIdBefore, opts), expect),
      onWaiting: (reason) => this.setNode(plan, node, { message: `waiting: ${reason}` }),
    });
    if (verdict.ok || !verdict.timedOut) return verdict;
    return { ok: false as const, reason: `not healthy within ${plan.strategy.healthTimeoutSeconds} s of its reboot: ${verdict.reason}` };
  }

  private publish(id: string): void {
    if (!this.deps.publish) return;
    const plan = this.get(id);
    if (plan) this.deps.publish({ type: "upgrade", plan });
  }

  private log(message: string): void {
    (this.deps.log ?? ((m: string) => console.log(`[minos] upgrades: ${m}`)))(message);
  }
}
