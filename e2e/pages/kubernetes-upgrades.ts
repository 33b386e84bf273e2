import { expect, type Page } from "@playwright/test";

/** The Kubernetes upgrades page (form, preview, history) and one upgrade's live view. */
export class KubernetesUpgradesPage {
  constructor(readonly page: Page) {}

  async goto() {
    return this.page.goto("/kubernetes-upgrades");
  }

  form() {
    return this.page.getByRole("form", { name: "Kubernetes upgrade" });
  }

  cluster() {
    return this.form().getByLabel("Cluster", { exact: true });
  }

  version() {
    return this.form().getByLabel("Target Kubernetes version");
  }

  async previewPlan() {
    await this.form().getByRole("button", { name: "Preview" }).click();
    await expect(this.preview()).toBeVisible();
  }

  preview() {
    return this.page.getByRole("region", { name: "Kubernetes upgrade preview" });
  }

  checks() {
    return this.preview().getByRole("list", { name: "Checks" }).getByRole("listitem");
  }

  steps() {
    return this.preview().getByRole("list", { name: "Steps" }).getByRole("listitem");
  }

  async start() {
    await this.preview().getByRole("button", { name: "Start the Kubernetes upgrade" }).click();
    await expect(this.page).toHaveURL(/\/kubernetes-upgrades\/[0-9a-f-]{36}$/);
  }

  progress() {
    return this.page.getByRole("progressbar", { name: "Kubernetes upgrade progress" });
  }

  stepRows() {
    return this.page.getByRole("table", { name: "Steps" }).getByRole("row").filter({ hasNot: this.page.getByRole("columnheader") });
  }

  history() {
    return this.page.getByRole("table", { name: "Kubernetes upgrade history" });
  }
}
