import { describe, expect, it } from "vitest";

import { clusterStatusFrom, minorOf, readClusterStatus, startKubernetesStatusJob, unavailableStatus, type KubernetesClusterStatus } from "./status";
import { isIgnoredByDrain, pdbsForPod } from "./drainer";
import type { KubeNode, KubePdb, KubePod, KubernetesAccessProvider } from "./types";

const node = (name: string, ip: string, o: Partial<KubeNode> = {}): KubeNode => ({
  name,
  internalIPs: [ip],
  unschedulable: false,
  annotations: {},
  ready: true,
  readyReason: null,
  kubeletVersion: "v1.34.1",
  ...o,
});
const pod = (name: string, nodeName: string, phase = "Running"): KubePod => ({ namespace: "default", name, nodeName, phase, ownerKind: "ReplicaSet", mirror: false, labels: {}, images: [], ready: true });
const NOW = new Date("2026-01-01T00:00:00Z");

describe("clusterStatusFrom", () => {
  it("matches Talos nodes by hostname, else by address; counts running and pending pods; reports versions and skew", () => {
    const s = clusterStatusFrom(
      {
        version: "v1.34.1",
        source: "talos",
        nodes: [
          node("cp-1", "10.0.0.1"),
          node("custom-name", "10.0.0.2", { kubeletVersion: "v1.32.3", unschedulable: true, annotations: { "minos.dev/cordoned": "x" } }),
          node("w-2", "10.0.0.3", { ready: false, readyReason: "KubeletNotReady: PLEG is not healthy" }),
        ],
        pods: [pod("a", "cp-1"), pod("b", "custom-name", "Pending"), pod("c", "custom-name", "Succeeded"), pod("d", "custom-name")],
      },
      [
        { address: "10.0.0.1", hostname: "cp-1" },
        { address: "10.0.0.2", hostname: "w-1" },
        { address: "10.0.0.3", hostname: "w-2" },
        { address: "10.0.0.9", hostname: "w-9" },
      ],
      NOW,
    );
    expect(s.cluster).toEqual({ access: "ok", message: null, source: "talos", controlPlaneVersion: "v1.34.1", kubeletVersions: { "v1.34.1": 2, "v1.32.3": 1 }, skew: 2, checkedAt: NOW.toISOString() });
    expect(s.nodes["10.0.0.1"]).toMatchObject({ nodeName: "cp-1", ready: true, pods: 1, cordonedByMinos: false });
    expect(s.nodes["10.0.0.2"]).toMatchObject({ nodeName: "custom-name", unschedulable: true, cordonedByMinos: true, pods: 2, kubeletVersion: "v1.32.3" });
    expect(s.nodes["10.0.0.3"]).toMatchObject({ ready: false, readyReason: "KubeletNotReady: PLEG is not healthy", pods: 0 });
    expect(s.nodes["10.0.0.9"]).toMatchObject({ nodeName: null, ready: null, pods: null });
  });

  it("when the pod listing stopped at the cap, shows no pod counts (they would be low) and says why", () => {
    const s = clusterStatusFrom({ version: "v1.34.1", source: "talos", nodes: [node("cp-1", "10.0.0.1")], pods: [pod("a", "cp-1")], podsTruncated: true }, [{ address: "10.0.0.1", hostname: "cp-1" }], NOW);
    expect(s.cluster.access).toBe("ok");
    expect(s.cluster.message).toMatch(/more than 5000 unfinished pods.*pod counts are not shown/);
    expect(s.nodes["10.0.0.1"]).toMatchObject({ nodeName: "cp-1", ready: true, pods: null });
  });

  it("minorOf reads v1.x versions only", () => {
    expect([minorOf("v1.34.1"), minorOf("1.30"), minorOf("v2.0.0"), minorOf(null)]).toEqual([34, 30, null, null]);
  });
});

describe("readClusterStatus", () => {
  const talosNodes = [{ address: "10.0.0.1", hostname: "cp-1" }];

  it("says why when there is no access, with every node unknown", async () => {
    const access: KubernetesAccessProvider = { forCluster: async () => ({ ok: false, access: "no-credentials", message: "upload a kubeconfig" }) };
    const s = await readClusterStatus(access, "c", talosNodes, { timeoutMs: 100, now: () => NOW });
    expect(s).toEqual(unavailableStatus("no-credentials", "upload a kubeconfig", null, talosNodes, NOW));
    expect(s.nodes["10.0.0.1"]!.ready).toBeNull();
  });

  it("turns a failing API into an unreachable status instead of throwing", async () => {
    const fail = () => Promise.reject(new Error("connect ECONNREFUSED"));
    const api = { serverVersion: fail, listNodes: fail, listPods: fail } as unknown as import("./types").KubeApi;
    const access: KubernetesAccessProvider = { forCluster: async () => ({ ok: true, api, source: "upload" }) };
    const s = await readClusterStatus(access, "c", talosNodes, { timeoutMs: 100, now: () => NOW });
    expect(s.cluster).toMatchObject({ access: "unreachable", message: "connect ECONNREFUSED", source: "upload" });
  });
});

describe("readClusterStatus with a capped pod listing", () => {
  it("passes the listing's truncated mark on to the status", async () => {
    const api = {
      serverVersion: async () => "v1.34.1",
      listNodes: async () => [node("cp-1", "10.0.0.1")],
      listPods: async () => Object.assign([pod("a", "cp-1")], { truncated: true }),
    } as unknown as import("./types").KubeApi;
    const access: KubernetesAccessProvider = { forCluster: async () => ({ ok: true, api, source: "talos" }) };
    const s = await readClusterStatus(access, "c", [{ address: "10.0.0.1", hostname: "cp-1" }], { timeoutMs: 100, now: () => NOW });
    expect(s.cluster.message).toMatch(/more than 5000 unfinished pods/);
    expect(s.nodes["10.0.0.1"]!.pods).toBeNull();
  });
});

describe("startKubernetesStatusJob", () => {
  it("a refresh asked for during a read runs a new read after it (the read in flight may predate the change)", async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let reads = 0;
    let cordoned = false;
    const api = {
      serverVersion: async () => "v1.34.1",
      listNodes: async () => {
        const n = ++reads;
        const unschedulable = cordoned;
        if (n === 1) await gate;
        return [node("w-1", "10.0.0.2", { unschedulable })];
      },
      listPods: async () => [],
    } as unknown as import("./types").KubeApi;
    const access: KubernetesAccessProvider = { forCluster: async () => ({ ok: true, api, source: "talos" }) };
    const seen: KubernetesClusterStatus[] = [];
    const job = startKubernetesStatusJob(
      access,
      { clusterNames: () => ["c"], talosNodes: () => [{ address: "10.0.0.2", hostname: "w-1" }], setClusterKubernetes: (_, s) => seen.push(s) },
      { intervalMs: 3_600_000 },
    );
    try {
      // The first tick's read is in flight; the node is cordoned now, then the status refreshed.
      await new Promise((r) => setTimeout(r, 10));
      cordoned = true;
      const done = job.refresh("c");
      release();
      await done;
      expect(reads).toBe(2);
      expect(seen.at(-1)!.nodes["10.0.0.2"]!.unschedulable).toBe(true);
    } finally {
      job.stop();
    }
  });
});

describe("pdbsForPod", () => {
  const p: KubePod = { ...pod("web-1", "w-1"), labels: { app: "web", tier: "front" } };
  const pdb = (name: string, matchLabels: Record<string, string>, o: Partial<KubePdb> = {}): KubePdb => ({ namespace: "default", name, matchLabels, disruptionsAllowed: 0, ...o });

  it("names the budgets whose labels the pod has, in its namespace; an empty selector covers all, a missing one none", () => {
    const budgets = [pdb("web", { app: "web" }), pdb("all", {}), pdb("none", {}, { selectsNothing: true }), pdb("api", { app: "api" }), pdb("web", { app: "web" }, { namespace: "other" })];
    expect(pdbsForPod(p, budgets)).toEqual(["default/all", "default/web"]);
  });

  it("leaves DaemonSet and mirror pods to the node, as kubectl drain does", () => {
    expect([isIgnoredByDrain(p), isIgnoredByDrain({ ...p, ownerKind: "DaemonSet" }), isIgnoredByDrain({ ...p, mirror: true, ownerKind: "Node" })]).toEqual([false, true, true]);
  });
});
