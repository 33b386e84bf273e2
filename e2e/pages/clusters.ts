import { expect, type Page } from "@playwright/test";

/** The Clusters page: the managed clusters table and the talosconfig upload form. */
export class ClustersPage {
  constructor(readonly page: Page) {}

  async goto() {
    await this.page.goto("/clusters");
    await expect(this.page.getByRole("heading", { level: 1 })).toHaveText("Clusters");
  }

  table() {
    return this.page.getByRole("table", { name: "Clusters" });
  }

  row(name: string) {
    return this.table().getByRole("row", { name: `Cluster ${name}` });
  }

  form() {
    return this.page.getByRole("form", { name: "Add clusters from a talosconfig" });
  }

  /** Picks a talosconfig file (as from disk) and submits it. */
  async uploadFile(name: string, content: string, label?: string) {
    await this.form().getByLabel("Talosconfig file").setInputFiles({ name, mimeType: "application/yaml", buffer: Buffer.from(content) });
    await expect(this.form().getByLabel("Or paste it")).toHaveValue(content);
    if (label !== undefined) await this.form().getByLabel("Label (optional)").fill(label);
    await this.form().getByRole("button", { name: "Add clusters" }).click();
  }

  /** Pastes a talosconfig and submits it. */
  async paste(content: string) {
    await this.form().getByLabel("Or paste it").fill(content);
    await this.form().getByRole("button", { name: "Add clusters" }).click();
  }

  formError() {
    return this.form().getByRole("alert");
  }

  status() {
    return this.page.getByRole("status").filter({ hasText: /^(Added|Removed)/ });
  }

  /** Remove, then confirm. */
  async remove(name: string) {
    await this.row(name).getByRole("button", { name: `Remove ${name}` }).click();
    const confirm = this.row(name).getByRole("group", { name: `Confirm removing ${name}` });
    await expect(confirm).toContainText(`Stop managing ${name}?`);
    await confirm.getByRole("button", { name: "Remove", exact: true }).click();
  }

  clusterSelector() {
    return this.page.getByRole("combobox", { name: "Cluster" });
  }
}
