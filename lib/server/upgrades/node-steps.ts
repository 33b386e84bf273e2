import "server-only";

import type { NodeDrain } from "@/lib/schemas/drain";
import type { UpgradeNode, UpgradeNodeState, UpgradePlan } from "@/lib/schemas/upgrades";
import type { NodeRef as KubeNodeRef } from "@/lib/server/kubernetes/types";
import { AppError } from "@/lib/server/platform/errors";
import { bootIdentity, codeOf, type DrainDeps, drainNode, errorText, NodeEventWake, sameBoot, uncordonNode, waitUntil } from "@/lib/server/jobs";
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
  /** Health gate and etcd poll interval; with `events`, only the gate's fallback. */
  pollMs: number;
  /**
   * The health gate follows the node's Events stream and looks as soon as the node reports a
   * change (reopening the stream every `reconnectMs` while the node reboots); null: it polls only.
   */
  events: { reconnectMs: number } | null;
  /** Deadline of each read the runner makes. */
  readTimeoutMs: number;
  /** Publishes the plan's current state (never throws). */
  publish(id: string): Promise<void>;
  log(message: string): void;
  /**
   * Kubernetes, for the drain around each reboot; null when this runner was built without it
   * (then the drain step is skipped and each node says so).
   */
  kube: DrainDeps | null;
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
        // Both reads at once: the boot identity is only wasted on a node already on the target.
        const boot = bootIdentity(client, addr, opts);
        boot.catch(() => undefined);
        const from = (await client.version(addr, opts)).tag;
        if (sameTalosVersion(from, target)) {
          await this.setNode(drive, plan, node, { state: "done", started: true, finished: true, message: `already runs ${target}: nothing to do` });
          return;
        }
        bootIdBefore = await boot;
        path = upgradePathFor(from);
        await this.setNode(drive, plan, node, {
          state: path === "lifecycle" ? "pulling" : "installing",
          started: true,
          attempt: true,
          bootIdBefore,
          message: path === "lifecycle" ? `${from} → ${target}: pulling ${plan.image}` : `${from} → ${target}: legacy MachineService/Upgrade with ${plan.image}`,
        });
      } else if (node.state === "draining" && row.drain?.override) {
        // A person answered a blocked drain (retry, force, skip): the node was installed and not
        // rebooted, nothing was left mid-way. Not a resume: no attempt, no "Minos resumed", and a
        // node briefly out of reach must not be taken for one rebooting.
      } else if (node.state !== "drain-blocked") {
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
          const legacyDrain = plan.strategy.drain.enabled
            ? { drain: { ...this.emptyDrain(), phase: "skipped" as const, message: "legacy upgrade: Talos cordons and drains the node itself (5-minute timeout) and uncordons it after its reboot; Minos does not" } }
            : {};
          await this.setNode(drive, plan, node, { state: "waiting-healthy", message: `${res.ack || "upgrade accepted"}; the node drains and reboots by itself`, ...legacyDrain });
        } else {
          let exitCode: number | undefined;
          let last: string | undefined;
          // The installer's lines are written in order behind the stream rather than holding it up;
          // all are written (or the first failure thrown) before the node moves on.
          let written: Promise<void> = Promise.resolve();
          let writeError: { e: unknown } | null = null;
          try {
            for await (const ev of client.lifecycleUpgrade(addr, { image: plan.image, signal })) {
              if (ev.type === "message") {
                last = ev.message;
                const message = ev.message;
                written = written.then(() => (writeError ? undefined : this.setNode(drive, plan, node, { message }))).catch((e: unknown) => {
                  writeError ??= { e };
                });
              } else exitCode = ev.exitCode;
            }
          } finally {
            await written;
          }
          if (writeError) throw (writeError as { e: unknown }).e;
          if (signal.aborted) return;
          if (exitCode === undefined) throw new AppError("internal", "the installer stream ended without an exit code", { node: addr });
          if (exitCode !== 0) throw installerExitError(exitCode, addr, last);
          await this.setNode(drive, plan, node, { state: "draining", message: plan.strategy.drain.enabled ? "installed; cordoning and draining before the reboot" : "installed" });
        }
      }

      if (node.state === "draining") {
        const drained = await this.drain(drive, plan, node, row);
        if (!drained || signal.aborted) return;
      }

      if (node.state === "drain-blocked") {
        // Only started here when the plan is being cancelled: the node was installed, not rebooted.
        await this.cancelBlockedDrain(drive, plan, node, row);
        return;
      }

      if (node.state === "rebooting") {
        if (row.role === "controlplane") await this.forfeitLeadership(drive, plan, node, client, addr);
        if (signal.aborted) return;
        const { actorId } = await client.reboot(addr, { mode: plan.strategy.rebootMode, signal });
        if (signal.aborted) return;
        await this.setNode(drive, plan, node, { state: "waiting-healthy", message: `reboot accepted${actorId ? ` (actor ${actorId})` : ""}; waiting for the node to come back healthy` });
      }

      if (node.state === "waiting-healthy") {
        const verdict = await this.healthGate(drive, plan, node, client, addr, bootIdBefore);
        if (signal.aborted) return;
        if (verdict.ok) {
          const drain = await this.uncordon(drive, plan, row);
          if (signal.aborted) return;
          await this.setNode(drive, plan, node, { state: "done", finished: true, message: `healthy on ${target}${drain ? `; ${drain.message}` : ""}`, ...(drain ? { drain } : {}) });
        } else {
          const cordoned = (await this.drainOf(plan, row))?.cordoned === true;
          const left = cordoned ? "; left cordoned (uncordon it once it is fixed)" : "";
          await this.setNode(drive, plan, node, { state: "failed", finished: true, error: verdict.reason, message: `failed: ${verdict.reason}${left}` });
        }
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

  private emptyDrain(): NodeDrain {
    return { phase: "skipped", nodeName: null, cordoned: false, evicted: [], forced: [], blocking: [], message: "", override: null, at: new Date(this.ctx.clock.now()).toISOString() };
  }

  /** The node's drain record as stored now (a person's answer to a blocked drain is written there). */
  private async drainOf(plan: UpgradePlan, row: UpgradeNode): Promise<NodeDrain | null> {
    return (await this.ctx.repo.getPlanNodes(plan.id)).find((n) => n.id === row.id)?.drain ?? null;
  }

  private nodeRef(plan: UpgradePlan, row: UpgradeNode): KubeNodeRef {
    return { cluster: plan.cluster, address: row.address, hostname: row.hostname };
  }

  /**
   * The drain before the reboot (./jobs/drain-step). True when the node goes on to its reboot;
   * false when it now waits for a person (`drain-blocked`, the plan's reason says why).
   */
  private async drain(drive: Drive, plan: UpgradePlan, node: NodeRef, row: UpgradeNode): Promise<boolean> {
    const kube = this.ctx.kube;
    if (!kube) {
      const drain = { ...this.emptyDrain(), message: "drain skipped: this Minos runs without Kubernetes access" };
      await this.setNode(drive, plan, node, { state: "rebooting", drain, message: `${drain.message}; rebooting (${plan.strategy.rebootMode})` });
      return true;
    }
    const previous = await this.drainOf(plan, row);
    this.drives.assertHolding(drive);
    const out = await drainNode(kube, {
      ref: this.nodeRef(plan, row),
      policy: plan.strategy.drain,
      previous,
      signal: drive.signal,
      onProgress: (line) => void this.setNode(drive, plan, node, { message: line }).catch(() => undefined),
      persist: (drain) => this.setNode(drive, plan, node, { drain, message: drain.message }),
    });
    if (drive.signal.aborted) return false;
    if (out.proceed) {
      // A cancel (or a pause, then a cancel) may have come while the drain ran, which can take
      // minutes: look at the plan again, in the same transaction as the step to the reboot, so a
      // cancelled plan never reboots a node it was told to leave.
      const message = `${out.record.message}; rebooting (${plan.strategy.rebootMode})`;
      const cancelled = await this.drives.fenced(drive, async (trx) => {
        const repo = new UpgradeRepository(trx);
        const state = await repo.getPlanState(plan.id, { lock: true });
        if (state === "cancelling" || state === "cancelled") {
          await repo.updateNode(plan.id, node.id, { drain: out.record, message: out.record.message, now: this.ctx.clock.now() });
          return true;
        }
        assertNodeTransition(node.state, "rebooting");
        await repo.updateNode(plan.id, node.id, { state: "rebooting", drain: out.record, message, now: this.ctx.clock.now() });
        return false;
      });
      if (cancelled) {
        await this.leaveCancelled(drive, plan, node, row, "cancelled while its drain ran: not rebooted (the new version is installed and boots at its next reboot)");
        return false;
      }
      node.state = "rebooting";
      await this.ctx.publish(plan.id);
      return true;
    }
    // The node's wait and the plan's reason in one write: nobody reads a blocked node without its why.
    assertNodeTransition(node.state, "drain-blocked");
    await this.drives.fenced(drive, async (trx) => {
      const repo = new UpgradeRepository(trx);
      const now = this.ctx.clock.now();
      await repo.updateNode(plan.id, node.id, { state: "drain-blocked", drain: out.record, message: out.record.message, now });
      await repo.setPlanReason(plan.id, out.reason, now);
    });
    node.state = "drain-blocked";
    await this.ctx.publish(plan.id);
    return false;
  }

  /** The plan was cancelled while this node's drain waited: uncordon it and leave it (installed, not rebooted). */
  private async cancelBlockedDrain(drive: Drive, plan: UpgradePlan, node: NodeRef, row: UpgradeNode): Promise<void> {
    await this.leaveCancelled(drive, plan, node, row, "cancelled while its drain waited for a person: not rebooted (the new version is installed and boots at its next reboot)");
  }

  /** A node the cancel reached between its install and its reboot: uncordoned and skipped. */
  private async leaveCancelled(drive: Drive, plan: UpgradePlan, node: NodeRef, row: UpgradeNode, note: string): Promise<void> {
    const drain = await this.uncordon(drive, plan, row);
    await this.setNode(drive, plan, node, { state: "skipped", finished: true, message: drain ? `${note}; ${drain.message}` : note, ...(drain ? { drain } : {}) });
  }

  /** After the health gate: uncordon what Minos cordoned (null when nothing was). */
  private async uncordon(drive: Drive, plan: UpgradePlan, row: UpgradeNode): Promise<NodeDrain | null> {
    const kube = this.ctx.kube;
    if (!kube) return null;
    const record = await this.drainOf(plan, row);
    this.drives.assertHolding(drive);
    return uncordonNode(kube, { ref: this.nodeRef(plan, row), record, pollMs: this.ctx.pollMs, signal: drive.signal });
  }

  /**
   * Before a control plane's reboot: if it leads etcd, hand leadership over (EtcdForfeitLeadership,
   * admin), so the cluster does not wait out an election. Best effort: etcd elects a new leader
   * anyway when it goes down, so a refusal is noted, never a failure.
   */
  private async forfeitLeadership(drive: Drive, plan: UpgradePlan, node: NodeRef, client: UpgradeTalos, addr: string): Promise<void> {
    try {
      const { member } = await client.etcdForfeitLeadership(addr, { timeoutMs: this.ctx.readTimeoutMs, signal: drive.signal });
      if (member) await this.setNode(drive, plan, node, { message: `etcd leadership moved to ${member}` });
    } catch (e) {
      if (drive.signal.aborted || isLeaseLost(e)) throw e;
      const why = codeOf(e) === "forbidden" ? "it needs os:admin" : errorText(e);
      await this.setNode(drive, plan, node, { message: `etcd leadership not forfeited (${why}); etcd elects a new leader when the node goes down` });
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
    const wake = this.ctx.events ? new NodeEventWake(client, addr, { clock, reconnectMs: this.ctx.events.reconnectMs, signal: drive.signal }) : undefined;
    const verdict = await waitUntil({
      clock,
      pollMs: this.ctx.pollMs,
      wake,
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
    }).finally(() => wake?.close());
    await noted;
    if (verdict.ok || !verdict.timedOut) return verdict;
    return { ok: false as const, reason: `not healthy within ${plan.strategy.healthTimeoutSeconds} s of its reboot: ${verdict.reason}` };
  }
}
