import { expect, test } from "@playwright/test";

import { ShellPage, sidebarPages } from "./pages/shell";

// One test per concern: together, sixteen page loads ran close to the 30 s timeout on a loaded CI machine.
test("the sidebar reaches every page and marks the current one", async ({ page }) => {
  // Eight client navigations: about 12 s on a quiet machine.
  test.setTimeout(60_000);
  const shell = new ShellPage(page);
  await shell.goto("/");
  await expect(shell.heading()).toHaveText("Overview");
  for (const target of sidebarPages) {
    await shell.sidebar().getByRole("link", { name: target.label }).click();
    await expect(page).toHaveURL(new RegExp(`${target.path === "/" ? "/$" : target.path}$`));
    await expect(shell.heading()).toHaveText(target.heading);
    await expect(shell.sidebar().getByRole("link", { name: target.label })).toHaveAttribute("aria-current", "page");
  }
  expect(shell.consoleErrors).toEqual([]);
  expect(shell.failedRequests).toEqual([]);
});

for (const target of sidebarPages) {
  test(`${target.path} loads without console errors or failed requests`, async ({ page }) => {
    const shell = new ShellPage(page);
    const response = await shell.goto(target.path);
    expect(response?.status()).toBe(200);
    await expect(shell.heading()).toHaveText(target.heading);
    expect(shell.consoleErrors).toEqual([]);
    expect(shell.failedRequests).toEqual([]);
  });
}

test("the header lists the simulated clusters and the selection follows the URL", async ({ page }) => {
  const shell = new ShellPage(page);
  await shell.goto("/nodes");
  await expect(page.getByText("Simulated fleet")).toBeVisible();
  const selector = shell.clusterSelector();
  await expect(selector.getByRole("option", { name: "sim-1" })).toHaveCount(1);
  await selector.selectOption("sim-1");
  await expect(page).toHaveURL(/\/nodes\?cluster=sim-1$/);
  await expect(page.getByRole("row")).toHaveCount(1 + 8);
  await shell.sidebar().getByRole("link", { name: "Certificates" }).click();
  await expect(page).toHaveURL(/\/certificates\?cluster=sim-1$/);
  await expect(page.getByRole("cell", { name: "os:admin" })).toBeVisible();
  expect(shell.consoleErrors).toEqual([]);
});

for (const scheme of ["light", "dark"] as const) {
  test(`the theme follows prefers-color-scheme: ${scheme}`, async ({ page }) => {
    await page.emulateMedia({ colorScheme: scheme });
    await page.goto("/");
    const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    expect(background).toBe(scheme === "dark" ? "rgb(13, 17, 23)" : "rgb(247, 248, 250)");
  });
}

test("an unknown route shows the not-found page inside the shell", async ({ page }) => {
  const shell = new ShellPage(page);
  shell.expectNotFound("/no/such/page");
  const response = await shell.goto("/no/such/page");
  expect(response?.status()).toBe(404);
  await expect(page.getByRole("heading", { name: "No such page" })).toBeVisible();
  await expect(shell.sidebar()).toBeVisible();
  await page.getByRole("link", { name: "Back to the overview" }).click();
  await expect(shell.heading()).toHaveText("Overview");
  expect(shell.consoleErrors.filter((e) => !e.includes("404"))).toEqual([]);
});

test("an unknown node shows the node not-found page", async ({ page }) => {
  const shell = new ShellPage(page);
  // The node page streams behind its loading skeleton, so Next keeps status 200 (with noindex).
  await shell.goto("/nodes/10.9.9.9@sim-1");
  await expect(page.getByRole("heading", { name: "No such node" })).toBeVisible();
  await expect(page.locator('meta[name="robots"][content*="noindex"]').first()).toBeAttached();
});
