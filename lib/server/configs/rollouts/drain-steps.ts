import "server-only";

import type { NodeDrain } from "@/lib/schemas/drain";
import type { NodeUpdate, RolloutRepository, StoredRollout, StoredRolloutNode } from "@/lib/server/configs/rollouts/repo";
import { type DrainDeps, drainNode, uncordonNode } from "@/lib/server/jobs";
import type { NodeRef } from "@/lib/server/kubernetes/types";
import type { Db } from "@/lib/server/platform/db/db";
import type { TalosClient } from "@/lib/server/talos";

/** What of a rollout's drive the drain needs: its signal, and writes fenced by its lease. */
interface Drive {
  signal: AbortSignal;
  write<T>(fn: (trx: Db) => Promise<T>): Promise<T>;
  assertDriving(): void;
}

/** A rollout node's drain around its reboot (lib/server/jobs/drain-step), each step persisted under the rollout's lease. */
export class RolloutDrains {
  constructor(
    private readonly repo: RolloutRepository,
    private readonly kube: DrainDeps | null,
    private readonly now: () => Date,
    private readonly pollMs: number,
  ) {}

  /**
   * A restart between the node's start (`applying` + started_at) and the `draining` write: with
   * Kubernetes at hand every drain leaves a record before the apply, so none means nothing was
   * drained or applied yet. Such a node starts afresh (drain, then apply), not through
   * resumeApplying, which would apply and reboot it undrained.
   */
  startedUndrained(r: StoredRollout, node: StoredRolloutNode): boolean {
    return this.kube !== null && node.state === "applying" && node.startedAt !== null && node.drain === null && (node.mode ?? r.mode) === "reboot";
  }

  private async kubeRef(client: TalosClient, cluster: string, address: string): Promise<NodeRef> {
    // The Node is found by name (hostname) or, failing that, by InternalIP.
    const hostname = await client.hostname(address).catch(() => null);
    return { cluster, address, hostname };
  }

  /**
   * The drain before the apply of a node whose mode reboots (lib/server/jobs/drain-step). True
   * when the apply may go on; false when the node now waits for a person (`drain-blocked`) or
   * the rollout was cancelled while the drain ran (the node is uncordoned and skipped).
   */
  async beforeApply(d: Drive, r: StoredRollout, node: StoredRolloutNode, client: TalosClient, cluster: string, address: string): Promise<boolean> {
    const now = () => this.now();
    const write = (u: NodeUpdate) => d.write((trx) => this.repo.on(trx).updateNode(r.id, node.id, u, now()));
    if (!this.kube) {
      await write({ state: "applying", message: "Drain skipped: this Minos runs without Kubernetes access; applying", drain: null });
      return true;
    }
    if (node.state !== "draining") await write({ state: "draining", message: r.drainPolicy.enabled ? "Cordoning and draining before the reboot" : "Drain disabled" });
    const previous = (await this.repo.getOrThrow(r.id)).nodes.find((n) => n.id === node.id)?.drain ?? null;
    d.assertDriving();
    const out = await drainNode(this.kube, {
      ref: await this.kubeRef(client, cluster, address),
      policy: r.drainPolicy,
      previous,
      signal: d.signal,
      persist: (drain) => write({ drain, message: drain.message }),
    });
    d.assertDriving();
    if (out.proceed) {
      // A cancel may have come while the drain ran (minutes, maybe): look at the rollout again,
      // under its lock with the step to the apply, so a cancelled rollout applies nothing more.
      const cancelled = await d.write(async (trx) => {
        const repo = this.repo.on(trx);
        if ((await repo.lockState(r.id)) === "cancelled") {
          await repo.updateNode(r.id, node.id, { drain: out.record, message: out.record.message }, now());
          return true;
        }
        await repo.updateNode(r.id, node.id, { state: "applying", drain: out.record, message: `${out.record.message}; applying` }, now());
        return false;
      });
      if (!cancelled) return true;
      await this.leaveCancelled(d, r, { ...node, drain: out.record }, client, cluster, address, "Cancelled while its drain ran: nothing applied");
      return false;
    }
    await d.write(async (trx) => {
      await this.repo.on(trx).updateNode(r.id, node.id, { state: "drain-blocked", drain: out.record, message: out.record.message }, now());
      await this.repo.on(trx).setMessage(r.id, out.reason, now());
    });
    return false;
  }

  /** After the node is back healthy: uncordon what Minos cordoned (null when nothing was). */
  async uncordon(d: Drive, node: StoredRolloutNode, cluster: string, address: string, client: TalosClient): Promise<NodeDrain | null> {
    if (!this.kube || !node.drain?.cordoned) return null;
    d.assertDriving();
    return uncordonNode(this.kube, { ref: await this.kubeRef(client, cluster, address), record: node.drain, pollMs: this.pollMs, signal: d.signal });
  }

  /** The rollout was cancelled while this node's drain waited: uncordon it and skip it (nothing was applied). */
  async cancelBlocked(d: Drive, r: StoredRollout, node: StoredRolloutNode, client: TalosClient, cluster: string, address: string): Promise<void> {
    await this.leaveCancelled(d, r, node, client, cluster, address, "Cancelled while its drain waited for a person: nothing applied");
  }

  /** A node the cancel reached before its apply: uncordoned and skipped. */
  private async leaveCancelled(d: Drive, r: StoredRollout, node: StoredRolloutNode, client: TalosClient, cluster: string, address: string, note: string): Promise<void> {
    const drain = await this.uncordon(d, node, cluster, address, client);
    const message = `${note}${drain ? `; ${drain.message}` : ""}`;
    await d.write((trx) => this.repo.on(trx).updateNode(r.id, node.id, { state: "skipped", message, finishedAt: this.now(), ...(drain ? { drain } : {}) }, this.now()));
  }
}
