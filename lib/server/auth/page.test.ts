/**
 * The page guard (issue 11, finding 1): who a page lets through, where it sends the others, and
 * that page data cannot be read without the grant the guard hands out.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { beforeEach, describe, expect, it, vi } from "vitest";

const stateDir = mkdtempSync(path.join(tmpdir(), "minos-page-guard-"));
process.env.MINOS_STATE_DIR = stateDir;
process.env.MINOS_DB = path.join(stateDir, "minos.db");

/** What the request carries: its cookies, and the path the proxy wrote into the page-path header. */
const request = { cookies: new Map<string, string>(), pagePath: null as string | null };

vi.mock("next/headers", () => ({
  cookies: async () => ({ get: (name: string) => (request.cookies.has(name) ? { name, value: request.cookies.get(name)! } : undefined) }),
  // The header the proxy writes (lib/server/auth/page-path.ts).
  headers: async () => new Headers(request.pagePath === null ? {} : { "x-minos-page-path": request.pagePath }),
}));

import type { Role } from "@/lib/schemas/auth";
import { userActor } from "@/lib/server/auth/actor";
import { authConfig } from "@/lib/server/auth/config";
import { SECURE_SESSION_COOKIE, SESSION_COOKIE } from "@/lib/server/auth/cookies";
import { currentPageGrant, grantedActor, requirePageAccess, requirePageActor, type PageGrant } from "@/lib/server/auth/page";
import { createSession, revokeSession } from "@/lib/server/auth/sessions";
import { createUser, revokeUser } from "@/lib/server/auth/users";
import { getDb } from "@/lib/server/platform/db/db";
import { pageAccessLists, pageAudit, pageSession } from "@/lib/server/page-data";

let seq = 0;

async function signIn(role: Role, at: Date = new Date()): Promise<{ token: string; idHash: string; userId: string }> {
  const user = await createUser(getDb(), { name: `page-${role}-${++seq}`, role, source: "passkey", createdBy: "test" }, at);
  const session = await createSession(getDb(), { userId: user.id, method: "passkey" }, authConfig(), at);
  return { token: session.token, idHash: session.idHash, userId: user.id };
}

/** The error a call fails with, whether it throws at once or returns a promise that rejects. */
async function failure(fn: () => unknown): Promise<string> {
  try {
    await fn();
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error("the call did not fail");
}

/** The digest Next's redirect() and notFound() throw with, which is how Next tells them apart. */
async function interruption(p: Promise<unknown>): Promise<string> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e, "the guard let the request through").not.toBeNull();
  return String((e as { digest?: string }).digest);
}

beforeEach(() => {
  request.cookies.clear();
  request.pagePath = "/nodes/10.5.0.2%40sim-1?tab=config";
});

describe("requirePageActor", () => {
  const dead: Record<string, () => Promise<string | null>> = {
    "no cookie": async () => null,
    "a made-up cookie": async () => "x".repeat(43),
    "an expired session": async () => (await signIn("admin", new Date(Date.now() - 2 * authConfig().sessionMaxMs))).token,
    "a session idle past the idle timeout": async () => (await signIn("admin", new Date(Date.now() - authConfig().sessionIdleMs - 1000))).token,
    "a signed-out session": async () => {
      const s = await signIn("admin");
      await revokeSession(getDb(), s.idHash, new Date());
      return s.token;
    },
    "a revoked user's session": async () => {
      const s = await signIn("admin");
      await revokeUser(getDb(), s.userId, "test", new Date());
      return s.token;
    },
  };

  it.each(Object.keys(dead))("sends %s to sign in and back, and hands out no grant", async (what) => {
    const token = await dead[what]!();
    if (token) request.cookies.set(SESSION_COOKIE, token);
    expect(await interruption(requirePageActor("viewer"))).toBe("NEXT_REDIRECT;replace;/sign-in?next=/nodes/10.5.0.2%2540sim-1%3Ftab%3Dconfig;307;");
    expect(await interruption(requirePageAccess("admin"))).toMatch(/^NEXT_REDIRECT;replace;\/sign-in\?next=/);
    expect(await currentPageGrant()).toBeNull();
  });

  it("never sends the way back off-site, whatever the page-path header says", async () => {
    for (const hostile of ["/\\evil.example", "//evil.example", "https://evil.example/", "/\t/evil.example", null]) {
      request.pagePath = hostile;
      expect(await interruption(requirePageActor("viewer"))).toBe("NEXT_REDIRECT;replace;/sign-in;307;");
    }
  });

  it("lets a live session through with a grant for its person, from either cookie name", async () => {
    const viewer = await signIn("viewer");
    request.cookies.set(SESSION_COOKIE, viewer.token);
    const grant = await requirePageActor("viewer");
    expect(grantedActor(grant, "viewer")).toMatchObject({ kind: "user", id: viewer.userId, role: "viewer" });
    request.cookies.clear();
    request.cookies.set(SECURE_SESSION_COOKIE, viewer.token);
    expect((await requirePageActor("viewer")).actor.id).toBe(viewer.userId);
  });

  it("answers not-found below the page's role; requirePageAccess lets the page explain instead", async () => {
    const operator = await signIn("operator");
    request.cookies.set(SESSION_COOKIE, operator.token);
    expect(await interruption(requirePageActor("admin"))).toBe("NEXT_HTTP_ERROR_FALLBACK;404");
    const access = await requirePageAccess("admin");
    expect(access.kind).toBe("forbidden");
    expect(access).not.toHaveProperty("grant");
    expect((await requirePageAccess("operator")).kind).toBe("ok");
  });
});

describe("page data", () => {
  it("refuses a grant the guard did not hand out, even one naming an admin", async () => {
    const admin = await signIn("admin");
    const forged = { actor: userActor({ id: admin.userId, name: "forged", role: "admin" }) } as PageGrant;
    expect(() => grantedActor(forged, "viewer")).toThrow(/without a checked session/);
    expect(await failure(() => pageAudit(forged, { limit: 10 }))).toMatch(/without a checked session/);
    expect(await failure(() => pageAccessLists(forged))).toMatch(/without a checked session/);
    expect(await failure(() => pageSession(forged))).toMatch(/without a checked session/);
    // A copy of a real grant is not the grant.
    expect(await failure(() => pageAudit({ ...forged }, { limit: 10 }))).toMatch(/without a checked session/);
  });

  it("gives a viewer's grant the viewer's data and not the admin's", async () => {
    request.cookies.set(SESSION_COOKIE, (await signIn("viewer")).token);
    const grant = await requirePageActor("viewer");
    expect(Array.isArray(await pageAudit(grant, { limit: 10 }))).toBe(true);
    expect((await pageSession(grant)).user?.role).toBe("viewer");
    expect(await failure(() => pageAccessLists(grant))).toMatch(/for the admin role was asked for by a viewer/);
    expect(await failure(() => pageAudit({ ...grant }, { limit: 10 }))).toMatch(/without a checked session/);
  });

  it("gives an admin's grant the access lists", async () => {
    request.cookies.set(SESSION_COOKIE, (await signIn("admin")).token);
    const access = await requirePageAccess("admin");
    if (access.kind !== "ok") throw new Error("an admin was refused");
    expect((await pageAccessLists(access.grant)).users.users.length).toBeGreaterThan(0);
  });
});
