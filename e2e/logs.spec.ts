import { expect, test } from "@playwright/test";

import { storageStateFile } from "./auth-state";
import { NodeDetailPage, SimControl, type SimNode } from "./pages/fleet";
import { LogsPage } from "./pages/logs";

/*
 * A node's logs and events in the browser, against the simulator: open the logs from the node
 * page, see lines, follow new ones while the node logs fast, pause, search with highlighting,
 * two panes side by side (one the kernel log). Read-only for the fleet: the only change is a
 * log-flood fault, cleared after each test.
 */

test.describe.configure({ mode: "serial" });

const CLUSTER = "sim-1";
let sim: SimControl;
let node: SimNode;

test.beforeEach(async ({ playwright, baseURL }) => {
  // The control API is found through GET /api/sim, which only an admin may read.
  const admin = await playwright.request.newContext({ baseURL, storageState: storageStateFile("admin") });
  sim = await SimControl.connect(admin);
  await sim.clearFaults();
  const workers = (await sim.nodes()).filter((n) => n.cluster === CLUSTER && n.role === "worker").sort((a, b) => a.hostname.localeCompare(b.hostname, "en", { numeric: true }));
  expect(workers.length, "the simulated fleet has workers").toBeGreaterThan(0);
  node = workers[workers.length - 1]!;
});

test.afterEach(async () => {
  await sim.clearFaults();
});

test("from the node page: logs stream, follow a fast node, pause, search with highlighting", async ({ page }) => {
  const detail = new NodeDetailPage(page);
  await detail.goto(`/nodes/${encodeURIComponent(`${node.address}@${CLUSTER}`)}`);
  // The node's Talos events, live.
  await expect(page.getByRole("list", { name: "Talos events" }).getByRole("listitem").first()).toBeVisible();
  await page.getByRole("link", { name: "Logs", exact: true }).click();
  await expect(page).toHaveURL(/\/logs$/);

  const logs = new LogsPage(page);
  const pane = logs.pane(0);
  await expect(pane.source()).toHaveValue("machined");
  await expect(pane.lines().first()).toBeVisible();
  await expect(pane.state()).toHaveText("Streaming");

  // Follow: the node logs fast and new lines arrive, the newest in view.
  const before = Number((await pane.count().innerText()).replace(/\D/g, ""));
  await sim.setLogFlood(node.address, 200);
  await expect.poll(async () => Number((await pane.count().innerText()).replace(/\D/g, ""))).toBeGreaterThan(before + 100);

  // Pause holds the view while lines keep coming into the buffer.
  await pane.button("Pause").click();
  await expect(pane.state()).toHaveText("Paused");
  await expect(pane.root.getByText(/new while paused/)).toBeVisible();
  await pane.button("Resume").click();
  await expect(pane.state()).toHaveText("Streaming");

  // Search highlights plain text (regex characters are just characters).
  await pane.search().fill("talos");
  await expect(pane.highlights().first()).toBeVisible();
  await expect(pane.highlights().first()).toHaveText(/talos/i);
  await pane.search().fill("(.*");
  await expect(pane.highlights()).toHaveCount(0);
  expect(logs.consoleErrors).toEqual([]);
});

test("two panes side by side: a service and the kernel log; closing one leaves the other", async ({ page }) => {
  const logs = new LogsPage(page);
  await logs.open(`${node.address}@${CLUSTER}`, "apid");
  await expect(logs.pane(0).source()).toHaveValue("apid");
  await logs.addPane().click();
  await expect(logs.panes()).toHaveCount(2);
  await logs.pane(1).source().selectOption("kernel");
  await expect(logs.pane(1).lines().first()).toBeVisible();
  await expect(logs.pane(1).tail()).toBeDisabled();
  await logs.pane(1).button("Close pane").click();
  await expect(logs.panes()).toHaveCount(1);
  await expect(logs.pane(0).lines().first()).toBeVisible();
});

test.describe("as a viewer", () => {
  test.use({ storageState: storageStateFile("viewer") });

  test("reads logs too (Talos allows os:reader)", async ({ page }) => {
    const logs = new LogsPage(page);
    await logs.open(`${node.address}@${CLUSTER}`);
    await expect(logs.pane(0).lines().first()).toBeVisible();
  });
});
