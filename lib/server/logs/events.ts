import "server-only";

import type { NodeEvent, NodeEventsQuery } from "@/lib/schemas/logs";
import type { Actor } from "@/lib/server/auth/actor";
import { isAppError } from "@/lib/server/platform/errors";
import type { TalosEvent } from "@/lib/server/talos";

import { primeFirst, SESSION_ENDED_LINE, watchSession } from "./pump";
import { defaultLogsServiceDeps, streamFailureLine, type LogsServiceDeps } from "./service";
import { takeStreamSlot } from "./session";

const XID_ALPHABET = "0123456789abcdefghijklmnopqrstuv";

const SSE_HEADERS = { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-store, no-transform", connection: "keep-alive", "x-accel-buffering": "no" };
/** When the node did not answer, the browser asks again this much later. */
const UNAVAILABLE_RETRY_MS = 10_000;

/**
 * The creation time in a Talos event id. Talos ids are xids (github.com/rs/xid): 12 bytes in
 * base32hex, 20 characters, the first 4 bytes the Unix time in seconds. Null for anything else.
 */
export function xidTime(id: string): Date | null {
  if (!/^[0-9a-v]{20}$/.test(id)) return null;
  let v = 0n;
  for (const ch of id) v = (v << 5n) | BigInt(XID_ALPHABET.indexOf(ch));
  // 100 bits: 96 of data, then 4 of padding.
  const seconds = Number((v >> 4n) >> 64n);
  return seconds > 0 ? new Date(seconds * 1000) : null;
}

/** One line per event, in the words talosctl events uses; null for the stream's hello. */
export function summarizeEvent(e: TalosEvent): NodeEvent | null {
  const base = { id: e.id, at: xidTime(e.id)?.toISOString() ?? null, actorId: e.actorId };
  switch (e.type) {
    case "hello":
      return null;
    case "sequence":
      return { ...base, type: e.type, summary: `sequence ${e.sequence}: ${e.action}${e.error ? ` (error ${e.error.code}: ${e.error.message})` : ""}`, failure: e.error !== undefined };
    case "phase":
      return { ...base, type: e.type, summary: `phase ${e.phase}: ${e.action}`, failure: false };
    case "task":
      return { ...base, type: e.type, summary: `task ${e.task}: ${e.action}`, failure: false };
    case "serviceState": {
      const health = e.healthy === undefined ? "" : e.healthy ? ", healthy" : ", unhealthy";
      return { ...base, type: e.type, summary: `service ${e.service}: ${e.state}${e.message ? ` (${e.message})` : ""}${health}`, failure: e.state === "Failed" || e.healthy === false };
    }
    case "machineStatus": {
      const unmet = e.unmetConditions.map((c) => `${c.name}: ${c.reason}`).join("; ");
      return { ...base, type: e.type, summary: `machine ${e.stage}, ${e.ready ? "ready" : "not ready"}${unmet ? ` (${unmet})` : ""}`, failure: false };
    }
    case "restart":
      return { ...base, type: e.type, summary: `restart (cmd ${e.cmd})`, failure: false };
    case "configLoadError":
      return { ...base, type: e.type, summary: `config load error: ${e.error}`, failure: true };
    case "configValidationError":
      return { ...base, type: e.type, summary: `config validation error: ${e.error}`, failure: true };
    case "address":
      return { ...base, type: e.type, summary: `addresses of ${e.hostname}: ${e.addresses.join(", ") || "none"}`, failure: false };
    case "unknown":
      return { ...base, type: e.type, summary: `event ${e.typeUrl}`, failure: false };
  }
}

/**
 * GET /api/nodes/:node/events: Server-Sent Events, `event: talos` with a {@link NodeEvent} per
 * Talos event (the last `tail` buffered ones first), `event: end` with a message when the node
 * ends the stream or does not answer (then the browser reconnects after 10 s). Read only as fast as the browser takes them; the gRPC stream ends with the
 * request. Each stream takes one of the caller's stream slots, and ends (`end`: session ended)
 * when `deps.session` no longer passes. Not audited: events are what the node page already shows.
 */
export async function openNodeEventStream(actor: Actor, id: string, query: NodeEventsQuery, signal: AbortSignal, deps: LogsServiceDeps = defaultLogsServiceDeps(), heartbeatMs = 15_000): Promise<Response> {
  const release = takeStreamSlot(actor);
  try {
    return await openHolding(id, query, signal, deps, heartbeatMs, release);
  } catch (e) {
    release();
    throw e;
  }
}

async function openHolding(id: string, query: NodeEventsQuery, signal: AbortSignal, deps: LogsServiceDeps, heartbeatMs: number, release: () => void): Promise<Response> {
  const { cluster, address } = await deps.resolveNode(id);
  const client = await deps.client(cluster);
  const abort = new AbortController();
  const onRequestAbort = () => {
    abort.abort();
    release();
  };
  if (signal.aborted) abort.abort();
  else signal.addEventListener("abort", onRequestAbort, { once: true });
  let source: AsyncIterator<TalosEvent>;
  try {
    source = await primeFirst(client.events(address, { tailEvents: query.tail, signal: abort.signal }), deps.firstChunkWaitMs ?? 1_500);
  } catch (e) {
    signal.removeEventListener("abort", onRequestAbort);
    abort.abort();
    release();
    if (!isAppError(e)) throw e;
    // The node did not answer (down, rebooting, refused): a node page stays open through that,
    // so the stream says why and the browser asks again later, instead of an error status
    // that would close its EventSource for good.
    return new Response(`retry: ${UNAVAILABLE_RETRY_MS}\n\nevent: end\ndata: ${JSON.stringify({ message: streamFailureLine(e, `events stream of ${id}`), code: e.code })}\n\n`, { headers: SSE_HEADERS });
  }
  const encoder = new TextEncoder();
  let heartbeat: ReturnType<typeof setInterval> | undefined;
  let sessionWatch: { stop(): void } | null = null;
  let ended = false;
  const end = () => {
    if (ended) return;
    ended = true;
    release();
    clearInterval(heartbeat);
    sessionWatch?.stop();
    abort.abort();
    signal.removeEventListener("abort", onRequestAbort);
    void source.return?.().catch(() => {});
  };
  const body = new ReadableStream<Uint8Array>(
    {
      start(controller) {
        controller.enqueue(encoder.encode("retry: 5000\n\n"));
        heartbeat = setInterval(() => {
          if (!ended && (controller.desiredSize ?? 0) > 0) controller.enqueue(encoder.encode(": ping\n\n"));
        }, heartbeatMs);
        heartbeat.unref?.();
        if (deps.session) {
          sessionWatch = watchSession(
            deps.session,
            () => {
              if (ended) return;
              // No retry: the browser's reconnect would only be refused.
              controller.enqueue(encoder.encode(`event: end\ndata: ${JSON.stringify({ message: SESSION_ENDED_LINE.trim(), code: "unauthorized" })}\n\n`));
              controller.close();
              end();
            },
            deps.pump?.setTimer,
          );
        }
      },
      async pull(controller) {
        for (;;) {
          let r: IteratorResult<TalosEvent>;
          try {
            r = await source.next();
          } catch (e) {
            if (ended) return;
            const message = isAppError(e) ? streamFailureLine(e, `events stream of ${id}`) : "the node ended the event stream";
            controller.enqueue(encoder.encode(`event: end\ndata: ${JSON.stringify({ message })}\n\n`));
            controller.close();
            end();
            return;
          }
          if (ended) return;
          if (r.done) {
            if (!abort.signal.aborted) controller.enqueue(encoder.encode(`event: end\ndata: ${JSON.stringify({ message: "the node ended the event stream" })}\n\n`));
            controller.close();
            end();
            return;
          }
          const ev = summarizeEvent(r.value);
          if (!ev) continue;
          controller.enqueue(encoder.encode(`event: talos\ndata: ${JSON.stringify(ev)}\n\n`));
          return;
        }
      },
      cancel: end,
    },
    new ByteLengthQueuingStrategy({ highWaterMark: 64 * 1024 }),
  );
  return new Response(body, { headers: SSE_HEADERS });
}
