import "server-only";

import { status as GrpcStatus } from "@grpc/grpc-js";

import { AppError, isAppError } from "@/lib/server/platform/errors";
import type { ErrorCode } from "@/lib/schemas/error";

/**
 * The domain code for each gRPC status (DESIGN.md "Errors"); anything not listed is `internal`.
 * Talos returns FailedPrecondition for "another apply configuration is already in progress" and
 * for upgrades racing each other, hence `conflict`.
 */
const codeByStatus: Partial<Record<GrpcStatus, ErrorCode>> = {
  [GrpcStatus.UNAVAILABLE]: "node_unreachable",
  [GrpcStatus.DEADLINE_EXCEEDED]: "node_timeout",
  [GrpcStatus.PERMISSION_DENIED]: "forbidden",
  [GrpcStatus.INVALID_ARGUMENT]: "invalid_config",
  [GrpcStatus.FAILED_PRECONDITION]: "conflict",
  [GrpcStatus.NOT_FOUND]: "not_found",
  [GrpcStatus.UNIMPLEMENTED]: "unsupported",
};

/** Maps a numeric gRPC status code to a Minos error code. */
export function errorCodeForGrpcStatus(code: number): ErrorCode {
  return codeByStatus[code as GrpcStatus] ?? "internal";
}

/** The name of a gRPC status (`UNAVAILABLE`), or `UNKNOWN_<n>` for an unknown number. */
export function grpcStatusName(code: number): string {
  return (GrpcStatus as unknown as Record<number, string>)[code] ?? `UNKNOWN_${code}`;
}

/** What a grpc-js call error looks like (`ServiceError`); kept structural so tests can fake it. */
export interface GrpcErrorLike {
  code: number;
  details?: string;
  message?: string;
}

export function isGrpcError(e: unknown): e is GrpcErrorLike {
  return (
    typeof e === "object" &&
    e !== null &&
    typeof (e as { code?: unknown }).code === "number" &&
    ("details" in e || "metadata" in e)
  );
}

/**
 * grpc-js wraps connection failures as "No connection established. Last error: <cause>.
 * Resolution note: …"; keep the cause alone.
 */
export function cleanGrpcMessage(message: string): string {
  const m = /^No connection established\. Last error: (.*?)\.? Resolution note: ?.*$/s.exec(message);
  if (!m) return message;
  return (m[1] ?? "").replace(/^Error(?: \[[A-Z_]+\])?: /, "") || "connection failed";
}

/** True when the server's certificate failed verification (wrong CA, SAN mismatch, expired). */
export function isServerCertificateError(err: unknown): boolean {
  if (!isGrpcError(err) || err.code !== GrpcStatus.UNAVAILABLE) return false;
  return /ERR_TLS_CERT|certificate|altnames|CERT_/i.test(err.details ?? "");
}

/** Details attached to every AppError made from a gRPC failure. */
export interface TalosErrorDetails {
  grpcCode: number;
  grpcStatus: string;
}

/**
 * Turns any failure of a Talos call into an `AppError` with the node attached.
 * gRPC errors keep Talos's own message (`details`, without grpc-js's "14 UNAVAILABLE:" prefix);
 * an `AppError` passes through (the node is added when missing); anything else is `internal`.
 */
export function toAppError(err: unknown, node?: string, context?: string): AppError {
  if (isAppError(err)) {
    if (err.node !== undefined || node === undefined) return err;
    return new AppError(err.code, err.message, { details: err.details, node, cause: err.cause ?? err });
  }
  if (isGrpcError(err)) {
    const talosMessage = cleanGrpcMessage(err.details || err.message || grpcStatusName(err.code));
    const message = context ? `${context}: ${talosMessage}` : talosMessage;
    const details: TalosErrorDetails = { grpcCode: err.code, grpcStatus: grpcStatusName(err.code) };
    return new AppError(errorCodeForGrpcStatus(err.code), message, { details, node, cause: err });
  }
  const message = err instanceof Error ? err.message : String(err);
  return new AppError("internal", context ? `${context}: ${message}` : message, { node, cause: err });
}

/** What anyone is told when a node's Talos API did not answer, whatever the transport said. */
export const NO_ANSWER_MESSAGE = "No answer from the Talos API";

/** A failure to reach the node at all (connection refused, reset, TLS failure, timeout), not an answer. */
export function isTransportFailure(code: string): boolean {
  return code === "node_unreachable" || code === "node_timeout";
}

/** What a transport failure may carry that is about Minos's own credentials, not the remote port. */
export interface TransportFailureDetails {
  /** Set when the talosconfig client certificate had expired (apid drops such handshakes silently). */
  clientCertificateExpiredAt?: string;
}

/**
 * A failure as it may be shown to anyone. The transport's words tell a closed port
 * ("ECONNREFUSED") from a service that is not Talos ("wrong version number", a certificate
 * error, "presented no certificate"), which would let whoever picks the endpoints map hosts and
 * ports through Minos; so every transport failure reads the same (the code still says whether
 * the deadline passed). What is about Minos's own credentials (an expired client certificate)
 * is kept. Answers from a node (forbidden, conflict, …) pass unchanged. The cause belongs in
 * the server log.
 */
export function publicFailure<C extends string>(e: { code: C; message: string; details?: unknown }): { code: C; message: string } {
  if (!isTransportFailure(e.code)) return { code: e.code, message: e.message };
  const expired = (e.details as TransportFailureDetails | undefined)?.clientCertificateExpiredAt;
  return { code: e.code, message: expired ? `${NO_ANSWER_MESSAGE} (the client certificate expired at ${expired})` : NO_ANSWER_MESSAGE };
}

/**
 * The error carried inside a wrapped reply (`common.Metadata.error`/`status`), which apid fills
 * when a backend of a one-to-many call failed.
 */
export function metadataError(
  meta: { error?: string; status?: { code?: number; message?: string } | undefined } | undefined,
  node?: string,
): AppError | undefined {
  if (!meta || !meta.error) return undefined;
  const code = meta.status?.code ?? GrpcStatus.UNKNOWN;
  return toAppError({ code, details: meta.status?.message || meta.error, metadata: undefined }, node);
}

/** Meaning of a nonzero installer exit code (LifecycleService progress `exit_code`). */
export const installerExitCodes: Record<number, { meaning: string; code: ErrorCode }> = {
  1: { meaning: "unknown error", code: "internal" },
  2: { meaning: "invalid input", code: "bad_request" },
  3: { meaning: "unsupported", code: "unsupported" },
  4: { meaning: "environment error", code: "internal" },
  5: { meaning: "dependency or image pull failure", code: "internal" },
  6: { meaning: "I/O error", code: "internal" },
  7: { meaning: "install failure", code: "internal" },
};

/** An AppError for a nonzero installer exit code, with the code and its meaning. */
export function installerExitError(exitCode: number, node?: string, lastMessage?: string): AppError {
  const known = installerExitCodes[exitCode];
  const meaning = known?.meaning ?? "unknown exit code";
  const suffix = lastMessage ? `: ${lastMessage}` : "";
  return new AppError(known?.code ?? "internal", `installer exited with code ${exitCode} (${meaning})${suffix}`, {
    node,
    details: { exitCode, meaning },
  });
}

/**
 * Talos's COSI access policy (internal/app/resources/access.go, the same in 1.10–1.14) refuses a
 * resource type the node does not define with PermissionDenied
 * `resource type "BootIDs.runtime.talos.dev" is not supported` (Go's %q quoting). That means "this
 * Talos version has no such type", not "your role may not": true when `err` is that answer,
 * for `type` when given.
 */
export function isUnsupportedResourceType(err: unknown, type?: string): boolean {
  if (!isAppError(err) || err.code !== "forbidden") return false;
  const m = /resource type "((?:[^"\\]|\\.)*)" is not supported/.exec(err.message);
  return m !== null && (type === undefined || m[1] === type);
}
