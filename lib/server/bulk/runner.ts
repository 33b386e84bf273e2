import "server-only";

import { parseNodeId } from "@/lib/fleet/node-id";
import type { BulkRun } from "@/lib/schemas/bulk";
import { errorText, JobLoops, type LoopContext } from "@/lib/server/jobs";
import { recordAudit } from "@/lib/server/platform/audit";
import type { Db } from "@/lib/server/platform/db/db";
import { holdLease, LEASE_RENEW_MS, LEASE_TTL_MS, LeaseLostError, listLeases, type HeldLease } from "@/lib/server/platform/leases";
import { replicaId } from "@/lib/server/platform/replica";
import type { TalosClient } from "@/lib/server/talos";
import { type Clock, realClock } from "@/lib/utils/clock";

import type { BulkNodeActions } from "./node-port";
import { ACTIVE_STATES, nextToStart, settledState } from "./plan";
import { BulkRepository, publicRun, type StoredBulkNode, type StoredBulkRun } from "./repo";
import { runNodeAction, type StepContext } from "./steps";

export interface BulkRunnerDeps {
  db: Db;
  now(): Date;
  client(cluster: string): Promise<TalosClient>;
  /** The per-node action core. */
  actions: BulkNodeActions;
  /** Every persisted transition, with the whole run (SSE). */
  publish(run: BulkRun): void;
}

export interface BulkRunnerOptions {
  clock?: Clock;
  owner?: string;
  /** How long a node may take to be back healthy; default 10 min. */
  healthTimeoutMs?: number;
  pollMs?: number;
  readTimeoutMs?: number;
  leaseTtlMs?: number;
  leaseRenewMs?: number;
  /** How often runs nobody drives are looked for, and driven runs re-read; default 2.5 s. */
  scanMs?: number;
}

/** The lease a bulk run is driven under. */
export const bulkLease = (id: string) => `bulk:${id}`;

class DriveStopped extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = "DriveStopped";
  }
}

interface Drive {
  id: string;
  signal: AbortSignal;
  write<T>(fn: (trx: Db) => Promise<T>): Promise<T>;
  assertDriving(): void;
}

/**
 * Drives persisted bulk runs, one replica per run (the lease `bulk:<id>`, fenced writes), the
 * way config rollouts are driven: nodes start as ./plan allows, each transition is written
 * before it is acted on, a pause or cancel written by any replica is read between steps, and a
 * run whose driver died is taken over by the next scan.
 */
export class BulkRunner {
  readonly repo: BulkRepository;
  readonly owner: string;
  private readonly clock: Clock;
  private readonly o: Required<Omit<BulkRunnerOptions, "clock" | "owner">>;
  private readonly loops: JobLoops;
  private scanTimer: unknown = null;
  private scanning: Promise<void> = Promise.resolve();
  private scanStopped = true;

  constructor(
    private readonly deps: BulkRunnerDeps,
    options: BulkRunnerOptions = {},
  ) {
    this.repo = new BulkRepository(deps.db);
    this.owner = options.owner ?? replicaId();
    this.clock = options.clock ?? realClock;
    this.o = {
      healthTimeoutMs: options.healthTimeoutMs ?? 10 * 60_000,
      pollMs: options.pollMs ?? 500,
      readTimeoutMs: options.readTimeoutMs ?? 10_000,
      leaseTtlMs: options.leaseTtlMs ?? LEASE_TTL_MS,
      leaseRenewMs: options.leaseRenewMs ?? LEASE_RENEW_MS,
      scanMs: options.scanMs ?? 2_500,
    };
    this.loops = new JobLoops(this.clock, (id, e) => console.error(`[minos] bulk run ${id} failed`, e));
  }

  /** Resumes what needs a driver, then keeps scanning for runs whose driver is gone. */
  start(): void {
    if (!this.scanStopped || this.loops.stopped) return;
    this.scanStopped = false;
    const next = () => {
      if (this.scanStopped) return;
      this.scanTimer = this.clock.setTimeout(() => void this.resumeAll().finally(next), this.o.scanMs);
    };
    void this.resumeAll().finally(next);
  }

  resumeAll(): Promise<void> {
    const run = this.scanning.then(() => this.scan());
    this.scanning = run.catch((e: unknown) => console.error("[minos] the bulk run scan failed", e));
    return this.scanning;
  }

  private async scan(): Promise<void> {
    if (this.loops.stopped) return;
    const live = new Map((await listLeases(this.deps.db, this.clock.now(), { prefix: "bulk:" })).map((l) => [l.name, l.owner]));
    for (const id of await this.repo.idsToDrive()) {
      const owner = live.get(bulkLease(id));
      if (owner === undefined || owner === this.owner) this.kick(id);
    }
  }

  /** Drives the run if this replica can take its lease, or wakes its loop. */
  kick(id: string): void {
    if (this.loops.has(id)) return this.loops.wake(id);
    this.loops.ensure(id, (ctx) => this.own(id, ctx));
  }

  async idle(id: string): Promise<void> {
    await this.loops.idle(id);
  }

  async drain(): Promise<void> {
    await this.scanning;
    await this.loops.drain();
  }

  /** No new loops; nodes being driven stop at their next step; leases are given back. */
  async stop(): Promise<void> {
    this.scanStopped = true;
    this.clock.clearTimeout(this.scanTimer);
    await this.loops.stop();
    await this.scanning;
  }

  /** Publishes the run as stored now (best effort: an event lost is repaired by the next one or a refetch). */
  private async announce(id: string): Promise<void> {
    const r = await this.repo.get(id).catch(() => undefined);
    if (r) this.deps.publish(publicRun(r));
  }

  private async own(id: string, ctx: LoopContext): Promise<void> {
    const ended = new AbortController();
    const endOn = (reason: string) => {
      if (!ended.signal.aborted) ended.abort(new DriveStopped(reason));
    };
    const held: HeldLease | null = await holdLease(this.deps.db, bulkLease(id), this.owner, {
      clock: this.clock,
      ttlMs: this.o.leaseTtlMs,
      renewMs: this.o.leaseRenewMs,
      onLost: () => endOn("the bulk run's lease was lost"),
    });
    if (!held) return;
    const onStop = () => endOn("the runner stopped");
    if (ctx.signal.aborted) onStop();
    ctx.signal.addEventListener("abort", onStop, { once: true });
    const drive: Drive = {
      id,
      signal: ended.signal,
      write: async (fn) => {
        try {
          const out = await held.fenced(fn);
          void this.announce(id);
          return out;
        } catch (e) {
          if (e instanceof LeaseLostError) endOn(e.message);
          throw e;
        }
      },
      assertDriving: () => {
        if (ended.signal.aborted) throw ended.signal.reason as Error;
        if (held.lost || this.clock.now() > held.lease.expiresAt - this.o.leaseRenewMs) {
          endOn("the bulk run's lease could not be renewed");
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
      await held.release();
    }
  }

  private async drive(d: Drive, ctx: LoopContext): Promise<void> {
    const active = new Map<string, Promise<void>>();
    const launch = (r: StoredBulkRun, node: StoredBulkNode) => {
      active.set(
        node.id,
        this.processNode(d, r, node).finally(() => active.delete(node.id)),
      );
    };
    try {
      // Nodes left mid-flight by an earlier driver belong to this loop now.
      const first = await this.repo.getOrThrow(d.id);
      for (const n of first.nodes) if (ACTIVE_STATES.includes(n.state)) launch(first, n);
      for (;;) {
        if (d.signal.aborted) break;
        const woken = ctx.nextWake(this.o.scanMs);
        const r = await this.repo.getOrThrow(d.id);
        if (r.state === "running") {
          for (const nodeId of nextToStart(r, r.nodes)) {
            if (d.signal.aborted || active.has(nodeId)) continue;
            // Marked started (fenced, and only while the run still runs) before the first Talos call.
            if (!(await d.write((trx) => this.repo.on(trx).startNode(d.id, nodeId, this.deps.now())))) break;
            launch(r, { ...r.nodes.find((n) => n.id === nodeId)!, state: "running", bootBefore: null, sentAt: null });
          }
        }
        if (active.size === 0) {
          const latest = await this.repo.getOrThrow(d.id);
          const state = settledState(latest, latest.nodes);
          if (state === latest.state || (await this.finish(d, latest, state))) return;
          continue;
        }
        await Promise.race([...active.values(), woken]);
      }
    } finally {
      await Promise.all(active.values());
    }
  }

  private async finish(d: Drive, r: StoredBulkRun, state: StoredBulkRun["state"]): Promise<boolean> {
    const failed = r.nodes.filter((n) => n.state === "failed");
    const message = state === "done" ? `Done on ${r.nodes.length} node${r.nodes.length === 1 ? "" : "s"}.` : failed.length > 0 ? `Stopped: ${failed.map((n) => `${n.id}: ${n.message}`).join("; ")}` : "";
    return d.write(async (trx) => {
      if (!(await this.repo.on(trx).setState(r.id, state, this.deps.now(), message, { from: [r.state] }))) return false;
      await recordAudit(trx, {
        actor: r.author,
        action: `bulk.${r.action}`,
        target: r.id,
        result: state === "done" ? "ok" : "failed",
        details: { cluster: r.cluster, state, nodes: r.nodes.map((n) => ({ node: n.id, state: n.state })) },
      });
      return true;
    });
  }

  private async processNode(d: Drive, r: StoredBulkRun, node: StoredBulkNode): Promise<void> {
    const now = () => this.deps.now();
    try {
      d.assertDriving();
      const ref = parseNodeId(node.id);
      if (!ref) throw new Error(`not a node ID: ${node.id}`);
      const client = await this.deps.client(ref.cluster);
      const ctx: StepContext = {
        repo: this.repo,
        actions: this.deps.actions,
        clock: this.clock,
        now,
        pollMs: this.o.pollMs,
        healthTimeoutMs: this.o.healthTimeoutMs,
        readTimeoutMs: this.o.readTimeoutMs,
        signal: d.signal,
        write: (fn) => d.write(fn),
        assertDriving: () => d.assertDriving(),
      };
      const message = await runNodeAction(ctx, r, node, { id: node.id, cluster: ref.cluster, address: ref.address, hostname: node.hostname, role: node.role, client });
      // The node's action audited itself (node.reboot, node.service-restart…, naming the run).
      await d.write((trx) => this.repo.on(trx).updateNode(r.id, node.id, { state: "done", message, finishedAt: now() }, now()));
    } catch (e) {
      // Stopped or taken over: the node stays as persisted, for whoever drives the run next.
      if (e instanceof DriveStopped || e instanceof LeaseLostError || d.signal.aborted) return;
      await d.write((trx) => this.repo.on(trx).updateNode(r.id, node.id, { state: "failed", message: errorText(e), finishedAt: now() }, now())).catch(() => undefined);
    }
  }
}
