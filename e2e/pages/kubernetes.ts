import { expect, type APIRequestContext, type Locator, type Page } from "@playwright/test";

import { NodeDetailPage, type SimControl } from "./fleet";

/** The Kubernetes panel of a node's page: status facts, Cordon / Uncordon / Drain and their outcome. */
export class KubernetesPanel {
  constructor(private readonly page: Page) {}

  section(): Locator {
    return this.page.getByRole("region", { name: "Kubernetes", exact: true });
  }

  /** The value of one fact ("Node name", "Ready", "Kubelet", "Scheduling", "Pods"). */
  fact(label: "Node name" | "Ready" | "Kubelet" | "Scheduling" | "Pods"): Locator {
    return this.section()
      .getByRole("term")
      .filter({ hasText: new RegExp(`^${label}$`) })
      .locator("xpath=following-sibling::dd[1]");
  }

  button(name: "Cordon" | "Uncordon" | "Drain…" | "Retry drain" | "Force drain"): Locator {
    return this.section().getByRole("button", { name, exact: true });
  }

  drainDialog(): Locator {
    return this.page.getByRole("dialog", { name: /^Drain .+\?$/ });
  }

  result(): Locator {
    return this.section().getByRole("status", { name: "Drain result" });
  }

  blocked(): Locator {
    return this.section().getByRole("alert", { name: "Drain blocked" });
  }

  /** Opens the drain dialog, sets the timeout and policy, and confirms. */
  async drain(nodeName: string, timeoutSeconds: number, onTimeout: "halt" | "force" = "halt") {
    await this.button("Drain…").click();
    const dialog = this.drainDialog();
    await expect(dialog).toBeVisible();
    await dialog.getByLabel("Timeout (seconds)").fill(String(timeoutSeconds));
    await dialog.getByLabel("When the timeout passes").selectOption(onTimeout);
    await dialog.getByRole("button", { name: `Drain ${nodeName}` }).click();
    await expect(dialog).toBeHidden();
  }
}

/** A node's page with its Kubernetes panel. */
export class KubeNodePage extends NodeDetailPage {
  readonly kubernetes = new KubernetesPanel(this.page);

  async open(nodeId: string) {
    return this.goto(`/nodes/${encodeURIComponent(nodeId)}`);
  }
}

export interface SimPod {
  namespace: string;
  name: string;
  nodeName: string | null;
  phase: string;
  ownerKind: string | null;
  mirror: boolean;
  ready: boolean;
}

/** A core/v1 Pod as the simulator's dump holds it (only the fields the tests read). */
interface RawPod {
  metadata: {
    namespace: string;
    name: string;
    deletionTimestamp?: string;
    annotations?: Record<string, string>;
    ownerReferences?: { kind: string; name: string; controller?: boolean }[];
  };
  spec: { nodeName?: string };
  status: { phase?: string; conditions?: { type: string; status: string }[] };
}

/** The simulator's Kubernetes state (GET <control>/kubernetes?cluster=) and its Kubernetes faults. */
export class SimKubernetes {
  constructor(
    private readonly request: APIRequestContext,
    private readonly sim: SimControl,
  ) {}

  async pods(cluster: string): Promise<SimPod[]> {
    const response = await this.request.get(`${this.sim.url}/kubernetes?${new URLSearchParams({ cluster })}`);
    expect(response.ok(), await response.text()).toBe(true);
    const dump = (await response.json()) as { pods: RawPod[] };
    // Pods being deleted are on their way out: a drain waits for them, so does the test.
    return dump.pods
      .filter((p) => !p.metadata.deletionTimestamp)
      .map((p) => ({
        namespace: p.metadata.namespace,
        name: p.metadata.name,
        nodeName: p.spec.nodeName ?? null,
        phase: p.status.phase ?? "Pending",
        ownerKind: (p.metadata.ownerReferences ?? []).find((o) => o.controller)?.kind ?? null,
        mirror: p.metadata.annotations?.["kubernetes.io/config.mirror"] !== undefined,
        ready: (p.status.conditions ?? []).some((c) => c.type === "Ready" && c.status === "True"),
      }));
  }

  /** Pods a drain moves: not DaemonSet pods, not static (mirror) pods. */
  static movable(pods: readonly SimPod[], nodeName: string): SimPod[] {
    return pods.filter((p) => p.nodeName === nodeName && !p.mirror && p.ownerKind !== "DaemonSet" && p.ownerKind !== "Node");
  }

  async setFault(node: string, fault: "pdb-blocks" | "kubelet-not-ready" | "kube-api-down") {
    const response = await this.request.post(`${this.sim.url}/faults`, { data: { node, fault } });
    expect(response.ok(), await response.text()).toBe(true);
  }
}
