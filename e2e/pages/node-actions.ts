import { expect, type APIRequestContext, type Locator } from "@playwright/test";

import { NodeDetailPage, type SimControl } from "./fleet";

/** The simulator's POST /nodes/:node/power-on: a node that was shut down boots again. */
export async function powerOn(request: APIRequestContext, sim: SimControl, node: string) {
  const response = await request.post(`${sim.url}/nodes/${encodeURIComponent(node)}/power-on`);
  expect(response.ok(), await response.text()).toBe(true);
}

/** A node's page with its Actions menu, the action dialogs, the progress and the service buttons. */
export class NodeActionsPage extends NodeDetailPage {
  async open(nodeId: string) {
    return this.goto(`/nodes/${encodeURIComponent(nodeId)}`);
  }

  actionsButton(): Locator {
    return this.page.getByRole("button", { name: "Actions", exact: true });
  }

  menu(): Locator {
    return this.page.getByRole("menu", { name: /^Actions on / });
  }

  menuItem(name: "Reboot…" | "Shut down…" | "Reset…"): Locator {
    return this.menu().getByRole("menuitem", { name, exact: true });
  }

  dialog(title: RegExp): Locator {
    return this.page.getByRole("dialog", { name: title });
  }

  progress(): Locator {
    return this.page.getByRole("status", { name: "Action progress" });
  }

  /** A service row's button ("Restart kubelet"). */
  serviceButton(action: "Start" | "Stop" | "Restart", service: string): Locator {
    return this.service(service).getByRole("button", { name: `${action} ${service}`, exact: true });
  }

  /** Opens the menu and one of its dialogs. */
  async choose(item: "Reboot…" | "Shut down…" | "Reset…", title: RegExp): Promise<Locator> {
    await this.actionsButton().click();
    await expect(this.menu()).toBeVisible();
    await this.menuItem(item).click();
    const dialog = this.dialog(title);
    await expect(dialog).toBeVisible();
    return dialog;
  }
}
