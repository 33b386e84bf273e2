import "server-only";

import type { UpgradeNode, UpgradePlan, UpgradePlanState } from "@/lib/schemas/upgrades";
import { recordAudit } from "@/lib/server/platform/audit";
import type { Db } from "@/lib/server/platform/db/db";
import { AppError } from "@/lib/server/platform/errors";
import { LeaseLostError } from "@/lib/server/platform/leases";
import { errorText, type JobLoops } from "@/lib/server/jobs";

import { type Drive, isLeaseLost, type PlanDrives } from "./drives";
import { assertNodeTransition, decide, FINAL_PLAN_STATES, needsDriver, planTransition, type PlanEvent } from "./machine";
import type { NodeSteps, RunnerContext } from "./node-steps";
import { UpgradeRepository } from "./repository";

export interface PlanLoopContext extends RunnerContext {
  loops: JobLoops;
  /** The plan as stored now; `not_found` when it is gone. */
  getOrThrow(id: string): Promise<UpgradePlan>;
}

/**
 * The loop of each plan this runner drives: it re-reads the plan every round, lets the pure
 * `decide` (./machine) pick the nodes to start or the plan's end, and writes the plan's own
 * transitions under its lease. The nodes themselves are ./node-steps'.
 */
export class PlanLoops {
  constructor(
    private readonly ctx: PlanLoopContext,
    private readonly drives: PlanDrives,
    private readonly steps: NodeSteps,
  ) {}

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
    const done = await this.drives.fenced(drive, async (trx) => {
      const repo = new UpgradeRepository(trx);
      const state = await repo.getPlanState(id, { lock: true });
      if (!state) throw new AppError("not_found", `No upgrade plan ${JSON.stringify(id)}`);
      if (state !== from) return false;
      const next = planTransition(state, event);
      if (!next) throw new AppError("conflict", `Cannot ${event} an upgrade that is ${state}`);
      await more?.(trx);
      await repo.setPlanState(id, { state: next, reason, ...stamp, now: this.ctx.clock.now() });
      return true;
    });
    if (done) await this.ctx.publish(id);
    return done;
  }

  ensureLoop(id: string, drive: Drive): void {
    const { loops } = this.ctx;
    // The fallback tick of nextWake: nothing should need it, but a lost wake-up must not stall a plan.
    loops.ensure(id, async ({ nextWake }) => {
      try {
        await this.runPlan(id, drive, () => nextWake(this.ctx.pollMs * 5), () => loops.wake(id));
      } catch (e) {
        if (!isLeaseLost(e)) throw e;
        this.ctx.log(`plan ${id}: another runner took it over; stopped driving it`);
      } finally {
        // The plan finished, the runner stops, the lease was lost, or the loop failed (the next
        // scan, here or elsewhere, takes it up again): in every case this runner lets it go.
        if (this.drives.get(id) === drive) await this.drives.dropDrive(id);
      }
    });
    // The loop may not start (the runner stopped): then nobody must keep renewing the lease.
    if (!loops.has(id)) void this.drives.dropDrive(id);
  }

  private async runPlan(id: string, drive: Drive, waitForWake: () => Promise<void>, wake: () => void): Promise<void> {
    const signal = drive.signal;
    const inFlight = new Map<string, Promise<void>>();
    const start = (plan: UpgradePlan, node: UpgradeNode) => {
      const p = this.steps
        .driveNode(drive, plan, node)
        .catch((e) => {
          if (isLeaseLost(e)) drive.abort.abort();
          else this.ctx.log(`plan ${id}: node ${node.id}: ${errorText(e)}`);
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
        const plan = await this.ctx.getOrThrow(id);
        if (signal.aborted || FINAL_PLAN_STATES.has(plan.state)) break;
        this.drives.assertHolding(drive);
        // A plan created (or left) pending: start it under this lease.
        if (plan.state === "pending") {
          await this.transition(drive, id, "pending", "start", { started: true });
          continue;
        }
        // Nodes a previous runner left mid-way: observe and finish them before anything else.
        for (const n of plan.nodes) if (needsDriver(n.state, plan.state) && !inFlight.has(n.id)) start(plan, n);
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
    if (drive.abort.signal.aborted && !this.ctx.loops.stopped) throw new LeaseLostError(drive.held.lease);
  }

  /** Persists the plan's end (and skips what was not started); false when an operator changed the plan meanwhile. */
  private async finish(drive: Drive, plan: UpgradePlan, event: "succeed" | "fail" | "finish-cancel", reason: string | null, skip: string[]): Promise<boolean> {
    const now = this.ctx.clock.now();
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
    if (done) this.ctx.log(`plan ${plan.id}: ${event}${reason ? `: ${reason}` : ""}`);
    return done;
  }
}
