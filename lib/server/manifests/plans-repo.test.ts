import { randomBytes } from "node:crypto";

import { describe, expect, it } from "vitest";

import { sweep } from "@/lib/server/housekeeping";
import { PLAN_MAX_AGE_MS, PlanRepository, prunePlans, publicPlan, type NewPlan } from "@/lib/server/manifests/plans-repo";
import { SecretBox } from "@/lib/server/platform/secret-box";
import { testDb } from "@/test/db";

const node = (n: string, change: "none" | "update", config: string | null) => ({
  node: `${n}@c`,
  hostname: n,
  role: "worker" as const,
  change,
  reboot: false,
  mode: change === "update" ? ("no-reboot" as const) : null,
  runningHash: "r",
  configHash: config && "h",
  diff: "",
  issues: [],
  config,
});

const plan = (id: string): NewPlan => ({
  id,
  cluster: "c",
  author: "user:ada",
  createdAt: "2026-12-06T10:00:00.000Z",
  baseRevision: 3,
  mode: "auto",
  summary: { none: 1, update: 1, reboot: 0, refused: 0, unreachable: 0 },
  notInManifest: ["10.0.0.9@c"],
  manifest: "cluster: {name: c}\nsecret: s3cret\n",
  nodes: [node("10.0.0.1", "update", "machine: {token: tok-1}\n"), node("10.0.0.2", "none", null)],
});

describe("manifest plans at rest", () => {
  it("keeps the manifest and every render sealed, each bound to its own plan and node", async () => {
    const db = await testDb();
    const repo = new PlanRepository(db, new SecretBox(randomBytes(32)));
    await repo.insert(plan("mp-1"));
    await repo.insert(plan("mp-2"));
    const raw = await db.selectFrom("manifest_plans").select("manifest_sealed").where("id", "=", "mp-1").executeTakeFirstOrThrow();
    expect(raw.manifest_sealed).not.toContain("s3cret");
    expect(await repo.manifest("mp-1")).toContain("s3cret");
    expect(await repo.nodeConfig("mp-1", "10.0.0.1@c")).toBe("machine: {token: tok-1}\n");
    await expect(repo.nodeConfig("mp-1", "10.0.0.2@c")).rejects.toThrow(/no config/);

    // A sealed render copied onto another plan's row does not open there.
    const sealed = await db.selectFrom("manifest_plan_nodes").select("config_sealed").where("plan_id", "=", "mp-1").where("node", "=", "10.0.0.1@c").executeTakeFirstOrThrow();
    await db.updateTable("manifest_plan_nodes").set({ config_sealed: sealed.config_sealed }).where("plan_id", "=", "mp-2").where("node", "=", "10.0.0.1@c").execute();
    await expect(repo.nodeConfig("mp-2", "10.0.0.1@c")).rejects.toThrow();

    const got = (await repo.get("mp-1"))!;
    expect(publicPlan(got)).toEqual({
      planId: "mp-1",
      cluster: "c",
      baseRevision: 3,
      mode: "auto",
      createdAt: "2026-12-06T10:00:00.000Z",
      summary: { none: 1, update: 1, reboot: 0, refused: 0, unreachable: 0 },
      notInManifest: ["10.0.0.9@c"],
      nodes: [
        { node: "10.0.0.1@c", hostname: "10.0.0.1", role: "worker", change: "update", reboot: false, diff: "", issues: [] },
        { node: "10.0.0.2@c", hostname: "10.0.0.2", role: "worker", change: "none", reboot: false, diff: "", issues: [] },
      ],
    });
    expect(got.nodes[0]).toMatchObject({ mode: "no-reboot", runningHash: "r", configHash: "h" });
    expect(await repo.get("mp-none")).toBeUndefined();
  });

  it("is claimed for an apply once", async () => {
    const db = await testDb();
    const repo = new PlanRepository(db, new SecretBox(randomBytes(32)));
    await repo.insert(plan("mp-1"));
    const at = new Date("2026-12-06T10:05:00.000Z");
    expect(await repo.claim("mp-1", "user:ada", at)).toBe(true);
    expect(await repo.claim("mp-1", "user:bob", at)).toBe(false);
    await repo.recordApplied("mp-1", 4, "ro-1");
    expect(await repo.get("mp-1")).toMatchObject({ appliedAt: at.toISOString(), appliedBy: "user:ada", appliedRevision: 4, rolloutId: "ro-1" });
  });
  it("is pruned past its lifetime unapplied; an applied one keeps its record and drops its renders", async () => {
    const db = await testDb();
    const repo = new PlanRepository(db, new SecretBox(randomBytes(32)));
    const created = new Date("2026-12-06T10:00:00.000Z");
    const at = (ms: number) => new Date(created.getTime() + ms);
    for (const id of ["mp-old", "mp-applied", "mp-fresh"]) await repo.insert(id === "mp-fresh" ? { ...plan(id), createdAt: at(PLAN_MAX_AGE_MS).toISOString() } : plan(id));
    await repo.claim("mp-applied", "user:ada", at(60_000));
    await repo.recordApplied("mp-applied", 4, "ro-1");

    // Within the lifetime (and its grace), nothing goes.
    expect(await prunePlans(db, at(PLAN_MAX_AGE_MS))).toBe(0);
    expect(await repo.nodeConfig("mp-applied", "10.0.0.1@c")).toContain("tok-1");

    const later = at(2 * PLAN_MAX_AGE_MS);
    expect(await prunePlans(db, later)).toBe(1);
    expect(await repo.get("mp-old")).toBeUndefined();
    expect(await db.selectFrom("manifest_plan_nodes").select("node").where("plan_id", "=", "mp-old").execute()).toEqual([]);
    expect(await repo.get("mp-applied")).toMatchObject({ appliedBy: "user:ada", rolloutId: "ro-1" });
    await expect(repo.nodeConfig("mp-applied", "10.0.0.1@c")).rejects.toThrow(/no config/);
    expect(await repo.nodeConfig("mp-fresh", "10.0.0.1@c")).toContain("tok-1");
    // The housekeeping sweep runs it.
    expect((await sweep(db, 30, at(4 * PLAN_MAX_AGE_MS))).plans).toBe(1);
    expect(await repo.get("mp-fresh")).toBeUndefined();
  });
});
