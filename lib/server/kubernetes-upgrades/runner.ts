import "server-only";

import { randomUUID } from "node:crypto";

import { sql } from "kysely";

import type {
  KubernetesUpgradeAction,
  KubernetesUpgradeEvent,
  KubernetesUpgradePlan,
  KubernetesUpgradePreview,
  KubernetesUpgradeStep,
  KubernetesUpgradeSummary,
  ParsedKubernetesUpgradeRequest,
} from "@/lib/schemas/kubernetes-upgrades";
import type { RevisionRepository } from "@/lib/server/configs/revisions";
import { errorText, JobLoops } from "@/lib/server/jobs";
import { recordAudit } from "@/lib/server/platform/audit";
import { dialectOf, type Db } from "@/lib/server/platform/db/db";
import { AppError, isAppError } from "@/lib/server/platform/errors";
import { LeaseLostError } from "@/lib/server/platform/leases";
import { replicaId } from "@/lib/server/platform/replica";
import { type Drive, isLeaseLost, PlanDrives } from "@/lib/server/upgrades/drives";
import { type Clock, realClock } from "@/lib/utils/clock";
import { mapLimit } from "@/lib/utils/map-limit";

import { refuseBesideLiveRuns } from "@/lib/server/platform/cluster-runs";
import { ACTIVE_STEP_STATES, decideStep, FINAL_PLAN_STATES, type PlanEvent, planTransition } from "./machine";
import { buildKubernetesPlan } from "./plan";
import { kubeFacts, kubeNodeFacts, type KubeUpgradeAccess, type KubeUpgradeTalos } from "./probes";
import { KubernetesUpgradeRepository } from "./repository";
import { StepRunner } from "./steps";

/** The lease a Kubernetes upgrade is driven under: one replica at a time. */
export const kubernetesUpgradeLeaseName = (id: string) => `kubernetes-upgrade:${id}`;

export interface KubernetesUpgradeDeps {
  db: Db;
  client(cluster: string): Promise<KubeUpgradeTalos>;
  /** The node addresses of a cluster (its talosconfig context's `nodes`). */
  clusterNodes(cluster: string): Promise<string[]>;
  kube(cluster: string): Promise<KubeUpgradeAccess>;
  /** Config revisions: each component's image patch is recorded as one, as a config apply is. */
  revisions: RevisionRepository;
  /**
   * When a plan succeeds, in the transaction that says so (`trx`): store a manifest revision with
   * the new `cluster.kubernetesVersion` when the cluster has a manifest; its number, or null when
   * it has none. A `conflict` (an edit saved meanwhile) is shown on the plan; any other error
   * rolls the success back, and the runner tries again.
   */
  recordManifestVersion?(trx: Db, cluster: string, version: string, planId: string): Promise<number | null>;
  /** The `cluster.kubernetesVersion` of the cluster's manifest, null when it has none (said on a failed or cancelled plan). */
  manifestKubernetesVersion?(cluster: string): Promise<string | null>;
  clock?: Clock;
  publish?(event: KubernetesUpgradeEvent): void;
  actor?: string;
  owner?: string;
  /** Interval of the waits for a static pod or Node. Default 2000 ms. */
  pollIntervalMs?: number;
  scanIntervalMs?: number;
  lease?: { ttlMs?: number; renewMs?: number };
  readTimeoutMs?: number;
  log?(message: string): void;
}

const LIVE_STATES = ["pending", "running", "paused", "cancelling"] as const;

/**
 * Runs Kubernetes upgrades, upgrade-k8s's flow as a persisted state machine: every plan and step
 * transition is written (fenced by the plan's lease, `kubernetes-upgrade:<id>`) before what it
 * announces, so a runner that takes a plan over (a restart, another replica) resumes the step in
 * flight; each step is idempotent. Scheduling is the pure `decideStep`; pause, resume and cancel
 * may be asked of any replica and are read by the driver between steps.
 */
export class KubernetesUpgradeRunner {
  private readonly clock: Clock;
  private readonly actor: string;
  private readonly scanMs: number;
  private readonly readTimeout: number;
  private readonly pollMs: number;
  private readonly repo: KubernetesUpgradeRepository;
  private readonly loops: JobLoops;
  private readonly drives: PlanDrives;
  private readonly steps: StepRunner;
  private started = false;
  private scanTimer: unknown;
  private scanning: Promise<void> | null = null;

  constructor(private readonly deps: KubernetesUpgradeDeps) {
    this.clock = deps.clock ?? realClock;
    this.actor = deps.actor ?? "local user";
    this.scanMs = deps.scanIntervalMs ?? 2500;
    this.readTimeout = deps.readTimeoutMs ?? 5000;
    this.pollMs = deps.pollIntervalMs ?? 2000;
    this.repo = new KubernetesUpgradeRepository(deps.db);
    const log = (m: string) => this.log(m);
    this.loops = new JobLoops(this.clock, (id, e) => this.log(`Kubernetes upgrade ${id}: runner loop failed: ${errorText(e)}`));
    this.drives = new PlanDrives({ db: deps.db, clock: this.clock, owner: deps.owner ?? replicaId(), loops: this.loops, lease: deps.lease, leaseName: kubernetesUpgradeLeaseName, log });
    this.steps = new StepRunner(
      { clock: this.clock, repo: this.repo, client: deps.client, kube: deps.kube, pollMs: this.pollMs, readTimeoutMs: this.readTimeout, revisions: deps.revisions, publish: (id) => this.publish(id), log },
      this.drives,
    );
  }

  /** Takes up every live plan nobody drives, then keeps looking every `scanIntervalMs`. Idempotent. */
  start(): void {
    if (this.started) return;
    this.started = true;
    void this.scan({ announce: true });
  }

  /** Stops every loop (state stays persisted for whoever resumes) and releases the leases. */
  async stop(): Promise<void> {
    this.clock.clearTimeout(this.scanTimer);
    await this.loops.stop();
    await this.scanning;
    await this.drives.dropAll();
  }

  driving(): string[] {
    return this.drives.ids();
  }

  /** Resolves when no plan is driven here (tests). */
  idle(): Promise<void> {
    return this.loops.drain();
  }

  async scan(opts: { announce?: boolean } = {}): Promise<void> {
    if (this.scanning) return this.scanning;
    this.scanning = (async () => {
      try {
        for (const p of await this.repo.listPlanIdsInStates(LIVE_STATES)) {
          if (this.loops.stopped) return;
          if (opts.announce) await this.publish(p.id);
          if (this.drives.has(p.id)) this.loops.wake(p.id);
          else if (await this.drive(p.id)) this.log(`driving Kubernetes upgrade ${p.id} (${p.cluster}, ${p.state})`);
        }
      } catch (e) {
        this.log(`looking for Kubernetes upgrades to drive failed: ${errorText(e)}`);
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

  get(id: string): Promise<KubernetesUpgradePlan | null> {
    return this.repo.getPlan(id, this.clock.now());
  }

  async getOrThrow(id: string): Promise<KubernetesUpgradePlan> {
    const plan = await this.get(id);
    if (!plan) throw new AppError("not_found", `No Kubernetes upgrade ${JSON.stringify(id)}`);
    return plan;
  }

  list(opts: { cluster?: string; limit: number }): Promise<KubernetesUpgradeSummary[]> {
    return this.repo.listPlans({ ...opts, now: this.clock.now() });
  }

  /** The dry run: reads every node and the cluster's Kubernetes, checks and orders the steps; starts nothing. */
  async preview(req: ParsedKubernetesUpgradeRequest): Promise<KubernetesUpgradePreview> {
    const opts = { timeoutMs: this.readTimeout };
    const [addresses, client, access] = await Promise.all([this.deps.clusterNodes(req.cluster), this.deps.client(req.cluster), this.deps.kube(req.cluster)]);
    const kube = await kubeFacts(access, req.version, opts);
    const nodes = await mapLimit(addresses, 8, (a) => kubeNodeFacts(client, req.cluster, a, kube.kubeletVersions, opts));
    return buildKubernetesPlan({
      cluster: req.cluster,
      toVersion: req.version,
      options: { prePullImages: req.prePullImages, upgradeKubelet: req.upgradeKubelet, stepTimeoutSeconds: req.stepTimeoutSeconds },
      nodes,
      fromVersion: kube.fromVersion,
      kubernetesProblem: kube.problem,
      removedResources: kube.removedResources,
    });
  }

  /**
   * Plans and starts a Kubernetes upgrade, born under this runner's lease, already running.
   * Refused with `conflict` when the cluster has a live one or a check fails (the checks are in
   * the error's details); audited either way.
   */
  async create(req: ParsedKubernetesUpgradeRequest, actor: string = this.actor): Promise<KubernetesUpgradePlan> {
    const live = (await this.repo.listPlanIdsInStates(LIVE_STATES, { cluster: req.cluster }))[0];
    if (live) throw liveConflict(req.cluster, live);
    await refuseBesideLiveRuns(this.deps.db, req.cluster, "kubernetes-upgrade");
    const preview = await this.preview(req);
    if (!preview.canStart) {
      const errors = preview.checks.filter((c) => c.level === "error");
      await recordAudit(this.deps.db, { actor, action: "kubernetes-upgrade.start", target: req.cluster, result: "refused", details: { toVersion: preview.toVersion, checks: errors } });
      throw new AppError("conflict", `The Kubernetes upgrade was refused: ${errors.map((c) => c.message).join(" ")}`, { details: { checks: preview.checks } });
    }
    const id = randomUUID();
    const drive = await this.drives.claim(id);
    if (!drive) throw new AppError("conflict", "The Kubernetes upgrade runner is stopping; try again");
    try {
      await this.drives.fenced(drive, async (trx) => {
        if (dialectOf(trx) === "postgres") await sql`SELECT pg_advisory_xact_lock(hashtext(${`minos:kubernetes-upgrade:${req.cluster}`}))`.execute(trx);
        const repo = new KubernetesUpgradeRepository(trx);
        const other = (await repo.listPlanIdsInStates(LIVE_STATES, { cluster: req.cluster }))[0];
        if (other) throw liveConflict(req.cluster, other);
        await refuseBesideLiveRuns(trx, req.cluster, "kubernetes-upgrade");
        const now = this.clock.now();
        await repo.insertPlan({ id, actor, preview, now });
        await recordAudit(trx, {
          actor,
          action: "kubernetes-upgrade.start",
          target: id,
          result: "ok",
          details: { cluster: preview.cluster, fromVersion: preview.fromVersion, toVersion: preview.toVersion, steps: preview.steps.length, options: preview.options },
        });
        await repo.setPlanState(id, { state: planTransition("pending", "start")!, started: true, now });
      });
    } catch (e) {
      await this.drives.dropDrive(id);
      throw e;
    }
    await this.publish(id);
    this.ensureLoop(id, drive);
    return this.getOrThrow(id);
  }

  /** Pause (the step in flight finishes), resume, or cancel (what was upgraded stays upgraded). */
  async control(id: string, action: KubernetesUpgradeAction, actor: string = this.actor): Promise<KubernetesUpgradePlan> {
    await this.deps.db.transaction().execute(async (trx) => {
      const repo = new KubernetesUpgradeRepository(trx);
      const state = await repo.getPlanState(id, { lock: true });
      if (!state) throw new AppError("not_found", `No Kubernetes upgrade ${JSON.stringify(id)}`);
      const next = planTransition(state, action);
      if (!next) throw new AppError("conflict", `Cannot ${action} a Kubernetes upgrade that is ${state}`);
      const reason = action === "pause" ? `paused by ${actor}` : action === "cancel" ? `cancelled by ${actor}` : null;
      await repo.setPlanState(id, { state: next, reason, now: this.clock.now() });
      if (action === "resume") await repo.clearPlanReason(id);
      const row = await trx.selectFrom("kubernetes_upgrades").select("cluster").where("id", "=", id).executeTakeFirstOrThrow();
      await recordAudit(trx, { actor, action: `kubernetes-upgrade.${action}`, target: id, result: "ok", details: { cluster: row.cluster, from: state, to: next } });
    });
    await this.publish(id);
    if (this.drives.has(id)) this.loops.wake(id);
    else void this.drive(id).catch((e: unknown) => this.log(`Kubernetes upgrade ${id}: could not take it up: ${errorText(e)}`));
    return this.getOrThrow(id);
  }

  private async drive(id: string): Promise<boolean> {
    const drive = await this.drives.claim(id);
    if (drive) this.ensureLoop(id, drive);
    return drive !== null;
  }

  private ensureLoop(id: string, drive: Drive): void {
    this.loops.ensure(id, async ({ nextWake }) => {
      try {
        await this.runPlan(id, drive, () => nextWake(this.pollMs * 5), () => this.loops.wake(id));
      } catch (e) {
        if (!isLeaseLost(e)) throw e;
        this.log(`Kubernetes upgrade ${id}: another runner took it over; stopped driving it`);
      } finally {
        if (this.drives.get(id) === drive) await this.drives.dropDrive(id);
      }
    });
    if (!this.loops.has(id)) void this.drives.dropDrive(id);
  }

  private async runPlan(id: string, drive: Drive, waitForWake: () => Promise<void>, wake: () => void): Promise<void> {
    const signal = drive.signal;
    let inFlight: { index: number; done: Promise<void> } | null = null;
    const start = (plan: KubernetesUpgradePlan, step: KubernetesUpgradeStep) => {
      const done = this.steps
        .run(drive, plan, step)
        .catch((e) => {
          if (isLeaseLost(e)) drive.abort.abort();
          else this.log(`Kubernetes upgrade ${id}: step ${step.index}: ${errorText(e)}`);
        })
        .finally(() => {
          inFlight = null;
          wake();
        });
      inFlight = { index: step.index, done };
    };
    try {
      while (!signal.aborted) {
        const wakeUp = waitForWake();
        const plan = await this.getOrThrow(id);
        if (signal.aborted || FINAL_PLAN_STATES.has(plan.state)) break;
        this.drives.assertHolding(drive);
        if (plan.state === "pending") {
          await this.transition(drive, id, "pending", "start", { started: true });
          continue;
        }
        // A step a previous runner left mid-way: finish it before anything else.
        const current = inFlight as { index: number } | null;
        const active = plan.steps.find((s) => ACTIVE_STEP_STATES.has(s.state));
        if (active && !current) start(plan, active);
        const d = decideStep({
          state: plan.state,
          steps: plan.steps.map((s) => ({ index: s.index, state: s.state, error: s.error, label: stepLabel(s) })),
          starting: (inFlight as { index: number } | null)?.index ?? null,
        });
        if (d.kind === "finish") {
          if (await this.finish(drive, plan, d.event, d.reason, d.skip)) break;
          continue;
        }
        if (d.kind === "start") start(plan, plan.steps.find((s) => s.index === d.step)!);
        await wakeUp;
      }
    } finally {
      await (inFlight as { done: Promise<void> } | null)?.done;
    }
    if (drive.abort.signal.aborted && !this.loops.stopped) throw new LeaseLostError(drive.held.lease);
  }

  private async transition(drive: Drive, id: string, from: KubernetesUpgradePlan["state"], event: PlanEvent, stamp: { started?: boolean; finished?: boolean }, reason: string | null = null, more?: (trx: Db) => Promise<void>): Promise<boolean> {
    const done = await this.drives.fenced(drive, async (trx) => {
      const repo = new KubernetesUpgradeRepository(trx);
      const state = await repo.getPlanState(id, { lock: true });
      if (!state) throw new AppError("not_found", `No Kubernetes upgrade ${JSON.stringify(id)}`);
      if (state !== from) return false;
      const next = planTransition(state, event);
      if (!next) throw new AppError("conflict", `Cannot ${event} a Kubernetes upgrade that is ${state}`);
      await more?.(trx);
      await repo.setPlanState(id, { state: next, reason, ...stamp, now: this.clock.now() });
      return true;
    });
    if (done) await this.publish(id);
    return done;
  }

  private async finish(drive: Drive, plan: KubernetesUpgradePlan, event: "succeed" | "fail" | "finish-cancel", reason: string | null, skip: number[]): Promise<boolean> {
    const now = this.clock.now();
    const stated = event === "succeed" ? reason : await this.withManifestNote(plan, reason);
    const done = await this.transition(drive, plan.id, plan.state, event, { finished: true }, stated, async (trx) => {
      const repo = new KubernetesUpgradeRepository(trx);
      for (const index of skip) {
        await repo.updateStep(plan.id, index, { state: "skipped", message: event === "finish-cancel" ? "skipped: the upgrade was cancelled" : "skipped: the upgrade halted", now });
      }
      const outcome = event === "succeed" ? "succeeded" : event === "fail" ? "failed" : "cancelled";
      let manifest: { revision?: number; error?: string } = {};
      if (event === "succeed" && this.deps.recordManifestVersion) {
        // Same transaction as the success: a crash cannot leave a succeeded plan and an old manifest.
        try {
          const revision = await this.deps.recordManifestVersion(trx, plan.cluster, plan.toVersion, plan.id);
          if (revision !== null) {
            await repo.setManifestRevision(plan.id, revision);
            manifest = { revision };
          }
        } catch (e) {
          if (!(isAppError(e) && e.code === "conflict")) throw e;
          manifest = { error: e.message };
          await repo.setReason(plan.id, `The cluster manifest was not updated to Kubernetes ${plan.toVersion}: ${e.message}. Set cluster.kubernetesVersion in the manifest, or a later render turns the cluster back.`);
        }
      }
      await recordAudit(trx, {
        actor: "system",
        action: `kubernetes-upgrade.${outcome}`,
        target: plan.id,
        result: event === "fail" ? "failed" : "ok",
        details: { cluster: plan.cluster, toVersion: plan.toVersion, ...(stated ? { reason: stated } : {}), ...(manifest.revision !== undefined ? { manifestRevision: manifest.revision } : {}), ...(manifest.error ? { manifestError: manifest.error } : {}) },
      });
    });
    if (!done) return false;
    this.log(`Kubernetes upgrade ${plan.id}: ${event}${stated ? `: ${stated}` : ""}`);
    return true;
  }

  /** A failed or cancelled plan says that the cluster manifest still holds the old version (some components may run the new one). */
  private async withManifestNote(plan: KubernetesUpgradePlan, reason: string | null): Promise<string | null> {
    if (!this.deps.manifestKubernetesVersion) return reason;
    let version: string | null;
    try {
      version = await this.deps.manifestKubernetesVersion(plan.cluster);
    } catch (e) {
      this.log(`Kubernetes upgrade ${plan.id}: the cluster manifest could not be read: ${errorText(e)}`);
      return reason;
    }
    if (version === null) return reason;
    const note = `The cluster manifest still says Kubernetes ${version}; the steps done already run ${plan.toVersion}.`;
    const base = reason ?? plan.reason;
    return base ? `${base} ${note}` : note;
  }

  private async publish(id: string): Promise<void> {
    if (!this.deps.publish) return;
    try {
      const plan = await this.get(id);
      if (plan) this.deps.publish({ type: "kubernetes-upgrade", plan });
    } catch (e) {
      this.log(`Kubernetes upgrade ${id}: could not publish its state: ${errorText(e)}`);
    }
  }

  private log(message: string): void {
    (this.deps.log ?? ((m: string) => console.log(`[minos] kubernetes upgrades: ${m}`)))(message);
  }
}

function stepLabel(s: KubernetesUpgradeStep): string {
  return s.hostname || s.address ? `${s.kind} on ${s.hostname ?? s.address}` : s.kind;
}

function liveConflict(cluster: string, live: { id: string; state: string }): AppError {
  return new AppError("conflict", `Cluster "${cluster}" already has a Kubernetes upgrade in progress (${live.id}, ${live.state})`, { details: { planId: live.id } });
}
