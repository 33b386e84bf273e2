/**
 * Day-2 sequences of a simulated node, with Talos's rules and texts:
 * - ServiceStart/Stop/Restart (internal/app/machined/pkg/system/system.go APIStart/APIStop/
 *   APIRestart): only services that implement the API interfaces may be driven (kubelet: restart
 *   and start; extension services: all three); starting a running service or stopping a stopped
 *   one is a silent no-op; the state moves through the ServiceRunner's events.
 * - Reset (v1alpha1_server.go Reset, v1alpha1_sequencer.go Reset, LeaveEtcd): input validation
 *   answered by the RPC, then the sequence in the background: drain and remove pods (graceful),
 *   leave etcd (graceful control plane; fails with etcd's error when that breaks quorum), wipe,
 *   then reboot (into maintenance mode when STATE was wiped) or power off.
 */
import { PhaseEvent_Action, ResetRequest_WipeMode, SequenceEvent_Action, ServiceStateEvent_Action } from "../third_party/talos-proto/gen/machine/machine";
import type { TimerSet } from "./clock";
import { SimError } from "./errors";
import type { EtcdClusterState } from "./etcd-ops";
import type { EventPayload } from "./events";
import { HEALTH_CHECKED } from "./node-services";
import type { NodeLogs } from "./logs";
import type { NodeRole, NodeTiming, ServiceStatus, Stage, TimelineEntry } from "./node-types";
import { status as grpcStatus } from "@grpc/grpc-js";

export type ServiceActionName = "start" | "stop" | "restart";

/** The peers' view a sequence needs. */
interface EtcdPeer {
  hostname: string;
  etcdMemberId: string;
  etcdHealthy: boolean;
}

export interface Day2Node extends EtcdPeer {
  role: NodeRole;
  stage: Stage;
  timing: NodeTiming;
  logs: NodeLogs;
  etcd: EtcdClusterState;
  etcdRemoved: boolean;
  services(): ServiceStatus[];
  controlPlanes(): EtcdPeer[];
  emit(p: EventPayload, actorId?: string): void;
  record(e: Omit<TimelineEntry, "time" | "node" | "hostname">): void;
  now(): number;
  reboot(actorId: string, opts?: { sequenceStarted?: boolean }): void;
}

export interface Day2Host {
  node: Day2Node;
  timers: TimerSet;
  overrides: Map<string, ServiceStatus>;
  setStage(stage: Stage, actorId: string): void;
  statusChanged(): void;
  resourcesChanged(): void;
  drain(): Promise<void>;
  powerOff(): void;
  setBusy(busy: boolean): void;
  wipeConfig(): void;
  /** The etcd data directory was emptied: the member rejoins on its next boot with a config. */
  etcdDataWiped(): void;
}

/** A Go `fmt.Errorf` returned by a gRPC handler reaches the client as code Unknown. */
const goError = (msg: string) => new SimError(grpcStatus.UNKNOWN, msg);

/** Which API operations each service implements (kubelet.go: APIRestartAllowed, APIStartAllowed; no APIStopAllowed). */
const API_ALLOWED: Record<string, ReadonlySet<ServiceActionName>> = {
  kubelet: new Set(["restart", "start"]),
};

function allowed(id: string, action: ServiceActionName): boolean {
  // Extension services (ext-*) implement all three (services/extension.go).
  return id.startsWith("ext-") || (API_ALLOWED[id]?.has(action) ?? false);
}

/** Time between two service state events (the ServiceRunner's steps are quick but visible). */
const stepMs = (t: NodeTiming) => Math.max(20, t.closeDelayMs * 2);

const wait = (h: Day2Host, ms: number) => new Promise<void>((r) => h.timers.after(ms, r));

/** A stable, plausible PID per service and boot. */
function pid(h: Day2Host, id: string): number {
  let x = 0;
  for (const c of `${h.node.hostname}/${id}/${h.node.now()}`) x = (x * 31 + c.charCodeAt(0)) >>> 0;
  return 1000 + (x % 30_000);
}

/** Go's zero time.Time (0001-01-01T00:00:00Z) in epoch ms. */
const ZERO_TIME_MS = -62_135_596_800_000;

function setService(h: Day2Host, id: string, state: string, message: string, actorId: string, health?: { healthy: boolean; unknown: boolean }): void {
  const running = state === "Running";
  const healthy = health?.healthy ?? false;
  const unknown = health?.unknown ?? true;
  h.overrides.set(id, { id, state, running, healthy: running && healthy, unknown, message });
  // An unknown health is health.Status{}.AsProto(): Healthy nil, LastChange the zero time.Time (year 1).
  const eventHealth = unknown ? { unknown: true, healthy: false, lastMessage: "", lastChange: new Date(ZERO_TIME_MS) } : { unknown: false, healthy: running && healthy, lastMessage: healthy ? "" : message, lastChange: new Date(h.node.now()) };
  h.node.emit({ kind: "service", service: id, action: ServiceStateEvent_Action[state.toUpperCase() as keyof typeof ServiceStateEvent_Action], message, health: eventHealth }, actorId);
  // machined logs every service state change (service_runner.go: "service[%s](%s): %s").
  h.node.logs.append("machined", `[talos] service[${id}](${state}): ${message}`);
  h.statusChanged();
  h.resourcesChanged();
}

export async function stopService(h: Day2Host, id: string, actorId: string): Promise<void> {
  const p = pid(h, id);
  setService(h, id, "Stopping", `Sending SIGTERM to task ${id} (PID ${p}, container ${id})`, actorId);
  await wait(h, stepMs(h.node.timing));
  setService(h, id, "Finished", "Service finished successfully", actorId);
}

/** Start: Starting → Preparing ×2 → Running (health unknown) → health check successful (when it has one). */
export function startService(h: Day2Host, id: string, actorId: string, healthChecked: boolean): void {
  setService(h, id, "Starting", "Starting service", actorId);
  const step = stepMs(h.node.timing);
  h.timers.after(step, () => {
    setService(h, id, "Preparing", "Running pre state", actorId);
    h.timers.after(step, () => {
      setService(h, id, "Preparing", "Creating service runner", actorId);
      h.timers.after(step, () => {
        setService(h, id, "Running", `Started task ${id} (PID ${pid(h, id)}) for container ${id}`, actorId);
        if (id === "kubelet") h.node.logs.append("kubelet", `{"ts":${h.node.now()}.000,"caller":"app/server.go:1364","msg":"Started kubelet","v":0}`);
        if (!healthChecked) {
          // No health check: Running is the end; the service's own state takes over.
          h.overrides.delete(id);
          return;
        }
        h.timers.after(step * 2, () => {
          // Healthy again: the service's own state takes over.
          h.overrides.delete(id);
          setService(h, id, "Running", "Health check successful", actorId, { healthy: true, unknown: false });
          h.overrides.delete(id);
          h.statusChanged();
        });
      });
    });
  });
}

/** Resolves when Talos would answer the call; state changes continue in the background. */
export async function serviceAction(h: Day2Host, action: ServiceActionName, id: string, actorId: string): Promise<void> {
  const svc = h.node.services().find((s) => s.id === id);
  if (!svc) throw goError(`service ${JSON.stringify(id)} not defined`);
  // "running" in system.go is the runner being active, whatever its health.
  const running = !["Finished", "Failed", "Skipped"].includes(svc.state);
  // A stopped service reports unknown health; whether it has a health check is the service's own.
  const checked = HEALTH_CHECKED.has(id);
  const refuse = () => goError(`service ${JSON.stringify(id)} doesn't support ${action} operation via API`);
  switch (action) {
    case "start":
      if (running) return;
      if (!allowed(id, "start")) throw refuse();
      h.node.record({ event: "service-start", detail: id });
      startService(h, id, actorId, checked);
      return;
    case "stop":
      if (!running) return;
      if (!allowed(id, "stop")) throw refuse();
      h.node.record({ event: "service-stop", detail: id });
      await stopService(h, id, actorId);
      return;
    case "restart":
      // APIRestart of a stopped service is APIStart.
      if (!running) return serviceAction(h, "start", id, actorId);
      if (!allowed(id, "restart")) throw refuse();
      h.node.record({ event: "service-restart", detail: id });
      await stopService(h, id, actorId);
      startService(h, id, actorId, checked);
      return;
  }
}

/** The Reset request as the sequence reads it. */
export interface ResetRequestView {
  graceful: boolean;
  reboot: boolean;
  mode: ResetRequest_WipeMode;
  systemPartitionsToWipe: { label: string; wipe: boolean }[];
  userDisksToWipe: string[];
}

/** The simulated machine's disks: the system disk and one user disk. */
export const SIM_SYSTEM_DISK = "/dev/sda";
export const SIM_USER_DISKS = ["/dev/sdb"];
/** System volumes with a partition of their own (block.VolumeStatus ids). */
export const SIM_SYSTEM_VOLUMES = ["EFI", "META", "STATE", "EPHEMERAL"];

/** The Reset handler's input checks, with its texts. Returns the labels to wipe (empty: the whole system disk). */
function validateReset(req: ResetRequestView): string[] {
  if (req.userDisksToWipe.length > 0) {
    if (req.mode === ResetRequest_WipeMode.SYSTEM_DISK) throw goError("reset failed: invalid input, wipe mode SYSTEM_DISK doesn't support UserDisksToWipe parameter");
    for (const d of req.userDisksToWipe) {
      if (d === SIM_SYSTEM_DISK) throw goError(`reset user disk failed: device ${d} is the system disk`);
      if (!SIM_USER_DISKS.includes(d)) throw goError(`reset user disk failed: device ${d} wasn't found`);
    }
  }
  const labels: string[] = [];
  if (req.systemPartitionsToWipe.length > 0) {
    if (req.mode === ResetRequest_WipeMode.USER_DISKS) throw goError("reset failed: invalid input, wipe mode USER_DISKS doesn't support SystemPartitionsToWipe parameter");
    for (const p of req.systemPartitionsToWipe) {
      if (!SIM_SYSTEM_VOLUMES.includes(p.label)) {
        throw goError(`failed to get volume status with label ${JSON.stringify(p.label)}: resource VolumeStatuses.block.talos.dev(runtime/${p.label}@undefined) doesn't exist`);
      }
      if (p.wipe) labels.push(p.label);
    }
  }
  return labels;
}

/**
 * etcd's answer to removing `self` (strict reconfig check: the rest must keep a started quorum),
 * wrapped as etcd.Client.RemoveMemberByMemberID wraps it (the member id in decimal).
 */
function leaveProblem(node: Day2Node): string | undefined {
  const members = node.controlPlanes();
  const rest = members.filter((m) => m.etcdMemberId !== node.etcdMemberId);
  const healthy = rest.filter((m) => m.etcdHealthy).length;
  if (rest.length === 0 || healthy * 2 <= rest.length) {
    return `failed to remove member ${node.etcdMemberId}: etcdserver: re-configuration failed due to not enough started members`;
  }
  return undefined;
}

export function resetNode(h: Day2Host, req: ResetRequestView, actorId: string): void {
  const labels = validateReset(req);
  const n = h.node;
  const wipesSystem = req.mode !== ResetRequest_WipeMode.USER_DISKS;
  const wipesState = wipesSystem && (labels.length === 0 || labels.includes("STATE"));
  const wipesEphemeral = wipesSystem && (labels.length === 0 || labels.includes("EPHEMERAL"));
  h.setBusy(true);
  n.record({ event: "reset", mode: ResetRequest_WipeMode[req.mode], detail: `graceful=${req.graceful} reboot=${req.reboot}${labels.length ? ` labels=${labels.join(",")}` : ""}` });
  n.logs.append("machined", `[talos] reset request received. actorID: ${actorId}`);
  const phase = (name: string) => {
    n.emit({ kind: "phase", phase: name, action: PhaseEvent_Action.START }, actorId);
    n.emit({ kind: "phase", phase: name, action: PhaseEvent_Action.STOP }, actorId);
  };
  const step = stepMs(n.timing);
  h.timers.after(n.timing.closeDelayMs, () => {
    n.emit({ kind: "sequence", sequence: "reset", action: SequenceEvent_Action.START }, actorId);
    h.setStage("resetting", actorId);
    const drained = req.graceful ? (n.emit({ kind: "phase", phase: "drain", action: PhaseEvent_Action.START }, actorId), h.drain()) : Promise.resolve();
    void drained.then(async () => {
      if (req.graceful) n.emit({ kind: "phase", phase: "drain", action: PhaseEvent_Action.STOP }, actorId);
      phase("cleanup");
      phase("dbus");
      if (req.graceful && n.role === "controlplane" && !n.etcdRemoved) {
        n.emit({ kind: "phase", phase: "leave", action: PhaseEvent_Action.START }, actorId);
        await wait(h, step);
        const problem = leaveProblem(n);
        if (problem) {
          const error = `error running phase 4 in reset sequence: task 1/1: failed, failed to leave cluster: ${problem}`;
          n.logs.append("machined", `[talos] reset failed: ${error}`);
          n.emit({ kind: "sequence", sequence: "reset", action: SequenceEvent_Action.STOP, error }, actorId);
          n.record({ event: "reset-failed", detail: `failed to leave cluster: ${problem}` });
          h.setBusy(false);
          h.setStage("running", actorId);
          return;
        }
        // LeaveCluster removes the member, then empties the etcd data directory.
        n.etcd.removed.add(n.etcdMemberId);
        n.etcd.alarms.delete(n.etcdMemberId);
        h.etcdDataWiped();
        n.emit({ kind: "phase", phase: "leave", action: PhaseEvent_Action.STOP }, actorId);
      }
      for (const p of ["preReset", "stopEverything", "forceCleanup"]) phase(p);
      await wait(h, step);
      if (wipesSystem) phase(labels.length ? "resetSpec" : "reset");
      if (req.userDisksToWipe.length > 0) phase("resetUserDisks");
      // The etcd data directory is on EPHEMERAL. Without a graceful leave the member stays in etcd
      // (down) until the node joins again, when Talos removes the stale member of its name first.
      if (wipesEphemeral && n.role === "controlplane") h.etcdDataWiped();
      if (wipesState) h.wipeConfig();
      n.record({ event: "wiped", detail: [wipesState ? "STATE" : "", wipesEphemeral ? "EPHEMERAL" : "", ...req.userDisksToWipe].filter(Boolean).join(",") });
      h.setBusy(false);
      if (req.reboot) {
        n.emit({ kind: "phase", phase: "reboot", action: PhaseEvent_Action.START }, actorId);
        n.reboot(actorId, { sequenceStarted: true });
      } else {
        phase("shutdown");
        h.powerOff();
      }
    });
  });
}
