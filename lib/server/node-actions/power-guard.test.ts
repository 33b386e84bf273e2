/**
 * The quorum guard across actions, against the simulator (reboots slow enough to be seen in
 * flight): two control-plane reboots sent together take turns on the cluster's power lease, so
 * one is refused (409, etcd-quorum); a reboot sent right after another control plane's reboot
 * was accepted counts that one out until it booted again, then goes through. Workers are not
 * held by the lease.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { runNodeAction, type NodeActionDeps } from "@/lib/server/node-actions";
import { etcdFacts } from "@/lib/server/upgrades/probes";
import { startConfigTestFleet, type ConfigTestFleet } from "@/test/configs/fleet";
import { rejection, waitFor } from "@/test/talos/fleet";

import { downMarks, takePowerLease } from "./power-guard";

const operator = { label: "user:olga", role: "operator" as const };
const noDrain = {
  enabled: false,
  timeoutSeconds: 60,
  onTimeout: "halt" as const,
};

let t: ConfigTestFleet;
let deps: NodeActionDeps;
let cluster: string;

beforeAll(async () => {
  t = await startConfigTestFleet({
    firstAddress: "127.0.245.1",
    controlPlanes: 3,
    workers: 1,
    rebootSeconds: 3,
    bootSeconds: 0.5,
  });
  cluster = t.fleet.clusters[0]!;
  deps = t.deps;
}, 60_000);

afterAll(async () => {
  await t?.stop();
});

const cps = () => t.fleet.nodes.filter((n) => n.role === "controlplane");
const idOf = (n: { address: string }) => t.idOf(n.address);
const running = (address: string) => waitFor(async () => (await t.clients.admin.machineStatus(address).catch(() => null))?.stage === "running" || undefined, 30_000, 100);
const etcdHealthy = () =>
  waitFor(
    async () => {
      const e = await etcdFacts(
        t.clients.admin,
        cps().map((n) => ({
          id: idOf(n),
          address: n.address,
          hostname: n.hostname,
          role: "controlplane" as const,
          version: null,
          reachable: true,
        })),
        { timeoutMs: 2_000 },
      );
      return e.healthy.length === cps().length && e.leader !== null ? e : undefined;
    },
    30_000,
    100,
  );

describe("control-plane power actions take turns", () => {
  it("two reboots sent together: one goes, the other is refused with the quorum reason", async () => {
    await etcdHealthy();
    const [a, b] = cps();
    const outcomes = await Promise.allSettled([
      runNodeAction(deps, idOf(a!), { kind: "reboot", drain: noDrain }, { actor: operator }),
      runNodeAction(deps, idOf(b!), { kind: "reboot", drain: noDrain }, { actor: operator }),
    ]);
    const ok = outcomes.filter((o) => o.status === "fulfilled");
    const refused = outcomes.flatMap((o) =>
      o.status === "rejected"
        ? [
            o.reason as Error & {
              code?: string;
              details?: Record<string, unknown>;
            },
          ]
        : [],
    );
    expect(ok).toHaveLength(1);
    expect(refused).toHaveLength(1);
    expect(refused[0]).toMatchObject({
      code: "conflict",
      details: { reason: "etcd-quorum" },
    });
    expect(refused[0]!.message).toMatch(/etcd quorum/);
    const sent = outcomes[0]!.status === "fulfilled" ? a! : b!;
    await running(sent.address);
    await etcdHealthy();
  }, 60_000);

  it("a reboot right after another control plane's was accepted is refused until that node is back", async () => {
    await etcdHealthy();
    const [, b, c] = cps();
    const r = await runNodeAction(deps, idOf(b!), { kind: "reboot", drain: noDrain }, { actor: operator });
    expect(r.role).toBe("controlplane");
    expect((await downMarks(deps.db, cluster, Date.now())).map((m) => m.address)).toEqual([b!.address]);

    const e = await rejection(runNodeAction(deps, idOf(c!), { kind: "reboot", drain: noDrain }, { actor: operator }));
    expect(e).toMatchObject({
      code: "conflict",
      details: { reason: "etcd-quorum" },
    });
    expect(e.message).toMatch(new RegExp(`^rebooting ${c!.hostname} would break etcd quorum: 2 of 3 members are healthy \\(${b!.hostname} not\\)`));
    expect(e.message).toContain(`${b!.hostname} was sent a reboot by user:olga`);
    expect(e.message).toContain("has not booted since");

    // Back (booted again, etcd healthy): the next control plane may go, and b's mark is gone.
    await running(b!.address);
    await etcdHealthy();
    const r2 = await runNodeAction(deps, idOf(c!), { kind: "reboot", drain: noDrain }, { actor: operator });
    expect(r2.role).toBe("controlplane");
    expect((await downMarks(deps.db, cluster, Date.now())).map((m) => m.address)).toEqual([c!.address]);
    await running(c!.address);
  }, 60_000);

  it("the lease is the cluster's, in the database: held elsewhere, a control plane's reboot is refused, a worker's is not", async () => {
    await etcdHealthy();
    const other = await takePowerLease(deps.db, cluster, "reboot of elsewhere by user:ada");
    if (!("held" in other)) throw new Error("lease not free");
    try {
      const e = await rejection(runNodeAction(deps, idOf(cps()[0]!), { kind: "reboot", drain: noDrain }, { actor: operator }));
      expect(e).toMatchObject({
        code: "conflict",
        details: { reason: "etcd-quorum" },
      });
      expect(e.message).toContain("(reboot of elsewhere by user:ada)");
      const w = t.fleet.nodes.find((n) => n.role === "worker")!;
      const r = await runNodeAction(deps, idOf(w), { kind: "reboot", drain: noDrain }, { actor: operator });
      expect(r.role).toBe("worker");
      await running(w.address);
    } finally {
      await other.held.release();
    }
  }, 60_000);
});
