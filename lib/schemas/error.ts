import { z } from "zod";

/** Every error code Minos returns; the HTTP status for each lives in `errorStatus`. */
export const errorCodeSchema = z.enum([
  "bad_request",
  "validation_failed",
  "payload_too_large",
  "unauthorized",
  "forbidden",
  "not_found",
  "method_not_allowed",
  "conflict",
  "rate_limited",
  "invalid_config",
  "too_complex",
  "unsupported_upgrade_path",
  "unsupported",
  "node_unreachable",
  "node_timeout",
  "kubernetes_unavailable",
  "drain_blocked",
  "confirmation_mismatch",
  "misconfigured",
  "store_unavailable",
  "internal",
]);
export type ErrorCode = z.infer<typeof errorCodeSchema>;

export const errorStatus: Record<ErrorCode, number> = {
  bad_request: 400,
  validation_failed: 400,
  payload_too_large: 413,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  method_not_allowed: 405,
  conflict: 409,
  rate_limited: 429,
  invalid_config: 422,
  too_complex: 422,
  /** A Kubernetes upgrade to a version upgrade-k8s refuses (more than one minor, a downgrade). */
  unsupported_upgrade_path: 422,
  unsupported: 501,
  node_unreachable: 503,
  node_timeout: 504,
  /** A cluster's Kubernetes API cannot be asked (no credentials, unreachable, refused them). */
  kubernetes_unavailable: 503,
  /** A drain halted at its timeout: the blocking pods and PodDisruptionBudgets are in `details`. */
  drain_blocked: 409,
  /** A destructive action's typed confirmation (a node reset's hostname) does not match. */
  confirmation_mismatch: 422,
  misconfigured: 500,
  /** The database does not answer: the replica is not ready (readiness probes, load balancers). */
  store_unavailable: 503,
  internal: 500,
};

/** The one error envelope: `{ error: { code, message, details? } }`. */
export const errorEnvelopeSchema = z.object({
  error: z.object({
    code: errorCodeSchema,
    message: z.string(),
    details: z.unknown().optional(),
  }),
});
export type ErrorEnvelope = z.infer<typeof errorEnvelopeSchema>;
