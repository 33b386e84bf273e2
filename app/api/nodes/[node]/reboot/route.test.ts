/**
 * The node-action routes over HTTP: role floors (viewer 403, operator 403 on reset), body and
 * parameter validation (400), an unknown node (404), a reset whose typed hostname does not match
 * (422 confirmation_mismatch), and a worker's reboot answering with the response contract.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { errorEnvelopeSchema } from "@/lib/schemas/error";
import { nodeActionResponseSchema } from "@/lib/schemas/node-actions";
import { processState } from "@/lib/server/platform/process-state";
import { authedRequest } from "@/test/auth/credentials";
import { startConfigTestFleet, type ConfigTestFleet } from "@/test/configs/fleet";

import * as reset from "../reset/route";
import * as serviceAction from "../services/[service]/[action]/route";
import * as shutdown from "../shutdown/route";
import * as reboot from "./route";

let t: ConfigTestFleet;
let worker: string;
const g = processState<{ __minosConfigDeps?: unknown }>();

type Role = "viewer" | "operator" | "admin";
const post = (body: unknown, role: Role = "admin") => authedRequest("http://localhost/x", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) }, role);
const ctx = (params: Record<string, string>) => ({ params: Promise.resolve(params) });
const envelope = async (res: Response) => errorEnvelopeSchema.parse(await res.json()).error;

beforeAll(async () => {
  t = await startConfigTestFleet({ firstAddress: "127.0.242.1", controlPlanes: 1, workers: 2 });
  // The routes use the process's deps (node actions share config push's): the simulator and a test store.
  g.__minosConfigDeps = t.deps;
  worker = t.ids[2]!;
}, 60_000);
afterAll(async () => {
  g.__minosConfigDeps = undefined;
  await t?.stop();
});

const hostnameOf = (id: string) => t.fleet.nodes.find((n) => n.address === t.address(id))!.hostname;

describe("node action routes", () => {
  it("reboot: 403 for a viewer, 400 for a mode Talos has but Minos does not offer, 404 for an unknown node", async () => {
    const viewer = await reboot.POST(await post({}, "viewer"), ctx({ node: worker }));
    expect(viewer.status).toBe(403);
    const force = await reboot.POST(await post({ mode: "force" }), ctx({ node: worker }));
    expect(force.status).toBe(400);
    expect((await envelope(force)).code).toBe("validation_failed");
    const unknown = await reboot.POST(await post({}, "operator"), ctx({ node: "10.9.9.9@nowhere" }));
    expect(unknown.status).toBe(404);
  });

  it("reboot: an operator reboots a worker; the answer follows the contract", async () => {
    const res = await reboot.POST(await post({ mode: "powercycle" }, "operator"), ctx({ node: worker }));
    expect(res.status).toBe(200);
    const body = nodeActionResponseSchema.parse(await res.json());
    expect(body).toMatchObject({ node: worker, action: "reboot", hostname: hostnameOf(worker), role: "worker", message: `${hostnameOf(worker)} is rebooting (power cycle)` });
    expect(body.actorId).toBeTruthy();
  });

  it("shutdown: 400 for an unknown field (bodies are strict)", async () => {
    const res = await shutdown.POST(await post({ force: true, now: true }, "operator"), ctx({ node: worker }));
    expect(res.status).toBe(400);
  });

  it("reset: 403 for an operator; 422 confirmation_mismatch for a wrong hostname; 400 without a confirmation", async () => {
    const node = t.ids[1]!;
    const op = await reset.POST(await post({ graceful: true, mode: "all", confirm: hostnameOf(node) }, "operator"), ctx({ node }));
    expect(op.status).toBe(403);
    const wrong = await reset.POST(await post({ graceful: true, mode: "all", confirm: hostnameOf(node).toUpperCase() }), ctx({ node }));
    expect(wrong.status).toBe(422);
    expect(await envelope(wrong)).toMatchObject({ code: "confirmation_mismatch" });
    const none = await reset.POST(await post({ graceful: true, mode: "all" }), ctx({ node }));
    expect(none.status).toBe(400);
  });

  it("service: 400 for an action Talos has no word for or a service id that is not one; 403 for a viewer", async () => {
    const node = t.ids[1]!;
    expect((await serviceAction.POST(await post({}, "operator"), ctx({ node, service: "kubelet", action: "kill" }))).status).toBe(400);
    expect((await serviceAction.POST(await post({}, "operator"), ctx({ node, service: "../etc", action: "restart" }))).status).toBe(400);
    expect((await serviceAction.POST(await post({}, "viewer"), ctx({ node, service: "kubelet", action: "restart" }))).status).toBe(403);
  });

  it("service: Talos's answer on success; its refusal with its own text (501) for a service its API does not drive", async () => {
    const node = t.ids[1]!;
    const ok = await serviceAction.POST(await post({}, "operator"), ctx({ node, service: "kubelet", action: "restart" }));
    expect(ok.status).toBe(200);
    expect(nodeActionResponseSchema.parse(await ok.json())).toMatchObject({ action: "service-restart", message: 'Service "kubelet" restarted' });
    const refused = await serviceAction.POST(await post({}, "operator"), ctx({ node: t.ids[0]!, service: "etcd", action: "restart" }));
    expect(refused.status).toBe(501);
    expect(await envelope(refused)).toMatchObject({ code: "unsupported", message: 'service "etcd" doesn\'t support restart operation via API' });
  });
});
