import "server-only";

import { errorCodeSchema, type ErrorCode } from "@/lib/schemas/error";

/**
 * A failure that Minos can explain to the caller. Thrown anywhere on the server and turned into
 * the one error envelope by the route wrapper; anything else becomes a generic 500.
 */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly details?: unknown;
  /** The node the failure concerns, when it came from a Talos call. */
  readonly node?: string;

  constructor(code: ErrorCode, message: string, options: { details?: unknown; node?: string; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = "AppError";
    this.code = code;
    this.details = options.details;
    this.node = options.node;
  }
}

/**
 * Whether `e` is an AppError. Next bundles instrumentation (where the background runners start)
 * apart from the route handlers, so the same class can exist twice in one process: recognise it
 * by shape, not only by `instanceof`.
 */
export function isAppError(e: unknown): e is AppError {
  if (e instanceof AppError) return true;
  return e instanceof Error && e.name === "AppError" && errorCodeSchema.safeParse((e as { code?: unknown }).code).success;
}
