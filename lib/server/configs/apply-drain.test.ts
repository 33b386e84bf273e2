/**
 * A single-node apply that reboots the node drains it first, through the real Kubernetes access
 * and drainer against the simulator's Kubernetes API, and the Kubernetes status job uncordons it
 * after its reboot (the mark on the Node, not a waiter in the request): the timeline proves the
 * order cordon → evict → apply → reboot → uncordon. A blocked drain under `halt` applies nothing
 * and puts the node back; modes that do not reboot are not drained.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";

import { redactConfig } from "@/lib/config/redact";
import { applyBodySchema } from "@/lib/schemas/configs";
import type { DrainResult } from "@/lib/schemas/kubernetes";
import type { TimelineEntry } from "@/lib/simulator/fleet";
import { applyNodeConfig, rollbackNodeConfig } from "@/lib/server/configs/apply";
import type { ConfigDeps } from "@/lib/server/configs/deps";
import { bootIdentity, sameBoot } from "@/lib/server/jobs/boot-identity";
import { createKubeAccessProvider } from "@/lib/server/kubernetes/access";
import { createNodeDrainer } from "@/lib/server/kubernetes/drainer";
import { startKubernetesStatusJob, type KubernetesStatusJob } from "@/lib/server/kubernetes/status";
import { MINOS_CORDONED_ANNOTATION, UNCORDON_AFTER_BOOT_ANNOTATION, type KubeApi, type KubernetesAccessProvider } from "@/lib/server/kubernetes/types";
import { listAudit } from "@/lib/server/platform/audit";
import { startConfigTestFleet, type ConfigTestFleet } from "@/test/configs/fleet";
import { rejection, waitFor, withHostname } from "@/test/talos/fleet";

const USER = "test user";
let t: ConfigTestFleet;
let deps: ConfigDeps;
let access: KubernetesAccessProvider;
let job: KubernetesStatusJob;
let workerYaml: string;
let cluster: string;

beforeAll(async () => {
  t = await startConfigTestFleet({ firstAddress: "127.0.164.1", controlPlanes: 1, workers: 2, podSeconds: 0.1 });
  cluster = t.fleet.clusters[0]!;
  const cp = t.fleet.nodes.find((n) => n.role === "controlplane")!.address;
  access = createKubeAccessProvider({ uploaded: async () => null, uploadStamp: async () => null, talos: async () => ({ client: t.clients.admin, controlPlanes: [cp] }), now: Date.now }, { callTimeoutMs: 2_000 });
  const drainer = createNodeDrainer(access, { retryMs: 200, pollMs: 100, forceWaitMs: 5_000 });
  deps = { ...t.deps, kubernetes: { access, drainer, hostname: (_c, address) => t.fleet.nodes.find((n) => n.address === address)?.hostname ?? null } };
  // The status job as runtime.ts starts it, sweeping the Nodes left for an uncordon after their boot.
  job = startKubernetesStatusJob(
    access,
    { clusterNames: () => [cluster], talosNodes: () => t.fleet.nodes.map((n) => ({ address: n.address, hostname: n.hostname })), setClusterKubernetes: () => {} },
    { intervalMs: 200, afterBoot: { bootedSince: async (_c, address, before) => !sameBoot(await bootIdentity(t.clients.admin, address, { like: before }), before) } },
  );
  workerYaml = redactConfig(await t.runningConfig(t.ids[1]!));
});

afterAll(async () => {
  job?.stop();
  await t?.stop();
});

afterEach(() => {
  t.fleet.clearFaults();
});

const api = async (): Promise<KubeApi> => {
  const a = await access.forCluster(cluster);
  if (!a.ok) throw new Error(a.message);
  return a.api;
};
const hostOf = (id: string) => t.fleet.nodes.find((n) => n.address === t.address(id))!.hostname;
const kubeNode = async (id: string) => (await (await api()).listNodes()).find((n) => n.name === hostOf(id))!;
const sinceNow = () => {
  const from = t.fleet.timeline().length;
  return () => t.fleet.timeline().slice(from);
};
const at = (tl: TimelineEntry[], host: string, event: string, stage?: string) => tl.findIndex((e) => e.hostname === host && e.event === event && (stage === undefined || e.stage === stage));

describe("single-node applies that reboot drain the node first", () => {
  it("mode reboot: cordon → evict → apply → reboot, then the status job uncordons it once it is back", async () => {
    const id = t.ids[1]!;
    const h = hostOf(id);
    const timeline = sinceNow();
    const r = await applyNodeConfig(deps, id, { yaml: withHostname(workerYaml, "w-single"), mode: "reboot" }, { actor: USER });
    expect(r).toMatchObject({ result: "applied", mode: "reboot" });
    // The request ends once the node accepted: the Node is still cordoned and marked for after its boot.
    const marked = await kubeNode(id);
    expect(marked.unschedulable).toBe(true);
    expect(marked.annotations[MINOS_CORDONED_ANNOTATION]).toBeDefined();
    expect(marked.annotations[UNCORDON_AFTER_BOOT_ANNOTATION]).toBeDefined();

    const back = await waitFor(async () => {
      const n = await kubeNode(id);
      return !n.unschedulable && n.annotations[UNCORDON_AFTER_BOOT_ANNOTATION] === undefined ? n : undefined;
    }, 60_000, 200);
    expect(back.annotations[MINOS_CORDONED_ANNOTATION]).toBeUndefined();
    const tl = timeline();
    expect(at(tl, h, "cordon")).toBeGreaterThanOrEqual(0);
    expect(at(tl, h, "cordon")).toBeLessThan(at(tl, h, "evict"));
    expect(at(tl, h, "evict")).toBeLessThan(at(tl, h, "apply"));
    const reboot = at(tl, h, "stage", "rebooting");
    expect(at(tl, h, "apply")).toBeLessThan(reboot);
    const running = tl.findIndex((e, i) => i > reboot && e.hostname === h && e.event === "stage" && e.stage === "running");
    expect(running).toBeGreaterThan(reboot);
    expect(running).toBeLessThan(at(tl, h, "uncordon"));
    const entry = (await listAudit(deps.db, { limit: 10 })).find((e) => e.action === "config.apply" && e.target === id)!;
    expect(entry.details).toMatchObject({ drain: "drained", nodeName: h, onTimeout: "halt" });
  }, 90_000);

  it("a rollback that reboots drains the same way (the request's drain policy passed through)", async () => {
    const id = t.ids[1]!;
    const h = hostOf(id);
    const target = (await deps.revisions.list(id)).find((r) => r.result === "applied")!;
    const timeline = sinceNow();
    const r = await rollbackNodeConfig(deps, id, target.id, { mode: "reboot", drain: { enabled: true, timeoutSeconds: 30, onTimeout: "force" } }, USER);
    expect(r.mode).toBe("reboot");
    const tl = timeline();
    expect(at(tl, h, "cordon")).toBeGreaterThanOrEqual(0);
    expect(at(tl, h, "cordon")).toBeLessThan(at(tl, h, "apply"));
    const entry = (await listAudit(deps.db, { limit: 10 })).find((e) => e.action === "config.rollback" && e.target === id)!;
    expect(entry.details).toMatchObject({ drain: "drained", timeoutSeconds: 30, onTimeout: "force" });
    await waitFor(async () => ((await kubeNode(id)).unschedulable ? undefined : true), 60_000, 200);
  }, 90_000);

  it("pdb-blocks + halt: 409 drain_blocked naming the PDB, nothing applied, the node uncordoned", async () => {
    const id = t.ids[2]!;
    const h = hostOf(id);
    t.fleet.setFault({ node: h, fault: "pdb-blocks" });
    const revisionsBefore = (await deps.revisions.list(id)).length;
    const timeline = sinceNow();
    const e = await rejection(applyNodeConfig(deps, id, { yaml: withHostname(workerYaml, "w-pinned"), mode: "reboot", drain: { enabled: true, timeoutSeconds: 10, onTimeout: "halt" } }, { actor: USER }));
    expect(e.code).toBe("drain_blocked");
    expect(e.message).toContain(`default/pinned-${h}`);
    const result = (e as unknown as { details: DrainResult }).details;
    expect(result.outcome).toBe("blocked");
    expect(result.blocking.flatMap((p) => p.pdbs)).toContain(`default/pinned-${h}`);
    const tl = timeline();
    expect(at(tl, h, "cordon")).toBeGreaterThanOrEqual(0);
    expect(at(tl, h, "apply")).toBe(-1);
    expect(at(tl, h, "stage", "rebooting")).toBe(-1);
    const n = await kubeNode(id);
    expect(n.unschedulable).toBe(false);
    expect(n.annotations[MINOS_CORDONED_ANNOTATION]).toBeUndefined();
    expect(n.annotations[UNCORDON_AFTER_BOOT_ANNOTATION]).toBeUndefined();
    expect((await deps.revisions.list(id)).length).toBe(revisionsBefore);
    const entry = (await listAudit(deps.db, { limit: 10 })).find((x) => x.action === "config.apply" && x.target === id)!;
    expect(entry).toMatchObject({ result: "refused", details: { stage: "drain", drain: "blocked" } });
  }, 60_000);

  it("mode no-reboot: no cordon", async () => {
    const id = t.ids[2]!;
    const timeline = sinceNow();
    const r = await applyNodeConfig(deps, id, { yaml: withHostname(workerYaml, "w-noreboot"), mode: "no-reboot" }, { actor: USER });
    expect(r.mode).toBe("no-reboot");
    expect(timeline().filter((e) => e.event === "cordon")).toEqual([]);
    expect((await kubeNode(id)).unschedulable).toBe(false);
  }, 60_000);

  it("Kubernetes down: an explicit halt refuses with nothing applied; a request without a policy applies and says the drain was skipped", async () => {
    const id = t.ids[1]!;
    const h = hostOf(id);
    t.fleet.setFault({ node: h, fault: "kube-api-down" });
    const revisionsBefore = (await deps.revisions.list(id)).length;
    const timeline = sinceNow();
    const e = await rejection(applyNodeConfig(deps, id, { yaml: withHostname(workerYaml, "w-kube-down"), mode: "reboot", drain: { enabled: true, timeoutSeconds: 300, onTimeout: "halt" } }, { actor: USER }));
    expect(e.code).toBe("conflict");
    expect(e.message).toMatch(/^Kubernetes cannot be asked .*nothing was applied/);
    expect(at(timeline(), h, "apply")).toBe(-1);
    expect((await deps.revisions.list(id)).length).toBe(revisionsBefore);

    const r = await applyNodeConfig(deps, id, { yaml: withHostname(workerYaml, "w-kube-down"), mode: "reboot" }, { actor: USER });
    expect(r).toMatchObject({ result: "applied", mode: "reboot" });
    expect(r.warnings.some((w) => /the drain was skipped \(no drain policy in the request\)/.test(w))).toBe(true);
    expect(at(timeline(), h, "cordon")).toBe(-1);
    const entry = (await listAudit(deps.db, { limit: 10 })).find((x) => x.action === "config.apply" && x.target === id && x.result === "ok")!;
    expect(entry.details).toMatchObject({ drain: "skipped" });
  }, 60_000);

  it("drain.enabled false: a reboot without a cordon", async () => {
    const id = t.ids[2]!;
    const timeline = sinceNow();
    const r = await applyNodeConfig(deps, id, { yaml: withHostname(workerYaml, "w-nodrain"), mode: "reboot", drain: { enabled: false, timeoutSeconds: 300, onTimeout: "halt" } }, { actor: USER });
    expect(r.mode).toBe("reboot");
    expect(timeline().filter((e) => e.event === "cordon")).toEqual([]);
  }, 60_000);
});

describe("the apply request's drain", () => {
  it("defaults to none given (DEFAULT_DRAIN_POLICY applies) and caps the timeout at 600 s: the request waits for it", () => {
    expect(applyBodySchema.parse({ yaml: "x" }).drain).toBeUndefined();
    expect(applyBodySchema.parse({ yaml: "x", drain: {} }).drain).toEqual({ enabled: true, timeoutSeconds: 300, onTimeout: "halt" });
    expect(applyBodySchema.safeParse({ yaml: "x", drain: { timeoutSeconds: 601 } }).success).toBe(false);
    expect(applyBodySchema.safeParse({ yaml: "x", drain: { timeout: 10 } }).success).toBe(false);
  });
});
