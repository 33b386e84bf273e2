import { expect, test, type APIRequestContext } from "@playwright/test";

import { storageStateFile } from "./auth-state";
import { BulkPage } from "./pages/bulk";
import { SimControl, type SimNode } from "./pages/fleet";

/*
 * Bulk actions from the Nodes table, against the simulated fleet (3 control planes, 5 workers).
 * State changes stay on the first two workers by hostname (node-actions.spec.ts uses the last):
 * a reboot comes back by itself and the status job uncordons it. The selector test stops at the
 * plan (cancelled); the run itself is proved by the integration tests (lib/server/bulk).
 */

test.describe.configure({ mode: "serial" });

const CLUSTER = "sim-1";
let admin: APIRequestContext;
let sim: SimControl;

async function workers(): Promise<SimNode[]> {
  const list = (await sim.nodes()).filter((n) => n.cluster === CLUSTER && n.role === "worker").sort((a, b) => a.hostname.localeCompare(b.hostname, "en", { numeric: true }));
  expect(list.length, "the simulated fleet has workers").toBeGreaterThan(2);
  return list;
}

test.beforeEach(async ({ playwright, baseURL }) => {
  admin = await playwright.request.newContext({ baseURL, storageState: storageStateFile("admin") });
  sim = await SimControl.connect(admin);
  await sim.clearFaults();
});

test.afterEach(async () => {
  await sim.clearFaults();
  await admin.dispose();
});

test("select two workers, reboot them two at a time: the plan first, then the progress page until both are back", async ({ page }) => {
  test.setTimeout(180_000);
  const [a, b] = await workers();
  const bulk = new BulkPage(page);
  await bulk.open(`?cluster=${CLUSTER}`);
  await bulk.rowCheckbox(a!.hostname).check();
  await bulk.rowCheckbox(b!.hostname).check();
  await expect(bulk.bar().getByRole("status")).toHaveText("2 selected");

  await bulk.actionButton("Reboot").click();
  const dialog = bulk.dialog(/^Reboot: 2 nodes$/);
  await dialog.getByLabel("Workers at once").fill("2");
  // Two at a time: both workers in the first batch.
  await expect(bulk.planNodes(dialog)).toHaveText([`1. ${a!.hostname} (worker)`, `1. ${b!.hostname} (worker)`]);
  await expect(dialog.getByRole("region", { name: "Plan" })).toContainText("then 2 workers, 2 at a time");
  await dialog.getByRole("button", { name: "Reboot 2 nodes", exact: true }).click();

  await expect(page).toHaveURL(/\/bulk\/bulk-/, { timeout: 30_000 });
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(`Reboot of 2 nodes in ${CLUSTER}`);
  await expect(bulk.runNodes().getByRole("row").filter({ hasText: a!.hostname })).toContainText("Done", { timeout: 150_000 });
  await expect(bulk.runNodes().getByRole("row").filter({ hasText: b!.hostname })).toContainText("Done", { timeout: 30_000 });
  await expect(page.getByRole("status").filter({ hasText: "2 of 2 done" })).toBeVisible();

  // The history lists it.
  await page.goto("/bulk");
  await expect(page.getByRole("table", { name: "Bulk actions" }).getByRole("row").nth(1)).toContainText("Reboot");
});

test("a selector (role and hostname glob) resolves on the server into the plan; cancelled here", async ({ page }) => {
  const list = await workers();
  const bulk = new BulkPage(page);
  await bulk.open(`?cluster=${CLUSTER}`);
  await bulk.bar().getByRole("combobox", { name: "Act on" }).selectOption("selector");
  await bulk.bar().getByLabel("Role").selectOption("worker");
  await bulk.actionButton("Cordon").click();
  const dialog = bulk.dialog(new RegExp(`^Cordon: ${list.length} nodes$`));
  await expect(bulk.planNodes(dialog)).toHaveCount(list.length);
  await expect(dialog.getByRole("region", { name: "Plan" })).toContainText(`cluster = ${CLUSTER}, role = worker`);
  await dialog.getByRole("button", { name: "Cancel" }).click();
  await expect(dialog).toBeHidden();
});

test.describe("as an operator", () => {
  test.use({ storageState: storageStateFile("operator") });

  test("the bar offers reboot, service restart, cordon, uncordon, not the admin's upgrade and patch", async ({ page }) => {
    const bulk = new BulkPage(page);
    await bulk.open(`?cluster=${CLUSTER}`);
    await expect(bulk.actionButton("Reboot")).toBeVisible();
    await expect(bulk.actionButton("Restart service")).toBeVisible();
    await expect(bulk.actionButton("Uncordon")).toBeVisible();
    await expect(bulk.actionButton("Upgrade Talos")).toHaveCount(0);
    await expect(bulk.actionButton("Apply patch")).toHaveCount(0);
  });
});

test.describe("as a viewer", () => {
  test.use({ storageState: storageStateFile("viewer") });

  test("no selection column and no bulk bar", async ({ page }) => {
    const bulk = new BulkPage(page);
    await bulk.open(`?cluster=${CLUSTER}`);
    await expect(bulk.rows().first()).toBeVisible();
    await expect(bulk.selectAllShown()).toHaveCount(0);
    await expect(bulk.bar()).toHaveCount(0);
  });
});
