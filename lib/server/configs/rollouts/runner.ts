import "server-only";

import type { ApplyMode } from "@/lib/schemas/configs";
import { recordAudit } from "@/lib/server/platform/audit-legacy";
import { applyAfterPreflight } from "@/lib/server/configs/apply";
import { defaultConfigDeps, type ConfigDeps } from "@/lib/server/configs/deps";
import { withApplySlot } from "@/lib/server/configs/in-flight";
import { configHash, resultOfMode } from "@/lib/server/configs/modes";
import { nextToStart, settledState } from "@/lib/server/configs/rollouts/plan";
import { RolloutRepository, type StoredRollout, type StoredRolloutNode } from "@/lib/server/configs/rollouts/repo";
import { AppError, isAppError } from "@/lib/server/platform/errors";
import { bootIdentity, errorText, JobLoops, sameBoot, waitUntil } from "@/lib/server/jobs";
import type { TalosClient } from "@/lib/server/talos";
import { type Clock, realClock, sleep } from "@/lib/utils/clock";
import { processState } from "@/lib/server/platform/process-state";

export interface RolloutRunnerOptions {
  deps?: ConfigDeps;
  /** How long a node may take to be back healthy after its apply; default 10 min. */
  healthTimeoutMs?: number;
  /** Poll interval while waiting for a node; default 500 ms. */
  pollMs?: number;
  clock?: Clock;
}

/**
 * Drives persisted rollouts: starts nodes as the planner allows, applies each node's
 * preflighted config, waits for it to be back healthy (after a reboot when the mode reboots),
 * and writes every transition before acting on it. One drive loop per rollout per process.
 */
export class RolloutRunner {
  readonly repo: RolloutRepository;
  private readonly deps: ConfigDeps;
  private readonly healthTimeoutMs: number;
  private readonly pollMs: number;
  private readonly clock: Clock;
  private readonly loops: JobLoops;

  constructor(options: RolloutRunnerOptions = {}) {
    this.deps = options.deps ?? defaultConfigDeps();
    this.repo = new RolloutRepository(this.deps.db, this.deps.box);
    this.healthTimeoutMs = options.healthTimeoutMs ?? 10 * 60_000;
    this.pollMs = options.pollMs ?? 500;
    this.clock = options.clock ?? realClock;
    this.loops = new JobLoops(this.clock, (id, e) => console.error(`[minos] rollout ${id} runner failed`, e));
  }

  /**
   * Picks up where a previous process stopped: running rollouts continue (a node caught
   * mid-apply is checked on the node before anything is sent again); a rollout interrupted
   * during its preflight-all applied nothing and is marked preflight-failed.
   */
  resumeAll(): void {
    for (const id of this.repo.idsInState("preflight")) {
      this.repo.skipPending(id, "Minos restarted during the preflight; nothing was applied", this.deps.now());
      this.repo.setState(id, "preflight-failed", this.deps.now(), "Minos restarted during the preflight; nothing was applied. Start the rollout again.");
    }
    for (const id of this.repo.idsInState("running")) this.kick(id);
  }

  /** Starts the drive loop of a rollout unless one is running. */
  kick(id: string): void {
    this.loops.ensure(id, () => this.drive(id));
  }

  /** Resolves when the rollout's drive loop (if any) has ended. */
  async idle(id: string): Promise<void> {
    await this.loops.idle(id);
  }

  /** Resolves when no rollout is being driven (loops started meanwhile included). */
  async drain(): Promise<void> {
    await this.loops.drain();
  }

  /** No new loops; running ones end after their current nodes (tests, shutdown). */
  async stop(): Promise<void> {
    await this.loops.stop();
  }

  private async drive(id: string): Promise<void> {
    const active = new Map<string, Promise<void>>();
    const launch = (r: StoredRollout, node: StoredRolloutNode) => {
      active.set(
        node.id,
        this.processNode(r, node).finally(() => active.delete(node.id)),
      );
    };
    // Nodes left mid-flight by an earlier process belong to this loop now.
    const first = this.repo.getOrThrow(id);
    for (const n of first.nodes) if (n.state === "applying" || n.state === "waiting-healthy") launch(first, n);
    for (;;) {
      const r = this.repo.getOrThrow(id);
      if (r.state === "running" && !this.loops.stopped) {
        for (const nodeId of nextToStart(r, r.nodes)) {
          if (active.has(nodeId)) continue;
          const node = r.nodes.find((n) => n.id === nodeId)!;
          // Mark it started before the first await so the next planning round counts it.
          this.repo.updateNode(id, nodeId, { state: "applying", message: "Applying the config", startedAt: this.deps.now() }, this.deps.now());
          launch(r, { ...node, state: "applying", startedAt: null });
        }
      }
      if (active.size === 0) {
        const latest = this.repo.getOrThrow(id);
        const state = settledState(latest, latest.nodes);
        if (state !== latest.state) this.finish(latest, state);
        return;
      }
      await Promise.race(active.values());
    }
  }

  private finish(r: StoredRollout, state: "done" | "failed" | StoredRollout["state"]): void {
    const failed = r.nodes.filter((n) => n.state === "failed");
    const message =
      state === "done"
        ? `Applied to ${r.nodes.length} node${r.nodes.length === 1 ? "" : "s"}.`
        : failed.length > 0
          ? `Stopped: ${failed.map((n) => `${n.id}: ${n.message}`).join("; ")}`
          : "";
    this.repo.setState(r.id, state, this.deps.now(), message);
    recordAudit(this.deps.db, {
      actor: r.author,
      action: "config.rollout",
      target: r.id,
      result: state === "done" ? "ok" : "failed",
      details: { state, nodes: r.nodes.map((n) => ({ node: n.id, state: n.state, revision: n.revisionId })), message },
    });
  }

  private async processNode(r: StoredRollout, node: StoredRolloutNode): Promise<void> {
    const now = () => this.deps.now();
    try {
      const { cluster, address } = await this.deps.resolveNode(node.id);
      const client = await this.deps.client(cluster);
      const deadline = this.clock.now() + this.healthTimeoutMs;
      if (node.state === "applying") {
        if (node.startedAt === null) {
          // A fresh start: remember the boot before the apply, then apply.
          const bootBefore = await bootIdentity(client, address);
          this.repo.updateNode(r.id, node.id, { bootBefore }, now());
          await this.applyNode(r, node, client, address);
        } else {
          await this.resumeApplying(r, node, client, address, deadline);
        }
      }
      const current = this.repo.getOrThrow(r.id).nodes.find((n) => n.id === node.id)!;
      await this.waitHealthy(client, address, current.mode ?? r.mode, current.bootBefore, deadline);
      this.repo.updateNode(r.id, node.id, { state: "done", message: current.message || "Healthy", finishedAt: now() }, now());
    } catch (e) {
      this.repo.updateNode(r.id, node.id, { state: "failed", message: errorText(e), finishedAt: now() }, now());
    }
  }

  private async applyNode(r: StoredRollout, node: StoredRolloutNode, client: TalosClient, address: string): Promise<void> {
    await withApplySlot(node.id, `rollout ${r.id}`, async () => {
      const merged = this.repo.nodeConfig(r.id, node.id);
      const res = await applyAfterPreflight(
        this.deps,
        node.id,
        { client, address, merged, response: { mode: node.mode, warnings: [] } },
        { yaml: merged, mode: r.mode },
        {
          actor: r.author,
          source: "rollout",
          rolloutId: r.id,
          onPending: (revisionId) => this.repo.updateNode(r.id, node.id, { revisionId }, this.deps.now()),
        },
      );
      this.repo.updateNode(r.id, node.id, { state: "waiting-healthy", mode: res.mode, message: res.modeDetails }, this.deps.now());
    });
  }

  /**
   * The previous process stopped between "applying" and the node's answer: the apply may or may
   * not have reached the node. Ask the node (its running or persisted config carries the
   * rollout's config hash) instead of applying again.
   */
  private async resumeApplying(r: StoredRollout, node: StoredRolloutNode, client: TalosClient, address: string, deadline: number): Promise<void> {
    const mode: ApplyMode = node.mode ?? r.mode;
    for (;;) {
      const applied = await this.nodeHasConfig(client, address, node.configHash!, deadline);
      if (applied) {
        if (node.revisionId !== undefined) {
          this.deps.revisions.finish(node.revisionId, { result: resultOfMode(mode), mode, message: "Applied (confirmed on the node after Minos restarted)" });
        }
        recordAudit(this.deps.db, { actor: r.author, action: "config.rollout.apply", target: node.id, result: "ok", details: { rolloutId: r.id, revision: node.revisionId, resumed: true } });
        this.repo.updateNode(r.id, node.id, { state: "waiting-healthy", message: "Applied (confirmed after Minos restarted)" }, this.deps.now());
        return;
      }
      if (node.revisionId !== undefined) {
        this.deps.revisions.finish(node.revisionId, { result: "failed", message: "Minos stopped before the apply reached the node" });
      }
      try {
        if (node.bootBefore === null) {
          const bootBefore = await bootIdentity(client, address);
          this.repo.updateNode(r.id, node.id, { bootBefore }, this.deps.now());
        }
        await this.applyNode(r, { ...node, revisionId: undefined }, client, address);
        return;
      } catch (e) {
        // The interrupted apply may still be running on the node: wait for it and look again.
        if (!isAppError(e) || e.code !== "conflict" || this.clock.now() > deadline) throw e;
        await sleep(this.clock, this.pollMs);
      }
    }
  }

  private async nodeHasConfig(client: TalosClient, address: string, hash: string, deadline: number): Promise<boolean> {
    for (;;) {
      try {
        const [running, persistent] = await Promise.all([client.machineConfig(address), client.machineConfig(address, { id: "persistent" }).catch(() => null)]);
        return configHash(running.yaml) === hash || (persistent !== null && configHash(persistent.yaml) === hash);
      } catch (e) {
        if (this.clock.now() > deadline) throw e;
        await sleep(this.clock, this.pollMs);
      }
    }
  }

  /** Back healthy: rebooted when the mode reboots, then stage running and ready. */
  private async waitHealthy(client: TalosClient, address: string, mode: ApplyMode, bootBefore: string | null, deadline: number): Promise<void> {
    let rebooted = mode !== "reboot" || bootBefore === null;
    // No stop signal: stop() lets the nodes in flight finish, as it always has for rollouts.
    const verdict = await waitUntil({
      clock: this.clock,
      pollMs: this.pollMs,
      deadline,
      check: async () => {
        try {
          if (!rebooted) {
            rebooted = !sameBoot(await bootIdentity(client, address, { like: bootBefore }), bootBefore!);
            if (!rebooted) return { ok: false, reason: "waiting for the reboot" };
          }
          const status = await client.machineStatus(address);
          if (status.stage === "running" && status.ready) return { ok: true };
          return { ok: false, reason: `stage ${status.stage}${status.unmetConditions.length ? `, waiting for ${status.unmetConditions.map((c) => c.name).join(", ")}` : ", not ready"}` };
        } catch (e) {
          return { ok: false, reason: errorText(e) };
        }
      },
    });
    if (!verdict.ok) throw new AppError("node_timeout", `Not back healthy within ${Math.round(this.healthTimeoutMs / 1000)} s (${verdict.reason})`);
  }
}

const g = processState<{ __minosRolloutRunner?: RolloutRunner }>();

/**
 * Starts the rollout runner once per process and resumes persisted rollouts. Called from
 * instrumentation; safe to call again (returns the running one).
 */
export function startRolloutRunner(options: RolloutRunnerOptions = {}): RolloutRunner {
  if (!g.__minosRolloutRunner) {
    g.__minosRolloutRunner = new RolloutRunner(options);
    g.__minosRolloutRunner.resumeAll();
  }
  return g.__minosRolloutRunner;
}
