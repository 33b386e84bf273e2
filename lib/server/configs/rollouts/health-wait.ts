import "server-only";

import type { ApplyMode } from "@/lib/schemas/configs";
import { bootIdentity, errorText, NodeEventWake, sameBoot, waitUntil, type Verdict } from "@/lib/server/jobs";
import type { TalosClient } from "@/lib/server/talos";
import type { Clock } from "@/lib/utils/clock";

export interface HealthWait {
  clock: Clock;
  /** Poll interval; with `events`, the fallback when the node's Events stream says nothing. */
  pollMs: number;
  /** Follow the node's Events stream (looks as soon as the node reports a change); null polls only. */
  events: { reconnectMs: number } | null;
  deadline: number;
  /** Ends the wait when the replica stops or loses the rollout: the next driver waits again. */
  signal: AbortSignal;
}

/** A node back healthy after its apply: rebooted when the mode reboots, then stage running and ready. */
export async function waitNodeHealthy(client: TalosClient, address: string, mode: ApplyMode, bootBefore: string | null, w: HealthWait): Promise<Verdict> {
  let rebooted = mode !== "reboot" || bootBefore === null;
  const wake = w.events ? new NodeEventWake(client, address, { clock: w.clock, reconnectMs: w.events.reconnectMs, signal: w.signal }) : undefined;
  return waitUntil({
    clock: w.clock,
    pollMs: w.pollMs,
    wake,
    deadline: w.deadline,
    signal: w.signal,
    check: async () => {
      try {
        // Both reads at once: one round trip for the look that follows the node's "ready".
        const [boot, status] = await Promise.all([rebooted ? null : bootIdentity(client, address, { like: bootBefore }), client.machineStatus(address)]);
        if (!rebooted) {
          rebooted = !sameBoot(boot!, bootBefore!);
          if (!rebooted) return { ok: false, reason: "waiting for the reboot" };
        }
        if (status.stage === "running" && status.ready) return { ok: true };
        return { ok: false, reason: `stage ${status.stage}${status.unmetConditions.length ? `, waiting for ${status.unmetConditions.map((c) => c.name).join(", ")}` : ", not ready"}` };
      } catch (e) {
        return { ok: false, reason: errorText(e) };
      }
    },
  }).finally(() => wake?.close());
}
