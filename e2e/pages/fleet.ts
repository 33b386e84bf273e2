import { expect, type APIRequestContext, type Locator } from "@playwright/test";

import { ShellPage } from "./shell";

/** The Overview: fleet headline, cluster cards, current problems, nearest certificate expiry. */
export class OverviewPage extends ShellPage {
  async open(query = "") {
    return this.goto(`/${query}`);
  }

  headline(): Locator {
    return this.page.getByRole("status", { name: "Fleet status" });
  }

  cluster(name: string): Locator {
    return this.page.getByRole("region", { name: `Cluster ${name}` });
  }

  /** The cluster's health bar, named "<healthy> of <total> nodes healthy, …". */
  healthBar(name: string): Locator {
    return this.cluster(name).getByRole("img", { name: /nodes healthy/ });
  }

  problems(): Locator {
    return this.page.getByRole("list", { name: "Current problems" });
  }

  problemFor(nodeName: string): Locator {
    return this.problems()
      .getByRole("listitem")
      .filter({ has: this.page.getByRole("link", { name: new RegExp(`^${nodeName}\\b`) }) });
  }

  certificates(): Locator {
    return this.page.getByRole("region", { name: "Nearest certificate expiry" });
  }
}

/** The Nodes table with its search, filters and sorting. */
export class NodesPage extends ShellPage {
  async open(query = "") {
    return this.goto(`/nodes${query}`);
  }

  table(): Locator {
    return this.page.getByRole("table", { name: "Nodes" });
  }

  /** Data rows only (the header row has column headers, not cells). */
  rows(): Locator {
    return this.table()
      .getByRole("row")
      .filter({ has: this.page.getByRole("cell") });
  }

  row(nodeName: string): Locator {
    return this.rows().filter({ has: this.page.getByRole("link", { name: nodeName, exact: true }) });
  }

  search(): Locator {
    return this.page.getByRole("searchbox", { name: "Search" });
  }

  filter(name: "Role" | "Stage" | "Version" | "Problem"): Locator {
    return this.page.getByRole("combobox", { name, exact: true });
  }

  columnHeader(name: string): Locator {
    return this.table().getByRole("columnheader", { name, exact: true });
  }

  async sortBy(column: string) {
    await this.columnHeader(column).getByRole("button").click();
  }

  /** "8 nodes across all clusters", "1 of 8 nodes in cluster sim-1 …". */
  count(): Locator {
    return this.page.getByRole("status").filter({ hasText: /\bnodes?\b.*\b(across|in cluster)\b/ });
  }

  clearFilters(): Locator {
    return this.page.getByRole("button", { name: "Clear filters" }).first();
  }

  /** The first column's text of every rendered row, top to bottom. */
  async names(): Promise<string[]> {
    return this.rows().getByRole("link").allInnerTexts();
  }
}

/** One node's page. */
export class NodeDetailPage extends ShellPage {
  services(): Locator {
    return this.page.getByRole("table", { name: "Services" });
  }

  service(id: string): Locator {
    return this.services()
      .getByRole("row")
      .filter({ has: this.page.getByRole("cell", { name: id, exact: true }) });
  }

  chart(title: "Memory available" | "Load (1 min)"): Locator {
    return this.page.getByRole("figure", { name: title });
  }

  etcd(): Locator {
    return this.page.getByRole("region", { name: "etcd", exact: true });
  }

  offlineAlert(): Locator {
    return this.page.getByRole("alert").filter({ hasText: "Offline." });
  }

  openConfig(): Locator {
    return this.page.getByRole("link", { name: "Open its config" });
  }
}

export interface SimNode {
  address: string;
  hostname: string;
  cluster: string;
  role: "controlplane" | "worker";
}

/**
 * The simulator's control API, found through Minos's GET /api/sim (served only with MINOS_SIM=1),
 * so tests can take nodes down and bring them back.
 */
export class SimControl {
  private constructor(
    private readonly request: APIRequestContext,
    readonly url: string,
  ) {}

  static async connect(request: APIRequestContext): Promise<SimControl> {
    const response = await request.get("/api/sim");
    expect(response.status(), "GET /api/sim: is Minos running the simulated fleet?").toBe(200);
    const { controlUrl } = (await response.json()) as { controlUrl: string | null };
    expect(controlUrl, "Minos knows the simulator's control URL").toBeTruthy();
    return new SimControl(request, controlUrl!);
  }

  async nodes(): Promise<SimNode[]> {
    const response = await this.request.get(`${this.url}/nodes`);
    expect(response.ok()).toBe(true);
    return (await response.json()) as SimNode[];
  }

  async setFault(node: string, fault: "down" | "unhealthy") {
    const response = await this.request.post(`${this.url}/faults`, { data: { node, fault } });
    expect(response.ok(), await response.text()).toBe(true);
  }

  /** Makes the node log `linesPerSecond` lines a second (the simulator's log-flood fault). */
  async setLogFlood(node: string, linesPerSecond: number) {
    const response = await this.request.post(`${this.url}/faults`, { data: { node, fault: "log-flood", linesPerSecond } });
    expect(response.ok(), await response.text()).toBe(true);
  }

  async clearFaults() {
    const response = await this.request.delete(`${this.url}/faults`);
    expect(response.ok(), await response.text()).toBe(true);
  }
}
