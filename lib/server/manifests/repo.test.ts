import { randomBytes } from "node:crypto";

import { describe, expect, it } from "vitest";

import { ManifestRepository } from "@/lib/server/manifests/repo";
import { SecretBox } from "@/lib/server/platform/secret-box";
import { testDb } from "@/test/db";
import { rejection } from "@/test/talos/fleet";

const at = new Date("2026-12-01T10:00:00Z");

async function repo() {
  const db = await testDb();
  return { db, repo: new ManifestRepository(db, new SecretBox(randomBytes(32))) };
}

const rev = (cluster: string, base: number | null, yaml: string) => ({ cluster, author: "user:ann", at, source: "edit" as const, yaml, base });

describe("manifest revisions", () => {
  it("numbers revisions per cluster, newest first, and keeps the manifest sealed", async () => {
    const { db, repo: r } = await repo();
    expect(await r.latest("prod")).toBeUndefined();
    const first = await r.insert({ ...rev("prod", null, "cluster: {name: prod} # password: hunter2"), source: "adopt", message: "adopted" });
    expect(first).toMatchObject({ cluster: "prod", revision: 1, source: "adopt", message: "adopted", author: "user:ann", createdAt: at.toISOString() });
    await r.insert(rev("staging", null, "s1"));
    const second = await r.insert(rev("prod", 1, "p2"));
    expect(second.revision).toBe(2);
    expect((await r.list("prod")).map((x) => x.revision)).toEqual([2, 1]);
    expect((await r.latest("staging"))?.revision).toBe(1);
    expect(await r.manifest("prod", 1)).toBe("cluster: {name: prod} # password: hunter2");
    expect(await r.manifest("prod", 2)).toBe("p2");
    // At rest: nothing of the text.
    const rows = await db.selectFrom("manifest_revisions").select("manifest_sealed").execute();
    expect(rows.some((x) => x.manifest_sealed.includes("hunter2"))).toBe(false);
    expect(await rejection(r.manifest("prod", 3))).toMatchObject({ code: "not_found" });
  });

  it("refuses a save whose base is not the latest revision (409), and a first save when one exists", async () => {
    const { repo: r } = await repo();
    await r.insert(rev("prod", null, "a"));
    await r.insert(rev("prod", 1, "b"));
    expect(await rejection(r.insert(rev("prod", 1, "stale")))).toMatchObject({ code: "conflict", details: { latestRevision: 2, baseRevision: 1 } });
    expect(await rejection(r.insert(rev("prod", null, "again")))).toMatchObject({ code: "conflict" });
    expect(await rejection(r.insert(rev("other", 1, "nothing to edit")))).toMatchObject({ code: "conflict", details: { latestRevision: null } });
    expect((await r.list("prod")).length).toBe(2);
  });

  it("lets exactly one of two saves racing from the same base win", async () => {
    const { repo: r } = await repo();
    await r.insert(rev("prod", null, "a"));
    const outcomes = await Promise.allSettled([r.insert(rev("prod", 1, "x")), r.insert(rev("prod", 1, "y")), r.insert(rev("prod", 1, "z"))]);
    expect(outcomes.filter((o) => o.status === "fulfilled")).toHaveLength(1);
    for (const o of outcomes) if (o.status === "rejected") expect(o.reason).toMatchObject({ code: "conflict" });
    expect((await r.list("prod")).map((x) => x.revision)).toEqual([2, 1]);
  });

  it("binds a sealed manifest to its cluster and revision", async () => {
    const { db, repo: r } = await repo();
    await r.insert(rev("prod", null, "a"));
    await r.insert(rev("prod", 1, "b"));
    const one = await db.selectFrom("manifest_revisions").select("manifest_sealed").where("revision", "=", 1).executeTakeFirstOrThrow();
    await db.updateTable("manifest_revisions").set({ manifest_sealed: one.manifest_sealed }).where("revision", "=", 2).execute();
    expect(await rejection(r.manifest("prod", 2))).toMatchObject({ code: "misconfigured" });
  });
});

describe("cluster secrets", () => {
  it("stores the bundle sealed, one per cluster, replaced on a second save", async () => {
    const { db, repo: r } = await repo();
    expect(await r.secrets("prod")).toBeUndefined();
    await r.saveSecrets("prod", "cluster:\n    id: abc\n    secret: s3cret-value\n", at);
    await r.saveSecrets("other", "other bundle", at);
    expect(await r.secrets("prod")).toContain("s3cret-value");
    await r.saveSecrets("prod", "replaced", new Date(at.getTime() + 1000));
    expect(await r.secrets("prod")).toBe("replaced");
    expect(await r.secrets("other")).toBe("other bundle");
    const rows = await db.selectFrom("cluster_secrets").selectAll().execute();
    expect(rows).toHaveLength(2);
    expect(rows.some((x) => x.bundle_sealed.includes("s3cret") || x.bundle_sealed.includes("replaced"))).toBe(false);
  });
});
