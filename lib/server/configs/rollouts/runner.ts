import "server-only";

import type { ApplyMode } from "@/lib/schemas/configs";
import { recordAudit } from "@/lib/server/platform/audit";
import { applyAfterPreflight } from "@/lib/server/configs/apply";
import { defaultConfigDeps, type ConfigDeps } from "@/lib/server/configs/deps";
import { withApplySlot } from "@/lib/server/configs/in-flight";
import { configHash, resultOfMode } from "@/lib/server/configs/modes";
import { nextToStart, settledState } from "@/lib/server/configs/rollouts/plan";
import { IN_FLIGHT, RolloutRepository, type StoredRollout, type StoredRolloutNode } from "@/lib/server/configs/rollouts/repo";
import type { KubernetesAccessProvider, NodeDrainer } from "@/lib/server/kubernetes/types";
import type { Db } from "@/lib/server/platform/db/db";
import { AppError, isAppError } from "@/lib/server/platform/errors";
import { acquireLease, fenced, holdLease, LEASE_RENEW_MS, LEASE_TTL_MS, LeaseLostError, listLeases, releaseLease, type HeldLease } from "@/lib/server/platform/leases";
import { processState } from "@/lib/server/platform/process-state";
import { replicaId } from "@/lib/server/platform/replica";
import { bootIdentity, errorText, JobLoops, type LoopContext } from "@/lib/server/jobs";
import { waitNodeHealthy } from "@/lib/server/configs/rollouts/health-wait";
import { RolloutDrains } from "@/lib/server/configs/rollouts/drain-steps";
import { getKubeAccess, getNodeDrainer } from "@/lib/server/kubernetes/deps";
import type { TalosClient } from "@/lib/server/talos";
import { type Clock, realClock, sleep } from "@/lib/utils/clock";

export interface RolloutRunnerOptions {
  deps?: ConfigDeps;
  /** How long a node may take to be back healthy after its apply; default 10 min. */
  healthTimeoutMs?: number;
  /** Poll interval while waiting for a node (with `gateEvents`, the health wait's fallback); default 500 ms. */
  pollMs?: number;
  /**
   * The wait for a node to be back healthy follows the node's Events stream and looks as soon as
   * the node reports a change; polling every `pollMs` stays as the fallback. Default true.
   */
  gateEvents?: boolean;
  /** While the node reboots, how often that wait tries to open its Events stream again. Default 250 ms. */
  eventReconnectMs?: number;
  clock?: Clock;
  /** This replica's name as a lease owner; default {@link replicaId}. */
  owner?: string;
  /** The clock leases are taken, renewed and scanned on; default `clock` (tests freeze one replica's). */
  leaseClock?: Clock;
  leaseTtlMs?: number;
  leaseRenewMs?: number;
  /**
   * How often the runner looks for rollouts nobody drives (their driver died) and re-reads the
   * state of those it drives (a pause or cancel through another replica); default 2.5 s.
   */
  scanMs?: number;
  /**
   * Kubernetes access and the drainer: nodes whose mode reboots are drained before their apply
   * and uncordoned once healthy (strategy.drain). Without it the drain is skipped and said.
   */
  kubernetes?: { access: KubernetesAccessProvider; drainer: NodeDrainer };
}

/** A planned node whose running config is no longer the one its config was made for. */
class RunningChanged extends AppError {
  constructor() {
    super("conflict", "Not applied: its running config changed since the plan (outside this rollout); plan again");
  }
}

/** The lease a rollout is driven under. */
export const rolloutLease = (id: string) => `rollout:${id}`;

/** The drive of one rollout ended early: this replica stopped, or another took the rollout over. */
class DriveStopped extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = "DriveStopped";
  }
}

/** What one drive loop works with: its lease, and the signal that ends it (runner stop or lease lost). */
interface Drive {
  id: string;
  held: HeldLease;
  signal: AbortSignal;
  /** `fn` in one transaction fenced by the rollout's lease; a lost lease ends the drive. */
  write<T>(fn: (trx: Db) => Promise<T>): Promise<T>;
  /** Throws DriveStopped unless this replica may still act on the rollout. */
  assertDriving(): void;
}

/**
 * Drives persisted rollouts: starts nodes as the planner allows, applies each node's
 * preflighted config, waits for it to be back healthy (after a reboot when the mode reboots),
 * and writes every transition before acting on it.
 *
 * Several replicas may run a runner on one store; each rollout is driven by the one holding its
 * lease (`rollout:<id>`). A runner takes the lease when it starts or resumes a rollout and on a
 * periodic scan for rollouts whose driver is gone (lease expired); every transition it writes
 * checks the lease's fencing number in the same transaction, and once the lease is lost it
 * makes no further write and no further Talos call. Between steps it re-reads the rollout, so a
 * pause or cancel written by any replica reaches it.
 */
export class RolloutRunner {
  readonly repo: RolloutRepository;
  readonly owner: string;
  private readonly deps: ConfigDeps;
  private readonly healthTimeoutMs: number;
  private readonly pollMs: number;
  private readonly events: { reconnectMs: number } | null;
  private readonly clock: Clock;
  private readonly leaseClock: Clock;
  private readonly leaseTtlMs: number;
  private readonly leaseRenewMs: number;
  private readonly scanMs: number;
  private readonly loops: JobLoops;
  private readonly drains: RolloutDrains;
  private readonly drives = new Map<string, HeldLease>();
  private scanTimer: unknown = null;
  private scanning: Promise<void> = Promise.resolve();
  private scanStopped = true;

  constructor(options: RolloutRunnerOptions = {}) {
    this.deps = options.deps ?? defaultConfigDeps();
    this.repo = new RolloutRepository(this.deps.db, this.deps.box);
    this.owner = options.owner ?? replicaId();
    this.healthTimeoutMs = options.healthTimeoutMs ?? 10 * 60_000;
    this.pollMs = options.pollMs ?? 500;
    this.events = options.gateEvents === false ? null : { reconnectMs: options.eventReconnectMs ?? 250 };
    this.clock = options.clock ?? realClock;
    this.leaseClock = options.leaseClock ?? this.clock;
    this.leaseTtlMs = options.leaseTtlMs ?? LEASE_TTL_MS;
    this.leaseRenewMs = options.leaseRenewMs ?? LEASE_RENEW_MS;
    this.scanMs = options.scanMs ?? 2_500;
    this.loops = new JobLoops(this.clock, (id, e) => console.error(`[minos] rollout ${id} runner failed`, e));
    const kube = options.kubernetes ? { ...options.kubernetes, clock: this.clock } : null;
    this.drains = new RolloutDrains(this.repo, kube, () => this.deps.now(), this.pollMs);
  }

  /** Resumes what needs a driver now, then keeps scanning for orphaned rollouts (the server's mode). */
  start(): void {
    if (!this.scanStopped || this.loops.stopped) return;
    this.scanStopped = false;
    const next = () => {
      if (this.scanStopped) return;
      this.scanTimer = this.leaseClock.setTimeout(() => void this.resumeAll().finally(next), this.scanMs);
    };
    void this.resumeAll().finally(next);
  }

  /**
   * One scan: rollouts left in `preflight` by a replica that is gone applied nothing and become
   * preflight-failed; every rollout that needs a driver and has none (its lease is free or
   * expired) gets this replica's drive loop. A node caught mid-apply is checked on the node
   * before anything is sent again.
   */
  resumeAll(): Promise<void> {
    const run = this.scanning.then(() => this.scan());
    this.scanning = run.catch((e: unknown) => console.error("[minos] the rollout scan failed", e));
    return this.scanning;
  }

  private async scan(): Promise<void> {
    if (this.loops.stopped) return;
    const db = this.deps.db;
    const now = this.leaseClock.now();
    const live = new Map((await listLeases(db, now, { prefix: "rollout:" })).map((l) => [l.name, l.owner]));
    for (const id of await this.repo.idsInState("preflight")) {
      // A live lease: the replica that created it is still preflighting.
      if (live.has(rolloutLease(id))) continue;
      const lease = await acquireLease(db, rolloutLease(id), this.owner, now, this.leaseTtlMs);
      if (!lease) continue;
      try {
        await fenced(db, lease, async (trx) => {
          const repo = this.repo.on(trx);
          if ((await repo.lockState(id)) !== "preflight") return;
          const message = "Minos stopped during the preflight; nothing was applied";
          await repo.skipPending(id, message, this.deps.now());
          await repo.setState(id, "preflight-failed", this.deps.now(), `${message}. Start the rollout again.`);
        });
      } finally {
        await releaseLease(db, lease);
      }
    }
    for (const id of await this.repo.idsToDrive()) {
      const owner = live.get(rolloutLease(id));
      if (owner === undefined || owner === this.owner) this.kick(id);
    }
  }

  /**
   * Drives a rollout if this replica can take its lease (or wakes its loop, which re-reads the
   * rollout's state, when it drives it already).
   */
  kick(id: string): void {
    if (this.loops.has(id)) return this.loops.wake(id);
    this.loops.ensure(id, (ctx) => this.own(id, ctx));
  }

  /** Resolves when the rollout's drive loop (if any) has ended. */
  async idle(id: string): Promise<void> {
    await this.loops.idle(id);
  }

  /** Resolves when no rollout is being driven (a scan in progress and loops started meanwhile included). */
  async drain(): Promise<void> {
    await this.scanning;
    await this.loops.drain();
  }

  /** The rollouts this runner drives now (holds the lease of). */
  driving(): string[] {
    return [...this.drives.keys()].sort();
  }

  /**
   * Stops cleanly: no new loops or scans; the nodes being driven stop at their next step (no new
   * Talos call; what was persisted stays), and their leases are given back so another replica
   * takes over at once.
   */
  async stop(): Promise<void> {
    this.scanStopped = true;
    this.leaseClock.clearTimeout(this.scanTimer);
    await this.loops.stop();
    await this.scanning;
  }

  private async own(id: string, ctx: LoopContext): Promise<void> {
    const ended = new AbortController();
    const endOn = (reason: string) => {
      if (!ended.signal.aborted) ended.abort(new DriveStopped(reason));
    };
    const held = await holdLease(this.deps.db, rolloutLease(id), this.owner, {
      clock: this.leaseClock,
      ttlMs: this.leaseTtlMs,
      renewMs: this.leaseRenewMs,
      onLost: () => endOn("the rollout's lease was lost"),
    });
    if (!held) return;
    const onStop = () => endOn("the runner stopped");
    if (ctx.signal.aborted) onStop();
    ctx.signal.addEventListener("abort", onStop, { once: true });
    this.drives.set(id, held);
    const drive: Drive = {
      id,
      held,
      signal: ended.signal,
      write: async (fn) => {
        try {
          return await held.fenced(fn);
        } catch (e) {
          if (e instanceof LeaseLostError) endOn(e.message);
          throw e;
        }
      },
      assertDriving: () => {
        if (ended.signal.aborted) throw ended.signal.reason as Error;
        // Two renewals missed: the lease may be gone before a node call lands; leave it to the next owner.
        if (held.lost || this.leaseClock.now() > held.lease.expiresAt - this.leaseRenewMs) {
          endOn("the rollout's lease could not be renewed");
          throw ended.signal.reason as Error;
        }
      },
    };
    try {
      await this.drive(drive, ctx);
    } catch (e) {
      if (!(e instanceof DriveStopped || e instanceof LeaseLostError)) throw e;
    } finally {
      ctx.signal.removeEventListener("abort", onStop);
      this.drives.delete(id);
      await held.release();
      if (ended.signal.aborted) console.info(`[minos] rollout ${id}: ${(ended.signal.reason as Error).message}; no longer driven by ${this.owner}`);
    }
  }

  private async drive(d: Drive, ctx: LoopContext): Promise<void> {
    const active = new Map<string, Promise<void>>();
    const launch = (r: StoredRollout, node: StoredRolloutNode) => {
      active.set(
        node.id,
        this.processNode(d, r, node).finally(() => active.delete(node.id)),
      );
    };
    try {
      // Nodes left mid-flight by an earlier driver belong to this loop now.
      const first = await this.repo.getOrThrow(d.id);
      for (const n of first.nodes) if (IN_FLIGHT.includes(n.state)) launch(first, n);
      for (;;) {
        if (d.signal.aborted) break;
        // Armed before the read, so a kick that comes in between is not lost.
        const woken = ctx.nextWake(this.scanMs);
        const r = await this.repo.getOrThrow(d.id);
        // A person answered a blocked drain (back to `draining`), or a cancel reached one still waiting.
        for (const n of r.nodes) if (!active.has(n.id) && (n.state === "draining" || (n.state === "drain-blocked" && r.state === "cancelled"))) launch(r, n);
        if (r.state === "running") {
          for (const nodeId of nextToStart(r, r.nodes)) {
            if (d.signal.aborted) break;
            if (active.has(nodeId)) continue;
            const node = r.nodes.find((n) => n.id === nodeId)!;
            // Marked started (fenced, and only while the rollout still runs) before the first Talos call.
            if (!(await d.write((trx) => this.repo.on(trx).startNode(d.id, nodeId, this.deps.now())))) break;
            launch(r, { ...node, state: "applying", startedAt: null });
          }
        }
        if (active.size === 0) {
          const latest = await this.repo.getOrThrow(d.id);
          const state = settledState(latest, latest.nodes);
          if (state === latest.state || (await this.finish(d, latest, state))) return;
          continue; // Another replica changed the state meanwhile: look again.
        }
        // A node finished, the rollout was kicked here, or time to re-read what was asked through another replica.
        await Promise.race([...active.values(), woken]);
      }
    } finally {
      // Whatever ended the loop, the nodes it started end first (they stop at their next step when aborted).
      await Promise.all(active.values());
    }
  }

  /** The rollout's end, if it still is in the state it was read in. */
  private async finish(d: Drive, r: StoredRollout, state: StoredRollout["state"]): Promise<boolean> {
    const failed = r.nodes.filter((n) => n.state === "failed");
    const message =
      state === "done"
        ? `Applied to ${r.nodes.length} node${r.nodes.length === 1 ? "" : "s"}.`
        : failed.length > 0
          ? `Stopped: ${failed.map((n) => `${n.id}: ${n.message}`).join("; ")}`
          : "";
    return d.write(async (trx) => {
      if (!(await this.repo.on(trx).setState(r.id, state, this.deps.now(), message, { from: [r.state] }))) return false;
      await recordAudit(trx, {
        actor: r.author,
        action: "config.rollout",
        target: r.id,
        result: state === "done" ? "ok" : "failed",
        details: { state, nodes: r.nodes.map((n) => ({ node: n.id, state: n.state, revision: n.revisionId })), message },
      });
      return true;
    });
  }

  private async processNode(d: Drive, r: StoredRollout, node: StoredRolloutNode): Promise<void> {
    const now = () => this.deps.now();
    try {
      d.assertDriving();
      const { cluster, address } = await this.deps.resolveNode(node.id);
      const client = await this.deps.client(cluster);
      const deadline = this.clock.now() + this.healthTimeoutMs;
      if (node.state === "drain-blocked") {
        // It waits for a person; the loop starts it only when the rollout was cancelled.
        if (r.state === "cancelled") await this.drains.cancelBlocked(d, r, node, client, cluster, address);
        return;
      }
      // A fresh start whose mode reboots drains first (so does one a restart caught before its drain); a drain a person answered resumes here.
      let fresh = (node.state === "applying" && node.startedAt === null) || this.drains.startedUndrained(r, node);
      if (node.state === "draining" || (fresh && (node.mode ?? r.mode) === "reboot")) {
        if (!(await this.drains.beforeApply(d, r, node, client, cluster, address))) return;
        fresh = true;
      }
      if (node.state === "applying" || fresh) {
        if (fresh) {
          // A fresh start: remember the boot before the apply, then apply.
          const bootBefore = await bootIdentity(client, address);
          await d.write((trx) => this.repo.on(trx).updateNode(r.id, node.id, { bootBefore }, now()));
          await this.applyNode(d, r, node, client, address);
        } else {
          await this.resumeApplying(d, r, node, client, address, deadline);
        }
      }
      const current = (await this.repo.getOrThrow(r.id)).nodes.find((n) => n.id === node.id)!;
      await this.waitHealthy(d, client, address, current.mode ?? r.mode, current.bootBefore, deadline);
      const drain = await this.drains.uncordon(d, current, cluster, address, client);
      const message = `${current.message || "Healthy"}${drain ? `; ${drain.message}` : ""}`;
      await d.write((trx) => this.repo.on(trx).updateNode(r.id, node.id, { state: "done", message, finishedAt: now(), ...(drain ? { drain } : {}) }, now()));
    } catch (e) {
      // Stopped or taken over: the node stays as persisted, for whoever drives the rollout next.
      if (e instanceof DriveStopped || e instanceof LeaseLostError || d.signal.aborted) return;
      const cordoned = (await this.repo.get(r.id).catch(() => undefined))?.nodes.find((n) => n.id === node.id)?.drain;
      const left = cordoned?.cordoned && cordoned.phase !== "uncordoned" ? "; left cordoned (uncordon it once it is fixed)" : "";
      await d.write((trx) => this.repo.on(trx).updateNode(r.id, node.id, { state: "failed", message: `${errorText(e)}${left}`, finishedAt: now() }, now())).catch(() => undefined);
    }
  }

  /**
   * A planned node's config was made for the running config it had then: if that changed since
   * (someone applied another outside this rollout), applying the plan's would silently undo it.
   * The node fails instead, and the rollout stops there (unless told to go on). Checked inside
   * the node's apply slot, on a first start and on a resume alike: nothing of this process
   * applies to the node between the read and the apply. The planned config itself running is
   * no change (a resume finds it applied before it gets here).
   */
  private async assertRunningAsPlanned(client: TalosClient, address: string, node: StoredRolloutNode): Promise<void> {
    if (node.expectedRunningHash === null) return;
    const hash = configHash((await client.machineConfig(address)).yaml);
    if (hash !== node.expectedRunningHash && hash !== node.configHash) throw new RunningChanged();
  }

  private async applyNode(d: Drive, r: StoredRollout, node: StoredRolloutNode, client: TalosClient, address: string): Promise<void> {
    await withApplySlot(node.id, `rollout ${r.id}`, async () => {
      d.assertDriving();
      await this.assertRunningAsPlanned(client, address, node);
      const merged = await this.repo.nodeConfig(r.id, node.id);
      await applyAfterPreflight(
        this.deps,
        node.id,
        { client, address, merged, response: { mode: node.mode, warnings: [] } },
        { yaml: merged, mode: r.mode },
        {
          actor: r.author,
          source: "rollout",
          rolloutId: r.id,
          // The pending revision, the node's answer and the node's state move in fenced transactions.
          write: (fn) => d.write(fn),
          onPending: (trx, revisionId) => this.repo.on(trx).updateNode(r.id, node.id, { revisionId }, this.deps.now()),
          onApplied: (trx, res) => this.repo.on(trx).updateNode(r.id, node.id, { state: "waiting-healthy", mode: res.mode, message: res.modeDetails }, this.deps.now()),
          beforeCall: () => d.assertDriving(),
        },
      );
    });
  }

  /**
   * The previous driver stopped between "applying" and the node's answer: the apply may or may
   * not have reached the node. Ask the node (its running or persisted config carries the
   * rollout's config hash) instead of applying again.
   */
  private async resumeApplying(d: Drive, r: StoredRollout, node: StoredRolloutNode, client: TalosClient, address: string, deadline: number): Promise<void> {
    const mode: ApplyMode = node.mode ?? r.mode;
    for (;;) {
      const applied = await this.nodeHasConfig(d, client, address, node.configHash!, deadline);
      if (applied) {
        await d.write(async (trx) => {
          if (node.revisionId !== undefined) {
            await this.deps.revisions.on(trx).finish(node.revisionId, { result: resultOfMode(mode), mode, message: "Applied (confirmed on the node after Minos restarted)" });
          }
          await recordAudit(trx, { actor: r.author, action: "config.rollout.apply", target: node.id, result: "ok", details: { rolloutId: r.id, revision: node.revisionId, resumed: true } });
          await this.repo.on(trx).updateNode(r.id, node.id, { state: "waiting-healthy", message: "Applied (confirmed after Minos restarted)" }, this.deps.now());
        });
        return;
      }
      if (node.revisionId !== undefined) {
        const revisionId = node.revisionId;
        await d.write((trx) => this.deps.revisions.on(trx).finish(revisionId, { result: "failed", message: "Minos stopped before the apply reached the node" }));
      }
      try {
        if (node.bootBefore === null) {
          d.assertDriving();
          const bootBefore = await bootIdentity(client, address);
          await d.write((trx) => this.repo.on(trx).updateNode(r.id, node.id, { bootBefore }, this.deps.now()));
        }
        await this.applyNode(d, r, { ...node, revisionId: undefined }, client, address);
        return;
      } catch (e) {
        // The interrupted apply may still be running on the node: wait for it and look again.
        if (!isAppError(e) || e instanceof RunningChanged || e.code !== "conflict" || this.clock.now() > deadline) throw e;
        await sleep(this.clock, this.pollMs, d.signal);
      }
    }
  }

  private async nodeHasConfig(d: Drive, client: TalosClient, address: string, hash: string, deadline: number): Promise<boolean> {
    for (;;) {
      d.assertDriving();
      try {
        const [running, persistent] = await Promise.all([client.machineConfig(address), client.machineConfig(address, { id: "persistent" }).catch(() => null)]);
        return configHash(running.yaml) === hash || (persistent !== null && configHash(persistent.yaml) === hash);
      } catch (e) {
        if (this.clock.now() > deadline) throw e;
        await sleep(this.clock, this.pollMs, d.signal);
      }
    }
  }

  /** Back healthy: rebooted when the mode reboots, then stage running and ready. */
  private async waitHealthy(d: Drive, client: TalosClient, address: string, mode: ApplyMode, bootBefore: string | null, deadline: number): Promise<void> {
    const verdict = await waitNodeHealthy(client, address, mode, bootBefore, { clock: this.clock, pollMs: this.pollMs, events: this.events, deadline, signal: d.signal });
    d.assertDriving();
    if (!verdict.ok) throw new AppError("node_timeout", `Not back healthy within ${Math.round(this.healthTimeoutMs / 1000)} s (${verdict.reason})`);
  }
}

const g = processState<{ __minosRolloutRunner?: RolloutRunner }>();

/**
 * Starts the rollout runner once per process: it resumes what needs a driver and keeps scanning
 * for rollouts whose driver is gone. Called from instrumentation; safe to call again (returns
 * the running one).
 */
export function startRolloutRunner(options: RolloutRunnerOptions = {}): RolloutRunner {
  if (!g.__minosRolloutRunner) {
    g.__minosRolloutRunner = new RolloutRunner({ kubernetes: { access: getKubeAccess(), drainer: getNodeDrainer() }, ...options });
    g.__minosRolloutRunner.start();
  }
  return g.__minosRolloutRunner;
}
