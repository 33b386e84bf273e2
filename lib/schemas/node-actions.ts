import { z } from "zod";

import { singleNodeDrainSchema } from "@/lib/schemas/configs";
import { SERVICE_ACTIONS } from "@/lib/talos/service-actions";

/**
 * Node actions (POST /api/nodes/:node/(reboot|shutdown|reset), …/services/:service/:action):
 * request bodies and the one response shape, shared by the routes, the node page's dialogs and
 * bulk actions (which call the same per-node core).
 */

/** Talos's RebootRequest modes the UI offers (FORCE skips Talos's graceful stop: not offered). */
export const rebootModeSchema = z.enum(["default", "powercycle"]);
export type RebootModeName = z.infer<typeof rebootModeSchema>;

/**
 * Admins only: take a control plane down although the quorum guard refuses (a cluster whose
 * etcd is already broken, to be mended by a reboot). Never needed on a healthy cluster.
 */
const ignoreQuorumSchema = z.boolean().optional();

/** POST /api/nodes/:node/reboot. `drain`: the drain before the reboot (absent: the default policy). */
export const rebootBodySchema = z.strictObject({
  mode: rebootModeSchema.default("default"),
  drain: singleNodeDrainSchema.optional(),
  ignoreQuorum: ignoreQuorumSchema,
});
export type RebootBody = z.input<typeof rebootBodySchema>;

/** POST /api/nodes/:node/shutdown. Without `force` Talos cordons and drains the node itself. */
export const shutdownBodySchema = z.strictObject({
  force: z.boolean().default(false),
  ignoreQuorum: ignoreQuorumSchema,
});
export type ShutdownBody = z.input<typeof shutdownBodySchema>;

export const resetModeSchema = z.enum(["all", "system-disk", "user-disks"]);
export type ResetMode = z.infer<typeof resetModeSchema>;

/**
 * POST /api/nodes/:node/reset (admin). `confirm` must be the node's hostname as the node reports
 * it; `graceful` leaves etcd and drains (Talos does both); `reboot` boots again after the wipe
 * (into maintenance mode), else the node halts. `userDisks`: device paths (`/dev/sdb`) Talos
 * wipes in modes `all` and `user-disks`; Talos wipes only the user disks named, so `user-disks`
 * needs at least one, and it refuses them with `system-disk` (Reset in v1alpha1_server.go).
 */
export const resetBodySchema = z
  .strictObject({
    graceful: z.boolean(),
    mode: resetModeSchema,
    reboot: z.boolean().default(false),
    userDisks: z.array(z.string().regex(/^\/dev\/[A-Za-z0-9/_.-]+$/, "a device path such as /dev/sdb").max(256)).max(64).optional(),
    confirm: z.string().min(1, "type the node's hostname to confirm").max(253),
    ignoreQuorum: ignoreQuorumSchema,
  })
  .refine((b) => b.mode !== "user-disks" || (b.userDisks?.length ?? 0) > 0, { path: ["userDisks"], message: "wipe mode user-disks wipes only the disks named: list at least one (e.g. /dev/sdb)" })
  .refine((b) => b.mode !== "system-disk" || (b.userDisks?.length ?? 0) === 0, { path: ["userDisks"], message: "wipe mode system-disk does not take user disks (Talos refuses them)" });
export type ResetBody = z.input<typeof resetBodySchema>;

export const serviceActionSchema = z.enum(SERVICE_ACTIONS);

/** A Talos service id as Talos names them (`kubelet`, `ext-iscsid`); path parameter. */
export const serviceIdSchema = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[a-zA-Z0-9][a-zA-Z0-9._-]*$/, "a service id is letters, digits, '.', '_' and '-'");

export const nodeActionKindSchema = z.enum(["reboot", "shutdown", "reset", "service-start", "service-stop", "service-restart"]);
export type NodeActionKind = z.infer<typeof nodeActionKindSchema>;

/**
 * What a node action did. The node works on after the answer (reboot, shutdown and reset run in
 * the background on Talos): `bootIdBefore` lets a caller watch for the new boot; `actorId` is
 * Talos's id of the sequence (events carry it).
 */
export const nodeActionResponseSchema = z.object({
  node: z.string(),
  action: nodeActionKindSchema,
  hostname: z.string().nullable(),
  role: z.enum(["controlplane", "worker"]).nullable(),
  /** Talos's own answer (`Service "kubelet" restarted`), or what was asked of it. */
  message: z.string(),
  actorId: z.string().nullable(),
  bootIdBefore: z.string().nullable(),
  /** What Minos did around the call, in order (the quorum check, leadership moved, the drain). */
  steps: z.array(z.string()),
  warnings: z.array(z.string()),
});
export type NodeActionResponse = z.infer<typeof nodeActionResponseSchema>;
