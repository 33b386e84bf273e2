/**
 * The value lists behind some of the schemas' enums, without zod. Browser code that only needs a
 * list (URL filters, pickers, role floors) imports it from here: importing the schema module
 * would load the whole of zod into the page (issue 20's page weight). The schemas build their
 * enums from these lists, so there is still one source.
 */

/** Talos machine stages (machine.MachineStatusEvent.MachineStage), lower-case. */
export const NODE_STAGES = ["booting", "installing", "maintenance", "running", "rebooting", "shutting_down", "resetting", "upgrading", "unknown"] as const;

export const NODE_ROLES = ["controlplane", "worker", "unknown"] as const;

/**
 * What the health model flags on a node. `down`: unreachable; `not_ready`: running but a
 * readiness condition is unmet; `stage`: not in the running stage (booting, rebooting, …);
 * `service_failing`: a service is failed or unhealthy; `etcd`: this node's etcd member is
 * missing, a learner or unhealthy; `forbidden`: the credentials' role can't read part of the
 * node, so some fields are unknown; `memory`: less than 10 % of memory is available.
 */
export const PROBLEM_KINDS = ["down", "not_ready", "stage", "service_failing", "etcd", "forbidden", "memory"] as const;

export const BULK_ACTIONS = ["reboot", "upgrade", "service-restart", "cordon", "uncordon", "apply-patch"] as const;

/** The Minos role each bulk action needs (the role floor Talos requires: os:operator reboots and restarts; upgrade and apply need os:admin). */
export const BULK_ACTION_ROLE: Record<(typeof BULK_ACTIONS)[number], "operator" | "admin"> = {
  reboot: "operator",
  "service-restart": "operator",
  cordon: "operator",
  uncordon: "operator",
  upgrade: "admin",
  "apply-patch": "admin",
};
