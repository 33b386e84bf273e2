import { expect, test, type APIRequestContext } from "@playwright/test";

import { csrfHeader, storageStateFile } from "./auth-state";
import { SimControl, type SimNode } from "./pages/fleet";
import { NodeActionsPage, powerOn } from "./pages/node-actions";

/*
 * Node actions from the node page, against the simulated fleet. State changes stay on one worker
 * (the last by hostname), which every test leaves as it found it: a reboot comes back by itself
 * (and is uncordoned by the status job); a shutdown is undone by the simulator's power-on; a
 * kubelet restart comes back running; ext-iscsid (the simulator runs it with --extension-services
 * iscsid, see playwright.config.ts) is stopped and started again. A reset would leave the node wiped for the specs after this
 * one, so its e2e stops at the confirmation (the button stays disabled until the hostname is
 * typed exactly; the API answers 422 to a wrong one); lib/server/node-actions/reset.test.ts
 * carries resets out on a fleet of its own.
 */

test.describe.configure({ mode: "serial" });

const CLUSTER = "sim-1";
let admin: APIRequestContext;
let sim: SimControl;

async function worker(): Promise<SimNode> {
  const list = (await sim.nodes()).filter((n) => n.cluster === CLUSTER && n.role === "worker").sort((a, b) => a.hostname.localeCompare(b.hostname, "en", { numeric: true }));
  expect(list.length, "the simulated fleet has workers").toBeGreaterThan(1);
  return list.at(-1)!;
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

test("reboot a worker from its page: confirmed, then the progress shows it go down and come back", async ({ page }) => {
  test.setTimeout(120_000);
  const w = await worker();
  const node = new NodeActionsPage(page);
  await node.open(`${w.address}@${CLUSTER}`);
  await expect(node.heading()).toHaveText(w.hostname);

  const dialog = await node.choose("Reboot…", new RegExp(`^Reboot ${w.hostname}\\?$`));
  await expect(dialog).toContainText("Minos cordons the node and drains its pods");
  await dialog.getByLabel("Mode").selectOption("default");
  await dialog.getByRole("button", { name: `Reboot ${w.hostname}`, exact: true }).click();
  await expect(dialog).toBeHidden({ timeout: 60_000 });

  const progress = node.progress();
  await expect(progress).toBeVisible();
  await expect(progress).toContainText(`${w.hostname} is back: running on a new boot`, { timeout: 90_000 });
  await progress.getByText("What Minos did").click();
  await expect(progress.getByRole("listitem").filter({ hasText: `${w.hostname} is rebooting` })).toHaveCount(1);
  await progress.getByRole("button", { name: "Dismiss" }).click();
  await expect(progress).toBeHidden();
});

test("a reboot refused by the server shows its reason in the dialog (a control plane while another is down)", async ({ page }) => {
  const cps = (await sim.nodes()).filter((n) => n.cluster === CLUSTER && n.role === "controlplane").sort((a, b) => a.hostname.localeCompare(b.hostname, "en", { numeric: true }));
  expect(cps.length).toBeGreaterThanOrEqual(3);
  // One sick member of three (etcd unhealthy): rebooting a healthy one would leave one of three.
  await sim.setFault(cps[1]!.hostname, "unhealthy");
  const node = new NodeActionsPage(page);
  await node.open(`${cps[0]!.address}@${CLUSTER}`);
  const dialog = await node.choose("Reboot…", new RegExp(`^Reboot ${cps[0]!.hostname}\\?$`));
  await expect(dialog).toContainText("This is a control plane: Minos first checks that etcd keeps quorum");
  await dialog.getByRole("button", { name: `Reboot ${cps[0]!.hostname}`, exact: true }).click();
  await expect(dialog.getByRole("alert")).toContainText(`rebooting ${cps[0]!.hostname} would break etcd quorum`);
  await dialog.getByRole("button", { name: "Cancel" }).click();
  await expect(dialog).toBeHidden();
});

test("shut down a worker: Talos drains it and it powers off; powered on again through the simulator", async ({ page }) => {
  test.setTimeout(120_000);
  const w = await worker();
  const node = new NodeActionsPage(page);
  await node.open(`${w.address}@${CLUSTER}`);
  const dialog = await node.choose("Shut down…", new RegExp(`^Shut down ${w.hostname}\\?$`));
  await expect(dialog).toContainText("It stays off until someone powers it on");
  await expect(dialog.getByLabel("Force: skip Talos's drain (its pods go down with it)")).not.toBeChecked();
  await dialog.getByRole("button", { name: `Shut down ${w.hostname}`, exact: true }).click();
  await expect(dialog).toBeHidden({ timeout: 30_000 });
  await expect(node.progress()).toContainText(`${w.hostname} is powered off: it stays off until it is powered on`, { timeout: 60_000 });
  await expect(node.offlineAlert()).toBeVisible();

  // Leave the fleet as it was for the specs after this one.
  await powerOn(admin, sim, w.hostname);
  await expect(node.offlineAlert()).toBeHidden({ timeout: 60_000 });
});

test("reset: the button waits for the exact hostname; the API refuses a wrong one with 422 and does nothing", async ({ page }) => {
  const w = await worker();
  const id = `${w.address}@${CLUSTER}`;
  const node = new NodeActionsPage(page);
  await node.open(id);
  const dialog = await node.choose("Reset…", new RegExp(`^Reset ${w.hostname}\\?$`));
  const confirm = dialog.getByRole("button", { name: `Reset ${w.hostname}`, exact: true });
  await expect(confirm).toBeDisabled();
  await dialog.getByLabel(`Type ${w.hostname} to confirm`).fill(`${w.hostname}-typo`);
  await expect(dialog).toContainText("Does not match the hostname yet.");
  await expect(confirm).toBeDisabled();
  await dialog.getByLabel(`Type ${w.hostname} to confirm`).fill(w.hostname);
  await expect(confirm).toBeEnabled();
  await dialog.getByRole("button", { name: "Cancel" }).click();
  await expect(dialog).toBeHidden();

  const res = await admin.post(`/api/nodes/${encodeURIComponent(id)}/reset`, {
    headers: await csrfHeader(admin),
    data: { graceful: true, mode: "all", confirm: `${w.hostname}-typo` },
  });
  expect(res.status()).toBe(422);
  expect(((await res.json()) as { error: { code: string } }).error.code).toBe("confirmation_mismatch");
});

test("services: only what Talos allows is offered (kubelet restart, no etcd or apid buttons); restart kubelet", async ({ page }) => {
  test.setTimeout(60_000);
  const w = await worker();
  const node = new NodeActionsPage(page);
  await node.open(`${w.address}@${CLUSTER}`);
  await expect(node.service("kubelet")).toBeVisible();
  await expect(node.serviceButton("Stop", "kubelet")).toHaveCount(0);
  await expect(node.service("apid").getByRole("button")).toHaveCount(0);
  await node.serviceButton("Restart", "kubelet").click();
  const dialog = node.dialog(new RegExp(`^Restart kubelet on ${w.hostname}\\?$`));
  await dialog.getByRole("button", { name: "Restart kubelet", exact: true }).click();
  await expect(dialog).toBeHidden({ timeout: 30_000 });
  await expect(node.service("kubelet").getByRole("status")).toHaveText('Service "kubelet" restarted');
  await expect(node.service("kubelet").getByRole("cell", { name: "Running", exact: true })).toBeVisible({ timeout: 30_000 });
});

test("services: an extension service (ext-iscsid) is stopped, then started again and left running", async ({ page }) => {
  const w = await worker();
  const node = new NodeActionsPage(page);
  await node.open(`${w.address}@${CLUSTER}`);
  const ext = node.service("ext-iscsid");
  await expect(ext.getByRole("cell", { name: "Running", exact: true })).toBeVisible({ timeout: 30_000 });
  await expect(node.serviceButton("Start", "ext-iscsid")).toHaveCount(0);

  await node.serviceButton("Stop", "ext-iscsid").click();
  const stop = node.dialog(new RegExp(`^Stop ext-iscsid on ${w.hostname}\\?$`));
  await expect(stop).toContainText("it stays stopped until it is started again or the node reboots");
  await stop.getByRole("button", { name: "Stop ext-iscsid", exact: true }).click();
  await expect(stop).toBeHidden({ timeout: 30_000 });
  await expect(ext.getByRole("status")).toHaveText('Service "ext-iscsid" stopped');
  await expect(ext.getByRole("cell", { name: "Finished", exact: true })).toBeVisible({ timeout: 30_000 });
  await expect(node.serviceButton("Stop", "ext-iscsid")).toHaveCount(0);

  await node.serviceButton("Start", "ext-iscsid").click();
  const start = node.dialog(new RegExp(`^Start ext-iscsid on ${w.hostname}\\?$`));
  await start.getByRole("button", { name: "Start ext-iscsid", exact: true }).click();
  await expect(start).toBeHidden({ timeout: 30_000 });
  await expect(ext.getByRole("status")).toHaveText('Service "ext-iscsid" started');
  await expect(ext.getByRole("cell", { name: "Running", exact: true })).toBeVisible({ timeout: 30_000 });
});

test.describe("as an operator", () => {
  test.use({ storageState: storageStateFile("operator") });

  test("reboot and shutdown are offered, reset is not (admin only)", async ({ page }) => {
    const w = await worker();
    const node = new NodeActionsPage(page);
    await node.open(`${w.address}@${CLUSTER}`);
    await node.actionsButton().click();
    await expect(node.menuItem("Reboot…")).toBeVisible();
    await expect(node.menuItem("Shut down…")).toBeVisible();
    await expect(node.menuItem("Reset…")).toHaveCount(0);
  });
});

test.describe("as a viewer", () => {
  test.use({ storageState: storageStateFile("viewer") });

  test("no Actions menu and no service buttons", async ({ page }) => {
    const w = await worker();
    const node = new NodeActionsPage(page);
    await node.open(`${w.address}@${CLUSTER}`);
    await expect(node.heading()).toHaveText(w.hostname);
    await expect(node.service("kubelet")).toBeVisible();
    await expect(node.actionsButton()).toHaveCount(0);
    await expect(node.services().getByRole("button")).toHaveCount(0);
  });
});
