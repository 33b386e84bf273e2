/**
 * One simulated Talos node: its lifecycle state machine (MachineStatusEvent stages through apply, upgrade and reboot), config slots, faults,
 * services, etcd membership and event buffer. No I/O: timers come from an injected clock, and the
 * fleet learns about changes through hooks (open/close the gRPC listener, timeline, COSI watches).
 */
import crypto from "node:crypto";

import {
  MachineStatusEvent_MachineStage as MStage,
  PhaseEvent_Action,
  SequenceEvent_Action,
  ServiceStateEvent_Action,
  type ApplyConfigurationRequest_Mode,
} from "../third_party/talos-proto/gen/machine/machine";
import { renderNodeConfig } from "../talos/generate/config";
import type { Clock } from "../utils/clock";
import { TimerSet } from "./clock";
import {
  ApplyMode,
  canApplyImmediately,
  configDiff,
  dryRunDetails,
  loadConfig,
  type LoadedConfig,
  modeDetails,
  resolveMode,
} from "./config-apply";
import { failedPrecondition, invalidArgument, SimError } from "./errors";
import { encodeEvent, EventRing, type EventPayload, newXid, type RuntimeEvent } from "./events";
import type { FaultSpec, NodeFaults } from "./faults";
import { compareTalosVersions, isTalosTag } from "../talos/version";
import { minimumUpgradeSource, versionFromImage } from "../talos/upgrade";
import { status as grpcStatus } from "@grpc/grpc-js";

export type NodeRole = "controlplane" | "worker";

/** Stage names as Talos renders them (`stage: running` in MachineStatus YAML). */
export type Stage = "unknown" | "booting" | "installing" | "maintenance" | "running" | "rebooting" | "shutting down" | "resetting" | "upgrading";

export const STAGE_NUMBER: Record<Stage, MStage> = {
  unknown: MStage.UNKNOWN,
  booting: MStage.BOOTING,
  installing: MStage.INSTALLING,
  maintenance: MStage.MAINTENANCE,
  running: MStage.RUNNING,
  rebooting: MStage.REBOOTING,
  "shutting down": MStage.SHUTTING_DOWN,
  resetting: MStage.RESETTING,
  upgrading: MStage.UPGRADING,
};

export interface TimelineEntry {
  time: number;
  /** The node's address (its hostname in `ports` mode, where every address is 127.0.0.1). */
  node: string;
  hostname: string;
  event: string;
  stage?: string;
  version?: string;
  mode?: string;
  detail?: string;
}

export interface NodeTiming {
  rebootMs: number;
  bootMs: number;
  readyMs: number;
  /** Time a legacy upgrade spends in UPGRADING, and a LifecycleService install takes. */
  upgradeMs: number;
  applyMs: number;
  dryRunMs: number;
  /** Delay between answering Reboot and closing the listener, so the reply reaches the caller. */
  closeDelayMs: number;
}

export interface NodeHooks {
  /** `reachable` may have changed: open or close the node's listener. */
  listenChanged(node: SimNode): void;
  timeline(entry: TimelineEntry): void;
  /** Something COSI-visible changed on this node. */
  resourcesChanged(node: SimNode): void;
}

/** What the node needs from its cluster. */
export interface ClusterContext {
  name: string;
  nodes: SimNode[];
  kubernetesVersion: string;
  /** The pristine config template for a role and Talos version (placeholders unfilled). */
  template(role: NodeRole, version: string): string;
}

export interface ServiceStatus {
  id: string;
  state: string;
  running: boolean;
  healthy: boolean;
  unknown: boolean;
  message: string;
}

export interface MachineStatusView {
  stage: Stage;
  ready: boolean;
  unmetConditions: { name: string; reason: string }[];
}

const CP_SERVICES = ["apid", "auditd", "containerd", "cri", "dashboard", "etcd", "kubelet", "machined", "syslogd", "trustd", "udevd"];
const WORKER_SERVICES = CP_SERVICES.filter((s) => s !== "etcd" && s !== "trustd");
const HEALTH_CHECKED = new Set(["apid", "containerd", "cri", "etcd", "kubelet", "trustd"]);
const EARLY_SERVICES = new Set(["apid", "auditd", "containerd", "dashboard", "machined", "syslogd", "trustd", "udevd"]);

function hashBytes(s: string): Buffer {
  return crypto.createHash("sha256").update(s).digest();
}

const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

export interface SimNodeInit {
  id: string;
  hostname: string;
  address: string;
  port: number;
  role: NodeRole;
  version: string;
  cluster: ClusterContext;
  clock: Clock;
  timing: NodeTiming;
  hooks: NodeHooks;
  /** Events kept per node (machined's ring buffer). */
  eventCapacity?: number;
  /** Name used in the timeline; default the address (the fleet passes the hostname in ports mode). */
  target?: string;
}

export class SimNode {
  readonly id: string;
  readonly hostname: string;
  readonly address: string;
  port: number;
  readonly role: NodeRole;
  readonly cluster: ClusterContext;
  /** Discovery node id (Members spec), 43 base62 chars like Talos's. */
  readonly nodeId: string;
  /** etcd member id as a decimal uint64 string (control planes). */
  readonly etcdMemberId: string;
  readonly timing: NodeTiming;

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
  /** Shut down, or did not come back from a reboot: only clearing faults brings it back. */
  private poweredOff = false;
  bootId: string = crypto.randomUUID();
  bootTime: number;

  /** null = the pristine generated config. */
  private runningConfig: string | null = null;
  private persistentConfig: string | null = null;
  private hashCache: { text: string | null; hash: string } | undefined;
  private cancelTryRevert: (() => void) | undefined;
  private applyInProgress = false;
  private installInProgress = false;
  private rebootPending = false;

  faults: NodeFaults = {};
  private readonly ring: EventRing;
  private readonly eventSubs = new Set<(e: RuntimeEvent) => void>();
  /** Aborts for streams that must end when this node becomes unreachable. */
  private readonly downSubs = new Set<() => void>();
  private readonly timers: TimerSet;
  private readonly clock: Clock;
  private readonly hooks: NodeHooks;
  private lastStatusKey = "";
  private lastStage: Stage = "running";
  private lastReady = true;
  private serviceChange: number;
  /** COSI metadata.version per resource key, bumped when the rendered spec changes. */
  private resVersions: Map<string, { v: number; key: string; updated: number }> | undefined;
  readonly created: number;

  constructor(init: SimNodeInit) {
    this.id = init.id;
    this.hostname = init.hostname;
    this.address = init.address;
    this.port = init.port;
    this.role = init.role;
    this.cluster = init.cluster;
    this.clock = init.clock;
    this.timing = init.timing;
    this.hooks = init.hooks;
    this.timers = new TimerSet(init.clock);
    this.ring = new EventRing(init.eventCapacity ?? 200);
    if (!isTalosTag(init.version)) throw new Error(`invalid Talos version ${JSON.stringify(init.version)} (expected vX.Y.Z)`);
    this.runningVersion = init.version;
    this.installedVersion = init.version;
    this.templateVersion = init.version;
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

  /** The version whose template generated this node's initial config (fixed at creation). */
  private readonly templateVersion: string;

  runningConfigText(): string {
    return this.runningConfig ?? this.renderPristine();
  }

  persistentConfigText(): string {
    return this.persistentConfig ?? this.renderPristine();
  }

  private renderPristine(): string {
    return renderNodeConfig(this.cluster.template(this.role, this.templateVersion), this);
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
    if (this.unhealthyService) unmet.push({ name: "services", reason: `some services are not healthy: ${this.unhealthyService}` });
    if (!this.bootReady) {
      if (this.role === "controlplane") unmet.push({ name: "staticPods", reason: "static pods are not healthy: kube-apiserver" });
      unmet.push({ name: "nodeReady", reason: "node not ready" });
    }
    return { stage, ready: unmet.length === 0, unmetConditions: unmet };
  }

  get ready(): boolean {
    return this.machineStatus().ready;
  }

  services(): ServiceStatus[] {
    const ids = this.role === "controlplane" ? CP_SERVICES : WORKER_SERVICES;
    return ids.map((id) => {
      const checked = HEALTH_CHECKED.has(id);
      const up = (state: string, healthy = true, message = "Health check successful"): ServiceStatus => ({
        id,
        state,
        running: state === "Running",
        healthy: checked && healthy && state === "Running",
        unknown: !checked,
        message: state === "Running" ? message : `Service ${state.toLowerCase()}`,
      });
      switch (this.stage) {
        case "booting":
          if (EARLY_SERVICES.has(id)) return up("Running");
          if (id === "cri") return up("Running");
          return { id, state: "Waiting", running: false, healthy: false, unknown: true, message: `Waiting for service "cri" to be "up"` };
        case "upgrading":
          return id === "etcd" || id === "kubelet" || id === "cri" ? up("Finished") : up("Running");
        case "rebooting":
        case "shutting down":
          return id === "machined" ? up("Running") : up("Finished");
        default:
          if (this.unhealthyService === id) return up("Running", false, "Health check failed: simulated fault");
          return up("Running");
      }
    });
  }

  get serviceLastChange(): number {
    return this.serviceChange;
  }

  /** This control plane's etcd member is up and healthy. */
  get etcdHealthy(): boolean {
    return this.role === "controlplane" && this.reachable && this.stage === "running" && this.unhealthyService !== "etcd";
  }

  controlPlanes(): SimNode[] {
    return this.cluster.nodes.filter((n) => n.role === "controlplane");
  }

  /** The etcd leader's member id ("0" when there is no quorum-holding leader). */
  etcdLeaderId(): string {
    const cps = this.controlPlanes();
    const healthy = cps.filter((n) => n.etcdHealthy);
    if (healthy.length * 2 <= cps.length) return "0";
    return healthy[0]!.etcdMemberId;
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
  private statusChanged(actorId = ""): void {
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
    this.hooks.resourcesChanged(this);
  }

  private setStage(stage: Stage, actorId = ""): void {
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

  private afterReachability(was: boolean): void {
    if (was && !this.reachable) {
      const subs = [...this.downSubs];
      this.downSubs.clear();
      for (const fn of subs) fn();
    }
    this.hooks.listenChanged(this);
    // etcd health of the peers' view depends on this node.
    for (const peer of this.cluster.nodes) if (peer !== this) peer.hooks.resourcesChanged(peer);
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

  /** Power-on path: new boot ID, staged config and installed version take effect. */
  boot(): void {
    this.poweredOff = false;
    this.ring.clear();
    this.bootId = crypto.randomUUID();
    this.bootTime = this.clock.now();
    if (this.runningVersion !== this.installedVersion) {
      this.runningVersion = this.installedVersion;
      for (const peer of this.cluster.nodes) if (peer !== this) peer.hooks.resourcesChanged(peer);
    }
    // STAGED configs take effect, TRY configs are gone: the node boots from the persisted config.
    this.runningConfig = this.persistentConfig;
    this.bootReady = false;
    this.stage = "booting";
    this.emit({ kind: "sequence", sequence: "boot", action: SequenceEvent_Action.START });
    this.statusChanged();
    this.setPowered(true);
    this.timers.after(this.timing.bootMs, () => {
      for (const s of this.services()) {
        if (EARLY_SERVICES.has(s.id) || s.id === "cri") continue;
        this.emit({ kind: "service", service: s.id, action: ServiceStateEvent_Action.STARTING, message: "Starting service" });
      }
      this.emit({ kind: "sequence", sequence: "boot", action: SequenceEvent_Action.STOP });
      this.setStage("running");
      for (const s of this.services()) {
        this.emit({ kind: "service", service: s.id, action: ServiceStateEvent_Action.RUNNING, message: "Service started", health: this.healthOf(s) });
      }
      this.timers.after(this.timing.readyMs, () => {
        this.bootReady = true;
        this.statusChanged();
      });
    });
  }

  shutdown(actorId: string): void {
    if (this.rebootPending) throw failedPrecondition("reboot is already in progress");
    this.rebootPending = true;
    this.emit({ kind: "sequence", sequence: "shutdown", action: SequenceEvent_Action.START }, actorId);
    this.setStage("shutting down", actorId);
    this.record({ event: "shutdown" });
    this.timers.after(this.timing.closeDelayMs, () => {
      this.rebootPending = false;
      this.poweredOff = true;
      this.setPowered(false);
    });
  }

  // ---------------------------------------------------------------------------------------
  // Apply
  // ---------------------------------------------------------------------------------------

  private delay(ms: number): Promise<void> {
    return new Promise((resolve) => this.timers.after(ms, resolve));
  }

  /**
   * ApplyConfiguration. One at a time (FailedPrecondition otherwise); takes applyMs so overlapping
   * calls are observable. Returns the reply fields.
   */
  async applyConfiguration(req: {
    data: Buffer;
    mode: ApplyConfigurationRequest_Mode;
    dryRun: boolean;
    tryTimeoutMs: number;
    actorId: string;
  }): Promise<{ mode: ApplyConfigurationRequest_Mode; modeDetails: string; warnings: string[] }> {
    if (this.applyInProgress) throw failedPrecondition("another apply configuration is already in progress");
    this.applyInProgress = true;
    try {
      await this.delay(req.dryRun ? this.timing.dryRunMs : this.timing.applyMs);
      if (this.faults.rejectApply) throw invalidArgument(this.faults.rejectApply.message);
      const text = req.data.toString("utf8");
      const next = loadConfig(text);
      const currentText = this.runningConfigText();
      let current: LoadedConfig | null = null;
      try {
        current = loadConfig(currentText);
      } catch {
        current = null;
      }
      if (current && current.machineType !== next.machineType && !(current.machineType !== "worker" && next.machineType !== "worker")) {
        throw invalidArgument(`1 error occurred:\n\t* machine type can't be changed from ${JSON.stringify(current.machineType)} to ${JSON.stringify(next.machineType)}\n\n`);
      }
      const mode = resolveMode(req.mode, this.runningVersion, canApplyImmediately(current, next));
      if (req.dryRun) {
        this.record({ event: "dry-run", mode: ApplyMode[mode] });
        return { mode, modeDetails: dryRunDetails(mode, req.tryTimeoutMs, configDiff(currentText, text)), warnings: [] };
      }
      this.applyEffects(mode, text, req.tryTimeoutMs, req.actorId);
      return { mode, modeDetails: modeDetails(mode, req.tryTimeoutMs), warnings: next.warnings };
    } finally {
      this.applyInProgress = false;
    }
  }

  private applyEffects(mode: ApplyConfigurationRequest_Mode, text: string, tryTimeoutMs: number, actorId: string): void {
    const requested = ApplyMode[mode];
    if (mode !== ApplyMode.TRY) {
      // Any later non-TRY apply cancels a pending try-mode rollback.
      this.cancelTryRevert?.();
      this.cancelTryRevert = undefined;
    }
    switch (mode) {
      case ApplyMode.STAGED:
        this.persistentConfig = text;
        break;
      case ApplyMode.TRY: {
        this.cancelTryRevert?.();
        this.runningConfig = text;
        this.cancelTryRevert = this.timers.after(tryTimeoutMs, () => {
          this.cancelTryRevert = undefined;
          this.runningConfig = this.persistentConfig;
          this.record({ event: "try-revert", mode: "TRY" });
          this.hooks.resourcesChanged(this);
        });
        break;
      }
      default:
        this.runningConfig = text;
        this.persistentConfig = text;
    }
    this.record({ event: "apply", mode: requested });
    this.hooks.resourcesChanged(this);
    if (mode === ApplyMode.REBOOT) this.timers.after(this.timing.closeDelayMs, () => this.rebootIfIdle(actorId));
  }

  private rebootIfIdle(actorId: string): void {
    if (!this.rebootPending && this.powered) this.reboot(actorId);
  }

  /** The persisted config differs from the running one (STAGED ahead, TRY behind). */
  get configsDiverge(): boolean {
    return this.runningConfig !== this.persistentConfig;
  }

  // ---------------------------------------------------------------------------------------
  // Upgrades
  // ---------------------------------------------------------------------------------------

  /** Validates an installer image for this node; returns the target version. */
  upgradeTarget(image: string): string {
    const target = versionFromImage(image);
    if (!target) throw invalidArgument(`error validating installer image ${JSON.stringify(image)}: the image tag is not a Talos version`);
    const min = minimumUpgradeSource(target);
    if (compareTalosVersions(this.runningVersion, min) < 0) {
      throw failedPrecondition(`upgrade from ${this.runningVersion} to ${target} is not supported: the minimum version to upgrade from is ${min}`);
    }
    return target;
  }

  /** Legacy MachineService/Upgrade: UPGRADING → REBOOTING → BOOTING → RUNNING on the new version. */
  legacyUpgrade(req: { image: string; preserve: boolean; stage: boolean; force: boolean }, actorId: string): void {
    if (!req.image) throw invalidArgument("image is required");
    if (this.installInProgress || this.stage === "upgrading") throw failedPrecondition("upgrade is already in progress");
    const target = this.upgradeTarget(req.image);
    if (this.role === "controlplane" && !req.force && !req.preserve) {
      const problem = this.etcdProblem();
      if (problem) throw failedPrecondition(`etcd is not healthy, refusing to upgrade (use force to override): ${problem}`);
    }
    const fails = this.faults.upgradeFails;
    if (fails?.mode === "error") {
      this.record({ event: "upgrade-failed", version: target, mode: "legacy", detail: "installer image validation failed" });
      throw new SimError(grpcStatus.INTERNAL, `error validating installer image ${JSON.stringify(req.image)}: simulated failure`);
    }
    this.installInProgress = true;
    this.record({ event: "upgrade", version: target, mode: req.stage ? "legacy-staged" : "legacy" });
    const sequence = req.stage ? "stageUpgrade" : "upgrade";
    this.timers.after(this.timing.closeDelayMs, () => {
      this.emit({ kind: "sequence", sequence, action: SequenceEvent_Action.START }, actorId);
      this.setStage("upgrading", actorId);
      for (const phase of ["denyNewServices", "drain", "cleanup", "dbus", "stopServices", "unmountUser"]) {
        this.emit({ kind: "phase", phase, action: PhaseEvent_Action.START }, actorId);
        this.emit({ kind: "phase", phase, action: PhaseEvent_Action.STOP }, actorId);
      }
      this.emit({ kind: "phase", phase: "upgrade", action: PhaseEvent_Action.START }, actorId);
      this.timers.after(this.timing.upgradeMs, () => {
        this.installInProgress = false;
        if (fails) {
          const error = `failed to run installer: exit status ${fails.exitCode}`;
          this.emit({ kind: "sequence", sequence, action: SequenceEvent_Action.STOP, error }, actorId);
          this.record({ event: "upgrade-failed", version: target, mode: "legacy", detail: error });
          this.setStage("running", actorId);
          return;
        }
        this.emit({ kind: "phase", phase: "upgrade", action: PhaseEvent_Action.STOP }, actorId);
        this.installed(target);
        this.emit({ kind: "phase", phase: "kexec", action: PhaseEvent_Action.START }, actorId);
        this.reboot(actorId, { sequenceStarted: true });
      });
    });
  }

  /** LifecycleService/Upgrade start: validates and takes the install lock. */
  beginInstall(image: string): string {
    if (!image) throw invalidArgument("image_name is required");
    if (this.installInProgress) throw failedPrecondition("another install or upgrade is already in progress");
    const target = this.upgradeTarget(image);
    this.installInProgress = true;
    this.record({ event: "upgrade", version: target, mode: "lifecycle" });
    return target;
  }

  /** LifecycleService/Upgrade end: on success the new version boots at the next reboot. */
  finishInstall(target: string, outcome: "ok" | "failed" | "aborted", detail = ""): void {
    this.installInProgress = false;
    if (outcome === "ok") this.installed(target);
    else this.record({ event: outcome === "failed" ? "upgrade-failed" : "upgrade-aborted", version: target, mode: "lifecycle", detail });
  }

  private installed(target: string): void {
    if (target !== this.installedVersion) {
      this.previousVersion = this.installedVersion;
      this.installedVersion = target;
    }
    this.record({ event: "installed", version: target });
  }

  /** Rollback: boot the other bootloader entry. */
  rollback(actorId: string): void {
    if (!this.previousVersion) throw failedPrecondition("cannot rollback: no previous installation found");
    const to = this.previousVersion;
    this.previousVersion = this.installedVersion;
    this.installedVersion = to;
    this.record({ event: "rollback", version: to });
    this.timers.after(this.timing.closeDelayMs, () => this.rebootIfIdle(actorId));
  }

  // ---------------------------------------------------------------------------------------
  // Faults
  // ---------------------------------------------------------------------------------------

  setFault(spec: FaultSpec): void {
    const was = this.reachable;
    switch (spec.fault) {
      case "down":
        this.faults.down = true;
        break;
      case "slow":
        this.faults.slowMs = spec.ms;
        break;
      case "upgrade-fails":
        this.faults.upgradeFails = { mode: spec.mode ?? "exit-code", exitCode: spec.exitCode ?? 7 };
        break;
      case "never-returns":
        this.faults.neverReturns = true;
        break;
      case "unhealthy":
        this.faults.unhealthy = { service: spec.service ?? (this.role === "controlplane" ? "etcd" : "kubelet") };
        this.serviceChange = this.clock.now();
        this.emit({ kind: "service", service: this.faults.unhealthy.service, action: ServiceStateEvent_Action.RUNNING, message: "Health check failed", health: { unknown: false, healthy: false, lastMessage: "Health check failed: simulated fault", lastChange: new Date(this.serviceChange) } });
        break;
      case "reject-apply":
        this.faults.rejectApply = { message: spec.message ?? "1 error occurred:\n\t* configuration rejected by the simulator (reject-apply fault)\n\n" };
        break;
    }
    this.record({ event: "fault", detail: spec.fault });
    this.statusChanged();
    if (was !== this.reachable) this.afterReachability(was);
    else if (spec.fault === "unhealthy") for (const peer of this.cluster.nodes) if (peer !== this) peer.hooks.resourcesChanged(peer);
  }

  /** Clears every fault; a node that is powered off (shutdown, never-returns) boots again. */
  clearFaults(): void {
    const was = this.reachable;
    const hadUnhealthy = this.faults.unhealthy !== undefined;
    this.faults = {};
    this.record({ event: "faults-cleared" });
    if (hadUnhealthy) this.serviceChange = this.clock.now();
    this.statusChanged();
    if (was !== this.reachable) this.afterReachability(was);
    if (this.poweredOff && !this.rebootPending) this.boot();
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
  }
}
