/**
 * The cluster manifest routes over HTTP semantics: status codes, the error envelope, who may do
 * what, and what a non-admin sees (secrets redacted), against the simulated fleet on the process's
 * own store (SQLite file, or PostgreSQL in the postgres project).
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseDocument } from "yaml";

const stateDir = mkdtempSync(path.join(tmpdir(), "minos-manifest-routes-"));
process.env.MINOS_STATE_DIR = stateDir;
process.env.MINOS_DB = path.join(stateDir, "minos.db");
process.env.PORT = "3215";

import * as adoptRoute from "@/app/api/clusters/[cluster]/manifest/adopt/route";
import * as renderRoute from "@/app/api/clusters/[cluster]/manifest/render/route";
import * as revisionRoute from "@/app/api/clusters/[cluster]/manifest/revisions/[id]/route";
import * as revisionsRoute from "@/app/api/clusters/[cluster]/manifest/revisions/route";
import * as manifestRoute from "@/app/api/clusters/[cluster]/manifest/route";
import * as validateRoute from "@/app/api/clusters/[cluster]/manifest/validate/route";
import * as driftRoute from "@/app/api/clusters/[cluster]/drift/route";
import * as secretsRoute from "@/app/api/clusters/[cluster]/secrets/route";
import { authConfig } from "@/lib/server/auth/config";
import { RATE_LIMITS, rateLimiter } from "@/lib/server/auth/rate-limit";
import { getDb } from "@/lib/server/platform/db/db";
import { listAudit } from "@/lib/server/platform/audit";
import { BASE, seedPrincipals, type Handler, type Principal } from "@/test/auth/matrix";
import { startTestFleet, type TestFleet } from "@/test/talos/fleet";

let t: TestFleet;
let cluster: string;
let who: Record<"viewer" | "operator" | "admin", Principal>;

const PASSWORD = "hunter2-registry-password";

async function call(p: Principal, handler: Handler, urlPath: string, params: Record<string, string>, init: { method: string; body?: unknown }) {
  const headers = new Headers({ host: "127.0.0.1:3215", authorization: `Bearer ${p.bearer}` });
  if (init.body !== undefined) headers.set("content-type", "application/json");
  const res = await handler(new Request(`${BASE}${urlPath}`, { method: init.method, headers, body: init.body === undefined ? undefined : JSON.stringify(init.body) }), { params: Promise.resolve(params) });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> & { error?: { code: string; message: string; details?: Record<string, unknown> } } };
}

const get = (p: Principal, h: Handler, sub: string, params: Record<string, string> = {}) => call(p, h, `/api/clusters/${cluster}${sub}`, { cluster, ...params }, { method: "GET" });
const send = (p: Principal, h: Handler, method: string, sub: string, body: unknown, params: Record<string, string> = {}) =>
  call(p, h, `/api/clusters/${cluster}${sub}`, { cluster, ...params }, { method, body });

beforeAll(async () => {
  t = await startTestFleet({ firstAddress: "127.0.191.1", controlPlanes: 1, workers: 2 });
  process.env.TALOSCONFIG = t.fleet.talosconfig.admin;
  cluster = t.fleet.clusters[0]!;
  who = await seedPrincipals(getDb(), authConfig(), new Date());
});
afterAll(() => t?.stop());

describe("cluster manifest routes", () => {
  it("answer 404 before adoption and for an unknown cluster, and refuse the admin routes below admin", async () => {
    rateLimiter().reset();
    expect((await get(who.viewer, manifestRoute.GET, "/manifest")).status).toBe(404);
    expect((await get(who.admin, secretsRoute.GET, "/secrets")).status).toBe(404);
    expect((await call(who.viewer, driftRoute.GET, "/api/clusters/nowhere/drift", { cluster: "nowhere" }, { method: "GET" })).status).toBe(404);
    expect((await call(who.admin, adoptRoute.POST, "/api/clusters/nowhere/manifest/adopt", { cluster: "nowhere" }, { method: "POST", body: {} })).status).toBe(404);
    for (const p of [who.viewer, who.operator]) {
      expect((await send(p, adoptRoute.POST, "POST", "/manifest/adopt", {})).status).toBe(403);
      expect((await send(p, manifestRoute.PUT, "PUT", "/manifest", { yaml: "x: 1", baseRevision: 1 })).status).toBe(403);
      expect((await get(p, secretsRoute.GET, "/secrets")).status).toBe(403);
    }
    // Bad input is a 400 in the one envelope.
    const bad = await send(who.admin, manifestRoute.PUT, "PUT", "/manifest", { yaml: "x: 1" });
    expect(bad.status).toBe(400);
    expect(bad.body.error?.code).toBe("validation_failed");
  });

  it("adopt, edit, read (redacted below admin), history, drift and the secrets export", async () => {
    rateLimiter().reset();
    const adopted = await send(who.admin, adoptRoute.POST, "POST", "/manifest/adopt", {});
    expect(adopted.status, JSON.stringify(adopted.body)).toBe(200);
    expect(adopted.body).toMatchObject({ revision: 1, report: { nodes: expect.any(Array) } });
    expect((await send(who.admin, adoptRoute.POST, "POST", "/manifest/adopt", {})).status).toBe(409);

    // An edit with a secret in a patch: a registry password.
    const doc = parseDocument(adopted.body.yaml as string);
    const patch = { name: "registry auth", patch: `machine:\n  registries:\n    config:\n      registry.example.com:\n        auth:\n          username: ci\n          password: ${PASSWORD}\n` };
    if (doc.get("patches")) doc.addIn(["patches"], patch);
    else doc.set("patches", doc.createNode([patch]));
    const edited = doc.toString();
    const stale = await send(who.admin, manifestRoute.PUT, "PUT", "/manifest", { yaml: edited, baseRevision: 2 });
    expect(stale.status).toBe(409);
    expect(stale.body.error).toMatchObject({ code: "conflict", details: { latestRevision: 1 } });
    const invalid = await send(who.admin, manifestRoute.PUT, "PUT", "/manifest", { yaml: "cluster: [", baseRevision: 1 });
    expect(invalid.status).toBe(422);
    expect(invalid.body.error?.details?.issues).toEqual(expect.arrayContaining([expect.objectContaining({ line: expect.any(Number) })]));
    const put = await send(who.admin, manifestRoute.PUT, "PUT", "/manifest", { yaml: edited, baseRevision: 1, message: "registry" });
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    expect(put.body).toEqual({ revision: 2 });

    // Below admin, and for an admin who does not ask: redacted.
    for (const [p, q] of [
      [who.viewer, "?reveal=1"],
      [who.operator, "?reveal=1"],
      [who.admin, ""],
    ] as const) {
      const m = await get(p, manifestRoute.GET, `/manifest${q}`);
      expect(m.status).toBe(200);
      expect(m.body.revision).toBe(2);
      expect(JSON.stringify(m.body)).not.toContain(PASSWORD);
      expect(m.body.yaml).toContain("******");
    }
    const revealed = await get(who.admin, manifestRoute.GET, "/manifest?reveal=1");
    expect(revealed.body.yaml).toContain(PASSWORD);

    // A redacted manifest sent back keeps the stored password (merged back), and validates.
    const redacted = (await get(who.viewer, manifestRoute.GET, "/manifest")).body.yaml as string;
    const v = await send(who.viewer, validateRoute.POST, "POST", "/manifest/validate", { yaml: redacted });
    expect(v.status).toBe(200);
    expect(v.body.valid).toBe(true);
    // Saved back by an admin who never saw it: the password stays; a marker with nothing behind it is refused.
    const again = await send(who.admin, manifestRoute.PUT, "PUT", "/manifest", { yaml: `${redacted}# touched\n`, baseRevision: 2 });
    expect(again.status, JSON.stringify(again.body)).toBe(200);
    expect((await get(who.admin, manifestRoute.GET, "/manifest?reveal=1")).body.yaml).toContain(PASSWORD);
    const orphan = redacted.replace("name: registry auth", "name: renamed registry auth");
    const refused = await send(who.admin, manifestRoute.PUT, "PUT", "/manifest", { yaml: orphan, baseRevision: 3 });
    expect(refused.status).toBe(422);
    expect(refused.body.error?.message).toContain("line ");
    expect((await get(who.viewer, manifestRoute.GET, "/manifest")).body.revision).toBe(3);

    const r = await send(who.viewer, renderRoute.POST, "POST", "/manifest/render", { yaml: redacted, node: t.fleet.nodes[1]!.address, reveal: true });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(JSON.stringify(r.body)).not.toContain(PASSWORD);
    expect(r.body.diff).toContain("registry.example.com");
    const adminRender = await send(who.admin, renderRoute.POST, "POST", "/manifest/render", { yaml: redacted, node: t.fleet.nodes[1]!.address, reveal: true });
    expect(adminRender.body.config).toContain(PASSWORD);
    expect((await send(who.viewer, renderRoute.POST, "POST", "/manifest/render", { yaml: redacted, node: "nope" })).status).toBe(422);

    const list = await get(who.viewer, revisionsRoute.GET, "/manifest/revisions");
    expect((list.body.revisions as { revision: number; source: string }[]).map((x) => [x.revision, x.source])).toEqual([
      [3, "edit"],
      [2, "edit"],
      [1, "adopt"],
    ]);
    const detail = await get(who.viewer, revisionRoute.GET, "/manifest/revisions/2?against=1&reveal=1", { id: "2" });
    expect(detail.status).toBe(200);
    expect(detail.body.diff).toContain("+  - name: registry auth");
    expect(JSON.stringify(detail.body)).not.toContain(PASSWORD);
    expect((await get(who.viewer, revisionRoute.GET, "/manifest/revisions/7", { id: "7" })).status).toBe(404);

    // The running nodes have no registry auth: every node drifted by exactly that.
    const drift = await get(who.viewer, driftRoute.GET, "/drift");
    expect(drift.status).toBe(200);
    expect((drift.body.nodes as { state: string; paths: string[] }[]).every((n) => n.state === "drifted" && n.paths.some((x) => x.includes("registries")))).toBe(true);

    const secrets = await get(who.admin, secretsRoute.GET, "/secrets");
    expect(secrets.status).toBe(200);
    expect(secrets.body.yaml).toMatch(/^cluster:\n/);
    const audit = await listAudit(getDb(), { limit: 20 });
    expect(audit.find((a) => a.action === "manifest.secrets.export")).toMatchObject({ target: cluster, result: "ok" });
    expect(JSON.stringify(audit)).not.toContain(PASSWORD);
  });
  it("render, validate and drift are rate limited per client: a flood gets 429", async () => {
    const cases: [Handler, string, unknown][] = [
      [driftRoute.GET, "/drift", undefined],
      [validateRoute.POST, "/manifest/validate", { yaml: "x: 1" }],
      [renderRoute.POST, "/manifest/render", { yaml: "x: 1", node: "n" }],
    ];
    for (const [handler, sub, body] of cases) {
      rateLimiter().reset();
      const at = `/api/clusters/nowhere${sub}`;
      const statuses: number[] = [];
      // Refill is one a second: a flood of the burst and as much again outruns it.
      for (let i = 0; i < 2 * RATE_LIMITS.manifestCheck.capacity && !statuses.includes(429); i++) {
        statuses.push((await call(who.viewer, handler, at, { cluster: "nowhere" }, body === undefined ? { method: "GET" } : { method: "POST", body })).status);
      }
      expect(statuses.slice(0, RATE_LIMITS.manifestCheck.capacity).every((c) => c === 404)).toBe(true);
      expect(statuses.at(-1)).toBe(429);
    }
    rateLimiter().reset();
  });
});
