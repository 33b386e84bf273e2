import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import os from "node:os";
import path from "node:path";

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";

import { createCa, issueClientCert, toTalosKeyPem, type CertAndKey } from "./pki";
import { renderTalosconfig, writeTalosconfig } from "./talosconfig";

let ca: CertAndKey;

beforeAll(async () => {
  ca = await createCa();
});

describe("talosconfig files", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), "minos-pki-"));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("writes base64 PEM values, the Talos Ed25519 key header and mode 0600", async () => {
    const client = await issueClientCert(ca, { roles: ["os:admin"] });
    const file = path.join(dir, "talosconfig");
    await writeTalosconfig(file, {
      current: "sim",
      contexts: { sim: { endpoints: ["127.0.10.1"], nodes: ["127.0.10.1"], ca: ca.certPem, crt: client.certPem, key: client.keyPem } },
    });
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    const doc = parse(await readFile(file, "utf8")) as { context: string; contexts: Record<string, Record<string, unknown>> };
    expect(doc.context).toBe("sim");
    const sim = doc.contexts.sim!;
    expect(sim.endpoints).toEqual(["127.0.10.1"]);
    expect(Buffer.from(sim.ca as string, "base64").toString()).toBe(ca.certPem);
    expect(Buffer.from(sim.crt as string, "base64").toString()).toBe(client.certPem);
    const key = Buffer.from(sim.key as string, "base64").toString();
    expect(key).toMatch(/^-----BEGIN ED25519 PRIVATE KEY-----\n[\s\S]+\n-----END ED25519 PRIVATE KEY-----\n$/);
    expect(key.replaceAll("ED25519 PRIVATE KEY", "PRIVATE KEY")).toBe(client.keyPem);
  });

  it("writes ECDSA keys as SEC1 like talosctl", async () => {
    const ec = await createCa({ keyAlgorithm: "ecdsa-p256" });
    const client = await issueClientCert(ec, { roles: ["os:reader"] });
    expect(toTalosKeyPem(client.keyPem)).toMatch(/^-----BEGIN EC PRIVATE KEY-----/);
  });

  it("refuses a current context that is not defined", () => {
    expect(() => renderTalosconfig({ current: "nope", contexts: {} })).toThrow(/not among the contexts/);
  });
});
