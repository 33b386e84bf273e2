import type { TalosEvent } from "@/lib/server/talos/events";
import type { EventsOptions } from "@/lib/server/talos/api/machine";
import { type Clock, sleep } from "@/lib/utils/clock";

/** The one Talos call a node's event wake-up needs; `TalosClient` fits, tests may pass a fake. */
export interface EventsTalos {
  events(node: string, opts?: EventsOptions): AsyncIterable<TalosEvent>;
}

export interface NodeEventsOptions {
  clock: Clock;
  /**
   * Delay before the stream is opened again after it failed or ended (the node rebooting, or not
   * there yet). Talos's own tracker (talosctl's `--wait`) retries at a constant interval too.
   */
  reconnectMs: number;
  /** Events worth a look. Default: machine status, service state and the end of a sequence. */
  wanted?(e: TalosEvent): boolean;
  /** Ends the stream and every wait. */
  signal?: AbortSignal;
}

/**
 * What a gate looks at after: a MachineStatus (stage, readiness and its unmet conditions, which
 * name services not running or not healthy), a service's health check result, a sequence done.
 * A service's own steps (Starting, Preparing, Running before its first check) are not: a boot
 * sends dozens, and what they change shows in the next MachineStatus.
 */
export function gateEvent(e: TalosEvent): boolean {
  return e.type === "machineStatus" || (e.type === "serviceState" && e.healthy !== undefined) || (e.type === "sequence" && e.action === "stop");
}

/**
 * Follows one node's Events stream (MachineService.Events) so a wait can look at the node as soon
 * as something changed on it, instead of at its next poll. It only says "look now": the wait
 * still reads the node and judges what it reads, so a missed, stale or replayed event costs one
 * read at most and never passes a gate by itself. Events that come while nobody waits are
 * remembered (one pending wake-up), so none is lost between two looks.
 *
 * The stream is opened at the first wait (a node that passes its first look costs no stream),
 * and every hello is a wake-up of its own: what changed before the stream was open is seen by
 * the look that follows, and after a gap the node is back. The stream drops when the node
 * reboots; it is opened again every `reconnectMs` and, as talosctl's tracker does, replays what
 * the node buffered since (`tail_events = -1`: a reboot empties machined's buffer, so that is
 * this boot's events).
 */
export class NodeEventWake {
  /** Wanted events received. */
  events = 0;
  /** Streams opened (hello received). */
  connects = 0;
  /** Streams that failed to open or ended. */
  failures = 0;
  private pending = false;
  private waiter: (() => void) | null = null;
  private readonly stop = new AbortController();
  private loop: Promise<void> | null = null;
  private readonly wanted: (e: TalosEvent) => boolean;

  constructor(
    private readonly client: EventsTalos,
    private readonly node: string,
    private readonly o: NodeEventsOptions,
  ) {
    this.wanted = o.wanted ?? gateEvent;
    if (o.signal?.aborted) this.stop.abort();
    else o.signal?.addEventListener("abort", this.onAbort, { once: true });
  }

  private readonly onAbort = () => this.stop.abort();

  /** Whether a stream is open now. */
  connected = false;

  /**
   * Resolves with "event" as soon as a wanted event came (at once if one came since the last
   * wait), "timeout" after `ms`, or "stopped" once closed or aborted.
   */
  wait(ms: number): Promise<"event" | "timeout" | "stopped"> {
    if (this.stop.signal.aborted) return Promise.resolve("stopped");
    this.loop ??= this.follow();
    if (this.pending) {
      this.pending = false;
      return Promise.resolve("event");
    }
    return new Promise((resolve) => {
      const timer = this.o.clock.setTimeout(() => settle("timeout"), ms, { keepAlive: true });
      const settle = (how: "event" | "timeout" | "stopped") => {
        this.o.clock.clearTimeout(timer);
        this.stop.signal.removeEventListener("abort", onStop);
        if (this.waiter === onEvent) this.waiter = null;
        resolve(how);
      };
      const onEvent = () => {
        this.pending = false;
        settle("event");
      };
      const onStop = () => settle("stopped");
      this.waiter = onEvent;
      this.stop.signal.addEventListener("abort", onStop, { once: true });
    });
  }

  /** Ends the stream; resolves when it is closed. */
  async close(): Promise<void> {
    // The signal is the job's (it outlives this wait): leave nothing on it.
    this.o.signal?.removeEventListener("abort", this.onAbort);
    this.stop.abort();
    await this.loop;
  }

  private nudge(): void {
    this.pending = true;
    this.waiter?.();
  }

  private async follow(): Promise<void> {
    let tailEvents = 0;
    const signal = this.stop.signal;
    while (!signal.aborted) {
      try {
        for await (const ev of this.client.events(this.node, { tailEvents, signal })) {
          if (ev.type === "hello") {
            this.connected = true;
            this.connects++;
            this.nudge();
          } else if (this.wanted(ev)) {
            this.events++;
            this.nudge();
          }
        }
      } catch {
        // Unreachable (rebooting, down) or refused: the wait's own reads say what that means.
      }
      this.connected = false;
      if (signal.aborted) return;
      this.failures++;
      tailEvents = -1;
      await sleep(this.o.clock, this.o.reconnectMs, signal);
    }
  }
}
