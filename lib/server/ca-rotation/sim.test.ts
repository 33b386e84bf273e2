/**
 * CA rotation against the simulator over the real wire, 3 control planes and 5 workers: the
 * simulator's apid and Kubernetes API honour machine.ca / machine.acceptedCAs and cluster.ca /
 * cluster.acceptedCAs, so each verification of the flow is a real TLS handshake. The Talos
 * rotation is interrupted right after an apply landed and before it was recorded, then resumed
 * by a second runner: the simulator's timeline proves no patch reached a node twice.
 */
import crypto, { randomBytes } from "node:crypto";

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";

import { caRotationRequestSchema } from "@/lib/schemas/ca-rotation";
import { mergeFleetConfigs } from "@/lib/server/fleet/source";
import { listUploads } from "@/lib/server/fleet/uploads";
import { createKubeApi } from "@/lib/server/kubernetes/client";
import { ManifestRepository } from "@/lib/server/manifests/repo";
import { parseKubeconfig } from "@/lib/server/kubernetes/kubeconfig";
import type { Db } from "@/lib/server/platform/db/db";
import { SecretBox } from "@/lib/server/platform/secret-box";
import { createTalosClient } from "@/lib/server/talos";
import { closeAllConnections } from "@/lib/server/talos/channel";
import { parseTalosconfig, type TalosContext } from "@/lib/server/talos/talosconfig";
import { generateSecretsBundle, parseSecretsBundle, stringifySecretsBundle } from "@/lib/talos/secrets/bundle";
import { testDb } from "@/test/db";
import { Clients, credentialsOf, md, rpc } from "@/test/simulator/helpers";
import { startTestFleet, type TestFleet, waitFor } from "@/test/talos/fleet";

import { CaRotationRunner, type CaRotationDeps } from "./runner";
import type { RotationTalos } from "./steps";
import { storeRotatedTalosconfig } from "./talosconfig";

// 127.0.232.x: this file's own node addresses.
let t: TestFleet;
let db: Db;
let box: SecretBox;
let cluster: string;
/** Minos's context for the cluster as the store has it now (the file's, or the rotation's override). */
let minos: () => Promise<TalosContext>;

beforeAll(async () => {
  t = await startTestFleet({ firstAddress: "127.0.232.1", controlPlanes: 3, workers: 5, applySeconds: 0.02, readySeconds: 0.05, podSeconds: 0.05 });
  cluster = t.fleet.clusters[0]!;
  db = await testDb();
  box = new SecretBox(randomBytes(32));
  const file = { source: "test", current: cluster, contexts: [{ ...t.contexts.admin, name: cluster }] };
  minos = async () => {
    const uploads = (await listUploads(db, box)).map((u) => ({ id: u.id, name: u.name, config: parseTalosconfig(u.talosconfig, "upload"), overridesFile: u.overridesFile }));
    return mergeFleetConfigs(file, uploads).config!.contexts.find((c) => c.name === cluster)!;
  };
}, 60_000);

afterAll(async () => {
  await t?.stop();
});

function deps(over: Partial<CaRotationDeps> & { onApply?: (node: string) => void | Promise<void> } = {}): CaRotationDeps {
  return {
    db,
    box,
    context: () => minos(),
    // The cluster comes from the talosconfig file: the new talosconfig is stored as an overriding upload.
    origin: async () => "file",
    talos: (material, options) => {
      const client = createTalosClient({ ...t.contexts.admin, name: options.contextName, ...material });
      return new Proxy(client, {
        get(target, prop, receiver) {
          const v = Reflect.get(target, prop, receiver) as unknown;
          if (prop !== "applyConfiguration" || typeof v !== "function") return typeof v === "function" ? (v as (...a: unknown[]) => unknown).bind(target) : v;
          return async (...args: unknown[]) => {
            const res = await (v as (...a: unknown[]) => Promise<unknown>).apply(target, args);
            await over.onApply?.(String(args[0]));
            return res;
          };
        },
      }) as RotationTalos;
    },
    kube: (kubeconfig, c) => createKubeApi(parseKubeconfig(kubeconfig).config, { cluster: c }),
    replaceTalosconfig: (p) => storeRotatedTalosconfig(db, box, p.options.talosconfig === "replace-upload" ? "upload" : "file", { ...p.talosconfig, cluster: p.cluster, rotationId: p.rotationId }),
    pollMs: 50,
    callTimeoutMs: 3000,
    scanIntervalMs: 100,
    lease: { ttlMs: 3000, renewMs: 1000 },
    log: () => {},
    ...over,
  };
}

const applies = () => {
  const out = new Map<string, number>();
  for (const e of t.fleet.timeline()) if (e.event === "apply") out.set(e.node, (out.get(e.node) ?? 0) + 1);
  return out;
};

/** Version straight to one node on a fresh connection: "ok" or the failure. */
async function versionWith(address: string, ca: string, certPem: string, keyPem: string): Promise<string> {
  const c = new Clients(address, credentialsOf({ ca, crt: certPem, key: keyPem }));
  try {
    await rpc(c.machine, "version", {}, md(), { deadline: Date.now() + 3000 });
    return "ok";
  } catch (e) {
    return `code ${(e as { code: number }).code}`;
  } finally {
    c.close();
  }
}

describe("Talos API CA rotation on 3 + 5 simulated nodes", () => {
  it("dry run: every node, the steps in rotate-ca's order, no change", async () => {
    const before = applies();
    const runner = new CaRotationRunner(deps());
    const dry = await runner.dryRun(caRotationRequestSchema.parse({ cluster, talos: true, kubernetes: false, verifyTimeoutSeconds: 10 }));
    expect(dry.problems).toEqual([]);
    expect(dry.nodes.map((n) => n.role)).toEqual(["controlplane", "controlplane", "controlplane", "worker", "worker", "worker", "worker", "worker"]);
    expect(dry.steps.map((s) => s.kind)).toEqual([
      "verify-existing", ...Array(8).fill("accept"), "verify-intermediate", ...Array(8).fill("swap"), "verify-new", ...Array(8).fill("drop"), "verify-final", "replace-talosconfig",
    ]);
    expect(JSON.stringify(dry)).not.toMatch(/PRIVATE KEY|key:/);
    expect(applies()).toEqual(before);
  });

  it("ends with every node trusting only the new CA and Minos on the new client certificate; a restart mid-rotation applies no step twice", async () => {
    const old = await minos();
    // The cluster's manifest was adopted: its stored bundle holds the CAs the nodes have now.
    const manifests = new ManifestRepository(db, box);
    const adopted = await generateSecretsBundle({ talosVersion: "1.10" });
    adopted.certs.os = { crt: old.caPem, key: adopted.certs.os.key };
    await manifests.saveSecrets(cluster, stringifySecretsBundle(adopted), new Date());
    const before = applies();
    let count = 0;
    let stopping: Promise<void> | undefined;
    // Stop the first runner right after the 11th apply landed (a swap), before the step is recorded.
    const first: CaRotationRunner = new CaRotationRunner(
      deps({
        owner: "replica-a",
        onApply: () => {
          if (++count === 11) stopping = first.stop();
        },
      }),
    );
    const created = await first.create(caRotationRequestSchema.parse({ cluster, talos: true, kubernetes: false, verifyTimeoutSeconds: 20 }));
    await waitFor(async () => stopping !== undefined, 60_000);
    await stopping;
    const mid = (await first.get(created.id))!;
    expect(mid.state).toBe("running");
    const inFlight = mid.steps.filter((s) => s.state === "running");
    expect(inFlight.map((s) => s.kind)).toEqual(["swap"]);

    // A new process: no TLS connection of the first runner is reused (a swapped control plane now proves itself with the new CA).
    closeAllConnections();
    const second = new CaRotationRunner(deps({ owner: "replica-b" }));
    second.start();
    const done = await waitFor(async () => {
      const r = await second.get(created.id);
      return r && (r.state === "succeeded" || r.state === "failed") ? r : undefined;
    }, 90_000);
    await second.stop();
    expect(done.reason).toBeNull();
    expect(done.state).toBe("succeeded");
    expect(done.steps.every((s) => s.state === "done")).toBe(true);
    // The step in flight at the restart found its patch applied and sent nothing.
    expect(done.steps.find((s) => s.index === inFlight[0]!.index)!.message).toBe("already applied: nothing sent");

    // The old credentials were kept sealed until the end, and dropped with it.
    const sealed = await db.selectFrom("ca_rotations").select(["secrets", "key_id"]).where("id", "=", created.id).executeTakeFirstOrThrow();
    expect(sealed.secrets).not.toContain("PRIVATE KEY");
    const opened = JSON.parse(box.open(sealed.secrets, `ca-rotation:${created.id}`, sealed.key_id)) as { old: { keyPem: string } };
    expect(opened.old.keyPem).toBe("");

    // The stored bundle now carries the new OS CA with its key (the next manifest apply keeps it); the rest is untouched.
    const stored = parseSecretsBundle((await manifests.secrets(cluster))!, "bundle");
    expect(new crypto.X509Certificate(stored.certs.os.crt).fingerprint256).toBe(done.newCas.talos!.fingerprint);
    expect(new crypto.X509Certificate(stored.certs.os.crt).checkPrivateKey(crypto.createPrivateKey(stored.certs.os.key.replace(/ED25519 PRIVATE KEY/g, "PRIVATE KEY")))).toBe(true);
    expect(stored.certs.k8s).toEqual(adopted.certs.k8s);
    expect(done.steps.find((s) => s.kind === "replace-talosconfig")!.message).toContain("secrets bundle now holds the new CA (certs.os)");
    // Only the new Talos CA stays sealed: no client key, no Kubernetes CA.
    const kept = JSON.parse(box.open(sealed.secrets, `ca-rotation:${created.id}`, sealed.key_id)) as { talos: { ca: unknown; client?: unknown }; kubernetes?: unknown };
    expect(kept.talos.ca).toBeTruthy();
    expect(kept.talos.client).toBeUndefined();
    expect(kept.kubernetes).toBeUndefined();

    // Exactly three patches per node: accept, swap, drop.
    const after = applies();
    for (const n of t.fleet.nodes) expect((after.get(n.address) ?? 0) - (before.get(n.address) ?? 0), n.hostname).toBe(3);

    // Minos's context now holds the new CA and client certificate, and talks to every node with them.
    const now = await minos();
    expect(now.certFingerprint).not.toBe(old.certFingerprint);
    expect(new crypto.X509Certificate(now.caPem).fingerprint256).toBe(done.newCas.talos!.fingerprint);
    closeAllConnections();
    const client = createTalosClient(now);
    for (const n of t.fleet.nodes) expect((await client.version(n.address)).tag).toMatch(/^v1\./);

    // Every node: the new client certificate passes, the old one is refused, and the server proves itself with the new CA only.
    for (const n of t.fleet.nodes) {
      expect(await versionWith(n.address, now.caPem, now.certPem, now.keyPem), n.hostname).toBe("ok");
      expect(await versionWith(n.address, now.caPem, old.certPem, old.keyPem), n.hostname).not.toBe("ok");
      expect(await versionWith(n.address, old.caPem, now.certPem, now.keyPem), n.hostname).not.toBe("ok");
    }
  }, 180_000);
});

describe("Kubernetes API CA rotation", () => {
  it("makes the new CA the issuer on every node, kubeconfigs of the new CA work and the old admin certificate is refused", async () => {
    const ctx = await minos();
    const talos = createTalosClient(ctx);
    const cp = t.fleet.nodes.find((n) => n.role === "controlplane")!;
    const oldKubeconfig = await talos.kubeconfig(cp.address);
    const oldApi = createKubeApi(parseKubeconfig(oldKubeconfig).config, { cluster });
    expect((await oldApi.listNodes()).length).toBe(8);
    const before = applies();

    // The simulator restarts the kubelet on a cluster.ca / acceptedCAs change, as Talos's KubeletServiceController does.
    const runner = new CaRotationRunner(deps());
    const created = await runner.create(caRotationRequestSchema.parse({ cluster, talos: false, kubernetes: true, verifyTimeoutSeconds: 20 }));
    expect(created.steps.map((s) => s.kind)).not.toContain("replace-talosconfig");
    const done = await waitFor(async () => {
      const r = await runner.get(created.id);
      return r && (r.state === "succeeded" || r.state === "failed") ? r : undefined;
    }, 90_000);
    await runner.stop();
    expect(done.reason).toBeNull();
    expect(done.state).toBe("succeeded");

    const after = applies();
    for (const n of t.fleet.nodes) expect((after.get(n.address) ?? 0) - (before.get(n.address) ?? 0), n.hostname).toBe(3);
    // Each patch waited for the kubelet's restart.
    for (const s of done.steps.filter((x) => x.kind === "accept" || x.kind === "swap" || x.kind === "drop")) expect(s.message, s.description).toBe("applied (no reboot); the kubelet restarted and is healthy");
    // The stored bundle carries the new Kubernetes CA, and still the OS CA of the Talos rotation before.
    const stored = parseSecretsBundle((await new ManifestRepository(db, box).secrets(cluster))!, "bundle");
    expect(new crypto.X509Certificate(stored.certs.k8s.crt).fingerprint256).toBe(done.newCas.kubernetes!.fingerprint);
    expect(new crypto.X509Certificate(stored.certs.os.crt).fingerprint256).toBe(new crypto.X509Certificate(ctx.caPem).fingerprint256);
    // Every node's cluster.ca is the new CA, with its key on control planes only; no CA is left accepted.
    const newFp = done.newCas.kubernetes!.fingerprint;
    for (const n of t.fleet.nodes) {
      const yaml = (await talos.machineConfig(n.address)).yaml;
      const cfg = parse(yaml.split(/^---$/m)[0]!) as { cluster: { ca: { crt: string; key?: string }; acceptedCAs?: unknown[] } };
      expect(new crypto.X509Certificate(Buffer.from(cfg.cluster.ca.crt, "base64")).fingerprint256, n.hostname).toBe(newFp);
      expect(Boolean(cfg.cluster.ca.key), n.hostname).toBe(n.role === "controlplane");
      expect(cfg.cluster.acceptedCAs ?? []).toEqual([]);
    }
    // A kubeconfig handed out now is of the new CA and works; the old one is refused (401).
    const fresh = parseKubeconfig(await talos.kubeconfig(cp.address));
    expect((await createKubeApi(fresh.config, { cluster }).listNodes()).length).toBe(8);
    const oldAgain = createKubeApi(parseKubeconfig(oldKubeconfig).config, { cluster });
    await expect(oldAgain.listNodes()).rejects.toThrow();
  }, 120_000);
});

describe("a node failing verification", () => {
  it("stops the rotation, skips the rest and states the way back", async () => {
    const worker = t.fleet.nodes.find((n) => n.role === "worker")!;
    let count = 0;
    // Once every node accepted the new CA, a worker goes away: the intermediate verification cannot reach it.
    const runner = new CaRotationRunner(
      deps({
        onApply: () => {
          if (++count === 8) t.fleet.setFault({ node: worker.address, fault: "down" });
        },
      }),
    );
    try {
      const created = await runner.create(caRotationRequestSchema.parse({ cluster, talos: true, kubernetes: false, verifyTimeoutSeconds: 5 }));
      const done = await waitFor(async () => {
        const r = await runner.get(created.id);
        return r && (r.state === "succeeded" || r.state === "failed") ? r : undefined;
      }, 60_000);
      expect(done.state).toBe("failed");
      const failed = done.steps.filter((s) => s.state === "failed");
      expect(failed.map((s) => s.kind)).toEqual(["verify-intermediate"]);
      expect(failed[0]!.error).toContain(`error calling version API on node ${worker.hostname} (${worker.address})`);
      expect(done.steps.filter((s) => s.kind === "swap").every((s) => s.state === "skipped")).toBe(true);
      expect(done.wayBack).toMatch(/the new CA was only added to machine\.acceptedCAs; nothing else changed/);
      expect(done.reason).toContain("Verify every node accepts the new client certificate");
    } finally {
      await runner.stop();
      t.fleet.clearFaults(worker.address);
    }
  }, 90_000);
});
