import { expect, test, type APIRequestContext } from "@playwright/test";

import { ConfigEditorPage } from "./pages/config-editor";
import { ConfigPushPage } from "./pages/config-push";
import { ShellPage } from "./pages/shell";

/**
 * Config push against the simulated fleet: each test changes its own worker (the editor spec
 * reads worker #1, so these take #3 and #4) and never touches the others.
 */
async function workerNode(request: APIRequestContext, index: number): Promise<{ id: string; address: string; label: string }> {
  const response = await request.get("/api/clusters");
  expect(response.ok()).toBe(true);
  const { clusters } = (await response.json()) as { clusters: { name: string; nodes: string[] }[] };
  const cluster = clusters[0]!;
  // The simulator lists its three control planes first.
  const address = cluster.nodes[3 + index]!;
  return { id: `${address}@${cluster.name}`, address, label: `${address} (${cluster.name})` };
}

async function runningConfig(request: APIRequestContext, id: string): Promise<string> {
  const response = await request.get(`/api/nodes/${encodeURIComponent(id)}/config`);
  expect(response.ok()).toBe(true);
  return ((await response.json()) as { yaml: string }).yaml;
}

async function runningHostname(request: APIRequestContext, id: string): Promise<string> {
  return /^\s*hostname: (\S+)$/m.exec(await runningConfig(request, id))![1]!;
}

/** Appends `suffix` to the node's hostname line by typing in the editor. */
async function editHostname(editor: ConfigEditorPage, suffix: string) {
  const line = await editor.lineOf(/^\s*hostname: /);
  await editor.cursorToLineEnd(line);
  await editor.page.keyboard.type(suffix);
  await expect(editor.status()).toContainText("Valid");
}

test.describe("config push", () => {
  test("edit → preflight → read the diff → apply → the node runs it → history → rollback restores it", async ({ page, request }) => {
    test.setTimeout(90_000);
    const shell = new ShellPage(page);
    const editor = new ConfigEditorPage(page);
    const push = new ConfigPushPage(page);
    const node = await workerNode(request, 2);
    const hostname = await runningHostname(request, node.id);

    await editor.goto(`?node=${encodeURIComponent(node.id)}`);
    await expect(push.panel()).toBeVisible();
    // Nothing to apply before a preflight.
    await expect(push.applyButton()).toBeDisabled();
    await expect(push.panel()).toContainText("Run a preflight on the node first.");

    // Edit 1, preflight it and read the diff: running config left, the edit right.
    await editHostname(editor, "-one");
    await push.preflight("No reboot");
    await expect(push.verdict(push.panel())).toContainText(`Preflight passed on ${node.label}`);
    await expect(push.effect(push.panel())).toHaveText(/applies now without a reboot/);
    const changes = await push.diffChanges();
    expect(changes.removed.map((l) => l.trim())).toContain(`hostname: ${hostname}`);
    expect(changes.added.map((l) => l.trim())).toContain(`hostname: ${hostname}-one`);
    // Secrets stay redacted on both sides of the diff.
    expect(changes.added.join("\n")).not.toMatch(/token: (?!'\*+')/);

    // Any edit makes the preflight stale and disables Apply until it runs again.
    await expect(push.applyButton()).toBeEnabled();
    await editor.editor().focus();
    await page.keyboard.press("End");
    await page.keyboard.type("x");
    await expect(push.applyButton()).toBeDisabled();
    await expect(push.panel()).toContainText("changed since the preflight");
    await page.keyboard.press("Backspace");
    await expect(editor.status()).toContainText("Valid");
    await push.preflight("No reboot");

    await push.apply(node.address);
    const first = await push.appliedRevision();
    // The editor now shows what the node runs, and it has the change.
    await expect.poll(() => editor.text()).toMatch(new RegExp(`hostname: ${hostname}-one$`, "m"));
    await expect(page.getByText("Edited, not applied")).toBeHidden();
    expect(await runningConfig(request, node.id)).toMatch(new RegExp(`hostname: ${hostname}-one$`, "m"));

    // Edit 2 on top, applied the same way.
    await editHostname(editor, "-two");
    await push.preflight("Auto");
    await push.apply(node.address);
    const second = await push.appliedRevision();
    expect(second).toBeGreaterThan(first);
    expect(await runningConfig(request, node.id)).toMatch(new RegExp(`hostname: ${hostname}-one-two$`, "m"));

    // History shows both revisions, and the diff between them by default.
    await push.panel().getByRole("link", { name: /^History of / }).click();
    await expect(page).toHaveURL(/\/config\/history\?node=/);
    await expect(push.revisionRow(second)).toContainText("Applied");
    await expect(push.revisionRow(first)).toBeVisible();
    await expect(page.getByRole("heading", { name: `Compare revision #${first} with revision #${second}` })).toBeVisible();
    const between = await push.diffChanges();
    expect(between.added.map((l) => l.trim())).toEqual([`hostname: ${hostname}-one-two`]);

    // Rollback to the first: preflight, read, confirm naming the node.
    await push.revisionRow(first).getByRole("button", { name: `Roll back to revision ${first}` }).click();
    const rollback = push.rollbackRegion();
    await expect(rollback).toBeVisible();
    await expect(rollback.getByRole("button", { name: `Roll back to #${first}…` })).toBeDisabled();
    await rollback.getByRole("button", { name: /^Run preflight on / }).click();
    await expect(push.verdict(rollback)).toContainText("Preflight passed");
    await rollback.getByRole("button", { name: `Roll back to #${first}…` }).click();
    await push.dialog().getByRole("button", { name: `Roll back ${node.address}` }).click();
    await expect(rollback.getByRole("status").filter({ hasText: `Rolled back ${node.label} to revision #${first}` })).toBeVisible({ timeout: 20_000 });

    expect(await runningConfig(request, node.id)).toMatch(new RegExp(`hostname: ${hostname}-one$`, "m"));
    // The rollback is a new revision on top, not a rewrite of history.
    const third = page.getByRole("row").filter({ hasText: `Rollback to #${first}` });
    await expect(third).toHaveCount(1);
    await expect(third).toContainText("Applied");
    expect(shell.consoleErrors).toEqual([]);
    expect(shell.failedRequests).toEqual([]);
  });

  test("Run preflight right after typing checks the text as typed", async ({ page, request }) => {
    const shell = new ShellPage(page);
    const editor = new ConfigEditorPage(page);
    const push = new ConfigPushPage(page);
    // A preflight is a dry run: the node stays as it is.
    const node = await workerNode(request, 2);
    const hostname = await runningHostname(request, node.id);

    await editor.goto(`?node=${encodeURIComponent(node.id)}`);
    await expect(editor.status()).toContainText("Valid");
    // The keys after the first reach the page once they pause or the editor loses focus, whichever
    // comes first: the click that follows them acts on all of them.
    await editHostname(editor, "-typed");
    await push.preflightButton().click();
    await expect(push.verdict(push.panel())).toContainText(`Preflight passed on ${node.label}`);
    const changes = await push.diffChanges();
    expect(changes.added.map((l) => l.trim())).toContain(`hostname: ${hostname}-typed`);
    expect(shell.consoleErrors).toEqual([]);
  });

  test("a TRY apply counts down and can be kept", async ({ page, request }) => {
    test.setTimeout(60_000);
    const editor = new ConfigEditorPage(page);
    const push = new ConfigPushPage(page);
    const node = await workerNode(request, 3);

    await editor.goto(`?node=${encodeURIComponent(node.id)}`);
    await editHostname(editor, "-try");
    await push.mode("Try").check();
    await expect(push.panel()).toContainText("then the node reverts by itself unless you keep it");
    await push.preflight("Try");
    await expect(push.effect(push.panel())).toHaveText(/then reverted unless kept/);
    await push.apply(node.address);

    const trial = push.tryRegion();
    await expect(trial).toBeVisible();
    const timer = trial.getByRole("timer", { name: "Time left before the node reverts" });
    await expect(timer).toHaveText(/^\d+:\d\d$/);
    const before = await timer.textContent();
    await expect(timer).not.toHaveText(before!);

    await trial.getByRole("button", { name: `Keep this config on ${node.address}` }).click();
    await expect(trial).toBeHidden({ timeout: 20_000 });
    expect(await runningConfig(request, node.id)).toMatch(/hostname: \S+-try$/m);

    await page.goto(`/config/history?node=${encodeURIComponent(node.id)}`);
    await expect(push.historyTable().getByRole("row").filter({ hasText: "Kept" })).toHaveCount(1);
  });

  test("a rollout preflights every node first, stops with per-node reasons, and runs once they all pass", async ({ page, request }) => {
    test.setTimeout(120_000);
    const editor = new ConfigEditorPage(page);
    const push = new ConfigPushPage(page);
    const a = await workerNode(request, 1);
    const b = await workerNode(request, 4);
    const sim = (await (await request.get("/api/sim")).json()) as { controlUrl: string | null };
    expect(sim.controlUrl).toBeTruthy();
    const fault = await request.post(`${sim.controlUrl}/faults`, { data: { node: b.address, fault: "reject-apply", message: "e2e: this node refuses configs" } });
    expect(fault.ok()).toBe(true);

    try {
      await editor.goto(`?node=${encodeURIComponent(a.id)}`);
      await editHostname(editor, "-fleet");
      await push.startRollout([a.address, b.address]);
      await expect(push.rolloutState()).toContainText("Preflight failed, nothing applied");
      await expect(push.resultRow(b.address)).toContainText("Preflight failed");
      await expect(push.resultRow(b.address)).toContainText("e2e: this node refuses configs");
      await expect(push.resultRow(a.address)).not.toContainText("Done");
      expect(await runningConfig(request, a.id)).not.toMatch(/-fleet$/m);
    } finally {
      await request.delete(`${sim.controlUrl}/faults?node=${encodeURIComponent(b.address)}`);
    }

    // The same manifest again, with every node willing: it runs to the end, node by node.
    await page.goBack();
    await editor.waitForEditor();
    await push.startRollout([a.address, b.address]);
    await expect(push.rolloutState()).toContainText("Done", { timeout: 60_000 });
    for (const n of [a, b]) {
      await expect(push.resultRow(n.address)).toContainText("Done");
      await expect(push.resultRow(n.address).getByRole("link", { name: /^#\d+$/ })).toBeVisible();
    }
    expect(await runningConfig(request, b.id)).toMatch(/hostname: \S+-fleet$/m);

    await page.getByRole("navigation", { name: "Config" }).getByRole("link", { name: "Rollouts" }).click();
    await expect(page.getByRole("table", { name: "Rollouts, newest first" }).getByRole("row")).toHaveCount(3);
  });
});
