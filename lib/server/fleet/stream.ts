import "server-only";

import type { FleetEvent } from "@/lib/schemas/fleet";
import { subscribe } from "@/lib/server/platform/events";
import { getFleetPoller } from "@/lib/server/fleet/service";

export interface FleetStreamOptions {
  /** A comment line this often keeps proxies from closing an idle stream. Default 15 s. */
  heartbeatMs?: number;
  /** A client this far behind (bytes queued) is dropped; it reconnects and gets a fresh snapshot. Default 8 MB. */
  maxQueuedBytes?: number;
  /** How long a stream opened right after boot waits for the first sweep before its snapshot. Default 4 s. */
  firstSweepWaitMs?: number;
}

/**
 * GET /api/events: Server-Sent Events. First a `snapshot` (the whole fleet), then `nodes` deltas
 * as the poller publishes them (see `fleetEventSchema`), and an `upgrade` event with the whole
 * plan after each of its transitions (`upgradeEventSchema`). The stream ends when the client goes
 * away (`signal`), or when it falls too far behind to catch up.
 */
export async function openFleetEventStream(signal: AbortSignal, options: FleetStreamOptions = {}): Promise<Response> {
  const { heartbeatMs = 15_000, maxQueuedBytes = 8 * 1024 * 1024, firstSweepWaitMs = 4_000 } = options;
  const poller = getFleetPoller();
  await poller.firstSweep(firstSweepWaitMs);
  const encoder = new TextEncoder();
  let close = () => {};

  const stream = new ReadableStream<Uint8Array>(
    {
      start(controller) {
        let closed = false;
        const write = (text: string) => {
          if (closed) return;
          try {
            controller.enqueue(encoder.encode(text));
          } catch {
            close();
            return;
          }
          if ((controller.desiredSize ?? 0) < -maxQueuedBytes) close();
        };
        const send = (event: FleetEvent) => write(`event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`);

        // The browser waits this long before reconnecting after the stream drops.
        write("retry: 3000\n\n");
        send({ type: "snapshot", ...poller.snapshot() });
        const unsubscribeFleet = subscribe("fleet", send);
        // Upgrade plans ride the same stream, so an open page needs one connection, not two.
        const unsubscribeUpgrade = subscribe("upgrade", (e) => write(`event: upgrade\ndata: ${JSON.stringify(e)}\n\n`));
        const unsubscribeKubeUpgrade = subscribe("kubernetes-upgrade", (e) => write(`event: kubernetes-upgrade\ndata: ${JSON.stringify(e)}\n\n`));
        const unsubscribeBackup = subscribe("etcd-backup", (e) => write(`event: etcd-backup\ndata: ${JSON.stringify(e)}\n\n`));
        const unsubscribeBulk = subscribe("bulk", (e) => write(`event: bulk\ndata: ${JSON.stringify(e)}\n\n`));
        const unsubscribeAlerts = subscribe("alerts", (e) => write(`event: alerts\ndata: ${JSON.stringify(e)}\n\n`));
        const unsubscribeChannel = subscribe("alert-channel", (e) => write(`event: alert-channel\ndata: ${JSON.stringify(e)}\n\n`));
        const heartbeat = setInterval(() => write(": ping\n\n"), heartbeatMs);
        heartbeat.unref?.();
        close = () => {
          if (closed) return;
          closed = true;
          unsubscribeFleet();
          unsubscribeUpgrade();
          unsubscribeKubeUpgrade();
          unsubscribeBackup();
          unsubscribeBulk();
          unsubscribeAlerts();
          unsubscribeChannel();
          clearInterval(heartbeat);
          signal.removeEventListener("abort", close);
          try {
            controller.close();
          } catch {
            // Already closed or errored by the consumer.
          }
        };
        if (signal.aborted) close();
        else signal.addEventListener("abort", close, { once: true });
      },
      cancel() {
        close();
      },
    },
    new ByteLengthQueuingStrategy({ highWaterMark: 64 * 1024 }),
  );

  return new Response(stream, {
    headers: {
      "content-type": "text/event-stream; charset=utf-8",
      // no-transform: Next's compression would otherwise buffer the stream.
      "cache-control": "no-store, no-transform",
      connection: "keep-alive",
      // nginx and friends buffer responses unless told not to.
      "x-accel-buffering": "no",
    },
  });
}
