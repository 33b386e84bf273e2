import crypto from "node:crypto";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";

import { status } from "@grpc/grpc-js";
import { parse, parseAllDocuments } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { MachineConfigSpec, MachineTypeSpec } from "../third_party/talos-proto/gen/resource/definitions/config/config";
import { MachineStatusSpec } from "../third_party/talos-proto/gen/resource/definitions/runtime/runtime";
import { EventType } from "../third_party/talos-proto/gen/cosi/state";
import { type Fleet, startFleet } from "./fleet";
import { Clients, codeOf, collect, credentialsOf, getJson, md, readTalosconfig, rpc, sendJson, waitFor } from "@/test/simulator/helpers";
import { createForeignCa, issueClientCert, loadX509 } from "../talos/pki";
import type { NodeRow } from "./control-api";

/** A cert from the sim CA with O=os:admin but the given EKUs (apid wants exactly [clientAuth]). */
async function clientCertWithEkus(caPem: string, caKeyFile: string, ekus: ("clientAuth" | "serverAuth")[]) {
  const x509 = await loadX509();
  const subtle = crypto.webcrypto.subtle;
  const caKeyDer = crypto.createPrivateKey(await readFile(caKeyFile, "utf8")).export({ type: "pkcs8", format: "der" });
  const caKey = await subtle.importKey("pkcs8", caKeyDer, { name: "Ed25519" }, false, ["sign"]);
  const keys = (await subtle.generateKey({ name: "Ed25519" }, true, ["sign", "verify"])) as CryptoKeyPair;
  const caCert = new x509.X509Certificate(caPem);
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: "01",
    subject: "O=os:admin, CN=wide-eku",
    issuer: caCert.subjectName,
    notBefore: new Date(Date.now() - 60_000),
    notAfter: new Date(Date.now() + 3_600_000),
    signingAlgorithm: { name: "Ed25519" },
    publicKey: keys.publicKey,
    signingKey: caKey,
    extensions: [
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension(ekus.map((e) => x509.ExtendedKeyUsage[e])),
      // The CA's own SKI (Talos's is random bytes, not a hash of the key).
      new x509.AuthorityKeyIdentifierExtension(caCert.getExtension(x509.SubjectKeyIdentifierExtension)!.keyId),
    ],
  });
  const der = Buffer.from(await subtle.exportKey("pkcs8", keys.privateKey));
  const keyPem = crypto.createPrivateKey({ key: der, format: "der", type: "pkcs8" }).export({ type: "pkcs8", format: "pem" }).toString();
  return { certPem: cert.toString("pem"), keyPem };
}

let fleet: Fleet;
let stateDir: string;
let admin: Clients;
let reader: Clients;
let operator: Clients;
let workerAdmin: Clients;
const opened: Clients[] = [];

// 127.0.20.x: this file's own addresses, so test files can run in parallel.
const CP1 = "127.0.20.1";
const CP2 = "127.0.20.2";
const W1 = "127.0.20.3";
const W2 = "127.0.20.4";

beforeAll(async () => {
  stateDir = await mkdtemp(path.join(os.tmpdir(), "minos-sim-fleet-"));
  fleet = await startFleet({
    controlPlanes: 2,
    workers: 2,
    stateDir,
    firstAddress: CP1,
    controlPort: 0,
    rebootSeconds: 0.3,
    bootSeconds: 0.2,
    readySeconds: 0.1,
    upgradeSeconds: 0.2,
    applySeconds: 0.05,
  });
  const a = await readTalosconfig(fleet.talosconfig.admin);
  const r = await readTalosconfig(fleet.talosconfig.reader);
  const o = await readTalosconfig(fleet.talosconfig.operator);
  admin = new Clients(a.endpoints[0]!, credentialsOf(a));
  reader = new Clients(r.endpoints[0]!, credentialsOf(r));
  operator = new Clients(o.endpoints[0]!, credentialsOf(o));
  workerAdmin = new Clients(W1, credentialsOf(a));
  opened.push(admin, reader, operator, workerAdmin);
});

afterAll(async () => {
  for (const c of opened) c.close();
  await fleet?.stop();
  await rm(stateDir, { recursive: true, force: true });
});

describe("startFleet", () => {
  it("lays out nodes on consecutive loopback addresses and writes one context per cluster", async () => {
    expect(fleet.clusters).toEqual(["sim-1"]);
    expect(fleet.nodes.map((n) => [n.address, n.port, n.hostname, n.role])).toEqual([
      [CP1, 50000, "sim-1-controlplane-1", "controlplane"],
      [CP2, 50000, "sim-1-controlplane-2", "controlplane"],
      [W1, 50000, "sim-1-worker-1", "worker"],
      [W2, 50000, "sim-1-worker-2", "worker"],
    ]);
    const ctx = await readTalosconfig(fleet.talosconfig.admin);
    expect(ctx.name).toBe("sim-1");
    expect(ctx.endpoints).toEqual([CP1, CP2]);
    expect(ctx.nodes).toEqual([CP1, CP2, W1, W2]);
    expect(ctx.ca).toBe(fleet.caPem);
  });
});

describe("roles", () => {
  it("lets a reader call Version but not ApplyConfiguration, Reboot or Upgrade", async () => {
    const v = await rpc(reader.machine, "version", {}, md());
    expect(v.messages[0]?.version?.tag).toBe("v1.13.9");
    expect(v.messages[0]?.metadata).toBeUndefined();
    const apply = await codeOf(rpc(reader.machine, "applyConfiguration", { data: Buffer.from("x"), mode: 1, dryRun: true }, md()));
    expect(apply.code).toBe(status.PERMISSION_DENIED);
    expect((await codeOf(rpc(reader.machine, "reboot", { mode: 0 }, md()))).code).toBe(status.PERMISSION_DENIED);
    expect((await codeOf(rpc(reader.machine, "upgrade", { image: "x:v1.13.9", preserve: false, stage: false, force: false, rebootMode: 0 }, md()))).code).toBe(status.PERMISSION_DENIED);
  });

  it("lets an operator reboot-class calls through but not admin ones", async () => {
    expect((await codeOf(rpc(operator.machine, "applyConfiguration", { data: Buffer.from("x"), mode: 1, dryRun: true }, md()))).code).toBe(status.PERMISSION_DENIED);
    const list = await rpc(operator.machine, "serviceList", {}, md(W2));
    expect(list.messages[0]?.services.map((s) => s.id)).toContain("kubelet");
  });

  it("denies sensitive COSI types to a reader and serves them to an admin", async () => {
    const req = { namespace: "config", type: "MachineConfigs.config.talos.dev", id: "v1alpha1" };
    const denied = await codeOf(rpc(reader.cosi, "get", req, md()));
    expect(denied.code).toBe(status.PERMISSION_DENIED);
    const res = await rpc(admin.cosi, "get", req, md());
    const yaml = MachineConfigSpec.decode(res.resource!.spec!.protoSpec).yamlMarshalled.toString("utf8");
    // gen config's layout for the node's contract: the v1alpha1 document first, then the others.
    const docs = parseAllDocuments(yaml).map((d) => d.toJS() as Record<string, unknown>);
    const cfg = docs[0] as { version: string; machine: { type: string; ca: { key: string }; certSANs: string[] }; cluster: { clusterName: string; controlPlane: { endpoint: string }; etcd: unknown } };
    expect(cfg.version).toBe("v1alpha1");
    expect(cfg.machine.type).toBe("controlplane");
    // Per node (lib/talos/generate/template.ts): the address as an extra SAN, the hostname in 1.13's HostnameConfig.
    expect(cfg.machine.certSANs).toEqual([CP1]);
    expect(docs.find((d) => d.kind === "HostnameConfig")).toEqual({ apiVersion: "v1alpha1", kind: "HostnameConfig", hostname: "sim-1-controlplane-1" });
    expect(Buffer.from(cfg.machine.ca.key, "base64").toString()).toContain("ED25519 PRIVATE KEY");
    expect(cfg.cluster.clusterName).toBe("sim-1");
    expect(cfg.cluster.controlPlane.endpoint).toBe(`https://${CP1}:6443`);
    expect(cfg.cluster.etcd).toBeDefined();
    // 1.12+: yaml_spec is a string scalar holding the whole config.
    expect(parse(res.resource!.spec!.yamlSpec)).toBe(yaml);
    expect(res.resource!.metadata!.annotations["talos.dev/yaml-spec"]).toBe("1");
  });

  it("rejects a client certificate whose EKU is not exactly clientAuth, and foreign CAs", async () => {
    const ctx = await readTalosconfig(fleet.talosconfig.admin);
    const both = await clientCertWithEkus(fleet.caPem, path.join(stateDir, "ca.key"), ["clientAuth", "serverAuth"]);
    const wide = new Clients(CP1, credentialsOf({ ca: ctx.ca, crt: both.certPem, key: both.keyPem }));
    opened.push(wide);
    const eku = await codeOf(rpc(wide.machine, "version", {}, md()));
    expect(eku.code).toBe(status.UNAVAILABLE);
    expect(eku.details).toMatch(/incompatible key usage/);
    const foreign = await createForeignCa();
    const stranger = await issueClientCert(foreign, { roles: ["os:admin"] });
    const c = new Clients(CP1, credentialsOf({ ca: ctx.ca, crt: stranger.certPem, key: stranger.keyPem }));
    opened.push(c);
    expect((await codeOf(rpc(c.machine, "version", {}, md()))).code).toBe(status.UNAVAILABLE);
  });
});

describe("proxying", () => {
  it("forwards through a control plane with `node` metadata, unwrapped metadata", async () => {
    const res = await rpc(admin.machine, "hostname", {}, md(W2));
    expect(res.messages).toHaveLength(1);
    expect(res.messages[0]?.hostname).toBe("sim-1-worker-2");
    expect(res.messages[0]?.metadata).toBeUndefined();
    const byName = await rpc(admin.machine, "hostname", {}, md("sim-1-controlplane-2"));
    expect(byName.messages[0]?.hostname).toBe("sim-1-controlplane-2");
  });

  it("applies the original caller's role on the target", async () => {
    expect((await codeOf(rpc(reader.machine, "reboot", { mode: 0 }, md(W1)))).code).toBe(status.PERMISSION_DENIED);
  });

  it("refuses forwarding on a worker unless the target is itself", async () => {
    const denied = await codeOf(rpc(workerAdmin.machine, "hostname", {}, md(W2)));
    expect(denied).toEqual({ code: status.PERMISSION_DENIED, details: "no request forwarding" });
    const self = await rpc(workerAdmin.machine, "hostname", {}, md(W1));
    expect(self.messages[0]?.hostname).toBe("sim-1-worker-1");
  });

  it("answers InvalidArgument for a target with a port, and UNAVAILABLE for an unknown address", async () => {
    expect(await codeOf(rpc(admin.machine, "hostname", {}, md(`${W1}:50000`)))).toEqual({ code: status.INVALID_ARGUMENT, details: "invalid target" });
    expect((await codeOf(rpc(admin.machine, "hostname", {}, md("127.0.20.200")))).code).toBe(status.UNAVAILABLE);
  });

  it("fans out with the deprecated `nodes` key and fills metadata", async () => {
    const res = await rpc(admin.machine, "hostname", {}, md(undefined, [CP1, W1, "127.0.20.200"]));
    expect(res.messages.map((m) => [m.metadata?.hostname, m.hostname, m.metadata?.status?.code ?? 0])).toEqual([
      [CP1, "sim-1-controlplane-1", 0],
      [W1, "sim-1-worker-1", 0],
      ["127.0.20.200", "", status.UNAVAILABLE],
    ]);
    expect((await codeOf(rpc(admin.cosi, "get", { namespace: "runtime", type: "Versions.runtime.talos.dev", id: "version" }, md(undefined, [CP1, W1])))).code).toBe(status.INVALID_ARGUMENT);
  });
});

describe("COSI", () => {
  it("serves non-sensitive resources with both proto and YAML specs", async () => {
    const st = await rpc(reader.cosi, "get", { namespace: "runtime", type: "MachineStatuses.runtime.talos.dev", id: "machine" }, md(W1));
    expect(MachineStatusSpec.decode(st.resource!.spec!.protoSpec)).toMatchObject({ stage: 4, status: { ready: true, unmetConditions: [] } });
    expect(parse(st.resource!.spec!.yamlSpec)).toEqual({ stage: "running", status: { ready: true, unmetConditions: [] } });
    const mt = await rpc(reader.cosi, "get", { namespace: "config", type: "MachineTypes.config.talos.dev", id: "machine-type" }, md(W1));
    expect(MachineTypeSpec.decode(mt.resource!.spec!.protoSpec).machineType).toBe(3);
    expect(parse(mt.resource!.spec!.yamlSpec)).toBe("worker");
    const members = await collect(reader.cosi.list({ namespace: "cluster", type: "Members.cluster.talos.dev" }, md()));
    expect(members.map((m) => m.resource!.metadata!.id)).toEqual(["sim-1-controlplane-1", "sim-1-controlplane-2", "sim-1-worker-1", "sim-1-worker-2"]);
    const services = await collect(reader.cosi.list({ namespace: "runtime", type: "Services.v1alpha1.talos.dev" }, md(CP2)));
    expect(services.map((s) => s.resource!.metadata!.id)).toContain("etcd");
    const defs = await collect(reader.cosi.list({ namespace: "meta", type: "ResourceDefinitions.meta.cosi.dev" }, md()));
    const mc = defs.find((d) => d.resource!.metadata!.id === "machineconfigs.config.talos.dev");
    expect(parse(mc!.resource!.spec!.yamlSpec)).toMatchObject({ sensitivity: "sensitive", allAliases: expect.arrayContaining(["mc", "machineconfig"]) });
  });

  it("returns NotFound, PermissionDenied for unknown types/namespaces, and hides BootIDs before 1.14", async () => {
    expect((await codeOf(rpc(reader.cosi, "get", { namespace: "runtime", type: "Services.v1alpha1.talos.dev", id: "nope" }, md()))).code).toBe(status.NOT_FOUND);
    // Talos's access policy, word for word (internal/app/resources/access.go).
    expect(await codeOf(rpc(reader.cosi, "get", { namespace: "runtime", type: "Bogus.talos.dev", id: "x" }, md()))).toEqual({
      code: status.PERMISSION_DENIED,
      details: 'resource type "Bogus.talos.dev" is not supported',
    });
    expect(await codeOf(rpc(reader.cosi, "get", { namespace: "nowhere", type: "Versions.runtime.talos.dev", id: "version" }, md()))).toEqual({
      code: status.PERMISSION_DENIED,
      details: 'namespace "nowhere" is not supported',
    });
    // The type is checked before the namespace, and a sensitive type before the namespace too.
    expect((await codeOf(rpc(reader.cosi, "get", { namespace: "nowhere", type: "Bogus.talos.dev", id: "x" }, md()))).details).toBe('resource type "Bogus.talos.dev" is not supported');
    expect(await codeOf(rpc(reader.cosi, "get", { namespace: "nowhere", type: "MachineConfigs.config.talos.dev", id: "v1alpha1" }, md()))).toEqual({
      code: status.PERMISSION_DENIED,
      details: "not authorized",
    });
    expect(await codeOf(rpc(reader.cosi, "get", { namespace: "runtime", type: "BootIDs.runtime.talos.dev", id: "boot-id" }, md()))).toEqual({
      code: status.PERMISSION_DENIED,
      details: 'resource type "BootIDs.runtime.talos.dev" is not supported',
    });
    const defs = await collect(reader.cosi.list({ namespace: "meta", type: "ResourceDefinitions.meta.cosi.dev" }, md()));
    expect(defs.map((d) => d.resource!.metadata!.id)).not.toContain("bootids.runtime.talos.dev");
  });

  it("watches: empty first message, bootstrap contents, then updates", async () => {
    const stream = reader.cosi.watch(
      { namespace: "runtime", type: "MachineStatuses.runtime.talos.dev", options: { bootstrapContents: true, tailEvents: 0, labelQuery: [], aggregated: false, bootstrapBookmark: false }, apiVersion: 1 },
      md(W2),
    );
    const got: { n: number; types: number[] }[] = [];
    stream.on("data", (m: { event: { eventType: number }[] }) => got.push({ n: m.event.length, types: m.event.map((e) => e.eventType) }));
    stream.on("error", () => {});
    await waitFor(() => got.length >= 3, { what: "bootstrap" });
    expect(got.slice(0, 3)).toEqual([
      { n: 0, types: [] },
      { n: 1, types: [EventType.CREATED] },
      { n: 1, types: [EventType.BOOTSTRAPPED] },
    ]);
    fleet.setFault({ node: W2, fault: "unhealthy" });
    await waitFor(() => got.some((g) => g.types[0] === EventType.UPDATED), { what: "update" });
    fleet.clearFaults(W2);
    stream.cancel();
  });
});

describe("Events", () => {
  it("starts with an empty hello event, replays the buffer and streams MachineStatusEvents", async () => {
    const stream = admin.machine.events({ tailEvents: -1, tailId: "", tailSeconds: 0, withActorId: "" }, md(W1));
    const events: { typeUrl?: string; id: string }[] = [];
    stream.on("data", (e: { data?: { typeUrl: string }; id: string }) => events.push({ typeUrl: e.data?.typeUrl, id: e.id }));
    stream.on("error", () => {});
    // The replay ends with the boot's MachineStatusEvent; it may come in several reads.
    await waitFor(() => events.some((e) => e.typeUrl === "talos/runtime/machine.MachineStatusEvent"), { what: "the replayed MachineStatusEvent" });
    expect(events[0]).toEqual({ typeUrl: undefined, id: "" });
    expect(events.some((e) => e.typeUrl === "talos/runtime/machine.SequenceEvent")).toBe(true);
    expect(events[1]!.id).toMatch(/^[0-9a-v]{20}$/);
    const before = events.length;
    fleet.setFault({ node: W1, fault: "unhealthy", service: "kubelet" });
    await waitFor(() => events.length > before);
    // The recovery is announced too (ServiceRunner.healthUpdate: "Health check successful").
    const serviceEvents = () => events.filter((e) => e.typeUrl === "talos/runtime/machine.ServiceStateEvent").length;
    const failed = serviceEvents();
    expect(failed).toBeGreaterThan(0);
    fleet.clearFaults(W1);
    await waitFor(() => serviceEvents() > failed, { what: "the recovery's ServiceStateEvent" });
    stream.cancel();
  });

  it("tail_events 0 sends only the hello event before live events", async () => {
    const stream = admin.machine.events({ tailEvents: 0, tailId: "", tailSeconds: 0, withActorId: "" }, md(W1));
    const events: unknown[] = [];
    stream.on("data", (e) => events.push(e));
    stream.on("error", () => {});
    await new Promise((r) => setTimeout(r, 150));
    expect(events).toHaveLength(1);
    stream.cancel();
  });
});

describe("faults", () => {
  it("down: the listener closes (UNAVAILABLE directly and through a proxy) until cleared", async () => {
    fleet.setFault({ node: W2, fault: "down" });
    const direct = new Clients(W2, credentialsOf(await readTalosconfig(fleet.talosconfig.admin)));
    opened.push(direct);
    await waitFor(async () => (await codeOf(rpc(direct.machine, "version", {}, md()))).code === status.UNAVAILABLE);
    expect((await codeOf(rpc(admin.machine, "version", {}, md(W2)))).code).toBe(status.UNAVAILABLE);
    fleet.clearFaults(W2);
    const v = await waitFor(() => rpc(direct.machine, "version", {}, md()), { what: "node back" });
    expect(v.messages[0]?.version?.tag).toBe("v1.13.9");
  });

  it("slow: delays every call by ms", async () => {
    fleet.setFault({ node: W1, fault: "slow", ms: 1500 });
    const t0 = Date.now();
    await rpc(admin.machine, "hostname", {}, md(W1));
    expect(Date.now() - t0).toBeGreaterThanOrEqual(1490);
    fleet.clearFaults(W1);
    const t1 = Date.now();
    await rpc(admin.machine, "hostname", {}, md(W1));
    expect(Date.now() - t1).toBeLessThan(1000);
  });

  it("unhealthy: a failing service, unmet `services` condition, ready=false; etcd on a control plane", async () => {
    fleet.setFault({ node: CP2, fault: "unhealthy" });
    const svc = await rpc(admin.machine, "serviceList", {}, md(CP2));
    expect(svc.messages[0]!.services.find((s) => s.id === "etcd")?.health).toMatchObject({ healthy: false });
    const st = await rpc(reader.cosi, "get", { namespace: "runtime", type: "MachineStatuses.runtime.talos.dev", id: "machine" }, md(CP2));
    const spec = MachineStatusSpec.decode(st.resource!.spec!.protoSpec);
    expect(spec.status?.ready).toBe(false);
    expect(spec.status?.unmetConditions.map((c) => c.name)).toContain("services");
    const etcd = await rpc(admin.machine, "etcdStatus", {}, md(CP2));
    expect(etcd.messages[0]!.memberStatus!.errors.length).toBeGreaterThan(0);
    const nodes = await getJson<NodeRow[]>(`${fleet.controlUrl}/nodes`);
    expect(nodes.body.find((n) => n.address === CP2)).toMatchObject({ ready: false, faults: [{ fault: "unhealthy", service: "etcd" }] });
    fleet.clearFaults(CP2);
    expect((await getJson<NodeRow[]>(`${fleet.controlUrl}/nodes`)).body.find((n) => n.address === CP2)?.ready).toBe(true);
  });
});

describe("etcd", () => {
  it("lists the control planes as members with one leader", async () => {
    const res = await rpc(reader.machine, "etcdMemberList", { queryLocal: false }, md(CP2));
    expect(res.messages[0]!.members.map((m) => m.hostname)).toEqual(["sim-1-controlplane-1", "sim-1-controlplane-2"]);
    const s1 = await rpc(reader.machine, "etcdStatus", {}, md(CP1));
    const s2 = await rpc(reader.machine, "etcdStatus", {}, md(CP2));
    expect(s1.messages[0]!.memberStatus!.leader).toBe(s2.messages[0]!.memberStatus!.leader);
    expect(res.messages[0]!.members.map((m) => m.id)).toContain(s1.messages[0]!.memberStatus!.leader);
    expect((await codeOf(rpc(reader.machine, "etcdMemberList", { queryLocal: false }, md(W1)))).code).toBe(status.FAILED_PRECONDITION);
  });
});

describe("control API", () => {
  it("GET /nodes lists every node with its state", async () => {
    const { status: code, body } = await getJson<NodeRow[]>(`${fleet.controlUrl}/nodes`);
    expect(code).toBe(200);
    expect(body).toHaveLength(4);
    expect(body[0]).toMatchObject({ address: CP1, hostname: "sim-1-controlplane-1", cluster: "sim-1", role: "controlplane", version: "v1.13.9", stage: "running", ready: true });
    expect(body[0]!.configHash).toMatch(/^[0-9a-f]{64}$/);
    expect(body[0]!.bootId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("validates POST /faults and DELETE /faults", async () => {
    expect((await sendJson("POST", `${fleet.controlUrl}/faults`, "{nope")).status).toBe(400);
    const bad = await sendJson<{ error: { code: string; message: string } }>("POST", `${fleet.controlUrl}/faults`, { node: W1, fault: "slow" });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/ms/);
    expect((await sendJson("POST", `${fleet.controlUrl}/faults`, { node: W1, fault: "explode" })).status).toBe(400);
    expect((await sendJson("POST", `${fleet.controlUrl}/faults`, { node: "10.9.9.9", fault: "down" })).status).toBe(404);
    const ok = await sendJson<{ node: string; faults: unknown[] }>("POST", `${fleet.controlUrl}/faults`, { node: "sim-1-worker-1", fault: "reject-apply" });
    expect(ok).toEqual({ status: 200, body: { node: W1, hostname: "sim-1-worker-1", faults: [{ fault: "reject-apply", message: expect.any(String) }] } });
    expect((await sendJson("DELETE", `${fleet.controlUrl}/faults?node=${W1}`)).body).toEqual({ cleared: 1 });
    expect((await sendJson("DELETE", `${fleet.controlUrl}/faults`)).status).toBe(200);
    expect((await getJson(`${fleet.controlUrl}/nope`)).status).toBe(404);
    expect((await sendJson("PUT", `${fleet.controlUrl}/nodes`, {})).status).toBe(405);
  });

  it("GET /timeline records faults and filters by node and time", async () => {
    const t = Date.now();
    await sendJson("POST", `${fleet.controlUrl}/faults`, { node: W2, fault: "slow", ms: 1 });
    const { body } = await getJson<{ node: string; event: string; time: number }[]>(`${fleet.controlUrl}/timeline?node=${W2}&since=${t}`);
    expect(body.map((e) => e.event)).toEqual(["fault"]);
    expect(body[0]!.node).toBe(W2);
    expect((await getJson(`${fleet.controlUrl}/timeline?since=abc`)).status).toBe(400);
    fleet.clearFaults();
  });

  it("Reboot changes the boot ID and walks REBOOTING → BOOTING → RUNNING", async () => {
    const before = (await getJson<NodeRow[]>(`${fleet.controlUrl}/nodes`)).body.find((n) => n.address === W2)!;
    const t = Date.now();
    const res = await rpc(operator.machine, "reboot", { mode: 0 }, md(W2));
    expect(res.messages[0]!.actorId).toMatch(/[0-9a-f-]{36}/);
    const after = await waitFor(async () => {
      const n = (await getJson<NodeRow[]>(`${fleet.controlUrl}/nodes`)).body.find((x) => x.address === W2)!;
      return n.ready && n.bootId !== before.bootId ? n : undefined;
    }, { what: "reboot" });
    expect(after.stage).toBe("running");
    const { body } = await getJson<{ event: string; stage?: string }[]>(`${fleet.controlUrl}/timeline?node=${W2}&since=${t}`);
    expect(body.filter((e) => e.event === "stage").map((e) => e.stage)).toEqual(["rebooting", "booting", "running"]);
    expect(body.map((e) => e.event)).toContain("ready");
  });
});
