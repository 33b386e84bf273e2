import { expect, type Page } from "@playwright/test";

/** The alert pages: the alerts list, channels, the delivery log, and the header's bell. */
export class AlertsPage {
  constructor(readonly page: Page) {}

  /** The header's bell; its name says how many fire ("Alerts: 2 firing, 1 critical"). */
  bell() {
    return this.page.getByRole("banner").getByRole("link", { name: /^Alerts: / });
  }

  async gotoAlerts(query = "") {
    await this.page.goto(`/alerts${query}`);
    await expect(this.page.getByRole("heading", { level: 1, name: "Alerts" })).toBeVisible();
  }

  activeTable() {
    return this.page.getByRole("table", { name: "Active alerts" });
  }

  async gotoChannels() {
    await this.page.goto("/alerts/channels");
    await expect(this.page.getByRole("heading", { level: 1, name: "Alert channels" })).toBeVisible();
  }

  channel(name: string) {
    return this.page.getByRole("article", { name: `Channel ${name}` });
  }

  /** Creates a webhook channel through the form; returns the signing secret Minos generated (shown once). */
  async createWebhook(name: string, url: string): Promise<string> {
    await this.page.getByRole("button", { name: "New channel" }).click();
    const form = this.page.getByRole("form", { name: "New channel" });
    await form.getByLabel("Type").selectOption("webhook");
    await form.getByLabel(/^Name/).fill(name);
    await form.getByLabel(/^URL/).fill(url);
    await form.getByRole("button", { name: "Create channel" }).click();
    const secret = this.page.getByRole("region", { name: `Signing secret of ${name}` });
    await expect(secret).toBeVisible();
    const value = (await secret.getByTestId("secret-value").textContent())!.trim();
    await secret.getByRole("button", { name: "Done" }).click();
    await expect(this.channel(name)).toBeVisible();
    return value;
  }

  async gotoDeliveries(query = "") {
    await this.page.goto(`/alerts/deliveries${query}`);
    await expect(this.page.getByRole("heading", { level: 1, name: "Alert delivery log" })).toBeVisible();
  }

  deliveryRows() {
    return this.page.getByRole("table", { name: "Deliveries" }).locator("tbody").getByRole("row");
  }
}
