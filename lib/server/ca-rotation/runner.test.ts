import { randomBytes } from "node:crypto";

import { beforeAll, describe, expect, it } from "vitest";

import { caRotationRequestSchema } from "@/lib/schemas/ca-rotation";
import type { KubeApi } from "@/lib/server/kubernetes/types";
import type { Db } from "@/lib/server/platform/db/db";
import { SecretBox } from "@/lib/server/platform/secret-box";
import type { TalosContext } from "@/lib/server/talos/talosconfig";
import { type CertAndKey, createTalosCa, issueClientCert, toTalosKeyPem } from "@/lib/talos/pki";
import { testDb } from "@/test/db";
import { waitFor } from "@/test/talos/fleet";

import { CaRotationRunner } from "./runner";
import type { RotationTalos } from "./steps";

const b64 = (s: string) => Buffer.from(s).toString("base64");
let os: CertAndKey;
let k8s: CertAndKey;
let context: TalosContext;

beforeAll(async () => {
  [os, k8s] = await Promise.all([createTalosCa("os"), createTalosCa("kubernetes")]);
  const client = await issueClientCert(os, { roles: ["os:admin"] });
  context = {
    name: "prod",
    endpoints: [{ host: "10.0.0.2", port: 50000, address: "10.0.0.2" }],
    nodes: ["10.0.0.2", "10.0.0.5"],
    caPem: os.certPem,
    certPem: client.certPem,
    keyPem: client.keyPem,
    roles: ["os:admin"],
    certNotBefore: new Date(),
    certNotAfter: new Date(),
    certSubject: "O=os:admin",
    certFingerprint: "x",
  };
});

const config = (role: "controlplane" | "worker") =>
  [
    "version: v1alpha1",
    "machine:",
    `    type: ${role}`,
    "    ca:",
    `        crt: ${b64(os.certPem)}`,
    ...(role === "controlplane" ? [`        key: ${b64(toTalosKeyPem(os.keyPem))}`] : []),
    "cluster:",
    "    ca:",
    `        crt: ${b64(k8s.certPem)}`,
    "",
  ].join("\n");

/** Talos in memory: configs per node, and applies that wait for the test to let them through. */
function fakeTalos(extraMembers: { hostname: string; address: string }[] = [], o: { gated?: boolean; kubeletRestarts?: boolean } = {}) {
  const gated = o.gated ?? true;
  let tick = 1000;
  const kubeletEvents = new Map<string, { msg: string; state: string; ts: Date }[]>();
  const configs = new Map([
    ["10.0.0.2", config("controlplane")],
    ["10.0.0.5", config("worker")],
  ]);
  const gates: (() => void)[] = [];
  let applies = 0;
  const talos: RotationTalos = {
    version: async () => ({ tag: "v1.13.0", sha: "", built: "", goVersion: "", os: "", arch: "", rbac: true }),
    hostname: async (node) => (node === "10.0.0.2" ? "cp-1" : "w-1"),
    clusterMembers: async () =>
      [
        { hostname: "cp-1", address: "10.0.0.2", machineType: "controlplane" as const },
        { hostname: "w-1", address: "10.0.0.5", machineType: "worker" as const },
        ...extraMembers.map((m) => ({ ...m, machineType: "worker" as const })),
      ].map((m) => ({ id: m.hostname, nodeId: `id-${m.hostname}`, hostname: m.hostname, addresses: [m.address], machineType: m.machineType, operatingSystem: "Talos (v1.13.0)" })),
    machineConfig: async (node) => {
      const yaml = configs.get(node!);
      if (!yaml) throw Object.assign(new Error(`connection refused to ${node}`), { code: "node_unreachable" });
      return { yaml, version: "1" };
    },
    applyConfiguration: async (node, a) => {
      if (gated) await new Promise<void>((resolve) => gates.push(resolve));
      applies++;
      configs.set(node!, String(a.data));
      // Talos restarts the kubelet on a cluster.ca change; this fake does when told to.
      if (o.kubeletRestarts) kubeletEvents.set(node!, [...(kubeletEvents.get(node!) ?? []), ...["Stopping", "Finished", "Starting", "Running"].map((state) => ({ msg: "", state, ts: new Date((tick += 10)) }))]);
      return { mode: "no-reboot", modeDetails: "", warnings: [] };
    },
    services: async () => ({ kubelet: { running: true, healthy: true, unknown: false } }),
    serviceList: async (node) => [{ id: "kubelet", state: "Running", events: kubeletEvents.get(node!) ?? [{ msg: "", state: "Running", ts: new Date(tick) }] }],
    kubeconfig: async () => "kubeconfig",
  };
  return { talos, gates, configs, applies: () => applies };
}

function runner(db: Db, talos: RotationTalos): CaRotationRunner {
  return new CaRotationRunner({
    db,
    box: new SecretBox(randomBytes(32)),
    context: async () => context,
    origin: async () => "file",
    talos: () => talos,
    kube: () => ({ listNodes: async () => [{ name: "cp-1", ready: true }, { name: "w-1", ready: true }] }) as unknown as KubeApi,
    replaceTalosconfig: async () => true,
    pollMs: 10,
    log: () => {},
  });
}

describe("CA rotation runner", () => {
  it("pause lets the step in flight finish and starts no other; cancel then skips the rest and states the way back", async () => {
    const db = await testDb();
    const fake = fakeTalos();
    const r = runner(db, fake.talos);
    try {
      const created = await r.create(caRotationRequestSchema.parse({ cluster: "prod", talos: true, kubernetes: false, verifyTimeoutSeconds: 5 }));
      expect(created.state).toBe("running");
      // The first accept (cp-1) is in flight: its apply waits at the gate.
      await waitFor(async () => fake.gates.length === 1, 5_000);
      expect((await r.control(created.id, "pause", "ada")).state).toBe("paused");
      fake.gates.shift()!();
      await waitFor(async () => (await r.get(created.id))!.steps[1]!.state === "done", 5_000);
      const paused = (await r.get(created.id))!;
      expect(paused.state).toBe("paused");
      expect(paused.steps[2]!.state).toBe("pending");
      expect(fake.gates).toHaveLength(0);

      expect((await r.control(created.id, "cancel", "ada")).state).toBe("cancelling");
      const done = await waitFor(async () => {
        const x = await r.get(created.id);
        return x?.state === "cancelled" ? x : undefined;
      }, 5_000);
      expect(done.steps.map((s) => s.state)).toEqual(["done", "done", ...done.steps.slice(2).map(() => "skipped")]);
      expect(done.wayBack).toMatch(/only added to machine\.acceptedCAs/);
      expect(fake.applies()).toBe(1);
      await expect(r.control(created.id, "resume", "ada")).rejects.toMatchObject({ code: "conflict" });
      // No node was swapped: the existing talosconfig still works, none of the new CA is handed out.
      await expect(r.newTalosconfig(created.id, "ada")).rejects.toMatchObject({ code: "conflict", message: expect.stringContaining("no node was moved to the new Talos CA yet") });
    } finally {
      for (const g of fake.gates) g();
      await r.stop();
    }
  });

  it("plans over the discovered members, not only the talosconfig's nodes; a member it cannot read is a problem", async () => {
    const db = await testDb();
    const fake = fakeTalos([{ hostname: "w-2", address: "10.0.0.9" }]);
    const r = runner(db, fake.talos);
    try {
      const dry = await r.dryRun(caRotationRequestSchema.parse({ cluster: "prod", talos: true, kubernetes: false }));
      expect(dry.problems).toEqual([expect.stringContaining("node 10.0.0.9: its config could not be read")]);
      await expect(r.create(caRotationRequestSchema.parse({ cluster: "prod", talos: true, kubernetes: false }))).rejects.toMatchObject({ code: "conflict" });
      // Once it answers, it is planned like the talosconfig's nodes.
      fake.configs.set("10.0.0.9", config("worker"));
      const again = await r.dryRun(caRotationRequestSchema.parse({ cluster: "prod", talos: true, kubernetes: false }));
      expect(again.problems).toEqual([]);
      expect(again.nodes.map((n) => n.address)).toEqual(["10.0.0.2", "10.0.0.5", "10.0.0.9"]);
      expect(again.steps.filter((s) => s.kind === "accept").map((s) => s.address)).toEqual(["10.0.0.2", "10.0.0.5", "10.0.0.9"]);
    } finally {
      await r.stop();
    }
  });

  it("a Kubernetes CA patch waits for the kubelet to restart, and fails when it does not within the step timeout", async () => {
    const db = await testDb();
    const done = async (r: CaRotationRunner, id: string) =>
      waitFor(async () => {
        const x = await r.get(id);
        return x && (x.state === "succeeded" || x.state === "failed") ? x : undefined;
      }, 10_000);
    const restarting = runner(db, fakeTalos([], { gated: false, kubeletRestarts: true }).talos);
    try {
      const ok = await done(restarting, (await restarting.create(caRotationRequestSchema.parse({ cluster: "prod", talos: false, kubernetes: true, verifyTimeoutSeconds: 5 }))).id);
      expect(ok.state).toBe("succeeded");
      expect(ok.steps.filter((s) => s.kind === "accept").map((s) => s.message)).toEqual(["applied (no reboot); the kubelet restarted and is healthy", "applied (no reboot); the kubelet restarted and is healthy"]);
    } finally {
      await restarting.stop();
    }
    const still = runner(await testDb(), fakeTalos([], { gated: false, kubeletRestarts: false }).talos);
    try {
      const bad = await done(still, (await still.create(caRotationRequestSchema.parse({ cluster: "prod", talos: false, kubernetes: true, verifyTimeoutSeconds: 5 }))).id);
      expect(bad.state).toBe("failed");
      expect(bad.steps.find((s) => s.state === "failed")!.error).toBe("node cp-1 (10.0.0.2): the kubelet did not restart after the patch");
    } finally {
      await still.stop();
    }
  });

  it("refuses a second rotation of a cluster while one is live", async () => {
    const db = await testDb();
    const fake = fakeTalos();
    const r = runner(db, fake.talos);
    try {
      await r.create(caRotationRequestSchema.parse({ cluster: "prod", talos: true, kubernetes: true }));
      await expect(r.create(caRotationRequestSchema.parse({ cluster: "prod" }))).rejects.toMatchObject({ code: "conflict", message: expect.stringContaining("already has a CA rotation in progress") });
    } finally {
      const all = await r.list({ limit: 5 });
      for (const x of all) await r.control(x.id, "cancel").catch(() => undefined);
      for (const g of fake.gates) g();
      await r.stop();
    }
  });
});
