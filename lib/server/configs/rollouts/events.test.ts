/**
 * A reboot-mode rollout waits for each node to be back healthy on the node's Events stream: with
 * the fallback poll set far beyond the test's time the rollout still finishes, so the wait looked
 * because the node said something. Without a stream it polls.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { redactConfig } from "@/lib/config/redact";
import { RolloutRunner, type RolloutRunnerOptions } from "@/lib/server/configs/rollouts/runner";
import { createRollout, getRollout } from "@/lib/server/configs/rollouts/service";
import { AppError } from "@/lib/server/platform/errors";
import type { TalosClient } from "@/lib/server/talos";
import { startConfigTestFleet, type ConfigTestFleet } from "@/test/configs/fleet";
import { withHostname } from "@/test/talos/fleet";

let t: ConfigTestFleet;
let yaml: string;

beforeAll(async () => {
  t = await startConfigTestFleet({ firstAddress: "127.0.166.1", controlPlanes: 1, workers: 2, rebootSeconds: 0.3, bootSeconds: 0.2, readySeconds: 0.1, applySeconds: 0.1 });
  yaml = redactConfig(await t.runningConfig(t.ids[1]!));
}, 60_000);
afterAll(async () => {
  await t?.stop();
});

/** The admin client, counting calls per method; `events: false` makes the Events stream fail to open. */
function counted(opts: { events: boolean }) {
  const calls: Record<string, number> = {};
  const client = new Proxy(t.clients.admin, {
    get(target, prop, receiver) {
      const value: unknown = Reflect.get(target, prop, receiver);
      if (typeof value !== "function" || typeof prop !== "string") return value;
      return (...args: unknown[]) => {
        calls[prop] = (calls[prop] ?? 0) + 1;
        if (prop === "events" && !opts.events) throw new AppError("node_unreachable", "Events: connection refused");
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  }) as TalosClient;
  return { client, calls };
}

async function rollOne(id: string, hostname: string, client: TalosClient, options: Partial<RolloutRunnerOptions>) {
  const runner = new RolloutRunner({ deps: { ...t.deps, client: async () => client }, healthTimeoutMs: 30_000, ...options });
  try {
    const node = t.fleet.nodes.find((n) => n.address === t.address(id))!;
    const from = t.fleet.timeline().length;
    const r = await createRollout(t.deps, { yaml: withHostname(yaml, hostname), target: { cluster: t.fleet.clusters[0]!, nodes: [node.hostname] }, mode: "reboot", concurrency: 1, continueOnFailure: false }, "test", { runner });
    await runner.idle(r.id);
    const reboots = t.fleet.timeline().slice(from).filter((e) => e.node === node.address && e.event === "stage" && e.stage === "rebooting").length;
    return { rollout: await getRollout(t.deps, r.id), reboots };
  } finally {
    await runner.stop();
  }
}

describe("a rollout's wait for a rebooted node", () => {
  it("ends as soon as the node is back: no poll could have come (the fallback is a minute away)", async () => {
    const { client, calls } = counted({ events: true });
    const { rollout, reboots } = await rollOne(t.ids[1]!, "w-events", client, { pollMs: 60_000 });
    expect(rollout.state).toBe("done");
    expect(rollout.nodes[0]!.state).toBe("done");
    expect(reboots).toBe(1);
    expect(calls.events).toBeGreaterThanOrEqual(2);
    expect(calls.machineStatus).toBeLessThan(25);
    expect(await t.runningConfig(t.ids[1]!)).toContain("w-events");
  });

  it("polls when the node's Events stream cannot be opened", async () => {
    const { client, calls } = counted({ events: false });
    const { rollout, reboots } = await rollOne(t.ids[2]!, "w-polled", client, { pollMs: 100, eventReconnectMs: 50 });
    expect(rollout.state).toBe("done");
    expect(reboots).toBe(1);
    expect(calls.events).toBeGreaterThanOrEqual(1);
    expect(calls.machineStatus).toBeGreaterThanOrEqual(1);
  });
});
