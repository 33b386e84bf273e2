/**
 * The simulated cluster's behaviour through @kubernetes/client-node: watches, static pods and
 * kubelets following machine configs, DaemonSets and Deployments (server-side apply), pods moving
 * after a delete, kubelet faults.
 */
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";

import * as k8s from "@kubernetes/client-node";
import { parse, stringify } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { MachineConfigSpec } from "../../third_party/talos-proto/gen/resource/definitions/config/config";
import { ApplyConfigurationRequest_Mode as Mode } from "../../third_party/talos-proto/gen/machine/machine";
import { Clients, credentialsOf, md, readTalosconfig, rpc, waitFor } from "@/test/simulator/helpers";
import { type Fleet, startFleet } from "../fleet";

// 127.0.42.x: this file's own node addresses.
const CP1 = "127.0.42.1";
const W1 = "127.0.42.2";

let fleet: Fleet;
let stateDir: string;
let admin: Clients;
let kc: k8s.KubeConfig;
let core: k8s.CoreV1Api;
let apps: k8s.AppsV1Api;

beforeAll(async () => {
  stateDir = await mkdtemp(path.join(os.tmpdir(), "minos-sim-k8s-wl-"));
  // A restarted pod stays not Ready for 1 s: long enough to be seen on a loaded machine.
  fleet = await startFleet({ controlPlanes: 1, workers: 3, stateDir, firstAddress: CP1, controlPort: 0, podSeconds: 1, readySeconds: 0.05, bootSeconds: 0.1, rebootSeconds: 0.2, applySeconds: 0.02 });
  const a = await readTalosconfig(fleet.talosconfig.admin);
  admin = new Clients(a.endpoints[0]!, credentialsOf(a));
  kc = new k8s.KubeConfig();
  kc.loadFromString(await fleet.kubernetes.kubeconfig("sim-1"));
  core = kc.makeApiClient(k8s.CoreV1Api);
  apps = kc.makeApiClient(k8s.AppsV1Api);
});

afterAll(async () => {
  admin?.close();
  await fleet?.stop();
  await rm(stateDir, { recursive: true, force: true });
});

async function config(node: string): Promise<string> {
  const res = await rpc(admin.cosi, "get", { namespace: "config", type: "MachineConfigs.config.talos.dev", id: "v1alpha1" }, md(node));
  return MachineConfigSpec.decode(res.resource!.spec!.protoSpec).yamlMarshalled.toString("utf8");
}

/** Edits the v1alpha1 document (the first, as gen config writes it). */
function edit(yaml: string, fn: (c: { machine: { kubelet: { image: string } }; cluster: { apiServer: { image: string } } }) => void): string {
  const [first, ...rest] = yaml.split(/^---\n/m);
  const c = parse(first!);
  fn(c);
  return [stringify(c, { indent: 4, lineWidth: 0 }), ...rest].join("---\n");
}

const apply = (node: string, data: string) => rpc(admin.machine, "applyConfiguration", { data: Buffer.from(data), mode: Mode.AUTO, dryRun: false }, md(node));

/** Collects watch events until `until` sees one it likes. */
async function watchUntil(pathName: string, query: Record<string, string>, until: (type: string, obj: k8s.KubernetesObject) => boolean, act: () => Promise<unknown>) {
  const seen: { type: string; obj: k8s.KubernetesObject }[] = [];
  let resolve!: () => void;
  const done = new Promise<void>((r) => (resolve = r));
  const req = await new k8s.Watch(kc).watch(pathName, query, (type, obj) => {
    seen.push({ type, obj });
    if (until(type, obj)) resolve();
  }, () => resolve());
  await act();
  await done;
  req.abort();
  return seen;
}

describe("watch", () => {
  it("streams node changes after a list's resourceVersion", async () => {
    const list = await core.listNode();
    const seen = await watchUntil("/api/v1/nodes", { resourceVersion: list.metadata!.resourceVersion! }, (t, o) => t === "MODIFIED" && (o as k8s.V1Node).spec?.unschedulable === true, () =>
      core.patchNode({ name: "sim-1-worker-2", body: { spec: { unschedulable: true } } }, k8s.setHeaderOptions("Content-Type", k8s.PatchStrategy.MergePatch)),
    );
    expect(seen.some((e) => e.type === "ADDED")).toBe(false);
    expect(seen.at(-1)!.obj.metadata?.name).toBe("sim-1-worker-2");
    await core.patchNode({ name: "sim-1-worker-2", body: { spec: { unschedulable: null } } }, k8s.setHeaderOptions("Content-Type", k8s.PatchStrategy.MergePatch));
  });

  it("streams pods of one node (ADDED first without a resourceVersion, then DELETED)", async () => {
    const pods = (await core.listPodForAllNamespaces({ fieldSelector: "spec.nodeName=sim-1-worker-1", labelSelector: "app" })).items;
    const victim = pods[0]!;
    const seen = await watchUntil("/api/v1/pods", { fieldSelector: "spec.nodeName=sim-1-worker-1" }, (t, o) => t === "DELETED" && o.metadata?.name === victim.metadata?.name, () =>
      core.deleteNamespacedPod({ name: victim.metadata!.name!, namespace: victim.metadata!.namespace!, gracePeriodSeconds: 0 }),
    );
    expect(seen[0]!.type).toBe("ADDED");
    expect(seen.every((e) => (e.obj as k8s.V1Pod).spec?.nodeName === "sim-1-worker-1")).toBe(true);
    expect(fleet.timeline().filter((e) => e.event === "pod-deleted").map((e) => e.detail)).toContain(`${victim.metadata!.namespace}/${victim.metadata!.name}`);
  });

  it("answers a watch from a resourceVersion it no longer keeps with an ERROR event (410 Expired)", async () => {
    const seen = await watchUntil("/api/v1/nodes", { resourceVersion: "1" }, (t) => t === "ERROR", async () => undefined);
    expect(seen[0]).toMatchObject({ type: "ERROR", obj: { kind: "Status", code: 410, reason: "Expired" } });
  });
});

describe("configs drive kubelets and static pods", () => {
  it("a new API server image restarts the static pod: new image not Ready, then Ready; /version follows", async () => {
    const image = "registry.k8s.io/kube-apiserver:v1.99.0";
    await apply(CP1, edit(await config(CP1), (c) => (c.cluster.apiServer.image = image)));
    const pod = () => core.readNamespacedPod({ name: "kube-apiserver-sim-1-controlplane-1", namespace: "kube-system" });
    const notReady = await waitFor(async () => {
      const p = await pod();
      return p.spec?.containers[0]?.image === image ? p : undefined;
    }, { what: "new image" });
    expect(notReady.status?.conditions?.find((c) => c.type === "Ready")?.status).toBe("False");
    await waitFor(async () => (await pod()).status?.conditions?.find((c) => c.type === "Ready")?.status === "True", { what: "ready again" });
    expect((await kc.makeApiClient(k8s.VersionApi).getCode()).gitVersion).toBe("v1.99.0");
    expect(fleet.timeline().filter((e) => e.event === "static-pod-restart").map((e) => e.detail)).toEqual([`kube-system/kube-apiserver-sim-1-controlplane-1 ${image}`]);
  });

  it("a new kubelet image restarts the kubelet: NotReady, then Ready with the new version", async () => {
    await apply(W1, edit(await config(W1), (c) => (c.machine.kubelet.image = "ghcr.io/siderolabs/kubelet:v1.99.1")));
    const node = () => core.readNode({ name: "sim-1-worker-1" });
    const ready = (n: k8s.V1Node) => n.status?.conditions?.find((c) => c.type === "Ready");
    await waitFor(async () => ready(await node())?.status === "False" || undefined, { what: "not ready" });
    const back = await waitFor(async () => {
      const n = await node();
      return ready(n)?.status === "True" ? n : undefined;
    }, { what: "ready" });
    expect(back.status?.nodeInfo?.kubeletVersion).toBe("v1.99.1");
    expect(fleet.timeline().filter((e) => e.event === "kubelet-restart").map((e) => e.hostname)).toEqual(["sim-1-worker-1"]);
  });

  it("kubelet-not-ready: the Node is NotReady with KubeletNotReady until cleared", async () => {
    fleet.setFault({ node: "sim-1-worker-3", fault: "kubelet-not-ready" });
    const n = await core.readNode({ name: "sim-1-worker-3" });
    expect(n.status?.conditions?.find((c) => c.type === "Ready")).toMatchObject({ status: "False", reason: "KubeletNotReady" });
    expect(fleet.nodeStates().find((x) => x.hostname === "sim-1-worker-3")!.ready).toBe(false);
    fleet.clearFaults("sim-1-worker-3");
    expect((await core.readNode({ name: "sim-1-worker-3" })).status?.conditions?.find((c) => c.type === "Ready")?.status).toBe("True");
  });
});

describe("apps/v1", () => {
  it("server-side apply of kube-proxy with a new image rolls its pods", async () => {
    const objects = k8s.KubernetesObjectApi.makeApiClient(kc);
    const ds = await apps.readNamespacedDaemonSet({ name: "kube-proxy", namespace: "kube-system" });
    const image = "registry.k8s.io/kube-proxy:v1.99.0";
    const applied = { apiVersion: "apps/v1", kind: "DaemonSet", metadata: { name: "kube-proxy", namespace: "kube-system" }, spec: { selector: ds.spec!.selector, template: { metadata: { labels: ds.spec!.template.metadata!.labels }, spec: { containers: [{ name: "kube-proxy", image }] } } } };
    const out = (await objects.patch(applied, undefined, undefined, "talos", true, k8s.PatchStrategy.ServerSideApply)) as k8s.V1DaemonSet;
    expect(out.metadata?.generation).toBe((ds.metadata?.generation ?? 1) + 1);
    expect(out.spec?.template.spec?.tolerations).toEqual(ds.spec?.template.spec?.tolerations);
    await waitFor(async () => {
      const pods = (await core.listNamespacedPod({ namespace: "kube-system", labelSelector: "k8s-app=kube-proxy" })).items;
      return pods.length === 4 && pods.every((p) => p.spec?.containers[0]?.image === image && p.status?.conditions?.find((c) => c.type === "Ready")?.status === "True");
    }, { what: "kube-proxy rolled" });
    const st = (await apps.readNamespacedDaemonSet({ name: "kube-proxy", namespace: "kube-system" })).status!;
    expect(st).toMatchObject({ desiredNumberScheduled: 4, updatedNumberScheduled: 4, numberReady: 4, observedGeneration: out.metadata!.generation });
  });

  it("server-side apply creates a Deployment; apply without a fieldManager is refused; unknown names are 404", async () => {
    const objects = k8s.KubernetesObjectApi.makeApiClient(kc);
    const d = { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "extra", namespace: "default" }, spec: { replicas: 2, selector: { matchLabels: { app: "extra" } }, template: { metadata: { labels: { app: "extra" } }, spec: { containers: [{ name: "extra", image: "docker.io/library/nginx:1.29" }] } } } };
    await objects.patch(d, undefined, undefined, "minos", true, k8s.PatchStrategy.ServerSideApply);
    await waitFor(async () => (await apps.readNamespacedDeployment({ name: "extra", namespace: "default" })).status?.readyReplicas === 2, { what: "2 ready" });
    const refused = await objects.patch(d, undefined, undefined, undefined, true, k8s.PatchStrategy.ServerSideApply).catch((e: { code: number; body: string }) => e);
    expect((refused as { code: number }).code).toBe(422);
    const missing = await apps.readNamespacedDeployment({ name: "nope", namespace: "default" }).catch((e: { code: number; body: string }) => e);
    expect(JSON.parse((missing as { body: string }).body)).toMatchObject({ code: 404, reason: "NotFound", message: 'deployments.apps "nope" not found', details: { group: "apps", kind: "deployments" } });
  });
});

describe("pods move", () => {
  it("a deleted Deployment pod comes back on another schedulable node", async () => {
    const onW2 = (await core.listNamespacedPod({ namespace: "default", labelSelector: "app=web", fieldSelector: "spec.nodeName=sim-1-worker-2" })).items;
    expect(onW2.length).toBeGreaterThan(0);
    await core.patchNode({ name: "sim-1-worker-2", body: { spec: { unschedulable: true } } }, k8s.setHeaderOptions("Content-Type", k8s.PatchStrategy.MergePatch));
    for (const p of onW2) await core.deleteNamespacedPod({ name: p.metadata!.name!, namespace: "default" });
    await waitFor(async () => {
      const web = (await core.listNamespacedPod({ namespace: "default", labelSelector: "app=web" })).items;
      return web.length === 3 && web.every((p) => p.spec?.nodeName !== "sim-1-worker-2" && p.status?.conditions?.find((c) => c.type === "Ready")?.status === "True");
    }, { what: "web moved off worker-2" });
    await core.patchNode({ name: "sim-1-worker-2", body: { spec: { unschedulable: null } } }, k8s.setHeaderOptions("Content-Type", k8s.PatchStrategy.MergePatch));
  });
});
