import type { ConsoleMessage, Page, Response } from "@playwright/test";

export const sidebarPages = [
  { label: "Overview", path: "/", heading: "Overview" },
  { label: "Nodes", path: "/nodes", heading: "Nodes" },
  { label: "Alerts", path: "/alerts", heading: "Alerts" },
  { label: "Config", path: "/config", heading: "Config" },
  { label: "Upgrades", path: "/upgrades", heading: "Upgrades" },
  { label: "Certificates", path: "/certificates", heading: "Certificates" },
  { label: "Audit", path: "/audit", heading: "Audit" },
  // Admins only; the e2e specs run signed in as the admin.
  { label: "Access", path: "/access", heading: "Access" },
] as const;

/** The dashboard shell: its sidebar, header, and what went wrong in the browser while using it. */
export class ShellPage {
  readonly consoleErrors: string[] = [];
  readonly failedRequests: string[] = [];

  constructor(readonly page: Page) {
    page.on("console", (m: ConsoleMessage) => {
      if (m.type() === "error") this.consoleErrors.push(m.text());
    });
    page.on("pageerror", (e) => this.consoleErrors.push(e.message));
    page.on("requestfailed", (r) => {
      // Navigations abort prefetches of the page being left; those are not failures.
      if (r.failure()?.errorText !== "net::ERR_ABORTED") this.failedRequests.push(`${r.url()} ${r.failure()?.errorText}`);
    });
    page.on("response", (r: Response) => {
      if (r.status() >= 400 && !this.expected404s.has(new URL(r.url()).pathname)) this.failedRequests.push(`${r.url()} HTTP ${r.status()}`);
    });
  }

  private readonly expected404s = new Set<string>();

  /** A path whose 404 is what the test wants. */
  expectNotFound(path: string) {
    this.expected404s.add(path);
  }

  sidebar() {
    return this.page.getByRole("navigation", { name: "Main" });
  }

  heading() {
    return this.page.getByRole("heading", { level: 1 });
  }

  clusterSelector() {
    return this.page.getByRole("combobox", { name: "Cluster" });
  }

  async goto(path: string) {
    return this.page.goto(path);
  }
}
