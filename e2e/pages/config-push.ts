import { expect, type Locator, type Page } from "@playwright/test";

import type { Monaco } from "@/components/monaco/monaco-setup";

type MonacoWindow = { monaco?: Monaco };

/** The config page's push section (preflight → apply), the history page and the rollout pages. */
export class ConfigPushPage {
  constructor(readonly page: Page) {}

  /** The "Apply to <node>" card under the editor. */
  panel(): Locator {
    return this.page.getByRole("region", { name: /^Apply to / });
  }

  mode(name: "Auto" | "No reboot" | "Staged" | "Try" | "Reboot"): Locator {
    return this.panel().getByRole("radio", { name, exact: true });
  }

  preflightButton(): Locator {
    return this.panel().getByRole("button", { name: /^Run preflight on / });
  }

  applyButton(): Locator {
    return this.panel().getByRole("button", { name: /^Apply to .*…$/ });
  }

  verdict(scope: Locator = this.page.locator("body")): Locator {
    return scope.getByRole("status", { name: "Preflight verdict" });
  }

  effect(scope: Locator = this.page.locator("body")): Locator {
    return scope.getByTestId("preflight-effect");
  }

  diff(): Locator {
    return this.page.getByRole("region", { name: "Preflight diff" });
  }

  dialog(): Locator {
    return this.page.getByRole("dialog");
  }

  /** The lines Monaco's diff editor marks as changed: [removed (left), added (right)] texts. */
  async diffChanges(): Promise<{ removed: string[]; added: string[] }> {
    const read = () =>
      this.page.evaluate(() => {
        const editor = (window as MonacoWindow).monaco?.editor.getDiffEditors().at(-1);
        const original = editor?.getOriginalEditor().getModel();
        const modified = editor?.getModifiedEditor().getModel();
        const removed: string[] = [];
        const added: string[] = [];
        if (!editor || !original || !modified) return { removed, added };
        for (const c of editor.getLineChanges() ?? []) {
          for (let l = c.originalStartLineNumber; c.originalEndLineNumber > 0 && l <= c.originalEndLineNumber; l++) removed.push(original.getLineContent(l));
          for (let l = c.modifiedStartLineNumber; c.modifiedEndLineNumber > 0 && l <= c.modifiedEndLineNumber; l++) added.push(modified.getLineContent(l));
        }
        return { removed, added };
      });
    // Monaco computes line changes asynchronously and may still be on a previous model: the
    // answer is the first non-empty one that two reads in a row agree on.
    let result = { removed: [] as string[], added: [] as string[] };
    let previous = "";
    await expect
      .poll(async () => {
        result = await read();
        const key = JSON.stringify(result);
        const settled = key === previous && result.removed.length + result.added.length > 0;
        previous = key;
        return settled;
      }, { intervals: [100, 200, 250] })
      .toBe(true);
    return result;
  }

  /** The success line after an apply: "Applied to … as revision #N". */
  applied(): Locator {
    return this.panel().getByRole("status").filter({ hasText: /^Applied to / });
  }

  async appliedRevision(): Promise<number> {
    const text = (await this.applied().textContent()) ?? "";
    const m = /revision #(\d+)/.exec(text);
    expect(m, `no revision in "${text}"`).not.toBeNull();
    return Number(m![1]);
  }

  /** Preflight the editor's text in a mode, and wait for the node's verdict. */
  async preflight(mode: Parameters<ConfigPushPage["mode"]>[0] = "Auto") {
    await this.mode(mode).check();
    await expect(this.preflightButton()).toBeEnabled();
    await this.preflightButton().click();
    await expect(this.verdict(this.panel())).toContainText(/Preflight (passed|failed)/);
  }

  /** Apply (after a passing preflight) through the confirmation naming the node. */
  async apply(address: string) {
    await expect(this.applyButton()).toBeEnabled();
    await this.applyButton().click();
    await expect(this.dialog()).toBeVisible();
    await this.dialog().getByRole("button", { name: new RegExp(`^Apply (and reboot )?(to )?${address.replace(/\./g, "\\.")}$`) }).click();
    await expect(this.applied()).toBeVisible({ timeout: 20_000 });
  }

  // History page.

  historyTable(): Locator {
    return this.page.getByRole("table", { name: /^Revisions of / });
  }

  revisionRow(id: number): Locator {
    return this.historyTable().getByRole("row").filter({ has: this.page.getByRole("rowheader", { name: new RegExp(`^#${id}\\b`) }) });
  }

  rollbackRegion(): Locator {
    return this.page.getByRole("region", { name: /^Roll .* back to revision #\d+$/ });
  }

  // Rollouts.

  rolloutTab(): Locator {
    return this.page.getByRole("tab", { name: "Roll out to several nodes" });
  }

  rolloutForm(): Locator {
    return this.page.getByRole("tabpanel", { name: "Roll out to several nodes" });
  }

  /** Starts a rollout of the editor's text to the listed node addresses, through the confirmation. */
  async startRollout(addresses: string[]) {
    await this.rolloutTab().click();
    const form = this.rolloutForm();
    await form.getByRole("radio", { name: "Only the nodes I tick" }).check();
    for (const a of addresses) await form.getByRole("list", { name: "Nodes to include" }).getByRole("checkbox", { name: a, exact: true }).check();
    await form.getByRole("button", { name: "Preflight all and start the rollout…" }).click();
    await this.dialog().getByRole("button", { name: /^Start the rollout on / }).click();
    await expect(this.page).toHaveURL(/\/config\/rollouts\/[^/?]+$/, { timeout: 30_000 });
  }

  rolloutState(): Locator {
    return this.page.getByRole("heading", { level: 2, name: /^Rollout / }).locator("xpath=..");
  }

  resultsTable(): Locator {
    return this.page.getByRole("table", { name: "Per-node results" });
  }

  resultRow(address: string): Locator {
    return this.resultsTable().getByRole("row").filter({ has: this.page.getByRole("rowheader", { name: address, exact: true }) });
  }

  tryRegion(): Locator {
    return this.page.getByRole("region", { name: "Config on trial" });
  }
}
