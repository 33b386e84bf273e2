/**
 * The drainer's treatment of single pods, over an in-memory KubeApi and a fake clock: a pod no
 * controller owns is never evicted (kubectl refuses it without --force, Talos skips it) but named
 * as blocking for a person; force deletes pods with their own grace period and waits that long.
 */
import { describe, expect, it } from "vitest";

import { createNodeDrainer, UNMANAGED_REASON } from "./drainer";
import type { KubeApi, KubePod, KubernetesAccessProvider } from "./types";

const NODE = "w-1";
const pod = (name: string, o: Partial<KubePod> = {}): KubePod => ({ namespace: "default", name, nodeName: NODE, phase: "Running", ownerKind: "ReplicaSet", mirror: false, labels: {}, images: [], ready: true, terminationGracePeriodSeconds: 30, ...o });

/** A node's pods; evictions of `refuse` pods get a 429; deleted pods go after their grace period on the fake clock. */
function fakeCluster(pods: KubePod[], refuse: string[] = []) {
  let now = 1_000_000;
  const gone = new Map<string, number>();
  const evictions: string[] = [];
  const deletes: { name: string; gracePeriodSeconds: number | undefined }[] = [];
  const live = () => pods.filter((p) => (gone.get(p.name) ?? Infinity) > now);
  const api = {
    findNode: async () => ({ name: NODE, internalIPs: ["10.0.0.2"], unschedulable: false, annotations: {}, ready: true, readyReason: null, kubeletVersion: "v1.34.1" }),
    setUnschedulable: async () => ({ name: NODE, internalIPs: ["10.0.0.2"], unschedulable: true, annotations: {}, ready: true, readyReason: null, kubeletVersion: "v1.34.1" }),
    listPods: async () => live(),
    evictPod: async (_ns: string, name: string) => {
      evictions.push(name);
      if (refuse.includes(name)) return { ok: false, status: 429, message: "Cannot evict pod as it would violate the pod's disruption budget." };
      gone.set(name, now + 1_000);
      return { ok: true };
    },
    deletePod: async (_ns: string, name: string, opts?: { gracePeriodSeconds?: number }) => {
      deletes.push({ name, gracePeriodSeconds: opts?.gracePeriodSeconds });
      const p = pods.find((x) => x.name === name)!;
      gone.set(name, Math.min(gone.get(name) ?? Infinity, now + (opts?.gracePeriodSeconds ?? p.terminationGracePeriodSeconds ?? 30) * 1000));
    },
    listPodDisruptionBudgets: async () => [{ namespace: "default", name: "pdb", matchLabels: {}, selectsNothing: false, disruptionsAllowed: 0 }],
  } as unknown as KubeApi;
  const access: KubernetesAccessProvider = { forCluster: async () => ({ ok: true, api, source: "talos" }) };
  const drainer = createNodeDrainer(access, {
    retryMs: 1_000,
    pollMs: 500,
    forceWaitMs: 30_000,
    now: () => now,
    sleep: async (ms) => void (now += Math.max(ms, 1)),
  });
  return { drainer, evictions, deletes, live, elapsed: () => now - 1_000_000 };
}

const ref = { cluster: "c", address: "10.0.0.2", hostname: NODE };

describe("drain: pods no controller owns", () => {
  it("never evicts them; names them as blocking with the reason, without waiting out the timeout; finished bare pods go as usual", async () => {
    const c = fakeCluster([pod("web-1"), pod("bare", { ownerKind: null }), pod("done", { ownerKind: null, phase: "Succeeded" }), pod("ds", { ownerKind: "DaemonSet" })]);
    const lines: string[] = [];
    const r = await c.drainer.drain(ref, { timeoutSeconds: 600, onTimeout: "halt" }, { onProgress: (l) => lines.push(l) });
    expect(c.evictions.sort()).toEqual(["done", "web-1"]);
    expect(r).toMatchObject({ outcome: "blocked", evicted: ["default/done", "default/web-1"], forced: [], ignored: ["default/ds"] });
    expect(r.blocking).toEqual([{ namespace: "default", name: "bare", pdbs: [], reason: UNMANAGED_REASON }]);
    expect(c.elapsed()).toBeLessThan(600_000);
    expect(lines).toContain("not evicting default/bare: no controller owns it");
    expect(c.live().map((p) => p.name).sort()).toEqual(["bare", "ds"]);
  });

  it("force deletes them with their own grace period and waits until they are gone", async () => {
    const c = fakeCluster([pod("web-1"), pod("bare", { ownerKind: null, terminationGracePeriodSeconds: 120 })]);
    const r = await c.drainer.drain(ref, { timeoutSeconds: 10, onTimeout: "force" });
    expect(c.evictions).toEqual(["web-1"]);
    expect(c.deletes).toEqual([{ name: "bare", gracePeriodSeconds: undefined }]);
    expect(r).toMatchObject({ outcome: "forced", forced: ["default/bare"], evicted: ["default/web-1"], blocking: [] });
    // 120 s of grace is longer than forceWaitMs (30 s): the drain still returned only once the pod was gone.
    expect(c.live().map((p) => p.name)).toEqual([]);
  });
});

describe("drain: force at the timeout", () => {
  it("deletes a pod a PDB protects with its own grace period (no gracePeriodSeconds) and waits for it", async () => {
    const c = fakeCluster([pod("pinned", { terminationGracePeriodSeconds: 90 })], ["pinned"]);
    const r = await c.drainer.drain(ref, { timeoutSeconds: 5, onTimeout: "force" });
    expect(c.deletes).toEqual([{ name: "pinned", gracePeriodSeconds: undefined }]);
    expect(r).toMatchObject({ outcome: "forced", forced: ["default/pinned"] });
    expect(c.live()).toEqual([]);
  });
});
