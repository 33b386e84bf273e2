/**
 * The Kubernetes upgrade routes over HTTP semantics against the simulated fleet and the process's
 * own runner and store: the 422 of an unsupported jump, who may start and steer, the envelope.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

const stateDir = mkdtempSync(path.join(tmpdir(), "minos-kube-upgrade-routes-"));
process.env.MINOS_STATE_DIR = stateDir;
process.env.MINOS_DB = path.join(stateDir, "minos.db");
process.env.PORT = "3216";

import * as actionRoute from "@/app/api/kubernetes-upgrades/[id]/[action]/route";
import * as oneRoute from "@/app/api/kubernetes-upgrades/[id]/route";
import * as planRoute from "@/app/api/kubernetes-upgrades/plan/route";
import * as listRoute from "@/app/api/kubernetes-upgrades/route";
import { authConfig } from "@/lib/server/auth/config";
import { rateLimiter } from "@/lib/server/auth/rate-limit";
import { getDb } from "@/lib/server/platform/db/db";
import { BASE, seedPrincipals, type Handler, type Principal } from "@/test/auth/matrix";
import { startTestFleet, type TestFleet } from "@/test/talos/fleet";

import { getKubernetesUpgradeRunner } from "./service";

let t: TestFleet;
let cluster: string;
let who: Record<"viewer" | "operator" | "admin", Principal>;

type Body = Record<string, unknown> & { error?: { code: string; message: string; details?: Record<string, unknown> } };

async function call(p: Principal, handler: Handler, urlPath: string, params: Record<string, string>, init: { method: string; body?: unknown }) {
  const headers = new Headers({ host: "127.0.0.1:3216", authorization: `Bearer ${p.bearer}` });
  if (init.body !== undefined) headers.set("content-type", "application/json");
  const res = await handler(new Request(`${BASE}${urlPath}`, { method: init.method, headers, body: init.body === undefined ? undefined : JSON.stringify(init.body) }), { params: Promise.resolve(params) });
  return { status: res.status, body: (await res.json()) as Body };
}

beforeAll(async () => {
  t = await startTestFleet({ firstAddress: "127.0.145.1", controlPlanes: 1, workers: 1, podSeconds: 0.1, applySeconds: 0.05 });
  process.env.TALOSCONFIG = t.fleet.talosconfig.admin;
  cluster = t.fleet.clusters[0]!;
  who = await seedPrincipals(getDb(), authConfig(), new Date());
}, 60_000);

afterAll(async () => {
  await getKubernetesUpgradeRunner().stop();
  await t?.stop();
});

describe("Kubernetes upgrade routes", () => {
  it("preview: 422 unsupported_upgrade_path with the reason and the preview for a two-minor jump; 200 for a patch upgrade; 400 for a bad version", async () => {
    rateLimiter().reset();
    const jump = await call(who.viewer, planRoute.POST, "/api/kubernetes-upgrades/plan", {}, { method: "POST", body: { cluster, version: "1.38.0" } });
    expect(jump.status).toBe(422);
    expect(jump.body.error).toMatchObject({ code: "unsupported_upgrade_path", message: expect.stringContaining("upgrade to 1.37 first") });
    const from = (jump.body.error!.details!.preview as { fromVersion: string }).fromVersion;
    expect(from).toMatch(/^1\.36\.\d+$/);
    const [, , patch] = from.split(".").map(Number) as [number, number, number];
    const ok = await call(who.viewer, planRoute.POST, "/api/kubernetes-upgrades/plan", {}, { method: "POST", body: { cluster, version: `v1.36.${patch + 1}` } });
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    expect(ok.body).toMatchObject({ canStart: true, fromVersion: from, toVersion: `1.36.${patch + 1}`, path: "1.36->1.36" });
    const bad = await call(who.viewer, planRoute.POST, "/api/kubernetes-upgrades/plan", {}, { method: "POST", body: { cluster, version: "latest" } });
    expect(bad.status).toBe(400);
    expect(bad.body.error?.code).toBe("validation_failed");
  });

  it("start is an admin's; pause and resume an operator's; cancel an admin's; reads a viewer's", async () => {
    rateLimiter().reset();
    const jump = await call(who.viewer, planRoute.POST, "/api/kubernetes-upgrades/plan", {}, { method: "POST", body: { cluster, version: "1.38.0" } });
    const from = (jump.body.error!.details!.preview as { fromVersion: string }).fromVersion;
    const version = from.replace(/\d+$/, (p) => String(Number(p) + 1));
    expect((await call(who.operator, listRoute.POST, "/api/kubernetes-upgrades", {}, { method: "POST", body: { cluster, version } })).status).toBe(403);
    const created = await call(who.admin, listRoute.POST, "/api/kubernetes-upgrades", {}, { method: "POST", body: { cluster, version, prePullImages: false } });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const id = created.body.id as string;
    expect(created.body).toMatchObject({ state: "running", toVersion: version, actor: expect.stringMatching(/admin/) });
    // A second one for the cluster is refused while this one lives.
    expect((await call(who.admin, listRoute.POST, "/api/kubernetes-upgrades", {}, { method: "POST", body: { cluster, version } })).body.error?.code).toBe("conflict");

    const list = await call(who.viewer, listRoute.GET, "/api/kubernetes-upgrades", {}, { method: "GET" });
    expect((list.body.plans as { id: string }[]).map((p) => p.id)).toContain(id);
    expect((await call(who.viewer, oneRoute.GET, `/api/kubernetes-upgrades/${id}`, { id }, { method: "GET" })).status).toBe(200);
    expect((await call(who.viewer, oneRoute.GET, "/api/kubernetes-upgrades/nope", { id: "nope" }, { method: "GET" })).status).toBe(404);

    expect((await call(who.viewer, actionRoute.POST, `/api/kubernetes-upgrades/${id}/pause`, { id, action: "pause" }, { method: "POST" })).status).toBe(403);
    const paused = await call(who.operator, actionRoute.POST, `/api/kubernetes-upgrades/${id}/pause`, { id, action: "pause" }, { method: "POST" });
    expect(paused.status).toBe(200);
    expect(paused.body.state).toBe("paused");
    expect((await call(who.operator, actionRoute.POST, `/api/kubernetes-upgrades/${id}/cancel`, { id, action: "cancel" }, { method: "POST" })).status).toBe(403);
    const resumed = await call(who.operator, actionRoute.POST, `/api/kubernetes-upgrades/${id}/resume`, { id, action: "resume" }, { method: "POST" });
    expect(resumed.body.state).toBe("running");
    const cancelled = await call(who.admin, actionRoute.POST, `/api/kubernetes-upgrades/${id}/cancel`, { id, action: "cancel" }, { method: "POST" });
    expect(cancelled.status).toBe(200);
    expect(["cancelling", "cancelled"]).toContain(cancelled.body.state);
    const again = await call(who.admin, actionRoute.POST, `/api/kubernetes-upgrades/${id}/resume`, { id, action: "resume" }, { method: "POST" });
    expect(again.status).toBe(409);
  }, 60_000);
});
