/**
 * The channel and delivery routes through their handlers (the route wrapper, roles, zod input,
 * the one error envelope) over the process's store, with a local webhook receiver.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";

const stateDir = mkdtempSync(path.join(tmpdir(), "minos-alert-channels-"));
process.env.MINOS_STATE_DIR = stateDir;
process.env.MINOS_DB = path.join(stateDir, "minos.db");
process.env.PORT = "3215";
delete process.env.MINOS_ORIGIN;

import * as channelRoute from "@/app/api/alerts/channels/[id]/route";
import * as testRoute from "@/app/api/alerts/channels/[id]/test/route";
import * as channelsRoute from "@/app/api/alerts/channels/route";
import * as deliveriesRoute from "@/app/api/alerts/deliveries/route";
import { channelsResponseSchema, channelTestResponseSchema, createChannelResponseSchema, deliveriesResponseSchema } from "@/lib/schemas/alerts";
import { authConfig } from "@/lib/server/auth/config";
import { rateLimiter } from "@/lib/server/auth/rate-limit";
import { getDb } from "@/lib/server/platform/db/db";
import { startReceiver, verifyMinosSignature, type Receiver } from "@/test/alerts/webhook-receiver";
import { BASE, seedPrincipals, type Handler, type Principal } from "@/test/auth/matrix";

let who: Record<"viewer" | "operator" | "admin", Principal>;
let r: Receiver;

type Body = Record<string, unknown> & { error?: { code: string; message: string; details?: unknown } };

async function call(p: Principal, handler: Handler, url: string, init: { method: string; body?: unknown; params?: Record<string, string> } = { method: "GET" }) {
  const headers = new Headers({ host: "127.0.0.1:3215", authorization: `Bearer ${p.bearer}` });
  if (init.body !== undefined) headers.set("content-type", "application/json");
  const res = await handler(new Request(`${BASE}${url}`, { method: init.method, headers, body: init.body === undefined ? undefined : JSON.stringify(init.body) }), { params: Promise.resolve(init.params ?? {}) });
  return { status: res.status, body: (await res.json()) as Body };
}

beforeAll(async () => {
  who = await seedPrincipals(getDb(), authConfig(), new Date());
  r = await startReceiver();
});

afterAll(() => r.close());

beforeEach(() => rateLimiter().reset());

describe("alert channel routes", () => {
  it("creates, lists, tests, logs, patches and deletes a webhook channel, each at its role", async () => {
    expect((await call(who.operator, channelsRoute.POST, "/api/alerts/channels", { method: "POST", body: { type: "webhook", name: "x", url: `${r.url}/x` } })).status).toBe(403);
    const created = await call(who.admin, channelsRoute.POST, "/api/alerts/channels", { method: "POST", body: { type: "webhook", name: "ops", url: `${r.url}/hook?token=t0ken-value`, severities: ["critical"] } });
    expect(created.status).toBe(201);
    const { channel, secret } = createChannelResponseSchema.parse(created.body);
    expect(secret).toHaveLength(43);
    expect(channel.target).toBe(`${r.url}/hook`);

    const listed = await call(who.viewer, channelsRoute.GET, "/api/alerts/channels");
    expect(listed.status).toBe(200);
    expect(channelsResponseSchema.parse(listed.body).channels.map((c) => c.id)).toEqual([channel.id]);
    expect(JSON.stringify(listed.body)).not.toMatch(/t0ken-value|secret":"/);

    expect((await call(who.viewer, testRoute.POST, `/api/alerts/channels/${channel.id}/test`, { method: "POST", params: { id: channel.id } })).status).toBe(403);
    const tested = await call(who.admin, testRoute.POST, `/api/alerts/channels/${channel.id}/test`, { method: "POST", params: { id: channel.id } });
    expect(tested.status).toBe(200);
    expect(channelTestResponseSchema.parse(tested.body).delivery).toMatchObject({ kind: "test", ok: true, statusCode: 200 });
    const req = r.requests.at(-1)!;
    expect(req.path).toBe("/hook?token=t0ken-value");
    expect(verifyMinosSignature(secret!, req.headers, req.body, Math.floor(Date.now() / 1000))).toBe(true);
    // No MINOS_ORIGIN: links go to http://localhost:PORT.
    expect(JSON.parse(req.body)).toMatchObject({ url: "http://localhost:3215/alerts/channels" });
    expect(req.headers["user-agent"]).toMatch(/^Minos\/\d+\.\d+\.\d+/);

    const log = await call(who.viewer, deliveriesRoute.GET, `/api/alerts/deliveries?channel=${channel.id}&ok=true`);
    expect(log.status).toBe(200);
    expect(deliveriesResponseSchema.parse(log.body).deliveries.map((d) => d.kind)).toEqual(["test"]);
    expect(deliveriesResponseSchema.parse((await call(who.viewer, deliveriesRoute.GET, "/api/alerts/deliveries?ok=false")).body).deliveries).toEqual([]);

    const patched = await call(who.admin, channelRoute.PATCH, `/api/alerts/channels/${channel.id}`, { method: "PATCH", params: { id: channel.id }, body: { enabled: false } });
    expect(patched).toMatchObject({ status: 200, body: { id: channel.id, enabled: false, state: "ok" } });
    expect(await call(who.admin, channelRoute.DELETE, `/api/alerts/channels/${channel.id}`, { method: "DELETE", params: { id: channel.id } })).toEqual({ status: 200, body: { id: channel.id } });
    expect(channelsResponseSchema.parse((await call(who.viewer, channelsRoute.GET, "/api/alerts/channels")).body).channels).toEqual([]);
  });

  it("answers bad input with the one error envelope: 400, 404, 409, 422", async () => {
    const bad = await call(who.admin, channelsRoute.POST, "/api/alerts/channels", { method: "POST", body: { type: "sms", name: "x" } });
    expect(bad.status).toBe(400);
    expect(bad.body.error?.code).toBe("validation_failed");
    const http = await call(who.admin, channelsRoute.POST, "/api/alerts/channels", { method: "POST", body: { type: "slack", name: "s", url: "http://hooks.slack.com/services/a" } });
    expect(http.status).toBe(400);
    const short = await call(who.admin, channelsRoute.POST, "/api/alerts/channels", { method: "POST", body: { type: "webhook", name: "w", url: `${r.url}/w`, secret: "short" } });
    expect(short.status).toBe(400);

    const mail = { type: "email", name: "mail", smtp: { host: "smtp.example.com", port: 587, security: "starttls", from: "minos@example.com", to: ["oncall@example.com"] } };
    const created = await call(who.admin, channelsRoute.POST, "/api/alerts/channels", { method: "POST", body: mail });
    expect(created.status).toBe(201);
    const id = (created.body.channel as { id: string }).id;
    expect(await call(who.admin, channelsRoute.POST, "/api/alerts/channels", { method: "POST", body: mail })).toEqual({
      status: 409,
      body: { error: { code: "conflict", message: 'An alert channel named "mail" exists already; pick another name' } },
    });
    expect(await call(who.admin, channelRoute.PATCH, `/api/alerts/channels/${id}`, { method: "PATCH", params: { id }, body: { url: "https://example.com/x" } })).toEqual({
      status: 422,
      body: { error: { code: "invalid_config", message: "An email channel has no URL: change its smtp settings instead" } },
    });
    expect(await call(who.admin, channelRoute.PATCH, "/api/alerts/channels/nope", { method: "PATCH", params: { id: "nope" }, body: { name: "y" } })).toEqual({
      status: 404,
      body: { error: { code: "not_found", message: 'No alert channel "nope"' } },
    });
    expect((await call(who.admin, testRoute.POST, "/api/alerts/channels/nope/test", { method: "POST", params: { id: "nope" } })).status).toBe(404);
    expect((await call(who.viewer, deliveriesRoute.GET, "/api/alerts/deliveries?limit=0")).status).toBe(400);
  });
});
