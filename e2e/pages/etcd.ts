import { expect, type Page } from "@playwright/test";

/** A cluster's etcd page and the Backups page. */
export class EtcdPage {
  constructor(readonly page: Page) {}

  async goto(cluster: string) {
    await this.page.goto(`/clusters/${encodeURIComponent(cluster)}/etcd`);
    await expect(this.members().getByRole("row")).not.toHaveCount(1);
  }

  members() {
    return this.page.getByRole("table", { name: /^etcd members of / });
  }

  memberRow(hostname: string) {
    return this.members().getByRole("row").filter({ has: this.page.getByRole("cell", { name: hostname, exact: true }) });
  }

  quorum() {
    return this.page.getByText(/^Quorum (healthy|degraded|lost|unknown)$/);
  }

  status() {
    return this.page.getByRole("status");
  }

  dialog() {
    return this.page.getByRole("dialog");
  }

  async confirm(label: string | RegExp) {
    await this.dialog().getByRole("button", { name: label }).click();
  }
}

export class BackupsPage {
  constructor(readonly page: Page) {}

  async goto(cluster?: string) {
    await this.page.goto(cluster ? `/backups?cluster=${encodeURIComponent(cluster)}` : "/backups");
  }

  backups() {
    return this.page.getByRole("table", { name: "Backups" });
  }

  schedules() {
    return this.page.getByRole("table", { name: "Backup schedules" });
  }
}
