/**
 * Integration tests of every client method against the simulator (real grpc-js servers, mTLS,
 * role checks, `node` forwarding through control-plane endpoints), per talosconfig role.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { createForeignCa, issueClientCert, type CertAndKey } from "@/lib/talos/pki";
import { loadOrCreatePki } from "@/test/talos/fleet";
import type { SimNodeInfo } from "@/test/talos/fleet";

import { resourceKinds } from "./cosi";
import type { TalosEvent } from "./events";
import { rejection, ROLES, startTestFleet, type TestFleet } from "@/test/talos/fleet";

let t: TestFleet;
let cp1: SimNodeInfo;
let cp2: SimNodeInfo;
let w1: SimNodeInfo;
let w2: SimNodeInfo;

beforeAll(async () => {
  // Workers: w1 on 1.14 (BootIDs exist), w2 on 1.13.9.
  t = await startTestFleet({ firstAddress: "127.0.30.1", controlPlanes: 2, workers: 2, version: "v1.14.0", nodeVersions: { "sim-1-worker-2": "v1.13.9" } });
  const cps = t.fleet.nodes.filter((n) => n.role === "controlplane");
  const ws = t.fleet.nodes.filter((n) => n.role === "worker");
  [cp1, cp2] = [cps[0]!, cps[1]!];
  [w1, w2] = [ws[0]!, ws[1]!];
});

afterAll(async () => {
  await t?.stop();
});

describe.each(ROLES)("reads as %s", (role) => {
  it("Version, Hostname through a control-plane endpoint", async () => {
    const c = t.clients[role];
    const v = await c.version(w1.address);
    expect(v.tag).toBe(w1.version);
    expect(v.os).toBeTruthy();
    expect(await c.hostname(w1.address)).toBe(w1.hostname);
    expect(await c.hostname(cp2.address)).toBe(cp2.hostname);
  });

  it("Memory, LoadAvg, SystemStat with numeric values", async () => {
    const c = t.clients[role];
    const mem = await c.memory(w2.address);
    expect(mem.memtotal).toBeGreaterThan(0);
    expect(mem.memavailable).toBeLessThanOrEqual(mem.memtotal);
    // The poller's lean read of the same reply.
    const readings = await c.memoryReadings(w2.address);
    expect(readings).toEqual({ memtotal: mem.memtotal, memavailable: expect.any(Number) });
    expect(readings.memavailable).toBeGreaterThan(0);
    expect(readings.memavailable).toBeLessThanOrEqual(readings.memtotal);
    const load = await c.loadAvg(w2.address);
    expect(typeof load.load1).toBe("number");
    const stat = await c.systemStat(w2.address);
    expect(stat.bootTime).toBeGreaterThan(1_600_000_000);
    expect(stat.bootTime).toBeLessThanOrEqual(Date.now() / 1000 + 1);
  });

  it("ServiceList", async () => {
    const services = await t.clients[role].serviceList(cp1.address);
    const ids = services.map((s) => s.id);
    expect(ids).toEqual(expect.arrayContaining(["apid", "etcd"]));
    expect(services.find((s) => s.id === "apid")?.state).toBe("Running");
  });

  it("EtcdMemberList and EtcdStatus on a control plane", async () => {
    const c = t.clients[role];
    const list = await c.etcdMemberList(cp1.address);
    expect(list.members.map((m) => m.hostname).sort()).toEqual([cp1.hostname, cp2.hostname].sort());
    for (const m of list.members) expect(m.id).toMatch(/^\d+$/);
    const st = await c.etcdStatus(cp2.address);
    expect(list.members.map((m) => m.id)).toContain(st.memberId);
    expect(st.dbSize).toBeGreaterThan(0);
    expect(await c.etcdAlarmList(cp1.address)).toEqual(expect.any(Array));
  });

  it("COSI: MachineStatus, Versions, Services, BootIDs, Hostname, Members", async () => {
    const c = t.clients[role];
    const ms = await c.machineStatus(w1.address);
    expect(ms.stage).toBe("running");
    expect(typeof ms.ready).toBe("boolean");
    expect(await c.talosVersion(w1.address)).toBe(w1.version);
    const services = await c.services(w1.address);
    expect(services.apid?.running).toBe(true);
    expect(await c.bootId(w1.address)).toMatch(/^[0-9a-f-]{36}$/);
    const hn = await c.getResource(w1.address, resourceKinds.hostname);
    expect(hn.spec.hostname).toBe(w1.hostname);
    expect(hn.metadata.id).toBe("hostname");
    const members = await c.clusterMembers(cp1.address);
    expect(members.map((m) => m.hostname).sort()).toEqual(t.fleet.nodes.filter((n) => n.cluster === cp1.cluster).map((n) => n.hostname).sort());
    const cpMember = members.find((m) => m.hostname === cp1.hostname)!;
    expect(cpMember.machineType).toBe("controlplane");
    expect(cpMember.addresses).toContain(cp1.address);
    // Talos names each Members resource after the node (member.go) and gives it the node's identity.
    for (const m of members) expect(m.id).toBe(m.hostname);
    expect(new Set(members.map((m) => m.nodeId)).size).toBe(members.length);
  });

  it("BootIDs before 1.14 are `unsupported`", async () => {
    expect(w2.version).toBe("v1.13.9");
    const err = await rejection(t.clients[role].bootId(w2.address));
    expect(err.code).toBe("unsupported");
    expect(err.message).toMatch(/1\.14/);
  });

  it("COSI raw Get/List keep proto and YAML specs; a missing resource is not_found", async () => {
    const c = t.clients[role];
    const raw = await c.cosiGet(w1.address, "runtime", "MachineStatuses.runtime.talos.dev", "machine");
    expect(raw.protoSpec.length).toBeGreaterThan(0);
    expect(raw.yamlSpec).toMatch(/stage: running/);
    const list = await c.cosiList(w1.address, "runtime", "Services.v1alpha1.talos.dev");
    expect(list.length).toBeGreaterThan(0);
    const missing = await rejection(c.cosiGet(w1.address, "runtime", "Services.v1alpha1.talos.dev", "no-such-service"));
    expect(missing.code).toBe("not_found");
    expect(missing.node).toBe(w1.address);
  });

  it(role === "admin" ? "reads the machine config" : "is refused the machine config (sensitive)", async () => {
    const c = t.clients[role];
    if (role === "admin") {
      const cfg = await c.machineConfig(w1.address);
      expect(cfg.yaml).toMatch(/^machine:/m);
      expect(cfg.yaml).toMatch(/type: worker/);
    } else {
      const err = await rejection(c.machineConfig(w1.address));
      expect(err.code).toBe("forbidden");
    }
  });

  it("Events: hello first, then buffered events; abort ends the stream", async () => {
    const ac = new AbortController();
    const seen: TalosEvent[] = [];
    for await (const e of t.clients[role].events(w1.address, { tailEvents: -1, signal: ac.signal })) {
      seen.push(e);
      if (seen.length >= 3) ac.abort();
    }
    expect(seen[0]?.type).toBe("hello");
    expect(seen.length).toBe(3);
    expect(seen.slice(1).every((e) => e.type !== "unknown")).toBe(true);
  });

  it("Events: an abort while the stream is being routed ends it before it opens (it has no deadline)", async () => {
    const ac = new AbortController();
    const stream = t.clients[role].events(w1.address, { tailEvents: -1, signal: ac.signal });
    const first = stream.next(); // runs up to the route lookup
    ac.abort();
    await expect(first).resolves.toEqual({ done: true, value: undefined });
  });

  it("COSI Watch: the current state, then abort", async () => {
    const ac = new AbortController();
    const events = [];
    for await (const e of t.clients[role].watchResource(w2.address, resourceKinds.machineStatus, { id: "machine", tailEvents: 1, signal: ac.signal })) {
      events.push(e);
      ac.abort();
    }
    expect(events[0]?.resource?.spec.stage).toBe("running");
  });
});

describe("more reads", () => {
  it("EtcdStatus on a worker fails with a mapped error", async () => {
    const err = await rejection(t.clients.reader.etcdStatus(w1.address));
    expect(err.node).toBe(w1.address);
    expect(["conflict", "unsupported", "node_unreachable", "internal", "not_found"]).toContain(err.code);
  });

  it("COSI Watch of a whole type with bootstrap contents", async () => {
    const ac = new AbortController();
    const ids: string[] = [];
    for await (const e of t.clients.reader.watchResource(cp1.address, resourceKinds.service, { bootstrapContents: true, signal: ac.signal })) {
      if (e.type === "created" && e.resource) ids.push(e.resource.metadata.id);
      if (e.type === "bootstrapped" || ids.length >= 3) ac.abort();
    }
    expect(ids).toEqual(expect.arrayContaining(["apid"]));
  });

  it("breaking out of a stream early cancels it cleanly", async () => {
    const errors: unknown[] = [];
    const onErr = (e: unknown) => errors.push(e);
    process.on("uncaughtException", onErr);
    try {
      for await (const e of t.clients.reader.events(undefined, { tailEvents: -1 })) {
        expect(e.type).toBe("hello");
        break;
      }
      for await (const e of t.clients.reader.cosiWatch(undefined, "runtime", "Services.v1alpha1.talos.dev", { bootstrapContents: true })) {
        expect(e.type).toBe("created");
        break;
      }
      await new Promise((r) => setTimeout(r, 200));
    } finally {
      process.off("uncaughtException", onErr);
    }
    expect(errors).toEqual([]);
  });

  it("cosiList with an id regexp", async () => {
    const list = await t.clients.reader.cosiList(cp1.address, "runtime", "Services.v1alpha1.talos.dev", { idRegexp: "^etcd$" });
    expect(list.map((r) => r.metadata.id)).toEqual(["etcd"]);
  });
});

describe("routing", () => {
  it("dials a node directly without metadata", async () => {
    const c = t.client("reader", { routing: "direct", resolveNode: (n) => ({ host: n, port: t.fleet.nodes.find((x) => x.address === n)!.port }) });
    expect(await c.hostname(w2.address)).toBe(w2.hostname);
  });

  it("handles a call without a node on the endpoint itself", async () => {
    const c = t.clients.reader;
    expect(await c.hostname(undefined)).toBe(t.fleet.nodes.find((n) => n.address === c.endpoint.host)!.hostname);
  });

  it("refuses forwarding through a worker endpoint (forbidden)", async () => {
    const c = t.client("admin", {}, { endpoints: [{ host: w1.address, port: w1.port, address: `${w1.address}:${w1.port}` }] });
    expect(await c.hostname(w1.address)).toBe(w1.hostname); // a worker may answer for itself
    const err = await rejection(c.hostname(w2.address));
    expect(err.code).toBe("forbidden");
    expect(err.node).toBe(w2.address);
  });

  it("concurrent calls to several nodes through one endpoint each reach their own node (routes are reused)", async () => {
    const c = t.client("reader");
    const nodes = [cp1, cp2, w1, w2];
    for (let round = 0; round < 3; round++) {
      const names = await Promise.all(nodes.flatMap((n) => [c.hostname(n.address), c.hostname(` ${n.address} `)]));
      expect(names).toEqual(nodes.flatMap((n) => [n.hostname, n.hostname]));
      expect(await c.hostname(undefined)).toBe(t.fleet.nodes.find((n) => n.address === c.endpoint.host)!.hostname);
    }
    const err = await rejection(c.hostname("10.0.0.1:50000"));
    expect(err.code).toBe("bad_request");
    // Refused every time, not only when first seen.
    expect((await rejection(c.hostname("10.0.0.1:50000"))).code).toBe("bad_request");
  });

  it("fails an unknown node", async () => {
    const err = await rejection(t.clients.admin.version("127.0.30.250", { timeoutMs: 2000 }));
    expect(["node_unreachable", "invalid_config", "forbidden", "not_found"]).toContain(err.code);
  });
});

describe("roles and actions", () => {
  it("a reader cannot apply a configuration (forbidden)", async () => {
    const cfg = await t.clients.admin.machineConfig(w1.address);
    const err = await rejection(t.clients.reader.applyConfiguration(w1.address, { data: cfg.yaml, mode: "no-reboot", dryRun: true }));
    expect(err.code).toBe("forbidden");
    expect(err.node).toBe(w1.address);
  });

  it("an operator cannot apply either, nor upgrade; a reader cannot reboot", async () => {
    const cfg = await t.clients.admin.machineConfig(w1.address);
    expect((await rejection(t.clients.operator.applyConfiguration(w1.address, { data: cfg.yaml, mode: "no-reboot", dryRun: true }))).code).toBe("forbidden");
    expect((await rejection(t.clients.operator.upgradeLegacy(w1.address, { image: "ghcr.io/siderolabs/installer:v1.14.0" }))).code).toBe("forbidden");
    expect((await rejection(t.clients.reader.reboot(w1.address))).code).toBe("forbidden");
    expect((await rejection(t.clients.reader.rollback(w1.address))).code).toBe("forbidden");
  });

  it("dry-run apply returns Talos's summary and diff", async () => {
    const cfg = await t.clients.admin.machineConfig(w2.address);
    const changed = cfg.yaml.replace(/^(\s*)hostname: .*$/m, "$1hostname: renamed-by-test");
    const res = await t.clients.admin.applyConfiguration(w2.address, { data: changed, mode: "no-reboot", dryRun: true });
    expect(res.modeDetails).toMatch(/Dry run summary:/);
    expect(res.modeDetails).toMatch(/Config diff:/);
    const same = await t.clients.admin.applyConfiguration(w2.address, { data: cfg.yaml, mode: "auto", dryRun: true });
    expect(same.modeDetails).toMatch(/No changes\./);
    // Nothing was applied.
    expect((await t.clients.admin.machineConfig(w2.address)).yaml).toBe(cfg.yaml);
  });

  it("applies a config (no-reboot) and reads it back byte for byte", async () => {
    const cfg = await t.clients.admin.machineConfig(w2.address);
    const next = `${cfg.yaml.trimEnd()}\n# applied by client.test.ts\n`;
    const res = await t.clients.admin.applyConfiguration(w2.address, { data: next, mode: "no-reboot" });
    expect(res.mode).toBe("no-reboot");
    expect(res.modeDetails).toMatch(/Applied configuration without a reboot/);
    expect((await t.clients.admin.machineConfig(w2.address)).yaml).toBe(next);
  });

  it("TRY mode reports the rollback timeout", async () => {
    const cfg = await t.clients.admin.machineConfig(w1.address);
    const res = await t.clients.admin.applyConfiguration(w1.address, { data: cfg.yaml, mode: "try", tryModeTimeoutSeconds: 30 });
    expect(res.mode).toBe("try");
    expect(res.modeDetails).toMatch(/30s|30 s|timeout/i);
  });

  it("an operator may pull images but not run the installer; a reader may do neither", async () => {
    const image = "ghcr.io/siderolabs/installer:v1.14.1";
    const events = [];
    for await (const e of t.clients.operator.imagePull(w1.address, { image })) events.push(e);
    expect(events.at(-1)).toMatchObject({ type: "done" });
    const installer = rejection((async () => {
      for await (const _ of t.clients.operator.lifecycleUpgrade(w1.address, { image })) void _;
    })());
    expect((await installer).code).toBe("forbidden");
    const pull = rejection((async () => {
      for await (const _ of t.clients.reader.imagePull(w1.address, { image })) void _;
    })());
    expect((await pull).code).toBe("forbidden");
  });

  it("an invalid config is invalid_config with Talos's message", async () => {
    const err = await rejection(t.clients.admin.applyConfiguration(w2.address, { data: "machine: [", mode: "no-reboot", dryRun: true }));
    expect(err.code).toBe("invalid_config");
    expect(err.message.length).toBeGreaterThan(0);
  });

  it("two concurrent applies: one conflicts", async () => {
    const cfg = await t.clients.admin.machineConfig(cp2.address);
    t.fleet.setFault({ node: cp2.address, fault: "slow", ms: 300 });
    try {
      const results = await Promise.allSettled([
        t.clients.admin.applyConfiguration(cp2.address, { data: cfg.yaml, mode: "no-reboot" }),
        t.clients.admin.applyConfiguration(cp2.address, { data: cfg.yaml, mode: "no-reboot" }),
      ]);
      const rejected = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
      expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
      expect(rejected).toHaveLength(1);
      expect(rejected[0]!.reason.code).toBe("conflict");
      expect(rejected[0]!.reason.message).toMatch(/already in progress/);
    } finally {
      t.fleet.clearFaults(cp2.address);
    }
  });

  it("a `reject-apply` fault surfaces as invalid_config", async () => {
    const cfg = await t.clients.admin.machineConfig(w1.address);
    t.fleet.setFault({ node: w1.address, fault: "reject-apply", message: "nope from the test" });
    try {
      const err = await rejection(t.clients.admin.applyConfiguration(w1.address, { data: cfg.yaml, mode: "no-reboot", dryRun: true }));
      expect(err.code).toBe("invalid_config");
      expect(err.message).toMatch(/nope from the test/);
    } finally {
      t.fleet.clearFaults(w1.address);
    }
  });
});

describe("refusals", () => {
  let foreignCa: CertAndKey;
  beforeAll(async () => {
    foreignCa = await createForeignCa();
  });

  it("a talosconfig whose CA is another CA never succeeds (node_unreachable)", async () => {
    const c = t.client("admin", {}, { caPem: foreignCa.certPem });
    const err = await rejection(c.version(w1.address, { timeoutMs: 2000 }));
    expect(err.code).toBe("node_unreachable");
    expect(err.message).toMatch(/certificate/);
  });

  it("an expired client certificate from the right CA is rejected", async () => {
    // The fleet's own CA, as persisted in its state dir.
    const pki = await loadOrCreatePki(t.stateDir);
    expect(pki.ca.certPem.trim()).toBe(t.fleet.caPem.trim());
    const expired = await issueClientCert(pki.ca, { roles: ["os:admin"], notBefore: new Date(Date.now() - 3 * 3600_000), validHours: 1 });
    const c = t.client("admin", {}, { certPem: expired.certPem, keyPem: expired.keyPem });
    const t0 = Date.now();
    const err = await rejection(c.version(w1.address, { timeoutMs: 1500 }));
    expect(Date.now() - t0).toBeLessThan(1500 + 1000);
    expect(err.code).toBe("node_unreachable");
    expect(err.message).toMatch(/expired/);
  });

  it("a `down` node is node_unreachable within the deadline, through a CP and directly", async () => {
    t.fleet.setFault({ node: w2.address, fault: "down" });
    try {
      let t0 = Date.now();
      const viaCp = await rejection(t.clients.reader.version(w2.address, { timeoutMs: 1000 }));
      expect(Date.now() - t0).toBeLessThan(1000 + 1000);
      expect(viaCp.code).toBe("node_unreachable");
      expect(viaCp.node).toBe(w2.address);

      const direct = t.client("reader", { routing: "direct", resolveNode: (n) => ({ host: n, port: w2.port }) });
      t0 = Date.now();
      const err = await rejection(direct.version(w2.address, { timeoutMs: 1000 }));
      expect(Date.now() - t0).toBeLessThan(1000 + 1000);
      expect(err.code).toBe("node_unreachable");
    } finally {
      t.fleet.clearFaults(w2.address);
    }
  });

  it("a slow node hits the deadline (node_timeout)", async () => {
    t.fleet.setFault({ node: w1.address, fault: "slow", ms: 2000 });
    try {
      const t0 = Date.now();
      const err = await rejection(t.clients.reader.hostname(w1.address, { timeoutMs: 400 }));
      expect(err.code).toBe("node_timeout");
      expect(Date.now() - t0).toBeLessThan(400 + 1000);
    } finally {
      t.fleet.clearFaults(w1.address);
    }
  });
});
