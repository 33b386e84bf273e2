import type { z } from "zod";
import { apiFetch } from "@/lib/client/api";
import type { nodeActionResponseSchema, RebootBody, ResetBody, ShutdownBody } from "@/lib/schemas/node-actions";
import type { ServiceActionName } from "@/lib/talos/service-actions";

/** Node actions (reboot, shutdown, reset, service start/stop/restart): the node page's calls. */

const nodePath = (node: string, rest: string) => `/api/nodes/${encodeURIComponent(node)}/${rest}`;

/** POST /api/nodes/:node/reboot [operator] – drains first; answers once Talos accepted. */
export function rebootNode(node: string, body: RebootBody) {
  return apiFetch<z.output<typeof nodeActionResponseSchema>>(nodePath(node, "reboot"), { method: "POST", json: body });
}

/** POST /api/nodes/:node/shutdown [operator] */
export function shutdownNode(node: string, body: ShutdownBody) {
  return apiFetch<z.output<typeof nodeActionResponseSchema>>(nodePath(node, "shutdown"), { method: "POST", json: body });
}

/** POST /api/nodes/:node/reset [admin] – `confirm` is the node's hostname. */
export function resetNode(node: string, body: ResetBody) {
  return apiFetch<z.output<typeof nodeActionResponseSchema>>(nodePath(node, "reset"), { method: "POST", json: body });
}

/** POST /api/nodes/:node/services/:service/:action [operator] */
export function serviceAction(node: string, service: string, action: ServiceActionName) {
  return apiFetch<z.output<typeof nodeActionResponseSchema>>(nodePath(node, `services/${encodeURIComponent(service)}/${action}`), { method: "POST" });
}
