import { Registry } from "prom-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { GET } from "@/app/api/certificates/route";
import { certificatesResponseSchema, type Certificate } from "@/lib/schemas/certs";
import { authedRequest } from "@/test/auth/credentials";
import { collectCertMetrics } from "@/lib/server/certs/metrics";
import { scanCertificates, type CertInventory } from "@/lib/server/certs/scanner";
import { getCertInventory, getNearestExpiry, listCertificates, setCertScanDepsForTests } from "@/lib/server/certs/service";
import { startTestFleet, type TestFleet } from "@/test/talos/fleet";

const HOUR = 3_600_000;

const byPurpose = (inv: CertInventory, purpose: string) => inv.certificates.filter((c) => c.purpose === purpose);
const onNode = (rows: Certificate[], address: string) => rows.find((r) => r.nodes.some((n) => n.startsWith(`${address}@`)));

describe("certificate scan at chosen lifetimes", () => {
  let t: TestFleet;
  let admin: CertInventory;
  let reader: CertInventory;
  const started = Date.now();

  beforeAll(async () => {
    t = await startTestFleet({
      firstAddress: "127.0.131.1",
      controlPlanes: 1,
      workers: 2,
      clientCertValidHours: 5 * 24,
      caValidDays: 200,
      leafSecrets: { kubernetesValidHours: 24 * 365, notBefore: new Date(started - 200 * 24 * HOUR) },
      nodeApidCerts: {
        "sim-1-worker-1": { notBefore: new Date(started - 13 * HOUR) },
        "sim-1-worker-2": { notBefore: new Date(started - 20 * HOUR) },
      },
    });
    const deps = (role: "admin" | "reader") => ({ contexts: [t.contexts[role]], client: () => t.clients[role] });
    [admin, reader] = await Promise.all([scanCertificates(deps("admin")), scanCertificates(deps("reader"))]);
  });

  afterAll(async () => {
    setCertScanDepsForTests(null);
    await t?.stop();
  });

  it("reads every source without errors", () => {
    expect(admin.errors).toEqual([]);
    expect(admin.clusters).toEqual([expect.objectContaining({ cluster: "sim-1", admin: true, leafSecrets: "served", nodesScanned: 3 })]);
    expect(certificatesResponseSchema.omit({ nextScanAt: true, scanning: true }).parse(admin)).toBeTruthy();
  });

  it("puts the talosconfig client certificate (5 days left) in warning, as the operator's to renew", () => {
    const [client] = byPurpose(admin, "talosconfig client certificate");
    expect(client).toMatchObject({ kind: "client", tier: "warning", renewedBy: "operator", roles: ["os:admin"], nodes: [], sources: ["talosconfig"] });
    expect(client!.daysLeft).toBe(4);
    expect(client!.howToRenew).toMatch(/^Your credentials: Talos does not renew these/);
  });

  it("tiers each node's apid certificate by how far through its 24 h life it is", () => {
    const apid = byPurpose(admin, "Talos API server (apid)");
    expect(apid).toHaveLength(3);
    expect(onNode(apid, "127.0.131.1")).toMatchObject({ tier: "ok", note: null, renewedBy: "talos", sources: ["tls-handshake"] });
    expect(onNode(apid, "127.0.131.2")).toMatchObject({ tier: "warning", note: "past half its life: rotation may be stuck" });
    expect(onNode(apid, "127.0.131.3")).toMatchObject({ tier: "critical" });
  });

  it("finds the CAs (200 days left: notice) and dedupes the Talos CA seen in the talosconfig and every config", () => {
    const [talosCa] = byPurpose(admin, "Talos API CA");
    expect(talosCa).toMatchObject({ kind: "ca", tier: "notice", renewedBy: "operator", sources: ["talosconfig", "machine-config"] });
    expect(talosCa!.nodes).toHaveLength(3);
    for (const purpose of ["Kubernetes CA", "Kubernetes aggregator (front-proxy) CA", "etcd CA"]) {
      expect(byPurpose(admin, purpose), purpose).toEqual([expect.objectContaining({ kind: "ca", tier: "notice" })]);
    }
    // Workers carry the Kubernetes CA too, but no aggregator or etcd CA.
    expect(byPurpose(admin, "Kubernetes CA")[0]!.nodes).toHaveLength(3);
    expect(byPurpose(admin, "etcd CA")[0]!.nodes).toEqual(["127.0.131.1@sim-1"]);
  });

  it("reads the etcd and kube-apiserver leaves from the control plane's secrets", () => {
    for (const purpose of ["etcd server", "etcd peer", "etcd admin client", "kube-apiserver etcd client"]) {
      expect(byPurpose(admin, purpose), purpose).toEqual([expect.objectContaining({ kind: "leaf", tier: "ok", sources: ["secrets"], nodes: ["127.0.131.1@sim-1"] })]);
    }
    // 1-year certificates issued 200 days ago: Talos should have rotated them at 6 months.
    for (const purpose of ["kube-apiserver serving", "kube-apiserver kubelet client", "front-proxy client"]) {
      expect(byPurpose(admin, purpose), purpose).toEqual([expect.objectContaining({ tier: "warning", note: "past half its life: rotation may be stuck" })]);
    }
  });

  it("sorts the most urgent first", () => {
    expect(admin.certificates[0]).toMatchObject({ purpose: "Talos API server (apid)", tier: "critical" });
    expect(admin.counts.critical).toBe(1);
    expect(admin.counts.ok).toBe(5);
  });

  it("still shows a reader the client certificate, the talosconfig CA and the served apid certificates", () => {
    expect(reader.errors).toEqual([]);
    expect(reader.clusters[0]).toMatchObject({ admin: false, leafSecrets: "forbidden", roles: ["os:reader"] });
    expect(byPurpose(reader, "talosconfig client certificate")).toEqual([expect.objectContaining({ roles: ["os:reader"], tier: "warning" })]);
    expect(byPurpose(reader, "Talos API CA")).toEqual([expect.objectContaining({ sources: ["talosconfig"], nodes: [] })]);
    expect(byPurpose(reader, "Talos API server (apid)").map((c) => c.tier).sort()).toEqual(["critical", "ok", "warning"]);
    expect(byPurpose(reader, "Kubernetes CA")).toEqual([]);
  });

  it("serves the inventory through GET /api/certificates with filters, and the nearest expiry", async () => {
    setCertScanDepsForTests(async () => ({ contexts: [t.contexts.admin], client: () => t.clients.admin }));
    const res = await GET(await authedRequest("http://minos/api/certificates?kind=ca"));
    expect(res.status).toBe(200);
    const body = certificatesResponseSchema.parse(await res.json());
    expect(body.certificates.map((c) => c.kind)).toEqual(["ca", "ca", "ca", "ca"]);
    expect(body.counts).toEqual({ ok: 0, notice: 4, warning: 0, critical: 0 });
    expect(body.nextScanAt).not.toBeNull();
    expect(body.scanning).toBe(false);

    const bad = await GET(await authedRequest("http://minos/api/certificates?tier=doomed"));
    expect(bad.status).toBe(400);
    expect((await bad.json()) as unknown).toMatchObject({ error: { code: "validation_failed" } });

    const nearest = await getNearestExpiry();
    expect(nearest).toMatchObject({ worstTier: "critical", certificate: { purpose: "Talos API server (apid)", tier: "critical" } });
  });

  it("exports notAfter per certificate with its tier as a Prometheus gauge", async () => {
    const registry = new Registry();
    collectCertMetrics(registry);
    collectCertMetrics(registry);
    const text = await registry.metrics();
    const line = text.split("\n").find((l) => l.startsWith("minos_certificate_not_after_seconds{") && l.includes('kind="client"'));
    expect(line).toMatch(/cluster="sim-1".*purpose="talosconfig client certificate".*tier="warning"\} \d{10}(\.\d+)?$/);
    expect(text).toMatch(/minos_certificates\{cluster="sim-1",tier="critical"\} 1/);
  });
});

describe("certificate scan with a node down and no leaf secrets", () => {
  let t: TestFleet;
  let inv: CertInventory;

  beforeAll(async () => {
    t = await startTestFleet({ firstAddress: "127.0.132.1", controlPlanes: 1, workers: 1, caValidDays: 60 });
    t.fleet.setFault({ node: "127.0.132.2", fault: "down" });
    inv = await scanCertificates({ contexts: [t.contexts.admin], client: () => t.clients.admin, timeoutMs: 2_000 });
  });

  afterAll(async () => {
    await t?.stop();
  });

  it("keeps the down node's errors beside the rest of the inventory", () => {
    expect(inv.errors.map((e) => [e.node, e.source, e.code])).toEqual([
      ["127.0.132.2@sim-1", "machine-config", "node_unreachable"],
      ["127.0.132.2@sim-1", "tls-handshake", "node_unreachable"],
    ]);
    expect(byPurpose(inv, "Talos API server (apid)")).toEqual([expect.objectContaining({ nodes: ["127.0.132.1@sim-1"], tier: "ok" })]);
    expect(byPurpose(inv, "etcd CA")).toEqual([expect.objectContaining({ tier: "warning", daysLeft: 59 })]);
  });

  it("says the control plane served no leaf secrets", () => {
    expect(inv.clusters[0]!.leafSecrets).toBe("none");
    expect(inv.certificates.filter((c) => c.sources.includes("secrets"))).toEqual([]);
  });
});

describe("a first scan slower than a request is willing to wait", () => {
  afterAll(() => setCertScanDepsForTests(null));

  it("answers at once that it is scanning, then serves the inventory", async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    setCertScanDepsForTests(async () => {
      await gate;
      return { contexts: [], client: () => Promise.reject(new Error("unused")) };
    });
    expect(await getCertInventory({ waitMs: 20 })).toBeNull();
    const pending = await listCertificates({}, { waitMs: 20 });
    expect(pending).toMatchObject({ certificates: [], scannedAt: null, scanning: true });
    release();
    await expect.poll(async () => (await listCertificates()).scannedAt).not.toBeNull();
    expect((await listCertificates()).scanning).toBe(false);
  });
});
