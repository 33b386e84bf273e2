import { createHmac, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";

import { expect, test, type APIRequestContext } from "@playwright/test";

import { alertRuleSchema, webhookPayloadSchema, type AlertRule, type WebhookPayload } from "@/lib/schemas/alerts";

import { csrfHeader } from "./auth-state";
import { AlertsPage } from "./pages/alerts";
import { ShellPage } from "./pages/shell";

/**
 * Issue 19's "Done when" in the browser: a webhook channel made through the form, a test sent
 * and seen in the delivery log and, correctly signed, by a receiver started here; then a worker
 * taken down through the simulator's control API shows in the header's bell (and reaches the
 * receiver as a signed "firing" notification). The worker is brought back, the rule restored
 * and the channel deleted at the end: later specs share this server and fleet.
 */

test.setTimeout(180_000);

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
}

/** A local webhook receiver answering 200 to everything, keeping what it got. */
async function startReceiver(): Promise<{ server: Server; url: string; received: Received[] }> {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString("utf8") });
      res.writeHead(200, { "content-type": "text/plain" }).end("ok");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, received };
}

/** The payload if the request is signed with this secret as the issue says, else throws. */
function verified(r: Received, secret: string): WebhookPayload {
  const timestamp = r.headers["x-minos-timestamp"];
  const signature = r.headers["x-minos-signature"];
  expect(typeof timestamp).toBe("string");
  expect(String(timestamp)).toMatch(/^\d+$/);
  expect(Math.abs(Number(timestamp) - Date.now() / 1000)).toBeLessThan(300);
  const expected = `sha256=${createHmac("sha256", secret).update(`${timestamp}.${r.body}`).digest("hex")}`;
  expect(typeof signature).toBe("string");
  expect(timingSafeEqual(Buffer.from(String(signature)), Buffer.from(expected)), "X-Minos-Signature").toBe(true);
  expect(r.headers["content-type"]).toMatch(/^application\/json/);
  return webhookPayloadSchema.parse(JSON.parse(r.body));
}

const payloadOf = (r: Received) => JSON.parse(r.body) as WebhookPayload;

async function controlUrl(request: APIRequestContext): Promise<string> {
  const { controlUrl } = (await (await request.get("/api/sim")).json()) as { controlUrl: string | null };
  expect(controlUrl).toBeTruthy();
  return controlUrl!;
}

type ApiNode = { id: string; address: string; role: string; hostname: string | null; reachable: boolean };
const listNodes = async (request: APIRequestContext) => ((await (await request.get("/api/nodes")).json()) as { nodes: ApiNode[] }).nodes;

test("a webhook channel: create, send a test, see it in the delivery log, signed; a downed worker rings the bell", async ({ page, request }) => {
  const shell = new ShellPage(page);
  const alerts = new AlertsPage(page);
  const receiver = await startReceiver();
  const name = "e2e webhook";

  // The last worker: certificates.spec takes the first one down; none needs this one but up.
  const workers = (await listNodes(request)).filter((n) => n.role === "worker").sort((a, b) => (a.hostname ?? a.id).localeCompare(b.hostname ?? b.id));
  const worker = workers[workers.length - 1]!;
  expect(worker.reachable).toBe(true);
  const control = await controlUrl(request);
  const rule: AlertRule = alertRuleSchema.parse(await (await request.get("/api/alerts/rules/node-unreachable")).json());
  let downed = false;
  let secret = "";

  try {
    await alerts.gotoChannels();
    secret = await alerts.createWebhook(name, receiver.url);
    expect(secret.length).toBeGreaterThanOrEqual(32);

    await alerts.channel(name).getByRole("button", { name: `Send a test to ${name}` }).click();
    await expect(alerts.channel(name).getByRole("status")).toHaveText(/^Test sent \(200\)/);
    const tests = receiver.received.filter((r) => payloadOf(r).rule === "test");
    expect(tests).toHaveLength(1);
    expect(verified(tests[0]!, secret)).toMatchObject({ rule: "test", status: "firing" });

    await alerts.gotoDeliveries();
    const row = alerts.deliveryRows().filter({ hasText: name });
    await expect(row).toHaveCount(1);
    await expect(row).toContainText("Test");
    await expect(row).toContainText("Delivered");
    await expect(row.getByRole("cell", { name: "200", exact: true })).toBeVisible();

    // Fire at once: the test waits for the poller to see the node down, not for the rule's 5 minutes.
    const patched = await request.patch("/api/alerts/rules/node-unreachable", { data: { forSeconds: 0 }, headers: await csrfHeader(request) });
    expect(patched.status(), await patched.text()).toBe(200);

    await page.goto("/");
    await expect(alerts.bell()).toBeVisible();
    const counted = async () => {
      const m = /^Alerts: (?:none firing|(\d+) firing(?:, (\d+) critical)?)$/.exec((await alerts.bell().getAttribute("aria-label")) ?? "");
      expect(m, "the bell's name").not.toBeNull();
      return { firing: Number(m![1] ?? 0), critical: Number(m![2] ?? 0) };
    };
    const before = await counted();
    expect((await request.post(`${control}/faults`, { data: { node: worker.address, fault: "down" } })).ok()).toBe(true);
    downed = true;

    // Live over SSE, no reload: one more critical alert (node-unreachable's default severity) rings the bell.
    await expect.poll(async () => (await counted()).critical, { timeout: 30_000 }).toBeGreaterThan(before.critical);
    expect((await counted()).firing).toBeGreaterThan(before.firing);
    await expect(alerts.bell().getByTestId("alert-bell-count")).toHaveClass(/bg-danger/);
    await expect(page.getByRole("link", { name: "Node unreachable" }).first()).toBeVisible();

    await alerts.bell().click();
    await expect(page).toHaveURL(/\/alerts$/);
    const alertRow = alerts.activeTable().getByRole("row").filter({ hasText: worker.hostname ?? worker.address }).filter({ hasText: "Node unreachable" });
    await expect(alertRow).toContainText("Firing");
    await alertRow.getByRole("button", { name: /^Acknowledge Node unreachable/ }).click();
    await expect(alertRow).toContainText("Acked by");
    await expect(alertRow.getByRole("button", { name: /^Acknowledge/ })).toHaveCount(0);

    // And the channel heard of it, signed.
    const about = (status: "firing" | "resolved") => receiver.received.filter((r) => payloadOf(r).rule === "node-unreachable" && payloadOf(r).node === worker.id && payloadOf(r).status === status);
    await expect.poll(() => about("firing").length, { timeout: 30_000 }).toBe(1);
    expect(verified(about("firing")[0]!, secret)).toMatchObject({ severity: "critical", cluster: "sim-1" });
  } finally {
    if (downed) await request.delete(`${control}/faults?node=${worker.address}`);
    // Back to the rule as it was (its defaults, or the settings some earlier run left).
    const restore = rule.updatedAt === null ? { reset: true } : { enabled: rule.enabled, severity: rule.severity, forSeconds: rule.forSeconds, renotifyMinutes: rule.renotifyMinutes, params: rule.params };
    await request.patch("/api/alerts/rules/node-unreachable", { data: restore, headers: await csrfHeader(request) });
  }

  // The worker answers again before the next spec; its alert resolves.
  await expect.poll(async () => (await listNodes(request)).find((n) => n.id === worker.id)?.reachable, { timeout: 60_000 }).toBe(true);
  const resolved = () => receiver.received.filter((r) => payloadOf(r).rule === "node-unreachable" && payloadOf(r).node === worker.id && payloadOf(r).status === "resolved");
  await expect.poll(() => resolved().length, { timeout: 30_000 }).toBe(1);
  verified(resolved()[0]!, secret);

  // Delete with confirm: the channel goes, so later specs' alerts do not knock at a closed receiver.
  await alerts.gotoChannels();
  await alerts.channel(name).getByRole("button", { name: `Delete ${name}`, exact: true }).click();
  await alerts.channel(name).getByRole("button", { name: `Delete ${name} for good` }).click();
  await expect(alerts.channel(name)).toHaveCount(0);
  receiver.server.close();
  expect(shell.consoleErrors).toEqual([]);
});
