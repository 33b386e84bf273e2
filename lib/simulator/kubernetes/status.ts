/**
 * Kubernetes API errors as the API server writes them: a `Status` object (meta/v1) with the HTTP
 * code, its reason (k8s.io/apimachinery/pkg/api/errors) and, where the server gives them, details.
 */

export interface StatusCause {
  /** StatusCause.Type, serialised as `reason`. */
  reason?: string;
  message?: string;
  field?: string;
}

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  causes?: StatusCause[];
  retryAfterSeconds?: number;
}

export interface StatusObject {
  kind: "Status";
  apiVersion: "v1";
  metadata: Record<string, never>;
  status: "Success" | "Failure";
  message?: string;
  reason?: string;
  details?: StatusDetails;
  code: number;
}

/** Thrown by handlers; the server answers with its Status. */
export class KubeError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    readonly details?: StatusDetails,
  ) {
    super(message);
    this.name = "KubeError";
  }

  toStatus(): StatusObject {
    return failure(this.code, this.reason, this.message, this.details);
  }
}

export function failure(code: number, reason: string, message: string, details?: StatusDetails): StatusObject {
  return { kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message, reason, ...(details ? { details } : {}), code };
}

export function success(code = 200, details?: StatusDetails): StatusObject {
  return { kind: "Status", apiVersion: "v1", metadata: {}, status: "Success", ...(details ? { details } : {}), code };
}

/** A resource as errors name it: `pods`, `deployments.apps`, `poddisruptionbudgets.policy`. */
export interface GroupResource {
  group: string;
  resource: string;
}

const qualified = (gr: GroupResource) => (gr.group ? `${gr.resource}.${gr.group}` : gr.resource);

/** errors.NewNotFound */
export function notFound(gr: GroupResource, name: string): KubeError {
  return new KubeError(404, "NotFound", `${qualified(gr)} ${JSON.stringify(name)} not found`, { name, ...(gr.group ? { group: gr.group } : {}), kind: gr.resource });
}

/** errors.NewAlreadyExists */
export function alreadyExists(gr: GroupResource, name: string): KubeError {
  return new KubeError(409, "AlreadyExists", `${qualified(gr)} ${JSON.stringify(name)} already exists`, { name, ...(gr.group ? { group: gr.group } : {}), kind: gr.resource });
}

/** errors.NewBadRequest */
export function badRequest(message: string): KubeError {
  return new KubeError(400, "BadRequest", message);
}

/** errors.NewInvalid, reduced to one field error. */
export function invalid(kind: string, name: string, field: string, message: string): KubeError {
  return new KubeError(422, "Invalid", `${kind} ${JSON.stringify(name)} is invalid: ${field}: ${message}`, {
    name,
    kind,
    causes: [{ reason: "FieldValueInvalid", message, field }],
  });
}

/** The answer for a path no resource serves (the API server's NotFound without details). */
export function noSuchResource(): KubeError {
  return new KubeError(404, "NotFound", "the server could not find the requested resource");
}

export function methodNotAllowed(method: string, path: string): KubeError {
  return new KubeError(405, "MethodNotAllowed", `the server does not allow this method on the requested resource (${method} ${path})`);
}

/** errors.NewUnauthorized with the API server's default message. */
export function unauthorized(): KubeError {
  return new KubeError(401, "Unauthorized", "Unauthorized");
}

/** errors.NewForbidden as the RBAC authorizer words it. */
export function forbidden(user: string, verb: string, gr: GroupResource, namespace: string | undefined): KubeError {
  const scope = namespace ? `in the namespace ${JSON.stringify(namespace)}` : "at the cluster scope";
  return new KubeError(
    403,
    "Forbidden",
    `${qualified(gr)} is forbidden: User ${JSON.stringify(user)} cannot ${verb} resource ${JSON.stringify(gr.resource)} in API group ${JSON.stringify(gr.group)} ${scope}`,
    { kind: gr.resource, ...(gr.group ? { group: gr.group } : {}) },
  );
}

/** errors.NewResourceExpired: a watch from a resourceVersion the server no longer has. */
export function expired(rv: string, oldest: number): KubeError {
  return new KubeError(410, "Expired", `too old resource version: ${rv} (${oldest})`);
}
