import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { expect, test } from "@playwright/test";
import { parse, stringify } from "yaml";

import { startFleet, type Fleet } from "../lib/simulator/fleet";
import { addVirtualAuthenticator, AuthPages, startOwnMinos, type OwnMinos } from "./pages/auth";
import { ClustersPage } from "./pages/clusters";

/**
 * Uploading a talosconfig in the UI. Adding clusters needs an admin, and the shared e2e server
 * has nobody signed in (phase 1), so this spec runs a Minos of its own (as the access spec does)
 * and signs in through its first-start link. The uploaded cluster is a second small simulated
 * fleet on the next loopback range (E2E_SIM_FIRST_ADDRESS's third octet + 1).
 */
let minos: OwnMinos;
let fleet: Fleet;
let fleetDir: string;

function secondFleetAddress(): string {
  const [a, b, c] = (process.env.E2E_SIM_FIRST_ADDRESS ?? "127.0.60.1").split(".");
  return `${a}.${b}.${Number(c) + 1}.1`;
}

test.describe.configure({ mode: "serial" });

test.beforeAll(async () => {
  test.setTimeout(180_000);
  fleetDir = mkdtempSync(path.join(tmpdir(), "minos-e2e-clusters-"));
  [minos, fleet] = await Promise.all([
    startOwnMinos(),
    startFleet({ controlPlanes: 1, workers: 1, stateDir: fleetDir, firstAddress: secondFleetAddress(), controlPort: 0 }),
  ]);
});

test.afterAll(async () => {
  await Promise.all([minos?.stop(), fleet?.stop()]);
  if (fleetDir) rmSync(fleetDir, { recursive: true, force: true });
});

test("an admin uploads a talosconfig: its cluster is listed, polled and selectable, then removed", async ({ browser }) => {
  test.setTimeout(90_000);
  const context = await browser.newContext({ baseURL: minos.baseURL });
  const page = await context.newPage();
  await addVirtualAuthenticator(page);
  await new AuthPages(page).redeem(await minos.bootstrapLink(), "ada", "Admin");

  const clusters = new ClustersPage(page);
  const original = readFileSync(fleet.talosconfig.admin, "utf8");
  const doc = parse(original) as { context: string; contexts: Record<string, unknown> };
  const renamed = stringify({ ...doc, context: "sim-copy", contexts: { "sim-copy": doc.contexts[doc.context] } });

  await test.step("the Overview links to the clusters page", async () => {
    await page.goto("/");
    await page.getByRole("link", { name: "Manage clusters" }).click();
    await expect(page).toHaveURL(`${minos.baseURL}/clusters`);
    await expect(clusters.row("sim-1")).toContainText("Talosconfig file");
    await expect(clusters.row("sim-1").getByRole("button", { name: /Remove/ })).toHaveCount(0);
  });

  await test.step("a talosconfig whose context name is taken is refused, naming it", async () => {
    await clusters.uploadFile("talosconfig", original);
    await expect(clusters.formError()).toContainText('A cluster named "sim-1" (the talosconfig file) already exists');
  });

  await test.step("a broken talosconfig is refused in words naming the context and field", async () => {
    await clusters.paste(renamed.replace(/crt: \S+/, `crt: ${Buffer.from("not a certificate").toString("base64")}`));
    await expect(clusters.formError()).toContainText('"sim-copy"');
    await expect(clusters.formError()).toContainText("crt");
  });

  await test.step("the renamed talosconfig is added: listed as uploaded, its nodes polled, in the header's selector", async () => {
    await clusters.uploadFile("talosconfig-copy.yaml", renamed, "lab copy");
    await expect(clusters.status()).toContainText("Added sim-copy");
    await expect(clusters.formError()).toHaveCount(0);
    // The form forgets the file once it is stored: it holds a private key.
    await expect(clusters.form().getByLabel("Or paste it")).toHaveValue("");
    const row = clusters.row("sim-copy");
    await expect(row).toContainText("Uploaded");
    await expect(row).toContainText("os:admin");
    await expect(row).toContainText(`${fleet.nodes.length} nodes`);
    await expect(clusters.clusterSelector().getByRole("option", { name: "sim-copy" })).toHaveCount(1);
  });

  await test.step("its nodes are on the Nodes page of that cluster", async () => {
    await page.goto("/nodes?cluster=sim-copy");
    for (const n of fleet.nodes) await expect(page.getByRole("link", { name: n.hostname, exact: true })).toBeVisible();
  });

  await test.step("removing it (confirmed) takes it off the page and out of the selector", async () => {
    await clusters.goto();
    await clusters.remove("sim-copy");
    await expect(clusters.status()).toContainText("Removed sim-copy");
    await expect(clusters.row("sim-copy")).toHaveCount(0);
    await expect(clusters.clusterSelector().getByRole("option", { name: "sim-copy" })).toHaveCount(0);
  });
  await context.close();
});
