/**
 * Kubernetes access and the drainer against the simulated fleet: the kubeconfig comes from the
 * Kubeconfig RPC over mTLS, every Kubernetes call goes through @kubernetes/client-node to the
 * simulated API, and the simulator's timeline and dump show what happened.
 */
import { X509Certificate } from "node:crypto";

import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";

import { createCa, issueClientCert } from "@/lib/talos/pki";
import { startTestFleet, waitFor, type Role, type TestFleet } from "@/test/talos/fleet";

import { createKubeAccessProvider, type KubeAccessDeps } from "./access";
import { createNodeDrainer } from "./drainer";
import { readClusterStatus } from "./status";
import { MINOS_CORDONED_ANNOTATION, type KubeApi, type NodeRef } from "./types";

let t: TestFleet;
let cp: string;
let workers: { address: string; hostname: string }[];

beforeAll(async () => {
  t = await startTestFleet({ firstAddress: "127.0.121.1", controlPlanes: 1, workers: 3, podSeconds: 0.1 });
  cp = t.fleet.nodes.find((n) => n.role === "controlplane")!.address;
  workers = t.fleet.nodes.filter((n) => n.role === "worker").map((n) => ({ address: n.address, hostname: n.hostname }));
});

afterAll(async () => {
  await t?.stop();
});

afterEach(() => {
  t.fleet.clearFaults();
});

function deps(role: Role = "admin", controlPlanes?: string[]): KubeAccessDeps {
  return {
    uploaded: async () => null,
    uploadStamp: async () => null,
    talos: async () => ({ client: t.clients[role], controlPlanes: controlPlanes ?? [cp] }),
    now: Date.now,
  };
}

const provider = (role: Role = "admin", controlPlanes?: string[]) => createKubeAccessProvider(deps(role, controlPlanes), { callTimeoutMs: 2_000 });
const drainer = () => createNodeDrainer(provider(), { retryMs: 200, pollMs: 100, forceWaitMs: 5_000 });
const ref = (w: { address: string; hostname: string }, hostname: string | null = w.hostname): NodeRef => ({ cluster: "sim-1", address: w.address, hostname });

async function api(): Promise<KubeApi> {
  const a = await provider().forCluster("sim-1");
  if (!a.ok) throw new Error(a.message);
  return a.api;
}

/** Pods a drain must move off a node (not DaemonSet, not mirror). */
async function movablePods(nodeName: string) {
  return (await (await api()).listPods(nodeName)).filter((p) => p.ownerKind !== "DaemonSet" && !p.mirror);
}

describe("access", () => {
  it("gets the admin kubeconfig from a control plane and reaches the cluster's API with it", async () => {
    const a = await provider().forCluster("sim-1");
    expect(a).toMatchObject({ ok: true, source: "talos" });
    if (!a.ok) return;
    expect(await a.api.serverVersion()).toMatch(/^v1\.\d+\.\d+$/);
    expect((await a.api.listNodes()).map((n) => n.name)).toEqual(["sim-1-controlplane-1", ...workers.map((w) => w.hostname)]);
  });

  it("asks the next control plane when the first cannot answer (a worker refuses Kubeconfig)", async () => {
    const a = await provider("admin", [workers[0]!.address, cp]).forCluster("sim-1");
    expect(a.ok).toBe(true);
  });

  it.each(["reader", "operator"] as const)("without os:admin (%s) says no-credentials and that an admin can upload a kubeconfig", async (role) => {
    const a = await provider(role).forCluster("sim-1");
    expect(a).toMatchObject({ ok: false, access: "no-credentials" });
    expect(!a.ok && a.message).toMatch(/os:admin.*An admin can upload a kubeconfig/);
  });

  it("caches the client per cluster: one Kubeconfig call for many lookups", async () => {
    let calls = 0;
    const d = deps();
    const counting: KubeAccessDeps = {
      ...d,
      talos: async (c) => {
        const x = await d.talos(c);
        return { ...x, client: { roles: x.client.roles, kubeconfig: (n, o) => (calls++, x.client.kubeconfig(n, o)) } };
      },
    };
    const p = createKubeAccessProvider(counting);
    const [a, b] = await Promise.all([p.forCluster("sim-1"), p.forCluster("sim-1")]);
    await p.forCluster("sim-1");
    expect(a.ok && b.ok && a.api === b.api).toBe(true);
    expect(calls).toBe(1);
  });

  it("uses an uploaded kubeconfig before Talos; credentials the API refuses (401) are read again on the next lookup", async () => {
    const ca = await createCa();
    const stranger = await issueClientCert(ca, { roles: ["system:masters"], commonName: "admin" });
    const b64 = (x: string) => Buffer.from(x).toString("base64");
    const real = await t.fleet.kubernetes.kubeconfig("sim-1");
    const foreign = real.replace(/client-certificate-data: \S+/, `client-certificate-data: ${b64(stranger.certPem)}`).replace(/client-key-data: \S+/, `client-key-data: ${b64(stranger.keyPem)}`);
    let reads = 0;
    const p = createKubeAccessProvider({ ...deps("reader"), uploadStamp: async () => "t1", uploaded: async () => (reads++, { kubeconfig: foreign, uploadedAt: "t1" }) });
    const a = await p.forCluster("sim-1");
    expect(a).toMatchObject({ ok: true, source: "upload" });
    if (!a.ok) return;
    await expect(a.api.listNodes()).rejects.toMatchObject({ code: "kubernetes_unavailable", message: /refused Minos's credentials \(401\)/ });
    expect(reads).toBe(1);
    const b = await p.forCluster("sim-1");
    expect(reads).toBe(2);
    expect(b.ok && b.api !== a.api).toBe(true);
  });

  it("fetches a new kubeconfig when the cached certificate nears its expiry", async () => {
    let now = Date.now();
    let calls = 0;
    const d = deps();
    const p = createKubeAccessProvider({
      ...d,
      now: () => now,
      talos: async (c) => {
        const x = await d.talos(c);
        return { ...x, client: { roles: x.client.roles, kubeconfig: (n, o) => (calls++, x.client.kubeconfig(n, o)) } };
      },
    });
    expect((await p.forCluster("sim-1")).ok).toBe(true);
    const crt = /client-certificate-data: (\S+)/.exec(await t.fleet.kubernetes.kubeconfig("sim-1"))![1]!;
    const notAfter = new Date(new X509Certificate(Buffer.from(crt, "base64")).validTo).getTime();
    now = notAfter - 11 * 60_000;
    await p.forCluster("sim-1");
    expect(calls).toBe(1);
    now = notAfter - 9 * 60_000;
    await p.forCluster("sim-1");
    expect(calls).toBe(2);
  });

  it("remembers a failure for a while instead of asking Talos on every lookup", async () => {
    let now = Date.now();
    let calls = 0;
    const d = deps("admin", [workers[0]!.address]);
    const p = createKubeAccessProvider(
      {
        ...d,
        now: () => now,
        talos: async (c) => {
          const x = await d.talos(c);
          return { ...x, client: { roles: x.client.roles, kubeconfig: (n, o) => (calls++, x.client.kubeconfig(n, o)) } };
        },
      },
      { failureTtlMs: 30_000 },
    );
    const a = await p.forCluster("sim-1");
    expect(a).toMatchObject({ ok: false, access: "unreachable", message: /No control plane of cluster sim-1 gave a kubeconfig .*only available on control plane nodes/ });
    await p.forCluster("sim-1");
    expect(calls).toBe(1);
    now += 31_000;
    await p.forCluster("sim-1");
    expect(calls).toBe(2);
  });

  it("reports the API down as unreachable, never throwing, and the status says so", async () => {
    t.fleet.setFault({ node: cp, fault: "kube-api-down" });
    const s = await waitFor(async () => {
      const r = await readClusterStatus(provider(), "sim-1", [{ address: cp, hostname: "sim-1-controlplane-1" }], { timeoutMs: 1_000 });
      return r.cluster.access === "unreachable" ? r : undefined;
    }, 5_000);
    expect(s.cluster.message).toMatch(/Kubernetes API of cluster sim-1 cannot be reached/);
    expect(s.nodes[cp]).toMatchObject({ ready: null, nodeName: null });
    await expect(drainer().cordon(ref(workers[0]!))).rejects.toMatchObject({ code: "kubernetes_unavailable" });
  });
});

describe("status", () => {
  it("shows each Talos node's Node, Ready, kubelet version and pods; the cluster's version and skew", async () => {
    const talosNodes = t.fleet.nodes.map((n) => ({ address: n.address, hostname: n.hostname }));
    const s = await readClusterStatus(provider(), "sim-1", talosNodes, { timeoutMs: 2_000 });
    expect(s.cluster).toMatchObject({ access: "ok", source: "talos", skew: 0 });
    expect(Object.values(s.cluster.kubeletVersions).reduce((a, b) => a + b, 0)).toBe(4);
    expect(s.nodes[cp]).toMatchObject({ nodeName: "sim-1-controlplane-1", ready: true, unschedulable: false });
    expect(s.nodes[cp]!.pods).toBeGreaterThanOrEqual(3);
    expect(s.nodes[workers[0]!.address]!.kubeletVersion).toBe(s.cluster.controlPlaneVersion);
  });
});

describe("cordon and uncordon", () => {
  it("cordons with Minos's annotation, finds the node by address when the hostname is unknown, and uncordons only its own cordon when asked to", async () => {
    const w = workers[2]!;
    const d = drainer();
    expect(await d.cordon(ref(w, null))).toEqual({ node: `${w.address}@sim-1`, nodeName: w.hostname, unschedulable: true, changed: true });
    const node = (await (await api()).findNode(ref(w)))!;
    expect(node.unschedulable).toBe(true);
    expect(node.annotations[MINOS_CORDONED_ANNOTATION]).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect((await d.cordon(ref(w))).changed).toBe(false);
    expect(await d.uncordon(ref(w), { onlyIfMinos: true })).toMatchObject({ unschedulable: false, changed: true });
    const after = (await (await api()).findNode(ref(w)))!;
    expect(after.annotations[MINOS_CORDONED_ANNOTATION]).toBeUndefined();

    // Someone else's cordon: Minos does not mark it, and onlyIfMinos leaves it alone.
    await (await api()).setUnschedulable(w.hostname, true, {});
    expect((await d.cordon(ref(w))).changed).toBe(false);
    expect(await d.uncordon(ref(w), { onlyIfMinos: true })).toMatchObject({ unschedulable: true, changed: false });
    expect(await d.uncordon(ref(w))).toMatchObject({ unschedulable: false, changed: true });
    const events = t.fleet.timeline().filter((e) => e.hostname === w.hostname && (e.event === "cordon" || e.event === "uncordon"));
    expect(events.map((e) => e.event)).toEqual(["cordon", "uncordon", "cordon", "uncordon"]);
  });

  it("names the node it cannot find", async () => {
    await expect(drainer().cordon({ cluster: "sim-1", address: "127.0.121.99", hostname: "ghost" })).rejects.toMatchObject({ code: "not_found", message: /No Kubernetes node matches ghost/ });
  });
});

describe("drain", () => {
  it("cordons, evicts every pod but DaemonSet and mirror pods, waits until they are gone, and the pods move", async () => {
    const w = workers[0]!;
    const before = await movablePods(w.hostname);
    expect(before.length).toBeGreaterThan(0);
    const lines: string[] = [];
    const r = await drainer().drain(ref(w), { timeoutSeconds: 30, onTimeout: "halt" }, { onProgress: (l) => lines.push(l) });
    expect(r).toMatchObject({ node: `${w.address}@sim-1`, nodeName: w.hostname, outcome: "drained", forced: [], blocking: [] });
    expect(r.evicted).toEqual(before.map((p) => `${p.namespace}/${p.name}`).sort());
    expect(r.ignored.length).toBeGreaterThan(0);
    expect(await movablePods(w.hostname)).toEqual([]);
    expect(lines.filter((l) => l.startsWith("evicted "))).toHaveLength(before.length);
    // Replacements come up elsewhere (the simulated controllers take a moment), never on the cordoned node.
    const apps = [...new Set(before.map((p) => p.labels.app).filter((a): a is string => a !== undefined))];
    expect(apps.length).toBeGreaterThan(0);
    await waitFor(async () => {
      const all = await (await api()).listPods();
      return apps.every((app) => all.some((x) => x.labels.app === app && x.nodeName !== w.hostname && x.nodeName !== null));
    }, 10_000);
    expect(await movablePods(w.hostname)).toEqual([]);
    const timeline = t.fleet.timeline().filter((e) => e.hostname === w.hostname);
    expect(timeline.findIndex((e) => e.event === "cordon")).toBeLessThan(timeline.findIndex((e) => e.event === "evict"));
    await drainer().uncordon(ref(w), { onlyIfMinos: true });
  });

  it("halts at the timeout behind a PodDisruptionBudget, naming the pod and the PDB; force then deletes it", async () => {
    const w = workers[1]!;
    t.fleet.setFault({ node: w.hostname, fault: "pdb-blocks" });
    const r = await drainer().drain(ref(w), { timeoutSeconds: 1, onTimeout: "halt" });
    expect(r.outcome).toBe("blocked");
    expect(r.blocking).toHaveLength(1);
    expect(r.blocking[0]).toMatchObject({
      namespace: "default",
      name: expect.stringMatching(new RegExp(`^pinned-${w.hostname}-`)),
      pdbs: [`default/pinned-${w.hostname}`],
      reason: "Cannot evict pod as it would violate the pod's disruption budget.",
    });
    expect(r.forced).toEqual([]);
    // Nothing is forced by default: the pinned pod is still there.
    expect((await movablePods(w.hostname)).map((p) => p.name)).toEqual([r.blocking[0]!.name]);

    const forced = await drainer().drain(ref(w), { timeoutSeconds: 1, onTimeout: "force" });
    expect(forced).toMatchObject({ outcome: "forced", forced: [`default/${r.blocking[0]!.name}`], blocking: [] });
    expect(await movablePods(w.hostname)).toEqual([]);
    await drainer().uncordon(ref(w), { onlyIfMinos: true });
  });

  it("stops when the caller aborts", async () => {
    const w = workers[1]!;
    t.fleet.setFault({ node: w.hostname, fault: "pdb-blocks" });
    await waitFor(async () => (await movablePods(w.hostname)).length > 0, 5_000);
    const ac = new AbortController();
    setTimeout(() => ac.abort(new Error("caller went away")), 300);
    await expect(drainer().drain(ref(w), { timeoutSeconds: 60, onTimeout: "halt" }, { signal: ac.signal })).rejects.toThrow(/caller went away/);
    await drainer().uncordon(ref(w), { onlyIfMinos: true });
  });
});
