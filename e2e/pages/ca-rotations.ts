import { expect, type Page } from "@playwright/test";

/** The CA rotations page: the wizard (cluster and CAs, dry run, start) and the history. */
export class CaRotationsPage {
  constructor(readonly page: Page) {}

  async goto() {
    return this.page.goto("/ca-rotations");
  }

  form() {
    return this.page.getByRole("form", { name: "CA rotation" });
  }

  cluster() {
    return this.form().getByLabel("Cluster", { exact: true });
  }

  talos() {
    return this.form().getByRole("checkbox", { name: /Talos API CA/ });
  }

  kubernetes() {
    return this.form().getByRole("checkbox", { name: /Kubernetes API CA/ });
  }

  async dryRun() {
    await this.form().getByRole("button", { name: "Dry run" }).click();
    await expect(this.result()).toBeVisible();
  }

  result() {
    return this.page.getByRole("region", { name: "CA rotation dry run" });
  }

  steps() {
    return this.result().getByRole("table", { name: "Steps" }).getByRole("row");
  }

  confirm() {
    return this.result().getByLabel("Type the cluster's name to start");
  }

  startButton() {
    return this.result().getByRole("button", { name: "Start the rotation" });
  }
}
