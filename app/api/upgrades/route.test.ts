/**
 * The upgrades API end to end through its route handlers: statuses and envelopes, against a small
 * simulated fleet and a temporary database.
 */
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { errorEnvelopeSchema } from "@/lib/schemas/error";
import { authedRequest } from "@/test/auth/credentials";
import { upgradeListResponseSchema, upgradePlanSchema, upgradePreviewSchema } from "@/lib/schemas/upgrades";
import { startTestFleet, waitFor, type TestFleet } from "@/test/talos/fleet";
import { processState } from "@/lib/server/platform/process-state";

let t: TestFleet;
let dir: string;
let api: {
  list: typeof import("./route");
  plan: typeof import("./plan/route");
  one: typeof import("./[id]/route");
  action: typeof import("./[id]/[action]/route");
  drain: typeof import("./[id]/nodes/[node]/[action]/route");
};

beforeAll(async () => {
  t = await startTestFleet({ firstAddress: "127.0.143.1", controlPlanes: 1, workers: 2 });
  dir = await mkdtemp(path.join(os.tmpdir(), "minos-upgrades-api-"));
  // The server reads both once, on first use.
  process.env.TALOSCONFIG = t.fleet.talosconfig.admin;
  process.env.MINOS_DB = path.join(dir, "minos.db");
  api = { list: await import("./route"), plan: await import("./plan/route"), one: await import("./[id]/route"), action: await import("./[id]/[action]/route"), drain: await import("./[id]/nodes/[node]/[action]/route") };
}, 60_000);

afterAll(async () => {
  const g = processState<{ __minosUpgradeRunner?: { stop(): Promise<void> } }>();
  await g.__minosUpgradeRunner?.stop();
  await t?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

// Signed in as an admin through the test harness: these tests are about upgrades, not access control.
const post = (url: string, body?: unknown) =>
  authedRequest(`http://localhost${url}`, { method: "POST", headers: { "content-type": "application/json" }, body: body === undefined ? undefined : JSON.stringify(body) }, "admin");
const params = <T extends Record<string, string>>(p: T) => ({ params: Promise.resolve(p) });
const envelope = async (res: Response) => errorEnvelopeSchema.parse(await res.json()).error;

describe("upgrades API", () => {
  it.each([
    [{}, "validation_failed"],
    [{ cluster: "sim-1" }, "validation_failed"],
    [{ cluster: "sim-1", version: "latest" }, "validation_failed"],
    [{ cluster: "sim-1", image: "ghcr.io/siderolabs/installer:latest" }, "validation_failed"],
    [{ cluster: "sim-1", version: "v1.14.0", image: "ghcr.io/siderolabs/installer:v1.13.9" }, "validation_failed"],
    [{ cluster: "sim-1", version: "v1.14.0", strategy: { maxParallelWorkers: 0 } }, "validation_failed"],
  ])("POST /api/upgrades/plan %j → 400 %s", async (body, code) => {
    const res = await api.plan.POST(await post("/api/upgrades/plan", body));
    expect(res.status).toBe(400);
    expect((await envelope(res)).code).toBe(code);
  });

  it("404 for an unknown cluster and an unknown node", async () => {
    const a = await api.plan.POST(await post("/api/upgrades/plan", { cluster: "nope", version: "v1.14.0" }));
    expect(a.status).toBe(404);
    const b = await api.plan.POST(await post("/api/upgrades/plan", { cluster: "sim-1", version: "v1.14.0", nodes: ["10.9.9.9"] }));
    expect(b.status).toBe(400);
    expect((await envelope(b)).message).toMatch(/not in cluster "sim-1"/);
  });

  it("dry run (both spellings) returns the plan and starts nothing", async () => {
    const a = upgradePreviewSchema.parse(await (await api.plan.POST(await post("/api/upgrades/plan", { cluster: "sim-1", image: "ghcr.io/siderolabs/installer:v1.13.9" }))).json());
    expect(a).toMatchObject({ targetVersion: "v1.13.9", canStart: true });
    expect(a.nodes.every((n) => n.alreadyOnTarget)).toBe(true);
    const b = await api.list.POST(await post("/api/upgrades?dryRun=1", { cluster: "sim-1", version: "v1.14.0" }));
    expect(b.status).toBe(200);
    expect(upgradePreviewSchema.parse(await b.json()).batches.map((x) => x.role)).toEqual(["controlplane", "worker", "worker"]);
    const list = upgradeListResponseSchema.parse(await (await api.list.GET(await authedRequest("http://localhost/api/upgrades"))).json());
    expect(list.plans).toEqual([]);
  });

  it("refuses an unsupported jump with 409 and the checks", async () => {
    const res = await api.list.POST(await post("/api/upgrades", { cluster: "sim-1", version: "v1.17.0" }));
    expect(res.status).toBe(409);
    const err = await envelope(res);
    expect(err.code).toBe("conflict");
    expect((err.details as { checks: { code: string }[] }).checks.some((c) => c.code === "version_jump")).toBe(true);
  });

  it("starts (201), lists, reads, pauses, refuses a second pause (409), cancels", async () => {
    const res = await api.list.POST(await post("/api/upgrades", { cluster: "sim-1", version: "v1.14.0" }));
    expect(res.status).toBe(201);
    const plan = upgradePlanSchema.parse(await res.json());
    expect(plan.state).toBe("running");
    const conflict = await api.list.POST(await post("/api/upgrades", { cluster: "sim-1", version: "v1.14.0" }));
    expect(conflict.status).toBe(409);

    const paused = await api.action.POST(await post(`/api/upgrades/${plan.id}/pause`), params({ id: plan.id, action: "pause" }));
    expect(paused.status).toBe(200);
    expect(upgradePlanSchema.parse(await paused.json()).state).toBe("paused");
    const again = await api.action.POST(await post(`/api/upgrades/${plan.id}/pause`), params({ id: plan.id, action: "pause" }));
    expect(again.status).toBe(409);
    expect((await envelope(again)).message).toBe("Cannot pause an upgrade that is paused");
    const bad = await api.action.POST(await post(`/api/upgrades/${plan.id}/explode`), params({ id: plan.id, action: "explode" }));
    expect(bad.status).toBe(400);

    // A drain answer for a node whose drain does not wait: 409; for a node the plan lacks: 404; an unknown answer: 400.
    const node = plan.nodes[0]!;
    const notBlocked = await api.drain.POST(await post(`/api/upgrades/${plan.id}/nodes/${node.id}/force-drain`), params({ id: plan.id, node: node.id, action: "force-drain" }));
    expect(notBlocked.status).toBe(409);
    expect((await envelope(notBlocked)).message).toMatch(/^The drain of .* is not waiting for a person \(the node is /);
    const noNode = await api.drain.POST(await post(`/api/upgrades/${plan.id}/nodes/10.9.9.9/skip-drain`), params({ id: plan.id, node: "10.9.9.9", action: "skip-drain" }));
    expect(noNode.status).toBe(404);
    const badAnswer = await api.drain.POST(await post(`/api/upgrades/${plan.id}/nodes/${node.id}/drop-drain`), params({ id: plan.id, node: node.id, action: "drop-drain" }));
    expect((await envelope(badAnswer)).code).toBe("validation_failed");

    const cancelled = await api.action.POST(await post(`/api/upgrades/${plan.id}/cancel`), params({ id: plan.id, action: "cancel" }));
    expect(cancelled.status).toBe(200);
    const final = await waitFor(async () => {
      const p = upgradePlanSchema.parse(await (await api.one.GET(await authedRequest(`http://localhost/api/upgrades/${plan.id}`), params({ id: plan.id }))).json());
      return p.state === "cancelled" ? p : undefined;
    }, 20_000, 100);
    expect(final.nodes.filter((n) => n.state === "skipped").length).toBeGreaterThan(0);

    const list = upgradeListResponseSchema.parse(await (await api.list.GET(await authedRequest("http://localhost/api/upgrades?cluster=sim-1"))).json());
    expect(list.plans.map((p) => [p.id, p.state])).toEqual([[plan.id, "cancelled"]]);
  }, 40_000);

  it("404 for an unknown plan", async () => {
    const res = await api.one.GET(await authedRequest("http://localhost/api/upgrades/nope"), params({ id: "nope" }));
    expect(res.status).toBe(404);
    expect((await envelope(res)).code).toBe("not_found");
    const drain = await api.drain.POST(await post("/api/upgrades/nope/nodes/10.9.9.9/retry-drain"), params({ id: "nope", node: "10.9.9.9", action: "retry-drain" }));
    expect(drain.status).toBe(404);
  });
});
