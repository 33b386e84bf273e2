import { expect, test, type APIRequestContext, type Page } from "@playwright/test";

import { navItemsFor } from "../components/shell/nav-items";
import { csrfHeader } from "./auth-state";
import { staticPages } from "./dashboard-pages";
import { NodeDetailPage, NodesPage, OverviewPage, SimControl, type SimNode } from "./pages/fleet";
import { UpgradesPage } from "./pages/upgrades";

/*
 * On call from a phone: each page's main task at 390 × 844 (an iPhone 12–15), with touch, through
 * the menu button (the sidebar is hidden below md), and never a page wider than the screen.
 */
test.use({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 });

/** No horizontal page overflow: wide content scrolls inside its own container. */
async function expectNoHorizontalOverflow(page: Page, soft = false) {
  const { scrollWidth, innerWidth, widest } = await page.evaluate(() => {
    // Names the element that sticks out furthest, for the failure message.
    let widest = "";
    let right = window.innerWidth;
    for (const el of document.querySelectorAll("body *")) {
      const r = el.getBoundingClientRect().right;
      if (r > right) {
        right = r;
        widest = `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ""}.${[...el.classList].slice(0, 4).join(".")} (right edge ${Math.round(r)})`;
      }
    }
    return { scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth, widest };
  });
  (soft ? expect.soft : expect)(scrollWidth, `${page.url()} is ${scrollWidth} px wide in a ${innerWidth} px viewport; widest: ${widest}`).toBeLessThanOrEqual(innerWidth);
}

function menuButton(page: Page) {
  return page.getByRole("button", { name: "Menu", exact: true });
}

function drawer(page: Page) {
  return page.getByRole("dialog", { name: "Navigation" });
}

/** Opens the drawer and follows one of its links. */
async function navigate(page: Page, label: string) {
  await menuButton(page).click();
  await drawer(page).getByRole("link", { name: label, exact: true }).click();
  await expect(drawer(page)).toBeHidden();
}

test("the menu button opens the navigation as a drawer: current page marked, focus trapped, Escape closes, focus returns", async ({ page }) => {
  const overview = new OverviewPage(page);
  await overview.open();
  await expect(overview.heading()).toHaveText("Overview");
  // The sidebar is hidden at this width: the menu button is the way to the other pages.
  await expect(page.getByRole("navigation", { name: "Main" })).toBeHidden();
  const button = menuButton(page);
  await expect(button).toHaveAttribute("aria-expanded", "false");
  await button.click();
  const nav = drawer(page);
  await expect(nav).toBeVisible();
  await expect(button).toHaveAttribute("aria-expanded", "true");
  await expect(nav.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Overview", exact: true })).toHaveAttribute("aria-current", "page");
  await expect(nav.getByRole("link", { name: "Nodes", exact: true })).not.toHaveAttribute("aria-current", "page");
  // The same items as the sidebar, from the same list (an admin sees Access too).
  await expect(nav.getByRole("navigation", { name: "Main" }).getByRole("link")).toHaveText(navItemsFor("admin").map((i) => i.label));

  // Focus starts on the close button and Tab never leaves the drawer, whichever way it goes.
  await expect(nav.getByRole("button", { name: "Close menu" })).toBeFocused();
  for (let i = 0; i < 15; i++) {
    await page.keyboard.press("Tab");
    expect(await nav.evaluate((el) => el.contains(document.activeElement))).toBe(true);
  }
  for (let i = 0; i < 15; i++) {
    await page.keyboard.press("Shift+Tab");
    expect(await nav.evaluate((el) => el.contains(document.activeElement))).toBe(true);
  }

  await page.keyboard.press("Escape");
  await expect(nav).toBeHidden();
  await expect(button).toBeFocused();
  await expect(button).toHaveAttribute("aria-expanded", "false");

  // A link navigates and closes the drawer; the new page is the one marked.
  await navigate(page, "Certificates");
  await expect(page).toHaveURL(/\/certificates$/);
  await expect(overview.heading()).toHaveText("Certificates");
  await menuButton(page).click();
  await expect(drawer(page).getByRole("link", { name: "Certificates", exact: true })).toHaveAttribute("aria-current", "page");
  await drawer(page).getByRole("button", { name: "Close menu" }).click();
  await expect(drawer(page)).toBeHidden();
  expect(overview.consoleErrors).toEqual([]);
});

test("turning the phone to a screen past md closes the drawer, so the page behind is not left inert", async ({ page }) => {
  const overview = new OverviewPage(page);
  await overview.open();
  await menuButton(page).click();
  await expect(drawer(page)).toBeVisible();
  // Wider than md (768 px): the drawer is display:none there, and a modal dialog left open would
  // keep the whole page inert behind an invisible drawer.
  await page.setViewportSize({ width: 1024, height: 768 });
  await expect(page.locator("#main-navigation-drawer")).toHaveJSProperty("open", false);
  const sidebar = page.getByRole("navigation", { name: "Main" });
  await expect(sidebar).toBeVisible();
  await sidebar.getByRole("link", { name: "Certificates", exact: true }).click();
  await expect(page).toHaveURL(/\/certificates$/);
  // And back to the phone: the drawer opens again from its button.
  await page.setViewportSize({ width: 390, height: 844 });
  await expect(menuButton(page)).toHaveAttribute("aria-expanded", "false");
  await menuButton(page).click();
  await expect(drawer(page)).toBeVisible();
  await drawer(page).getByRole("button", { name: "Close menu" }).click();
  await expect(drawer(page)).toBeHidden();
  expect(overview.consoleErrors).toEqual([]);
});

test("the header fits: cluster selector, fleet badge and user menu without overflow", async ({ page }) => {
  const overview = new OverviewPage(page);
  await overview.open();
  for (const item of [overview.clusterSelector(), page.getByText("Simulated fleet"), page.getByRole("button", { name: "Sign out" })]) {
    await expect(item).toBeInViewport({ ratio: 1 });
  }
  await expectNoHorizontalOverflow(page);
});

test("overview: fleet health at a glance", async ({ page }) => {
  const overview = new OverviewPage(page);
  await overview.open();
  await expect(overview.headline()).toHaveText(/All 8 nodes healthy/);
  await expect(overview.headline()).toBeInViewport();
  await expect(overview.healthBar("sim-1")).toHaveAccessibleName(/^8 of 8 nodes healthy/);
  await expect(overview.cluster("sim-1").getByText("Quorum ok")).toBeVisible();
  await expect(overview.problems()).toContainText("No node problems");
  await expectNoHorizontalOverflow(page);
  expect(overview.consoleErrors).toEqual([]);
});

test("nodes: find a node by search and filter, and open it", async ({ page }) => {
  const nodes = new NodesPage(page);
  await nodes.goto("/");
  await navigate(page, "Nodes");
  await expect(nodes.heading()).toHaveText("Nodes");
  await expect(nodes.rows()).toHaveCount(8);
  await expectNoHorizontalOverflow(page);

  await nodes.filter("Role").selectOption({ label: "Worker" });
  await expect(nodes.rows()).toHaveCount(5);
  await nodes.search().fill("worker-3");
  await expect(nodes.rows()).toHaveCount(1);
  // The table scrolls sideways in its own container; the page stays put.
  const scroller = page.getByTestId("node-table-scroll");
  // Below the filters on a phone: bring the table up, then scroll it sideways to its far end.
  await scroller.scrollIntoViewIfNeeded();
  await scroller.evaluate((el) => el.scrollTo({ left: el.scrollWidth }));
  expect(await scroller.evaluate((el) => el.scrollLeft)).toBeGreaterThan(0);
  await expectNoHorizontalOverflow(page);
  // Scrolled to its far end, the node's name is still on screen (pinned) and opens its page.
  const link = nodes.row("sim-1-worker-3").getByRole("link", { name: "sim-1-worker-3" });
  await expect(link).toBeInViewport({ ratio: 1 });
  await link.click();
  const detail = new NodeDetailPage(page);
  await expect(detail.heading()).toHaveText("sim-1-worker-3");
  await expectNoHorizontalOverflow(page);
  expect(nodes.consoleErrors).toEqual([]);
});

test.describe("a node with a problem", () => {
  let sim: SimControl;
  test.beforeEach(async ({ request }) => {
    sim = await SimControl.connect(request);
    await sim.clearFaults();
  });
  test.afterEach(async () => {
    await sim.clearFaults();
  });

  test("node page: read its problems, services and charts at phone width", async ({ page }) => {
    const worker = (await sim.nodes()).filter((n) => n.role === "worker").sort((a, b) => a.hostname.localeCompare(b.hostname))[0]!;
    await sim.setFault(worker.address, "unhealthy");
    const detail = new NodeDetailPage(page);
    await detail.goto(`/nodes/${encodeURIComponent(`${worker.address}@${worker.cluster}`)}`);
    await expect(detail.heading()).toHaveText(worker.hostname);
    const problems = page.getByRole("list", { name: "Problems of this node" });
    // The simulator's "unhealthy" fault fails a service: the node page says which.
    await expect(problems.getByRole("listitem").first()).toContainText(/Service \S+ is (unhealthy|failed)/, { timeout: 15_000 });
    // Every problem's text is within the screen's width, not cut off at the right.
    for (const item of await problems.getByRole("listitem").all()) {
      const box = (await item.boundingBox())!;
      expect(box.x).toBeGreaterThanOrEqual(0);
      expect(box.x + box.width).toBeLessThanOrEqual(390);
    }
    await expect(detail.services()).toBeVisible();
    // The charts take the phone's width, not a desktop's: each card fits the screen and its plot the card.
    for (const title of ["Memory available", "Load (1 min)"] as const) {
      const chart = detail.chart(title);
      await chart.scrollIntoViewIfNeeded();
      const plot = chart.locator("svg.recharts-surface");
      // The poller records a sample per sweep; a fresh fleet may need one more sweep.
      await expect(plot).toBeVisible({ timeout: 30_000 });
      const card = (await chart.boundingBox())!;
      const svg = (await plot.boundingBox())!;
      expect(card.x).toBeGreaterThanOrEqual(0);
      expect(card.x + card.width).toBeLessThanOrEqual(390);
      expect(svg.width).toBeGreaterThan(card.width * 0.7);
      expect(svg.x + svg.width).toBeLessThanOrEqual(card.x + card.width);
    }
    await expectNoHorizontalOverflow(page);
  });
});

const LIVE = ["pending", "running", "paused", "cancelling"];

async function plansOf(request: APIRequestContext): Promise<{ id: string; state: string }[]> {
  return ((await (await request.get("/api/upgrades?cluster=sim-1")).json()) as { plans: { id: string; state: string }[] }).plans;
}

/** Cancels what this test left live, and waits until nothing of sim-1 is. */
async function cancelLivePlans(request: APIRequestContext): Promise<void> {
  for (const p of (await plansOf(request)).filter((p) => LIVE.includes(p.state))) {
    if (p.state !== "cancelling") await request.post(`/api/upgrades/${encodeURIComponent(p.id)}/cancel`, { headers: await csrfHeader(request) });
  }
  await expect.poll(async () => (await plansOf(request)).filter((p) => LIVE.includes(p.state)).length, { timeout: 60_000 }).toBe(0);
}

/** Puts nodes back on the version they ran before, through an upgrade plan of its own. */
async function restoreVersions(request: APIRequestContext, before: SimNode[], simUrl: string): Promise<void> {
  const now = (await (await request.get(`${simUrl}/nodes`)).json()) as (SimNode & { version: string })[];
  const was = new Map(before.map((n) => [n.address, (n as SimNode & { version: string }).version]));
  const moved = now.filter((n) => was.get(n.address) !== n.version);
  for (const version of new Set(moved.map((n) => was.get(n.address)!))) {
    const nodes = moved.filter((n) => was.get(n.address) === version).map((n) => n.address);
    const res = await request.post("/api/upgrades", {
      data: { cluster: "sim-1", version, nodes, strategy: { drain: { enabled: false } } },
      headers: await csrfHeader(request),
    });
    expect(res.status(), await res.text()).toBe(201);
    const { id } = (await res.json()) as { id: string };
    await expect.poll(async () => (await plansOf(request)).find((p) => p.id === id)?.state, { timeout: 90_000 }).toBe("succeeded");
  }
}

test("upgrades: pause an upgrade in flight and resume it, then the fleet is put back", async ({ page, request }) => {
  test.setTimeout(240_000);
  const sim = await SimControl.connect(request);
  const before = (await sim.nodes()) as (SimNode & { version: string })[];
  // Two workers, one at a time: the pause lands while the first is in flight, the second waits.
  const workers = before.filter((n) => n.role === "worker").sort((a, b) => a.hostname.localeCompare(b.hostname, "en", { numeric: true })).slice(0, 2);
  const [, major, minor, patch] = /^v(\d+)\.(\d+)\.(\d+)/.exec(workers[0]!.version)!;
  const target = `v${major}.${minor}.${Number(patch) + 1}`;
  try {
    const upgrades = new UpgradesPage(page);
    const heading = page.getByRole("heading", { level: 1 });
    await page.goto("/");
    await navigate(page, "Upgrades");
    await expect(heading).toHaveText("Upgrades");
    await expectNoHorizontalOverflow(page);
    await upgrades.cluster().selectOption("sim-1");
    await upgrades.version().fill(target);
    await upgrades.everyNode().uncheck();
    for (const w of workers) await upgrades.nodeChoice(w.address).check();
    await upgrades.workersAtOnce().fill("1");
    await page.getByLabel("Cordon and drain each node before its reboot").uncheck();
    await upgrades.previewPlan();
    await expectNoHorizontalOverflow(page);
    await upgrades.start();
    await expect(heading).toHaveText(`Upgrade of sim-1 to ${target}`);

    const pause = page.getByRole("button", { name: "Pause", exact: true });
    await expect(pause).toBeInViewport();
    await pause.click();
    await expect(page.getByText("Paused: no node starts until you resume.")).toBeVisible();
    // The node table scrolls inside its own container, never the page.
    await expect(upgrades.nodeRows()).toHaveCount(2);
    await expectNoHorizontalOverflow(page);
    // Paused: the node in flight finishes, the other does not start.
    await expect(upgrades.nodeRow(workers[0]!.hostname).getByText("Done", { exact: true })).toBeVisible({ timeout: 90_000 });
    await expect(upgrades.nodeRow(workers[1]!.hostname).getByText("Pending", { exact: true })).toBeVisible();

    await page.getByRole("button", { name: "Resume", exact: true }).click();
    await expect(upgrades.progress()).toHaveAttribute("aria-valuenow", "100", { timeout: 90_000 });
    await expectNoHorizontalOverflow(page);
  } finally {
    await cancelLivePlans(request);
    await restoreVersions(request, before, sim.url);
  }
});

test("every dashboard page fits a 390 px screen", async ({ page }) => {
  test.setTimeout(240_000);
  const listed = (await (await page.request.get("/api/nodes")).json()) as { nodes: { id: string; role: string }[] };
  const node = listed.nodes.find((n) => n.role === "worker")!.id;
  const pages = [...staticPages, `/nodes/${encodeURIComponent(node)}`, "/clusters/sim-1", "/clusters/sim-1/etcd"];
  for (const path of pages) {
    await test.step(path, async () => {
      await page.goto(path, { waitUntil: "networkidle" });
      await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
      // Soft: one run lists every page that is too wide.
      await expectNoHorizontalOverflow(page, true);
      await expect.soft(menuButton(page)).toBeInViewport({ ratio: 1 });
    });
  }
});
