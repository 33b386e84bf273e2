/**
 * A Kubernetes upgrade against the simulator, over the real wire: Talos's gRPC API (configs
 * patched without a reboot, images pulled through ImageService) and the cluster's Kubernetes
 * API through @kubernetes/client-node (static pods and Nodes watched, the bootstrap manifests
 * applied server-side). The simulator's timeline proves the order: each static pod restarts on
 * one control plane at a time, then the kubelets, control planes first.
 */
import { randomBytes } from "node:crypto";

import * as k8s from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { kubernetesUpgradeRequestSchema } from "@/lib/schemas/kubernetes-upgrades";
import { createKubeAccessProvider } from "@/lib/server/kubernetes/access";
import { RevisionRepository } from "@/lib/server/configs/revisions";
import type { Db } from "@/lib/server/platform/db/db";
import { SecretBox } from "@/lib/server/platform/secret-box";
import { COMPONENT_CONFIG_PATH, componentImage } from "@/lib/talos/kubernetes";
import { testDb } from "@/test/db";
import { startTestFleet, type TestFleet, waitFor } from "@/test/talos/fleet";

import { createUpgradeAccess } from "./access";
import { withComponentImage } from "./config-patch";
import { createKubeObjectApi } from "./objects";
import { KubernetesUpgradeRunner } from "./runner";

// 127.0.146.x: this file's own node addresses.
let t: TestFleet;
let db: Db;
let cluster: string;
let core: k8s.CoreV1Api;
let apps: k8s.AppsV1Api;
const FROM = "1.35.4";
const TO = "1.36.3";

beforeAll(async () => {
  t = await startTestFleet({ firstAddress: "127.0.146.1", controlPlanes: 2, workers: 2, podSeconds: 0.15, applySeconds: 0.05, readySeconds: 0.05 });
  cluster = t.fleet.clusters[0]!;
  db = await testDb();
  const kc = new k8s.KubeConfig();
  kc.loadFromString(await t.fleet.kubernetes.kubeconfig(cluster));
  core = kc.makeApiClient(k8s.CoreV1Api);
  apps = kc.makeApiClient(k8s.AppsV1Api);
  // Talos 1.13 gives a fresh cluster its newest Kubernetes (1.36); put it one minor back first,
  // through the same config patch, so there is a minor to upgrade to.
  const admin = t.clients.admin;
  for (const n of t.fleet.nodes) {
    let yaml = (await admin.machineConfig(n.address)).yaml;
    for (const c of ["kubelet", "kube-apiserver", "kube-controller-manager", "kube-scheduler", "kube-proxy"] as const) {
      if (n.role !== "controlplane" && c !== "kubelet" && COMPONENT_CONFIG_PATH[c][0] === "cluster") continue;
      yaml = withComponentImage(yaml, c, componentImage(c, FROM)).yaml;
    }
    await admin.applyConfiguration(n.address, { data: yaml, mode: "no-reboot" });
  }
  await waitFor(async () => {
    const nodes = (await core.listNode()).items;
    const pods = (await core.listNamespacedPod({ namespace: "kube-system", labelSelector: "tier=control-plane" })).items;
    return nodes.every((n) => n.status?.nodeInfo?.kubeletVersion === `v${FROM}`) && pods.every((p) => p.spec?.containers[0]?.image?.endsWith(`:v${FROM}`) && p.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True"));
  }, 15_000);
}, 60_000);

afterAll(async () => {
  await t?.stop();
});

function runner(): KubernetesUpgradeRunner {
  const cps = t.fleet.nodes.filter((n) => n.role === "controlplane").map((n) => n.address);
  const talos = async () => ({ client: t.clients.admin, controlPlanes: cps });
  const provider = createKubeAccessProvider({ uploaded: async () => null, uploadStamp: async () => null, talos, now: Date.now });
  return new KubernetesUpgradeRunner({
    db,
    client: async () => t.clients.admin,
    clusterNodes: async () => t.contexts.admin.nodes,
    kube: createUpgradeAccess(provider),
    revisions: new RevisionRepository(db, new SecretBox(randomBytes(32))),
    pollIntervalMs: 50,
    log: () => {},
  });
}

describe("Kubernetes upgrade against the simulator", () => {
  it("counts objects of an API version (404: not served, nothing to migrate)", async () => {
    const kc = new k8s.KubeConfig();
    kc.loadFromString(await t.fleet.kubernetes.kubeconfig(cluster));
    const objects = createKubeObjectApi(kc, cluster);
    expect(await objects.countObjects("/api/v1/nodes")).toBe(4);
    expect(await objects.countObjects("/apis/policy/v1beta1/podsecuritypolicies")).toBeNull();
  });

  it("refuses a jump of two minors, and a target Talos 1.13 does not run", async () => {
    const r = runner();
    const two = await r.preview(kubernetesUpgradeRequestSchema.parse({ cluster, version: "1.37.0" }));
    expect(two.fromVersion).toBe(FROM);
    expect(two.checks.filter((c) => c.level === "error").map((c) => c.code)).toEqual(["unsupported_path", "talos_support", "talos_support", "talos_support", "talos_support"]);
    expect(two.checks.find((c) => c.code === "talos_support")!.message).toMatch(/version of Kubernetes 1\.37\.0 is too new to be used with Talos 1\.13\.\d+/);
    await r.stop();
  });

  it(`upgrades ${FROM} → ${TO}: every static pod and kubelet on the target, one control plane at a time`, async () => {
    const r = runner();
    const since = Date.now();
    const created = await r.create(kubernetesUpgradeRequestSchema.parse({ cluster, version: `v${TO}` }), "user:ada");
    const plan = await waitFor(async () => {
      const p = await r.getOrThrow(created.id);
      return ["succeeded", "failed", "cancelled"].includes(p.state) ? p : undefined;
    }, 60_000);
    await r.stop();
    expect(plan.state, JSON.stringify(plan.steps.filter((s) => s.state === "failed"))).toBe("succeeded");
    expect(plan.progress.percent).toBe(100);

    // Kubernetes says so: every Node's kubelet, every static pod Ready on the target, kube-proxy's DaemonSet synced.
    const nodes = (await core.listNode()).items;
    expect(nodes.map((n) => n.status?.nodeInfo?.kubeletVersion)).toEqual(nodes.map(() => `v${TO}`));
    const statics = (await core.listNamespacedPod({ namespace: "kube-system", labelSelector: "tier=control-plane" })).items;
    expect(statics).toHaveLength(6);
    for (const p of statics) {
      expect(p.spec?.containers[0]?.image).toMatch(new RegExp(`:v${TO.replace(/\./g, "\\.")}$`));
      expect(p.status?.conditions?.find((c) => c.type === "Ready")?.status).toBe("True");
    }
    const proxy = await apps.readNamespacedDaemonSet({ namespace: "kube-system", name: "kube-proxy" });
    expect(proxy.spec?.template.spec?.containers[0]?.image).toBe(`registry.k8s.io/kube-proxy:v${TO}`);

    // The timeline: each static pod restarted on one control plane, then the next; kubelets after, control planes first.
    const restarts = t.fleet
      .timeline()
      .filter((e) => e.time >= since && (e.event === "static-pod-restart" || e.event === "kubelet-restart"))
      .map((e) => (e.event === "kubelet-restart" ? `kubelet ${e.hostname}` : `${e.detail!.split(" ")[0]!.replace(/^kube-system\//, "").replace(`-${e.hostname}`, "")} ${e.hostname}`));
    const cps = t.fleet.nodes.filter((n) => n.role === "controlplane").map((n) => n.hostname).sort();
    const workers = t.fleet.nodes.filter((n) => n.role === "worker").map((n) => n.hostname).sort();
    // One at a time: each static pod restart comes after the previous restart's pod was Ready again.
    const podEvents = t.fleet.timeline().filter((e) => e.time >= since && (e.event === "static-pod-restart" || e.event === "static-pod-ready"));
    const podOf = (e: { detail?: string }) => e.detail!.split(" ")[0]!;
    let previous: string | null = null;
    for (const [i, e] of podEvents.entries()) {
      if (e.event !== "static-pod-restart") continue;
      if (previous !== null) {
        const readyAt = podEvents.findIndex((r) => r.event === "static-pod-ready" && podOf(r) === previous);
        expect(readyAt, `${podOf(e)} restarted before ${previous} was Ready`).toBeGreaterThanOrEqual(0);
        expect(readyAt, `${podOf(e)} restarted before ${previous} was Ready`).toBeLessThan(i);
      }
      previous = podOf(e);
    }
    expect(restarts).toEqual([
      ...["kube-apiserver", "kube-controller-manager", "kube-scheduler"].flatMap((c) => cps.map((h) => `${c} ${h}`)),
      ...[...cps, ...workers].map((h) => `kubelet ${h}`),
    ]);
  }, 90_000);
});
