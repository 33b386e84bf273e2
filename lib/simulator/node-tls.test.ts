import { execFileSync } from "node:child_process";
import crypto from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import https from "node:https";
import os from "node:os";
import path from "node:path";

import { parse, stringify } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { ApplyConfigurationRequest_Mode as Mode } from "../third_party/talos-proto/gen/machine/machine";
import { MachineConfigSpec } from "../third_party/talos-proto/gen/resource/definitions/config/config";
import { type CertAndKey, createTalosCa, fromTalosKeyHeader, issueClientCert, issueLeaf, toTalosKeyPem } from "../talos/pki";
import { type Fleet, startFleet } from "./fleet";
import { acceptedClientCas, talosApiTrust } from "./node-tls";
import { Clients, collect, credentialsOf, md, readTalosconfig, rpc, type TalosContext, waitFor } from "@/test/simulator/helpers";

// 127.0.231.x: this file's own addresses.
const CP = "127.0.231.1";
const WORKER = "127.0.231.2";

let fleet: Fleet;
let stateDir: string;
let old: TalosContext;
let newCa: CertAndKey;
let newClient: CertAndKey;

beforeAll(async () => {
  stateDir = await mkdtemp(path.join(os.tmpdir(), "minos-sim-tls-"));
  fleet = await startFleet({ controlPlanes: 1, workers: 1, stateDir, firstAddress: CP, controlPort: 0, rebootSeconds: 0.3, bootSeconds: 0.2, readySeconds: 0.1, applySeconds: 0.05 });
  old = await readTalosconfig(fleet.talosconfig.admin);
  newCa = await createTalosCa("os");
  newClient = await issueClientCert(newCa, { roles: ["os:admin"] });
});

afterAll(async () => {
  await fleet?.stop();
  await rm(stateDir, { recursive: true, force: true });
});

const b64 = (s: string) => Buffer.from(s).toString("base64");
const pemOf = (pair: CertAndKey) => ({ crt: b64(pair.certPem), key: b64(toTalosKeyPem(pair.keyPem)) });

/** One Version call straight to `address` (no proxying), with these credentials; the gRPC code or "ok". */
async function versionWith(address: string, ca: string, pair: { certPem: string; keyPem: string }): Promise<string> {
  const c = new Clients(address, credentialsOf({ ca, crt: pair.certPem, key: fromTalosKeyHeader(pair.keyPem) }));
  try {
    await rpc(c.machine, "version", {}, md(), { deadline: Date.now() + 3000 });
    return "ok";
  } catch (e) {
    return `code ${(e as { code: number }).code}`;
  } finally {
    c.close();
  }
}

const oldPair = () => ({ certPem: old.crt, keyPem: old.key });

/** Rewrites a node's v1alpha1 machine section through ApplyConfiguration NO_REBOOT, as rotate-ca does. */
function patchMachine(address: string, ca: string, pair: { certPem: string; keyPem: string }, fn: (machine: Record<string, unknown>, role: string) => void): Promise<void> {
  return patchConfig(address, ca, pair, (cfg) => fn(cfg.machine, String(cfg.machine.type)));
}

async function patchConfig(address: string, ca: string, pair: { certPem: string; keyPem: string }, fn: (cfg: { machine: Record<string, unknown>; cluster: Record<string, unknown> }) => void): Promise<void> {
  const c = new Clients(address, credentialsOf({ ca, crt: pair.certPem, key: fromTalosKeyHeader(pair.keyPem) }));
  try {
    const res = await rpc(c.cosi, "get", { namespace: "config", type: "MachineConfigs.config.talos.dev", id: "v1alpha1" }, md());
    const text = MachineConfigSpec.decode(res.resource!.spec!.protoSpec).yamlMarshalled.toString("utf8");
    const [first, ...rest] = text.split(/^---\n/m);
    const cfg = parse(first!) as { machine: Record<string, unknown>; cluster: Record<string, unknown> };
    fn(cfg);
    const data = [stringify(cfg, { indent: 4, lineWidth: 0 }), ...rest].join("---\n");
    await rpc(c.machine, "applyConfiguration", { data: Buffer.from(data), mode: Mode.NO_REBOOT, dryRun: false }, md());
  } finally {
    c.close();
  }
}

describe("talosApiTrust", () => {
  it("reads machine.ca and machine.acceptedCAs, accepting the issuer's certificate too (RootOSController)", () => {
    const text = stringify({ version: "v1alpha1", machine: { type: "worker", ca: { crt: b64(old.ca) }, acceptedCAs: [{ crt: b64(newCa.certPem) }] }, cluster: {} });
    const trust = talosApiTrust(text)!;
    expect(trust.issuerKey).toBeNull();
    expect(acceptedClientCas(trust).map((p) => new crypto.X509Certificate(p).fingerprint256)).toEqual([
      new crypto.X509Certificate(newCa.certPem).fingerprint256,
      new crypto.X509Certificate(old.ca).fingerprint256,
    ]);
  });
});

describe("apid TLS follows machine.ca and machine.acceptedCAs", () => {
  it("walks the rotate-ca sequence: accepted, then issuing, then the old CA dropped", async () => {
    const nodes = [CP, WORKER];
    // Before: a client certificate of an unknown CA is refused by every node.
    for (const n of nodes) expect(await versionWith(n, old.ca, newClient)).not.toBe("ok");

    // 1. New CA accepted: the new client certificate passes, the server still serves the old CA's.
    for (const n of nodes) {
      await patchMachine(n, old.ca, oldPair(), (m) => {
        m.acceptedCAs = [...((m.acceptedCAs as unknown[]) ?? []), { crt: b64(newCa.certPem) }];
      });
    }
    for (const n of nodes) {
      expect(await versionWith(n, old.ca, newClient)).toBe("ok");
      expect(await versionWith(n, old.ca, oldPair())).toBe("ok");
    }

    // 2. Swap: the new CA issues (key on control planes only), the old one is accepted.
    for (const n of nodes) {
      await patchMachine(n, old.ca, newClient, (m, role) => {
        m.acceptedCAs = [{ crt: b64(old.ca) }];
        m.ca = role === "controlplane" ? pemOf(newCa) : { crt: b64(newCa.certPem) };
      });
    }
    for (const n of nodes) {
      // The worker's certificate is signed with the control plane's key (trustd), asynchronously.
      await waitFor(async () => (await versionWith(n, newCa.certPem, newClient)) === "ok", { what: `${n} serving the new CA's certificate` });
      // A client still trusting only the old CA cannot verify the node any more.
      expect(await versionWith(n, old.ca, oldPair())).not.toBe("ok");
      // The old client certificate is still accepted.
      expect(await versionWith(n, newCa.certPem, oldPair())).toBe("ok");
    }

    // 3. Old CA dropped: only the new client certificate passes.
    for (const n of nodes) {
      await patchMachine(n, newCa.certPem, newClient, (m) => {
        m.acceptedCAs = [];
      });
    }
    for (const n of nodes) {
      expect(await versionWith(n, newCa.certPem, newClient)).toBe("ok");
      expect(await versionWith(n, newCa.certPem, oldPair())).not.toBe("ok");
    }
  });

  it("keeps the node's TLS across a reboot (a new listener starts from the current trust)", async () => {
    const before = fleet.nodeStates().find((n) => n.address === WORKER)!.bootId;
    const c = new Clients(WORKER, credentialsOf({ ca: newCa.certPem, crt: newClient.certPem, key: fromTalosKeyHeader(newClient.keyPem) }));
    try {
      await rpc(c.machine, "reboot", { mode: 0 }, md());
    } finally {
      c.close();
    }
    await waitFor(() => fleet.nodeStates().find((n) => n.address === WORKER)!.bootId !== before, { what: "reboot" });
    await waitFor(async () => (await versionWith(WORKER, newCa.certPem, newClient)) === "ok", { what: "worker back" });
    expect(await versionWith(WORKER, newCa.certPem, oldPair())).not.toBe("ok");
  });
});

/** The admin kubeconfig from the Kubeconfig RPC of the control plane: its CA data and client pair. */
async function kubeconfigOf(): Promise<{ server: string; ca: string; pair: { certPem: string; keyPem: string } }> {
  const c = new Clients(CP, credentialsOf({ ca: newCa.certPem, crt: newClient.certPem, key: fromTalosKeyHeader(newClient.keyPem) }));
  try {
    const tgz = Buffer.concat((await collect(c.machine.kubeconfig({}, md()))).map((d) => d.bytes));
    const kc = parse(execFileSync("tar", ["-xzO", "kubeconfig"], { input: tgz }).toString("utf8")) as {
      clusters: { cluster: { server: string; "certificate-authority-data": string } }[];
      users: { user: { "client-certificate-data": string; "client-key-data": string } }[];
    };
    const unb64 = (v: string) => Buffer.from(v, "base64").toString("utf8");
    return {
      server: kc.clusters[0]!.cluster.server,
      ca: unb64(kc.clusters[0]!.cluster["certificate-authority-data"]),
      pair: { certPem: unb64(kc.users[0]!.user["client-certificate-data"]), keyPem: unb64(kc.users[0]!.user["client-key-data"]) },
    };
  } finally {
    c.close();
  }
}

/** GET /api/v1/nodes with these credentials on a fresh connection (a kept-alive one would keep its first handshake): the HTTP status, or "tls" when the handshake or server verification fails. */
function listNodes(server: string, ca: string, pair: { certPem: string; keyPem: string }): Promise<number | "tls"> {
  return new Promise((resolve) => {
    const req = https.request(`${server}/api/v1/nodes`, { ca, cert: pair.certPem, key: fromTalosKeyHeader(pair.keyPem), timeout: 3000, agent: false }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on("error", () => resolve("tls"));
    req.end();
  });
}

describe("Kubernetes API TLS follows cluster.ca and cluster.acceptedCAs", () => {
  it("accepts a new CA's client certificates once accepted, serves and hands out the new CA's after the swap, refuses the old after the drop", async () => {
    const before = await kubeconfigOf();
    expect(await listNodes(before.server, before.ca, before.pair)).toBe(200);
    const k8sCa = await createTalosCa("kubernetes");
    const newAdmin = await issueLeaf(k8sCa, { commonName: "admin", organizations: ["system:masters"], validHours: 1, extKeyUsage: ["clientAuth"] });
    expect(await listNodes(before.server, before.ca, newAdmin)).toBe(401);

    const talos = { ca: newCa.certPem, pair: newClient };
    const nodes = [CP, WORKER];
    for (const n of nodes) {
      await patchConfig(n, talos.ca, talos.pair, (c) => {
        c.cluster.acceptedCAs = [...((c.cluster.acceptedCAs as unknown[]) ?? []), { crt: b64(k8sCa.certPem) }];
      });
    }
    // kube-apiserver picks up the accepted CAs shortly after the apply, not within it.
    await waitFor(async () => (await listNodes(before.server, before.ca, newAdmin)) === 200, { what: "new CA accepted" });

    const oldK8sCrt = (await kubeconfigOf()).ca;
    for (const n of nodes) {
      await patchConfig(n, talos.ca, talos.pair, (c) => {
        c.cluster.acceptedCAs = [{ crt: b64(oldK8sCrt) }];
        c.cluster.ca = String(c.machine.type) === "controlplane" ? pemOf(k8sCa) : { crt: b64(k8sCa.certPem) };
      });
    }
    // The serving certificate is reissued asynchronously.
    await waitFor(async () => (await listNodes(before.server, k8sCa.certPem, newAdmin)) === 200, { what: "API serving the new CA's certificate" });
    const swapped = await kubeconfigOf();
    expect(new crypto.X509Certificate(swapped.pair.certPem).checkIssued(new crypto.X509Certificate(k8sCa.certPem))).toBe(true);
    expect(await listNodes(swapped.server, swapped.ca, swapped.pair)).toBe(200);
    // The old admin certificate still passes while the old CA is accepted; a client pinning only the old CA cannot verify the server.
    expect(await listNodes(before.server, swapped.ca, before.pair)).toBe(200);
    expect(await listNodes(before.server, before.ca, before.pair)).toBe("tls");

    for (const n of nodes) {
      await patchConfig(n, talos.ca, talos.pair, (c) => {
        c.cluster.acceptedCAs = [];
      });
    }
    await waitFor(async () => (await listNodes(before.server, k8sCa.certPem, before.pair)) === 401, { what: "old admin certificate refused" });
    expect(await listNodes(swapped.server, swapped.ca, swapped.pair)).toBe(200);
  });
});
