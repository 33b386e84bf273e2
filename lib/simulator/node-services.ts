/**
 * A simulated node's system services: which run on which role, their state at each stage, and
 * the events of a service start as machined's ServiceRunner sends them. Pure: the node
 * (./node-lifecycle.ts) passes what it knows and emits what comes back.
 */
import { ServiceStateEvent_Action } from "../third_party/talos-proto/gen/machine/machine";
import type { EventPayload } from "./events";
import type { NodeRole, ServiceStatus, Stage } from "./node-types";

const CP_SERVICES = ["apid", "auditd", "containerd", "cri", "dashboard", "etcd", "kubelet", "machined", "syslogd", "trustd", "udevd"];
const WORKER_SERVICES = CP_SERVICES.filter((s) => s !== "etcd" && s !== "trustd");
export const HEALTH_CHECKED: ReadonlySet<string> = new Set(["apid", "containerd", "cri", "etcd", "kubelet", "trustd"]);
const EARLY_SERVICES = new Set(["apid", "auditd", "containerd", "dashboard", "machined", "syslogd", "trustd", "udevd"]);

/** What the node knows that changes its services' state. */
export interface ServiceFacts {
  role: NodeRole;
  extensionServiceIds: readonly string[];
  /** A service's state set by a day-2 action (stop, restart), in the running stage. */
  overrides: ReadonlyMap<string, ServiceStatus>;
  etcdRemoved: boolean;
  unhealthyService: string | undefined;
}

/** The services and their state at `stage`, sorted by id as ServiceList is (system.go List). */
export function servicesAt(stage: Stage, f: ServiceFacts): ServiceStatus[] {
  const ids = [...(f.role === "controlplane" ? CP_SERVICES : WORKER_SERVICES), ...f.extensionServiceIds].sort();
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
    switch (stage) {
      case "booting":
        if (EARLY_SERVICES.has(id)) return up("Running");
        if (id === "cri") return up("Running");
        return { id, state: "Waiting", running: false, healthy: false, unknown: true, message: `Waiting for service "cri" to be "up"` };
      case "upgrading":
        return id === "etcd" || id === "kubelet" || id === "cri" ? up("Finished") : up("Running");
      case "rebooting":
      case "shutting down":
      case "resetting":
        return id === "machined" ? up("Running") : up("Finished");
      case "maintenance":
        // Maintenance mode runs no apid/etcd/kubelet: only what machined needs before a config.
        return ["machined", "udevd", "syslogd", "auditd"].includes(id) ? up("Running") : { id, state: "Waiting", running: false, healthy: false, unknown: true, message: "Waiting for machine config" };
      default: {
        const o = f.overrides.get(id);
        if (o) return o;
        if (id === "etcd" && f.etcdRemoved) return { id, state: "Failed", running: false, healthy: false, unknown: false, message: "Error running Containerd(etcd): task \"etcd\" failed: exit code 1" };
        if (f.unhealthyService === id) return up("Running", false, "Health check failed: simulated fault");
        return up("Running");
      }
    }
  });
}

/**
 * A service start as machined's ServiceRunner reports it: Starting, Preparing ("Running pre
 * state", "Creating service runner"), Running with the health still unknown (a state change
 * carries an empty health), then, for a health-checked service, its first health check.
 */
export function serviceStartEvents(list: readonly ServiceStatus[], now: number): EventPayload[] {
  // health.Status{}.AsProto(): Healthy nil, LastChange the zero time.Time (year 1).
  const unknown = { unknown: true, healthy: false, lastMessage: "", lastChange: new Date(-62_135_596_800_000) };
  const events: EventPayload[] = [];
  for (const s of list) {
    events.push(
      { kind: "service", service: s.id, action: ServiceStateEvent_Action.STARTING, message: "Starting service", health: unknown },
      { kind: "service", service: s.id, action: ServiceStateEvent_Action.PREPARING, message: "Running pre state", health: unknown },
      { kind: "service", service: s.id, action: ServiceStateEvent_Action.PREPARING, message: "Creating service runner", health: unknown },
      { kind: "service", service: s.id, action: ServiceStateEvent_Action.RUNNING, message: "Service started", health: unknown },
    );
    if (!s.unknown) {
      // ServiceRunner.healthUpdate: "Health check successful" or "Health check failed: <error>".
      const error = s.message.replace(/^Health check failed: /, "");
      const message = s.healthy ? "Health check successful" : `Health check failed: ${error}`;
      events.push({ kind: "service", service: s.id, action: ServiceStateEvent_Action.RUNNING, message, health: { unknown: false, healthy: s.healthy, lastMessage: s.healthy ? "" : error, lastChange: new Date(now) } });
    }
  }
  return events;
}
