import type { Locator } from "@playwright/test";

import { ShellPage } from "./shell";

/** One pane of the logs page: a service's or the kernel's log and its controls. */
export class LogPaneObject {
  constructor(readonly root: Locator) {}

  source(): Locator {
    return this.root.getByRole("combobox", { name: "Log source" });
  }

  tail(): Locator {
    return this.root.getByRole("combobox", { name: "Lines from the end" });
  }

  lines(): Locator {
    return this.root.getByTestId("log-line");
  }

  log(): Locator {
    return this.root.getByRole("log");
  }

  count(): Locator {
    return this.root.getByTestId("log-count");
  }

  state(): Locator {
    return this.root.getByTestId("log-state");
  }

  search(): Locator {
    return this.root.getByRole("searchbox", { name: "Search this log" });
  }

  highlights(): Locator {
    return this.log().locator("mark");
  }

  button(name: "Pause" | "Resume" | "Download" | "Close pane" | "Next match"): Locator {
    return this.root.getByRole("button", { name, exact: true });
  }

  checkbox(name: "Follow" | "Wrap"): Locator {
    return this.root.getByRole("checkbox", { name });
  }
}

/** /nodes/:node/logs */
export class LogsPage extends ShellPage {
  open(node: string, source?: string) {
    return this.goto(`/nodes/${encodeURIComponent(node)}/logs${source ? `?source=${encodeURIComponent(source)}` : ""}`);
  }

  panes(): Locator {
    return this.page.getByRole("region", { name: /^(Log of |Kernel log)/ });
  }

  pane(index: number): LogPaneObject {
    return new LogPaneObject(this.panes().nth(index));
  }

  addPane(): Locator {
    return this.page.getByRole("button", { name: "Add a pane" });
  }
}
