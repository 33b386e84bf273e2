/**
 * The CA rotation routes over HTTP semantics against the simulated fleet and the process's own
 * runner, store, secret box and fleet source (the talosconfig file): who may dry-run, start and
 * steer, the envelope, and Minos talking to the cluster through the overriding upload afterwards.
 */
import crypto from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

const stateDir = mkdtempSync(path.join(tmpdir(), "minos-ca-rotation-routes-"));
process.env.MINOS_STATE_DIR = stateDir;
process.env.MINOS_DB = path.join(stateDir, "minos.db");
process.env.PORT = "3217";

import * as actionRoute from "@/app/api/ca-rotations/[id]/[action]/route";
import * as oneRoute from "@/app/api/ca-rotations/[id]/route";
import * as talosconfigRoute from "@/app/api/ca-rotations/[id]/talosconfig/route";
import * as dryRunRoute from "@/app/api/ca-rotations/dry-run/route";
import * as listRoute from "@/app/api/ca-rotations/route";
import { authConfig } from "@/lib/server/auth/config";
import { rateLimiter } from "@/lib/server/auth/rate-limit";
import { getClusterContextOrThrow } from "@/lib/server/fleet/clients";
import { getFleetSource } from "@/lib/server/fleet/source";
import { createTalosClient } from "@/lib/server/talos";
import { getTalosContextOrThrow, parseTalosconfig } from "@/lib/server/talos/talosconfig";
import { listAudit } from "@/lib/server/platform/audit";
import { getDb } from "@/lib/server/platform/db/db";
import { BASE, seedPrincipals, type Handler, type Principal } from "@/test/auth/matrix";
import { startTestFleet, type TestFleet, waitFor } from "@/test/talos/fleet";

import { getCaRotationRunner } from "./service";

let t: TestFleet;
let cluster: string;
let who: Record<"viewer" | "operator" | "admin", Principal>;

type Body = Record<string, unknown> & { error?: { code: string; message: string; details?: Record<string, unknown> } };

async function call(p: Principal, handler: Handler, urlPath: string, params: Record<string, string>, init: { method: string; body?: unknown }) {
  const headers = new Headers({ host: "127.0.0.1:3217", authorization: `Bearer ${p.bearer}` });
  if (init.body !== undefined) headers.set("content-type", "application/json");
  const res = await handler(new Request(`${BASE}${urlPath}`, { method: init.method, headers, body: init.body === undefined ? undefined : JSON.stringify(init.body) }), { params: Promise.resolve(params) });
  const text = await res.text();
  return { status: res.status, text, body: (res.headers.get("content-type")?.startsWith("application/json") ? JSON.parse(text) : {}) as Body };
}

beforeAll(async () => {
  t = await startTestFleet({ firstAddress: "127.0.233.1", controlPlanes: 1, workers: 1, applySeconds: 0.02, readySeconds: 0.05, podSeconds: 0.05 });
  process.env.TALOSCONFIG = t.fleet.talosconfig.admin;
  cluster = t.fleet.clusters[0]!;
  who = await seedPrincipals(getDb(), authConfig(), new Date());
}, 60_000);

afterAll(async () => {
  await getCaRotationRunner().stop();
  await t?.stop();
});

describe("CA rotation routes", () => {
  it("dry run: an admin's, no key in it; 400 for an empty choice", async () => {
    rateLimiter().reset();
    expect((await call(who.operator, dryRunRoute.POST, "/api/ca-rotations/dry-run", {}, { method: "POST", body: { cluster } })).status).toBe(403);
    const dry = await call(who.admin, dryRunRoute.POST, "/api/ca-rotations/dry-run", {}, { method: "POST", body: { cluster, kubernetes: false } });
    expect(dry.status, dry.text).toBe(200);
    expect(dry.body).toMatchObject({ cluster, talos: true, kubernetes: false, problems: [], talosconfig: "override-file" });
    expect(dry.text).not.toMatch(/PRIVATE KEY|keyPem|LS0tLS1CRUdJTi/);
    const empty = await call(who.admin, dryRunRoute.POST, "/api/ca-rotations/dry-run", {}, { method: "POST", body: { cluster, talos: false, kubernetes: false } });
    expect(empty.status).toBe(400);
    expect(empty.body.error?.code).toBe("validation_failed");
  });

  it("start is an admin's, reads a viewer's; at the end Minos talks to the cluster with the new credentials from an overriding upload", async () => {
    rateLimiter().reset();
    const before = await getClusterContextOrThrow(cluster);
    expect((await call(who.operator, listRoute.POST, "/api/ca-rotations", {}, { method: "POST", body: { cluster } })).status).toBe(403);
    const created = await call(who.admin, listRoute.POST, "/api/ca-rotations", {}, { method: "POST", body: { cluster, kubernetes: false, verifyTimeoutSeconds: 20 } });
    expect(created.status, created.text).toBe(201);
    expect(created.text).not.toMatch(/PRIVATE KEY/);
    const id = created.body.id as string;
    expect((await call(who.admin, listRoute.POST, "/api/ca-rotations", {}, { method: "POST", body: { cluster } })).body.error?.code).toBe("conflict");
    expect((await call(who.viewer, actionRoute.POST, `/api/ca-rotations/${id}/pause`, { id, action: "pause" }, { method: "POST" })).status).toBe(403);

    const done = await waitFor(async () => {
      const r = await call(who.viewer, oneRoute.GET, `/api/ca-rotations/${id}`, { id }, { method: "GET" });
      return r.body.state === "succeeded" || r.body.state === "failed" ? r.body : undefined;
    }, 60_000);
    expect(done.state, JSON.stringify(done)).toBe("succeeded");
    const list = await call(who.viewer, listRoute.GET, "/api/ca-rotations", {}, { method: "GET" });
    expect((list.body.rotations as { id: string }[]).map((r) => r.id)).toContain(id);

    const source = await getFleetSource();
    expect(source.origins[cluster]).toMatchObject({ source: "upload" });
    const after = await getClusterContextOrThrow(cluster);
    expect(after.certFingerprint).not.toBe(before.certFingerprint);
    // A new dry run goes through the new credentials.
    const again = await call(who.admin, dryRunRoute.POST, "/api/ca-rotations/dry-run", {}, { method: "POST", body: { cluster, kubernetes: false } });
    expect(again.status, again.text).toBe(200);
    expect(again.body.problems).toEqual([]);
    expect((await call(who.admin, actionRoute.POST, `/api/ca-rotations/${id}/resume`, { id, action: "resume" }, { method: "POST" })).status).toBe(409);

    // A person's talosconfig of the new CA: a certificate of its own, which the nodes accept.
    expect((await call(who.operator, talosconfigRoute.POST, `/api/ca-rotations/${id}/talosconfig`, { id }, { method: "POST" })).status).toBe(403);
    const file = await call(who.admin, talosconfigRoute.POST, `/api/ca-rotations/${id}/talosconfig`, { id }, { method: "POST" });
    expect(file.status, file.text).toBe(200);
    const mine = getTalosContextOrThrow(parseTalosconfig(file.text, "download"));
    expect(mine.certFingerprint).not.toBe(after.certFingerprint);
    expect(mine.caPem).toBe(after.caPem);
    expect((await createTalosClient(mine).version(t.fleet.nodes[1]!.address)).tag).toMatch(/^v1\./);

    const audit = await listAudit(getDb(), { limit: 50 });
    expect(audit.map((a) => a.action)).toEqual(expect.arrayContaining(["ca-rotation.start", "ca-rotation.succeeded", "cluster.talosconfig-rotated", "ca-rotation.talosconfig"]));
    // The downloaded certificate names the person who downloaded it and lives 30 days.
    const cert = new crypto.X509Certificate(mine.certPem);
    const downloader = audit.find((a) => a.action === "ca-rotation.talosconfig")!.actor;
    expect(cert.subject.split("\n")).toContain(`CN=${downloader}`);
    expect(Date.parse(cert.validTo) - Date.parse(cert.validFrom)).toBe(30 * 24 * 3600 * 1000);
    expect(JSON.stringify(audit)).not.toMatch(/PRIVATE KEY|LS0tLS1CRUdJTi/);
  }, 90_000);
});
