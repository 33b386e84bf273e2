/**
 * The life of one simulated Talos node: identity, power and stage (MachineStatusEvent stages
 * through boot, reboot and shutdown), config slots, derived status (services, etcd membership),
 * the event buffer and COSI versions. No I/O: timers come from an injected clock, and the fleet
 * learns about changes through hooks (open/close the gRPC listener, timeline, COSI watches). What
 * clients ask a node to do (apply, upgrade) and fault injection are in ./node-state.ts.
 */
import crypto from "node:crypto";

import { PhaseEvent_Action, SequenceEvent_Action, ServiceStateEvent_Action } from "../third_party/talos-proto/gen/machine/machine";
import type { Clock } from "../utils/clock";
import { TimerSet } from "./clock";
import { failedPrecondition } from "./errors";
import { encodeEvent, EventRing, type EventPayload, newXid, type RuntimeEvent } from "./events";
import { etcdState, type EtcdClusterState } from "./etcd-ops";
import type { NodeFaults } from "./faults";
import { NodeLogs } from "./logs";
import { STAGE_NUMBER, type ClusterContext, type MachineStatusView, type NodeHooks, type NodeRole, type NodeTiming, type ServiceStatus, type SimNodeInit, type Stage, type TimelineEntry } from "./node-types";
import { mustParseTalosVersion } from "../talos/version";
import { serviceStartEvents, servicesAt } from "./node-services";

function hashBytes(s: string): Buffer {
  return crypto.createHash("sha256").update(s).digest();
}

const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

export abstract class NodeLifecycle<N extends NodeLifecycle<N>> {
  readonly id: string;
  readonly hostname: string;
  readonly address: string;
  port: number;
  readonly role: NodeRole;
  readonly cluster: ClusterContext<N>;
  /** Discovery node id (Members spec), 43 base62 chars like Talos's. */
  readonly nodeId: string;
  /** etcd member id as a decimal uint64 string (control planes); a new one when it rejoins etcd. */
  etcdMemberId: string;
  readonly timing: NodeTiming;
  /** Service ids of the node's system extensions (`ext-<name>`). */
  readonly extensionServiceIds: string[];

  runningVersion: string;
  /** What the bootloader boots next; differs from runningVersion after a LifecycleService upgrade. */
  installedVersion: string;
  /** The other bootloader entry, for Rollback. */
  previousVersion: string | undefined;

  stage: Stage = "running";
  /** After boot, the node becomes ready `readyMs` later. */
  private bootReady = true;
  /** False while rebooting (after the listener closed), shut down, or lost (never-returns). */
  powered = true;
  /** Shut down, halted by a reset, or lost (never-returns): only power-on or clearing faults brings it back. */
  protected poweredOff = false;
  bootId: string = crypto.randomUUID();
  bootTime: number;

  /** null = the pristine generated config. */
  protected runningConfig: string | null = null;
  protected persistentConfig: string | null = null;
  private hashCache: { text: string | null; hash: string } | undefined;
  protected cancelTryRevert: (() => void) | undefined;
  protected rebootPending = false;

  faults: NodeFaults = {};
  /** Service logs and the kernel ring (./logs.ts), emptied by each boot. */
  readonly logs: NodeLogs;
  /** Services whose state an API call changed (ServiceStop/Start/Restart), until the next boot. */
  protected serviceOverrides = new Map<string, ServiceStatus>();
  private readonly ring: EventRing;
  private readonly eventSubs = new Set<(e: RuntimeEvent) => void>();
  /** Aborts for streams that must end when this node becomes unreachable. */
  private readonly downSubs = new Set<() => void>();
  protected readonly timers: TimerSet;
  protected readonly clock: Clock;
  protected readonly hooks: NodeHooks<N>;
  private lastStatusKey = "";
  private lastStage: Stage = "running";
  private lastReady = true;
  protected serviceChange: number;
  /** COSI metadata.version per resource key, bumped when the rendered spec changes. */
  private resVersions: Map<string, { v: number; key: string; updated: number }> | undefined;
  readonly created: number;

  /** This node as the concrete class the fleet's hooks and the cluster's peers are typed with. */
  protected abstract self(): N;

  constructor(init: SimNodeInit<N>) {
    this.id = init.id;
    this.hostname = init.hostname;
    this.address = init.address;
    this.port = init.port;
    this.role = init.role;
    this.cluster = init.cluster;
    this.clock = init.clock;
    this.timing = init.timing;
    this.hooks = init.hooks;
    this.extensionServiceIds = (init.extensionServices ?? []).map((e) => `ext-${e}`);
    this.timers = new TimerSet(init.clock);
    this.ring = new EventRing(init.eventCapacity ?? 200);
    mustParseTalosVersion(init.version);
    this.runningVersion = init.version;
    this.installedVersion = init.version;
    this.target = init.target ?? init.address;
    const h = hashBytes(`${init.cluster.name}/${init.hostname}`);
    let n = BigInt("0x" + h.subarray(0, 8).toString("hex"));
    this.etcdMemberId = n.toString();
    let id = "";
    n = BigInt("0x" + h.toString("hex"));
    for (let i = 0; i < 43; i++) {
      id += BASE62[Number(n % 62n)];
      n /= 62n;
    }
    this.nodeId = id;
    const now = this.clock.now();
    // A node that has been up for a while (a few hours, spread per node).
    this.bootTime = now - (3_600_000 + (h.readUInt32BE(8) % 86_400_000));
    this.created = this.bootTime;
    this.serviceChange = this.bootTime + 30_000;
    this.lastStatusKey = this.statusKey(this.machineStatus());
    this.logs = new NodeLogs(this.clock, { hostname: this.hostname, address: this.address });
    this.logs.boot(this.bootTime, this.runningVersion, this.services().map((s) => s.id));
    this.seedBootEvents();
  }

  /** The name clients put in `node` metadata, also used in the timeline. */
  readonly target: string;

  /** Whether the node's apid accepts connections. */
  get reachable(): boolean {
    return this.powered && !this.faults.down;
  }

  get etcdMemberIdHex(): string {
    return BigInt(this.etcdMemberId).toString(16).padStart(16, "0");
  }

  // ---------------------------------------------------------------------------------------
  // Config
  // ---------------------------------------------------------------------------------------

  runningConfigText(): string {
    return this.runningConfig ?? this.renderPristine();
  }

  persistentConfigText(): string {
    return this.persistentConfig ?? this.renderPristine();
  }

  private renderPristine(): string {
    return this.cluster.pristineConfig(this);
  }

  /** sha256 of the running config. */
  get configHash(): string {
    if (!this.hashCache || this.hashCache.text !== this.runningConfig) {
      this.hashCache = { text: this.runningConfig, hash: hashBytes(this.runningConfigText()).toString("hex") };
    }
    return this.hashCache.hash;
  }

  // ---------------------------------------------------------------------------------------
  // Derived status
  // ---------------------------------------------------------------------------------------

  get unhealthyService(): string | undefined {
    return this.faults.unhealthy?.service;
  }

  machineStatus(): MachineStatusView {
    const stage = this.stage;
    if (stage === "booting") {
      return {
        stage,
        ready: false,
        unmetConditions: [
          { name: "services", reason: `some services are not running: ${this.role === "controlplane" ? "etcd, kubelet" : "kubelet"}` },
          { name: "nodeReady", reason: "node not ready" },
        ],
      };
    }
    if (stage !== "running") return { stage, ready: false, unmetConditions: [] };
    const unmet: { name: string; reason: string }[] = [];
    // MachineStatusController.servicesCheck: "<id> not running" / "<id> not healthy" (health-checked ones).
    const problems = this.services().flatMap((s) => (!s.running ? [`${s.id} not running`] : !s.unknown && !s.healthy ? [`${s.id} not healthy`] : []));
    if (problems.length) unmet.push({ name: "services", reason: problems.join(", ") });
    if (!this.bootReady) {
      if (this.role === "controlplane") unmet.push({ name: "staticPods", reason: "static pods are not healthy: kube-apiserver" });
      unmet.push({ name: "nodeReady", reason: "node not ready" });
    } else if (this.faults.kubeletNotReady) {
      // Talos's nodeReady condition is the Kubernetes Node's Ready.
      unmet.push({ name: "nodeReady", reason: "node not ready" });
    }
    return { stage, ready: unmet.length === 0, unmetConditions: unmet };
  }

  get ready(): boolean {
    return this.machineStatus().ready;
  }

  /** The services and their state, at `stage` (default: the node's now). */
  services(stage: Stage = this.stage): ServiceStatus[] {
    return servicesAt(stage, {
      role: this.role,
      extensionServiceIds: this.extensionServiceIds,
      overrides: this.serviceOverrides,
      etcdRemoved: this.etcdRemoved,
      unhealthyService: this.unhealthyService,
    });
  }

  get serviceLastChange(): number {
    return this.serviceChange;
  }

  /** This control plane's etcd member is up and healthy. */
  get etcdHealthy(): boolean {
    return this.role === "controlplane" && this.reachable && this.stage === "running" && this.unhealthyService !== "etcd" && !this.etcdRemoved && this.serviceOverrides.get("etcd") === undefined;
  }

  /** The cluster's etcd bookkeeping (./etcd-ops.ts): revision, DB sizes, alarms, removed members. */
  get etcd(): EtcdClusterState {
    return etcdState(this.cluster, () => Math.min(this.created, ...this.cluster.nodes.filter((n) => n.role === "controlplane").map((n) => n.created)));
  }

  /** This member was removed from etcd (EtcdRemoveMemberByID, or it left on a graceful reset). */
  get etcdRemoved(): boolean {
    return this.role === "controlplane" && this.etcd.removed.has(this.etcdMemberId);
  }

  /** The etcd members: control planes not removed from etcd. */
  controlPlanes(): N[] {
    return this.cluster.nodes.filter((n) => n.role === "controlplane" && !n.etcdRemoved);
  }

  /** The etcd leader's member id ("0" when there is no quorum-holding leader). */
  etcdLeaderId(): string {
    const cps = this.controlPlanes();
    const healthy = cps.filter((n) => n.etcdHealthy);
    if (healthy.length * 2 <= cps.length) return "0";
    const preferred = healthy.find((n) => n.etcdMemberId === this.cluster.etcdLeader);
    return (preferred ?? healthy[0]!).etcdMemberId;
  }

  /** Why the cluster's etcd is not healthy, or undefined when it is. */
  etcdProblem(): string | undefined {
    const sick = this.controlPlanes().filter((n) => !n.etcdHealthy);
    if (sick.length === 0) return undefined;
    return sick.map((n) => `member ${n.hostname} (${n.etcdMemberIdHex}) is not healthy`).join("; ");
  }

  // ---------------------------------------------------------------------------------------
  // Events
  // ---------------------------------------------------------------------------------------

  emit(payload: EventPayload, actorId = ""): void {
    const now = this.clock.now();
    const { typeUrl, value } = encodeEvent(payload);
    const ev: RuntimeEvent = { id: newXid(now), time: now, actorId, typeUrl, value };
    this.ring.push(ev);
    for (const sub of this.eventSubs) sub(ev);
  }

  bufferedEvents(opts: { tailEvents: number; tailId: string; tailSeconds: number }): RuntimeEvent[] {
    return this.ring.select({ ...opts, now: this.clock.now() });
  }

  subscribeEvents(fn: (e: RuntimeEvent) => void): () => void {
    this.eventSubs.add(fn);
    return () => this.eventSubs.delete(fn);
  }

  /** Registers a callback run once when the node becomes unreachable (reboot, down fault…). */
  onUnreachable(fn: () => void): () => void {
    this.downSubs.add(fn);
    return () => this.downSubs.delete(fn);
  }

  private seedBootEvents(): void {
    this.emit({ kind: "sequence", sequence: "boot", action: SequenceEvent_Action.START });
    for (const s of this.services()) {
      this.emit({ kind: "service", service: s.id, action: ServiceStateEvent_Action.RUNNING, message: "Service started as goroutine", health: this.healthOf(s) });
    }
    this.emit({ kind: "sequence", sequence: "boot", action: SequenceEvent_Action.STOP });
    const st = this.machineStatus();
    this.emit({ kind: "machineStatus", stage: STAGE_NUMBER[st.stage], ready: st.ready, unmetConditions: st.unmetConditions });
  }

  private startServices(list: ServiceStatus[]): void {
    for (const e of serviceStartEvents(list, this.clock.now())) this.emit(e);
  }

  private healthOf(s: ServiceStatus) {
    return { unknown: s.unknown, healthy: s.healthy, lastMessage: s.message, lastChange: new Date(this.serviceChange) };
  }

  // ---------------------------------------------------------------------------------------
  // Status propagation
  // ---------------------------------------------------------------------------------------

  private statusKey(s: MachineStatusView): string {
    return JSON.stringify(s);
  }

  /** Emits MachineStatusEvent, timeline entries and COSI updates if the derived status changed. */
  protected statusChanged(actorId = ""): void {
    const st = this.machineStatus();
    const key = this.statusKey(st);
    if (key === this.lastStatusKey) return;
    this.lastStatusKey = key;
    this.serviceChange = this.clock.now();
    this.emit({ kind: "machineStatus", stage: STAGE_NUMBER[st.stage], ready: st.ready, unmetConditions: st.unmetConditions }, actorId);
    if (st.stage !== this.lastStage) this.record({ event: "stage", stage: st.stage, version: this.runningVersion });
    else if (st.ready !== this.lastReady) this.record({ event: st.ready ? "ready" : "not-ready", stage: st.stage });
    this.lastStage = st.stage;
    this.lastReady = st.ready;
    this.hooks.resourcesChanged(this.self());
  }

  protected setStage(stage: Stage, actorId = ""): void {
    this.stage = stage;
    this.statusChanged(actorId);
  }

  record(e: Omit<TimelineEntry, "time" | "node" | "hostname">): void {
    this.hooks.timeline({ time: this.clock.now(), node: this.target, hostname: this.hostname, ...e });
  }

  private setPowered(on: boolean): void {
    const was = this.reachable;
    this.powered = on;
    this.afterReachability(was);
  }

  protected afterReachability(was: boolean): void {
    if (was && !this.reachable) {
      const subs = [...this.downSubs];
      this.downSubs.clear();
      for (const fn of subs) fn();
    }
    this.hooks.listenChanged(this.self());
    // etcd health of the peers' view depends on this node.
    for (const peer of this.cluster.nodes) if (peer !== this.self()) peer.hooks.resourcesChanged(peer);
  }

  // ---------------------------------------------------------------------------------------
  // Reboot / boot / shutdown
  // ---------------------------------------------------------------------------------------

  get busyRebooting(): boolean {
    return this.rebootPending;
  }

  /** Reboot: REBOOTING, listener closed for rebootMs, then boot. */
  reboot(actorId: string, opts: { sequenceStarted?: boolean } = {}): void {
    if (this.rebootPending) throw failedPrecondition("reboot is already in progress");
    this.rebootPending = true;
    this.cancelTryRevert?.();
    this.cancelTryRevert = undefined;
    if (!opts.sequenceStarted) this.emit({ kind: "sequence", sequence: "reboot", action: SequenceEvent_Action.START }, actorId);
    this.setStage("rebooting", actorId);
    for (const phase of ["cleanup", "dbus", "stopEverything", "reboot"]) {
      this.emit({ kind: "phase", phase, action: PhaseEvent_Action.START }, actorId);
      this.emit({ kind: "phase", phase, action: PhaseEvent_Action.STOP }, actorId);
    }
    this.timers.after(this.timing.closeDelayMs, () => {
      this.setPowered(false);
      this.timers.after(this.timing.rebootMs, () => {
        this.rebootPending = false;
        if (this.faults.neverReturns) {
          this.poweredOff = true;
          this.record({ event: "lost", detail: "never-returns fault: the node did not come back" });
          return;
        }
        this.boot();
      });
    });
  }

  /** Where a boot ends: running, or maintenance mode when the node has no config (after a reset). */
  protected bootStage(): Stage {
    return "running";
  }

  /** Power-on path: new boot ID, staged config and installed version take effect. */
  boot(): void {
    this.poweredOff = false;
    this.ring.clear();
    this.serviceOverrides.clear();
    this.bootId = crypto.randomUUID();
    this.bootTime = this.clock.now();
    this.logs.boot(this.bootTime, this.installedVersion, this.services().map((s) => s.id));
    if (this.runningVersion !== this.installedVersion) {
      this.runningVersion = this.installedVersion;
      for (const peer of this.cluster.nodes) if (peer !== this.self()) peer.hooks.resourcesChanged(peer);
    }
    // STAGED configs take effect, TRY configs are gone: the node boots from the persisted config.
    this.runningConfig = this.persistentConfig;
    this.bootReady = false;
    this.stage = "booting";
    this.emit({ kind: "sequence", sequence: "boot", action: SequenceEvent_Action.START });
    this.statusChanged();
    this.setPowered(true);
    // What runs while booting (apid answers from here on) started with the boot.
    this.startServices(this.services().filter((s) => s.running));
    this.timers.after(this.timing.bootMs, () => {
      // The boot sequence's startEverything phase waits for every service to be up (running, and
      // healthy where checked) before the sequence stops and the stage becomes RUNNING.
      const early = new Set(this.services().filter((s) => s.running).map((s) => s.id));
      this.startServices(this.services(this.bootStage()).filter((s) => !early.has(s.id) && s.running));
      this.emit({ kind: "sequence", sequence: "boot", action: SequenceEvent_Action.STOP });
      this.setStage(this.bootStage());
      this.timers.after(this.timing.readyMs, () => {
        this.bootReady = true;
        this.statusChanged();
      });
    });
  }

  /** Shutdown: SHUTTING_DOWN, Talos's drain unless `force`, then powered off. */
  shutdown(actorId: string, opts: { force?: boolean } = {}): void {
    if (this.rebootPending) throw failedPrecondition("reboot is already in progress");
    this.rebootPending = true;
    this.emit({ kind: "sequence", sequence: "shutdown", action: SequenceEvent_Action.START }, actorId);
    this.setStage("shutting down", actorId);
    this.record({ event: "shutdown" });
    const drained = opts.force ? Promise.resolve() : (this.hooks.drain?.(this.self()) ?? Promise.resolve());
    void drained.then(() => {
      this.timers.after(this.timing.closeDelayMs, () => {
        this.rebootPending = false;
        this.poweredOff = true;
        this.setPowered(false);
      });
    });
  }

  // ---------------------------------------------------------------------------------------
  // COSI bookkeeping
  // ---------------------------------------------------------------------------------------

  /** metadata.version/updated for a resource, bumped whenever its rendered content changes. */
  resourceVersion(key: string, content: string): { version: number; updated: number } {
    this.resVersions ??= new Map();
    const cur = this.resVersions.get(key);
    if (!cur) {
      const entry = { v: 1, key: content, updated: this.created };
      this.resVersions.set(key, entry);
      return { version: 1, updated: entry.updated };
    }
    if (cur.key !== content) {
      cur.v += 1;
      cur.key = content;
      cur.updated = this.clock.now();
    }
    return { version: cur.v, updated: cur.updated };
  }

  now(): number {
    return this.clock.now();
  }

  /** Cancels timers and subscriptions (fleet stop). */
  dispose(): void {
    this.timers.clear();
    this.eventSubs.clear();
    this.downSubs.clear();
    this.logs.dispose();
  }
}
