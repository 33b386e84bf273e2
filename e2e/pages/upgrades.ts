import { expect, type Page } from "@playwright/test";

/** The Upgrades page (form, preview, history) and an upgrade's live view. */
export class UpgradesPage {
  constructor(readonly page: Page) {}

  async goto() {
    return this.page.goto("/upgrades");
  }

  form() {
    return this.page.getByRole("form", { name: "Upgrade" });
  }

  cluster() {
    return this.form().getByLabel("Cluster", { exact: true });
  }

  version() {
    return this.form().getByLabel("Target version");
  }

  image() {
    return this.form().getByLabel("Image", { exact: true });
  }

  workersAtOnce() {
    return this.form().getByLabel("Workers at once");
  }

  everyNode() {
    return this.form().getByLabel(/^Every node of the cluster/);
  }

  nodeChoice(address: string) {
    return this.form().getByRole("group", { name: "Nodes to upgrade" }).getByRole("checkbox", { name: address, exact: true });
  }

  drainTimeout() {
    return this.form().getByLabel("Drain timeout (seconds)");
  }

  drainOnTimeout() {
    return this.form().getByLabel("When pods will not move in time");
  }

  /** A node row's blocked drain: the pods in the way and the Retry / Force / Skip buttons. */
  blockedDrain(hostname: string) {
    return this.page.getByRole("group", { name: `Blocked drain of ${hostname}` });
  }

  async previewPlan() {
    await this.form().getByRole("button", { name: "Preview plan" }).click();
    await expect(this.preview()).toBeVisible();
  }

  preview() {
    return this.page.getByRole("region", { name: "Plan preview" });
  }

  batches() {
    return this.preview().getByRole("region", { name: "Order" }).getByRole("listitem");
  }

  checks() {
    return this.preview().getByRole("region", { name: "Checks" }).getByRole("listitem");
  }

  async start() {
    await this.preview().getByRole("button", { name: "Start upgrade" }).click();
    await expect(this.page).toHaveURL(/\/upgrades\/[0-9a-f-]{36}$/);
  }

  progress() {
    return this.page.getByRole("progressbar", { name: "Upgrade progress" });
  }

  nodeRows() {
    return this.page.getByRole("table", { name: "Nodes" }).getByRole("row").filter({ hasNot: this.page.getByRole("columnheader") });
  }

  nodeRow(hostname: string) {
    return this.page.getByRole("table", { name: "Nodes" }).getByRole("row", { name: hostname });
  }

  history() {
    return this.page.getByRole("table", { name: "Upgrade history" });
  }
}
