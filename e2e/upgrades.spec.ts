import { expect, test } from "@playwright/test";

import { csrfHeader } from "./auth-state";
import { UpgradesPage } from "./pages/upgrades";

// The e2e fleet reboots in 2 s and boots in 1 s, but installs take the simulator's default 5 s:
// a whole cluster (3 control planes one by one, then 5 workers at once) takes about a minute.
test.setTimeout(180_000);

test("preview and run a rolling upgrade from the UI: progress reaches 100 % and the nodes run the new version", async ({ page }) => {
  const upgrades = new UpgradesPage(page);
  await upgrades.goto();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Upgrades");

  await upgrades.cluster().selectOption("sim-1");
  await upgrades.version().fill("v1.14.0");
  await expect(upgrades.image()).toHaveValue(/^factory\.talos\.dev\/metal-installer\/[0-9a-f]{64}:v1\.14\.0$/);
  await upgrades.workersAtOnce().fill("5");
  // Every worker at once leaves evicted pods nowhere to go: their PDBs would hold the drain, so it
  // forces after 10 s here (the preview warns about it).
  await upgrades.drainTimeout().fill("10");
  await upgrades.drainOnTimeout().selectOption("force");

  await upgrades.previewPlan();
  await expect(upgrades.preview().getByRole("heading", { level: 2 })).toHaveText("Plan: sim-1 to v1.14.0");
  // Control planes alone, one per batch; then the five workers together.
  await expect(upgrades.batches()).toHaveCount(4);
  await expect(upgrades.batches().nth(0)).toContainText("control plane");
  await expect(upgrades.batches().nth(2)).toContainText("control plane");
  await expect(upgrades.batches().nth(3)).toContainText("5 workers at once");
  await expect(upgrades.checks().filter({ hasText: "etcd is healthy: 3 of 3 members" })).toHaveCount(1);
  await expect(upgrades.checks().filter({ hasText: "All 5 workers are drained at once" })).toHaveCount(1);
  await expect(upgrades.preview().getByRole("region", { name: "Steps" })).toContainText("cordon + drain (10 s, force)");

  await upgrades.start();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Upgrade of sim-1 to v1.14.0");
  const planId = decodeURIComponent(new URL(page.url()).pathname.split("/").pop()!);
  await expect(upgrades.nodeRows()).toHaveCount(8);
  // The first control plane is under way within moments.
  await expect(upgrades.nodeRows().first().getByText(/Pulling image|Installing|Rebooting|Health check|Done/)).toBeVisible();

  await expect(upgrades.progress()).toHaveAttribute("aria-valuenow", "100", { timeout: 150_000 });
  await expect(page.getByText("Every node runs v1.14.0 and passed its health check.")).toBeVisible();
  for (const row of await upgrades.nodeRows().all()) {
    await expect(row.getByText("Done", { exact: true })).toBeVisible();
    // Drained (or forced) before its reboot, uncordoned after.
    await expect(row).toContainText(/; uncordoned sim-1-/);
    await expect(row.getByRole("cell", { name: "v1.14.0", exact: true })).toBeVisible();
  }

  // The nodes themselves report the new version.
  await expect.poll(async () => {
    const res = (await (await page.request.get("/api/nodes?cluster=sim-1")).json()) as { nodes: { talosVersion: string | null }[] };
    return [...new Set(res.nodes.map((n) => n.talosVersion))];
  }, { timeout: 30_000 }).toEqual(["v1.14.0"]);

  // History lists it, and the audit log has its start and outcome.
  await page.getByRole("link", { name: "All upgrades" }).click();
  await expect(upgrades.history().getByRole("row").nth(1)).toContainText("Succeeded");
  await expect(upgrades.history().getByRole("row").nth(1)).toContainText("8/8");
  await page.goto("/audit");
  // This plan's rows: other specs may have run plans of their own on the shared server.
  const planRows = page.getByRole("row").filter({ has: page.getByRole("cell", { name: planId, exact: true }) });
  await expect(planRows.filter({ has: page.getByRole("cell", { name: "upgrade.succeeded" }) })).toBeVisible();
  await expect(planRows.filter({ has: page.getByRole("cell", { name: "upgrade.start" }) })).toBeVisible();
});

test("the API refuses an unsupported version jump with the checks in the envelope", async ({ request }) => {
  // Signed in with a cookie (the setup project's admin), so the CSRF header goes along.
  const res = await request.post("/api/upgrades", { data: { cluster: "sim-1", version: "v1.17.0" }, headers: await csrfHeader(request) });
  expect(res.status()).toBe(409);
  const body = (await res.json()) as { error: { code: string; message: string; details: { checks: { code: string; level: string }[] } } };
  expect(body.error.code).toBe("conflict");
  expect(body.error.details.checks.filter((c) => c.code === "version_jump" && c.level === "error")).toHaveLength(8);
});
