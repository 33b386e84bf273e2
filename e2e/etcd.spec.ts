import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";

import { expect, request as apiRequest, test, type APIRequestContext } from "@playwright/test";

import { storageStateFile } from "./auth-state";
import { BackupsPage, EtcdPage } from "./pages/etcd";

/**
 * The etcd page's buttons and a backup download, on the e2e fleet's one cluster. What it changes
 * is undone or harmless: defragmenting shrinks the simulated database, leadership moves to
 * another member, alarms are raised by a fault and disarmed. Removing a member would leave a
 * control plane out of etcd for the specs after this one: the e2e stops at its confirmation
 * (stating the consequences) and the removal itself is covered by the integration tests.
 */

const CLUSTER = "sim-1";
test.setTimeout(90_000);

/** The simulator's control API is the admin's (GET /api/sim): an admin's API context, whoever the page is signed in as. */
async function asAdmin<T>(baseURL: string | undefined, fn: (request: APIRequestContext) => Promise<T>): Promise<T> {
  const ctx = await apiRequest.newContext({ baseURL, storageState: storageStateFile("admin") });
  try {
    return await fn(ctx);
  } finally {
    await ctx.dispose();
  }
}

async function simControl(request: APIRequestContext): Promise<string> {
  return ((await (await request.get("/api/sim")).json()) as { controlUrl: string }).controlUrl;
}

/** Raises NOSPACE on the cluster's first etcd member; returns it. */
async function raiseNospace(request: APIRequestContext): Promise<{ address: string; hostname: string }> {
  const controlUrl = await simControl(request);
  const etcdView = (await (await request.get(`/api/clusters/${CLUSTER}/etcd`)).json()) as { members: { address: string; hostname: string }[] };
  const target = etcdView.members[0]!;
  const fault = await request.post(`${controlUrl}/faults`, { data: { node: target.address, fault: "etcd-nospace" } });
  expect(fault.status(), await fault.text()).toBe(200);
  return target;
}

/** Clears the faults of every node this spec raised NOSPACE on, whether its test passed or not. */
async function clearNospace(request: APIRequestContext): Promise<void> {
  const controlUrl = await simControl(request);
  const faulty = (await (await request.get(`${controlUrl}/faults`)).json()) as { node: string; faults: { fault: string }[] }[];
  for (const n of faulty.filter((x) => x.faults.some((f) => f.fault === "etcd-nospace"))) {
    await request.delete(`${controlUrl}/faults?node=${encodeURIComponent(n.node)}`);
  }
}

test.afterEach(async ({ baseURL }) => {
  await asAdmin(baseURL, clearNospace);
});

test("an admin sees the members and the quorum, defragments every member, forfeits leadership, and reads what removing a member means", async ({ page }) => {
  const etcd = new EtcdPage(page);
  await etcd.goto(CLUSTER);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(`etcd of ${CLUSTER}`);
  await expect(etcd.quorum()).toHaveText("Quorum healthy");
  await expect(etcd.members().getByRole("row")).toHaveCount(4); // header + 3 control planes
  await expect(etcd.members().getByText("Leader", { exact: true })).toHaveCount(1);

  await page.getByRole("button", { name: "Defragment all" }).click();
  await expect(etcd.dialog()).toContainText("followers first and the leader last");
  await etcd.confirm("Defragment");
  await expect(etcd.status()).toContainText("Defragmented ", { timeout: 30_000 });
  // Three members, the leader named last.
  const leader = (await etcd.members().getByRole("row").filter({ hasText: "Leader" }).getByRole("cell").first().textContent())!;
  await expect(etcd.status()).toHaveText(new RegExp(`${leader} \\([^)]*\\)$`));

  await etcd.memberRow(leader).getByRole("button", { name: "Forfeit leadership" }).click();
  await etcd.confirm("Forfeit leadership");
  await expect(etcd.status()).toContainText(`${leader} no longer leads`);
  await expect(etcd.memberRow(leader)).not.toContainText("Leader");

  await etcd.memberRow(leader).getByRole("button", { name: "Remove member" }).click();
  await expect(etcd.dialog()).toContainText("must be reset (or its EPHEMERAL partition wiped)");
  await etcd.dialog().getByRole("button", { name: "Cancel" }).click();
  await expect(etcd.dialog()).toBeHidden();
});

test("a NOSPACE alarm shows on the page and Disarm clears it", async ({ page }) => {
  const target = await raiseNospace(page.request);
  const etcd = new EtcdPage(page);
  await etcd.goto(CLUSTER);
  await expect(page.getByRole("alert").filter({ hasText: "Alarms:" })).toContainText(`nospace on ${target.hostname}`);
  await page.getByRole("button", { name: "Disarm alarms" }).click();
  await etcd.confirm("Disarm");
  await expect(etcd.status()).toContainText("Disarmed nospace");
});

test("back up now, then download the file: its sha256 is the one recorded", async ({ page }) => {
  const backups = new BackupsPage(page);
  await backups.goto(CLUSTER);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Backups");
  await page.getByRole("button", { name: "Back up now" }).click();
  await expect(page.getByRole("status")).toContainText(`Backed up ${CLUSTER}`, { timeout: 30_000 });
  const row = backups.backups().getByRole("row").filter({ hasText: "Succeeded" }).first();
  await expect(row).toBeVisible();
  const list = (await (await page.request.get(`/api/backups?cluster=${CLUSTER}`)).json()) as { backups: { id: string; sha256: string; state: string }[] };
  const newest = list.backups.find((b) => b.state === "succeeded")!;
  const download = page.waitForEvent("download");
  await backups.backups().getByRole("link", { name: `Download backup ${newest.id}` }).click();
  const file = await (await download).path();
  expect(createHash("sha256").update(readFileSync(file)).digest("hex")).toBe(newest.sha256);
  await backups.backups().getByRole("button", { name: "Restore guide" }).first().click();
  await expect(page.getByRole("list", { name: "Restore guide" })).toContainText("bootstrap --recover-from=./");
});

test.describe("as a viewer", () => {
  test.use({ storageState: storageStateFile("viewer") });

  test("the etcd page and the backups show no action", async ({ page, baseURL }) => {
    const etcd = new EtcdPage(page);
    // With an alarm raised, so that "no Disarm alarms" means the role hides it (not that there is nothing to disarm).
    try {
      const target = await asAdmin(baseURL, raiseNospace);
      await etcd.goto(CLUSTER);
      await expect(etcd.quorum()).toBeVisible();
      await expect(page.getByRole("alert").filter({ hasText: "Alarms:" })).toContainText(`nospace on ${target.hostname}`);
      for (const name of ["Download snapshot", "Defragment all", "Defragment", "Forfeit leadership", "Remove member", "Disarm alarms"]) {
        await expect(page.getByRole("button", { name, exact: true })).toHaveCount(0);
      }
    } finally {
      await asAdmin(baseURL, clearNospace);
    }
    const backups = new BackupsPage(page);
    await backups.goto();
    await expect(backups.schedules()).toBeVisible();
    await expect(page.getByRole("button", { name: "Back up now" })).toHaveCount(0);
    await expect(page.getByRole("link", { name: /^Download backup / })).toHaveCount(0);
    await expect(page.getByRole("button", { name: /^Delete backup / })).toHaveCount(0);
    await expect(page.getByRole("button", { name: /^Edit the schedule of / })).toHaveCount(0);
  });
});

test.describe("as an operator", () => {
  test.use({ storageState: storageStateFile("operator") });

  test("sees the operator's etcd and backup actions (not the admin's), defragments one member and deletes a backup", async ({ page, baseURL }) => {
    const etcd = new EtcdPage(page);
    try {
      const target = await asAdmin(baseURL, raiseNospace);
      await etcd.goto(CLUSTER);
      await expect(page.getByRole("alert").filter({ hasText: "Alarms:" })).toContainText(`nospace on ${target.hostname}`);
      for (const name of ["Download snapshot", "Defragment all", "Disarm alarms"]) await expect(page.getByRole("button", { name, exact: true })).toHaveCount(1);
      await expect(page.getByRole("button", { name: "Defragment", exact: true })).toHaveCount(3);
      for (const name of ["Forfeit leadership", "Remove member"]) await expect(page.getByRole("button", { name, exact: true })).toHaveCount(0);
    } finally {
      await asAdmin(baseURL, clearNospace);
    }
    await page.reload();
    await expect(page.getByRole("alert").filter({ hasText: "Alarms:" })).toHaveCount(0);
    const member = (await etcd.members().getByRole("row").nth(1).getByRole("cell").first().textContent())!;
    await etcd.memberRow(member).getByRole("button", { name: "Defragment", exact: true }).click();
    await etcd.confirm("Defragment");
    await expect(etcd.status()).toHaveText(new RegExp(`^Defragmented ${member} \\([^)]*\\)$`), { timeout: 30_000 });

    const backups = new BackupsPage(page);
    await backups.goto(CLUSTER);
    await expect(backups.schedules()).toBeVisible();
    await expect(page.getByRole("button", { name: /^Edit the schedule of / })).toHaveCount(0);
    await page.getByRole("button", { name: "Back up now" }).click();
    await expect(page.getByRole("status")).toContainText(`Backed up ${CLUSTER}`, { timeout: 30_000 });
    const list = (await (await page.request.get(`/api/backups?cluster=${CLUSTER}`)).json()) as { backups: { id: string; state: string }[] };
    const newest = list.backups.find((b) => b.state === "succeeded")!;
    await expect(backups.backups().getByRole("link", { name: `Download backup ${newest.id}` })).toBeVisible();
    await backups.backups().getByRole("button", { name: `Delete backup ${newest.id}` }).click();
    await etcd.confirm("Delete backup");
    await expect(page.getByRole("status")).toHaveText(`Deleted backup ${newest.id} and its file`);
    await expect(backups.backups().getByRole("button", { name: `Delete backup ${newest.id}` })).toHaveCount(0);
    const after = (await (await page.request.get(`/api/backups?cluster=${CLUSTER}`)).json()) as { backups: { id: string }[] };
    expect(after.backups.map((b) => b.id)).not.toContain(newest.id);
  });
});
