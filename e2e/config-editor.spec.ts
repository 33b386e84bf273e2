import { expect, test, type APIRequestContext } from "@playwright/test";

import { ConfigEditorPage } from "./pages/config-editor";
import { ShellPage } from "./pages/shell";

/** The ID (`address@cluster`) of the simulated fleet's first worker node. */
async function workerNodeId(request: APIRequestContext): Promise<string> {
  const response = await request.get("/api/clusters");
  expect(response.ok()).toBe(true);
  const { clusters } = (await response.json()) as { clusters: { name: string; nodes: string[] }[] };
  const cluster = clusters[0]!;
  // The simulator lists its three control planes first.
  return `${cluster.nodes[3]}@${cluster.name}`;
}

test.describe("the manifest editor", () => {
  let nodeId: string;
  test.beforeEach(async ({ request }) => {
    nodeId = await workerNodeId(request);
  });

  test("opens a node's running config, redacted, without console errors", async ({ page }) => {
    const shell = new ShellPage(page);
    const editor = new ConfigEditorPage(page);
    await editor.goto(`?node=${encodeURIComponent(nodeId)}`);
    const [address, cluster] = nodeId.split("@");
    await expect(page.getByRole("heading", { level: 2, name: `Running config of ${address} (${cluster})` })).toBeVisible();
    await expect(page.getByText("Secrets redacted")).toBeVisible();
    expect(await editor.text()).toMatch(/^\s+type: worker$/m);
    // The redaction placeholders are not reported; the node's config has no errors.
    await expect(editor.status()).toContainText("0 errors");
    expect((await editor.markers()).filter((m) => m.severity === "error")).toEqual([]);
    expect(shell.consoleErrors).toEqual([]);
    expect(shell.failedRequests).toEqual([]);
  });

  test("the status bar follows the cursor, and its changing texts are laid out on their own", async ({ page }) => {
    const editor = new ConfigEditorPage(page);
    await editor.goto(`?node=${encodeURIComponent(nodeId)}`);
    const line = await editor.lineOf(/^\s+type: worker$/);
    const column = (await editor.text()).split("\n")[line - 1]!.length + 1;
    await editor.cursorToLineEnd(line);
    const position = page.getByText(/^Ln \d+, Col \d+$/);
    await expect(position).toHaveText(`Ln ${line}, Col ${column}`);
    for (let i = 0; i < 3; i++) await page.keyboard.press("ArrowLeft");
    await expect(position).toHaveText(`Ln ${line}, Col ${column - 3}`);

    // Both change while the operator types. A `contain: strict` box is laid out alone, but only
    // outside a flex container: Blink lays out a flex item with its whole flexbox, up the page.
    for (const box of [position, page.locator("[data-validation-ms]")]) {
      const styles = await box.evaluate((el) => [getComputedStyle(el).contain, getComputedStyle(el.parentElement!).display, getComputedStyle(el.parentElement!.parentElement!).display]);
      expect(styles).toEqual(["strict", "block", "flex"]);
    }
  });

  test("/config with no node opens a control-plane template, and a worker one on request", async ({ page }) => {
    const shell = new ShellPage(page);
    const editor = new ConfigEditorPage(page);
    await editor.goto();
    await expect(page.getByRole("heading", { level: 2, name: "New controlplane config (template)" })).toBeVisible();
    expect(await editor.text()).toMatch(/^\s+type: controlplane$/m);
    await expect(editor.status()).toContainText("0 errors");

    await page.getByRole("combobox", { name: "Template role" }).selectOption("worker");
    await page.getByRole("button", { name: "New from template" }).click();
    await expect(page).toHaveURL(/\/config\?template=worker$/);
    await expect(page.getByRole("heading", { level: 2, name: "New worker config (template)" })).toBeVisible();
    // A template is generated with fresh key material: seconds on a busy two-core machine.
    await expect.poll(() => editor.text(), { timeout: 30_000 }).toMatch(/^\s+type: worker$/m);

    // Another version contract: gen config's 1.12 layout (an empty machine.network, gone in 1.13+).
    await page.getByRole("combobox", { name: "Template Talos version" }).selectOption("1.12");
    await page.getByRole("button", { name: "New from template" }).click();
    await expect(page).toHaveURL(/\/config\?template=worker&version=1\.12$/);
    await expect(page.getByRole("heading", { level: 2, name: "New worker config (template, Talos 1.12)" })).toBeVisible();
    await expect.poll(() => editor.text(), { timeout: 30_000 }).toMatch(/^ {4}network: \{\}$/m);
    await expect(editor.status()).toContainText("0 errors");
    expect(shell.consoleErrors).toEqual([]);
    expect(shell.failedRequests).toEqual([]);
  });

  test("an invalid value gets an error marker at its line within a second; fixing it removes the marker", async ({ page }) => {
    const editor = new ConfigEditorPage(page);
    await editor.goto(`?node=${encodeURIComponent(nodeId)}`);
    const line = await editor.lineOf(/^\s+type: worker$/);

    await editor.retypeValue(line, "worker", "wroker");
    const typed = Date.now();
    // The marker for the final text: a validation of a half-typed value ("worke") may land first
    // on a busy machine, and its marker sits on the same line.
    await expect
      .poll(async () => (await editor.markers()).filter((m) => m.severity === "error" && m.message.includes("wroker")).map((m) => m.line), { timeout: 1_000 })
      .toContain(line);
    expect(Date.now() - typed).toBeLessThan(1_000);
    const marker = (await editor.markers()).find((m) => m.line === line && m.severity === "error")!;
    expect(marker.message).toContain("wroker");
    expect(marker.column).toBe((await editor.text()).split("\n")[line - 1]!.indexOf("wroker") + 1);
    await expect(editor.status()).toContainText("Invalid");
    await expect(editor.status()).toContainText("1 error");

    // The problems list names it, as an error in words and not only in colour; a click jumps to it.
    const problem = editor.problems().getByRole("button", { name: /Error.*wroker/ });
    await expect(problem).toContainText(`Ln ${line}, Col ${marker.column}`);
    await editor.cursorToLineEnd(1);
    await problem.click();
    await expect
      .poll(() => page.evaluate(() => (window as unknown as { monaco: typeof import("@/components/monaco/monaco-setup").monaco }).monaco.editor.getEditors()[0]!.getPosition()!.lineNumber))
      .toBe(line);

    await editor.retypeValue(line, "wroker", "worker");
    const fixed = Date.now();
    await expect
      .poll(async () => (await editor.markers()).filter((m) => m.severity === "error").length, { timeout: 1_000 })
      .toBe(0);
    expect(Date.now() - fixed).toBeLessThan(1_000);
    await expect(editor.status()).toContainText("Valid");
    await expect(editor.problems().getByRole("button", { name: /wroker/ })).toHaveCount(0);
  });

  test("hovering a key shows the field's documentation", async ({ page }) => {
    const editor = new ConfigEditorPage(page);
    await editor.goto(`?node=${encodeURIComponent(nodeId)}`);
    const line = await editor.lineOf(/^\s+type: worker$/);
    const column = (await editor.text()).split("\n")[line - 1]!.indexOf("type") + 2;
    await editor.hoverAt(line, column);
    await expect(editor.hoverTooltip().filter({ hasText: "Role of the node" })).toBeVisible();
  });

  test("completion offers controlplane and worker for machine.type", async ({ page }) => {
    const editor = new ConfigEditorPage(page);
    await editor.goto(`?node=${encodeURIComponent(nodeId)}`);
    const line = await editor.lineOf(/^\s+type: worker$/);
    await editor.retypeValue(line, "worker", "");
    await page.keyboard.press("Control+Space");
    const list = editor.suggestions();
    await expect(list.getByRole("option", { name: /^controlplane/ })).toBeVisible();
    await expect(list.getByRole("option", { name: /^worker/ })).toBeVisible();
  });

  test("the Talos version selector, Ctrl+S and the plain-text editor", async ({ page }) => {
    const editor = new ConfigEditorPage(page);
    await editor.goto(`?node=${encodeURIComponent(nodeId)}`);
    await expect(editor.talosVersion()).toHaveValue(/^1\.\d+$/);
    await editor.talosVersion().selectOption("1.10");
    await expect(editor.talosVersion()).toHaveValue("1.10");
    await expect(editor.status()).toContainText(/Valid|Invalid/);

    // Ctrl+S validates at once instead of opening the browser's save dialog.
    await editor.editor().focus();
    await page.keyboard.press("ControlOrMeta+s");
    await expect(editor.status()).toContainText(/Valid|Invalid/);

    await page.getByRole("button", { name: "Plain text" }).click();
    await expect(page.getByRole("button", { name: "Plain text" })).toHaveAttribute("aria-pressed", "true");
    const plain = page.getByRole("textbox", { name: /^Machine config/ });
    await expect(plain).toHaveValue(/type: worker/);
    const text = await plain.inputValue();
    await plain.fill(text.replace(/type: worker/, "type: nobody"));
    await expect(editor.problems().getByRole("button", { name: /Error.*nobody/ })).toBeVisible();
    await editor.problems().getByRole("button", { name: /Error.*nobody/ }).click();
    await expect(plain).toBeFocused();
    expect(await plain.evaluate((el: HTMLTextAreaElement) => el.value.slice(el.selectionStart, el.selectionEnd))).toBe("nobody");
    await page.getByRole("button", { name: "Plain text" }).click();
    await expect(page.getByRole("button", { name: "Plain text" })).toHaveAttribute("aria-pressed", "false");
  });

  test("edits survive a reload, and opening another source asks first", async ({ page }) => {
    const editor = new ConfigEditorPage(page);
    await editor.goto(`?node=${encodeURIComponent(nodeId)}`);
    const line = await editor.lineOf(/^\s+type: worker$/);
    await editor.cursorToLineEnd(line);
    await page.keyboard.type("  # edited by e2e");
    await expect(page.getByText("Edited, not applied")).toBeVisible();

    await page.reload();
    await editor.waitForEditor();
    expect(await editor.text()).toContain("# edited by e2e");
    await expect(page.getByText("Restored from this tab")).toBeVisible();

    await page.getByRole("button", { name: "New from template" }).click();
    const dialog = page.getByRole("alertdialog", { name: /Replace your edited config/ });
    await expect(dialog).toBeVisible();
    await dialog.getByRole("button", { name: "Keep editing" }).click();
    await expect(dialog).toBeHidden();
    expect(await editor.text()).toContain("# edited by e2e");

    await page.getByRole("button", { name: "Discard edits" }).click();
    await expect(page.getByText("Edited, not applied")).toBeHidden();
    expect(await editor.text()).not.toContain("# edited by e2e");
  });
});
