import "server-only";

import { AppError } from "@/lib/server/platform/errors";
import { processState } from "@/lib/server/platform/process-state";

const g = processState<{ __minosApplyInFlight?: Map<string, string> }>();

function held(): Map<string, string> {
  g.__minosApplyInFlight ??= new Map();
  return g.__minosApplyInFlight;
}

/** What holds the node's apply slot ("an apply", "rollout r-…"), if anything. */
export function applyInFlight(node: string): string | undefined {
  return held().get(node);
}

/**
 * Runs `fn` holding the node's apply slot; a second caller gets a 409 at once instead of
 * queueing behind the first (an apply that lands minutes later surprises whoever sent it).
 * Process-local: across processes the node's own "another apply configuration is already in
 * progress" (FailedPrecondition → conflict) is the backstop.
 */
export async function withApplySlot<T>(node: string, holder: string, fn: () => Promise<T>): Promise<T> {
  const current = held().get(node);
  if (current !== undefined) {
    throw new AppError("conflict", `Another apply to ${node} is in progress (${current}); wait for it to finish`, { node });
  }
  held().set(node, holder);
  try {
    return await fn();
  } finally {
    held().delete(node);
  }
}
