import { createHmac, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";

import { expect, test, type APIRequestContext, type Page } from "@playwright/test";

import { alertRuleSchema, channelsResponseSchema, webhookPayloadSchema, type AlertRule, type WebhookPayload } from "@/lib/schemas/alerts";

import { csrfHeader } from "./auth-state";
import { expectNoSeriousViolations } from "./axe";
import { AlertsPage } from "./pages/alerts";
import { ShellPage } from "./pages/shell";

/**
 * Issue 19's "Done when" in the browser: a webhook channel made through the form, a test sent
 * and seen in the delivery log and, correctly signed, by a receiver started here; then a worker
 * taken down through the simulator's control API shows in the header's bell (and reaches the
 * receiver as a signed "firing" notification). The overview and the alerts page are scanned by
 * axe while the alert fires. The worker is brought back, the rule restored and the channel
 * deleted in `finally`, pass or fail: later specs share this server and fleet.
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

/** Waits until the poller sees the node answer again. */
async function expectReachable(request: APIRequestContext, id: string) {
  await expect.poll(async () => (await listNodes(request)).find((n) => n.id === id)?.reachable, { timeout: 60_000 }).toBe(true);
}

/** Deletes every channel of this name through the API, checking each answer. */
async function deleteChannelsNamed(request: APIRequestContext, name: string) {
  const listed = await request.get("/api/alerts/channels");
  expect(listed.status(), await listed.text()).toBe(200);
  const { channels } = channelsResponseSchema.parse(await listed.json());
  for (const c of channels.filter((c) => c.name === name)) {
    const res = await request.delete(`/api/alerts/channels/${encodeURIComponent(c.id)}`, { headers: await csrfHeader(request) });
    expect(res.status(), await res.text()).toBe(200);
  }
}

/** The same axe check as a11y.spec on the page as it is, in the light and the dark theme. */
async function scanBothThemes(page: Page, label: string) {
  for (const colorScheme of ["light", "dark"] as const) {
    await page.emulateMedia({ colorScheme });
    await expect(page.locator("main .animate-pulse")).toHaveCount(0);
    await expectNoSeriousViolations(page, `${label} (${colorScheme})`);
  }
  await page.emulateMedia({ colorScheme: null });
}

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
  // A channel of this name an earlier, failed run left behind would make the form answer 409.
  await deleteChannelsNamed(request, name);

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
    // The test's row: the channel may have had other notices by now (a real alert of the fleet).
    const row = alerts.deliveryRows().filter({ hasText: name }).filter({ hasText: "Test" });
    await expect(row).toHaveCount(1);
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
    // A page a11y.spec never sees: an alert firing, the bell's count showing, in both themes.
    await scanBothThemes(page, "/ with an alert firing");

    await alerts.bell().click();
    await expect(page).toHaveURL(/\/alerts$/);
    const alertRow = alerts.activeTable().getByRole("row").filter({ hasText: worker.hostname ?? worker.address }).filter({ hasText: "Node unreachable" });
    await expect(alertRow).toContainText("Firing");
    await scanBothThemes(page, "/alerts with an alert firing");
    await alertRow.getByRole("button", { name: /^(Ack|Acknowledge)\b.*node[ -]unreachable/i }).click();
    await expect(alertRow).toContainText("Acked by");
    await expect(alertRow.getByRole("button", { name: /^(Ack|Acknowledge)\b/i })).toHaveCount(0);

    // And the channel heard of it, signed.
    const about = (status: "firing" | "resolved") => receiver.received.filter((r) => payloadOf(r).rule === "node-unreachable" && payloadOf(r).node === worker.id && payloadOf(r).status === status);
    await expect.poll(() => about("firing").length, { timeout: 30_000 }).toBe(1);
    expect(verified(about("firing")[0]!, secret)).toMatchObject({ severity: "critical", cluster: "sim-1" });

    // The worker comes back; its alert resolves and the channel hears that too.
    const cleared = await request.delete(`${control}/faults?node=${worker.address}`);
    expect(cleared.ok(), await cleared.text()).toBe(true);
    downed = false;
    await expectReachable(request, worker.id);
    await expect.poll(() => about("resolved").length, { timeout: 30_000 }).toBe(1);
    verified(about("resolved")[0]!, secret);

    // Delete with confirm: the channel goes, so later specs' alerts do not knock at a closed receiver.
    await alerts.gotoChannels();
    await alerts.channel(name).getByRole("button", { name: `Delete ${name}`, exact: true }).click();
    await alerts.channel(name).getByRole("button", { name: `Delete ${name} for good` }).click();
    await expect(alerts.channel(name)).toHaveCount(0);
    expect(shell.consoleErrors).toEqual([]);
  } finally {
    // Later specs share this server and fleet: put everything back whatever failed above. Each
    // step runs even if one before it failed; their failures are reported together at the end
    // (softly, so they do not hide the failure that brought us here).
    const problems: string[] = [];
    const step = async (what: string, run: () => Promise<void>) => {
      try {
        await run();
      } catch (e) {
        problems.push(`${what}: ${e instanceof Error ? e.message : String(e)}`);
      }
    };
    if (downed) {
      await step("clear the worker's fault", async () => {
        const res = await request.delete(`${control}/faults?node=${worker.address}`);
        expect(res.ok(), await res.text()).toBe(true);
      });
    }
    await step("restore the node-unreachable rule", async () => {
      // Back to the rule as it was (its defaults, or the settings some earlier run left).
      const restore = rule.updatedAt === null ? { reset: true } : { enabled: rule.enabled, severity: rule.severity, forSeconds: rule.forSeconds, renotifyMinutes: rule.renotifyMinutes, params: rule.params };
      const res = await request.patch("/api/alerts/rules/node-unreachable", { data: restore, headers: await csrfHeader(request) });
      expect(res.status(), await res.text()).toBe(200);
    });
    await step("wait until the worker answers again", () => expectReachable(request, worker.id));
    await step("delete the channel", () => deleteChannelsNamed(request, name));
    await step("close the receiver", () => new Promise<void>((resolve, reject) => receiver.server.close((e) => (e ? reject(e) : resolve()))));
    expect.soft(problems, `clean-up after alerts.spec:\n${problems.join("\n")}`).toEqual([]);
  }
});
