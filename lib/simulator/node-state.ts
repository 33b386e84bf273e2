/**
 * One simulated Talos node: what clients ask of it (ApplyConfiguration, legacy and
 * LifecycleService upgrades, rollback) and fault injection, on top of its lifecycle
 * (./node-lifecycle.ts: power, stages, status, events).
 */
import crypto from "node:crypto";

import { status as grpcStatus } from "@grpc/grpc-js";

import {
  PhaseEvent_Action,
  SequenceEvent_Action,
  ServiceStateEvent_Action,
  type ApplyConfigurationRequest_Mode,
} from "../third_party/talos-proto/gen/machine/machine";
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
import { type Day2Host, resetNode, type ResetRequestView, serviceAction, type ServiceActionName } from "./node-day2";
import type { FaultSpec, NodeFaults } from "./faults";
import { kubeletAcceptedCAs, restartKubeletForSecrets } from "./kubelet-service";
import { NodeLifecycle } from "./node-lifecycle";
import type { ServiceStatus, Stage } from "./node-types";
import type * as Types from "./node-types";
import { compareTalosVersions } from "../talos/version";
import { minimumUpgradeSource, versionFromImage } from "../talos/upgrade";

export { STAGE_NUMBER, type MachineStatusView, type NodeRole, type NodeTiming, type ServiceStatus, type Stage, type TimelineEntry } from "./node-types";
export type NodeHooks = Types.NodeHooks<SimNode>;
export type ClusterContext = Types.ClusterContext<SimNode>;
export type SimNodeInit = Types.SimNodeInit<SimNode>;

export class SimNode extends NodeLifecycle<SimNode> {
  private applyInProgress = false;
  private installInProgress = false;
  /** STATE was wiped by a reset: the node boots into maintenance mode until a config is applied. */
  configWiped = false;
  /** The etcd data directory is empty (reset): with a config, the next boot joins etcd afresh. */
  private etcdDataEmpty = false;

  protected self(): SimNode {
    return this;
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
    if (this.stage === "maintenance") return this.applyInMaintenance(req);
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
    const kubeletCAs = kubeletAcceptedCAs(this.runningConfigText());
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
          const before = kubeletAcceptedCAs(this.runningConfigText());
          this.runningConfig = this.persistentConfig;
          this.record({ event: "try-revert", mode: "TRY" });
          this.hooks.resourcesChanged(this);
          this.kubeletSecretsChanged(before);
        });
        break;
      }
      default:
        this.runningConfig = text;
        this.persistentConfig = text;
    }
    this.record({ event: "apply", mode: requested });
    this.logs.append("machined", `[talos] apply config request: mode ${requested.toLowerCase()}`);
    this.hooks.resourcesChanged(this);
    if (mode === ApplyMode.REBOOT) this.timers.after(this.timing.closeDelayMs, () => this.rebootIfIdle(actorId));
    else this.kubeletSecretsChanged(kubeletCAs);
  }

  /** A running config whose Kubernetes CAs differ from `before` restarts the kubelet (./kubelet-service.ts). */
  private kubeletSecretsChanged(before: string): void {
    if (this.stage !== "running" || this.rebootPending) return;
    if (kubeletAcceptedCAs(this.runningConfigText()) === before) return;
    restartKubeletForSecrets(this.day2Host(), "cluster.ca / cluster.acceptedCAs changed");
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
      const phase = (name: string) => {
        this.emit({ kind: "phase", phase: name, action: PhaseEvent_Action.START }, actorId);
        this.emit({ kind: "phase", phase: name, action: PhaseEvent_Action.STOP }, actorId);
      };
      phase("denyNewServices");
      // The upgrade sequence drains (CordonAndDrainNode); the stage-upgrade sequence does not.
      this.emit({ kind: "phase", phase: "drain", action: PhaseEvent_Action.START }, actorId);
      const drained = req.stage ? Promise.resolve() : (this.hooks.drain?.(this) ?? Promise.resolve());
      void drained.then(() => {
        this.emit({ kind: "phase", phase: "drain", action: PhaseEvent_Action.STOP }, actorId);
        for (const name of ["cleanup", "dbus", "stopServices", "unmountUser"]) phase(name);
        this.emit({ kind: "phase", phase: "upgrade", action: PhaseEvent_Action.START }, actorId);
        this.upgradeInstall(target, sequence, fails, actorId);
      });
    });
  }

  private upgradeInstall(target: string, sequence: string, fails: NodeFaults["upgradeFails"], actorId: string): void {
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
  // Day 2: etcd leadership, services, reset, power (./node-day2.ts holds the sequences)
  // ---------------------------------------------------------------------------------------

  /**
   * EtcdForfeitLeadership as Talos's etcd client does it (internal/pkg/etcd ForfeitLeadership):
   * nothing when this member does not lead (""), refused with one member, else leadership moves
   * to another member (here: the first healthy one, as MoveLeader to a dead member would fail)
   * and its name is returned.
   */
  forfeitEtcdLeadership(): string {
    const cps = this.controlPlanes();
    if (cps.length === 1) throw new Error("failed to forfeit leadership: cannot forfeit leadership, only one member");
    if (this.etcdLeaderId() !== this.etcdMemberId) return "";
    const next = cps.find((n) => n.etcdMemberId !== this.etcdMemberId && n.etcdHealthy);
    if (!next) throw new Error("failed to forfeit leadership: etcdserver: unhealthy cluster");
    this.cluster.etcdLeader = next.etcdMemberId;
    this.record({ event: "forfeit-leadership", detail: `etcd leadership moved to ${next.hostname}` });
    return next.hostname;
  }

  /** What ./node-day2.ts needs of this node (its protected internals included). */
  private day2Host(): Day2Host {
    return {
      node: this,
      timers: this.timers,
      overrides: this.serviceOverrides,
      setStage: (stage, actorId) => this.setStage(stage, actorId),
      statusChanged: () => this.statusChanged(),
      resourcesChanged: () => this.hooks.resourcesChanged(this),
      drain: () => this.hooks.drain?.(this) ?? Promise.resolve(),
      powerOff: () => {
        const was = this.reachable;
        this.poweredOff = true;
        this.powered = false;
        this.afterReachability(was);
      },
      setBusy: (busy) => {
        this.rebootPending = busy;
      },
      etcdDataWiped: () => {
        this.etcdDataEmpty = true;
      },
      wipeConfig: () => {
        this.configWiped = true;
        this.runningConfig = null;
        this.persistentConfig = null;
      },
    };
  }

  /** ServiceStart/Stop/Restart with Talos's rules; resolves when Talos would answer. */
  serviceAction(action: ServiceActionName, id: string, actorId: string): Promise<void> {
    return serviceAction(this.day2Host(), action, id, actorId);
  }

  /** Reset: validates as Talos's handler does, then runs the reset sequence in the background. */
  reset(req: ResetRequestView, actorId: string): void {
    if (this.rebootPending) throw failedPrecondition("reboot is already in progress");
    resetNode(this.day2Host(), req, actorId);
  }

  serviceStatus(id: string): ServiceStatus | undefined {
    return this.services().find((s) => s.id === id);
  }

  /** This member was removed from etcd by another member: its etcd exits and keeps failing. */
  etcdMemberRemoved(): void {
    const msg = "Error running Containerd(etcd): task \"etcd\" failed: exit code 1";
    this.logs.append("etcd", `{"level":"warn","ts":"${new Date(this.now()).toISOString()}","caller":"rafthttp/peer.go:267","msg":"the member has been permanently removed from the cluster"}`);
    this.logs.append("machined", `[talos] service[etcd](Failed): ${msg}`);
    this.emit({ kind: "service", service: "etcd", action: ServiceStateEvent_Action.FAILED, message: msg, health: { unknown: false, healthy: false, lastMessage: msg, lastChange: new Date(this.now()) } });
    this.serviceChange = this.now();
    this.statusChanged();
    this.hooks.resourcesChanged(this);
    for (const peer of this.cluster.nodes) if (peer !== this) peer.hooks.resourcesChanged(peer);
  }

  protected bootStage(): Stage {
    if (this.configWiped) return "maintenance";
    if (this.etcdDataEmpty) {
      this.etcdDataEmpty = false;
      if (this.role === "controlplane") this.joinEtcd();
    }
    return "running";
  }

  /**
   * Talos's etcd service with an empty data directory (services/etcd.go addMember): it removes
   * a member of the same name if there is one, then joins as a new member (a new id).
   */
  private joinEtcd(): void {
    const old = this.etcdMemberId;
    const oldHex = this.etcdMemberIdHex;
    this.etcd.removed.add(old);
    this.etcd.alarms.delete(old);
    const h = crypto.createHash("sha256").update(`${this.cluster.name}/${this.hostname}/${this.bootId}`).digest();
    this.etcdMemberId = BigInt("0x" + h.subarray(0, 8).toString("hex")).toString();
    this.logs.append("etcd", `{"level":"info","ts":"${new Date(this.now()).toISOString()}","caller":"membership/cluster.go:421","msg":"added member","added-peer-id":"${this.etcdMemberIdHex}","added-peer-peer-urls":["https://${this.address}:2380"]}`);
    this.record({ event: "etcd-join", detail: `${this.hostname} joined etcd as ${this.etcdMemberIdHex} (was ${oldHex})` });
    for (const peer of this.cluster.nodes) if (peer !== this) peer.hooks.resourcesChanged(peer);
  }

  /** Powers a shut-down or halted node on (the control API's power-on). False when it is not off. */
  powerOn(): boolean {
    if (!this.poweredOff || this.rebootPending) return false;
    this.record({ event: "power-on" });
    this.boot();
    return true;
  }

  /** Maintenance mode's ApplyConfiguration: the config is installed and the node reboots into it. */
  private async applyInMaintenance(req: { data: Buffer; dryRun: boolean; mode: ApplyConfigurationRequest_Mode }) {
    const text = req.data.toString("utf8");
    const next = loadConfig(text);
    if (req.dryRun) return { mode: ApplyMode.REBOOT, modeDetails: "Dry run summary:\nNode is running in maintenance mode and does not have a config yet.", warnings: [] };
    this.configWiped = false;
    this.runningConfig = text;
    this.persistentConfig = text;
    this.record({ event: "apply", mode: "maintenance" });
    this.timers.after(this.timing.closeDelayMs, () => this.rebootIfIdle(""));
    return { mode: ApplyMode.REBOOT, modeDetails: "Applied configuration in maintenance mode: the node reboots into it", warnings: next.warnings };
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
        this.emit({ kind: "service", service: this.faults.unhealthy.service, action: ServiceStateEvent_Action.RUNNING, message: "Health check failed: simulated fault", health: { unknown: false, healthy: false, lastMessage: "simulated fault", lastChange: new Date(this.serviceChange) } });
        break;
      case "reject-apply":
        this.faults.rejectApply = { message: spec.message ?? "1 error occurred:\n\t* configuration rejected by the simulator (reject-apply fault)\n\n" };
        break;
      case "pdb-blocks":
        this.faults.pdbBlocks = true;
        break;
      case "kubelet-not-ready":
        this.faults.kubeletNotReady = true;
        break;
      case "kube-api-down":
        this.faults.kubeApiDown = true;
        break;
      case "log-flood":
        this.faults.logFlood = { linesPerSecond: spec.linesPerSecond ?? 2000, ...(spec.service ? { service: spec.service } : {}) };
        this.logs.flood = this.faults.logFlood;
        break;
      case "etcd-nospace":
        // Workers run no etcd: the fault is recorded but raises nothing.
        this.faults.etcdNospace = true;
        if (this.role !== "controlplane") break;
        this.etcd.alarms.set(this.etcdMemberId, "NOSPACE");
        this.logs.append("etcd", `{"level":"warn","ts":"${new Date(this.now()).toISOString()}","caller":"etcdserver/server.go:1112","msg":"alarm raised","alarm":"NOSPACE","from":"${this.etcdMemberIdHex}"}`);
        break;
      case "etcd-snapshot-fails":
        this.faults.etcdSnapshotFails = { mode: spec.mode ?? "error" };
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
    const hadUnhealthy = this.faults.unhealthy?.service;
    if (this.faults.etcdNospace) this.etcd.alarms.delete(this.etcdMemberId);
    this.faults = {};
    this.logs.flood = undefined;
    this.record({ event: "faults-cleared" });
    if (hadUnhealthy) {
      this.serviceChange = this.clock.now();
      // ServiceRunner.healthUpdate announces the recovery too (only while the service runs).
      if (this.stage === "running") this.emit({ kind: "service", service: hadUnhealthy, action: ServiceStateEvent_Action.RUNNING, message: "Health check successful", health: { unknown: false, healthy: true, lastMessage: "", lastChange: new Date(this.serviceChange) } });
    }
    this.statusChanged();
    if (was !== this.reachable) this.afterReachability(was);
    if (this.poweredOff && !this.rebootPending) this.boot();
  }
}
