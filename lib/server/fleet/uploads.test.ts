import { describe, expect, it } from "vitest";

import { SecretBox } from "@/lib/server/platform/secret-box";
import { openLegacyDb as openDb } from "@/lib/server/platform/db/db";
import { mergeFleetConfigs, type ParsedUpload } from "@/lib/server/fleet/source";
import type { Talosconfig, TalosContext } from "@/lib/server/talos/talosconfig";

import { deleteUpload, insertUpload, listUploadMeta, listUploads } from "./uploads";

const PEM = "-----BEGIN ED25519 PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIFakeKeyMaterialForTheTestOnly0123456789ab\n-----END ED25519 PRIVATE KEY-----";
const YAML = `context: up\ncontexts:\n  up:\n    endpoints: [10.0.0.1]\n    key: ${Buffer.from(PEM).toString("base64")}\n`;

describe("uploads repository", () => {
  const box = new SecretBox(Buffer.alloc(32, 3));

  it("stores the talosconfig sealed: neither the key PEM nor its base64 is in the table", () => {
    const db = openDb(":memory:");
    const u = insertUpload(db, box, { name: "lab", contexts: ["up"], talosconfig: YAML, uploadedBy: "user:ada" }, new Date("2026-01-02T03:04:05Z"));
    const raw = db.prepare("SELECT * FROM cluster_uploads").all() as Record<string, string>[];
    expect(raw).toHaveLength(1);
    const bytes = JSON.stringify(raw);
    expect(bytes).not.toContain("PRIVATE KEY");
    expect(bytes).not.toContain(Buffer.from(PEM).toString("base64").slice(0, 40));
    expect(raw[0]!.key_id).toBe(box.keyId);
    expect(listUploadMeta(db)).toEqual([{ id: u.id, name: "lab", contexts: ["up"], uploadedAt: "2026-01-02T03:04:05.000Z", uploadedBy: "user:ada" }]);
    expect(listUploads(db, box)[0]!.talosconfig).toBe(YAML);
  });

  it("refuses to open under another key, and a sealed file moved to another row", () => {
    const db = openDb(":memory:");
    const a = insertUpload(db, box, { name: "a", contexts: ["a"], talosconfig: YAML, uploadedBy: "x" });
    expect(() => listUploads(db, new SecretBox(Buffer.alloc(32, 4)))).toThrow(/another key/);
    const b = insertUpload(db, box, { name: "b", contexts: ["b"], talosconfig: "other", uploadedBy: "x" });
    db.prepare("UPDATE cluster_uploads SET content = (SELECT content FROM cluster_uploads WHERE id = ?) WHERE id = ?").run(a.id, b.id);
    expect(() => listUploads(db, box)).toThrow(/integrity/);
  });

  it("deletes by id and says when there was nothing to delete", () => {
    const db = openDb(":memory:");
    const u = insertUpload(db, box, { name: "lab", contexts: ["up"], talosconfig: YAML, uploadedBy: "x" });
    expect(deleteUpload(db, u.id)?.contexts).toEqual(["up"]);
    expect(deleteUpload(db, u.id)).toBeNull();
    expect(listUploadMeta(db)).toEqual([]);
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

  it("serves uploads without a file, and nothing from nothing", () => {
    expect(mergeFleetConfigs(null, [upload("u1", "lab")]).config?.contexts.map((c) => c.name)).toEqual(["lab"]);
    expect(mergeFleetConfigs(null, []).config).toBeNull();
  });
});
