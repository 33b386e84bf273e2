import { expect, test, type APIRequestContext, type Page } from "@playwright/test";

import { csrfHeader, storageStateFile } from "./auth-state";
import { BulkPage } from "./pages/bulk";
import { SimControl, type SimNode } from "./pages/fleet";

/*
 * Bulk actions from the Nodes table, against the simulated fleet (3 control planes, 5 workers).
 * State changes stay on the first two workers by hostname (node-actions.spec.ts uses the last):
 * a reboot comes back by itself and the status job uncordons it; a cordon is undone by the bulk
 * uncordon after it (and by an API uncordon if the test stops between). The selector test stops at
 * the plan (cancelled); the run itself is proved by the integration tests (lib/server/bulk).
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

test("a run of two workers one at a time pauses after the first node and resumes to the end", async ({ page }) => {
  test.setTimeout(180_000);
  const [a, b] = await workers();
  // Both kubelets fail their health check: the run holds on its first node ("Coming back") until
  // the faults are cleared, so the pause lands while that node is in flight, whatever the timing.
  await sim.setFault(a!.address, "unhealthy");
  await sim.setFault(b!.address, "unhealthy");
  const bulk = new BulkPage(page);
  await bulk.open(`?cluster=${CLUSTER}`);
  await bulk.rowCheckbox(a!.hostname).check();
  await bulk.rowCheckbox(b!.hostname).check();
  await bulk.actionButton("Reboot").click();
  const dialog = bulk.dialog(/^Reboot: 2 nodes$/);
  await expect(dialog.getByLabel("Workers at once")).toHaveValue("1");
  // No drain: the pause is the subject here, not Kubernetes (the first test drains).
  await dialog.getByLabel("Drain each node first").uncheck();
  await expect(dialog.getByRole("region", { name: "Plan" })).toContainText("then 2 workers, 1 at a time");
  await dialog.getByRole("button", { name: "Reboot 2 nodes", exact: true }).click();
  await expect(page).toHaveURL(/\/bulk\/bulk-/, { timeout: 30_000 });
  const id = decodeURIComponent(new URL(page.url()).pathname.split("/").pop()!);
  try {
    await pauseThenResume(page, bulk);
  } finally {
    // Left paused or running by a failure: cancelled, so later specs find the cluster free.
    const state = ((await (await admin.get(`/api/bulk/${encodeURIComponent(id)}`)).json()) as { state: string }).state;
    if (state === "running" || state === "paused") await admin.post(`/api/bulk/${encodeURIComponent(id)}/cancel`, { headers: await csrfHeader(admin) });
  }
});

async function pauseThenResume(page: Page, bulk: BulkPage) {
  const rows = bulk.runNodes().getByRole("row");
  await expect(rows.nth(1)).toContainText(/Acting|Coming back/, { timeout: 60_000 });
  await expect(rows.nth(2)).toContainText("Waiting");
  await page.getByRole("button", { name: "Pause", exact: true }).click();
  await expect(page.getByRole("button", { name: "Resume", exact: true })).toBeVisible();
  await expect(page.getByText("Paused", { exact: true })).toBeVisible();

  // The node in flight finishes; the paused run starts no other.
  await sim.clearFaults();
  await expect(rows.nth(1)).toContainText("Done", { timeout: 60_000 });
  await expect(page.getByRole("status").filter({ hasText: /^1 of 2 done$/ })).toBeVisible();
  await expect(rows.nth(2)).toContainText("Waiting");
  await expect(page.getByText("Paused", { exact: true })).toBeVisible();

  await page.getByRole("button", { name: "Resume", exact: true }).click();
  await expect(rows.nth(2)).toContainText("Done", { timeout: 120_000 });
  await expect(page.getByRole("status").filter({ hasText: /^2 of 2 done$/ })).toBeVisible();
  await expect(page.getByText("Done", { exact: true }).first()).toBeVisible();
}

test("cordon two workers in bulk, then uncordon them in bulk (the fleet is left schedulable)", async ({ page, playwright, baseURL }) => {
  test.setTimeout(120_000);
  const [a, b] = await workers();
  const bulk = new BulkPage(page);
  const run = async (label: "Cordon" | "Uncordon", done: string) => {
    await bulk.open(`?cluster=${CLUSTER}`);
    await bulk.rowCheckbox(a!.hostname).check();
    await bulk.rowCheckbox(b!.hostname).check();
    await bulk.actionButton(label).click();
    const dialog = bulk.dialog(new RegExp(`^${label}: 2 nodes$`));
    await expect(bulk.planNodes(dialog)).toHaveCount(2);
    await dialog.getByRole("button", { name: `${label} 2 nodes`, exact: true }).click();
    await expect(page).toHaveURL(/\/bulk\/bulk-/, { timeout: 30_000 });
    await expect(page.getByRole("status").filter({ hasText: /^2 of 2 done$/ })).toBeVisible({ timeout: 60_000 });
    for (const n of [a!, b!]) await expect(bulk.runNodes().getByRole("row").filter({ hasText: n.hostname })).toContainText(`${done} `);
  };
  try {
    await run("Cordon", "Cordoned");
    await run("Uncordon", "Uncordoned");
  } finally {
    // Stopped between the two: uncordon through the API so later specs find both schedulable.
    const api = await playwright.request.newContext({ baseURL, storageState: storageStateFile("admin") });
    const nodes = [a!, b!].map((n) => `${n.address}@${CLUSTER}`);
    const res = await api.post("/api/bulk", { data: { nodes, action: "uncordon" }, headers: await csrfHeader(api) });
    expect(res.ok(), await res.text()).toBe(true);
    const { run: r } = (await res.json()) as { run: { id: string } };
    await expect
      .poll(async () => ((await (await api.get(`/api/bulk/${encodeURIComponent(r.id)}`)).json()) as { state: string }).state, { timeout: 30_000 })
      .toBe("done");
    await api.dispose();
  }
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
