import { expect, type Page } from "@playwright/test";

import type { Monaco } from "@/components/monaco/monaco-setup";

export interface EditorMarker {
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  severity: "error" | "warning" | "info";
  message: string;
}

type MonacoWindow = { monaco?: Monaco };

/** The Config page: the manifest editor, its problems list and status bar. */
export class ConfigEditorPage {
  constructor(readonly page: Page) {}

  async goto(query = "") {
    const response = await this.page.goto(`/config${query}`);
    await this.waitForEditor();
    return response;
  }

  /** Monaco's input, named after the config it edits. */
  editor() {
    return this.page.getByRole("textbox", { name: /^Machine config/ });
  }

  problems() {
    return this.page.getByRole("list", { name: "Problems" });
  }

  status() {
    return this.page.getByRole("status", { name: "Validation status" });
  }

  talosVersion() {
    return this.page.getByRole("combobox", { name: "Talos version", exact: true });
  }

  nodePicker() {
    return this.page.getByRole("combobox", { name: "Node" });
  }

  /** Monaco has loaded, holds a model, and lib/config has validated it at least once. */
  async waitForEditor() {
    // Monaco's first load parses a few MB of script: on a busy two-core machine that alone can
    // take longer than the default 10 s.
    await expect.poll(() => this.page.evaluate(() => (window as MonacoWindow).monaco?.editor.getModels().length ?? 0), { timeout: 30_000 }).toBeGreaterThan(0);
    await expect(this.editor()).toBeAttached();
    await expect(this.status()).toContainText(/Valid|Invalid/);
  }

  /** The editor's text; empty while no editor is mounted (e.g. another source is loading). */
  text(): Promise<string> {
    return this.page.evaluate(() => (window as MonacoWindow).monaco?.editor.getModels()[0]?.getValue() ?? "");
  }

  /** 1-based line of the first line matching `pattern`. */
  async lineOf(pattern: RegExp): Promise<number> {
    const lines = (await this.text()).split("\n");
    const index = lines.findIndex((l) => pattern.test(l));
    expect(index, `no line matches ${pattern}`).toBeGreaterThanOrEqual(0);
    return index + 1;
  }

  /** lib/config's markers (owner "minos"), as Monaco holds them. */
  markers(): Promise<EditorMarker[]> {
    return this.page.evaluate(() => {
      const monaco = (window as MonacoWindow).monaco!;
      return monaco.editor.getModelMarkers({ owner: "minos" }).map((m) => ({
        line: m.startLineNumber,
        column: m.startColumn,
        endLine: m.endLineNumber,
        endColumn: m.endColumn,
        severity: m.severity === monaco.MarkerSeverity.Error ? ("error" as const) : m.severity === monaco.MarkerSeverity.Warning ? ("warning" as const) : ("info" as const),
        message: m.message,
      }));
    });
  }

  /** Puts the cursor at the end of a line with the keyboard only. */
  async cursorToLineEnd(line: number) {
    await this.editor().focus();
    await this.page.keyboard.press("ControlOrMeta+Home");
    for (let i = 1; i < line; i++) await this.page.keyboard.press("ArrowDown");
    await this.page.keyboard.press("End");
  }

  /** Replaces the value after `key: ` on a line by typing. */
  async retypeValue(line: number, oldValue: string, newValue: string) {
    await this.cursorToLineEnd(line);
    for (let i = 0; i < oldValue.length; i++) await this.page.keyboard.press("Backspace");
    await this.page.keyboard.type(newValue);
  }

  /** Moves the mouse over a character of the editor. */
  async hoverAt(line: number, column: number) {
    const point = await this.page.evaluate(
      ({ line, column }) => {
        const editor = (window as MonacoWindow).monaco!.editor.getEditors()[0]!;
        editor.revealLineInCenter(line);
        const pos = editor.getScrolledVisiblePosition({ lineNumber: line, column })!;
        const box = editor.getDomNode()!.getBoundingClientRect();
        return { x: box.left + pos.left + 3, y: box.top + pos.top + pos.height / 2 };
      },
      { line, column },
    );
    await this.page.mouse.move(point.x, point.y);
  }

  hoverTooltip() {
    return this.page.getByRole("tooltip");
  }

  suggestions() {
    return this.page.getByRole("listbox");
  }
}
