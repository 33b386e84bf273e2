import "server-only";

import { randomUUID } from "node:crypto";

import { sql } from "kysely";

import { parseNodeId } from "@/lib/fleet/node-id";
import type {
  ClusterUpgradeProgress,
  ParsedUpgradeRequest,
  UpgradeAction,
  UpgradeEvent,
  UpgradePlan,
  UpgradePlanSummary,
  UpgradePreview,
} from "@/lib/schemas/upgrades";
import { type DrainAction, type NodeDrain, overrideOfAction } from "@/lib/schemas/drain";
import type { KubernetesAccessProvider, NodeDrainer } from "@/lib/server/kubernetes/types";
import { recordAudit } from "@/lib/server/platform/audit";
import { dialectOf, type Db } from "@/lib/server/platform/db/db";
import { AppError } from "@/lib/server/platform/errors";
import { replicaId } from "@/lib/server/platform/replica";
import { errorText, JobLoops } from "@/lib/server/jobs";
import { refuseBesideLiveRuns } from "@/lib/server/platform/cluster-runs";
import { installerImage, versionFromImage } from "@/lib/talos/upgrade";
import { normalizeTalosVersion } from "@/lib/talos/version";
import { type Clock, realClock } from "@/lib/utils/clock";
import { mapLimit } from "@/lib/utils/map-limit";

import { PlanDrives } from "./drives";
import { assertNodeTransition, planTransition, type PlanEvent } from "./machine";
import { NodeSteps } from "./node-steps";
import { buildPlan, type EtcdFacts } from "./plan";
import { PlanLoops } from "./plan-loop";
import { etcdFacts, nodeFacts, type UpgradeTalos } from "./probes";
import { UpgradeRepository } from "./repository";

export { upgradeLeaseName } from "./drives";

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
  /** Health gate and etcd poll interval (with `gateEvents`, the gate's fallback). Default 1000 ms. */
  pollIntervalMs?: number;
  /**
   * The health gate after a reboot waits on the node's Events stream and looks as soon as the
   * node reports a change; polling every `pollIntervalMs` stays as the fallback. Default true.
   */
  gateEvents?: boolean;
  /** While the node reboots, how often the gate tries to open its Events stream again. Default 250 ms. */
  eventReconnectMs?: number;
  /** How often the runner looks for live plans nobody drives (an orphan's lease expired). Default 2500 ms. */
  scanIntervalMs?: number;
  /** A plan lease's lifetime and renewal interval; the defaults are platform/leases' (9 s, 3 s). */
  lease?: { ttlMs?: number; renewMs?: number };
  /** Deadline of each read the runner makes. Default 5000 ms. */
  readTimeoutMs?: number;
  /**
   * Kubernetes access and the drainer, for the drain around each reboot (strategy.drain). Without
   * it the runner skips the drain and says so on every node.
   */
  kubernetes?: { access: KubernetesAccessProvider; drainer: NodeDrainer };
  log?(message: string): void;
}

/** Plans that still have work (or a node in flight) to do. */
const LIVE_STATES = ["pending", "running", "paused", "cancelling"] as const;

/**
 * Runs rolling upgrades. Every plan and node transition is written before the step it announces,
 * so a runner that takes a plan over (this process restarted, or another replica after this one
 * died) resumes where the last one stopped: nodes mid-reboot are observed, never upgraded again;
 * nodes already on the target are marked done. Scheduling is the pure `decide` (./machine); this
 * class and its parts only do the I/O: the leases in ./drives, each plan's loop in ./plan-loop,
 * each node's steps in ./node-steps.
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
  private readonly scanMs: number;
  private readonly readTimeout: number;
  private readonly repo: UpgradeRepository;
  private readonly loops: JobLoops;
  private readonly drives: PlanDrives;
  private readonly planLoops: PlanLoops;
  private started = false;
  private scanTimer: unknown;
  private scanning: Promise<void> | null = null;

  constructor(private readonly deps: RunnerDeps) {
    this.db = deps.db;
    this.clock = deps.clock ?? realClock;
    this.actor = deps.actor ?? "local user";
    this.scanMs = deps.scanIntervalMs ?? 2500;
    this.readTimeout = deps.readTimeoutMs ?? 5000;
    this.repo = new UpgradeRepository(deps.db);
    this.loops = new JobLoops(this.clock, (id, e) => this.log(`plan ${id}: runner loop failed: ${errorText(e)}`));
    const log = (m: string) => this.log(m);
    this.drives = new PlanDrives({ db: deps.db, clock: this.clock, owner: deps.owner ?? replicaId(), loops: this.loops, lease: deps.lease, log });
    const ctx = {
      clock: this.clock,
      repo: this.repo,
      client: (cluster: string) => deps.client(cluster),
      pollMs: deps.pollIntervalMs ?? 1000,
      events: deps.gateEvents === false ? null : { reconnectMs: deps.eventReconnectMs ?? 250 },
      readTimeoutMs: this.readTimeout,
      publish: (id: string) => this.publish(id),
      log,
      kube: deps.kubernetes ? { ...deps.kubernetes, clock: this.clock } : null,
      loops: this.loops,
      getOrThrow: (id: string) => this.getOrThrow(id),
    };
    this.planLoops = new PlanLoops(ctx, this.drives, new NodeSteps(ctx, this.drives));
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
    await this.drives.dropAll();
  }

  /** Ids of the plans this runner drives now (it holds their lease). */
  driving(): string[] {
    return this.drives.ids();
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
    await refuseBesideLiveRuns(this.db, req.cluster, "talos-upgrade");
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
    const drive = await this.drives.claim(id);
    if (!drive) throw new AppError("conflict", "The upgrade runner is stopping; try again");
    try {
      await this.drives.fenced(drive, async (trx) => {
        // Two replicas creating a plan for one cluster at once: the second waits here, then sees the first.
        if (dialectOf(trx) === "postgres") await sql`SELECT pg_advisory_xact_lock(hashtext(${`minos:upgrade-plan:${req.cluster}`}))`.execute(trx);
        const repo = new UpgradeRepository(trx);
        const other = (await repo.listPlanIdsInStates(LIVE_STATES, { cluster: req.cluster }))[0];
        if (other) throw liveConflict(req.cluster, other);
        await refuseBesideLiveRuns(trx, req.cluster, "talos-upgrade");
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
      await this.drives.dropDrive(id);
      throw e;
    }
    await this.publish(id);
    this.planLoops.ensureLoop(id, drive);
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

  /**
   * A person's answer to a node whose drain waits (`drain-blocked`): retry the drain, force it
   * (one more round of evictions, then delete what is left) or skip it (reboot with the pods).
   * Written to the node (state back to `draining`, the answer in its drain record) with an audit
   * record; whichever runner drives the plan takes it at its next round.
   */
  async drainAction(id: string, node: string, action: DrainAction, actor: string = this.actor): Promise<UpgradePlan> {
    const override = overrideOfAction[action];
    await this.db.transaction().execute(async (trx) => {
      const repo = new UpgradeRepository(trx);
      const state = await repo.getPlanState(id, { lock: true });
      if (!state) throw new AppError("not_found", `No upgrade plan ${JSON.stringify(id)}`);
      const row = (await repo.getPlanNodes(id)).find((n) => n.id === node || n.address === node);
      if (!row) throw new AppError("not_found", `No node ${JSON.stringify(node)} in upgrade plan ${id}`);
      if (row.state !== "drain-blocked") throw new AppError("conflict", `The drain of ${row.hostname ?? row.address} is not waiting for a person (the node is ${row.state})`);
      const now = this.clock.now();
      assertNodeTransition("drain-blocked", "draining");
      const drain: NodeDrain = { ...(row.drain ?? { phase: "blocked", nodeName: null, cordoned: false, evicted: [], forced: [], blocking: [], message: "", at: new Date(now).toISOString() }), override };
      await repo.updateNode(id, row.id, { state: "draining", drain, message: `${action} by ${actor}`, now });
      await repo.setPlanReason(id, null, now);
      await recordAudit(trx, { actor, action: `upgrade.${action}`, target: id, result: "ok", details: { node: row.id, blocking: row.drain?.blocking.map((p) => `${p.namespace}/${p.name}`) ?? [] } });
    });
    await this.publish(id);
    if (this.drives.has(id)) this.loops.wake(id);
    else void this.drive(id).catch((e: unknown) => this.log(`plan ${id}: could not take it up: ${errorText(e)}`));
    return this.getOrThrow(id);
  }

  // -------------------------------------------------------------------------------------------
  // Leases
  // -------------------------------------------------------------------------------------------

  /** Takes the plan's lease and starts its loop; false when another runner holds it. */
  private async drive(id: string): Promise<boolean> {
    const drive = await this.drives.claim(id);
    if (drive) this.planLoops.ensureLoop(id, drive);
    return drive !== null;
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
