/**
 * Node actions against the simulator through the real Talos client: a worker's reboot drains it
 * first (cordon → evict → reboot, uncordoned by the status job after its boot), a control plane
 * that leads hands leadership over before its reboot, the quorum guard refuses a reboot that would
 * break etcd quorum, the role floors, one action per node, no action beside a live upgrade, a
 * reset whose typed hostname does not match (422, nothing done), a shutdown that Talos drains
 * itself (Minos does not cordon). Every outcome is audited.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";

import type { TimelineEntry } from "@/lib/simulator/fleet";
import { withApplySlot } from "@/lib/server/configs/in-flight";
import { bootIdentity, sameBoot } from "@/lib/server/jobs/boot-identity";
import { createKubeAccessProvider } from "@/lib/server/kubernetes/access";
import { createNodeDrainer } from "@/lib/server/kubernetes/drainer";
import { startKubernetesStatusJob, type KubernetesStatusJob } from "@/lib/server/kubernetes/status";
import { UNCORDON_AFTER_BOOT_ANNOTATION, type KubeApi, type KubernetesAccessProvider } from "@/lib/server/kubernetes/types";
import { runNodeAction, type NodeActionDeps } from "@/lib/server/node-actions";
import { listAudit } from "@/lib/server/platform/audit";
import { etcdFacts } from "@/lib/server/upgrades/probes";
import { startConfigTestFleet, type ConfigTestFleet } from "@/test/configs/fleet";
import { rejection, waitFor } from "@/test/talos/fleet";

const operator = { label: "user:olga", role: "operator" as const };
const admin = { label: "user:ada", role: "admin" as const };
const viewer = { label: "user:vic", role: "viewer" as const };

let t: ConfigTestFleet;
let deps: NodeActionDeps;
let access: KubernetesAccessProvider;
let job: KubernetesStatusJob;
let cluster: string;

beforeAll(async () => {
  t = await startConfigTestFleet({ firstAddress: "127.0.241.1", controlPlanes: 3, workers: 2, podSeconds: 0.1 });
  cluster = t.fleet.clusters[0]!;
  const cp = t.fleet.nodes.find((n) => n.role === "controlplane")!.address;
  access = createKubeAccessProvider({ uploaded: async () => null, uploadStamp: async () => null, talos: async () => ({ client: t.clients.admin, controlPlanes: [cp] }), now: Date.now }, { callTimeoutMs: 2_000 });
  const drainer = createNodeDrainer(access, { retryMs: 200, pollMs: 100, forceWaitMs: 5_000 });
  deps = { ...t.deps, kubernetes: { access, drainer, hostname: (_c, address) => t.fleet.nodes.find((n) => n.address === address)?.hostname ?? null } };
  job = startKubernetesStatusJob(
    access,
    { clusterNames: () => [cluster], talosNodes: () => t.fleet.nodes.map((n) => ({ address: n.address, hostname: n.hostname })), setClusterKubernetes: () => {} },
    { intervalMs: 200, afterBoot: { bootedSince: async (_c, address, before) => !sameBoot(await bootIdentity(t.clients.admin, address, { like: before }), before) } },
  );
}, 60_000);

afterAll(async () => {
  job?.stop();
  await t?.stop();
});

afterEach(() => {
  t.fleet.clearFaults();
});

const cps = () => t.fleet.nodes.filter((n) => n.role === "controlplane");
const workers = () => t.fleet.nodes.filter((n) => n.role === "worker");
const idOf = (n: { address: string }) => t.idOf(n.address);
const api = async (): Promise<KubeApi> => {
  const a = await access.forCluster(cluster);
  if (!a.ok) throw new Error(a.message);
  return a.api;
};
const kubeNode = async (hostname: string) => (await (await api()).listNodes()).find((n) => n.name === hostname)!;
const sinceNow = () => {
  const from = t.fleet.timeline().length;
  return () => t.fleet.timeline().slice(from);
};
const at = (tl: TimelineEntry[], host: string, event: string, stage?: string) => tl.findIndex((e) => e.hostname === host && e.event === event && (stage === undefined || e.stage === stage));
const lastAudit = async (target: string) => (await listAudit(deps.db, { limit: 20 })).find((e) => e.target === target)!;
const running = (address: string) => waitFor(async () => (await t.clients.admin.machineStatus(address).catch(() => null))?.stage === "running" || undefined, 30_000, 100);
const etcdHealthy = () =>
  waitFor(async () => {
    const e = await etcdFacts(t.clients.admin, cps().map((n) => ({ id: idOf(n), address: n.address, hostname: n.hostname, role: "controlplane" as const, version: null, reachable: true })), { timeoutMs: 2_000 });
    return e.healthy.length === cps().length && e.leader !== null ? e : undefined;
  }, 30_000, 100);

describe("reboot", () => {
  it("a worker: cordon → evict → reboot, then uncordoned after its boot; audited with the drain", async () => {
    const w = workers()[0]!;
    const timeline = sinceNow();
    const r = await runNodeAction(deps, idOf(w), { kind: "reboot" }, { actor: operator });
    expect(r).toMatchObject({ node: idOf(w), action: "reboot", hostname: w.hostname, role: "worker" });
    expect(r.bootIdBefore).not.toBeNull();
    expect(r.steps.some((s) => s.startsWith("cordoned and drained"))).toBe(true);
    const back = await waitFor(async () => {
      const n = await kubeNode(w.hostname);
      return !n.unschedulable && n.annotations[UNCORDON_AFTER_BOOT_ANNOTATION] === undefined ? n : undefined;
    }, 60_000, 200);
    expect(back).toBeDefined();
    const tl = timeline();
    expect(at(tl, w.hostname, "cordon")).toBeGreaterThanOrEqual(0);
    expect(at(tl, w.hostname, "cordon")).toBeLessThan(at(tl, w.hostname, "evict"));
    expect(at(tl, w.hostname, "evict")).toBeLessThan(at(tl, w.hostname, "stage", "rebooting"));
    expect(at(tl, w.hostname, "stage", "rebooting")).toBeLessThan(at(tl, w.hostname, "uncordon"));
    expect(await lastAudit(idOf(w))).toMatchObject({ actor: "user:olga", action: "node.reboot", result: "ok", details: { mode: "default", drain: "drained" } });
  }, 90_000);

  it("the etcd leader forfeits leadership before its reboot", async () => {
    const e = await etcdHealthy();
    const leader = cps().find((n) => n.hostname === e.leader)!;
    const timeline = sinceNow();
    const r = await runNodeAction(deps, idOf(leader), { kind: "reboot", drain: { enabled: false, timeoutSeconds: 60, onTimeout: "halt" } }, { actor: operator });
    expect(r.role).toBe("controlplane");
    expect(r.steps.some((s) => s.startsWith("etcd leadership moved to"))).toBe(true);
    const tl = timeline();
    expect(at(tl, leader.hostname, "forfeit-leadership")).toBeGreaterThanOrEqual(0);
    expect(at(tl, leader.hostname, "forfeit-leadership")).toBeLessThan(at(tl, leader.hostname, "stage", "rebooting"));
    await running(leader.address);
  }, 60_000);

  it("refuses a control plane's reboot that would break etcd quorum (409, nothing done); the sick member itself may go", async () => {
    await etcdHealthy();
    const [a, , c] = cps();
    t.fleet.setFault({ node: c!.hostname, fault: "unhealthy", service: "etcd" });
    const timeline = sinceNow();
    const e = await rejection(runNodeAction(deps, idOf(a!), { kind: "reboot" }, { actor: operator }));
    expect(e.code).toBe("conflict");
    expect(e.message).toMatch(new RegExp(`^rebooting ${a!.hostname} would break etcd quorum: 2 of 3 members are healthy \\(${c!.hostname} not\\)`));
    expect(at(timeline(), a!.hostname, "stage", "rebooting")).toBe(-1);
    expect(at(timeline(), a!.hostname, "cordon")).toBe(-1);
    expect(await lastAudit(idOf(a!))).toMatchObject({ action: "node.reboot", result: "refused", details: { stage: "preflight", code: "conflict" } });

    // An operator may not override the guard; an admin may.
    expect((await rejection(runNodeAction(deps, idOf(a!), { kind: "reboot", ignoreQuorum: true }, { actor: operator }))).code).toBe("forbidden");

    const r = await runNodeAction(deps, idOf(c!), { kind: "reboot", drain: { enabled: false, timeoutSeconds: 60, onTimeout: "halt" } }, { actor: operator });
    expect(r.role).toBe("controlplane");
    t.fleet.clearFaults();
    await running(c!.address);
  }, 60_000);

  it("a viewer may not; Minos's talosconfig of os:reader may not (403 with the reason)", async () => {
    const w = workers()[1]!;
    const e1 = await rejection(runNodeAction(deps, idOf(w), { kind: "reboot" }, { actor: viewer }));
    expect(e1.code).toBe("forbidden");
    const readerDeps = { ...deps, talosRoles: async () => ["os:reader"] };
    const e2 = await rejection(runNodeAction(readerDeps, idOf(w), { kind: "reboot" }, { actor: operator }));
    expect(e2).toMatchObject({ code: "forbidden", message: `Minos's talosconfig for cluster ${cluster} has os:reader; Talos needs os:operator for Reboot` });
  });

  it("one action per node: refused while the node's apply slot is held", async () => {
    const w = workers()[1]!;
    let inner: Error & { code?: string } = new Error("not run");
    await withApplySlot(idOf(w), "an apply by user:ada", async () => {
      inner = await rejection(runNodeAction(deps, idOf(w), { kind: "reboot" }, { actor: operator }));
    });
    expect(inner.code).toBe("conflict");
    expect(inner.message).toContain("an apply by user:ada");
  });

  it("refused beside a live Talos upgrade of the cluster, unless the caller is that kind of run", async () => {
    const w = workers()[1]!;
    const now = new Date().toISOString();
    await deps.db
      .insertInto("upgrade_plans")
      .values({ id: "u-live", cluster, target_version: "v1.13.2", image: "ghcr.io/siderolabs/installer:v1.13.2", strategy: "{}", state: "paused", reason: null, actor: "user:ada", checks: "[]", batches: "[]", etcd_members: null, created_at: now, started_at: null, finished_at: null, updated_at: now })
      .execute();
    try {
      const e = await rejection(runNodeAction(deps, idOf(w), { kind: "reboot" }, { actor: operator }));
      expect(e).toMatchObject({ code: "conflict" });
      expect(e.message).toContain("a Talos upgrade in progress (u-live, paused)");
    } finally {
      await deps.db.deleteFrom("upgrade_plans").where("id", "=", "u-live").execute();
    }
  });
});

describe("reset", () => {
  it("an operator may not (admin only)", async () => {
    const w = workers()[1]!;
    const e = await rejection(runNodeAction(deps, idOf(w), { kind: "reset", graceful: true, mode: "all", confirm: w.hostname }, { actor: operator }));
    expect(e.code).toBe("forbidden");
  });

  it("a confirmation that is not the hostname: 422 confirmation_mismatch, nothing done, audited without the typed text", async () => {
    const w = workers()[1]!;
    const timeline = sinceNow();
    const e = await rejection(runNodeAction(deps, idOf(w), { kind: "reset", graceful: true, mode: "all", confirm: `${w.hostname}x` }, { actor: admin }));
    expect(e).toMatchObject({ code: "confirmation_mismatch", message: `The confirmation does not match the node's hostname: type "${w.hostname}" to reset it. Nothing was done` });
    expect(timeline().filter((x) => x.hostname === w.hostname)).toEqual([]);
    const entry = await lastAudit(idOf(w));
    expect(entry).toMatchObject({ action: "node.reset", result: "refused", details: { graceful: true, mode: "all", reboot: false, code: "confirmation_mismatch" } });
    expect(JSON.stringify(entry.details)).not.toContain(`${w.hostname}x`);
  });
});

describe("services (what Talos's API allows)", () => {
  it("restarts the kubelet of a worker: Talos's answer, the simulator saw it, audited", async () => {
    const w = workers()[0]!;
    const timeline = sinceNow();
    const r = await runNodeAction(deps, idOf(w), { kind: "service", action: "restart", service: "kubelet" }, { actor: operator });
    expect(r).toMatchObject({ action: "service-restart", message: 'Service "kubelet" restarted' });
    expect(timeline().some((e) => e.hostname === w.hostname && e.event === "service-restart" && e.detail === "kubelet")).toBe(true);
    expect(await lastAudit(idOf(w))).toMatchObject({ action: "node.service-restart", result: "ok", details: { service: "kubelet", message: 'Service "kubelet" restarted' } });
    await waitFor(async () => (await t.clients.admin.services(w.address))["kubelet"]?.running || undefined, 10_000, 100);
  }, 30_000);

  it("Talos's refusals keep Talos's text: etcd restart and kubelet stop are unsupported, an unknown service not found", async () => {
    const cp = cps()[0]!;
    const e1 = await rejection(runNodeAction(deps, idOf(cp), { kind: "service", action: "restart", service: "etcd" }, { actor: operator }));
    expect(e1).toMatchObject({ code: "unsupported", message: 'service "etcd" doesn\'t support restart operation via API' });
    const e2 = await rejection(runNodeAction(deps, idOf(cp), { kind: "service", action: "stop", service: "kubelet" }, { actor: operator }));
    expect(e2).toMatchObject({ code: "unsupported", message: 'service "kubelet" doesn\'t support stop operation via API' });
    const e3 = await rejection(runNodeAction(deps, idOf(cp), { kind: "service", action: "start", service: "nope" }, { actor: operator }));
    expect(e3).toMatchObject({ code: "not_found", message: 'service "nope" not defined' });
    expect(await lastAudit(idOf(cp))).toMatchObject({ action: "node.service-start", result: "failed", details: { service: "nope", code: "not_found" } });
  });

  it("a viewer may not", async () => {
    const e = await rejection(runNodeAction(deps, idOf(workers()[0]!), { kind: "service", action: "restart", service: "kubelet" }, { actor: viewer }));
    expect(e.code).toBe("forbidden");
  });
});

describe("shutdown", () => {
  it("without force: Talos drains the node itself, Minos does not cordon it; the node powers off", async () => {
    const w = workers()[1]!;
    const timeline = sinceNow();
    const r = await runNodeAction(deps, idOf(w), { kind: "shutdown" }, { actor: operator });
    expect(r).toMatchObject({ action: "shutdown", hostname: w.hostname, role: "worker" });
    expect(r.steps).toContain("Talos cordons and drains the node itself before it powers off; Minos does not drain it twice");
    await waitFor(async () => (at(timeline(), w.hostname, "shutdown") >= 0 && at(timeline(), w.hostname, "cordon") >= 0) || undefined, 10_000, 50);
    // One drain, Talos's (the simulator marks its cordon "talos"); none by Minos.
    const cordons = timeline().filter((x) => x.hostname === w.hostname && x.event === "cordon");
    expect(cordons.map((x) => x.detail)).toEqual(["talos"]);
    await waitFor(async () => timeline().some((x) => x.hostname === w.hostname && x.event === "evict") || undefined, 10_000, 50);
    expect(await lastAudit(idOf(w))).toMatchObject({ action: "node.shutdown", result: "ok", details: { force: false } });
  }, 30_000);
});
