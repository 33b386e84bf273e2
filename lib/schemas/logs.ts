import { z } from "zod";

/** Lines asked from the end of a log when the request names none. */
export const DEFAULT_TAIL_LINES = 200;
/** The most lines one request may ask for; the browser keeps at most {@link CLIENT_MAX_LINES} per pane. */
export const MAX_TAIL_LINES = 100_000;
/** Lines a log pane keeps in memory; older ones drop off the top. */
export const CLIENT_MAX_LINES = 100_000;
/** The pseudo-service a pane picks for the kernel log (`Dmesg`). */
export const KERNEL_LOG = "kernel";

const flag = z
  .enum(["0", "1", "true", "false"])
  .optional()
  .transform((v) => v === "1" || v === "true");

/**
 * A Talos service id (`machined`, `etcd`, `kubelet`, `ext-foo`) or, with `kubernetes=1`, a CRI
 * container as talosctl names it (`kube-system/kube-apiserver-cp1:kube-apiserver`). Anything
 * else is refused before it reaches the node.
 */
export const logSourceIdSchema = z
  .string()
  .min(1)
  .max(253)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:/-]*$/, "A service id is letters, digits and . _ : / -");

export const nodeLogsParamsSchema = z.object({ node: z.string().min(1), service: logSourceIdSchema });
export const nodeParamsSchema = z.object({ node: z.string().min(1) });

export const logsQuerySchema = z.object({
  /** Lines from the end of what the node buffers; 0 with follow means only new lines. */
  tail: z.coerce.number().int().min(0).max(MAX_TAIL_LINES).default(DEFAULT_TAIL_LINES),
  follow: flag,
  kubernetes: flag,
});
export type LogsQuery = z.infer<typeof logsQuerySchema>;

export const dmesgQuerySchema = z.object({
  follow: flag,
  /** With follow: only messages logged from now on (talosctl dmesg --tail). */
  tail: flag,
});
export type DmesgQuery = z.infer<typeof dmesgQuerySchema>;

export const nodeEventsQuerySchema = z.object({
  /** Buffered events replayed before the live ones. */
  tail: z.coerce.number().int().min(0).max(1_000).default(50),
});
export type NodeEventsQuery = z.infer<typeof nodeEventsQuerySchema>;

/**
 * One Talos machine event (`MachineService.Events`) as the browser gets it over
 * `GET /api/nodes/:node/events` (Server-Sent Events, `event: talos`).
 */
export const nodeEventSchema = z.object({
  /** The event's xid; unique per node. */
  id: z.string(),
  /** When Talos created it (from the xid), ISO 8601; null when the id carries no time. */
  at: z.string().nullable(),
  actorId: z.string(),
  type: z.enum(["sequence", "phase", "task", "serviceState", "machineStatus", "restart", "configLoadError", "configValidationError", "address", "unknown"]),
  /** One line saying what happened, e.g. `service etcd: Running (Health check successful)`. */
  summary: z.string(),
  /** Whether the event reports a failure (a sequence error, an unhealthy service, a config error). */
  failure: z.boolean(),
});
export type NodeEvent = z.infer<typeof nodeEventSchema>;
