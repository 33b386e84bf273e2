import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { redactConfig } from "@/lib/config/redact";
import {
  applyResponseSchema,
  driftResponseSchema,
  preflightResponseSchema,
  revisionDetailSchema,
  revisionDiffResponseSchema,
  revisionListResponseSchema,
  rolloutDetailSchema,
  rolloutListResponseSchema,
} from "@/lib/schemas/configs";
import { errorEnvelopeSchema } from "@/lib/schemas/error";
import { authActorLabel, authedRequest } from "@/test/auth/credentials";
import { startRolloutRunner, type RolloutRunner } from "@/lib/server/configs/rollouts/runner";
import { startConfigTestFleet, type ConfigTestFleet } from "@/test/configs/fleet";
import { withHostname } from "@/test/talos/fleet";

import * as rolloutItem from "../../../../rollouts/[id]/route";
import * as rollouts from "../../../../rollouts/route";
import * as drift from "../drift/route";
import * as preflight from "../preflight/route";
import * as revisionDiff from "../revisions/diff/route";
import * as revisionItem from "../revisions/[id]/route";
import * as revisions from "../revisions/route";
import * as apply from "./route";
import { processState } from "@/lib/server/platform/process-state";

let t: ConfigTestFleet;
let node: string;
let yaml: string;
const g = processState<{ __minosConfigDeps?: unknown; __minosRolloutRunner?: RolloutRunner }>();

// Signed in as an admin through the test harness: these tests are about config push, not access control.
const post = (body: unknown) => authedRequest("http://localhost/x", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) }, "admin");
const get = (query = "") => authedRequest(`http://localhost/x${query}`);
const ctx = (params: Record<string, string>) => ({ params: Promise.resolve(params) });
const envelope = async (res: Response) => errorEnvelopeSchema.parse(await res.json()).error;

beforeAll(async () => {
  t = await startConfigTestFleet({ firstAddress: "127.0.154.1", controlPlanes: 1, workers: 2 });
  // The routes use the process's deps: point them at the simulator and an in-memory database.
  g.__minosConfigDeps = t.deps;
  node = t.ids[1]!;
  yaml = withHostname(redactConfig(await t.runningConfig(node)), "route-test");
});
afterAll(async () => {
  // The process's runner (started by POST /api/rollouts) scans its store until stopped.
  await g.__minosRolloutRunner?.stop();
  g.__minosRolloutRunner = undefined;
  g.__minosConfigDeps = undefined;
  await t?.stop();
});

describe("config push routes", () => {
  it("preflight answers 200 with the contract, 400 for a bad body, 404 for an unknown node", async () => {
    const ok = await preflight.POST(await post({ yaml, mode: "auto" }), ctx({ node }));
    expect(ok.status).toBe(200);
    expect(preflightResponseSchema.parse(await ok.json())).toMatchObject({ ok: true, effect: "applies now without a reboot" });
    const bad = await preflight.POST(await post({ yaml, mode: "sometimes" }), ctx({ node }));
    expect(bad.status).toBe(400);
    expect((await envelope(bad)).code).toBe("validation_failed");
    const unknown = await preflight.POST(await post({ yaml }), ctx({ node: "10.9.9.9@nowhere" }));
    expect(unknown.status).toBe(404);
  });

  it("apply: 422 with the unresolved path, 409 while another apply runs, 200 with the revision", async () => {
    const unresolved = await apply.POST(await post({ yaml: yaml.replace(/^cluster:\n/m, "cluster:\n    aescbcEncryptionSecret: '******'\n"), mode: "auto" }), ctx({ node }));
    expect(unresolved.status).toBe(422);
    expect(await envelope(unresolved)).toMatchObject({ code: "invalid_config", details: { unresolved: ["cluster.aescbcEncryptionSecret"], node } });

    const [a, b] = await Promise.all([apply.POST(await post({ yaml, mode: "no-reboot" }), ctx({ node })), apply.POST(await post({ yaml, mode: "no-reboot" }), ctx({ node }))]);
    expect([a.status, b.status].sort()).toEqual([200, 409]);
    const won = a.status === 200 ? a : b;
    const lost = a.status === 200 ? b : a;
    expect((await envelope(lost)).code).toBe("conflict");
    const body = applyResponseSchema.parse(await won.json());
    expect(body.revision).toMatchObject({ node, author: authActorLabel("admin"), result: "applied" });

    const list = revisionListResponseSchema.parse(await (await revisions.GET(await get(), ctx({ node }))).json());
    expect(list.revisions[0]!.id).toBe(body.revision.id);
    const detail = revisionDetailSchema.parse(await (await revisionItem.GET(await get(), ctx({ node, id: String(body.revision.id) }))).json());
    expect(detail.yaml).toContain("route-test");
    expect(detail.yaml).toContain("'******'");
    const diff = revisionDiffResponseSchema.parse(await (await revisionDiff.GET(await get(`?from=${body.revision.id}&to=running`), ctx({ node }))).json());
    expect(diff.unchanged).toBe(true);
    expect((await revisionItem.GET(await get(), ctx({ node, id: "999" }))).status).toBe(404);
    // Beyond an INTEGER column (32-bit on PostgreSQL): no revision's id, refused by validation rather than by the store (a 500).
    const huge = await revisionItem.GET(await get(), ctx({ node, id: "3000000000" }));
    expect(huge.status).toBe(400);
    expect((await envelope(huge)).code).toBe("validation_failed");
    expect((await revisionDiff.GET(await get("?from=3000000000&to=running"), ctx({ node }))).status).toBe(400);
    expect(driftResponseSchema.parse(await (await drift.GET(await get(), ctx({ node }))).json())).toMatchObject({ drifted: false, revisionId: body.revision.id });
  });

  it("rollouts: 201 on create, listed, fetched", async () => {
    const cluster = t.fleet.clusters[0]!;
    const res = await rollouts.POST(await post({ yaml, target: { cluster, nodes: [node] }, mode: "no-reboot" }));
    expect(res.status).toBe(201);
    const created = rolloutDetailSchema.parse(await res.json());
    expect(created).toMatchObject({ state: "running", concurrency: 1, continueOnFailure: false });
    await startRolloutRunner().drain();
    const fetched = rolloutDetailSchema.parse(await (await rolloutItem.GET(await get(), ctx({ id: created.id }))).json());
    expect(fetched.state).toBe("done");
    const list = rolloutListResponseSchema.parse(await (await rollouts.GET(await get())).json());
    expect(list.rollouts.map((r) => r.id)).toContain(created.id);
    expect(list.rollouts[0]).not.toHaveProperty("yaml");
    expect((await rollouts.POST(await post({ yaml, target: { cluster, role: "worker" }, mode: "try" }))).status).toBe(400);
  });
});
