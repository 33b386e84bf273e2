import { describe, expect, it } from "vitest";

import { parseEnv } from "@/lib/schemas/env";
import { AUDIT_LIMITS, listAudit, pruneAuthNoise, recordAudit, recordAuthFailure } from "@/lib/server/platform/audit";
import { createSession } from "@/lib/server/auth/sessions";
import { createUser } from "@/lib/server/auth/users";
import { acquireLease } from "@/lib/server/platform/leases";
import { testDb } from "@/test/db";
import { sweep } from "@/lib/server/housekeeping";
import { saveChallenge } from "@/lib/server/auth/challenges";
import { RATE_LIMITS, rateLimiter } from "@/lib/server/auth/rate-limit";

const DAY = 86_400_000;
const now = new Date("2027-01-01T00:00:00Z");
const ago = (days: number) => new Date(now.getTime() - days * DAY);

describe("audit field ceilings", () => {
  it("cut caller-sized targets, strings, lists and whole details, and keep small entries as they are", async () => {
    const db = await testDb();
    const small = { actor: "user:ada", action: "config.apply", target: "10.0.0.1@lab", result: "ok" as const, details: { mode: "auto", n: 3, nested: { list: [1, 2] } } };
    await recordAudit(db, small);
    await recordAudit(db, {
      actor: "x".repeat(10_000),
      action: "y".repeat(10_000),
      target: "/api/".padEnd(8 * 1024, "a"),
      result: "refused",
      details: { ip: "9".repeat(4 * 1024), list: Array.from({ length: 1000 }, (_, i) => i), deep: { a: { b: { c: { d: { e: { f: { g: 1 } } } } } } } },
    });
    await recordAudit(db, { actor: "a", action: "b", target: "c", result: "ok", details: Object.fromEntries(Array.from({ length: 90 }, (_, i) => [`k${i}`, "z".repeat(1_900)])) });
    const [huge, big, kept] = await listAudit(db, { limit: 3 });
    expect(kept).toMatchObject(small);
    expect(big!.actor.length).toBeLessThan(AUDIT_LIMITS.actor + 40);
    expect(big!.action.length).toBeLessThan(AUDIT_LIMITS.action + 40);
    expect(big!.target.length).toBeLessThan(AUDIT_LIMITS.target + 40);
    expect(big!.target).toMatch(/more characters\)$/);
    const d = big!.details as { ip: string; list: unknown[]; deep: unknown };
    expect(d.ip.length).toBeLessThan(AUDIT_LIMITS.string + 40);
    expect(d.list).toHaveLength(AUDIT_LIMITS.items + 1);
    expect(JSON.stringify(d.deep)).toContain("nested too deep");
    expect(huge!.details).toMatchObject({ truncated: true });
    const rows = await db.selectFrom("audit_log").select("details").execute();
    const bytes = Math.max(...rows.map((r) => (r.details ?? "").length));
    expect(bytes).toBeLessThanOrEqual(AUDIT_LIMITS.detailsBytes);
  });
});

describe("aggregated authentication failures", () => {
  it("count per client, actor, result and window; reasons are bounded", async () => {
    const db = await testDb();
    for (let i = 0; i < 12; i++) await recordAuthFailure(db, { actor: "anonymous", action: "auth.sign_in", client: "203.0.113.1", result: "failed", reason: `reason ${i % 8}` }, now);
    await recordAuthFailure(db, { actor: "user:mallory", action: "auth.sign_in", client: "203.0.113.1", result: "failed", reason: "revoked" }, now);
    const rows = await listAudit(db, { limit: 10 });
    expect(rows.map((r) => [r.actor, r.target, r.result])).toEqual([
      ["user:mallory", "client:203.0.113.1", "failed"],
      ["anonymous", "client:203.0.113.1", "failed"],
    ]);
    const d = rows[1]!.details as { count: number; reasons: Record<string, number> };
    expect(d.count).toBe(12);
    expect(Object.keys(d.reasons)).toHaveLength(6);
    expect(d.reasons["(other)"]).toBe(3); // reasons 5, 6 and 7 came after five others
  });

  it("a reason quoting a credential is scrubbed, in the first row and in later counts", async () => {
    const db = await testDb();
    const reason = "token exchange failed: https://idp:s3cr3t-passw0rd@idp.example/token";
    for (let i = 0; i < 2; i++) await recordAuthFailure(db, { actor: "anonymous", action: "auth.sign_in", client: "203.0.113.9", result: "failed", reason }, now);
    const [row] = await listAudit(db, { limit: 1 });
    expect(JSON.stringify(row)).not.toContain("s3cr3t-passw0rd");
    expect((row!.details as { count: number }).count).toBe(2);
  });
});

describe("audit retention", () => {
  async function seed() {
    const db = await testDb();
    const changes = ["config.apply", "config.rollback", "rollout.start", "upgrade.start", "user.role", "user.revoke", "token.create", "token.revoke", "cluster.upload", "invitation.create"];
    for (const action of changes) {
      await recordAudit(db, { at: ago(3000), actor: "user:ada", action, target: "t", result: "ok", details: null });
      await recordAudit(db, { at: ago(3000), actor: "user:ada", action, target: "t", result: "failed", details: null });
      await recordAudit(db, { at: ago(3000), actor: "user:ada", action, target: "t", result: "refused", details: null });
    }
    await recordAudit(db, { at: ago(3000), actor: "user:ada", action: "auth.sign_in", target: "passkey", result: "ok", details: null });
    for (const action of ["auth.token", "auth.sign_in", "auth.bootstrap", "auth.invitation"] as const) {
      await recordAuthFailure(db, { actor: "anonymous", action, client: "203.0.113.1", reason: "old" }, ago(400));
      await recordAuthFailure(db, { actor: "anonymous", action, client: "203.0.113.1", reason: "recent" }, ago(10));
    }
    return { db, changes };
  }

  it("prunes old refused authentication and never a record of a change or a successful sign-in", async () => {
    const { db, changes } = await seed();
    expect(await pruneAuthNoise(db, 365, now)).toBe(4);
    const left = await listAudit(db, { limit: 500 });
    expect(left.filter((e) => changes.includes(e.action))).toHaveLength(changes.length * 3);
    expect(left.filter((e) => e.action === "auth.sign_in" && e.result === "ok")).toHaveLength(1);
    expect(left.filter((e) => e.action.startsWith("auth.") && e.result !== "ok").map((e) => (e.details as { reasons: object }).reasons)).toEqual(Array(4).fill({ recent: 1 }));
  });

  it("keeps everything with 0 days, and the hourly sweep uses the setting and drops dead sessions and ceremonies", async () => {
    const { db } = await seed();
    expect(await pruneAuthNoise(db, 0, now)).toBe(0);
    const user = await createUser(db, { name: "ada", role: "admin", source: "passkey", createdBy: "system" }, ago(30));
    await createSession(db, { userId: user.id, method: "passkey" }, { sessionMaxMs: DAY }, ago(30));
    await createSession(db, { userId: user.id, method: "passkey" }, { sessionMaxMs: DAY }, now);
    const days = parseEnv({ MINOS_AUDIT_RETENTION_DAYS: "30" }).MINOS_AUDIT_RETENTION_DAYS;
    // The live one first: saving a ceremony also clears those expired by then.
    await saveChallenge(db, "passkey-authenticate", { challenge: "live" }, null, now);
    await saveChallenge(db, "passkey-authenticate", { challenge: "old" }, null, ago(1));
    // A bucket refilled long ago goes; one in use stays.
    await rateLimiter(db).take("signIn|203.0.113.1|POST /x", RATE_LIMITS.signIn, ago(1).getTime());
    await rateLimiter(db).take("signIn|203.0.113.2|POST /x", RATE_LIMITS.signIn, now.getTime());
    // A finished run's lease, expired two days ago, goes; a live one and one expired an hour ago stay.
    await acquireLease(db, "upgrade:old", "replica-a", ago(2).getTime(), 1_000);
    await acquireLease(db, "upgrade:recent", "replica-a", now.getTime() - 3_600_000, 1_000);
    await acquireLease(db, "poller:lab", "replica-a", now.getTime(), 6_000);
    expect(await sweep(db, days, now)).toEqual({ auditRows: 4, sessions: 1, challenges: 1, rateBuckets: 1, leases: 1, plans: 0 });
    expect((await db.selectFrom("leases").select("name").orderBy("name").execute()).map((r) => r.name)).toEqual(["poller:lab", "upgrade:recent"]);
    expect(parseEnv({}).MINOS_AUDIT_RETENTION_DAYS).toBe(365);
    expect(() => parseEnv({ MINOS_AUDIT_RETENTION_DAYS: "-1" })).toThrow(/MINOS_AUDIT_RETENTION_DAYS/);
  });
});
