import { expect, type Locator, type Page } from "@playwright/test";

import type { Monaco } from "@/components/monaco/monaco-setup";

type MonacoWindow = { monaco?: Monaco };

export interface ManifestMarker {
  line: number;
  endLine: number;
  severity: "error" | "warning" | "info";
  message: string;
}

/** The cluster page (/clusters/<id>): adoption, the manifest editor, plan and apply, history, drift. */
export class ManifestPage {
  constructor(
    readonly page: Page,
    readonly cluster: string,
  ) {}

  async goto() {
    const response = await this.page.goto(`/clusters/${encodeURIComponent(this.cluster)}`);
    await expect(this.page.getByRole("heading", { level: 1, name: `Cluster ${this.cluster}` })).toBeVisible();
    return response;
  }

  adoptButton(): Locator {
    return this.page.getByRole("button", { name: "Adopt from running nodes" });
  }

  adoptionReport(): Locator {
    return this.page.getByRole("region", { name: "Adoption report" });
  }

  editor(): Locator {
    return this.page.getByRole("textbox", { name: `Manifest of ${this.cluster}` });
  }

  check(): Locator {
    return this.page.getByRole("status", { name: "Manifest check" });
  }

  tab(name: "Manifest" | "History" | "Drift"): Locator {
    return this.page.getByRole("tab", { name });
  }

  button(name: string | RegExp): Locator {
    return this.page.getByRole("button", { name, exact: typeof name === "string" });
  }

  planTable(): Locator {
    return this.page.getByRole("table", { name: "Plan per node" });
  }

  planRow(hostname: string): Locator {
    return this.planTable().locator(`tr[data-node="${hostname}"]`);
  }

  planCount(kind: "update" | "reboot" | "none" | "refused" | "unreachable"): Locator {
    return this.page.getByTestId(`plan-count-${kind}`);
  }

  dialog(): Locator {
    return this.page.getByRole("dialog");
  }

  revisionsTable(): Locator {
    return this.page.getByRole("table", { name: `Revisions of ${this.cluster}'s manifest` });
  }

  driftRow(hostname: string): Locator {
    return this.page.getByRole("table", { name: `Drift of ${this.cluster}` }).locator(`tr[data-node="${hostname}"]`);
  }

  /** Monaco holds the manifest model and the server has checked it at least once. */
  async waitForEditor() {
    await expect.poll(() => this.text(), { timeout: 30_000 }).toContain("nodes:");
    await expect(this.check()).toContainText(/Valid|problem/, { timeout: 30_000 });
  }

  private model() {
    return `manifest/${encodeURIComponent(this.cluster)}.manifest.yaml`;
  }

  text(): Promise<string> {
    return this.page.evaluate((path) => (window as MonacoWindow).monaco?.editor.getModels().find((m) => m.uri.path.endsWith(path))?.getValue() ?? "", this.model());
  }

  /** Inserts text before a 1-based line, as one edit (a paste): typing would fight auto-indent. */
  async insertBefore(line: number, text: string) {
    await this.page.evaluate(
      ({ line, text }) => {
        const editor = (window as MonacoWindow).monaco!.editor.getEditors().find((e) => e.getModel()?.uri.path.includes(".manifest.yaml"))!;
        editor.executeEdits("e2e", [{ range: { startLineNumber: line, startColumn: 1, endLineNumber: line, endColumn: 1 }, text }]);
      },
      { line, text },
    );
  }

  /** 1-based line of the first line matching `pattern`, or 0. */
  async lineOf(pattern: RegExp): Promise<number> {
    return (await this.text()).split("\n").findIndex((l) => pattern.test(l)) + 1;
  }

  /** Adds a shared patch (name, selector, patch lines) at the head of `patches:` (or creates the list). */
  async addPatch(name: string, selector: string, patch: string[]) {
    const block = [`  - name: ${name}`, `    selector: ${selector}`, "    patch: |", ...patch.map((l) => `      ${l}`)].join("\n") + "\n";
    const patches = await this.lineOf(/^patches:\s*$/);
    if (patches > 0) await this.insertBefore(patches + 1, block);
    else await this.insertBefore(await this.lineOf(/^nodes:/), `patches:\n${block}`);
  }

  /** The server's markers (owner minos-manifest). */
  markers(): Promise<ManifestMarker[]> {
    return this.page.evaluate(() => {
      const monaco = (window as MonacoWindow).monaco!;
      return monaco.editor.getModelMarkers({ owner: "minos-manifest" }).map((m) => ({
        line: m.startLineNumber,
        endLine: m.endLineNumber,
        severity: m.severity === monaco.MarkerSeverity.Error ? ("error" as const) : m.severity === monaco.MarkerSeverity.Warning ? ("warning" as const) : ("info" as const),
        message: m.message,
      }));
    });
  }

  async plan() {
    await this.button("Plan").click();
    await expect(this.planTable()).toBeVisible({ timeout: 60_000 });
  }
}
