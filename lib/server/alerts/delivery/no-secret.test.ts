/**
 * No secret anywhere but the sealed column: not in a payload, a delivery row or its error, the
 * outbox, a channel's view or last error, the audit log or an SSE event, even when the receivers
 * answer with failures that echo everything they were sent (and the secret itself).
 */
import { afterEach, beforeEach, expect, it } from "vitest";

import type { Channel } from "@/lib/schemas/alerts";
import { addChannel, admin, channelDeps, enqueue, notice, ORIGIN, senderDeps, storedText, T0, testBox } from "@/test/alerts/delivery";
import { startReceiver, type Receiver } from "@/test/alerts/webhook-receiver";
import { testDb } from "@/test/db";
import { FakeClock } from "@/test/fake-clock";

import { SENDERS } from "./senders";
import { sendSlack } from "./senders/webhook";
import { listChannels, listDeliveryLog, patchChannel, testChannel } from "./service";
import { DeliveryWorker } from "./worker";

const WEBHOOK_SECRET = "whsec-Very-Secret-0123456789";
const QUERY_TOKEN = "qtok-Abc123Def456";
const SLACK_TOKEN = "SlackT0kenXyZ987";
const SMTP_PASSWORD = "smtp-Pa55word-2468";
const NEW_SECRET = "whsec-Rotated-9876543210";

let r: Receiver;
let closedPort: number;

beforeEach(async () => {
  r = await startReceiver();
  const closed = await startReceiver();
  closedPort = Number(new URL(closed.url).port);
  await closed.close();
});

afterEach(() => r.close());

it("keeps every secret out of payloads, the delivery log, the outbox, channel views, the audit log and SSE events", async () => {
  const db = await testDb();
  const box = testBox();
  const clock = new FakeClock(T0);
  const events: Channel[] = [];
  const deps = channelDeps(db, box, clock, events);
  // The receivers fail and echo the request line, headers and body, and the secret they know.
  r.answer(500, (req) => `rejected ${req.path} ${JSON.stringify(req.headers)} ${req.body} (expected secret ${WEBHOOK_SECRET}, token ${SLACK_TOKEN})`);
  const hook = await addChannel(deps, { type: "webhook", name: "hook", url: `${r.url}/hook?token=${QUERY_TOKEN}`, secret: WEBHOOK_SECRET });
  const slack = await addChannel(deps, { type: "slack", name: "slack", url: `https://hooks.slack.com/services/T0A1/B0B2/${SLACK_TOKEN}` });
  await addChannel(deps, { type: "email", name: "mail", smtp: { host: "127.0.0.1", port: closedPort, security: "starttls", username: "minos", password: SMTP_PASSWORD, from: "a@example.com", to: ["b@example.com"] } });
  await patchChannel(admin, hook.channel.id, { secret: NEW_SECRET, url: `${r.url}/hook?token=${QUERY_TOKEN}&v=2` }, deps);
  await patchChannel(admin, slack.channel.id, { url: `https://hooks.slack.com/services/T0A1/B0B2/${SLACK_TOKEN}` }, deps);

  // Slack's real host is out of reach here: the same sender, pointed at the local receiver with the token path kept.
  const senders = { ...SENDERS, slack: ((ch, n, d) => sendSlack({ ...ch, secrets: { url: `${r.url}${new URL(ch.secrets.url!).pathname}` } }, n, d)) as typeof sendSlack };
  const w = new DeliveryWorker({ db, box, clock, owner: "replica-a", senders, sender: senderDeps(), publish: (c) => events.push(c) }, { tickMs: 1_000 });
  const testDeps = { ...deps, senders };
  try {
    await enqueue(db, notice(), T0);
    for (let i = 0; i < 3; i++) {
      expect(await w.tick()).toBe(3);
      await clock.advance(5_000 * 2 ** i);
    }
    for (const c of (await listChannels(deps)).channels) await testChannel(admin, c.id, testDeps);
  } finally {
    await w.stop();
  }

  const log = await listDeliveryLog({ limit: 100 }, deps);
  expect(log.deliveries).toHaveLength(12);
  expect(log.deliveries.every((d) => !d.ok && d.error)).toBe(true);
  const channels = await listChannels(deps);
  expect(channels.channels.map((c) => c.state)).toEqual(["failing", "failing", "failing"]);
  const payloads = r.requests.map((q) => q.body);
  expect(payloads).toHaveLength(8);
  const everything = [await storedText(db), JSON.stringify(log), JSON.stringify(channels), JSON.stringify(events), ...payloads].join("\n");
  for (const secret of [WEBHOOK_SECRET, NEW_SECRET, QUERY_TOKEN, SLACK_TOKEN, SMTP_PASSWORD]) expect(everything).not.toContain(secret);
  // The errors still say what happened.
  expect(log.deliveries.find((d) => d.channelName === "hook")!.error).toMatch(/^HTTP 500: rejected \/hook\?\[redacted\]/);
  expect(log.deliveries.find((d) => d.channelName === "mail")!.error).toMatch(/ECONNREFUSED/);
  expect(JSON.parse(r.requests.find((q) => q.path.startsWith("/hook?"))!.body)).toMatchObject({ url: `${ORIGIN}/nodes/10.5.0.3%40prod` });
  expect(JSON.parse(r.requests.find((q) => q.path.startsWith("/services/"))!.body)).toMatchObject({ text: expect.stringContaining("[FIRING critical] Node unreachable") });
});
