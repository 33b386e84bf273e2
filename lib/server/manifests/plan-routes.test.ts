/**
 * Plan and apply over HTTP, from an adopted simulated cluster: the status codes and the error
 * envelope, and the whole path an operator takes (adopt → edit → plan → apply → the rollout runs
 * to the end), on the process's own store and rollout runner.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseDocument } from "yaml";

const stateDir = mkdtempSync(path.join(tmpdir(), "minos-manifest-plan-routes-"));
process.env.MINOS_STATE_DIR = stateDir;
process.env.MINOS_DB = path.join(stateDir, "minos.db");
process.env.PORT = "3215";

import * as adoptRoute from "@/app/api/clusters/[cluster]/manifest/adopt/route";
import * as applyRoute from "@/app/api/clusters/[cluster]/manifest/apply/route";
import * as planRoute from "@/app/api/clusters/[cluster]/manifest/plan/route";
import { configDifferences } from "@/lib/manifest/compare";
import { planResponseSchema, type PlanResponse } from "@/lib/schemas/manifests";
import { authConfig } from "@/lib/server/auth/config";
import { rateLimiter } from "@/lib/server/auth/rate-limit";
import { defaultConfigDeps } from "@/lib/server/configs/deps";
import { startRolloutRunner } from "@/lib/server/configs/rollouts/runner";
import { getRollout } from "@/lib/server/configs/rollouts/service";
import { getDb } from "@/lib/server/platform/db/db";
import { BASE, seedPrincipals, type Handler, type Principal } from "@/test/auth/matrix";
import { startTestFleet, waitFor, type TestFleet } from "@/test/talos/fleet";

let t: TestFleet;
let cluster: string;
let who: Record<"viewer" | "operator" | "admin", Principal>;

type Body = Record<string, unknown> & { error?: { code: string; message: string; details?: Record<string, unknown> } };

async function post(p: Principal, handler: Handler, sub: string, body: unknown, c = cluster): Promise<{ status: number; body: Body }> {
  const headers = new Headers({ host: "127.0.0.1:3215", authorization: `Bearer ${p.bearer}`, "content-type": "application/json" });
  const res = await handler(new Request(`${BASE}/api/clusters/${c}${sub}`, { method: "POST", headers, body: JSON.stringify(body) }), { params: Promise.resolve({ cluster: c }) });
  return { status: res.status, body: (await res.json()) as Body };
}

const running = (address: string) => t.clients.admin.machineConfig(address).then((c) => c.yaml);

beforeAll(async () => {
  t = await startTestFleet({ firstAddress: "127.0.193.1", controlPlanes: 1, workers: 2 });
  process.env.TALOSCONFIG = t.fleet.talosconfig.admin;
  cluster = t.fleet.clusters[0]!;
  who = await seedPrincipals(getDb(), authConfig(), new Date());
});
afterAll(async () => {
  await startRolloutRunner().stop();
  await t?.stop();
});

describe("manifest plan and apply routes", () => {
  it("adopt → add a worker sysctl → plan (workers only) → apply → the rollout gives each worker its own config with it", async () => {
    rateLimiter().reset();
    expect((await post(who.admin, planRoute.POST, "/manifest/plan", { yaml: "cluster: {}" })).body.error?.code).toBe("not_found");
    const adopted = await post(who.admin, adoptRoute.POST, "/manifest/adopt", {});
    expect(adopted.status, JSON.stringify(adopted.body)).toBe(200);

    // The adopted manifest as it is: nothing to do anywhere.
    const same = await post(who.admin, planRoute.POST, "/manifest/plan", { yaml: adopted.body.yaml });
    expect(same.status, JSON.stringify(same.body)).toBe(200);
    expect(planResponseSchema.parse(same.body).summary).toEqual({ none: 3, update: 0, reboot: 0, refused: 0, unreachable: 0 });

    const doc = parseDocument(adopted.body.yaml as string);
    const patch = { name: "pid max", selector: { role: "worker" }, patch: 'machine:\n  sysctls:\n    kernel.pid_max: "4194304"\n' };
    if (doc.get("patches")) doc.addIn(["patches"], patch);
    else doc.set("patches", doc.createNode([patch]));
    const yaml = doc.toString();

    for (const p of [who.viewer, who.operator]) expect((await post(p, planRoute.POST, "/manifest/plan", { yaml })).status).toBe(403);
    const planned = await post(who.admin, planRoute.POST, "/manifest/plan", { yaml, mode: "auto" });
    expect(planned.status, JSON.stringify(planned.body)).toBe(200);
    const plan: PlanResponse = planResponseSchema.parse(planned.body);
    expect(plan.baseRevision).toBe(1);
    expect(plan.nodes.map((n) => [n.role, n.change, n.reboot])).toEqual([
      ["controlplane", "none", false],
      ["worker", "update", false],
      ["worker", "update", false],
    ]);

    const workers = t.fleet.nodes.filter((n) => n.role === "worker").map((n) => n.address);
    const before = await Promise.all(workers.map(running));
    const cpBefore = await running(t.fleet.nodes[0]!.address);
    expect((await post(who.operator, applyRoute.POST, "/manifest/apply", { planId: plan.planId })).status).toBe(403);
    const applied = await post(who.admin, applyRoute.POST, "/manifest/apply", { planId: plan.planId, concurrency: 2 });
    expect(applied.status, JSON.stringify(applied.body)).toBe(200);
    expect(applied.body).toMatchObject({ revision: 2, rolloutId: expect.any(String) });
    const done = await waitFor(async () => {
      const r = await getRollout(defaultConfigDeps(), applied.body.rolloutId as string);
      return r.state === "done" || r.state === "failed" ? r : undefined;
    }, 30_000);
    expect(done).toMatchObject({ state: "done", manifestRevision: 2 });
    expect(done.nodes.map((n) => n.id)).toEqual(workers.map((a) => `${a}@${cluster}`));
    for (const [i, address] of workers.entries()) {
      const after = await running(address);
      // Only the sysctl moved: each worker kept its hostname, certSANs and its own patch (the recipe's per-node differences).
      expect(configDifferences(before[i]!, after).every((p) => p.startsWith("machine.sysctls"))).toBe(true);
      expect(after).toContain("kernel.pid_max");
    }
    expect(configDifferences(cpBefore, await running(t.fleet.nodes[0]!.address))).toEqual([]);

    const twice = await post(who.admin, applyRoute.POST, "/manifest/apply", { planId: plan.planId });
    expect(twice.status).toBe(409);
    expect(twice.body.error).toMatchObject({ code: "conflict", message: expect.stringContaining("applied already") });
  });

  it("bad input: 400 for a body out of contract, 422 naming the manifest line, 404 for an unknown plan", async () => {
    rateLimiter().reset();
    const bad = await post(who.admin, planRoute.POST, "/manifest/plan", { yaml: "x", mode: "try" });
    expect(bad.status).toBe(400);
    expect(bad.body.error?.code).toBe("validation_failed");
    const broken = await post(who.admin, planRoute.POST, "/manifest/plan", { yaml: "cluster: [\n" });
    expect(broken.status).toBe(422);
    expect(broken.body.error).toMatchObject({ code: "invalid_config", message: expect.stringContaining("line ") });
    expect(broken.body.error?.details?.issues).toEqual(expect.arrayContaining([expect.objectContaining({ line: expect.any(Number) })]));
    const unknown = await post(who.admin, applyRoute.POST, "/manifest/apply", { planId: "mp-unknown" });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error?.code).toBe("not_found");
  });
});
