import "server-only";

import { randomUUID } from "node:crypto";

import { sql } from "kysely";

import { parseNodeId } from "@/lib/fleet/node-id";
import type {
  ClusterUpgradeProgress,
  ParsedUpgradeRequest,
  UpgradeAction,
  UpgradeEvent,
  UpgradeNode,
  UpgradeNodeState,
  UpgradePlan,
  UpgradePlanState,
  UpgradePlanSummary,
  UpgradePreview,
} from "@/lib/schemas/upgrades";
import { recordAudit } from "@/lib/server/platform/audit";
import { dialectOf, type Db } from "@/lib/server/platform/db/db";
import { AppError } from "@/lib/server/platform/errors";
import { holdLease, type HeldLease, LeaseLostError } from "@/lib/server/platform/leases";
import { replicaId } from "@/lib/server/platform/replica";
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
  /** The lease owner this runner writes: this replica (`replicaId()`) unless a test names two. */
  owner?: string;
  /** Health gate and etcd poll interval. Default 1000 ms. */
  pollIntervalMs?: number;
  /** How often the runner looks for live plans nobody drives (an orphan's lease expired). Default 2500 ms. */
  scanIntervalMs?: number;
  /** A plan lease's lifetime and renewal interval; the defaults are platform/leases' (9 s, 3 s). */
  lease?: { ttlMs?: number; renewMs?: number };
  /** Deadline of each read the runner makes. Default 5000 ms. */
  readTimeoutMs?: number;
  log?(message: string): void;
}

/** Plans that still have work (or a node in flight) to do. */
const LIVE_STATES = ["pending", "running", "paused", "cancelling"] as const;

/** The lease a plan is driven under: one replica at a time. */
export const upgradeLeaseName = (planId: string) => `upgrade:${planId}`;

/** A plan this runner drives: the lease it holds, and the signal that stops its loop and its nodes. */
interface Drive {
  held: HeldLease;
  abort: AbortController;
  /** Aborts when the runner stops or the lease is lost: no further write, no further Talos call. */
  signal: AbortSignal;
  /** Set once the lease is known to be another's (or expired): then there is nothing to release either. */
  lost: boolean;
}

/** A node start found the plan no longer running (paused or cancelled meanwhile, maybe on another replica). */
class PlanNotRunning extends Error {}

const isLeaseLost = (e: unknown): boolean => e instanceof LeaseLostError || (e instanceof Error && e.name === "LeaseLostError");

/**
 * Runs rolling upgrades. Every plan and node transition is written before the step it announces,
 * so a runner that takes a plan over (this process restarted, or another replica after this one
 * died) resumes where the last one stopped: nodes mid-reboot are observed, never upgraded again;
 * nodes already on the target are marked done. Scheduling is the pure `decide` (./machine); this
 * class only does the I/O.
 *
 * Replicas share the work through leases (`upgrade:<planId>`, platform/leases): a runner drives a
 * plan only while it holds that plan's lease, and every write it makes checks the lease's fencing
 * number in the same transaction, so an owner that was paused or cut off past its lease's expiry
 * can neither write nor (checked before each Talos call) act on a node after another took over.
 * A periodic scan takes over live plans whose lease has expired. Pause, resume and cancel may be
 * asked of any replica: they are written to the plan, which the driver re-reads between steps.
 */
export class UpgradeRunner {
  private readonly db: Db;
  private readonly clock: Clock;
  private readonly actor: string;
  private readonly owner: string;
  private readonly poll: number;
  private readonly scanMs: number;
  private readonly readTimeout: number;
  private readonly repo: UpgradeRepository;
  private readonly loops: JobLoops;
  private readonly drives = new Map<string, Drive>();
  private readonly claiming = new Map<string, Promise<Drive | null>>();
  private started = false;
  private scanTimer: unknown;
  private scanning: Promise<void> | null = null;

  constructor(private readonly deps: RunnerDeps) {
    this.db = deps.db;
    this.clock = deps.clock ?? realClock;
    this.actor = deps.actor ?? "local user";
    this.owner = deps.owner ?? replicaId();
    this.poll = deps.pollIntervalMs ?? 1000;
    this.scanMs = deps.scanIntervalMs ?? 2500;
    this.readTimeout = deps.readTimeoutMs ?? 5000;
    this.repo = new UpgradeRepository(deps.db);
    this.loops = new JobLoops(this.clock, (id, e) => this.log(`plan ${id}: runner loop failed: ${errorText(e)}`));
  }

  /**
   * Takes up every live plan nobody drives (those this process drove before it restarted
   * included, once their lease expires), then keeps looking every `scanIntervalMs`. Idempotent.
   */
  start(): void {
    if (this.started) return;
    this.started = true;
    void this.scan({ announce: true });
  }

  /**
   * Stops every loop (in-flight steps are abandoned, their state stays persisted for whoever
   * resumes) and releases this runner's leases, so another replica takes its plans over at once.
   */
  async stop(): Promise<void> {
    this.clock.clearTimeout(this.scanTimer);
    await this.loops.stop();
    await this.scanning;
    await Promise.all(this.claiming.values());
    await Promise.all([...this.drives.keys()].map((id) => this.dropDrive(id)));
  }

  /** Ids of the plans this runner drives now (it holds their lease). */
  driving(): string[] {
    return [...this.drives.keys()];
  }

  /**
   * One look for live plans: wakes the loops of those it drives (an operator may have paused one
   * on another replica) and tries to take the lease of the others. Runs every `scanIntervalMs`
   * once started; tests call it to look now.
   */
  async scan(opts: { announce?: boolean } = {}): Promise<void> {
    if (this.scanning) return this.scanning;
    this.scanning = (async () => {
      try {
        for (const p of await this.repo.listPlanIdsInStates(LIVE_STATES)) {
          if (this.loops.stopped) return;
          // Listeners (the fleet's "upgrading 3/8") learn of live plans at start, paused ones included.
          if (opts.announce) await this.publish(p.id);
          if (this.drives.has(p.id)) this.loops.wake(p.id);
          else if (await this.drive(p.id)) this.log(`driving plan ${p.id} (${p.cluster}, ${p.state})`);
        }
      } catch (e) {
        this.log(`looking for plans to drive failed: ${errorText(e)}`);
      } finally {
        this.scanning = null;
        if (this.started && !this.loops.stopped) {
          this.clock.clearTimeout(this.scanTimer);
          this.scanTimer = this.clock.setTimeout(() => void this.scan(), this.scanMs);
        }
      }
    })();
    return this.scanning;
  }

  // -------------------------------------------------------------------------------------------
  // Queries
  // -------------------------------------------------------------------------------------------

  get(id: string): Promise<UpgradePlan | null> {
    return this.repo.getPlan(id, this.clock.now());
  }

  async getOrThrow(id: string): Promise<UpgradePlan> {
    const plan = await this.get(id);
    if (!plan) throw new AppError("not_found", `No upgrade plan ${JSON.stringify(id)}`);
    return plan;
  }

  list(opts: { cluster?: string; limit: number }): Promise<UpgradePlanSummary[]> {
    return this.repo.listPlans({ ...opts, now: this.clock.now() });
  }

  /** Per cluster, the live plan's progress. */
  async progressByCluster(): Promise<Record<string, ClusterUpgradeProgress>> {
    const out: Record<string, ClusterUpgradeProgress> = {};
    for (const p of await this.repo.listPlanIdsInStates(LIVE_STATES)) {
      const nodes = await this.repo.getPlanNodes(p.id);
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
   * or a check fails (the checks are in the error's details). `actor` labels the plan and its
   * audit records. The plan is born under this runner's lease, already running.
   */
  async create(req: ParsedUpgradeRequest, actor: string = this.actor): Promise<UpgradePlan> {
    const live = (await this.repo.listPlanIdsInStates(LIVE_STATES, { cluster: req.cluster }))[0];
    if (live) throw liveConflict(req.cluster, live);
    const { preview, etcd } = await this.plan(req);
    if (!preview.canStart) {
      const errors = preview.checks.filter((c) => c.level === "error");
      await recordAudit(this.db, {
        actor,
        action: "upgrade.start",
        target: req.cluster,
        result: "refused",
        details: { targetVersion: preview.targetVersion, image: preview.image, checks: errors },
      });
      throw new AppError("conflict", `The upgrade was refused: ${errors.map((c) => c.message).join(" ")}`, { details: { checks: preview.checks } });
    }
    const id = randomUUID();
    // Nobody else knows this id yet: the lease is free, unless this runner is stopping.
    const drive = await this.claim(id);
    if (!drive) throw new AppError("conflict", "The upgrade runner is stopping; try again");
    try {
      await this.fenced(drive, async (trx) => {
        // Two replicas creating a plan for one cluster at once: the second waits here, then sees the first.
        if (dialectOf(trx) === "postgres") await sql`SELECT pg_advisory_xact_lock(hashtext(${`minos:upgrade-plan:${req.cluster}`}))`.execute(trx);
        const repo = new UpgradeRepository(trx);
        const other = (await repo.listPlanIdsInStates(LIVE_STATES, { cluster: req.cluster }))[0];
        if (other) throw liveConflict(req.cluster, other);
        const now = this.clock.now();
        await repo.insertPlan({ id, actor, preview, etcdMembers: etcd && !etcd.error ? etcd.members.length : null, now });
        await recordAudit(trx, {
          actor,
          action: "upgrade.start",
          target: id,
          result: "ok",
          details: { cluster: preview.cluster, targetVersion: preview.targetVersion, image: preview.image, nodes: preview.nodes.length, strategy: preview.strategy },
        });
        await repo.setPlanState(id, { state: planTransition("pending", "start")!, started: true, now });
      });
    } catch (e) {
      await this.dropDrive(id);
      throw e;
    }
    await this.publish(id);
    this.ensureLoop(id, drive);
    return this.getOrThrow(id);
  }

  /**
   * Pause (the node in flight finishes, no more start), resume, or cancel (upgraded nodes stay
   * upgraded). Any replica may be asked: the change is written to the plan, and whichever runner
   * drives it reads it before its next step.
   */
  async control(id: string, action: UpgradeAction, actor: string = this.actor): Promise<UpgradePlan> {
    const event: PlanEvent = action;
    await this.db.transaction().execute(async (trx) => {
      const repo = new UpgradeRepository(trx);
      const state = await repo.getPlanState(id, { lock: true });
      if (!state) throw new AppError("not_found", `No upgrade plan ${JSON.stringify(id)}`);
      const next = planTransition(state, event);
      if (!next) throw new AppError("conflict", `Cannot ${action} an upgrade that is ${state}`);
      const reason = action === "pause" ? `paused by ${actor}` : action === "cancel" ? `cancelled by ${actor}` : null;
      await repo.setPlanState(id, { state: next, reason, now: this.clock.now() });
      if (action === "resume") await repo.clearPlanReason(id);
      const plan = await trx.selectFrom("upgrade_plans").select("cluster").where("id", "=", id).executeTakeFirstOrThrow();
      await recordAudit(trx, { actor, action: `upgrade.${action}`, target: id, result: "ok", details: { cluster: plan.cluster, from: state, to: next } });
    });
    await this.publish(id);
    // Driven here: act now. Driven elsewhere: that runner sees it at its next step or scan.
    if (this.drives.has(id)) this.loops.wake(id);
    else void this.drive(id).catch((e: unknown) => this.log(`plan ${id}: could not take it up: ${errorText(e)}`));
    return this.getOrThrow(id);
  }

  // -------------------------------------------------------------------------------------------
  // Leases
  // -------------------------------------------------------------------------------------------

  /** Takes the plan's lease and starts its loop; false when another runner holds it. */
  private async drive(id: string): Promise<boolean> {
    const drive = await this.claim(id);
    if (drive) this.ensureLoop(id, drive);
    return drive !== null;
  }

  /** The plan's lease for this runner (the one it holds already, or a new one), or null if another runner holds it. */
  private claim(id: string): Promise<Drive | null> {
    const held = this.drives.get(id);
    if (held) return Promise.resolve(held);
    const claiming = this.claiming.get(id);
    if (claiming) return claiming;
    const p = (async (): Promise<Drive | null> => {
      if (this.loops.stopped) return null;
      const abort = new AbortController();
      // Filled in once the lease is held; onLost runs only later.
      const box: { drive?: Drive } = {};
      const lease = await holdLease(this.db, upgradeLeaseName(id), this.owner, {
        clock: this.clock,
        ttlMs: this.deps.lease?.ttlMs,
        renewMs: this.deps.lease?.renewMs,
        onLost: () => {
          if (box.drive) box.drive.lost = true;
          this.log(`plan ${id}: lost its lease (another runner took it over, or it could not be renewed); no longer driving it`);
          abort.abort(new LeaseLostError({ name: upgradeLeaseName(id), owner: this.owner, fence: lease?.lease.fence ?? 0 }));
        },
      });
      if (!lease) return null;
      if (this.loops.stopped) {
        await lease.release();
        return null;
      }
      const drive: Drive = { held: lease, abort, signal: AbortSignal.any([this.loops.signal, abort.signal]), lost: false };
      box.drive = drive;
      this.drives.set(id, drive);
      return drive;
    })().finally(() => this.claiming.delete(id));
    this.claiming.set(id, p);
    return p;
  }

  /** Forgets a plan this runner drove and releases its lease (a no-op once the lease was lost). */
  private async dropDrive(id: string): Promise<void> {
    const drive = this.drives.get(id);
    if (!drive) return;
    this.drives.delete(id);
    drive.abort.abort();
    // A lost lease is not released: that write would be refused anyway, and the old owner writes nothing.
    if (!drive.lost) await drive.held.release();
  }

  /**
   * Throws LeaseLostError unless this runner may still act for the plan: its loop was not
   * stopped, no renewal found the lease gone, and by this runner's clock the lease has not
   * expired (a process paused past its expiry finds out here, before it touches a node).
   */
  private assertHolding(drive: Drive): void {
    const lost = drive.lost || drive.held.lost || this.clock.now() >= drive.held.lease.expiresAt;
    if (lost || drive.signal.aborted) {
      if (lost) drive.lost = true;
      if (!drive.abort.signal.aborted) drive.abort.abort();
      throw new LeaseLostError(drive.held.lease);
    }
  }

  /**
   * One write of this runner for the plan, in a transaction that first checks the lease's
   * fencing number. A refusal stops the plan's loop and its nodes at once before it is rethrown.
   */
  private async fenced<T>(drive: Drive, write: (trx: Db) => Promise<T>): Promise<T> {
    this.assertHolding(drive);
    try {
      return await drive.held.fenced(write);
    } catch (e) {
      if (isLeaseLost(e)) {
        drive.lost = true;
        drive.abort.abort();
        this.log(`${drive.held.lease.name}: a write was refused (fence ${drive.held.lease.fence} is stale): another runner took the plan over`);
      }
      throw e;
    }
  }

  /** A plan's Talos client that refuses every call once the runner may no longer act for it. */
  private guarded(client: UpgradeTalos, drive: Drive): UpgradeTalos {
    return new Proxy(client, {
      get: (target, prop, receiver) => {
        const value: unknown = Reflect.get(target, prop, receiver);
        if (typeof value !== "function") return value;
        return (...args: unknown[]) => {
          this.assertHolding(drive);
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    });
  }

  // -------------------------------------------------------------------------------------------
  // The plan loop
  // -------------------------------------------------------------------------------------------

  /**
   * A runner transition of the plan, fenced by its lease. False (nothing written) when the plan
   * is no longer in `from`: an operator changed it meanwhile, and the loop decides again.
   */
  private async transition(
    drive: Drive,
    id: string,
    from: UpgradePlanState,
    event: PlanEvent,
    stamp: { started?: boolean; finished?: boolean },
    reason: string | null = null,
    more?: (trx: Db) => Promise<void>,
  ): Promise<boolean> {
    const done = await this.fenced(drive, async (trx) => {
      const repo = new UpgradeRepository(trx);
      const state = await repo.getPlanState(id, { lock: true });
      if (!state) throw new AppError("not_found", `No upgrade plan ${JSON.stringify(id)}`);
      if (state !== from) return false;
      const next = planTransition(state, event);
      if (!next) throw new AppError("conflict", `Cannot ${event} an upgrade that is ${state}`);
      await more?.(trx);
      await repo.setPlanState(id, { state: next, reason, ...stamp, now: this.clock.now() });
      return true;
    });
    if (done) await this.publish(id);
    return done;
  }

  private ensureLoop(id: string, drive: Drive): void {
    // The fallback tick of nextWake: nothing should need it, but a lost wake-up must not stall a plan.
    this.loops.ensure(id, async ({ nextWake }) => {
      try {
        await this.runPlan(id, drive, () => nextWake(this.poll * 5), () => this.loops.wake(id));
      } catch (e) {
        if (!isLeaseLost(e)) throw e;
        this.log(`plan ${id}: another runner took it over; stopped driving it`);
      } finally {
        // The plan finished, the runner stops, the lease was lost, or the loop failed (the next
        // scan, here or elsewhere, takes it up again): in every case this runner lets it go.
        if (this.drives.get(id) === drive) await this.dropDrive(id);
      }
    });
    // The loop may not start (the runner stopped): then nobody must keep renewing the lease.
    if (!this.loops.has(id)) void this.dropDrive(id);
  }

  private async runPlan(id: string, drive: Drive, waitForWake: () => Promise<void>, wake: () => void): Promise<void> {
    const signal = drive.signal;
    const inFlight = new Map<string, Promise<void>>();
    const start = (plan: UpgradePlan, node: UpgradeNode) => {
      const p = this.driveNode(drive, plan, node)
        .catch((e) => {
          if (isLeaseLost(e)) drive.abort.abort();
          else this.log(`plan ${id}: node ${node.id}: ${errorText(e)}`);
        })
        .finally(() => {
          inFlight.delete(node.id);
          wake();
        });
      inFlight.set(node.id, p);
    };
    try {
      while (!signal.aborted) {
        const wakeUp = waitForWake();
        // Read the plan every round: a pause or cancel may have been written by another replica.
        const plan = await this.getOrThrow(id);
        if (signal.aborted || FINAL_PLAN_STATES.has(plan.state)) break;
        this.assertHolding(drive);
        // A plan created (or left) pending: start it under this lease.
        if (plan.state === "pending") {
          await this.transition(drive, id, "pending", "start", { started: true });
          continue;
        }
        // Nodes a previous runner left mid-way: observe and finish them before anything else.
        for (const n of plan.nodes) if (ACTIVE_NODE_STATES.has(n.state) && !inFlight.has(n.id)) start(plan, n);
        const d = decide({
          state: plan.state,
          stopOnFailure: plan.strategy.stopOnFailure,
          nodes: plan.nodes.map((n) => ({ id: n.id, role: n.role, batch: n.batch, state: n.state, error: n.error, label: n.hostname ?? n.address })),
          starting: new Set(inFlight.keys()),
        });
        if (d.kind === "finish") {
          if (await this.finish(drive, plan, d.event, d.reason, d.skip)) break;
          continue;
        }
        if (d.kind === "start") {
          for (const nid of d.nodes) {
            const n = plan.nodes.find((x) => x.id === nid)!;
            if (!inFlight.has(nid)) start(plan, n);
          }
        }
        await wakeUp;
      }
    } finally {
      await Promise.all(inFlight.values());
    }
    // A node that lost the lease ends quietly; the loop reports it like its own loss.
    if (drive.abort.signal.aborted && !this.loops.stopped) throw new LeaseLostError(drive.held.lease);
  }

  /** Persists the plan's end (and skips what was not started); false when an operator changed the plan meanwhile. */
  private async finish(drive: Drive, plan: UpgradePlan, event: "succeed" | "fail" | "finish-cancel", reason: string | null, skip: string[]): Promise<boolean> {
    const now = this.clock.now();
    const done = await this.transition(drive, plan.id, plan.state, event, { finished: true }, reason, async (trx) => {
      const repo = new UpgradeRepository(trx);
      for (const nid of skip) {
        assertNodeTransition("pending", "skipped");
        await repo.updateNode(plan.id, nid, { state: "skipped", message: event === "finish-cancel" ? "skipped: the upgrade was cancelled" : "skipped: the upgrade halted", now });
      }
      const outcome = event === "succeed" ? "succeeded" : event === "fail" ? "failed" : "cancelled";
      await recordAudit(trx, {
        actor: "system",
        action: `upgrade.${outcome}`,
        target: plan.id,
        result: event === "fail" ? "failed" : "ok",
        details: { cluster: plan.cluster, targetVersion: plan.targetVersion, ...(reason ? { reason } : {}) },
      });
    });
    if (done) this.log(`plan ${plan.id}: ${event}${reason ? `: ${reason}` : ""}`);
    return done;
  }

  // -------------------------------------------------------------------------------------------
  // One node
  // -------------------------------------------------------------------------------------------

  /**
   * Persists a node's step, fenced by the plan's lease. `starting` (the node leaves `pending`)
   * also checks, in the same transaction, that the plan is still running: a pause written by any
   * replica after the loop read the plan stops the node before it is touched.
   */
  private async setNode(drive: Drive, plan: UpgradePlan, node: { id: string; state: UpgradeNodeState }, patch: Omit<NodePatch, "now">): Promise<void> {
    if (patch.state && patch.state !== node.state) assertNodeTransition(node.state, patch.state);
    const starting = node.state === "pending" && patch.state !== undefined && patch.state !== "pending";
    await this.fenced(drive, async (trx) => {
      const repo = new UpgradeRepository(trx);
      if (starting) {
        const state = await repo.getPlanState(plan.id, { lock: true });
        if (state !== "running") throw new PlanNotRunning(`the plan is ${state}`);
      }
      await repo.updateNode(plan.id, node.id, { ...patch, now: this.clock.now() });
    });
    if (patch.state) node.state = patch.state;
    await this.publish(plan.id);
  }

  /** Drives one node from its persisted state to done or failed; each step is persisted first. */
  private async driveNode(drive: Drive, plan: UpgradePlan, row: UpgradeNode): Promise<void> {
    const signal = drive.signal;
    this.assertHolding(drive);
    const client = this.guarded(await this.deps.client(plan.cluster), drive);
    const addr = row.address;
    const node = { id: row.id, state: row.state };
    const target = plan.targetVersion;
    let bootIdBefore = row.bootIdBefore;
    let path: "lifecycle" | "legacy" = "lifecycle";
    const opts = { timeoutMs: this.readTimeout, signal };
    try {
      if (node.state === "pending") {
        const from = (await client.version(addr, opts)).tag;
        if (sameTalosVersion(from, target)) {
          await this.setNode(drive, plan, node, { state: "done", started: true, finished: true, message: `already runs ${target}: nothing to do` });
          return;
        }
        bootIdBefore = await bootIdentity(client, addr, opts);
        path = upgradePathFor(from);
        await this.setNode(drive, plan, node, {
          state: path === "lifecycle" ? "pulling" : "installing",
          started: true,
          attempt: true,
          bootIdBefore,
          message: path === "lifecycle" ? `${from} → ${target}: pulling ${plan.image}` : `${from} → ${target}: legacy MachineService/Upgrade with ${plan.image}`,
        });
      } else {
        // A previous runner stopped mid-node: look before acting, so nothing is done twice.
        await this.resumeNode(drive, plan, node, client, bootIdBefore);
        const from = await client.version(addr, opts).then((v) => v.tag, () => null);
        if (from) path = upgradePathFor(from);
      }

      if (node.state === "pulling") {
        for await (const ev of client.imagePull(addr, { image: plan.image, signal })) {
          if (ev.type === "done") await this.setNode(drive, plan, node, { message: `pulled ${ev.name}` });
        }
        if (signal.aborted) return;
        await this.setNode(drive, plan, node, { state: "installing", message: "running the installer (LifecycleService/Upgrade)" });
      }

      if (node.state === "installing") {
        if (path === "legacy") {
          const res = await client.upgradeLegacy(addr, { image: plan.image, force: plan.strategy.force, rebootMode: plan.strategy.rebootMode, signal });
          if (signal.aborted) return;
          await this.setNode(drive, plan, node, { state: "waiting-healthy", message: `${res.ack || "upgrade accepted"}; the node reboots by itself` });
        } else {
          let exitCode: number | undefined;
          let last: string | undefined;
          for await (const ev of client.lifecycleUpgrade(addr, { image: plan.image, signal })) {
            if (ev.type === "message") {
              last = ev.message;
              await this.setNode(drive, plan, node, { message: ev.message });
            } else exitCode = ev.exitCode;
          }
          if (signal.aborted) return;
          if (exitCode === undefined) throw new AppError("internal", "the installer stream ended without an exit code", { node: addr });
          if (exitCode !== 0) throw installerExitError(exitCode, addr, last);
          await this.setNode(drive, plan, node, { state: "rebooting", message: `installed; rebooting (${plan.strategy.rebootMode})` });
        }
      }

      if (node.state === "rebooting") {
        const { actorId } = await client.reboot(addr, { mode: plan.strategy.rebootMode, signal });
        if (signal.aborted) return;
        await this.setNode(drive, plan, node, { state: "waiting-healthy", message: `reboot accepted${actorId ? ` (actor ${actorId})` : ""}; waiting for the node to come back healthy` });
      }

      if (node.state === "waiting-healthy") {
        const verdict = await this.healthGate(drive, plan, node, client, addr, bootIdBefore);
        if (signal.aborted) return;
        if (verdict.ok) await this.setNode(drive, plan, node, { state: "done", finished: true, message: `healthy on ${target}` });
        else await this.setNode(drive, plan, node, { state: "failed", finished: true, error: verdict.reason, message: `failed: ${verdict.reason}` });
      }
    } catch (e) {
      // Stopped, or another runner has the plan now: nothing more is written or done here.
      if (signal.aborted || isLeaseLost(e)) {
        if (isLeaseLost(e)) drive.abort.abort();
        return;
      }
      // Paused or cancelled before this node was touched: it stays pending.
      if (e instanceof PlanNotRunning) return;
      const reason = errorText(e);
      try {
        await this.setNode(drive, plan, node, { state: "failed", finished: true, error: reason, message: `failed: ${reason}` });
      } catch (e2) {
        if (!(e2 instanceof PlanNotRunning)) throw e2;
      }
    }
  }

  /** Decides where a node left mid-way continues, from what it reports now. */
  private async resumeNode(drive: Drive, plan: UpgradePlan, node: { id: string; state: UpgradeNodeState }, client: UpgradeTalos, bootIdBefore: string | null): Promise<void> {
    const addr = plan.nodes.find((n) => n.id === node.id)!.address;
    const opts = { timeoutMs: this.readTimeout, signal: drive.signal };
    const status = await client.machineStatus(addr, opts).catch(rethrowLeaseLost);
    const bootId = status ? await bootIdentity(client, addr, { ...opts, like: bootIdBefore }).catch(rethrowLeaseLost) : null;
    const version = status ? await client.version(addr, opts).then((v) => v.tag, rethrowLeaseLost) : null;
    const rebooted = status === null || status.stage !== "running" || (bootId !== null && bootIdBefore !== null && !sameBoot(bootId, bootIdBefore)) || (version !== null && sameTalosVersion(version, plan.targetVersion));
    const seen = status === null ? "unreachable" : `stage ${status.stage}, ${version ?? "version unknown"}`;
    if (node.state !== "waiting-healthy" && rebooted) {
      await this.setNode(drive, plan, node, { state: "waiting-healthy", attempt: true, message: `Minos resumed this plan while the node was ${node.state}; the node is ${seen}: watching it, not upgrading again` });
    } else {
      await this.setNode(drive, plan, node, { attempt: true, message: `Minos resumed this plan while the node was ${node.state}; the node is ${seen}: resuming` });
    }
  }

  private async healthGate(drive: Drive, plan: UpgradePlan, node: { id: string; state: UpgradeNodeState }, client: UpgradeTalos, addr: string, bootIdBefore: string | null) {
    const row = (await this.repo.getPlanNodes(plan.id)).find((n) => n.id === node.id)!;
    const since = row.stateChangedAt ? Date.parse(row.stateChangedAt) : this.clock.now();
    const expect = { targetVersion: plan.targetVersion, bootIdBefore, role: row.role, etcdMembers: await this.repo.getPlanEtcdMembers(plan.id) };
    const opts = { timeoutMs: this.readTimeout, signal: drive.signal };
    // "waiting: …" messages are written while the wait goes on; the last one is awaited below.
    let noted: Promise<void> = Promise.resolve();
    const verdict = await waitUntil({
      clock: this.clock,
      pollMs: this.poll,
      deadline: since + plan.strategy.healthTimeoutSeconds * 1000,
      signal: drive.signal,
      check: async () => evaluateHealth(await healthFacts(plan, client, addr, row.role, bootIdBefore, opts), expect),
      onWaiting: (reason) => {
        noted = noted.then(() => this.setNode(drive, plan, node, { message: `waiting: ${reason}` })).catch((e: unknown) => {
          // A lost lease ends the wait (the signal aborts); other write failures only lose a message.
          if (isLeaseLost(e)) drive.abort.abort();
          else this.log(`plan ${plan.id}: node ${node.id}: ${errorText(e)}`);
        });
      },
    });
    await noted;
    if (verdict.ok || !verdict.timedOut) return verdict;
    return { ok: false as const, reason: `not healthy within ${plan.strategy.healthTimeoutSeconds} s of its reboot: ${verdict.reason}` };
  }

  private async publish(id: string): Promise<void> {
    if (!this.deps.publish) return;
    try {
      const plan = await this.get(id);
      if (plan) this.deps.publish({ type: "upgrade", plan });
    } catch (e) {
      this.log(`plan ${id}: could not publish its state: ${errorText(e)}`);
    }
  }

  private log(message: string): void {
    (this.deps.log ?? ((m: string) => console.log(`[minos] upgrades: ${m}`)))(message);
  }
}

function liveConflict(cluster: string, live: { id: string; state: string }): AppError {
  return new AppError("conflict", `Cluster "${cluster}" already has an upgrade in progress (${live.id}, ${live.state})`, { details: { planId: live.id } });
}

/** A read that fails is "unknown" when resuming a node, unless it failed because the lease is gone. */
function rethrowLeaseLost(e: unknown): null {
  if (isLeaseLost(e)) throw e;
  return null;
}
