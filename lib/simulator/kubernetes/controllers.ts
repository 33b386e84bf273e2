/**
 * The controllers of a simulated cluster, level-triggered (each reconcile looks at everything):
 * the kubelets' mirror pods, DaemonSets (one pod per node), Deployments (pods replaced at once
 * when one is deleted or evicted, scheduled on a schedulable Ready node), pod start and readiness,
 * termination, and PodDisruptionBudget status. Also the seeded workloads.
 */
import type { SimNode } from "../node-state";
import { type KubeClusterView, STATIC_COMPONENTS } from "./cluster-view";
import {
  CONTROL_PLANE_TAINT,
  controllerOf,
  type KNode,
  MIRROR_ANNOTATION,
  ownerRef,
  type Pdb,
  type Pod,
  type PodTemplate,
  podReady,
  randomSuffix,
  rfc3339,
  templateHash,
  tolerates,
  type Workload,
} from "./objects";
import { matchesLabelSelector } from "./selectors";
import { newUid, type KObject } from "./store";

const TOLERATE_ALL = [{ operator: "Exists" }];

function deployment(namespace: string, name: string, replicas: number, labels: Record<string, string>, image: string, extra: Partial<PodTemplate["spec"]> = {}): Omit<Workload, "metadata"> & { metadata: Workload["metadata"] } {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name, namespace, uid: "", resourceVersion: "", creationTimestamp: "", generation: 1, labels },
    spec: {
      replicas,
      selector: { matchLabels: labels },
      template: { metadata: { labels }, spec: { containers: [{ name: name.replace(/-[^-]+$/, "") || name, image }], ...extra } },
      strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: "25%", maxSurge: "25%" } },
    },
    status: {},
  };
}

function daemonSet(namespace: string, name: string, labels: Record<string, string>, image: string): Omit<Workload, "metadata"> & { metadata: Workload["metadata"] } {
  return {
    apiVersion: "apps/v1",
    kind: "DaemonSet",
    metadata: { name, namespace, uid: "", resourceVersion: "", creationTimestamp: "", generation: 1, labels },
    spec: {
      selector: { matchLabels: labels },
      template: { metadata: { labels }, spec: { containers: [{ name, image }], tolerations: TOLERATE_ALL, priorityClassName: "system-node-critical" } },
      updateStrategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } },
    },
    status: {},
  };
}

function pdb(namespace: string, name: string, labels: Record<string, string>, budget: { minAvailable: number | string } | { maxUnavailable: number | string }): Omit<Pdb, "metadata"> & { metadata: Pdb["metadata"] } {
  return {
    apiVersion: "policy/v1",
    kind: "PodDisruptionBudget",
    metadata: { name, namespace, uid: "", resourceVersion: "", creationTimestamp: "", generation: 1 },
    spec: { ...budget, selector: { matchLabels: labels } },
    status: { disruptionsAllowed: 0, currentHealthy: 0, desiredHealthy: 0, expectedPods: 0 },
  };
}

/** int or percent of `total`, rounded up (intstr.GetScaledValueFromIntOrPercent with roundUp). */
function scaled(v: number | string, total: number): number {
  if (typeof v === "number") return v;
  const m = /^(\d+)%$/.exec(v);
  return m ? Math.ceil((Number(m[1]) * total) / 100) : Number(v) || 0;
}

export class Controllers {
  /** Pods with a start timer running (by uid). */
  private readonly starting = new Set<string>();
  private readonly terminating = new Set<string>();

  constructor(private readonly c: KubeClusterView) {}

  private get store() {
    return this.c.store;
  }

  /** The workloads every simulated cluster starts with. */
  seed(proxyImage: string): void {
    const s = this.store;
    s.create("daemonsets", daemonSet("kube-system", "kube-proxy", { "k8s-app": "kube-proxy" }, proxyImage));
    s.create("daemonsets", daemonSet("kube-system", "kube-flannel", { "k8s-app": "flannel" }, "ghcr.io/siderolabs/flannel:v0.27.4"));
    s.create("deployments", deployment("kube-system", "coredns", 2, { "k8s-app": "kube-dns" }, "registry.k8s.io/coredns/coredns:v1.12.4", { tolerations: [{ key: CONTROL_PLANE_TAINT.key, operator: "Exists", effect: "NoSchedule" }], priorityClassName: "system-cluster-critical" }));
    s.create("deployments", deployment("default", "web", 3, { app: "web" }, "docker.io/library/nginx:1.29"));
    s.create("deployments", deployment("default", "api", 2, { app: "api" }, "docker.io/library/httpd:2.4"));
    s.create("poddisruptionbudgets", pdb("default", "web", { app: "web" }, { minAvailable: 2 }));
    s.create("poddisruptionbudgets", pdb("default", "api", { app: "api" }, { maxUnavailable: 1 }));
    // Start settled: seeded pods are running already, as on a cluster that has been up for a while.
    this.reconcile({ settled: true });
  }

  /** `pdb-blocks`: a one-replica Deployment on the node and a PDB that never allows an eviction. */
  addPinned(n: SimNode): void {
    const name = `pinned-${n.hostname}`;
    if (this.store.peek("deployments", "default", name)) return;
    const labels = { app: name };
    const d = this.store.create("deployments", deployment("default", name, 1, labels, "docker.io/library/busybox:1.37"));
    this.store.create("poddisruptionbudgets", pdb("default", name, labels, { maxUnavailable: 0 }));
    this.createPod(d as Workload, n.hostname, true);
    this.reconcile();
  }

  removePinned(n: SimNode): void {
    const name = `pinned-${n.hostname}`;
    if (!this.store.remove("deployments", "default", name)) return;
    this.store.remove("poddisruptionbudgets", "default", name);
    for (const p of this.store.peekAll("pods", "default")) if (controllerOf(p)?.name.startsWith(`${name}-`)) this.store.remove("pods", "default", p.metadata.name);
    this.reconcile();
  }

  private podsOf(owner: KObject): Pod[] {
    return (this.store.peekAll("pods", owner.metadata.namespace) as Pod[]).filter((p) => {
      const ref = controllerOf(p);
      if (!ref) return false;
      if (owner.kind === "Deployment") return ref.kind === "ReplicaSet" && ref.name.startsWith(`${owner.metadata.name}-`) && p.metadata.labels?.["pod-template-hash"] !== undefined && matchesLabelSelector((owner as Workload).spec.selector, p.metadata.labels);
      return ref.kind === owner.kind && ref.name === owner.metadata.name;
    });
  }

  /** generateName: the prefix and a random suffix not taken yet (the API server retries a clash too). */
  private freeName(namespace: string, prefix: string): string {
    for (;;) {
      const name = `${prefix}${randomSuffix()}`;
      if (!this.store.peek("pods", namespace, name)) return name;
    }
  }

  /** Creates a pod of a workload, bound to `nodeName` (or left for the scheduler). */
  private createPod(owner: Workload, nodeName: string | undefined, running = false): void {
    const hash = templateHash(owner.spec.template);
    const isDeployment = owner.kind === "Deployment";
    const ownerName = isDeployment ? `${owner.metadata.name}-${hash}` : owner.metadata.name;
    const ref = isDeployment
      ? { apiVersion: "apps/v1", kind: "ReplicaSet", name: ownerName, uid: `${owner.metadata.uid.slice(0, 24)}${hash.slice(0, 10)}00`.slice(0, 36), controller: true, blockOwnerDeletion: true }
      : ownerRef(owner);
    const labels = { ...owner.spec.template.metadata?.labels, ...(isDeployment ? { "pod-template-hash": hash } : { "controller-revision-hash": hash }) };
    const now = rfc3339(this.c.clock.now());
    const pod = {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: this.freeName(owner.metadata.namespace!, `${ownerName}-`), namespace: owner.metadata.namespace, labels, annotations: { ...owner.spec.template.metadata?.annotations }, ownerReferences: [ref] },
      spec: { ...structuredClone(owner.spec.template.spec), ...(nodeName ? { nodeName } : {}), restartPolicy: "Always", schedulerName: "default-scheduler" },
      status: { phase: "Pending" as const, conditions: nodeName ? [{ type: "PodScheduled", status: "True" as const, lastProbeTime: null, lastTransitionTime: now }] : [], qosClass: "BestEffort" },
    };
    const node = running && nodeName ? this.c.simNode(nodeName) : undefined;
    if (node && this.c.nodeReady(nodeName!)) {
      // Settled at start: written once, already running.
      const q = { ...pod, metadata: { ...pod.metadata, uid: newUid() } } as unknown as Pod;
      this.markRunning(q, node);
      this.store.create("pods", q);
      return;
    }
    this.store.create("pods", pod);
  }

  /** Mirror pods of a control plane's static pods (the kubelet creates them; their images follow the config). */
  private mirrorPods(n: SimNode, node: Readonly<KObject>): void {
    if (n.role !== "controlplane") return;
    const st = this.c.nodeState(n);
    for (const [component] of STATIC_COMPONENTS) {
      const name = `${component}-${n.hostname}`;
      const image = st.staticImages[component]!;
      const existing = this.store.peek("pods", "kube-system", name) as Pod | undefined;
      const hash = templateHash({ component, image });
      if (!existing) {
        const mirror = {
          apiVersion: "v1",
          kind: "Pod",
          metadata: {
            name,
            namespace: "kube-system",
            labels: { "k8s-app": component, tier: "control-plane" },
            annotations: { [MIRROR_ANNOTATION]: hash, "kubernetes.io/config.hash": hash, "kubernetes.io/config.source": "file", "talos.dev/config-version": "1" },
            ownerReferences: [{ apiVersion: "v1", kind: "Node", name: n.hostname, uid: node.metadata.uid, controller: true }],
          },
          spec: { nodeName: n.hostname, containers: [{ name: component, image }], hostNetwork: true, priorityClassName: "system-cluster-critical", tolerations: TOLERATE_ALL },
          status: { phase: "Running", conditions: [], hostIP: n.address, podIP: n.address, startTime: rfc3339(this.c.clock.now()) },
        };
        this.fillStatus(mirror as unknown as Pod);
        this.store.create("pods", mirror);
        continue;
      }
      if (existing.spec.containers[0]?.image !== image || (existing.metadata.annotations?.[MIRROR_ANNOTATION] !== hash)) {
        this.store.update("pods", "kube-system", name, (o) => {
          const p = o as Pod;
          p.spec.containers = [{ name: component, image }];
          p.metadata.annotations = { ...p.metadata.annotations, [MIRROR_ANNOTATION]: hash, "kubernetes.io/config.hash": hash };
          p.status.startTime = rfc3339(this.c.clock.now());
        });
      }
    }
  }

  private markRunning(q: Pod, node: SimNode): void {
    q.status.phase = "Running";
    q.status.hostIP = node.address;
    q.status.podIP ??= `10.244.${this.c.nodeIndex(node.hostname)}.${2 + (Number.parseInt(q.metadata.uid.slice(0, 4), 16) % 250)}`;
    q.status.startTime ??= rfc3339(this.c.clock.now());
    this.fillStatus(q);
  }

  /** Pending → Running after podStartMs (at once when `now`). */
  private startPod(p: Pod, now = false): void {
    const uid = p.metadata.uid;
    const run = () => {
      this.starting.delete(uid);
      const cur = this.store.peek("pods", p.metadata.namespace, p.metadata.name) as Pod | undefined;
      if (!cur || cur.metadata.uid !== uid || cur.metadata.deletionTimestamp) return;
      const node = this.c.simNode(cur.spec.nodeName ?? "");
      if (!node || !this.c.nodeReady(node.hostname)) return; // retried by the next reconcile
      this.store.update("pods", cur.metadata.namespace, cur.metadata.name, (o) => this.markRunning(o as Pod, node));
      this.c.scheduleReconcile();
    };
    if (now) return run();
    if (this.starting.has(uid)) return;
    this.starting.add(uid);
    this.c.timers.after(this.c.timing.podStartMs, run);
  }

  /** Marks a pod Terminating; it is removed after its grace (simulated as terminationMs), at once for grace 0. */
  terminate(p: Pod, graceSeconds: number | undefined): Pod {
    const grace = graceSeconds ?? (p.spec.terminationGracePeriodSeconds as number | undefined) ?? 30;
    if (grace <= 0 || p.status.phase === "Pending" || p.status.phase === "Succeeded" || p.status.phase === "Failed") {
      const gone = this.store.remove("pods", p.metadata.namespace, p.metadata.name) as Pod;
      this.c.scheduleReconcile();
      return gone;
    }
    const updated = this.store.update("pods", p.metadata.namespace, p.metadata.name, (o) => {
      o.metadata.deletionTimestamp ??= rfc3339(this.c.clock.now() + grace * 1000);
      o.metadata.deletionGracePeriodSeconds ??= grace;
    }) as Pod;
    const uid = p.metadata.uid;
    if (!this.terminating.has(uid)) {
      this.terminating.add(uid);
      this.c.timers.after(Math.min(grace * 1000, this.c.timing.terminationMs), () => {
        this.terminating.delete(uid);
        const cur = this.store.peek("pods", p.metadata.namespace, p.metadata.name);
        if (cur?.metadata.uid === uid) this.store.remove("pods", p.metadata.namespace, p.metadata.name);
        this.c.scheduleReconcile();
      });
    }
    this.c.scheduleReconcile();
    return updated;
  }

  /** Where the scheduler puts a pod: a schedulable Ready node it tolerates, fewest pods of the same owner first, then fewest pods. */
  private pickNode(spec: Pod["spec"], ownerPrefix: string): string | undefined {
    const nodes = (this.store.peekAll("nodes") as KNode[]).filter(
      (n) => !n.spec.unschedulable && this.c.nodeReady(n.metadata.name) && tolerates(spec.tolerations, n.spec.taints) && Object.entries(spec.nodeSelector ?? {}).every(([k, v]) => n.metadata.labels?.[k] === v),
    );
    if (nodes.length === 0) return undefined;
    // One pass over the pods: per node, pods of the same owner and pods in all.
    const counts = new Map<string, [number, number]>();
    for (const p of this.store.peekAll("pods") as Pod[]) {
      if (p.metadata.deletionTimestamp || !p.spec.nodeName) continue;
      const c = counts.get(p.spec.nodeName) ?? [0, 0];
      if (controllerOf(p)?.name.startsWith(ownerPrefix)) c[0]++;
      c[1]++;
      counts.set(p.spec.nodeName, c);
    }
    const load = (name: string) => counts.get(name) ?? [0, 0];
    return nodes
      .map((n) => ({ name: n.metadata.name, load: load(n.metadata.name) }))
      .sort((a, b) => a.load[0] - b.load[0] || a.load[1] - b.load[1] || a.name.localeCompare(b.name))[0]!.name;
  }

  reconcile(opts: { settled?: boolean } = {}): void {
    const s = this.store;
    const nodes = s.peekAll("nodes") as KNode[];
    for (const node of nodes) {
      const n = this.c.simNode(node.metadata.name);
      if (n) this.mirrorPods(n, node);
    }
    // DaemonSets: one current pod per node; an outdated one is replaced.
    for (const ds of s.peekAll("daemonsets") as Workload[]) {
      const hash = templateHash(ds.spec.template);
      const byNode = new Map<string, Pod[]>();
      for (const p of this.podsOf(ds)) {
        if (p.metadata.deletionTimestamp || !p.spec.nodeName) continue;
        const list = byNode.get(p.spec.nodeName);
        if (list) list.push(p);
        else byNode.set(p.spec.nodeName, [p]);
      }
      for (const node of nodes) {
        const mine = byNode.get(node.metadata.name) ?? [];
        for (const old of mine.filter((p) => p.metadata.labels?.["controller-revision-hash"] !== hash)) this.terminate(old, 0);
        if (!mine.some((p) => p.metadata.labels?.["controller-revision-hash"] === hash)) this.createPod(ds, node.metadata.name, opts.settled);
      }
    }
    // Deployments: replace outdated pods, keep `replicas` live ones.
    for (const d of s.peekAll("deployments") as Workload[]) {
      const hash = templateHash(d.spec.template);
      const live = this.podsOf(d).filter((p) => !p.metadata.deletionTimestamp);
      for (const old of live.filter((p) => p.metadata.labels?.["pod-template-hash"] !== hash)) this.terminate(old, undefined);
      const current = live.filter((p) => p.metadata.labels?.["pod-template-hash"] === hash);
      const want = d.spec.replicas ?? 1;
      for (let i = current.length; i < want; i++) this.createPod(d, this.pickNode(d.spec.template.spec as Pod["spec"], `${d.metadata.name}-`), opts.settled);
      for (const extra of current.slice(want)) this.terminate(extra, undefined);
    }
    // Scheduling, start, readiness.
    for (const p of s.peekAll("pods") as Pod[]) {
      if (p.metadata.deletionTimestamp) continue;
      if (!p.spec.nodeName) {
        const owner = controllerOf(p);
        const target = this.pickNode(p.spec, owner ? `${owner.name.replace(/-[^-]+$/, "")}-` : p.metadata.name);
        if (target) {
          s.update("pods", p.metadata.namespace, p.metadata.name, (o) => {
            (o as Pod).spec.nodeName = target;
            (o as Pod).status.conditions = [{ type: "PodScheduled", status: "True", lastProbeTime: null, lastTransitionTime: rfc3339(this.c.clock.now()) }];
          });
          this.startPod(p, opts.settled);
        }
        continue;
      }
      if (p.status.phase === "Pending" && this.c.nodeReady(p.spec.nodeName)) this.startPod(p, opts.settled);
      this.syncPodReadiness(p);
    }
    this.syncWorkloadStatus();
    this.syncPdbs();
  }

  /** Whether a pod is Ready now: running, on a Ready node, and (a static pod) not restarting. */
  private readiness(p: Pod): { ready: boolean; restarting: boolean } {
    const n = this.c.simNode(p.spec.nodeName ?? "");
    const component = p.metadata.annotations?.[MIRROR_ANNOTATION] ? p.metadata.labels?.["k8s-app"] : undefined;
    const restarting = n && component ? this.c.nodeState(n).staticRestarting.has(component) : false;
    return { ready: p.status.phase === "Running" && n !== undefined && this.c.nodeReady(n.hostname) && !restarting, restarting };
  }

  /** Sets a pod's conditions and container statuses from its readiness (the kubelet's status). */
  private fillStatus(q: Pod): void {
    const { ready, restarting } = this.readiness(q);
    const now = rfc3339(this.c.clock.now());
    const want = ready ? "True" : "False";
    const cur = q.status.conditions?.find((c) => c.type === "Ready");
    const t = cur?.status === want ? cur.lastTransitionTime : now;
    const cond = (type: string, status: "True" | "False") => ({ type, status, lastProbeTime: null, lastTransitionTime: type === "Ready" || type === "ContainersReady" ? t : now });
    q.status.conditions = [
      cond("PodReadyToStartContainers", q.status.phase === "Running" ? "True" : "False"),
      cond("Initialized", "True"),
      cond("Ready", want),
      cond("ContainersReady", want),
      cond("PodScheduled", "True"),
    ];
    q.status.containerStatuses = q.spec.containers.map((c) => ({
      name: c.name,
      image: c.image,
      imageID: `${c.image.split(":")[0]}@sha256:${templateHash(c.image).padEnd(64, "0")}`,
      ready,
      started: q.status.phase === "Running",
      restartCount: 0,
      state: q.status.phase === "Running" && !restarting ? { running: { startedAt: q.status.startTime ?? now } } : { waiting: { reason: "ContainerCreating" } },
    }));
  }

  private syncPodReadiness(p: Pod): void {
    const want = this.readiness(p).ready ? "True" : "False";
    const cur = p.status.conditions?.find((c) => c.type === "Ready");
    const images = p.spec.containers.map((c) => c.image).join(",");
    const seen = (p.status.containerStatuses as { image?: string }[] | undefined)?.map((c) => c.image).join(",");
    if (cur?.status === want && seen === images) return;
    this.store.update("pods", p.metadata.namespace, p.metadata.name, (o) => this.fillStatus(o as Pod));
  }

  private syncWorkloadStatus(): void {
    for (const resource of ["deployments", "daemonsets"] as const) {
      for (const w of this.store.peekAll(resource) as Workload[]) {
        const hash = templateHash(w.spec.template);
        const label = resource === "deployments" ? "pod-template-hash" : "controller-revision-hash";
        const pods = this.podsOf(w).filter((p) => !p.metadata.deletionTimestamp);
        const ready = pods.filter((p) => podReady(p)).length;
        const updated = pods.filter((p) => p.metadata.labels?.[label] === hash).length;
        const gen = w.metadata.generation ?? 1;
        const status =
          resource === "deployments"
            ? { observedGeneration: gen, replicas: pods.length, updatedReplicas: updated, readyReplicas: ready, availableReplicas: ready, ...(pods.length - ready > 0 ? { unavailableReplicas: pods.length - ready } : {}) }
            : { observedGeneration: gen, currentNumberScheduled: pods.length, desiredNumberScheduled: this.store.peekAll("nodes").length, numberMisscheduled: 0, numberReady: ready, updatedNumberScheduled: updated, numberAvailable: ready, ...(pods.length - ready > 0 ? { numberUnavailable: pods.length - ready } : {}) };
        this.store.update(resource, w.metadata.namespace, w.metadata.name, (o) => {
          o.status = status;
        });
      }
    }
  }

  /** PDB status as the disruption controller computes it. */
  pdbStatus(b: Readonly<Pdb>): Pdb["status"] {
    // policy/v1: a PDB without a selector covers no pod (an empty one covers the namespace).
    const pods = b.spec.selector === undefined ? [] : (this.store.peekAll("pods", b.metadata.namespace) as Pod[]).filter((p) => !p.metadata.deletionTimestamp && matchesLabelSelector(b.spec.selector, p.metadata.labels));
    const healthy = pods.filter((p) => podReady(p)).length;
    // Expected pods: the scale of the pods' controllers (a Deployment's replicas), else the pod count.
    const owners = new Map<string, number>();
    for (const p of pods) {
      const ref = controllerOf(p);
      const d = ref?.kind === "ReplicaSet" ? (this.store.peekAll("deployments", b.metadata.namespace) as Workload[]).find((x) => ref.name.startsWith(`${x.metadata.name}-`)) : undefined;
      owners.set(d ? d.metadata.uid : p.metadata.uid, d ? (d.spec.replicas ?? 1) : 1);
    }
    const expected = b.spec.maxUnavailable !== undefined ? [...owners.values()].reduce((a, n) => a + n, 0) : pods.length;
    const desired = b.spec.maxUnavailable !== undefined ? Math.max(0, expected - scaled(b.spec.maxUnavailable, expected)) : scaled(b.spec.minAvailable ?? 0, expected);
    const allowed = Math.max(0, healthy - desired);
    return {
      observedGeneration: b.metadata.generation ?? 1,
      disruptionsAllowed: allowed,
      currentHealthy: healthy,
      desiredHealthy: desired,
      expectedPods: expected,
      conditions: [
        allowed > 0
          ? { type: "DisruptionAllowed", status: "True", reason: "SufficientPods", message: "", lastTransitionTime: rfc3339(this.c.clock.now()) }
          : { type: "DisruptionAllowed", status: "False", reason: "InsufficientPods", message: "", lastTransitionTime: rfc3339(this.c.clock.now()) },
      ],
    };
  }

  private syncPdbs(): void {
    for (const b of this.store.peekAll("poddisruptionbudgets") as Pdb[]) {
      const next = this.pdbStatus(b);
      const cur = b.status;
      const same = cur.disruptionsAllowed === next.disruptionsAllowed && cur.currentHealthy === next.currentHealthy && cur.desiredHealthy === next.desiredHealthy && cur.expectedPods === next.expectedPods && cur.observedGeneration === next.observedGeneration;
      if (same) continue;
      this.store.update("poddisruptionbudgets", b.metadata.namespace, b.metadata.name, (o) => {
        const prevCond = (cur.conditions ?? [])[0];
        if (prevCond && prevCond.status === next.conditions![0]!.status) next.conditions = [prevCond];
        o.status = next;
      });
    }
  }
}
