/**
 * The simulated Kubernetes API through the official client (@kubernetes/client-node), with the
 * kubeconfig the Kubeconfig RPC hands out: the paths and shapes are the real ones.
 */
import { execFileSync } from "node:child_process";
import https from "node:https";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";

import * as k8s from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { Clients, codeOf, collect, credentialsOf, getJson, md, readTalosconfig, waitFor } from "@/test/simulator/helpers";
import { type Fleet, startFleet } from "../fleet";
import { issueLeaf } from "../../talos/pki";
import { parseSecretsBundle } from "../../talos/secrets/bundle";

// 127.0.41.x: this file's own node addresses (its API is on 127.64.41.1:6443).
const CP1 = "127.0.41.1";
const W1 = "127.0.41.2";

let fleet: Fleet;
let stateDir: string;
let admin: Clients;
let kubeconfigText: string;
let kc: k8s.KubeConfig;
let core: k8s.CoreV1Api;
let policy: k8s.PolicyV1Api;

beforeAll(async () => {
  stateDir = await mkdtemp(path.join(os.tmpdir(), "minos-sim-k8s-"));
  fleet = await startFleet({ controlPlanes: 1, workers: 3, stateDir, firstAddress: CP1, controlPort: 0, podSeconds: 0.1, readySeconds: 0.05, bootSeconds: 0.1, rebootSeconds: 0.2, applySeconds: 0.02 });
  const a = await readTalosconfig(fleet.talosconfig.admin);
  admin = new Clients(a.endpoints[0]!, credentialsOf(a));
  const chunks = await collect(admin.machine.kubeconfig({}, md()));
  const tgz = Buffer.concat(chunks.map((c) => c.bytes));
  // Read with the system tar, not our own code: the archive must be a real tar.gz.
  kubeconfigText = execFileSync("tar", ["-xzO", "kubeconfig"], { input: tgz }).toString("utf8");
  kc = new k8s.KubeConfig();
  kc.loadFromString(kubeconfigText);
  core = kc.makeApiClient(k8s.CoreV1Api);
  policy = kc.makeApiClient(k8s.PolicyV1Api);
});

afterAll(async () => {
  admin?.close();
  await fleet?.stop();
  await rm(stateDir, { recursive: true, force: true });
});

const status = async (p: Promise<unknown>) => {
  try {
    await p;
    return { code: 0, body: undefined as unknown };
  } catch (e) {
    const err = e as { code?: number; body?: string };
    return { code: err.code ?? -1, body: typeof err.body === "string" ? JSON.parse(err.body) : err.body };
  }
};

describe("Kubeconfig RPC", () => {
  it("returns Talos's admin kubeconfig for this cluster's simulated API", async () => {
    expect(kc.getCurrentContext()).toBe("admin@sim-1");
    expect(kc.getCurrentCluster()).toMatchObject({ name: "sim-1", server: "https://127.64.41.1:6443" });
    expect(kc.getCurrentUser()?.name).toBe("admin@sim-1");
    expect(kubeconfigText).toMatch(/^apiVersion: v1\nclusters:\n/);
    const crt = new (await import("node:crypto")).X509Certificate(Buffer.from(kc.getCurrentUser()!.certData!, "base64"));
    expect(crt.subject).toContain("CN=admin");
    expect(crt.subject).toContain("O=system:masters");
    expect(crt.checkIssued(new (await import("node:crypto")).X509Certificate(fleet.kubernetes.caPem("sim-1")))).toBe(true);
  });

  it("is refused on a worker (Talos: only on control planes) and to a reader", async () => {
    expect((await codeOf(collect(admin.machine.kubeconfig({}, md(W1)))))).toMatchObject({ code: 12, details: "kubeconfig is only available on control plane nodes" });
    const r = await readTalosconfig(fleet.talosconfig.reader);
    const reader = new Clients(r.endpoints[0]!, credentialsOf(r));
    try {
      expect((await codeOf(collect(reader.machine.kubeconfig({}, md())))).code).toBe(7);
    } finally {
      reader.close();
    }
  });
});

describe("core/v1", () => {
  it("answers /version with the API server image's version", async () => {
    const v = await kc.makeApiClient(k8s.VersionApi).getCode();
    expect(v.gitVersion).toMatch(/^v1\.\d+\.\d+$/);
  });

  it("lists one Ready Node per Talos node with its InternalIP and kubelet version", async () => {
    const list = await core.listNode();
    expect(list.items.map((n) => n.metadata?.name)).toEqual(["sim-1-controlplane-1", "sim-1-worker-1", "sim-1-worker-2", "sim-1-worker-3"]);
    const w1 = await core.readNode({ name: "sim-1-worker-1" });
    expect(w1.status?.addresses).toContainEqual({ type: "InternalIP", address: W1 });
    expect(w1.status?.conditions?.find((c) => c.type === "Ready")).toMatchObject({ status: "True", reason: "KubeletReady" });
    expect(w1.status?.nodeInfo?.kubeletVersion).toMatch(/^v1\.\d+\.\d+$/);
    expect((await status(core.readNode({ name: "nope" })))).toMatchObject({ code: 404, body: { kind: "Status", reason: "NotFound", message: 'nodes "nope" not found', details: { name: "nope", kind: "nodes" } } });
  });

  it("cordons with a strategic merge patch and uncordons with a JSON merge patch", async () => {
    const opts = (type: string) => k8s.setHeaderOptions("Content-Type", type);
    const cordoned = await core.patchNode({ name: "sim-1-worker-3", body: { spec: { unschedulable: true }, metadata: { annotations: { "minos.dev/cordoned": "t" } } } }, opts(k8s.PatchStrategy.StrategicMergePatch));
    expect(cordoned.spec?.unschedulable).toBe(true);
    // The node controller adds the taint after the write, as in a real cluster.
    await waitFor(async () => (await core.readNode({ name: "sim-1-worker-3" })).spec?.taints?.some((t) => t.key === "node.kubernetes.io/unschedulable" && t.effect === "NoSchedule"), { what: "unschedulable taint" });
    expect(cordoned.metadata?.annotations?.["minos.dev/cordoned"]).toBe("t");
    const un = await core.patchNode({ name: "sim-1-worker-3", body: { spec: { unschedulable: null }, metadata: { annotations: { "minos.dev/cordoned": null } } } }, opts(k8s.PatchStrategy.MergePatch));
    expect(un.spec?.unschedulable).toBeUndefined();
    expect(un.metadata?.annotations?.["minos.dev/cordoned"]).toBeUndefined();
    // The client's default is a JSON patch (RFC 6902).
    const j = await core.patchNode({ name: "sim-1-worker-3", body: [{ op: "add", path: "/spec/unschedulable", value: false }] });
    expect(j.spec?.unschedulable).toBe(false);
    const events = fleet.timeline().filter((e) => e.hostname === "sim-1-worker-3" && (e.event === "cordon" || e.event === "uncordon"));
    expect(events.map((e) => e.event)).toEqual(["cordon", "uncordon"]);
  });

  it("lists pods per node with fieldSelector, mirror pods on control planes", async () => {
    const onCp = await core.listPodForAllNamespaces({ fieldSelector: "spec.nodeName=sim-1-controlplane-1" });
    const names = onCp.items.map((p) => `${p.metadata?.namespace}/${p.metadata?.name}`);
    expect(names).toEqual(expect.arrayContaining(["kube-system/kube-apiserver-sim-1-controlplane-1", "kube-system/kube-controller-manager-sim-1-controlplane-1", "kube-system/kube-scheduler-sim-1-controlplane-1"]));
    const api = onCp.items.find((p) => p.metadata?.name === "kube-apiserver-sim-1-controlplane-1")!;
    expect(api.metadata?.annotations?.["kubernetes.io/config.mirror"]).toBeTruthy();
    expect(api.metadata?.ownerReferences?.[0]).toMatchObject({ kind: "Node", name: "sim-1-controlplane-1" });
    expect(api.spec?.containers[0]?.image).toMatch(/^registry\.k8s\.io\/kube-apiserver:v1\./);
    const all = await core.listPodForAllNamespaces();
    expect(all.items.every((p) => p.status?.phase === "Running")).toBe(true);
    expect((await status(core.listPodForAllNamespaces({ fieldSelector: "spec.bogus=x" })))).toMatchObject({ code: 400, body: { reason: "BadRequest", message: "field label not supported: spec.bogus" } });
  });
});

describe("eviction and PodDisruptionBudgets", () => {
  it("evicts while the budget allows, answers 429 with the DisruptionBudget cause when it does not, and the pods move", async () => {
    const pdbs = await policy.listPodDisruptionBudgetForAllNamespaces();
    expect(pdbs.items.map((b) => `${b.metadata?.namespace}/${b.metadata?.name}:${b.status?.disruptionsAllowed}`)).toEqual(["default/api:1", "default/web:1"]);
    const web = (await core.listNamespacedPod({ namespace: "default", labelSelector: "app=web" })).items;
    expect(web).toHaveLength(3);
    const [first, second] = web;
    await core.createNamespacedPodEviction({ name: first!.metadata!.name!, namespace: "default", body: { metadata: { name: first!.metadata!.name!, namespace: "default" } } });
    const refused = await status(core.createNamespacedPodEviction({ name: second!.metadata!.name!, namespace: "default", body: { metadata: { name: second!.metadata!.name!, namespace: "default" } } }));
    expect(refused).toMatchObject({
      code: 429,
      body: { kind: "Status", reason: "TooManyRequests", message: "Cannot evict pod as it would violate the pod's disruption budget.", details: { causes: [{ reason: "DisruptionBudget", message: "The disruption budget web needs 2 healthy pods and has 2 currently" }] } },
    });
    // The controller replaces the evicted pod; once it is Ready the budget allows one again.
    await waitFor(async () => {
      const b = await policy.readNamespacedPodDisruptionBudget({ name: "web", namespace: "default" });
      return b.status?.disruptionsAllowed === 1 && b.status.currentHealthy === 3;
    }, { what: "web back to 3 healthy" });
    const gone = await status(core.readNamespacedPod({ name: first!.metadata!.name!, namespace: "default" }));
    expect(gone.code).toBe(404);
    const kinds = fleet.timeline().filter((e) => e.event === "evict" || e.event === "evict-blocked").map((e) => e.event);
    expect(kinds).toEqual(["evict", "evict-blocked"]);
  });

  it("pdb-blocks pins a pod behind default/pinned-<hostname> that never allows an eviction", async () => {
    fleet.setFault({ node: "sim-1-worker-2", fault: "pdb-blocks" });
    const pods = (await core.listPodForAllNamespaces({ fieldSelector: "spec.nodeName=sim-1-worker-2", labelSelector: "app=pinned-sim-1-worker-2" })).items;
    expect(pods).toHaveLength(1);
    const r = await status(core.createNamespacedPodEviction({ name: pods[0]!.metadata!.name!, namespace: "default", body: {} }));
    expect(r).toMatchObject({ code: 429, body: { details: { causes: [{ message: "The disruption budget pinned-sim-1-worker-2 needs 1 healthy pods and has 1 currently" }] } } });
    fleet.clearFaults("sim-1-worker-2");
    expect((await policy.listNamespacedPodDisruptionBudget({ namespace: "default" })).items.map((b) => b.metadata?.name)).toEqual(["api", "web"]);
  });
});

describe("control API", () => {
  it("GET /kubernetes?cluster= dumps nodes, pods, PDBs and workloads; 404 for an unknown cluster", async () => {
    const dump = await getJson<{ url: string; nodes: { metadata: { name: string } }[]; pods: unknown[]; poddisruptionbudgets: { metadata: { name: string } }[]; deployments: unknown[]; daemonsets: unknown[] }>(`${fleet.controlUrl}/kubernetes?cluster=sim-1`);
    expect(dump.status).toBe(200);
    expect(dump.body.url).toBe(fleet.kubernetes.url("sim-1"));
    expect(dump.body.nodes).toHaveLength(4);
    expect(dump.body.poddisruptionbudgets.map((b) => b.metadata.name)).toEqual(["api", "web"]);
    expect(dump.body.daemonsets).toHaveLength(2);
    expect((await getJson(`${fleet.controlUrl}/kubernetes?cluster=nope`)).status).toBe(404);
    expect((await getJson(`${fleet.controlUrl}/kubernetes`)).status).toBe(400);
  });
});

describe("authentication and faults", () => {
  it("refuses a client without a certificate of the cluster's CA (401 Status)", async () => {
    const bare = new k8s.KubeConfig();
    bare.loadFromOptions({
      clusters: [{ name: "c", server: fleet.kubernetes.url("sim-1"), caData: Buffer.from(fleet.kubernetes.caPem("sim-1")).toString("base64") }],
      users: [{ name: "u" }],
      contexts: [{ name: "x", cluster: "c", user: "u" }],
      currentContext: "x",
    });
    expect((await status(bare.makeApiClient(k8s.CoreV1Api).listNode())).code).toBe(401);
    // The generated client drops a 401's body: read it directly.
    const body = await new Promise<{ status: number; json: unknown }>((resolve, reject) => {
      const req = https.get(`${fleet.kubernetes.url("sim-1")}/api/v1/nodes`, { ca: fleet.kubernetes.caPem("sim-1") }, (res) => {
        let text = "";
        res.on("data", (c: Buffer) => (text += c.toString()));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(text) }));
      });
      req.on("error", reject);
    });
    expect(body).toEqual({ status: 401, json: { kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message: "Unauthorized", reason: "Unauthorized", code: 401 } });
  });

  it("refuses a certificate of the cluster's CA outside system:masters (403 Status; RBAC is not simulated)", async () => {
    const bundle = parseSecretsBundle(await readFile(path.join(stateDir, "cluster-sim-1-secrets.yaml"), "utf8"), "secrets");
    const viewer = await issueLeaf({ certPem: bundle.certs.k8s.crt, keyPem: bundle.certs.k8s.key }, { commonName: "viewer", organizations: ["viewers"], validHours: 1, extKeyUsage: ["clientAuth"] });
    const other = new k8s.KubeConfig();
    other.loadFromOptions({
      clusters: [{ name: "c", server: fleet.kubernetes.url("sim-1"), caData: Buffer.from(fleet.kubernetes.caPem("sim-1")).toString("base64") }],
      users: [{ name: "u", certData: Buffer.from(viewer.certPem).toString("base64"), keyData: Buffer.from(viewer.keyPem).toString("base64") }],
      contexts: [{ name: "x", cluster: "c", user: "u" }],
      currentContext: "x",
    });
    const r = await status(other.makeApiClient(k8s.CoreV1Api).listNode());
    expect(r).toMatchObject({ code: 403, body: { kind: "Status", reason: "Forbidden", message: 'forbidden: User "viewer" cannot get path "/api/v1/nodes"' } });
  });

  it("kube-api-down closes the listener until cleared", async () => {
    fleet.setFault({ node: W1, fault: "kube-api-down" });
    const r = await waitFor(async () => {
      const x = await status(core.listNode());
      return x.code !== 0 ? x : undefined;
    }, { what: "refused" });
    expect(String((r.body as unknown) ?? "")).not.toContain("Status");
    fleet.clearFaults(W1);
    await waitFor(async () => (await status(core.listNode())).code === 0 || undefined, { what: "back" });
  });
});
