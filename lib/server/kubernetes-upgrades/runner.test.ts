import { randomBytes } from "node:crypto";

import { afterEach, describe, expect, it } from "vitest";

import type { KubernetesUpgradeEvent, KubernetesUpgradePlan } from "@/lib/schemas/kubernetes-upgrades";
import { kubernetesUpgradeRequestSchema } from "@/lib/schemas/kubernetes-upgrades";
import { withApplySlot } from "@/lib/server/configs/in-flight";
import { RevisionRepository } from "@/lib/server/configs/revisions";
import type { Db } from "@/lib/server/platform/db/db";
import { AppError } from "@/lib/server/platform/errors";
import { SecretBox } from "@/lib/server/platform/secret-box";
import { realClock, type Clock } from "@/lib/utils/clock";
import { testDb } from "@/test/db";
import { FakeCluster, smallCluster } from "@/test/kubernetes-upgrades/fake-cluster";

import { KubernetesUpgradeRunner } from "./runner";

const runners: KubernetesUpgradeRunner[] = [];
afterEach(async () => {
  await Promise.all(runners.splice(0).map((r) => r.stop()));
});

function runner(db: Db, cluster: FakeCluster, more: {
    client?: () => ReturnType<FakeCluster["talos"]>;
    record?: (trx: Db, cluster: string, version: string, id: string) => Promise<number | null>;
    manifestVersion?: string;
    owner?: string; clock?: Clock; lease?: { ttlMs: number; renewMs: number }; events?: KubernetesUpgradeEvent[]; manifests?: string[] } = {}) {
  const r = new KubernetesUpgradeRunner({
    db,
    client: async () => (more.client ? more.client() : cluster.talos()),
    clusterNodes: async () => cluster.nodes.map((n) => n.address),
    kube: async () => cluster.access(),
    revisions: new RevisionRepository(db, new SecretBox(randomBytes(32))),
    recordManifestVersion:
      more.record ??
      (async (_trx, c, v, id) => {
        more.manifests?.push(`${c} ${v} ${id}`);
        return more.manifests ? 7 : null;
      }),
    manifestKubernetesVersion: more.manifestVersion ? async () => more.manifestVersion! : undefined,
    clock: more.clock,
    lease: more.lease,
    owner: more.owner ?? "a",
    pollIntervalMs: 5,
    scanIntervalMs: 50,
    log: () => {},
    publish: (e) => more.events?.push(e),
  });
  runners.push(r);
  return r;
}

const req = (version: string, more: object = {}) => kubernetesUpgradeRequestSchema.parse({ cluster: "c", version, ...more });

async function settle(r: KubernetesUpgradeRunner, id: string): Promise<KubernetesUpgradePlan> {
  for (let i = 0; i < 2000; i++) {
    const p = await r.getOrThrow(id);
    if (["succeeded", "failed", "cancelled"].includes(p.state) && r.driving().length === 0) return p;
    await new Promise((res) => setTimeout(res, 5));
  }
  throw new Error("the plan did not finish");
}

describe("KubernetesUpgradeRunner", () => {
  it("upgrades one minor: static pods one control plane at a time, kube-proxy, kubelets control planes first, then the manifests", async () => {
    const db = await testDb();
    const cluster = smallCluster("1.33.4");
    const events: KubernetesUpgradeEvent[] = [];
    const manifests: string[] = [];
    const r = runner(db, cluster, { events, manifests });
    const created = await r.create(req("v1.34.1"), "user:ada");
    expect(created.state).toBe("running");
    const plan = await settle(r, created.id);
    expect(plan.state).toBe("succeeded");
    expect(plan.progress.percent).toBe(100);
    expect(plan.steps.every((s) => s.state === "done")).toBe(true);
    for (const n of cluster.nodes) {
      expect(cluster.configImage(n, "kubelet")).toBe("ghcr.io/siderolabs/kubelet:v1.34.1");
      expect(cluster.configImage(n, "kube-proxy")).toBe(n.role === "controlplane" ? "registry.k8s.io/kube-proxy:v1.34.1" : "registry.k8s.io/kube-proxy:v1.33.4");
    }
    // Each component restarted on one node only after the previous one was done (one at a time), in upgrade-k8s's order.
    const order = cluster.calls.filter((c) => c.startsWith("apply ") || c.startsWith("restart ")).map((c) => c.replace(/ registry.*| ghcr.*/, ""));
    expect(order).toEqual([
      "apply cp-1 no-reboot",
      "restart cp-1/kube-apiserver",
      "apply cp-2 no-reboot",
      "restart cp-2/kube-apiserver",
      "apply cp-1 no-reboot",
      "restart cp-1/kube-controller-manager",
      "apply cp-2 no-reboot",
      "restart cp-2/kube-controller-manager",
      "apply cp-1 no-reboot",
      "restart cp-1/kube-scheduler",
      "apply cp-2 no-reboot",
      "restart cp-2/kube-scheduler",
      "apply cp-1 no-reboot",
      "apply cp-2 no-reboot",
      "apply cp-1 no-reboot",
      "restart cp-1/kubelet",
      "apply cp-2 no-reboot",
      "restart cp-2/kubelet",
      "apply w-1 no-reboot",
      "restart w-1/kubelet",
    ]);
    // Pre-pulled into the right containerd (control-plane images into CRI, the kubelet into system), before any apply.
    const pulls = cluster.calls.filter((c) => c.startsWith("pull "));
    expect(pulls).toContain("pull cp-1 cri registry.k8s.io/kube-apiserver:v1.34.1");
    expect(pulls).toContain("pull w-1 system ghcr.io/siderolabs/kubelet:v1.34.1");
    expect(cluster.calls.findIndex((c) => c.startsWith("pull "))).toBeLessThan(cluster.calls.findIndex((c) => c.startsWith("apply ")));
    // The manifests: read from the first control plane, applied server-side as "talos", the ServiceAccount before the DaemonSet.
    expect(cluster.applied.map((a) => `${a.fieldManager} ${a.object.kind as string}`)).toEqual(["talos ServiceAccount", "talos DaemonSet"]);
    expect(JSON.stringify(cluster.applied[1]!.object)).toContain("registry.k8s.io/kube-proxy:v1.34.1");
    // …and waited for kube-proxy to roll out before calling the upgrade done.
    const sync = plan.steps.at(-1)!.messages.map((m) => m.text);
    expect(sync).toContain("waiting: DaemonSet kube-system/kube-proxy: 1 of 3 pods updated");
    expect(sync.at(-1)).toBe("2 bootstrap manifest objects synced by server-side apply: 2 configured, and reconciled");
    // The waits are in the steps' messages, and the manifest got its new version.
    expect(plan.steps.find((s) => s.kind === "kube-apiserver")!.messages.map((m) => m.text)).toContain("waiting: kube-apiserver-cp-1: pod is not ready, waiting");
    expect(manifests).toEqual([`c 1.34.1 ${plan.id}`]);
    expect(plan.manifestRevision).toBe(7);
    expect(events.at(-1)!.plan.state).toBe("succeeded");
    // The config patches are audited one by one (their own test below); the plan's start and end here.
    const audit = await db.selectFrom("audit_log").select(["action", "actor", "result"]).where("action", "!=", "kubernetes-upgrade.config").orderBy("id").execute();
    expect(audit.map((a) => `${a.action} ${a.actor} ${a.result}`)).toEqual(["kubernetes-upgrade.start user:ada ok", "kubernetes-upgrade.succeeded system ok"]);
  });

  it("pre-pulls through the legacy MachineService/ImagePull on nodes before 1.13", async () => {
    const db = await testDb();
    const cluster = smallCluster("1.33.4");
    cluster.nodes[2]!.talosVersion = "v1.12.4";
    const r = runner(db, cluster);
    const plan = await settle(r, (await r.create(req("1.34.1"))).id);
    expect(plan.state).toBe("succeeded");
    expect(cluster.calls.filter((c) => c.startsWith("pull-legacy "))).toEqual(["pull-legacy w-1 system ghcr.io/siderolabs/kubelet:v1.34.1"]);
    expect(cluster.calls.filter((c) => c.startsWith("pull cp-1 "))).toHaveLength(4);
    expect(plan.manifestsSync).toBe("legacy");
  });

  it("refuses an unsupported jump and a target a node's Talos cannot run, with the reason, and audits the refusal", async () => {
    const db = await testDb();
    const r = runner(db, smallCluster("1.33.4", "v1.11.3"));
    const preview = await r.preview(req("1.35.0"));
    expect(preview.canStart).toBe(false);
    expect(preview.checks.map((c) => c.code)).toEqual(["unsupported_path", "talos_support", "talos_support", "talos_support"]);
    await expect(r.create(req("1.35.0"))).rejects.toMatchObject({ code: "conflict", message: expect.stringContaining("upgrade to 1.34 first") });
    const audit = await db.selectFrom("audit_log").select(["action", "result"]).execute();
    expect(audit).toEqual([{ action: "kubernetes-upgrade.start", result: "refused" }]);
  });

  it("writes each config through the configs subsystem: a config revision per patch (source kubernetes-upgrade), audited", async () => {
    const db = await testDb();
    const cluster = smallCluster("1.33.4");
    const r = runner(db, cluster);
    const plan = await settle(r, (await r.create(req("1.34.1", { prePullImages: false }), "user:ada")).id);
    expect(plan.state).toBe("succeeded");
    const revisions = new RevisionRepository(db, new SecretBox(randomBytes(32)));
    const cp1 = await revisions.list("10.0.0.2@c");
    // kube-apiserver, kube-controller-manager, kube-scheduler, kube-proxy, kubelet: one revision each, newest first.
    expect(cp1.map((v) => [v.source, v.result, v.author])).toEqual(Array(5).fill(["kubernetes-upgrade", "applied", "user:ada"]));
    expect(cp1.map((v) => v.mode)).toEqual(Array(5).fill("no-reboot"));
    expect(await revisions.list("10.0.0.5@c")).toHaveLength(1);
    const audit = await db.selectFrom("audit_log").select(["action", "target"]).where("action", "=", "kubernetes-upgrade.config").execute();
    expect(audit).toHaveLength(11);
  });

  it("refuses the patch when the config changed between its read and the apply, and when another apply holds the node", async () => {
    const db = await testDb();
    const cluster = smallCluster("1.33.4");
    let interfere = true;
    const client = () => {
      const talos = cluster.talos();
      return {
        ...talos,
        machineConfig: async (a: string, o?: object) => {
          const read = await talos.machineConfig(a);
          // Someone else's apply lands right after the step's first read. The preview's reads come
          // before the plan row exists; the drive starts inside create, so a flag set after create
          // could miss the step's read.
          const planExists = (await db.selectFrom("kubernetes_upgrades").select("id").executeTakeFirst()) !== undefined;
          if (interfere && planExists && a === "10.0.0.2") {
            interfere = false;
            cluster.node(a).config += "# changed by another apply\n";
          }
          void o;
          return read;
        },
      };
    };
    const r = runner(db, cluster, { client });
    const created = await r.create(req("1.34.1", { prePullImages: false }));
    const plan = await settle(r, created.id);
    expect(plan.state).toBe("failed");
    expect(plan.reason).toMatch(/the machine config of cp-1 changed while this step was patching it/);
    expect(cluster.calls.filter((c) => c.startsWith("apply "))).toEqual([]);

    // The node's apply slot held (a person's apply in flight): the step is refused, nothing applied.
    const db2 = await testDb();
    const other = smallCluster("1.33.4");
    const r2 = runner(db2, other);
    let release!: () => void;
    const held = withApplySlot("10.0.0.2@c", "an apply by user:bob", () => new Promise<void>((res) => (release = res)));
    const blocked = await settle(r2, (await r2.create(req("1.34.1", { prePullImages: false }))).id);
    release();
    await held;
    expect(blocked.state).toBe("failed");
    expect(blocked.reason).toMatch(/Another apply to 10\.0\.0\.2@c is in progress \(an apply by user:bob\)/);
    expect(other.calls.filter((c) => c.startsWith("apply "))).toEqual([]);
  });

  it("records the manifest's new version in the transaction of the success: a failed write is retried, not logged away", async () => {
    const db = await testDb();
    const cluster = smallCluster("1.33.4");
    let calls = 0;
    const r = runner(db, cluster, {
      record: async (trx, c) => {
        calls++;
        // The success's own transaction: the plan is not succeeded yet inside it.
        expect((await trx.selectFrom("kubernetes_upgrades").select("state").where("cluster", "=", c).executeTakeFirstOrThrow()).state).toBe("running");
        if (calls === 1) throw new Error("database is locked");
        return 7;
      },
    });
    const created = await r.create(req("1.34.1", { prePullImages: false }));
    // The failed success ends the drive; the scan takes the still-running plan up again.
    r.start();
    const plan = await settle(r, created.id);
    expect(plan.state).toBe("succeeded");
    expect(calls).toBe(2);
    expect(plan.manifestRevision).toBe(7);
    expect(plan.reason).toBeNull();
  });

  it("shows a manifest conflict on the succeeded plan, and the old manifest version on a failed one", async () => {
    const db = await testDb();
    const r = runner(db, smallCluster("1.33.4"), {
      record: async () => {
        throw new AppError("conflict", 'Cluster "c" has manifest revision 4 now, not 3');
      },
    });
    const plan = await settle(r, (await r.create(req("1.34.1", { prePullImages: false }))).id);
    expect(plan.state).toBe("succeeded");
    expect(plan.manifestRevision).toBeNull();
    expect(plan.reason).toBe('The cluster manifest was not updated to Kubernetes 1.34.1: Cluster "c" has manifest revision 4 now, not 3. Set cluster.kubernetesVersion in the manifest, or a later render turns the cluster back.');

    const db2 = await testDb();
    const stuck = smallCluster("1.33.4");
    stuck.stuck.add("cp-1/kube-apiserver");
    let skew = 0;
    const clock: Clock = { ...realClock, now: () => Date.now() + skew };
    const r2 = runner(db2, stuck, { clock, lease: { ttlMs: 3_600_000, renewMs: 1000 }, manifestVersion: "v1.33.4" });
    const created = await r2.create(req("1.34.1", { prePullImages: false, stepTimeoutSeconds: 10 }));
    for (let i = 0; i < 400 && !(await r2.getOrThrow(created.id)).steps[0]!.messages.some((m) => m.text.startsWith("waiting: kube-apiserver-cp-1")); i++) await new Promise((res) => setTimeout(res, 5));
    skew = 60_000;
    const failed = await settle(r2, created.id);
    expect(failed.state).toBe("failed");
    expect(failed.reason).toMatch(/^kube-apiserver on cp-1: .* The cluster manifest still says Kubernetes v1\.33\.4; the steps done already run 1\.34\.1\.$/);
  });

  it("halts at a component that does not come back, skipping the rest", async () => {
    const db = await testDb();
    const cluster = smallCluster("1.33.4");
    cluster.stuck.add("cp-2/kube-apiserver");
    let skew = 0;
    const clock: Clock = { ...realClock, now: () => Date.now() + skew };
    // A lease that outlives the jump of the clock below.
    const r = runner(db, cluster, { clock, lease: { ttlMs: 3_600_000, renewMs: 1000 } });
    const created = await r.create(req("1.34.1", { prePullImages: false, stepTimeoutSeconds: 10 }));
    // Let the wait see the pod not Ready, then jump past its deadline.
    for (let i = 0; i < 400 && !(await r.getOrThrow(created.id)).steps[1]!.messages.some((m) => m.text.startsWith("waiting: kube-apiserver-cp-2")); i++) await new Promise((res) => setTimeout(res, 5));
    skew = 60_000;
    const plan = await settle(r, created.id);
    expect(plan.state).toBe("failed");
    expect(plan.steps.map((s) => s.state)).toEqual(["done", "failed", ...plan.steps.slice(2).map(() => "skipped")]);
    expect(plan.reason).toBe("kube-apiserver on cp-2: not on the new version within 10 s: kube-apiserver-cp-2: pod is not ready, waiting");
    expect(cluster.calls.filter((c) => c.startsWith("apply "))).toHaveLength(2);
  });

  it("pauses after the step in flight, resumes, and a new runner resumes a plan mid-step without applying twice", async () => {
    const db = await testDb();
    const cluster = smallCluster("1.33.4");
    cluster.restartLooks = 1_000_000;
    const a = runner(db, cluster, { owner: "a" });
    const created = await a.create(req("1.34.1", { prePullImages: false, upgradeKubelet: false }));
    for (let i = 0; i < 400 && (await a.getOrThrow(created.id)).steps[0]!.state !== "waiting"; i++) await new Promise((res) => setTimeout(res, 5));
    const paused = await a.control(created.id, "pause", "user:ada");
    expect(paused.state).toBe("paused");
    // Another replica looking for plans leaves it alone while "a" holds its lease.
    const early = runner(db, cluster, { owner: "c" });
    await early.scan();
    expect(early.driving()).toEqual([]);
    expect(a.driving()).toEqual([created.id]);
    await early.stop();
    // The runner stops (a restart) while the first step waits; another one takes the plan over.
    await a.stop();
    expect((await a.getOrThrow(created.id)).steps[0]!.state).toBe("waiting");
    cluster.restartLooks = 1;
    const b = runner(db, cluster, { owner: "b" });
    b.start();
    await expect.poll(async () => (await b.getOrThrow(created.id)).steps[0]!.state, { timeout: 5000 }).toBe("done");
    // Paused: the next step does not start.
    expect((await b.getOrThrow(created.id)).steps[1]!.state).toBe("pending");
    await b.control(created.id, "resume", "user:ada");
    const plan = await settle(b, created.id);
    expect(plan.state).toBe("succeeded");
    expect(plan.steps[0]!.attempts).toBe(2);
    expect(plan.steps[0]!.messages.map((m) => m.text)).toContain("Minos resumed this step while it was waiting");
    // apiserver ×2, controller-manager ×2, scheduler ×2, kube-proxy ×2: each config applied once.
    expect(cluster.calls.filter((c) => c.startsWith("apply "))).toHaveLength(8);
  });

  it("cancels: the step in flight finishes, the rest is skipped", async () => {
    const db = await testDb();
    const cluster = smallCluster("1.33.4");
    cluster.restartLooks = 20;
    const r = runner(db, cluster);
    const created = await r.create(req("1.34.1", { prePullImages: false }));
    for (let i = 0; i < 400 && (await r.getOrThrow(created.id)).steps[0]!.state !== "waiting"; i++) await new Promise((res) => setTimeout(res, 5));
    await r.control(created.id, "cancel", "user:ada");
    const plan = await settle(r, created.id);
    expect(plan.state).toBe("cancelled");
    expect(plan.steps[0]!.state).toBe("done");
    expect(plan.steps.slice(1).every((s) => s.state === "skipped")).toBe(true);
    await expect(r.control(created.id, "resume")).rejects.toMatchObject({ code: "conflict" });
  });

  it("refuses to start without Kubernetes, saying why; and a step waits through a Kubernetes outage", async () => {
    const db = await testDb();
    const cluster = smallCluster("1.33.4");
    cluster.kubeDown = true;
    const r = runner(db, cluster);
    await expect(r.create(req("1.34.1"))).rejects.toMatchObject({ code: "conflict", message: "The Kubernetes upgrade was refused: Kubernetes cannot be asked: the API server did not answer" });
    cluster.kubeDown = false;
    // The first step's pod restarts until released below: a loaded machine must not see it done before the outage.
    cluster.restartLooks = 1_000_000;
    const created = await r.create(req("1.34.1", { prePullImages: false }));
    // The API goes away once the first config is applied, and comes back: the step only waits.
    await expect.poll(async () => (await r.getOrThrow(created.id)).steps[0]!.state, { interval: 5, timeout: 15_000 }).toBe("waiting");
    cluster.kubeDown = true;
    await expect.poll(async () => (await r.getOrThrow(created.id)).steps[0]!.messages.map((m) => m.text), { timeout: 15_000 }).toContain("waiting: Kubernetes cannot be asked: the API server did not answer");
    cluster.kubeDown = false;
    cluster.restartLooks = 1;
    expect((await settle(r, created.id)).state).toBe("succeeded");
  });

  it("refuses to start beside a live Talos upgrade of the cluster (409 naming it), writing no plan", async () => {
    const db = await testDb();
    const at = new Date().toISOString();
    await db
      .insertInto("upgrade_plans")
      .values({ id: "u-1", cluster: "c", target_version: "v1.13.2", image: "i", strategy: "{}", state: "running", reason: null, actor: "user:bob", checks: "[]", batches: "[]", etcd_members: null, created_at: at, started_at: at, finished_at: null, updated_at: at })
      .execute();
    const r = runner(db, smallCluster("1.33.4"));
    await expect(r.create(req("1.34.1"))).rejects.toMatchObject({ code: "conflict", message: expect.stringContaining('Cluster "c" has a Talos upgrade in progress (u-1, running)') });
    expect(await r.list({ limit: 10 })).toEqual([]);
  });

  it("allows one live upgrade per cluster", async () => {
    const db = await testDb();
    const cluster = smallCluster("1.33.4");
    cluster.restartLooks = 1_000_000;
    const r = runner(db, cluster);
    const first = await r.create(req("1.34.1", { prePullImages: false }));
    await expect(r.create(req("1.34.1"))).rejects.toMatchObject({ code: "conflict", details: { planId: first.id } });
    await r.control(first.id, "cancel");
  });
});
