/**
 * The Kubernetes routes end to end through their handlers and the process wiring (talosconfig →
 * fleet poller → Kubernetes access → simulated API): cordon, uncordon, drain (409 when a PDB
 * blocks), the uploaded kubeconfig (checked, sealed, audited without content), and the status in
 * GET /api/nodes, which a dead Kubernetes API never breaks.
 */
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";

import { errorEnvelopeSchema } from "@/lib/schemas/error";
import { nodesResponseSchema } from "@/lib/schemas/fleet";
import { cordonResultSchema, drainResultSchema, kubeconfigInfoSchema } from "@/lib/schemas/kubernetes";
import type { Role } from "@/lib/schemas/auth";
import { getDb } from "@/lib/server/platform/db/db";
import { getFleetPoller, stopFleetPoller } from "@/lib/server/fleet/service";
import { authedRequest } from "@/test/auth/credentials";
import { startTestFleet, waitFor, type TestFleet } from "@/test/talos/fleet";

import { env } from "@/lib/server/platform/env";
import { getSecretBox } from "@/lib/server/platform/secret-box";

import { getKubernetesStatusSource, startKubernetesStatus } from "./deps";
import { parseKubeconfig } from "./kubeconfig";
import { getKubeconfig, putKubeconfig } from "./kubeconfigs";
import { dropKubeconfigsOfRemovedClusters } from "./service";

let t: TestFleet;
let dir: string;
let stopStatus: () => void;
let worker: { address: string; hostname: string };
let pinned: { address: string; hostname: string };
let routes: {
  nodes: typeof import("@/app/api/nodes/route");
  cordon: typeof import("@/app/api/nodes/[node]/cordon/route");
  uncordon: typeof import("@/app/api/nodes/[node]/uncordon/route");
  drain: typeof import("@/app/api/nodes/[node]/drain/route");
  kubeconfig: typeof import("@/app/api/clusters/[cluster]/kubeconfig/route");
};

beforeAll(async () => {
  t = await startTestFleet({ firstAddress: "127.0.122.1", controlPlanes: 1, workers: 2, podSeconds: 0.1 });
  const ws = t.fleet.nodes.filter((n) => n.role === "worker").map((n) => ({ address: n.address, hostname: n.hostname }));
  worker = ws[0]!;
  pinned = ws[1]!;
  dir = await mkdtemp(path.join(os.tmpdir(), "minos-kube-routes-"));
  process.env.TALOSCONFIG = t.fleet.talosconfig.admin;
  process.env.MINOS_STATE_DIR = dir;
  process.env.MINOS_DB = path.join(dir, "minos.db");
  getFleetPoller({ intervalMs: 500, callTimeoutMs: 1_000, publishDelayMs: 20 });
  stopStatus = startKubernetesStatus();
  routes = {
    nodes: await import("@/app/api/nodes/route"),
    cordon: await import("@/app/api/nodes/[node]/cordon/route"),
    uncordon: await import("@/app/api/nodes/[node]/uncordon/route"),
    drain: await import("@/app/api/nodes/[node]/drain/route"),
    kubeconfig: await import("@/app/api/clusters/[cluster]/kubeconfig/route"),
  };
}, 60_000);

afterAll(async () => {
  stopStatus?.();
  await stopFleetPoller();
  await t?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const req = (p: string, method = "GET", body?: unknown, role: Role = "operator") =>
  authedRequest(`http://minos.test${p}`, { method, headers: body === undefined ? {} : { "content-type": "application/json" }, body: body === undefined ? undefined : JSON.stringify(body) }, role);
const nodeParams = (address: string) => ({ params: Promise.resolve({ node: `${address}@sim-1` }) });
const clusterParams = (cluster = "sim-1") => ({ params: Promise.resolve({ cluster }) });
const envelope = async (res: Response) => errorEnvelopeSchema.parse(await res.json()).error;
const audit = async (action: string) => getDb().selectFrom("audit_log").selectAll().where("action", "=", action).orderBy("id").execute();

async function nodes() {
  const res = await routes.nodes.GET(await req("/api/nodes", "GET", undefined, "viewer"));
  expect(res.status).toBe(200);
  return nodesResponseSchema.parse(await res.json());
}

describe("status in GET /api/nodes", () => {
  it("shows each node's Kubernetes status, its kubelet as kubernetesVersion, and the cluster's access and version", async () => {
    const snap = await waitFor(async () => {
      const s = await nodes();
      return s.nodes.length === 3 && s.nodes.every((n) => n.kubernetes?.ready === true) ? s : undefined;
    }, 15_000);
    const w = snap.nodes.find((n) => n.address === worker.address)!;
    expect(w.kubernetes).toMatchObject({ nodeName: worker.hostname, ready: true, unschedulable: false, cordonedByMinos: false });
    expect(w.kubernetes!.pods).toBeGreaterThan(0);
    expect(w.kubernetesVersion).toMatch(/^v1\.\d+\.\d+$/);
    expect(snap.clusters[0]!.kubernetes).toMatchObject({ access: "ok", source: "talos", skew: 0, controlPlaneVersion: w.kubernetesVersion });
    // Runners read the same status without asking Kubernetes.
    expect(getKubernetesStatusSource().node({ cluster: "sim-1", address: worker.address, hostname: null })).toMatchObject({ nodeName: worker.hostname, ready: true });
    expect(getKubernetesStatusSource().cluster("sim-1").access).toBe("ok");
    expect(getKubernetesStatusSource().cluster("nowhere").access).toBe("unknown");
  });
});

describe("cordon and uncordon", () => {
  it("cordons and uncordons through the routes, audited, and the status follows at once", async () => {
    const res = await routes.cordon.POST(await req(`/api/nodes/${worker.address}@sim-1/cordon`, "POST"), nodeParams(worker.address));
    expect(res.status).toBe(200);
    expect(cordonResultSchema.parse(await res.json())).toEqual({ node: `${worker.address}@sim-1`, nodeName: worker.hostname, unschedulable: true, changed: true });
    const s = await nodes();
    expect(s.nodes.find((n) => n.address === worker.address)!.kubernetes).toMatchObject({ unschedulable: true, cordonedByMinos: true });

    const un = await routes.uncordon.POST(await req(`/api/nodes/${worker.address}@sim-1/uncordon`, "POST"), nodeParams(worker.address));
    expect(cordonResultSchema.parse(await un.json())).toMatchObject({ unschedulable: false, changed: true });
    expect((await audit("node.cordon")).at(-1)).toMatchObject({ actor: expect.stringMatching(/^(user|token):/), target: `${worker.address}@sim-1`, result: "ok" });
    expect((await audit("node.uncordon")).at(-1)).toMatchObject({ result: "ok" });
  });

  it("answers 404 for a node Minos does not know", async () => {
    const res = await routes.cordon.POST(await req("/api/nodes/10.9.9.9@sim-1/cordon", "POST"), nodeParams("10.9.9.9"));
    expect(res.status).toBe(404);
  });
});

describe("drain", () => {
  it("drains a worker: 200 with the evicted pods, DaemonSet pods left", async () => {
    const res = await routes.drain.POST(await req(`/api/nodes/${worker.address}@sim-1/drain`, "POST", { timeoutSeconds: 30 }), nodeParams(worker.address));
    expect(res.status).toBe(200);
    const r = drainResultSchema.parse(await res.json());
    expect(r).toMatchObject({ outcome: "drained", nodeName: worker.hostname, blocking: [], forced: [] });
    expect(r.evicted.length).toBeGreaterThan(0);
    expect(r.ignored.length).toBeGreaterThan(0);
    expect((await audit("node.drain")).at(-1)).toMatchObject({ result: "ok" });
    await routes.uncordon.POST(await req(`/api/nodes/${worker.address}@sim-1/uncordon`, "POST"), nodeParams(worker.address));
  });

  it("answers 409 drain_blocked naming the pod and its PodDisruptionBudget when the timeout passes; nothing forced", async () => {
    t.fleet.setFault({ node: pinned.hostname, fault: "pdb-blocks" });
    try {
      const res = await routes.drain.POST(await req(`/api/nodes/${pinned.address}@sim-1/drain`, "POST", { timeoutSeconds: 1 }), nodeParams(pinned.address));
      expect(res.status).toBe(409);
      const e = await envelope(res);
      expect(e.code).toBe("drain_blocked");
      expect(e.message).toContain(`PodDisruptionBudget default/pinned-${pinned.hostname}`);
      const details = drainResultSchema.parse(e.details);
      expect(details).toMatchObject({ outcome: "blocked", forced: [] });
      // Other pods may still be on their way (their budgets allow one eviction at a time); the pinned one never goes.
      expect(details.blocking).toContainEqual(expect.objectContaining({ name: expect.stringMatching(`^pinned-${pinned.hostname}-`), pdbs: [`default/pinned-${pinned.hostname}`] }));
      expect((await audit("node.drain")).at(-1)).toMatchObject({ result: "failed" });
    } finally {
      t.fleet.clearFaults(pinned.hostname);
      await routes.uncordon.POST(await req(`/api/nodes/${pinned.address}@sim-1/uncordon`, "POST"), nodeParams(pinned.address));
    }
  });

  it("validates the body", async () => {
    const res = await routes.drain.POST(await req(`/api/nodes/${worker.address}@sim-1/drain`, "POST", { timeoutSeconds: 0, onTimeout: "wait" }), nodeParams(worker.address));
    expect(res.status).toBe(400);
    expect((await envelope(res)).code).toBe("validation_failed");
  });
});

describe("uploaded kubeconfig", () => {
  it("refuses an exec plugin with 422 and says why; unknown clusters are 404", async () => {
    const kubeconfig = (await t.fleet.kubernetes.kubeconfig("sim-1")).replace(/client-certificate-data: .*\n\s*client-key-data: .*\n/, "exec: {apiVersion: client.authentication.k8s.io/v1, command: /bin/true}\n");
    const res = await routes.kubeconfig.PUT(await req("/api/clusters/sim-1/kubeconfig", "PUT", { kubeconfig }, "admin"), clusterParams());
    expect(res.status).toBe(422);
    expect((await envelope(res)).message).toMatch(/uses exec: Minos would run a program/);
    const missing = await routes.kubeconfig.GET(await req("/api/clusters/nowhere/kubeconfig", "GET", undefined, "viewer"), clusterParams("nowhere"));
    expect(missing.status).toBe(404);
  });

  it("stores an upload sealed, prefers it, shows viewers its info only, audits without content; DELETE goes back to Talos", async () => {
    // The upload carries another context and user besides the current one: only the current one is sealed.
    const file = parse(await t.fleet.kubernetes.kubeconfig("sim-1")) as { users: unknown[]; contexts: unknown[] };
    file.users.push({ name: "other", user: { token: "other-users-token-never-stored" } });
    file.contexts.push({ name: "other@sim-1", context: { cluster: "sim-1", user: "other" } });
    const kubeconfig = `# a comment that is not stored\n${stringify(file)}`;
    const put = await routes.kubeconfig.PUT(await req("/api/clusters/sim-1/kubeconfig", "PUT", { kubeconfig }, "admin"), clusterParams());
    expect(put.status).toBe(200);
    expect(kubeconfigInfoSchema.parse(await put.json())).toMatchObject({ cluster: "sim-1", source: "upload", access: "ok", server: t.fleet.kubernetes.url("sim-1"), uploadedBy: expect.stringMatching(/^(user|token):/) });

    const row = await getDb().selectFrom("cluster_kubeconfigs").selectAll().executeTakeFirstOrThrow();
    const key = /client-key-data: (\S+)/.exec(kubeconfig)![1]!;
    expect(row.kubeconfig_sealed).not.toContain(key.slice(0, 32));
    const stored = (await getKubeconfig(getDb(), getSecretBox(env()), "sim-1"))!.kubeconfig;
    expect(stored).not.toContain("other-users-token-never-stored");
    expect(stored).not.toContain("a comment that is not stored");
    const reread = parseKubeconfig(stored);
    expect(reread.config.getUsers().map((u) => u.name)).toEqual([reread.config.getCurrentUser()!.name]);
    expect(reread.config.getContexts().map((c) => c.name)).toEqual([reread.context]);
    expect(reread.config.getCurrentUser()!.keyData).toBe(key);

    const get = await routes.kubeconfig.GET(await req("/api/clusters/sim-1/kubeconfig", "GET", undefined, "viewer"), clusterParams());
    const text = await get.text();
    expect(text).not.toContain(key.slice(0, 32));
    expect(kubeconfigInfoSchema.parse(JSON.parse(text))).toMatchObject({ source: "upload", access: "ok" });
    const s = await waitFor(async () => ((await nodes()).clusters[0]!.kubernetes?.source === "upload" ? nodes() : undefined), 5_000);
    expect(s.clusters[0]!.kubernetes!.access).toBe("ok");

    const entries = await audit("kubeconfig.upload");
    expect(entries).toHaveLength(1);
    expect(JSON.stringify(entries)).not.toContain(key.slice(0, 32));

    const del = await routes.kubeconfig.DELETE(await req("/api/clusters/sim-1/kubeconfig", "DELETE", undefined, "admin"), clusterParams());
    expect(kubeconfigInfoSchema.parse(await del.json())).toMatchObject({ source: "talos", uploadedAt: null, access: "ok" });
    const again = await routes.kubeconfig.DELETE(await req("/api/clusters/sim-1/kubeconfig", "DELETE", undefined, "admin"), clusterParams());
    expect(again.status).toBe(404);
  });
});

describe("removed clusters", () => {
  it("drops the uploaded kubeconfig of a cluster Minos no longer manages, audited; a managed cluster's stays", async () => {
    const kubeconfig = await t.fleet.kubernetes.kubeconfig("sim-1");
    await routes.kubeconfig.PUT(await req("/api/clusters/sim-1/kubeconfig", "PUT", { kubeconfig }, "admin"), clusterParams());
    // A row left by a cluster that is gone (its upload was removed).
    await putKubeconfig(getDb(), getSecretBox(env()), { cluster: "gone", kubeconfig, server: "https://gone:6443", uploadedBy: "user:x" });
    expect(await dropKubeconfigsOfRemovedClusters(["sim-1", "gone"])).toEqual(["gone"]);
    expect((await getDb().selectFrom("cluster_kubeconfigs").select("cluster").execute()).map((r) => r.cluster)).toEqual(["sim-1"]);
    expect((await audit("kubeconfig.remove")).at(-1)).toMatchObject({ actor: "minos", target: "gone" });
    expect(await dropKubeconfigsOfRemovedClusters(["gone"])).toEqual([]);
    await routes.kubeconfig.DELETE(await req("/api/clusters/sim-1/kubeconfig", "DELETE", undefined, "admin"), clusterParams());
  });
});

describe("Kubernetes API down", () => {
  it("leaves GET /api/nodes answering with Talos's view and says Kubernetes is unreachable", async () => {
    t.fleet.setFault({ node: worker.address, fault: "kube-api-down" });
    try {
      const s = await waitFor(async () => {
        const x = await nodes();
        return x.clusters[0]!.kubernetes?.access === "unreachable" ? x : undefined;
      }, 15_000);
      expect(s.clusters[0]!.kubernetes!.message).toMatch(/cannot be reached/);
      for (const n of s.nodes) expect(n).toMatchObject({ reachable: true, kubernetes: { ready: null } });
      const res = await routes.cordon.POST(await req(`/api/nodes/${worker.address}@sim-1/cordon`, "POST"), nodeParams(worker.address));
      expect(res.status).toBe(503);
      expect((await envelope(res)).code).toBe("kubernetes_unavailable");
    } finally {
      t.fleet.clearFaults(worker.address);
    }
  });
});
