/**
 * No API answer may be kept by a browser or proxy cache: many carry a secret or a one-time link
 * (revealed configs, new tokens, invitations, templates, users, sessions). The route wrapper
 * sets `Cache-Control: no-store` on every response; this checks it per route, on the success
 * path of each secret-carrying route and on whatever every other route file answers.
 */
import { mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";

const stateDir = mkdtempSync(path.join(tmpdir(), "minos-cache-control-"));
process.env.MINOS_STATE_DIR = stateDir;
process.env.MINOS_DB = path.join(stateDir, "minos.db");
process.env.PORT = "3215";

import { authConfig } from "@/lib/server/auth/config";
import { createInvitation } from "@/lib/server/auth/links";
import { rateLimiter } from "@/lib/server/auth/rate-limit";
import { BASE, seedPrincipals, type Handler, type Principal } from "@/test/auth/matrix";
import { getDb } from "@/lib/server/platform/db/db";
import { stopFleetPoller } from "@/lib/server/fleet/service";
import { startTestFleet, type TestFleet } from "@/test/talos/fleet";

const API_DIR = __dirname;
const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"] as const;

function routeFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return routeFiles(full);
    return e.name === "route.ts" ? [full] : [];
  });
}

const HANDLERS = new Map<string, Handler>();
for (const file of routeFiles(API_DIR).sort()) {
  const pattern = `/api/${path.relative(API_DIR, path.dirname(file)).split(path.sep).join("/")}`.replace(/\/$/, "");
  const mod = (await import(file)) as Record<string, unknown>;
  for (const m of METHODS) if (typeof mod[m] === "function") HANDLERS.set(`${m} ${pattern}`, mod[m] as Handler);
}

let t: TestFleet;
let admin: Principal;
let worker: string;

beforeAll(async () => {
  t = await startTestFleet({ firstAddress: "127.0.184.1", controlPlanes: 1, workers: 1 });
  process.env.TALOSCONFIG = t.fleet.talosconfig.admin;
  worker = `${t.fleet.nodes[1]!.address}@sim-1`;
  admin = (await seedPrincipals(getDb(), authConfig(), new Date())).admin;
});

afterAll(async () => {
  await stopFleetPoller();
  await t?.stop();
});

beforeEach(() => rateLimiter().reset());

interface Call {
  key: string;
  url: string;
  params?: Record<string, string>;
  body?: unknown;
}

async function send(c: Call, p: Principal | null = admin): Promise<Response> {
  const handler = HANDLERS.get(c.key);
  if (!handler) throw new Error(`no route ${c.key}`);
  const method = c.key.split(" ")[0]!;
  const headers = new Headers({ host: "127.0.0.1:3215", origin: BASE });
  if (p) headers.set("authorization", `Bearer ${p.bearer}`);
  if (c.body !== undefined) headers.set("content-type", "application/json");
  const res = await handler(new Request(`${BASE}${c.url}`, { method, headers, body: c.body === undefined ? undefined : JSON.stringify(c.body) }), {
    params: Promise.resolve(c.params ?? {}),
  });
  // Drain (or cancel, for event streams) so nothing is left open.
  if ((res.headers.get("content-type") ?? "").startsWith("text/event-stream")) await res.body?.cancel();
  else await res.clone().arrayBuffer();
  return res;
}

describe("responses that carry a secret or a one-time link are never cached", () => {
  const enc = () => encodeURIComponent(worker);
  const rows: [string, () => Call, number, (body: string) => boolean][] = [
    ["a revealed running config", () => ({ key: "GET /api/nodes/[node]/config", url: `/api/nodes/${enc()}/config?reveal=1`, params: { node: worker } }), 200, (b) => /"yaml"/.test(b)],
    ["a new API token", () => ({ key: "POST /api/tokens", url: "/api/tokens", body: { name: "ci-cache", role: "viewer" } }), 200, (b) => /minos_/.test(b)],
    ["a new invitation (one-time link)", () => ({ key: "POST /api/auth/invitations", url: "/api/auth/invitations", body: { role: "viewer" } }), 200, (b) => /\/invite/.test(b)],
    ["the invitation list", () => ({ key: "GET /api/auth/invitations", url: "/api/auth/invitations" }), 200, () => true],
    ["the user list", () => ({ key: "GET /api/users", url: "/api/users" }), 200, (b) => /"users"/.test(b)],
    ["the token list", () => ({ key: "GET /api/tokens", url: "/api/tokens" }), 200, () => true],
    ["the session", () => ({ key: "GET /api/auth/session", url: "/api/auth/session" }), 200, () => true],
    ["a config template (fresh keys)", () => ({ key: "GET /api/config/template", url: "/api/config/template?role=controlplane" }), 200, (b) => /PRIVATE KEY|key:/.test(b)],
  ];

  it.each(rows)("%s", async (_, make, status, looksRight) => {
    const res = await send(make());
    expect(res.status).toBe(status);
    expect(looksRight(await res.text())).toBe(true);
    expect(res.headers.get("cache-control")).toBe("no-store");
  }, 30_000);

  it("a sign-in link preview (public, one-time link)", async () => {
    const { token } = await createInvitation(getDb(), { role: "viewer", expiresInHours: 1, createdBy: "test" }, new Date());
    const res = await send({ key: "POST /api/auth/links/preview", url: "/api/auth/links/preview", body: { token } }, null);
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("no-store");
  });

  it("errors too (a refused or failed request says nothing a cache should keep)", async () => {
    const unauthorized = await send({ key: "GET /api/users", url: "/api/users" }, null);
    expect(unauthorized.status).toBe(401);
    expect(unauthorized.headers.get("cache-control")).toBe("no-store");
    const missing = await send({ key: "GET /api/[...path]", url: "/api/nope", params: { path: "nope" } });
    expect(missing.status).toBe(404);
    expect(missing.headers.get("cache-control")).toBe("no-store");
  });
});

/**
 * Large reads that hold no secret and the same bytes for every caller may be kept by the browser
 * (never a shared cache: `private`) on condition it asks again every time (`no-cache`, ETag → 304).
 */
const REVALIDATED = new Set(["GET /api/nodes"]);

describe("every route file answers with no-store (or, for a few plain reads, private and revalidated)", () => {
  const BOGUS = "00000000-0000-4000-8000-000000000000";
  const calls: Call[] = [...HANDLERS.keys()].map((key) => {
    const pattern = key.slice(key.indexOf(" ") + 1);
    const params: Record<string, string> = {};
    if (pattern.includes("[node]")) params.node = "10.255.255.1@nowhere";
    if (pattern.includes("[id]")) params.id = pattern.includes("revisions") ? "1" : BOGUS;
    if (pattern.includes("[passkeyId]")) params.passkeyId = "nope";
    if (pattern.includes("[action]")) params.action = "pause";
    if (pattern.includes("[...path]")) params.path = "nope";
    const url = pattern.replace(/\[\.\.\.path\]|\[(\w+)\]/g, (_, name: string | undefined) => encodeURIComponent(params[name ?? "path"]!));
    // No body: mutations stop at validation, so nothing changes.
    return { key, url, params };
  });

  it("walks a real number of routes", () => {
    expect(calls.length).toBeGreaterThanOrEqual(50);
  });

  it.each(calls.map((c) => [c.key, c] as const))("%s", async (_, c) => {
    const res = await send(c);
    const expected = REVALIDATED.has(c.key) && res.ok ? /^private, no-cache(,|$)/ : /(^|,\s*)no-store(,|$)/;
    expect(res.headers.get("cache-control") ?? "", `${c.key} → ${res.status}`).toMatch(expected);
  }, 30_000);
});
