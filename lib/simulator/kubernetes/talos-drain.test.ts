/**
 * Talos's own drain in the simulator: the legacy upgrade and shutdown sequences cordon the node
 * (talos.dev/cordoned), evict its pods honouring PDBs with a bounded wait, and uncordon on boot
 * only what they cordoned.
 */
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";

import * as k8s from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { Clients, credentialsOf, md, readTalosconfig, rpc, waitFor } from "@/test/simulator/helpers";
import { type Fleet, startFleet, type TimelineEntry } from "../fleet";

// 127.0.43.x: this file's own node addresses.
const CP1 = "127.0.43.1";
const W1 = "127.0.43.2";
const W2 = "127.0.43.3";
const W3 = "127.0.43.4";
const INSTALLER = "ghcr.io/siderolabs/installer:v1.13.9";

let fleet: Fleet;
let stateDir: string;
let admin: Clients;
let core: k8s.CoreV1Api;

beforeAll(async () => {
  stateDir = await mkdtemp(path.join(os.tmpdir(), "minos-sim-k8s-drain-"));
  fleet = await startFleet({
    controlPlanes: 1,
    workers: 3,
    stateDir,
    firstAddress: CP1,
    controlPort: 0,
    version: "v1.12.11",
    podSeconds: 0.1,
    talosDrainSeconds: 1,
    readySeconds: 0.05,
    bootSeconds: 0.1,
    rebootSeconds: 0.2,
    upgradeSeconds: 0.1,
  });
  const a = await readTalosconfig(fleet.talosconfig.admin);
  admin = new Clients(a.endpoints[0]!, credentialsOf(a));
  const kc = new k8s.KubeConfig();
  kc.loadFromString(await fleet.kubernetes.kubeconfig("sim-1"));
  core = kc.makeApiClient(k8s.CoreV1Api);
});

afterAll(async () => {
  admin?.close();
  await fleet?.stop();
  await rm(stateDir, { recursive: true, force: true });
});

const legacyUpgrade = (node: string) => rpc(admin.machine, "upgrade", { image: INSTALLER, preserve: false, stage: false, force: false, rebootMode: 0 }, md(node));
const events = (hostname: string, since: number) => fleet.timeline().filter((e) => e.hostname === hostname && e.time >= since);
const running = (hostname: string) => fleet.nodeStates().find((n) => n.hostname === hostname)!;
const index = (tl: TimelineEntry[], pred: (e: TimelineEntry) => boolean) => tl.findIndex(pred);

describe("Talos's drain on a legacy upgrade", () => {
  it("cordons with talos.dev/cordoned, evicts all but DaemonSet and mirror pods, reboots, then uncordons", async () => {
    const t0 = Date.now();
    const before = (await core.listPodForAllNamespaces({ fieldSelector: "spec.nodeName=sim-1-worker-1" })).items;
    const movable = before.filter((p) => p.metadata?.ownerReferences?.[0]?.kind === "ReplicaSet").map((p) => `${p.metadata!.namespace}/${p.metadata!.name}`);
    expect(movable.length).toBeGreaterThan(0);
    await legacyUpgrade(W1);
    await waitFor(() => running("sim-1-worker-1").version === "v1.13.9" && running("sim-1-worker-1").ready, { what: "upgraded", timeoutMs: 15_000 });
    await waitFor(async () => (await core.readNode({ name: "sim-1-worker-1" })).spec?.unschedulable !== true, { what: "uncordoned" });
    const tl = events("sim-1-worker-1", t0);
    const cordon = index(tl, (e) => e.event === "cordon" && e.detail === "talos");
    const evicts = tl.filter((e) => e.event === "evict").map((e) => e.detail);
    const reboot = index(tl, (e) => e.event === "stage" && e.stage === "rebooting");
    const uncordon = index(tl, (e) => e.event === "uncordon" && e.detail === "talos");
    expect(cordon).toBeGreaterThanOrEqual(0);
    expect(evicts.sort()).toEqual(movable.sort());
    expect(cordon).toBeLessThan(index(tl, (e) => e.event === "evict"));
    expect(tl.findLastIndex((e) => e.event === "evict")).toBeLessThan(reboot);
    expect(reboot).toBeLessThan(uncordon);
    const node = await core.readNode({ name: "sim-1-worker-1" });
    expect(node.metadata?.annotations?.["talos.dev/cordoned"]).toBeUndefined();
    // DaemonSet pods stay, the evicted ones run elsewhere.
    const after = (await core.listPodForAllNamespaces({ fieldSelector: "spec.nodeName=sim-1-worker-1" })).items.map((p) => `${p.metadata!.namespace}/${p.metadata!.name}`);
    expect(after.filter((n) => movable.includes(n))).toEqual([]);
    expect(after.some((n) => n.startsWith("kube-system/kube-proxy-"))).toBe(true);
  });

  it("leaves a node cordoned by someone else cordoned (Talos uncordons only its own)", async () => {
    const t0 = Date.now();
    await core.patchNode({ name: "sim-1-worker-2", body: { spec: { unschedulable: true }, metadata: { annotations: { "minos.dev/cordoned": "x" } } } }, k8s.setHeaderOptions("Content-Type", k8s.PatchStrategy.MergePatch));
    await legacyUpgrade(W2);
    await waitFor(() => running("sim-1-worker-2").version === "v1.13.9" && running("sim-1-worker-2").ready, { what: "upgraded", timeoutMs: 15_000 });
    const node = await core.readNode({ name: "sim-1-worker-2" });
    expect(node.spec?.unschedulable).toBe(true);
    expect(node.metadata?.annotations).not.toHaveProperty("talos.dev/cordoned");
    // Only the API caller's cordon (user "admin"), nothing by Talos.
    expect(events("sim-1-worker-2", t0).filter((e) => e.event === "cordon" || e.event === "uncordon").map((e) => `${e.event}:${e.detail}`)).toEqual(["cordon:admin"]);
    await core.patchNode({ name: "sim-1-worker-2", body: { spec: { unschedulable: null }, metadata: { annotations: { "minos.dev/cordoned": null } } } }, k8s.setHeaderOptions("Content-Type", k8s.PatchStrategy.MergePatch));
  });
});

describe("Talos's drain on shutdown", () => {
  it("gives up on a pod its PDB never lets go after the drain timeout, and shuts down anyway", async () => {
    fleet.setFault({ node: W3, fault: "pdb-blocks" });
    const t0 = Date.now();
    await rpc(admin.machine, "shutdown", { force: false }, md(W3));
    await waitFor(() => !running("sim-1-worker-3").reachable || undefined, { what: "powered off", timeoutMs: 10_000 });
    const tl = events("sim-1-worker-3", t0);
    expect(tl.some((e) => e.event === "evict-blocked" && e.detail?.endsWith("default/pinned-sim-1-worker-3"))).toBe(true);
    expect(tl.find((e) => e.event === "drain-timeout")?.detail).toBe("1 pod(s) not evicted after 1s");
    expect(index(tl, (e) => e.event === "drain-timeout")).toBeLessThan(index(tl, (e) => e.event === "stage" && e.stage === "unknown") === -1 ? tl.length : index(tl, (e) => e.event === "stage" && e.stage === "unknown"));
    const node = await core.readNode({ name: "sim-1-worker-3" });
    expect(node.status?.conditions?.find((c) => c.type === "Ready")).toMatchObject({ status: "Unknown", reason: "NodeStatusUnknown" });
    // Powering it on again (clearing faults) boots it, and Talos uncordons it.
    fleet.clearFaults(W3);
    await waitFor(async () => (await core.readNode({ name: "sim-1-worker-3" })).spec?.unschedulable !== true, { what: "uncordoned after boot", timeoutMs: 10_000 });
  });

  it("a forced shutdown does not drain", async () => {
    await waitFor(() => running("sim-1-worker-3").ready || undefined, { what: "w3 ready", timeoutMs: 10_000 });
    const t0 = Date.now();
    await rpc(admin.machine, "shutdown", { force: true }, md(W3));
    await waitFor(() => !running("sim-1-worker-3").reachable || undefined, { what: "powered off" });
    expect(events("sim-1-worker-3", t0).filter((e) => e.event === "evict" || e.event === "evict-blocked")).toEqual([]);
    fleet.clearFaults(W3);
  });
});
