import { describe, expect, it } from "vitest";

import { SecretBox } from "@/lib/server/platform/secret-box";
import { testDb } from "@/test/db";
import { mergeFleetConfigs, type ParsedUpload } from "@/lib/server/fleet/source";
import type { Talosconfig, TalosContext } from "@/lib/server/talos/talosconfig";

import { deleteUpload, fingerprintOf, insertUpload, listUploadMeta, listUploads, uploadsFingerprint } from "./uploads";

const PEM = "-----BEGIN ED25519 PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIFakeKeyMaterialForTheTestOnly0123456789ab\n-----END ED25519 PRIVATE KEY-----";
const YAML = `context: up\ncontexts:\n  up:\n    endpoints: [10.0.0.1]\n    key: ${Buffer.from(PEM).toString("base64")}\n`;

describe("uploads repository", () => {
  const box = new SecretBox(Buffer.alloc(32, 3));

  it("stores the talosconfig sealed: neither the key PEM nor its base64 is in the table", async () => {
    const db = await testDb();
    const u = await insertUpload(db, box, { name: "lab", contexts: ["up"], talosconfig: YAML, uploadedBy: "user:ada" }, new Date("2026-01-02T03:04:05Z"));
    const raw = await db.selectFrom("cluster_uploads").selectAll().execute();
    expect(raw).toHaveLength(1);
    const bytes = JSON.stringify(raw);
    expect(bytes).not.toContain("PRIVATE KEY");
    expect(bytes).not.toContain(Buffer.from(PEM).toString("base64").slice(0, 40));
    expect(raw[0]!.key_id).toBe(box.keyId);
    expect(await listUploadMeta(db)).toEqual([{ id: u.id, name: "lab", contexts: ["up"], uploadedAt: "2026-01-02T03:04:05.000Z", uploadedBy: "user:ada" }]);
    expect((await listUploads(db, box))[0]!.talosconfig).toBe(YAML);
  });

  it("refuses to open under another key, and a sealed file moved to another row", async () => {
    const db = await testDb();
    const a = await insertUpload(db, box, { name: "a", contexts: ["a"], talosconfig: YAML, uploadedBy: "x" });
    await expect(listUploads(db, new SecretBox(Buffer.alloc(32, 4)))).rejects.toThrow(/another key/);
    const b = await insertUpload(db, box, { name: "b", contexts: ["b"], talosconfig: "other", uploadedBy: "x" });
    const { content } = await db.selectFrom("cluster_uploads").select("content").where("id", "=", a.id).executeTakeFirstOrThrow();
    await db.updateTable("cluster_uploads").set({ content }).where("id", "=", b.id).execute();
    await expect(listUploads(db, box)).rejects.toThrow(/integrity/);
  });

  it("deletes by id and says when there was nothing to delete", async () => {
    const db = await testDb();
    const u = await insertUpload(db, box, { name: "lab", contexts: ["up"], talosconfig: YAML, uploadedBy: "x" });
    expect((await deleteUpload(db, u.id))?.contexts).toEqual(["up"]);
    expect(await deleteUpload(db, u.id)).toBeNull();
    expect(await listUploadMeta(db)).toEqual([]);
  });

  it("lists oldest first, and fingerprints the set of uploads: an insert or a delete changes it, a read does not", async () => {
    const db = await testDb();
    expect(await uploadsFingerprint(db)).toBe("");
    const late = await insertUpload(db, box, { name: "late", contexts: ["b"], talosconfig: YAML, uploadedBy: "x" }, new Date("2026-02-01T00:00:00Z"));
    const early = await insertUpload(db, box, { name: "early", contexts: ["a"], talosconfig: YAML, uploadedBy: "x" }, new Date("2026-01-01T00:00:00Z"));
    expect((await listUploadMeta(db)).map((u) => u.name)).toEqual(["early", "late"]);
    const two = await uploadsFingerprint(db);
    expect(two).toBe(fingerprintOf(await listUploads(db, box)));
    expect(await uploadsFingerprint(db)).toBe(two);
    await deleteUpload(db, early.id);
    const one = await uploadsFingerprint(db);
    expect(one).toBe(late.id);
    // A delete and an insert leave the count as it was; the fingerprint still moves.
    await insertUpload(db, box, { name: "again", contexts: ["a"], talosconfig: YAML, uploadedBy: "x" }, new Date("2026-01-01T00:00:00Z"));
    expect(await uploadsFingerprint(db)).not.toBe(two);
  });
});

const ctx = (name: string) => ({ name }) as unknown as TalosContext;
const cfg = (...names: string[]): Talosconfig => ({ source: "f", current: names[0] ?? null, contexts: names.map(ctx) });
const upload = (id: string, ...names: string[]): ParsedUpload => ({ id, name: `label-${id}`, config: cfg(...names) });

describe("mergeFleetConfigs", () => {
  it("lists the file's contexts, then each upload's, with their origins", () => {
    const m = mergeFleetConfigs(cfg("prod", "stage"), [upload("u1", "lab"), upload("u2", "edge-1", "edge-2")]);
    expect(m.config?.contexts.map((c) => c.name)).toEqual(["prod", "stage", "lab", "edge-1", "edge-2"]);
    expect(m.origins).toEqual({ prod: { source: "file" }, stage: { source: "file" }, lab: { source: "upload", uploadId: "u1" }, "edge-1": { source: "upload", uploadId: "u2" }, "edge-2": { source: "upload", uploadId: "u2" } });
    expect(m.errors).toEqual([]);
  });

  it("skips a colliding name (the file changed under an upload, or two uploads) and says which", () => {
    const m = mergeFleetConfigs(cfg("prod"), [upload("u1", "prod", "lab"), upload("u2", "lab")]);
    expect(m.config?.contexts.map((c) => c.name)).toEqual(["prod", "lab"]);
    expect(m.origins.prod).toEqual({ source: "file" });
    expect(m.origins.lab).toEqual({ source: "upload", uploadId: "u1" });
    expect(m.errors).toEqual([
      'Uploaded talosconfig "label-u1": context "prod" is skipped, a cluster of that name already exists',
      'Uploaded talosconfig "label-u2": context "lab" is skipped, a cluster of that name already exists',
    ]);
  });

  it("lets an upload marked as overriding the file replace the file's context in place (a CA rotation's new credentials)", () => {
    const override: ParsedUpload = { ...upload("u9", "stage"), overridesFile: true };
    const m = mergeFleetConfigs(cfg("prod", "stage"), [override, upload("u2", "stage")]);
    expect(m.config?.contexts.map((c) => c.name)).toEqual(["prod", "stage"]);
    expect(m.config?.contexts[1]).toBe(override.config.contexts[0]);
    expect(m.origins.stage).toEqual({ source: "upload", uploadId: "u9" });
    // A plain upload of the same name is still refused.
    expect(m.errors).toEqual(['Uploaded talosconfig "label-u2": context "stage" is skipped, a cluster of that name already exists']);
  });

  it("serves uploads without a file, and nothing from nothing", () => {
    expect(mergeFleetConfigs(null, [upload("u1", "lab")]).config?.contexts.map((c) => c.name)).toEqual(["lab"]);
    expect(mergeFleetConfigs(null, []).config).toBeNull();
  });
});
