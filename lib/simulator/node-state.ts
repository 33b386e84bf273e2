/**
 * One simulated Talos node: what clients ask of it (ApplyConfiguration, legacy and
 * LifecycleService upgrades, rollback) and fault injection, on top of its lifecycle
 * (./node-lifecycle.ts: power, stages, status, events).
 */
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
import type { FaultSpec, NodeFaults } from "./faults";
import { NodeLifecycle } from "./node-lifecycle";
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
      case "pdb-blocks":
        this.faults.pdbBlocks = true;
        break;
      case "kubelet-not-ready":
        this.faults.kubeletNotReady = true;
        break;
      case "kube-api-down":
        this.faults.kubeApiDown = true;
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
}
