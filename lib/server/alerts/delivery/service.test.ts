/**
 * Channels over the real store (both projects): create, list, patch, delete, test; secrets sealed,
 * returned once when generated, never in the view, the audit log, a delivery row or a payload.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";

import { channelSchema, type Channel } from "@/lib/schemas/alerts";
import type { Db } from "@/lib/server/platform/db/db";
import { AppError } from "@/lib/server/platform/errors";
import type { SecretBox } from "@/lib/server/platform/secret-box";
import { addChannel, admin, channelDeps, enqueue, makeWorker, notice, storedText, T0, testBox } from "@/test/alerts/delivery";
import { startReceiver, verifyMinosSignature, type Receiver } from "@/test/alerts/webhook-receiver";
import { testDb } from "@/test/db";
import { FakeClock } from "@/test/fake-clock";

import { openSecrets } from "./repository";
import { deleteChannel, listChannels, listDeliveryLog, patchChannel, testChannel, type ChannelServiceDeps } from "./service";

let db: Db;
let box: SecretBox;
let clock: FakeClock;
let r: Receiver;
let events: Channel[];
let deps: ChannelServiceDeps;

beforeEach(async () => {
  db = await testDb();
  box = testBox();
  clock = new FakeClock(T0);
  r = await startReceiver();
  events = [];
  deps = channelDeps(db, box, clock, events);
});

afterEach(() => r.close());

const row = (id: string) => db.selectFrom("alert_channels").selectAll().where("id", "=", id).executeTakeFirstOrThrow();
const audit = () => db.selectFrom("audit_log").selectAll().orderBy("id").execute();

async function rejects(p: Promise<unknown>): Promise<AppError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof AppError) return e;
    throw e;
  }
  throw new Error("expected an AppError");
}

describe("channels", () => {
  it("generates a webhook secret when none is given, returns it once, seals it with the URL and shows only scheme://host/path", async () => {
    const token = "tok-in-the-query-9f8e7d";
    const created = await addChannel(deps, { type: "webhook", name: "ops hook", url: `${r.url}/minos/hook?token=${token}` });
    expect(created.secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const ch = channelSchema.parse(created.channel);
    expect(ch).toMatchObject({ type: "webhook", name: "ops hook", enabled: true, target: `${r.url}/minos/hook`, hasSecret: true, smtp: null, severities: ["info", "warning", "critical"], clusters: null, state: "untested", createdBy: "user:admin" });
    const stored = await row(ch.id);
    expect(openSecrets(box, stored)).toEqual({ url: `${r.url}/minos/hook?token=${token}`, secret: created.secret });
    // A sealed value copied onto another channel does not open there.
    expect(() => openSecrets(box, { ...stored, id: "another" })).toThrow(/integrity/);
    const listed = await listChannels(deps);
    expect(JSON.stringify(listed)).not.toContain(created.secret!);
    expect(JSON.stringify(listed)).not.toContain(token);
    const text = await storedText(db);
    expect(text).not.toContain(created.secret!);
    expect(text).not.toContain(token);
    const [entry] = await audit();
    expect(entry).toMatchObject({ actor: "user:admin", action: "alerts.channel.create", target: "ops hook", result: "ok" });
    expect(JSON.parse(entry!.details!)).toMatchObject({ id: ch.id, type: "webhook", target: `${r.url}/minos/hook`, signing: "generated" });
  });

  it("keeps a given webhook secret and does not return it", async () => {
    const created = await addChannel(deps, { type: "webhook", name: "h", url: `${r.url}/x`, secret: "my-own-secret-0123456789" });
    expect(created.secret).toBeUndefined();
    expect(openSecrets(box, await row(created.channel.id)).secret).toBe("my-own-secret-0123456789");
  });

  it("shows a Slack channel by host only (its path is the token) and an email channel without its password", async () => {
    const slack = await addChannel(deps, { type: "slack", name: "slack", url: "https://hooks.slack.com/services/T000/B000/XXXXSECRETXXXX" });
    expect(slack.channel.target).toBe("hooks.slack.com (incoming webhook)");
    const mail = await addChannel(deps, {
      type: "email",
      name: "mail",
      smtp: { host: "smtp.example.com", port: 587, security: "starttls", username: "minos", password: "hunter2-smtp-password", from: "minos@example.com", to: ["oncall@example.com"] },
      severities: ["critical", "warning"],
      clusters: ["prod"],
    });
    expect(mail.channel).toMatchObject({
      target: "smtp.example.com:587 → oncall@example.com",
      smtp: { host: "smtp.example.com", port: 587, security: "starttls", username: "minos", hasPassword: true, from: "minos@example.com", to: ["oncall@example.com"] },
      severities: ["warning", "critical"],
      clusters: ["prod"],
    });
    const text = JSON.stringify([await listChannels(deps), await storedText(db)]);
    expect(text).not.toContain("XXXXSECRETXXXX");
    expect(text).not.toContain("hunter2-smtp-password");
  });

  it("refuses a second channel of the same name (409)", async () => {
    await addChannel(deps, { type: "webhook", name: "Ops", url: `${r.url}/a` });
    const e = await rejects(addChannel(deps, { type: "webhook", name: "ops", url: `${r.url}/b` }));
    expect(e.code).toBe("conflict");
    expect(e.message).toBe('An alert channel named "Ops" exists already; pick another name');
  });

  it("patches: keeps an omitted secret, re-seals a new URL, resets the health, refuses fields of another type (422), 404 for an unknown id", async () => {
    const { channel, secret } = await addChannel(deps, { type: "webhook", name: "h", url: `${r.url}/a` });
    await db.updateTable("alert_channels").set({ state: "failing", consecutive_failures: 5, failing_since: new Date(T0).toISOString() }).execute();
    const renamed = await patchChannel(admin, channel.id, { name: "renamed", severities: ["critical"] }, deps);
    expect(renamed).toMatchObject({ name: "renamed", severities: ["critical"], state: "failing" });
    const moved = await patchChannel(admin, channel.id, { url: `${r.url}/b?k=v-secret-value` }, deps);
    expect(moved).toMatchObject({ target: `${r.url}/b`, state: "untested", consecutiveFailures: 0, failingSince: null });
    expect(openSecrets(box, await row(channel.id))).toEqual({ url: `${r.url}/b?k=v-secret-value`, secret });
    expect((await rejects(patchChannel(admin, channel.id, { smtp: { port: 25 } }, deps))).code).toBe("invalid_config");
    const e = await rejects(patchChannel(admin, "nope", { name: "x" }, deps));
    expect([e.code, e.message]).toEqual(["not_found", 'No alert channel "nope"']);
    const mail = await addChannel(deps, { type: "email", name: "m", smtp: { host: "a", port: 25, security: "starttls", username: "u", password: "pw-0123456789", from: "a@example.com", to: ["b@example.com"] } });
    expect((await rejects(patchChannel(admin, mail.channel.id, { url: "https://example.com" }, deps))).message).toMatch(/email channel has no URL/);
    const mailPatched = await patchChannel(admin, mail.channel.id, { smtp: { port: 465, security: "tls" } }, deps);
    expect(mailPatched.smtp).toMatchObject({ port: 465, security: "tls", hasPassword: true });
    expect(openSecrets(box, await row(mail.channel.id)).password).toBe("pw-0123456789");
    const details = (await audit()).filter((a) => a.action === "alerts.channel.update").map((a) => JSON.parse(a.details!) as { changed: string[] });
    expect(details.map((d) => d.changed)).toEqual([["name", "severities"], ["url"], ["smtp.port", "smtp.security"]]);
    expect(await storedText(db)).not.toContain("v-secret-value");
  });

  it("deletes a channel and its pending notifications; its delivery log stays", async () => {
    const { channel } = await addChannel(deps, { type: "webhook", name: "h", url: `${r.url}/a` });
    await testChannel(admin, channel.id, deps);
    await enqueue(db, notice(), T0);
    expect(await deleteChannel(admin, channel.id, deps)).toEqual({ id: channel.id });
    expect(await db.selectFrom("alert_notifications").selectAll().execute()).toEqual([]);
    expect((await listDeliveryLog({ limit: 10 }, deps)).deliveries).toHaveLength(1);
    expect((await listChannels(deps)).channels).toEqual([]);
    expect((await rejects(deleteChannel(admin, channel.id, deps))).code).toBe("not_found");
    expect((await audit()).map((a) => a.action)).toEqual(["alerts.channel.create", "alerts.channel.test", "alerts.channel.delete"]);
  });
});

describe("send a test", () => {
  it("sends a signed test at once, logs it with kind test, and marks the channel ok", async () => {
    const { channel, secret } = await addChannel(deps, { type: "webhook", name: "h", url: `${r.url}/hook` });
    const { delivery } = await testChannel(admin, channel.id, deps);
    expect(delivery).toMatchObject({ channelId: channel.id, channelName: "h", kind: "test", alertId: null, rule: "test", severity: "info", attempt: 1, ok: true, statusCode: 200, error: null, nextAttemptAt: null });
    expect(r.requests).toHaveLength(1);
    expect(verifyMinosSignature(secret!, r.requests[0]!.headers, r.requests[0]!.body, T0 / 1000)).toBe(true);
    expect(JSON.parse(r.requests[0]!.body)).toMatchObject({ status: "firing", rule: "test", severity: "info", url: "https://minos.example.com/alerts/channels" });
    expect((await listDeliveryLog({ limit: 5 }, deps)).deliveries).toEqual([delivery]);
    expect(events.map((e) => e.state)).toEqual(["ok"]);
    // A test is not queued: nothing is left for the worker.
    expect(await makeWorker(db, box, clock, "replica-a", events).tick()).toBe(0);
  });

  it("answers 200 with the failure when the receiver fails, and the third failure in a row marks the channel failing", async () => {
    const { channel } = await addChannel(deps, { type: "webhook", name: "h", url: `${r.url}/hook` });
    r.answer(401, "bad signature");
    for (let i = 0; i < 3; i++) {
      const { delivery } = await testChannel(admin, channel.id, deps);
      expect(delivery).toMatchObject({ ok: false, statusCode: 401, error: "HTTP 401: bad signature" });
    }
    expect((await listChannels(deps)).channels[0]).toMatchObject({ state: "failing", consecutiveFailures: 3, lastError: "HTTP 401: bad signature" });
    expect(events.map((e) => e.state)).toEqual(["failing"]);
    expect((await audit()).filter((a) => a.action === "alerts.channel.test").map((a) => a.result)).toEqual(["failed", "failed", "failed"]);
  });

  it("keeps nothing of a 2xx answer's body (a URL may point at an internal service): not in the answer, the log or the audit", async () => {
    const { channel } = await addChannel(deps, { type: "webhook", name: "h", url: `${r.url}/hook` });
    const inside = "internal-page-content-3b1f";
    r.answer(200, `<html>${inside}</html>`);
    const { delivery } = await testChannel(admin, channel.id, deps);
    expect(delivery).toMatchObject({ ok: true, statusCode: 200, error: null });
    expect(JSON.stringify(delivery)).not.toContain(inside);
    expect(await storedText(db)).not.toContain(inside); // the delivery log, the channel and the audit log
  });

  it("keeps at most 200 redacted characters of a failed answer's body", async () => {
    const { channel } = await addChannel(deps, { type: "webhook", name: "h", url: `${r.url}/hook` });
    r.answer(403, `denied ${"y".repeat(5_000)}`);
    const { delivery } = await testChannel(admin, channel.id, deps);
    expect(delivery).toMatchObject({ ok: false, statusCode: 403, error: `HTTP 403: denied ${"y".repeat(193)}…` });
  });

  it("reports a receiver that does not answer without its URL's query", async () => {
    const closed = await startReceiver();
    await closed.close();
    const { channel } = await addChannel(deps, { type: "webhook", name: "h", url: `${closed.url}/hook?token=abcdef-token-123` });
    const { delivery } = await testChannel(admin, channel.id, deps);
    expect(delivery).toMatchObject({ ok: false, statusCode: null, error: "request failed: ECONNREFUSED" });
    expect(await storedText(db)).not.toContain("abcdef-token-123");
  });
});
