/**
 * A Talos cluster and its Kubernetes API as the Kubernetes upgrade runner sees them, in memory:
 * machine configs that ApplyConfiguration changes, static pods and kubelets that follow the
 * configs after a few looks (restarting, then Ready), and a record of every call. For the
 * runner's unit tests; the simulator (lib/simulator/kubernetes) is the real-wire counterpart.
 */
import { parseDocument } from "yaml";

import type { KubeApi, KubeNode, KubePod } from "@/lib/server/kubernetes/types";
import type { KubeObjectApi, KubeUpgradeAccess, KubeUpgradeTalos } from "@/lib/server/kubernetes-upgrades/probes";
import { AppError } from "@/lib/server/platform/errors";

export interface FakeNode {
  address: string;
  hostname: string;
  role: "controlplane" | "worker";
  talosVersion: string;
  config: string;
}

const STATIC = ["kube-apiserver", "kube-controller-manager", "kube-scheduler"] as const;
const PATHS: Record<string, string[]> = {
  "kube-apiserver": ["cluster", "apiServer", "image"],
  "kube-controller-manager": ["cluster", "controllerManager", "image"],
  "kube-scheduler": ["cluster", "scheduler", "image"],
  kubelet: ["machine", "kubelet", "image"],
};

export function nodeConfig(role: "controlplane" | "worker", version: string): string {
  const cp = role === "controlplane";
  return `version: v1alpha1
machine:
  type: ${role}
  kubelet:
    image: ghcr.io/siderolabs/kubelet:v${version}
cluster:
  clusterName: c
${cp ? `  apiServer:\n    image: registry.k8s.io/kube-apiserver:v${version}\n  controllerManager:\n    image: registry.k8s.io/kube-controller-manager:v${version}\n  scheduler:\n    image: registry.k8s.io/kube-scheduler:v${version}\n` : ""}  proxy:
    image: registry.k8s.io/kube-proxy:v${version}
`;
}

/** One component as Kubernetes sees it: the image it runs, and how many more looks until it is Ready on the config's. */
interface Running {
  image: string;
  restartingFor: number;
}

export class FakeCluster {
  readonly calls: string[] = [];
  readonly applied: { object: Record<string, unknown>; fieldManager: string }[] = [];
  /** Set to make a component never become Ready (e.g. "cp-2/kube-scheduler"). */
  readonly stuck = new Set<string>();
  /** Looks a restarted component stays not Ready. */
  restartLooks = 2;
  kubeDown = false;
  /** Looks at an applied DaemonSet until every node runs the new template. */
  rolloutLooks = 2;
  private rollingFor = 0;
  private readonly running = new Map<string, Running>();

  constructor(readonly nodes: FakeNode[]) {
    for (const n of nodes) for (const c of [...(n.role === "controlplane" ? STATIC : []), "kubelet"]) this.running.set(`${n.hostname}/${c}`, { image: this.configImage(n, c)!, restartingFor: 0 });
  }

  node(address: string): FakeNode {
    const n = this.nodes.find((x) => x.address === address);
    if (!n) throw new AppError("node_unreachable", `${address} is unreachable`, { node: address });
    return n;
  }

  configImage(n: FakeNode, component: string): string | null {
    const v = parseDocument(n.config).getIn(PATHS[component] ?? ["cluster", "proxy", "image"]);
    return typeof v === "string" ? v : null;
  }

  /** Each look at Kubernetes moves restarting components on: a changed config restarts them, then they come up Ready. */
  private observe(n: FakeNode, component: string): { image: string; ready: boolean } {
    const key = `${n.hostname}/${component}`;
    const r = this.running.get(key)!;
    const want = this.configImage(n, component)!;
    if (r.image !== want) {
      r.image = want;
      r.restartingFor = this.restartLooks;
      this.calls.push(`restart ${key} ${want}`);
    }
    r.restartingFor = Math.min(r.restartingFor, this.restartLooks);
    if (this.stuck.has(key)) return { image: r.image, ready: false };
    if (r.restartingFor > 0) {
      r.restartingFor--;
      return { image: r.image, ready: false };
    }
    return { image: r.image, ready: true };
  }

  talos(): KubeUpgradeTalos {
    // The pull stream is a generator function, which has no lexical `this`.
    const self: FakeCluster = this as FakeCluster;
    const t = {
      version: async (a: string) => ({ tag: self.node(a).talosVersion }),
      hostname: async (a: string) => self.node(a).hostname,
      services: async (a: string) => (self.node(a).role === "controlplane" ? { etcd: {}, kubelet: {} } : { kubelet: {} }),
      machineConfig: async (a: string) => ({ yaml: self.node(a).config, version: "1" }),
      applyConfiguration: async (a: string, o: { data: string | Uint8Array; mode: string }) => {
        const n = self.node(a);
        n.config = String(o.data);
        self.calls.push(`apply ${n.hostname} ${o.mode}`);
        return { mode: "no-reboot", modeDetails: "", warnings: [] };
      },
      imagePull: async function* (a: string, o: { image: string; containerd?: string }) {
        self.calls.push(`pull ${self.node(a).hostname} ${o.containerd} ${o.image}`);
        yield { type: "done" as const, name: o.image };
      },
      imagePullLegacy: async (a: string, o: { image: string; containerd: string }) => {
        self.calls.push(`pull-legacy ${self.node(a).hostname} ${o.containerd} ${o.image}`);
      },
      cosiList: async (a: string, ns: string, type: string) => {
        self.calls.push(`cosiList ${self.node(a).hostname} ${ns} ${type}`);
        const proxy = self.configImage(self.node(a), "kube-proxy");
        const yamlSpec = `- apiVersion: apps/v1\n  kind: DaemonSet\n  metadata:\n    name: kube-proxy\n    namespace: kube-system\n  spec:\n    template:\n      spec:\n        containers:\n          - name: kube-proxy\n            image: ${proxy}\n- apiVersion: v1\n  kind: ServiceAccount\n  metadata:\n    name: kube-proxy\n    namespace: kube-system\n`;
        return [{ metadata: { id: "10-kube-proxy" }, protoSpec: new Uint8Array(), yamlSpec }];
      },
    };
    return t as unknown as KubeUpgradeTalos;
  }

  kubeNode(n: FakeNode): KubeNode {
    const k = this.observe(n, "kubelet");
    return { name: n.hostname, internalIPs: [n.address], unschedulable: false, annotations: {}, ready: k.ready, readyReason: k.ready ? null : "KubeletNotReady", kubeletVersion: k.image.split(":").pop()!.replace(/-(fat|slim)$/, "") };
  }

  pods(n: FakeNode): KubePod[] {
    if (n.role !== "controlplane") return [];
    return STATIC.map((c) => {
      const s = this.observe(n, c);
      return { namespace: "kube-system", name: `${c}-${n.hostname}`, nodeName: n.hostname, phase: "Running", ownerKind: "Node", mirror: true, labels: { "k8s-app": c, tier: "control-plane" }, images: [s.image], ready: s.ready };
    });
  }

  access(): KubeUpgradeAccess {
    const down = () => {
      if (this.kubeDown) throw new AppError("node_unreachable", "connect ECONNREFUSED");
    };
    const api: KubeApi = {
      serverVersion: async () => "v1",
      listNodes: async () => (down(), this.nodes.map((n) => this.kubeNode(n))),
      findNode: async (ref) => (down(), this.nodes.filter((n) => n.hostname === ref.hostname || n.address === ref.address).map((n) => this.kubeNode(n))[0] ?? null),
      setUnschedulable: async () => {
        throw new Error("not used");
      },
      listPods: async (nodeName) => (down(), this.nodes.filter((n) => nodeName === undefined || n.hostname === nodeName).flatMap((n) => this.pods(n))),
      evictPod: async () => ({ ok: true }),
      deletePod: async () => {},
      listPodDisruptionBudgets: async () => [],
    };
    const objects: KubeObjectApi = {
      countObjects: async (path) => (path.includes("podsecuritypolicies") ? 3 : null),
      serverSideApply: async (object, fieldManager) => {
        this.applied.push({ object, fieldManager });
        this.rollingFor = this.rolloutLooks;
        return "configured";
      },
      // A DaemonSet rolls out over a few looks after each apply: updated pods count up to every node.
      read: async (object) => {
        if (object.kind !== "DaemonSet") return object;
        const desired = this.nodes.length;
        const updated = this.rollingFor > 0 ? desired - this.rollingFor : desired;
        if (this.rollingFor > 0) this.rollingFor--;
        const status = { observedGeneration: 2, desiredNumberScheduled: desired, updatedNumberScheduled: Math.max(0, updated), numberAvailable: Math.max(0, updated) };
        return { ...object, metadata: { ...(object.metadata as object), generation: 2 }, status };
      },
    };
    return this.kubeDown ? { ok: false, message: "the API server did not answer" } : { ok: true, api, objects };
  }
}

/** 2 control planes and 1 worker on Kubernetes `version`. */
export function smallCluster(version = "1.33.4", talosVersion = "v1.13.2"): FakeCluster {
  return new FakeCluster([
    { address: "10.0.0.2", hostname: "cp-1", role: "controlplane", talosVersion, config: nodeConfig("controlplane", version) },
    { address: "10.0.0.3", hostname: "cp-2", role: "controlplane", talosVersion, config: nodeConfig("controlplane", version) },
    { address: "10.0.0.5", hostname: "w-1", role: "worker", talosVersion, config: nodeConfig("worker", version) },
  ]);
}
