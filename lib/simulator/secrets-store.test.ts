import crypto from "node:crypto";
import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { createCa, issueClientCert, type CertAndKey } from "../talos/pki";
import { parseSecretsBundle } from "../talos/secrets/bundle";
import { loadOrCreateClusterSecrets, loadOrCreatePki } from "./secrets-store";

let ca: CertAndKey;

beforeAll(async () => {
  ca = await createCa();
});

describe("loadOrCreatePki", () => {
  let stateDir: string;
  beforeAll(async () => {
    stateDir = await mkdtemp(path.join(os.tmpdir(), "minos-pki-state-"));
  });
  afterAll(async () => {
    await rm(stateDir, { recursive: true, force: true });
  });

  it("creates the CA and clients once and reuses them, reissuing an expired client", async () => {
    const first = await loadOrCreatePki(stateDir);
    expect((await stat(path.join(stateDir, "ca.key"))).mode & 0o777).toBe(0o600);
    expect((await stat(path.join(stateDir, "client-admin.key"))).mode & 0o777).toBe(0o600);
    expect(new crypto.X509Certificate(first.clients.operator.certPem).subject).toContain("O=os:operator");

    // Replace the reader cert with an expired one from the same CA: it must be reissued.
    const expired = await issueClientCert(first.ca, { roles: ["os:reader"], notBefore: new Date(Date.now() - 7_200_000), validHours: 1 });
    await writeFile(path.join(stateDir, "client-reader.crt"), expired.certPem);
    await writeFile(path.join(stateDir, "client-reader.key"), expired.keyPem);

    const second = await loadOrCreatePki(stateDir);
    expect(second.ca).toEqual(first.ca);
    expect(second.clients.admin).toEqual(first.clients.admin);
    expect(second.clients.reader.certPem).not.toBe(expired.certPem);
    expect(new Date(new crypto.X509Certificate(second.clients.reader.certPem).validTo).getTime()).toBeGreaterThan(Date.now());
  });

  it("issues node certs with address, loopback, hostname and FQDN SANs", async () => {
    const pki = await loadOrCreatePki(stateDir);
    const node = await pki.issueNodeCert({ hostname: "cp-1", domain: "sim.local", addresses: ["127.0.10.1"] });
    const cert = new crypto.X509Certificate(node.certPem);
    expect(cert.subject).toBe("CN=cp-1.sim.local");
    expect(cert.subjectAltName).toBe("DNS:cp-1, DNS:cp-1.sim.local, IP Address:127.0.0.1, IP Address:127.0.10.1");
    expect(cert.checkIssued(new crypto.X509Certificate(pki.ca.certPem))).toBe(true);
  });

  it("refuses a state dir holding only half a CA", async () => {
    const half = await mkdtemp(path.join(os.tmpdir(), "minos-pki-half-"));
    try {
      await writeFile(path.join(half, "ca.crt"), ca.certPem);
      await expect(loadOrCreatePki(half)).rejects.toThrow(/only one of ca.crt and ca.key/);
    } finally {
      await rm(half, { recursive: true, force: true });
    }
  });
});

describe("loadOrCreateClusterSecrets", () => {
  let stateDir: string;
  beforeAll(async () => {
    stateDir = await mkdtemp(path.join(os.tmpdir(), "minos-cluster-secrets-"));
  });
  afterAll(async () => {
    await rm(stateDir, { recursive: true, force: true });
  });

  it("writes talosctl's secrets.yaml once (0600), with the fleet's OS CA, and reads it back", async () => {
    const first = await loadOrCreateClusterSecrets(stateDir, "a", ca, { talosVersion: "v1.13.9" });
    const file = path.join(stateDir, "cluster-a-secrets.yaml");
    const text = await readFile(file, "utf8");
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(parseSecretsBundle(text, file)).toEqual(first);
    expect(first.certs.os.crt).toBe(ca.certPem);
    expect(first.certs.os.key).toMatch(/^-----BEGIN ED25519 PRIVATE KEY-----/);
    expect(await loadOrCreateClusterSecrets(stateDir, "a", ca)).toEqual(first);
  }, 60_000);

  it("converts the JSON an older simulator kept, keeping every secret", async () => {
    const b = await loadOrCreateClusterSecrets(stateDir, "donor", ca);
    // The old generator wrote the cluster id as unpadded base64url (43 characters).
    const oldId = Buffer.alloc(32, 0xfb).toString("base64url");
    const legacy = {
      clusterId: oldId,
      clusterSecret: b.cluster.secret,
      bootstrapToken: b.secrets.bootstraptoken,
      trustdToken: b.trustdinfo.token,
      secretboxEncryptionSecret: b.secrets.secretboxencryptionsecret,
      k8sCa: b.certs.k8s,
      aggregatorCa: b.certs.k8saggregator,
      etcdCa: b.certs.etcd,
      serviceAccountKey: b.certs.k8sserviceaccount.key,
    };
    await writeFile(path.join(stateDir, "cluster-old.json"), JSON.stringify(legacy), { mode: 0o600 });
    const expected = { ...b, cluster: { ...b.cluster, id: oldId } };
    expect(oldId).toHaveLength(43);
    expect(await loadOrCreateClusterSecrets(stateDir, "old", ca)).toEqual(expected);
    expect(parseSecretsBundle(await readFile(path.join(stateDir, "cluster-old-secrets.yaml"), "utf8"), "f")).toEqual(expected);
    // The JSON held the CA keys in clear: gone once converted.
    await expect(stat(path.join(stateDir, "cluster-old.json"))).rejects.toThrow(/ENOENT/);
  }, 60_000);

  it("rewrites the file when the fleet's OS CA changed, so `gen config --with-secrets` stays right", async () => {
    const first = await loadOrCreateClusterSecrets(stateDir, "reissued", ca);
    const other = await createCa();
    const second = await loadOrCreateClusterSecrets(stateDir, "reissued", other);
    expect(second.certs.os.crt).toBe(other.certPem);
    expect({ ...second, certs: { ...second.certs, os: first.certs.os } }).toEqual(first);
    const file = path.join(stateDir, "cluster-reissued-secrets.yaml");
    expect(parseSecretsBundle(await readFile(file, "utf8"), file)).toEqual(second);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
  }, 60_000);
});
