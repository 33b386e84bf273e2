import { expect, type Page } from "@playwright/test";

/** The Certificates page: tier cards, filters, the expiry timeline and the inventory table. */
export class CertificatesPage {
  constructor(readonly page: Page) {}

  async goto(query = "") {
    const response = await this.page.goto(`/certificates${query}`);
    await expect(this.page.getByRole("heading", { level: 1, name: "Certificates" })).toBeVisible();
    return response;
  }

  table() {
    return this.page.getByRole("table", { name: "Certificates, most urgent first" });
  }

  /** Body rows only. */
  rows() {
    return this.table().locator("tbody").getByRole("row");
  }

  /** The rows whose Certificate cell starts with this purpose, e.g. "Talos API server (apid)". */
  rowsFor(purpose: string) {
    return this.rows().filter({ has: this.page.getByRole("cell", { name: new RegExp(`^${purpose.replace(/[()]/g, "\\$&")}`) }) });
  }

  tierCard(label: "Critical" | "Warning" | "Notice" | "OK") {
    return this.page.getByRole("group", { name: "Certificates per tier" }).getByRole("button", { name: new RegExp(`^\\d+ ${label} ·`) });
  }

  kindFilter() {
    return this.page.getByRole("combobox", { name: "Kind" });
  }

  tierFilter() {
    return this.page.getByRole("combobox", { name: "Tier" });
  }

  timeline() {
    return this.page.getByRole("figure", { name: "Certificate expiry timeline" });
  }

  headline() {
    return this.page.getByRole("status").filter({ hasText: /certificates (are|is)|All \d+ certificates/ });
  }

  coverage() {
    return this.page.getByRole("list", { name: "What was scanned" });
  }

  scanErrors() {
    return this.page.getByRole("region", { name: "Scan errors" });
  }

  async rescan() {
    const done = this.page.waitForResponse((r) => r.url().includes("/api/certificates?refresh=1") && r.ok());
    await this.page.getByRole("button", { name: "Rescan now" }).click();
    await done;
  }
}
