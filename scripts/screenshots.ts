/**
 * `npm run screenshots [baseURL] [outDir]`: a PNG of every dashboard page in the light and the
 * dark theme, from a running Minos (default http://127.0.0.1:3000), for review and the README.
 * Pages need a session: set STORAGE_STATE to a Playwright storage-state file of a signed-in user
 * (the e2e setup writes one per role); without it every page shows the sign-in screen.
 * VIEWPORT=phone shoots at 390 × 844 (an iPhone 12–15, with touch) into files named `…-phone-<theme>.png`,
 * and FULL_PAGE=1 takes whole pages rather than the first screen.
 */
import { mkdirSync } from "node:fs";
import path from "node:path";

import { chromium } from "@playwright/test";

import { findChromium } from "../e2e/chromium";

/** Desktop by default; VIEWPORT=phone for the on-call view of issue 21. */
const phone = process.env.VIEWPORT === "phone";
const device = phone ? { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 } : { viewport: { width: 1280, height: 800 } };
const suffix = phone ? "-phone" : "";

const pages = ["/", "/nodes", "/clusters", "/config", "/upgrades", "/kubernetes-upgrades", "/bulk", "/backups", "/ca-rotations", "/certificates", "/alerts", "/alerts/rules", "/alerts/channels", "/alerts/silences", "/alerts/deliveries", "/audit", "/no/such/page"];

async function main() {
  const base = process.argv[2] ?? "http://127.0.0.1:3000";
  const out = path.resolve(process.argv[3] ?? "test-results/screenshots");
  mkdirSync(out, { recursive: true });
  const browser = await chromium.launch({
    executablePath: findChromium(),
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  for (const colorScheme of ["light", "dark"] as const) {
    const context = await browser.newContext({ colorScheme, ...device, storageState: process.env.STORAGE_STATE });
    const page = await context.newPage();
    // A worker's page too (its address differs per fleet): the first worker the API lists.
    const listed = await context.request.get(new URL("/api/nodes", base).href).then((r) => (r.ok() ? r.json() : { nodes: [] }));
    const worker = (listed as { nodes: { id: string; role: string; hostname: string | null }[] }).nodes
      .filter((n) => n.role === "worker")
      .sort((a, b) => (a.hostname ?? a.id).localeCompare(b.hostname ?? b.id))[0];
    // And the etcd page of that worker's cluster (the cluster is what follows the node ID's "@").
    const cluster = worker?.id.slice(worker.id.indexOf("@") + 1);
    const extra = worker ? [`/nodes/${encodeURIComponent(worker.id)}`, `/nodes/${encodeURIComponent(worker.id)}/logs`, `/clusters/${encodeURIComponent(cluster!)}/etcd`] : [];
    for (const p of [...pages, ...extra]) {
      // A logs page follows its streams, so the network never goes idle: give the lines a moment instead.
      const streams = p.endsWith("/logs");
      await page.goto(new URL(p, base).href, { waitUntil: streams ? "load" : "networkidle" });
      if (streams) await page.waitForTimeout(3_000);
      const name = `${p === "/" ? "overview" : decodeURIComponent(p.slice(1)).replace(/[/@]/g, "-")}${suffix}-${colorScheme}.png`;
      await page.screenshot({ path: path.join(out, name), fullPage: process.env.FULL_PAGE === "1" });
      console.log(path.join(out, name));
    }
    if (worker) {
      // The node page's Actions menu and its reset confirmation (only an admin's session shows them).
      await page.goto(new URL(`/nodes/${encodeURIComponent(worker.id)}`, base).href, { waitUntil: "networkidle" });
      const actions = page.getByRole("button", { name: "Actions", exact: true });
      if (await actions.isVisible()) {
        await actions.click();
        await page.getByRole("menuitem", { name: "Reset…" }).click();
        const name = `node-reset-dialog${suffix}-${colorScheme}.png`;
        await page.screenshot({ path: path.join(out, name) });
        console.log(path.join(out, name));
        await page.keyboard.press("Escape");
      }
    }
    await context.close();
  }
  await browser.close();
}

void main();
