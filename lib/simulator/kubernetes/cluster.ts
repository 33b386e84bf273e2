/**
 * One simulated cluster's Kubernetes: the object store, a Node per Talos node whose status follows
 * the node (power, stage, kubelet health, kubelet image), and the pods, workloads and budgets kept
 * by ./controllers.ts. Pure state with an injected clock; the HTTPS server is ./server.ts.
 */
import type { Clock } from "../../utils/clock";
import { TimerSet } from "../clock";
import type { SimNode } from "../node-state";
import { configImages, imageTag } from "./config-images";
import { Controllers } from "./controllers";
import {
  CONTROL_PLANE_TAINT,
  type Condition,
  type KNode,
  NOT_READY_TAINT_KEY,
  rfc3339,
  type Taint,
  UNREACHABLE_TAINT_KEY,
  UNSCHEDULABLE_TAINT_KEY,
} from "./objects";
import { ObjectStore } from "./store";
import { type KubeClusterView, type KubeletState, type KubeTiming, type NodeKubeState, STATIC_COMPONENTS } from "./cluster-view";
import { applyTalosCordon, talosDrain } from "./talos-drain";

const RECONCILE_DELAY_MS = 5;

const KUBELET_STAGES = new Set(["running", "upgrading", "shutting down", "resetting"]);


export class KubeCluster implements KubeClusterView {
  readonly store: ObjectStore;
  readonly timers: TimerSet;
  readonly controllers: Controllers;
  private readonly state = new Map<SimNode, NodeKubeState>();
  private readonly byHostname = new Map<string, SimNode>();
  private readonly indexes = new Map<string, number>();
  private readonly lastSync = new Map<SimNode, string>();
  private reconcileQueued = false;
  private disposed = false;
  /** The API server version (/version): the first control plane's API server image tag. */
  gitVersion: string;

  constructor(
    readonly name: string,
    readonly nodes: SimNode[],
    readonly clock: Clock,
    readonly timing: KubeTiming,
  ) {
    this.store = new ObjectStore(() => clock.now());
    this.timers = new TimerSet(clock);
    this.controllers = new Controllers(this);
    for (const [i, n] of nodes.entries()) {
      this.byHostname.set(n.hostname, n);
      this.indexes.set(n.hostname, i);
      const images = configImages(n.runningConfigText(), n.cluster.kubernetesVersion, n);
      const staticImages = Object.fromEntries(STATIC_COMPONENTS.map(([c, k]) => [c, images[k]]));
      this.state.set(n, { configHash: n.configHash, images, kubeletImage: images.kubelet, kubeletRestarting: false, staticRestarting: new Set(), staticImages });
      this.store.create("nodes", this.nodeObject(n));
    }
    const firstCp = nodes.find((n) => n.role === "controlplane") ?? nodes[0]!;
    this.gitVersion = imageTag(this.state.get(firstCp)!.images.apiServer) ?? `v${firstCp.cluster.kubernetesVersion}`;
    this.controllers.seed(this.state.get(firstCp)!.images.proxy);
    this.reconcileNow();
  }

  nodeState(n: SimNode): NodeKubeState {
    return this.state.get(n)!;
  }

  simNode(hostname: string): SimNode | undefined {
    return this.byHostname.get(hostname);
  }

  /** The node's position in the cluster (its pod CIDR is 10.244.<index>.0/24). */
  nodeIndex(hostname: string): number {
    return this.indexes.get(hostname) ?? 0;
  }

  /** The cluster's Kubernetes API refuses connections (fault `kube-api-down` on any of its nodes). */
  get apiDown(): boolean {
    return this.nodes.some((n) => n.faults.kubeApiDown);
  }

  /** What the kubelet of a node reports, from the Talos node's state. */
  kubeletState(n: SimNode): KubeletState {
    const gone: KubeletState = { status: "Unknown", reason: "NodeStatusUnknown", message: "Kubelet stopped posting node status." };
    // The kubelet runs through the drain of an upgrade or shutdown; it stops with the reboot.
    if (!n.powered || n.faults.down || !KUBELET_STAGES.has(n.stage)) return gone;
    // The kubelet service stopped or restarting through the API (ServiceStop/Restart).
    const kubelet = n.stage === "running" ? n.serviceStatus("kubelet") : undefined;
    if (kubelet && !kubelet.running) return gone;
    const st = this.state.get(n)!;
    const notReady = (message: string): KubeletState => ({ status: "False", reason: "KubeletNotReady", message });
    if (n.faults.kubeletNotReady) return notReady("container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady message:Network plugin returns error: cni plugin not initialized");
    if (n.unhealthyService === "kubelet") return notReady("PLEG is not healthy: pleg was last seen active 3m0s ago; threshold is 3m0s");
    if (st.kubeletRestarting || (kubelet && kubelet.unknown)) return notReady("kubelet is starting");
    if (n.machineStatus().unmetConditions.some((c) => c.name === "nodeReady" || c.name === "staticPods")) return notReady("[container runtime status check may not have completed yet, PLEG is not healthy: pleg has yet to be successful]");
    return { status: "True", reason: "KubeletReady", message: "kubelet is posting ready status" };
  }

  nodeReady(hostname: string): boolean {
    const n = this.byHostname.get(hostname);
    return n !== undefined && this.kubeletState(n).status === "True";
  }

  private nodeObject(n: SimNode): Omit<KNode, "metadata"> & { metadata: KNode["metadata"] } {
    const now = rfc3339(this.clock.now());
    const idx = this.nodeIndex(n.hostname);
    return {
      apiVersion: "v1",
      kind: "Node",
      metadata: {
        name: n.hostname,
        uid: "",
        resourceVersion: "",
        creationTimestamp: rfc3339(n.created),
        labels: this.nodeLabels(n),
        annotations: {
          "node.alpha.kubernetes.io/ttl": "0",
          "volumes.kubernetes.io/controller-managed-attach-detach": "true",
          "talos.dev/owned-labels": "[]",
        },
      },
      spec: { podCIDR: `10.244.${idx}.0/24`, podCIDRs: [`10.244.${idx}.0/24`], taints: n.role === "controlplane" ? [CONTROL_PLANE_TAINT] : [] },
      status: {
        conditions: this.conditions(n, [], now),
        addresses: [
          { type: "InternalIP", address: n.address },
          { type: "Hostname", address: n.hostname },
        ],
        nodeInfo: this.nodeInfo(n),
        capacity: { cpu: n.role === "controlplane" ? "4" : "8", memory: n.role === "controlplane" ? "8006220Ki" : "16212040Ki", pods: "110", "ephemeral-storage": "102334Mi" },
        allocatable: { cpu: n.role === "controlplane" ? "3950m" : "7950m", memory: n.role === "controlplane" ? "7470572Ki" : "15676392Ki", pods: "110", "ephemeral-storage": "96275344054" },
        daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
      },
    };
  }

  private nodeLabels(n: SimNode): Record<string, string> {
    return {
      "beta.kubernetes.io/arch": "amd64",
      "beta.kubernetes.io/os": "linux",
      "kubernetes.io/arch": "amd64",
      "kubernetes.io/hostname": n.hostname,
      "kubernetes.io/os": "linux",
      ...(n.role === "controlplane" ? { "node-role.kubernetes.io/control-plane": "", "node.kubernetes.io/exclude-from-external-load-balancers": "" } : {}),
      ...this.state.get(n)?.images.nodeLabels,
    };
  }

  private nodeInfo(n: SimNode): Record<string, string> {
    const st = this.state.get(n)!;
    const kubelet = imageTag(st.kubeletImage) ?? "";
    return {
      machineID: n.nodeId.slice(0, 32).toLowerCase(),
      systemUUID: n.id,
      bootID: n.bootId,
      kernelVersion: "6.12.57-talos",
      osImage: `Talos (${n.runningVersion})`,
      containerRuntimeVersion: "containerd://2.1.5",
      kubeletVersion: kubelet,
      kubeProxyVersion: "",
      operatingSystem: "linux",
      architecture: "amd64",
    };
  }

  private conditions(n: SimNode, prev: Condition[], now: string): Condition[] {
    const k = this.kubeletState(n);
    const pressure = (type: string, reason: string, message: string): Condition => ({ type, status: k.status === "Unknown" ? "Unknown" : "False", reason: k.status === "Unknown" ? "NodeStatusUnknown" : reason, message: k.status === "Unknown" ? "Kubelet stopped posting node status." : message });
    const next: Condition[] = [
      pressure("MemoryPressure", "KubeletHasSufficientMemory", "kubelet has sufficient memory available"),
      pressure("DiskPressure", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
      pressure("PIDPressure", "KubeletHasSufficientPID", "kubelet has sufficient PID available"),
      { type: "Ready", status: k.status, reason: k.reason, message: k.message },
    ];
    // Keep transition times unless the status flips; heartbeats are not simulated (they would churn watches).
    return next.map((c) => {
      const old = prev.find((p) => p.type === c.type);
      const changed = !old || old.status !== c.status;
      return { ...c, lastHeartbeatTime: changed ? now : old.lastHeartbeatTime, lastTransitionTime: changed ? now : old.lastTransitionTime };
    });
  }

  /** Taints the node controller keeps: unschedulable, not-ready, unreachable (plus the control plane's). */
  private taints(n: SimNode, spec: KNode["spec"], now: string): Taint[] {
    const k = this.kubeletState(n);
    const managed = new Set([UNSCHEDULABLE_TAINT_KEY, NOT_READY_TAINT_KEY, UNREACHABLE_TAINT_KEY]);
    const keep = (spec.taints ?? []).filter((t) => !managed.has(t.key));
    const prev = (key: string, effect: string) => spec.taints?.find((t) => t.key === key && t.effect === effect)?.timeAdded ?? now;
    const add: Taint[] = [];
    if (spec.unschedulable) add.push({ key: UNSCHEDULABLE_TAINT_KEY, effect: "NoSchedule", timeAdded: prev(UNSCHEDULABLE_TAINT_KEY, "NoSchedule") });
    if (k.status === "Unknown") add.push({ key: UNREACHABLE_TAINT_KEY, effect: "NoSchedule", timeAdded: prev(UNREACHABLE_TAINT_KEY, "NoSchedule") });
    if (k.status === "False") add.push({ key: NOT_READY_TAINT_KEY, effect: "NoSchedule", timeAdded: prev(NOT_READY_TAINT_KEY, "NoSchedule") });
    return [...keep, ...add];
  }

  /** Brings the Node object in line with its Talos node; picks up config changes (kubelet and static pod restarts). */
  syncNode(n: SimNode): void {
    if (this.disposed) return;
    const st = this.state.get(n);
    if (!st) return;
    if (st.configHash !== n.configHash) this.configChanged(n, st);
    applyTalosCordon(this, n);
    // Most calls (a peer's change, a COSI bump) change nothing the Node shows: skip the write.
    const k = this.kubeletState(n);
    const obj = this.store.peek("nodes", undefined, n.hostname) as KNode | undefined;
    const key = JSON.stringify([k.status, k.reason, k.message, n.runningVersion, n.bootId, st.kubeletImage, st.configHash, obj?.metadata.resourceVersion, [...st.staticRestarting]]);
    if (this.lastSync.get(n) === key) return;
    this.lastSync.set(n, key);
    const now = rfc3339(this.clock.now());
    this.store.update("nodes", undefined, n.hostname, (o) => {
      const node = o as KNode;
      node.metadata.labels = { ...node.metadata.labels, ...this.nodeLabels(n) };
      node.status.conditions = this.conditions(n, node.status.conditions, now);
      node.status.nodeInfo = this.nodeInfo(n);
      node.spec.taints = this.taints(n, node.spec, now);
    });
    this.scheduleReconcile();
  }

  private configChanged(n: SimNode, st: NodeKubeState): void {
    st.configHash = n.configHash;
    const images = configImages(n.runningConfigText(), n.cluster.kubernetesVersion, n);
    st.images = images;
    const up = this.kubeletState(n).status !== "Unknown";
    if (images.kubelet !== st.kubeletImage) {
      if (!up) st.kubeletImage = images.kubelet;
      else if (!st.kubeletRestarting) {
        st.kubeletRestarting = true;
        n.record({ event: "kubelet-restart", detail: images.kubelet });
        this.timers.after(this.timing.podStartMs, () => {
          st.kubeletRestarting = false;
          st.kubeletImage = st.images.kubelet;
          this.syncNode(n);
        });
      }
    }
    if (n.role !== "controlplane") return;
    for (const [component, key] of STATIC_COMPONENTS) {
      if (images[key] === st.staticImages[component] || st.staticRestarting.has(component)) continue;
      if (!up) {
        st.staticImages[component] = images[key];
        if (component === "kube-apiserver") this.refreshGitVersion();
        continue;
      }
      // The kubelet replaces the static pod at once: the mirror shows the new image, not Ready until it started.
      st.staticRestarting.add(component);
      st.staticImages[component] = images[key];
      n.record({ event: "static-pod-restart", detail: `kube-system/${component}-${n.hostname} ${images[key]}` });
      const restart = () => {
        st.staticRestarting.delete(component);
        if (st.staticImages[component] !== st.images[key]) {
          // Changed again meanwhile: another restart.
          st.staticRestarting.add(component);
          st.staticImages[component] = st.images[key];
          n.record({ event: "static-pod-restart", detail: `kube-system/${component}-${n.hostname} ${st.images[key]}` });
          this.timers.after(this.timing.podStartMs, restart);
          return;
        }
        // Started on the image it was given: its mirror pod turns Ready from here (controllers.ts).
        n.record({ event: "static-pod-ready", detail: `kube-system/${component}-${n.hostname} ${st.staticImages[component]}` });
        if (component === "kube-apiserver") this.refreshGitVersion();
        this.syncNode(n);
      };
      this.timers.after(this.timing.podStartMs, restart);
    }
  }

  private refreshGitVersion(): void {
    const firstCp = this.nodes.find((n) => n.role === "controlplane");
    if (!firstCp) return;
    this.gitVersion = imageTag(this.state.get(firstCp)!.staticImages["kube-apiserver"]!) ?? this.gitVersion;
  }

  /** Talos's CordonAndDrainNode for a node of this cluster. */
  talosDrain(n: SimNode): Promise<void> {
    return talosDrain(this, n, { timeoutMs: this.timing.talosDrainMs, retryMs: this.timing.talosEvictRetryMs });
  }

  /**
   * Runs the controllers once soon: a few milliseconds later, so a burst of node changes (a
   * fleet-wide event) costs one pass over the cluster, not one per node.
   */
  scheduleReconcile(): void {
    if (this.reconcileQueued || this.disposed) return;
    this.reconcileQueued = true;
    this.timers.after(RECONCILE_DELAY_MS, () => {
      this.reconcileQueued = false;
      if (!this.disposed) this.controllers.reconcile();
    });
  }

  reconcileNow(): void {
    this.controllers.reconcile();
  }

  dispose(): void {
    this.disposed = true;
    this.timers.clear();
  }
}

export { STATIC_COMPONENTS, type KubeletState, type KubeTiming, type NodeKubeState, type StaticComponent } from "./cluster-view";
