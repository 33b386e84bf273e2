import { randomBytes } from "node:crypto";

import { parse, stringify } from "yaml";
import { beforeAll, describe, expect, it } from "vitest";

import { insertUpload, listUploads } from "@/lib/server/fleet/uploads";
import { listAudit } from "@/lib/server/platform/audit";
import { SecretBox } from "@/lib/server/platform/secret-box";
import { type CertAndKey, createTalosCa, issueClientCert } from "@/lib/talos/pki";
import { testDb } from "@/test/db";

import { storeRotatedTalosconfig } from "./talosconfig";

let ca: CertAndKey;
let client: CertAndKey;
let client2: CertAndKey;
const b64 = (s: string) => Buffer.from(s).toString("base64");

beforeAll(async () => {
  ca = await createTalosCa("os");
  [client, client2] = await Promise.all([issueClientCert(ca, { roles: ["os:admin"] }), issueClientCert(ca, { roles: ["os:admin"] })]);
});

const rotated = (cluster: string, pair: CertAndKey) => ({ cluster, rotationId: "r1", endpoints: ["10.0.0.2"], nodes: ["10.0.0.2", "10.0.0.5"], caPem: ca.certPem, certPem: pair.certPem, keyPem: pair.keyPem });

describe("storeRotatedTalosconfig", () => {
  it("replaces the cluster's upload, keeping its label and other contexts; a second call finds it done", async () => {
    const db = await testDb();
    const box = new SecretBox(randomBytes(32));
    const other = { endpoints: ["10.9.9.9"], nodes: [], ca: "b3RoZXI=", crt: "b3RoZXI=", key: "b3RoZXI=" };
    const original = stringify({ context: "prod", contexts: { prod: { endpoints: ["10.0.0.2"], nodes: ["10.0.0.2"], ca: "b2xk", crt: "b2xk", key: "b2xk" }, lab: other } });
    await insertUpload(db, box, { name: "my clusters", contexts: ["prod", "lab"], talosconfig: original, uploadedBy: "ada" });

    expect(await storeRotatedTalosconfig(db, box, "upload", rotated("prod", client))).toBe(true);
    const [u, ...more] = await listUploads(db, box);
    expect(more).toEqual([]);
    expect(u).toMatchObject({ name: "my clusters", contexts: ["prod", "lab"], overridesFile: false });
    const doc = parse(u!.talosconfig) as { contexts: Record<string, { crt: string; ca: string }> };
    expect(doc.contexts.prod!.crt).toBe(b64(client.certPem));
    expect(doc.contexts.prod!.ca).toBe(b64(ca.certPem));
    expect(doc.contexts.lab).toEqual(other);

    expect(await storeRotatedTalosconfig(db, box, "upload", rotated("prod", client))).toBe(false);
    expect((await listUploads(db, box)).map((x) => x.id)).toEqual([u!.id]);
    const audit = await listAudit(db, { limit: 10 });
    expect(audit.filter((a) => a.action === "cluster.talosconfig-rotated")).toHaveLength(1);
    expect(JSON.stringify(audit)).not.toMatch(/PRIVATE KEY|LS0tLS1CRUdJTi/);
  });

  it("stores a file cluster's new context as an overriding upload, replacing an earlier override", async () => {
    const db = await testDb();
    const box = new SecretBox(randomBytes(32));
    expect(await storeRotatedTalosconfig(db, box, "file", rotated("sim-1", client))).toBe(true);
    expect(await storeRotatedTalosconfig(db, box, "file", rotated("sim-1", client))).toBe(false);
    expect(await storeRotatedTalosconfig(db, box, "file", rotated("sim-1", client2))).toBe(true);
    const uploads = await listUploads(db, box);
    expect(uploads).toHaveLength(1);
    expect(uploads[0]).toMatchObject({ contexts: ["sim-1"], overridesFile: true });
    expect((parse(uploads[0]!.talosconfig) as { contexts: Record<string, { crt: string }> }).contexts["sim-1"]!.crt).toBe(b64(client2.certPem));
  });
});
