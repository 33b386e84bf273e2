/** gRPC status errors raised by simulated handlers. */
import { status } from "@grpc/grpc-js";

export class SimError extends Error {
  constructor(
    readonly code: status,
    message: string,
  ) {
    super(message);
    this.name = "SimError";
  }
}

export const notAuthorized = () => new SimError(status.PERMISSION_DENIED, "not authorized");
export const unavailable = (msg: string) => new SimError(status.UNAVAILABLE, msg);
export const invalidArgument = (msg: string) => new SimError(status.INVALID_ARGUMENT, msg);
export const failedPrecondition = (msg: string) => new SimError(status.FAILED_PRECONDITION, msg);
export const unimplemented = (msg: string) => new SimError(status.UNIMPLEMENTED, msg);
export const notFound = (msg: string) => new SimError(status.NOT_FOUND, msg);
export const permissionDenied = (msg: string) => new SimError(status.PERMISSION_DENIED, msg);

/** Normalises anything thrown by a handler into a grpc-js status object. */
export function toGrpcError(e: unknown): { code: status; details: string; message: string } {
  if (e instanceof SimError) return { code: e.code, details: e.message, message: e.message };
  const message = e instanceof Error ? e.message : String(e);
  return { code: status.INTERNAL, details: message, message };
}
