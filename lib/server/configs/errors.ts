import "server-only";

import type { ErrorCode } from "@/lib/schemas/error";
import { AppError, isAppError } from "@/lib/server/errors";

interface AppErrorLike extends Error {
  code: ErrorCode;
  details?: unknown;
  node?: string;
}

// Long-lived objects cached on globalThis (the Talos clients, first made by the poller in the
// instrumentation bundle) throw AppErrors of *that* bundle's class, so `instanceof` fails in a
// route's bundle and the route wrapper answers 500 instead of 503/504/409. Until
// lib/server/errors.ts brands AppError across bundles, config push checks by shape.
function isAppErrorLike(e: unknown): e is AppErrorLike {
  return e instanceof Error && e.name === "AppError" && typeof (e as { code?: unknown }).code === "string";
}

/** The AppError code of any thrown value, whichever bundle made it. */
export function errorCodeOf(e: unknown): ErrorCode | undefined {
  return isAppErrorLike(e) ? e.code : undefined;
}

/** The same failure as an AppError of this bundle, so the route wrapper maps its status. */
export function localAppError(e: unknown): unknown {
  if (isAppError(e) || !isAppErrorLike(e)) return e;
  return new AppError(e.code, e.message, { details: e.details, node: e.node, cause: e });
}

/** Runs a service call with its errors re-homed by {@link localAppError}. */
export async function mapErrors<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    throw localAppError(e);
  }
}
