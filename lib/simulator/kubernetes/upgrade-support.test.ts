/**
 * What the Kubernetes upgrade asks of the simulator beyond SIM's API: Talos's bootstrap
 * Manifests resources on control planes (following the config's kube-proxy image), and API
 * discovery, through the official client's KubernetesObjectApi (which resolves kinds by discovery).
 */
import * as k8s from "@kubernetes/client-node";
import { parse } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { withComponentImage } from "@/lib/server/kubernetes-upgrades/config-patch";
import { MANIFEST_RESOURCE } from "@/lib/talos/kubernetes";
import { rejection, startTestFleet, type TestFleet, waitFor } from "@/test/talos/fleet";

// 127.0.147.x: this file's own node addresses.
let t: TestFleet;
let kc: k8s.KubeConfig;
let cp: string;
let worker: string;

beforeAll(async () => {
  t = await startTestFleet({ firstAddress: "127.0.147.1", controlPlanes: 1, workers: 1, podSeconds: 0.1, applySeconds: 0.05 });
  cp = t.fleet.nodes.find((n) => n.role === "controlplane")!.address;
  worker = t.fleet.nodes.find((n) => n.role === "worker")!.address;
  kc = new k8s.KubeConfig();
  kc.loadFromString(await t.fleet.kubernetes.kubeconfig(t.fleet.clusters[0]!));
}, 60_000);

afterAll(async () => {
  await t?.stop();
});

const proxyImage = async (node: string) => {
  const list = await t.clients.reader.cosiList(node, MANIFEST_RESOURCE.namespace, MANIFEST_RESOURCE.type);
  const items = list.flatMap((r) => parse(r.yamlSpec) as { kind: string; metadata: { name: string }; spec: { template: { spec: { containers: { image: string }[] } } } }[]);
  return { ids: list.map((r) => r.metadata.id), image: items.find((o) => o.kind === "DaemonSet" && o.metadata.name === "kube-proxy")?.spec.template.spec.containers[0]?.image };
};

describe("bootstrap manifests", () => {
  it("a control plane renders kube-proxy's DaemonSet from its config; a change of cluster.proxy.image shows in it", async () => {
    const before = await proxyImage(cp);
    expect(before.ids).toEqual(["10-kube-proxy", "11-core-dns"]);
    expect(before.image).toMatch(/^registry\.k8s\.io\/kube-proxy:v1\.\d+\.\d+$/);
    const yaml = (await t.clients.admin.machineConfig(cp)).yaml;
    await t.clients.admin.applyConfiguration(cp, { data: withComponentImage(yaml, "kube-proxy", "registry.k8s.io/kube-proxy:v1.36.9").yaml, mode: "no-reboot" });
    await waitFor(async () => (await proxyImage(cp)).image === "registry.k8s.io/kube-proxy:v1.36.9", 5000);
  });

  it("a worker has none (Talos renders them on control planes only)", async () => {
    expect(await t.clients.reader.cosiList(worker, MANIFEST_RESOURCE.namespace, MANIFEST_RESOURCE.type)).toEqual([]);
  });
});

describe("legacy MachineService/ImagePull", () => {
  it("pulls into the namespace asked (an operator may), records it, and refuses a reference that does not resolve", async () => {
    await t.clients.operator.imagePullLegacy(worker, { image: "ghcr.io/siderolabs/kubelet:v1.36.9", containerd: "system" });
    expect(t.fleet.timeline().filter((e) => e.event === "image-pull").map((e) => `${e.hostname} ${e.detail}`)).toEqual([`${t.fleet.nodes.find((n) => n.address === worker)!.hostname} system ghcr.io/siderolabs/kubelet:v1.36.9`]);
    const e = await rejection(t.clients.operator.imagePullLegacy(worker, { image: "registry.k8s.io/kube-apiserver", containerd: "cri" }));
    expect(e.code).toBe("not_found");
    expect((await rejection(t.clients.reader.imagePullLegacy(worker, { image: "registry.k8s.io/pause:3.10", containerd: "cri" }))).code).toBe("forbidden");
  });
});

describe("API discovery", () => {
  it("lets KubernetesObjectApi read and server-side apply by kind", async () => {
    const objects = k8s.KubernetesObjectApi.makeApiClient(kc);
    const ds = await objects.read({ apiVersion: "apps/v1", kind: "DaemonSet", metadata: { name: "kube-proxy", namespace: "kube-system" } });
    expect(ds.kind).toBe("DaemonSet");
    const applied = await objects.patch(
      { apiVersion: "apps/v1", kind: "DaemonSet", metadata: { name: "kube-proxy", namespace: "kube-system" }, spec: { template: { spec: { containers: [{ name: "kube-proxy", image: "registry.k8s.io/kube-proxy:v1.36.9" }] } } } } as k8s.KubernetesObject,
      undefined,
      undefined,
      "talos",
      true,
      k8s.PatchStrategy.ServerSideApply,
    );
    expect((applied as k8s.V1DaemonSet).spec?.template.spec?.containers[0]?.image).toBe("registry.k8s.io/kube-proxy:v1.36.9");
    const node = await objects.read({ apiVersion: "v1", kind: "Node", metadata: { name: t.fleet.nodes[0]!.hostname } });
    expect(node.metadata?.name).toBe(t.fleet.nodes[0]!.hostname);
  });
});
