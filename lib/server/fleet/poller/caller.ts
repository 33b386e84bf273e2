import "server-only";

import type { NodeError } from "@/lib/schemas/fleet";
import { isAppError } from "@/lib/server/platform/errors";
import { isTransportFailure, publicFailure } from "@/lib/server/talos/errors";

import type { PollerCore } from "./core";

export type Outcome<T> = { ok: true; value: T } | { ok: false; error: NodeError; detail: string };

/**
 * A failed call as the snapshot shows it to every viewer (transport failures all read the same:
 * see publicFailure) and as the server log gets it (`detail`).
 */
function toNodeError(e: unknown): { error: NodeError; detail: string } {
  const raw = isAppError(e) ? e : { code: "internal", message: e instanceof Error ? e.message : String(e) };
  return { error: publicFailure(raw), detail: raw.message };
}

/** The node answered (even "no"): anything but a transport failure. */
export function answered(e: NodeError): boolean {
  return !isTransportFailure(e.code);
}

/**
 * Makes the poller's Talos calls: each with the call deadline, cancelled when the poller stops,
 * counted while in flight and reported to `onCall`; a failure becomes an {@link Outcome}, never a throw.
 */
export class TalosCaller {
  /** Talos calls awaiting an answer right now. */
  inFlight = 0;

  constructor(private readonly core: PollerCore) {}

  async call<T>(method: string, fn: (opts: { timeoutMs: number; signal: AbortSignal }) => Promise<T>): Promise<Outcome<T>> {
    const o = this.core.o;
    this.inFlight++;
    const started = performance.now();
    try {
      const value = await fn({ timeoutMs: o.callTimeoutMs, signal: this.core.signal });
      o.onCall?.(method, (performance.now() - started) / 1000, "ok");
      return { ok: true, value };
    } catch (e) {
      const { error, detail } = toNodeError(e);
      o.onCall?.(method, (performance.now() - started) / 1000, error.code);
      return { ok: false, error, detail };
    } finally {
      this.inFlight--;
    }
  }
}
