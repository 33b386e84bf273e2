/**
 * The bulk API through its route handlers against a small simulated fleet and a temporary
 * database: the role floor per action (admin for upgrade and apply-patch), validation, the plan,
 * and a bulk reboot of the workers run to the end by the server's own runner.
 */
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { bulkListResponseSchema, bulkRunSchema, createBulkResponseSchema } from "@/lib/schemas/bulk";
import { errorEnvelopeSchema } from "@/lib/schemas/error";
import { nodesResponseSchema } from "@/lib/schemas/fleet";
import type { Role } from "@/lib/schemas/auth";
import { processState } from "@/lib/server/platform/process-state";
import { authedRequest } from "@/test/auth/credentials";
import { startTestFleet, waitFor, type TestFleet } from "@/test/talos/fleet";

let t: TestFleet;
let dir: string;
let api: { list: typeof import("./route"); one: typeof import("./[id]/route"); action: typeof import("./[id]/[action]/route") };

beforeAll(async () => {
  t = await startTestFleet({ firstAddress: "127.0.219.1", controlPlanes: 1, workers: 2 });
  dir = await mkdtemp(path.join(os.tmpdir(), "minos-bulk-api-"));
  process.env.TALOSCONFIG = t.fleet.talosconfig.admin;
  process.env.MINOS_DB = path.join(dir, "minos.db");
  api = { list: await import("./route"), one: await import("./[id]/route"), action: await import("./[id]/[action]/route") };
  // Selections read the fleet snapshot: wait until the poller knows every node's role.
  const nodes = await import("../nodes/route");
  await waitFor(async () => nodesResponseSchema.parse(await (await nodes.GET(await authedRequest("http://localhost/api/nodes"))).json()).nodes.every((n) => n.role !== "unknown" && n.ready), 20_000);
}, 60_000);

afterAll(async () => {
  const g = processState<{ __minosBulkRunner?: { stop(): Promise<void> }; __minosUpgradeRunner?: { stop(): Promise<void> } }>();
  await g.__minosBulkRunner?.stop();
  await g.__minosUpgradeRunner?.stop();
  await t?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const post = (url: string, body: unknown, role: Role) =>
  authedRequest(`http://localhost${url}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) }, role);
const params = <T extends Record<string, string>>(p: T) => ({ params: Promise.resolve(p) });
const envelope = async (res: Response) => errorEnvelopeSchema.parse(await res.json()).error;

describe("bulk API", () => {
  it.each([
    [{ action: "reboot" }, "give a selector or a list of nodes"],
    [{ selector: { role: "master" }, action: "reboot" }, ""],
    [{ selector: { hostname: "x".repeat(64) }, action: "cordon" }, ""],
    [{ nodes: ["a"], action: "explode" }, ""],
    [{ nodes: ["a"], action: "service-restart" }, ""],
    [{ nodes: ["a"], action: "reboot", concurrency: 0 }, ""],
  ])("POST /api/bulk %j → 400 validation_failed", async (body, message) => {
    const res = await api.list.POST(await post("/api/bulk", body, "operator"));
    expect(res.status).toBe(400);
    const err = await envelope(res);
    expect(err.code).toBe("validation_failed");
    if (message) expect(JSON.stringify(err.details)).toContain(message);
  });

  it("asks an admin for upgrade and apply-patch, and an operator for the rest (403 for a viewer)", async () => {
    const upgrade = await api.list.POST(await post("/api/bulk", { selector: { cluster: "sim-1" }, action: "upgrade", version: "v1.14.0" }, "operator"));
    expect(upgrade.status).toBe(403);
    expect((await envelope(upgrade)).message).toMatch(/needs the admin role/i);
    const patch = await api.list.POST(await post("/api/bulk", { selector: { cluster: "sim-1" }, action: "apply-patch", patch: "machine: {}" }, "operator"));
    expect(patch.status).toBe(403);
    const viewer = await api.list.POST(await post("/api/bulk", { selector: { cluster: "sim-1" }, action: "cordon", dryRun: true }, "viewer"));
    expect(viewer.status).toBe(403);
    const plan = await api.list.POST(await post("/api/bulk", { selector: { cluster: "sim-1", role: "worker" }, action: "reboot", dryRun: true }, "operator"));
    expect(plan.status).toBe(200);
    const out = createBulkResponseSchema.parse(await plan.json());
    expect(out.kind === "plan" && out.plan.nodes.map((n) => n.role)).toEqual(["worker", "worker"]);
  });

  it("404 for a name no node has; 400 for a selection of nothing", async () => {
    const a = await api.list.POST(await post("/api/bulk", { nodes: ["10.9.9.9"], action: "cordon" }, "operator"));
    expect(a.status).toBe(404);
    expect((await envelope(a)).message).toBe("No node matches 10.9.9.9");
    const b = await api.list.POST(await post("/api/bulk", { selector: { cluster: "sim-1", hostname: "nothing-*" }, action: "cordon" }, "operator"));
    expect(b.status).toBe(400);
  });

  it("reboots the workers (201), lists and reads the run until done; steering a finished run is 409", async () => {
    const res = await api.list.POST(await post("/api/bulk", { selector: { cluster: "sim-1", role: "worker" }, action: "reboot", concurrency: 2, drain: { enabled: false } }, "operator"));
    expect(res.status).toBe(201);
    const out = createBulkResponseSchema.parse(await res.json());
    if (out.kind !== "bulk") throw new Error(`expected a bulk run, got ${out.kind}`);
    const id = out.run.id;
    const done = await waitFor(async () => {
      const r = bulkRunSchema.parse(await (await api.one.GET(await authedRequest(`http://localhost/api/bulk/${id}`), params({ id }))).json());
      return r.state === "done" ? r : undefined;
    }, 30_000);
    expect(done.nodes.map((n) => n.state)).toEqual(["done", "done"]);
    const list = bulkListResponseSchema.parse(await (await api.list.GET(await authedRequest("http://localhost/api/bulk"))).json());
    expect(list.runs.map((r) => r.id)).toContain(id);
    const late = await api.action.POST(await post(`/api/bulk/${id}/pause`, {}, "operator"), params({ id, action: "pause" }));
    expect(late.status).toBe(409);
    expect((await envelope(late)).message).toBe("A done bulk run cannot be paused");
    expect(t.fleet.timeline().filter((e) => e.event === "reboot").length).toBe(2);
  }, 60_000);
  // Last: the upgrade plan stays live a moment, and a bulk run is refused beside it.
  it("hands an admin's upgrade of the selection to the upgrade runner (201 with the plan's link)", async () => {
    const nodes = await import("../nodes/route");
    const version = nodesResponseSchema.parse(await (await nodes.GET(await authedRequest("http://localhost/api/nodes"))).json()).nodes.find((n) => n.role === "worker")!.talosVersion!;
    // To the version the workers run: a plan that changes nothing, so the fleet stays as it is.
    const res = await api.list.POST(await post("/api/bulk", { selector: { cluster: "sim-1", role: "worker" }, action: "upgrade", version }, "admin"));
    expect(res.status).toBe(201);
    const out = createBulkResponseSchema.parse(await res.json());
    expect(out.kind).toBe("talos-upgrade");
    if (out.kind === "talos-upgrade") expect(out.href).toBe(`/upgrades/${encodeURIComponent(out.id)}`);
  });

});
