import "server-only";

import type { UpgradeNode, UpgradeNodeState, UpgradePlan } from "@/lib/schemas/upgrades";
import { AppError } from "@/lib/server/platform/errors";
import { bootIdentity, errorText, sameBoot, waitUntil } from "@/lib/server/jobs";
import { installerExitError } from "@/lib/server/talos/errors";
import { upgradePathFor } from "@/lib/talos/upgrade";
import { sameTalosVersion } from "@/lib/talos/version";
import type { Clock } from "@/lib/utils/clock";

import { type Drive, isLeaseLost, type PlanDrives, rethrowLeaseLost } from "./drives";
import { evaluateHealth } from "./health";
import { assertNodeTransition } from "./machine";
import { healthFacts, type UpgradeTalos } from "./probes";
import { type NodePatch, UpgradeRepository } from "./repository";

/** What the runner's parts share: its settings, its store, and its way to announce and log. */
export interface RunnerContext {
  clock: Clock;
  repo: UpgradeRepository;
  /** The Talos client of a cluster (one per cluster, shared). */
  client(cluster: string): Promise<UpgradeTalos>;
  /** Health gate and etcd poll interval. */
  pollMs: number;
  /** Deadline of each read the runner makes. */
  readTimeoutMs: number;
  /** Publishes the plan's current state (never throws). */
  publish(id: string): Promise<void>;
  log(message: string): void;
}

/** A node start found the plan no longer running (paused or cancelled meanwhile, maybe on another replica). */
class PlanNotRunning extends Error {}

type NodeRef = { id: string; state: UpgradeNodeState };

/** One node's upgrade, step by step, each step persisted (under the plan's lease) before it is taken. */
export class NodeSteps {
  constructor(
    private readonly ctx: RunnerContext,
    private readonly drives: PlanDrives,
  ) {}

  /**
   * Persists a node's step, fenced by the plan's lease. `starting` (the node leaves `pending`)
   * also checks, in the same transaction, that the plan is still running: a pause written by any
   * replica after the loop read the plan stops the node before it is touched.
   */
  private async setNode(drive: Drive, plan: UpgradePlan, node: NodeRef, patch: Omit<NodePatch, "now">): Promise<void> {
    if (patch.state && patch.state !== node.state) assertNodeTransition(node.state, patch.state);
    const starting = node.state === "pending" && patch.state !== undefined && patch.state !== "pending";
    await this.drives.fenced(drive, async (trx) => {
      const repo = new UpgradeRepository(trx);
      if (starting) {
        const state = await repo.getPlanState(plan.id, { lock: true });
        if (state !== "running") throw new PlanNotRunning(`the plan is ${state}`);
      }
      await repo.updateNode(plan.id, node.id, { ...patch, now: this.ctx.clock.now() });
    });
    if (patch.state) node.state = patch.state;
    await this.ctx.publish(plan.id);
  }

  /** Drives one node from its persisted state to done or failed; each step is persisted first. */
  async driveNode(drive: Drive, plan: UpgradePlan, row: UpgradeNode): Promise<void> {
    const signal = drive.signal;
    this.drives.assertHolding(drive);
    const client = this.drives.guarded(await this.ctx.client(plan.cluster), drive);
    const addr = row.address;
    const node = { id: row.id, state: row.state };
    const target = plan.targetVersion;
    let bootIdBefore = row.bootIdBefore;
    let path: "lifecycle" | "legacy" = "lifecycle";
    const opts = { timeoutMs: this.ctx.readTimeoutMs, signal };
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
  private async resumeNode(drive: Drive, plan: UpgradePlan, node: NodeRef, client: UpgradeTalos, bootIdBefore: string | null): Promise<void> {
    const addr = plan.nodes.find((n) => n.id === node.id)!.address;
    const opts = { timeoutMs: this.ctx.readTimeoutMs, signal: drive.signal };
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

  private async healthGate(drive: Drive, plan: UpgradePlan, node: NodeRef, client: UpgradeTalos, addr: string, bootIdBefore: string | null) {
    const { clock, repo } = this.ctx;
    const row = (await repo.getPlanNodes(plan.id)).find((n) => n.id === node.id)!;
    const since = row.stateChangedAt ? Date.parse(row.stateChangedAt) : clock.now();
    const expect = { targetVersion: plan.targetVersion, bootIdBefore, role: row.role, etcdMembers: await repo.getPlanEtcdMembers(plan.id) };
    const opts = { timeoutMs: this.ctx.readTimeoutMs, signal: drive.signal };
    // "waiting: …" messages are written while the wait goes on; the last one is awaited below.
    let noted: Promise<void> = Promise.resolve();
    const verdict = await waitUntil({
      clock,
      pollMs: this.ctx.pollMs,
      deadline: since + plan.strategy.healthTimeoutSeconds * 1000,
      signal: drive.signal,
      check: async () => evaluateHealth(await healthFacts(plan, client, addr, row.role, bootIdBefore, opts), expect),
      onWaiting: (reason) => {
        noted = noted.then(() => this.setNode(drive, plan, node, { message: `waiting: ${reason}` })).catch((e: unknown) => {
          // A lost lease ends the wait (the signal aborts); other write failures only lose a message.
          if (isLeaseLost(e)) drive.abort.abort();
          else this.ctx.log(`plan ${plan.id}: node ${node.id}: ${errorText(e)}`);
        });
      },
    });
    await noted;
    if (verdict.ok || !verdict.timedOut) return verdict;
    return { ok: false as const, reason: `not healthy within ${plan.strategy.healthTimeoutSeconds} s of its reboot: ${verdict.reason}` };
  }
}
