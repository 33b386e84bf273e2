/**
 * A stream outlives the request that authorized it: the check made again while it is open, and
 * the cap on how many one person holds.
 */
import { describe, expect, it } from "vitest";

import type { Actor } from "@/lib/server/auth/actor";
import type { AuthConfig } from "@/lib/server/auth/config";
import { SESSION_COOKIE } from "@/lib/server/auth/cookies";
import type { AuthDeps } from "@/lib/server/auth/guard";
import { RateLimiter } from "@/lib/server/auth/rate-limit";
import { createSession, revokeSession } from "@/lib/server/auth/sessions";
import { createUser, revokeUser } from "@/lib/server/auth/users";
import type { Db } from "@/lib/server/platform/db/db";
import { testDb } from "@/test/db";

import { MAX_STREAMS_PER_USER, openStreamsOf, streamSessionCheck, takeStreamSlot } from "./session";

const config: AuthConfig = {
  origin: new URL("http://localhost:3000"),
  allowedHosts: [],
  sessionIdleMs: 60 * 60_000,
  sessionMaxMs: 12 * 3_600_000,
  rpName: "Minos",
  oidc: null,
  stateDir: "/nonexistent",
};

let seq = 0;

async function signedIn(db: Db) {
  const now = new Date();
  const user = await createUser(db, { name: `reader-${++seq}`, role: "viewer", source: "passkey", createdBy: "test" }, now);
  const session = await createSession(db, { userId: user.id, method: "passkey" }, config, now);
  const request = new Request("http://localhost:3000/api/nodes/n1@c1/logs/etcd?follow=1", { headers: { host: "localhost:3000", cookie: `${SESSION_COOKIE}=${session.token}` } });
  const actor: Actor = { kind: "user", id: user.id, name: user.name, role: "viewer", label: `user:${user.name}` };
  const deps = (): AuthDeps => ({ db, config, limiter: new RateLimiter(db), now: new Date() });
  return { user, session, request, actor, deps };
}

describe("streamSessionCheck", () => {
  it("passes while the session is good, fails once the person signs out", async () => {
    const db = await testDb();
    const { session, request, actor, deps } = await signedIn(db);
    const check = streamSessionCheck(request, actor, deps);
    expect(check.everyMs).toBe(30_000);
    expect(await check.stillAllowed()).toBe(true);
    await revokeSession(db, session.idHash, new Date());
    await expect(check.stillAllowed()).resolves.toBe(false);
  });

  it("fails once the user is revoked", async () => {
    const db = await testDb();
    const { user, request, actor, deps } = await signedIn(db);
    const check = streamSessionCheck(request, actor, deps);
    expect(await check.stillAllowed()).toBe(true);
    await revokeUser(db, user.id, "test", new Date());
    await expect(check.stillAllowed()).resolves.toBe(false);
  });

  it("fails when the credential now names someone else than the stream was opened for", async () => {
    const db = await testDb();
    const { request, deps } = await signedIn(db);
    const other: Actor = { kind: "user", id: "someone-else", name: "x", role: "viewer", label: "user:x" };
    await expect(streamSessionCheck(request, other, deps).stillAllowed()).resolves.toBe(false);
  });
});

describe("takeStreamSlot", () => {
  const person: Actor = { kind: "user", id: "slot-person", name: "p", role: "viewer", label: "user:p" };

  it(`allows ${MAX_STREAMS_PER_USER} streams per person, refuses the next with rate_limited, and a release frees one (once)`, () => {
    const releases = Array.from({ length: MAX_STREAMS_PER_USER }, () => takeStreamSlot(person));
    expect(openStreamsOf(person)).toBe(MAX_STREAMS_PER_USER);
    expect(() => takeStreamSlot(person)).toThrow(expect.objectContaining({ code: "rate_limited" }));
    const first = releases.shift()!;
    first();
    first();
    expect(openStreamsOf(person)).toBe(MAX_STREAMS_PER_USER - 1);
    releases.push(takeStreamSlot(person));
    expect(() => takeStreamSlot(person)).toThrow(/at most 16/);
    releases.forEach((r) => r());
    expect(openStreamsOf(person)).toBe(0);
  });

  it("a person's API tokens share the person's count", () => {
    const release = Array.from({ length: MAX_STREAMS_PER_USER }, () => takeStreamSlot(person));
    const token: Actor = { kind: "token", id: "t1", name: "ci", role: "viewer", label: "token:ci", ownerId: person.id };
    expect(() => takeStreamSlot(token)).toThrow(expect.objectContaining({ code: "rate_limited" }));
    release.forEach((r) => r());
    takeStreamSlot(token)();
  });
});
