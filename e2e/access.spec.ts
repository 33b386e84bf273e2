import { expect, test } from "@playwright/test";

import { csrfHeader, storageStateFile } from "./auth-state";
import { ConfigEditorPage } from "./pages/config-editor";
import { ShellPage } from "./pages/shell";
import { UpgradesPage } from "./pages/upgrades";

/**
 * Access control across the app (issue 8, phase 2), on the shared e2e server: the setup project
 * signed in an admin, an operator and a viewer; this spec invites one more viewer through the UI.
 */

async function firstWorker(request: import("@playwright/test").APIRequestContext): Promise<string> {
  const { clusters } = (await (await request.get("/api/clusters")).json()) as { clusters: { name: string; nodes: string[] }[] };
  const cluster = clusters[0]!;
  return `${cluster.nodes[3]!}@${cluster.name}`;
}

test("invite a viewer; the viewer sees redacted configs and no apply or upgrade buttons", async ({ browser, request, baseURL }) => {
  const created = await request.post("/api/auth/invitations", { data: { role: "viewer", name: "vera" }, headers: await csrfHeader(request) });
  expect(created.status()).toBe(200);
  const token = /#token=([A-Za-z0-9_-]+)/.exec(((await created.json()) as { url: string }).url)![1]!;
  const node = await firstWorker(request);

  const context = await browser.newContext({ baseURL, storageState: { cookies: [], origins: [] } });
  const page = await context.newPage();
  await page.goto(`/invite#token=${token}`);
  await expect(page.getByText("Sees every page; secrets stay redacted")).toBeVisible();
  await page.getByLabel("Your name").fill("vera");
  await page.getByRole("button", { name: "Create my account" }).click();
  await expect(page.getByText("Account vera created.")).toBeVisible();

  const shell = new ShellPage(page);
  await shell.goto("/");
  await expect(page.getByRole("banner").getByText("vera", { exact: true })).toBeVisible();
  await expect(page.getByRole("banner").getByText("Viewer", { exact: true })).toBeVisible();
  await expect(shell.sidebar().getByRole("link", { name: "Access" })).toHaveCount(0);

  const editor = new ConfigEditorPage(page);
  await editor.goto(`?node=${encodeURIComponent(node)}`);
  await expect(page.getByText("Secrets redacted")).toBeVisible();
  expect(await editor.text()).toContain("******");
  await expect(page.getByText("Applying configs and starting rollouts needs the Admin role in Minos.")).toBeVisible();
  await expect(page.getByRole("button", { name: /^Apply to / })).toHaveCount(0);
  await expect(page.getByRole("button", { name: /Run preflight/ })).toHaveCount(0);
  await expect(page.getByRole("tab", { name: "Roll out to several nodes" })).toHaveCount(0);

  // Asking the API to reveal changes nothing for a viewer.
  const asked = await page.request.get(`/api/nodes/${encodeURIComponent(node)}/config?reveal=1`);
  expect(asked.status()).toBe(200);
  expect(((await asked.json()) as { yaml: string }).yaml).toMatch(/token: ['"]?\*{6}/);

  const upgrades = new UpgradesPage(page);
  await upgrades.goto();
  await upgrades.cluster().selectOption("sim-1");
  await upgrades.version().fill("v1.14.0");
  await upgrades.previewPlan();
  await expect(upgrades.preview().getByText("Starting an upgrade needs the Admin role.")).toBeVisible();
  await expect(upgrades.preview().getByRole("button", { name: "Start upgrade" })).toHaveCount(0);
  // And the server refuses anyway.
  const refused = await page.request.post("/api/upgrades", { data: { cluster: "sim-1", version: "v1.14.0" }, headers: await csrfHeader(page.request) });
  expect(refused.status()).toBe(403);
  expect(shell.consoleErrors).toEqual([]);
  await context.close();
});

test.describe("signed out", () => {
  test.use({ storageState: { cookies: [], origins: [] } });

  test("a page sends you to the sign-in page and the API answers 401", async ({ page, request }) => {
    await page.goto("/nodes");
    await expect(page).toHaveURL(/\/sign-in\?next=\/nodes$/);
    const res = await request.get("/api/nodes");
    expect(res.status()).toBe(401);
    expect((await request.get("/api/health")).status()).toBe(200);
  });
});

test.describe("as an operator", () => {
  test.use({ storageState: storageStateFile("operator") });

  test("the header names the operator; the Access page is for admins only", async ({ page }) => {
    const shell = new ShellPage(page);
    await shell.goto("/nodes");
    await expect(page.getByRole("banner").getByText("e2e-operator", { exact: true })).toBeVisible();
    await expect(page.getByRole("banner").getByText("Operator", { exact: true })).toBeVisible();
    await expect(shell.sidebar().getByRole("link", { name: "Access" })).toHaveCount(0);
    await page.goto("/access");
    await expect(page.getByText("Admins only")).toBeVisible();
  });
});
