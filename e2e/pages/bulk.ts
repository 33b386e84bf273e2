import { expect, type Locator } from "@playwright/test";

import { NodesPage } from "./fleet";

/** The Nodes table's selection bar and bulk dialog, and a bulk run's progress page. */
export class BulkPage extends NodesPage {
  bar(): Locator {
    return this.page.getByRole("region", { name: "Bulk actions" });
  }

  rowCheckbox(hostname: string): Locator {
    return this.table().getByRole("checkbox", { name: `Select ${hostname}`, exact: true });
  }

  selectAllShown(): Locator {
    return this.table().getByRole("checkbox", { name: "Select every node shown" });
  }

  actionButton(label: string): Locator {
    return this.bar().getByRole("button", { name: `${label}…`, exact: true });
  }

  dialog(title: RegExp): Locator {
    return this.page.getByRole("dialog", { name: title });
  }

  /** The plan in the dialog: the nodes in the order they go. */
  planNodes(dialog: Locator): Locator {
    return dialog.getByRole("list", { name: "Nodes in order" }).getByRole("listitem");
  }

  async openRun(id: string) {
    return this.goto(`/bulk/${encodeURIComponent(id)}`);
  }

  runNodes(): Locator {
    return this.page.getByRole("table", { name: "Nodes of the bulk run" });
  }

  async expectRunDone(timeout: number) {
    await expect(this.page.getByText("Done", { exact: true }).first()).toBeVisible({ timeout });
  }
}
