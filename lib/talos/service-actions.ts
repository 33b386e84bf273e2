/**
 * Which Talos services the API may start, stop or restart: Talos's own rule, copied from
 * machined (internal/app/machined/pkg/system/system.go APIStart/APIStop/APIRestart and the
 * services implementing APIStartableService, APIStoppableService, APIRestartableService):
 * - kubelet (services/kubelet.go): start and restart, never stop;
 * - system extension services, ids `ext-<name>` (services/extension.go): start, stop, restart;
 * - every other service (apid, etcd, machined, containerd, trustd, cri, udevd…): none.
 * Talos also answers "start" of a running service and "stop" of a stopped one with success
 * without doing anything, and a "restart" of a stopped service is a start.
 * Pure and isomorphic: the node page offers only these, the server lets Talos refuse the rest.
 */

export const SERVICE_ACTIONS = ["start", "stop", "restart"] as const;
export type ServiceActionName = (typeof SERVICE_ACTIONS)[number];

/** Talos's extension service id prefix (`Extension.ID`: `"ext-" + svc.Spec.Name`). */
export const EXTENSION_SERVICE_PREFIX = "ext-";

/** The actions Talos's API allows on a service id, in start/stop/restart order. */
export function allowedServiceActions(id: string): ServiceActionName[] {
  if (id === "kubelet") return ["start", "restart"];
  if (id.startsWith(EXTENSION_SERVICE_PREFIX) && id.length > EXTENSION_SERVICE_PREFIX.length) return ["start", "stop", "restart"];
  return [];
}

/** Whether Talos's API allows `action` on service `id`. */
export function serviceActionAllowed(id: string, action: ServiceActionName): boolean {
  return allowedServiceActions(id).includes(action);
}

/** Talos's refusal for an action its API does not drive (system.go), word for word. */
export function serviceActionRefusal(id: string, action: ServiceActionName): string {
  return `service ${JSON.stringify(id)} doesn't support ${action} operation via API`;
}
