import { expect, test, type Page } from "@playwright/test";

import type { Monaco } from "@/components/monaco/monaco-setup";

import { ConfigEditorPage } from "./pages/config-editor";
import { ShellPage } from "./pages/shell";

type MonacoWindow = { monaco?: Monaco };

/** Replaces the editor's text as a paste does: one edit through the editor, so undo works. */
async function paste(page: Page, text: string) {
  await page.evaluate((text) => {
    const editor = (window as MonacoWindow).monaco!.editor.getEditors()[0]!;
    const model = editor.getModel()!;
    editor.pushUndoStop();
    editor.executeEdits("paste", [{ range: model.getFullModelRange(), text }]);
    editor.pushUndoStop();
  }, text);
}

/** A 1.14 config with a deprecated `machine.sysctls`: the template, with the field added to its v1alpha1 document. */
async function configWithDeprecatedSysctls(editor: ConfigEditorPage): Promise<string> {
  await expect.poll(() => editor.text(), { timeout: 30_000 }).toMatch(/^machine:$/m);
  const text = await editor.text();
  expect(text).not.toMatch(/^\s+sysctls:/m);
  return text.replace(/^machine:\n/m, 'machine:\n    sysctls:\n        vm.nr_hugepages: "1024"\n');
}

test.describe("migration to the 1.14 layout in the editor", () => {
  test("a deprecation warning offers a quick fix that moves the field (Ctrl+.), undoable", async ({ page }, info) => {
    const shell = new ShellPage(page);
    const editor = new ConfigEditorPage(page);
    await editor.goto();
    await editor.talosVersion().selectOption("1.14");
    await paste(page, await configWithDeprecatedSysctls(editor));

    const line = await editor.lineOf(/^\s+sysctls:$/);
    await expect
      .poll(async () => (await editor.markers()).filter((m) => m.severity === "warning" && m.line === line && /`sysctls` is deprecated/.test(m.message)).length)
      .toBe(1);

    // The quick fix menu at the warning: cursor on the key, then Ctrl+.
    await editor.cursorToLineEnd(line);
    await page.keyboard.press("Control+.");
    const action = page.getByRole("option", { name: /Move to SysctlConfig/ });
    await expect(action).toBeVisible();
    await page.screenshot({ path: info.outputPath("quick-fix-menu.png") });
    // The whole title is visible, not cut by the menu's width.
    const [titleWidth, rowWidth] = await action.locator(".title").evaluate((el) => [el.scrollWidth, el.clientWidth]);
    expect(titleWidth).toBeLessThanOrEqual(rowWidth);
    await page.keyboard.press("Enter");

    await expect.poll(() => editor.text()).toMatch(/^kind: SysctlConfig$/m);
    const fixed = await editor.text();
    expect(fixed).not.toMatch(/^\s+sysctls:$/m);
    expect(fixed).toMatch(/^kind: SysctlConfig\nparams:\n {4}vm\.nr_hugepages: "1024"$/m);
    await expect.poll(async () => (await editor.markers()).filter((m) => /`sysctls` is deprecated/.test(m.message)).length).toBe(0);
    expect((await editor.markers()).filter((m) => m.severity === "error")).toEqual([]);

    // One undo step brings the field back.
    await editor.editor().focus();
    await page.keyboard.press("ControlOrMeta+z");
    await expect.poll(() => editor.text()).toMatch(/^\s+sysctls:$/m);
    expect(await editor.text()).not.toMatch(/^kind: SysctlConfig$/m);
    expect(shell.consoleErrors).toEqual([]);
  });

  test("'Migrate to 1.14' moves the deprecated fields and says what it left", async ({ page }, info) => {
    const editor = new ConfigEditorPage(page);
    await editor.goto();
    await editor.talosVersion().selectOption("1.14");
    const text = await configWithDeprecatedSysctls(editor);
    // machine.disks has no 1:1 document: the migration leaves it and says so.
    await paste(page, text.replace(/^machine:\n/m, "machine:\n    disks:\n        - device: /dev/sdb\n          partitions:\n              - mountpoint: /var/mnt/extra\n"));
    await expect.poll(async () => (await editor.markers()).filter((m) => /`disks` is deprecated/.test(m.message)).length).toBe(1);

    await page.getByRole("button", { name: "Migrate to 1.14" }).click();
    const report = page.getByRole("status", { name: "Migration result" });
    await expect(report).toContainText(/Moved \d+ settings? to the 1\.14 layout\. 1 left as it was: it needs your decision/);
    await expect(report).toContainText("machine.disks");
    await expect.poll(() => editor.text()).toMatch(/^kind: SysctlConfig$/m);
    await expect
      .poll(async () => (await editor.markers()).filter((m) => /deprecated/.test(m.message)).map((m) => m.message))
      .toEqual([expect.stringContaining("`disks` is deprecated")]);
    expect((await editor.markers()).filter((m) => m.severity === "error")).toEqual([]);
    await page.screenshot({ path: info.outputPath("migrate-result.png") });
  });

  test("from a 1.13 check: the workspace keeps the migrated text and checks it against 1.14", async ({ page }) => {
    const editor = new ConfigEditorPage(page);
    await editor.goto();
    const text = await configWithDeprecatedSysctls(editor);
    await editor.talosVersion().selectOption("1.13");
    await paste(page, text);
    await page.getByRole("button", { name: "Migrate to 1.14" }).click();
    await expect.poll(() => editor.text()).toMatch(/^kind: SysctlConfig$/m);
    await expect(editor.talosVersion()).toHaveValue("1.14");
    // The plain editor shows the workspace's own text: the migrated one, not the text from before.
    await page.getByRole("button", { name: "Plain text" }).click();
    const plain = page.getByRole("textbox", { name: /^Machine config/ });
    await expect(plain).toHaveValue(/^kind: SysctlConfig$/m);
    await expect(plain).not.toHaveValue(/^\s+sysctls:$/m);
  });
});
