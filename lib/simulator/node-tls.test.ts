import { mkdtemp, rm } from "node:fs/promises";
import crypto from "node:crypto";
import os from "node:os";
import path from "node:path";

import { parse, stringify } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { ApplyConfigurationRequest_Mode as Mode } from "../third_party/talos-proto/gen/machine/machine";
import { MachineConfigSpec } from "../third_party/talos-proto/gen/resource/definitions/config/config";
import { type CertAndKey, createTalosCa, fromTalosKeyHeader, issueClientCert, toTalosKeyPem } from "../talos/pki";
import { type Fleet, startFleet } from "./fleet";
import { acceptedClientCas, talosApiTrust } from "./node-tls";
import { Clients, credentialsOf, md, readTalosconfig, rpc, type TalosContext, waitFor } from "@/test/simulator/helpers";

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
async function patchMachine(address: string, ca: string, pair: { certPem: string; keyPem: string }, fn: (machine: Record<string, unknown>, role: string) => void): Promise<void> {
  const c = new Clients(address, credentialsOf({ ca, crt: pair.certPem, key: fromTalosKeyHeader(pair.keyPem) }));
  try {
    const res = await rpc(c.cosi, "get", { namespace: "config", type: "MachineConfigs.config.talos.dev", id: "v1alpha1" }, md());
    const text = MachineConfigSpec.decode(res.resource!.spec!.protoSpec).yamlMarshalled.toString("utf8");
    const [first, ...rest] = text.split(/^---\n/m);
    const cfg = parse(first!) as { machine: Record<string, unknown> };
    fn(cfg.machine, String(cfg.machine.type));
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
