import "server-only";

import type { DmesgQuery, LogsQuery } from "@/lib/schemas/logs";
import type { Actor } from "@/lib/server/auth/actor";
import { getClusterClient } from "@/lib/server/fleet/clients";
import { resolveNodeOrThrow } from "@/lib/server/fleet/nodes";
import { Counter, Gauge } from "prom-client";

import { recordAudit } from "@/lib/server/platform/audit";
import { getDb, type Db } from "@/lib/server/platform/db/db";
import { isAppError } from "@/lib/server/platform/errors";
import { registerMetrics } from "@/lib/server/platform/metrics";
import { processState } from "@/lib/server/platform/process-state";
import type { TalosClient } from "@/lib/server/talos";
import { publicFailure } from "@/lib/server/talos/errors";

import { linesResponseBody, primeFirst, type LinePumpOptions, type PumpEnd, type SessionRecheck } from "./pump";
import { takeStreamSlot } from "./session";

/** What the log streams need from the Talos client (tests pass fakes). */
export type LogsTalos = Pick<TalosClient, "logs" | "dmesg" | "events">;

export interface LogsServiceDeps {
  db: Db;
  resolveNode(id: string): Promise<{ cluster: string; address: string }>;
  client(cluster: string): Promise<LogsTalos>;
  /** How long to wait for the node's first chunk before sending headers. Default 1.5 s. */
  firstChunkWaitMs?: number;
  pump?: Pick<LinePumpOptions, "highWaterMark" | "maxStallMs" | "setTimer">;
  /** The reader's session, checked again while the stream is open (the route passes streamSessionCheck). */
  session?: SessionRecheck;
}

export function defaultLogsServiceDeps(): LogsServiceDeps {
  return { db: getDb(), resolveNode: resolveNodeOrThrow, client: getClusterClient };
}

type EndHow = PumpEnd;

// Per process (dev reloads keep counting): what GET /api/metrics shows as minos_log_streams_*.
const g = processState<{ __minosLogStreams?: { open: number; ended: Record<EndHow, number> } }>();
function streamStats() {
  return (g.__minosLogStreams ??= { open: 0, ended: { done: 0, cancelled: 0, stalled: 0, failed: 0, session: 0 } });
}

/** Log and dmesg streams open in this process now. */
export function openLogStreamCount(): number {
  return streamStats().open;
}

function registerLogStreamMetrics(): void {
  registerMetrics("log-streams", (registry) => {
    new Gauge({
      name: "minos_log_streams_open",
      help: "Log and dmesg streams open to browsers in this process",
      registers: [registry],
      collect() {
        this.set(streamStats().open);
      },
    });
    new Counter({
      name: "minos_log_streams_ended_total",
      help: "Log and dmesg streams ended, by how: done (the node ended it), cancelled (the browser left), stalled (cut: the browser stopped reading), failed, session (the reader's session no longer passes)",
      labelNames: ["how"] as const,
      registers: [registry],
      collect() {
        this.reset();
        for (const [how, n] of Object.entries(streamStats().ended)) this.inc({ how }, n);
      },
    });
  });
}

const TEXT_HEADERS = {
  "content-type": "text/plain; charset=utf-8",
  // no-transform: Next's compression would otherwise buffer a follower's lines.
  "cache-control": "no-store, no-transform",
  "x-accel-buffering": "no",
  "x-content-type-options": "nosniff",
};

interface OpenSpec {
  action: "node.logs" | "node.dmesg";
  details: Record<string, unknown>;
  framing: LinePumpOptions["framing"];
  open(client: LogsTalos, address: string, signal: AbortSignal): AsyncIterator<Buffer>;
}

/**
 * What a viewer reads when a stream fails mid-way: a node that did not answer reads the same
 * whatever the transport said (see publicFailure); the transport's words go to the server log.
 */
export function streamFailureLine(e: unknown, what: string): string {
  if (!isAppError(e)) {
    console.error(`[minos] ${what} failed`, e);
    return "the node ended the stream";
  }
  const shown = publicFailure(e).message;
  if (shown !== e.message) console.error(`[minos] ${what} failed: ${e.code}: ${e.message}`);
  return shown;
}

/**
 * Opens a node's log stream as a text/plain response (one line per log line). The gRPC call
 * ends when the request aborts, the response is cancelled, the follower stalls, or the node
 * ends it. Each open is audited (who read which log; never any of its content).
 */
async function openLineStream(actor: Actor, id: string, signal: AbortSignal, spec: OpenSpec, deps: LogsServiceDeps): Promise<Response> {
  const release = takeStreamSlot(actor);
  try {
    return await openLineStreamHolding(actor, id, signal, spec, deps, release);
  } catch (e) {
    release();
    throw e;
  }
}

async function openLineStreamHolding(actor: Actor, id: string, signal: AbortSignal, spec: OpenSpec, deps: LogsServiceDeps, release: () => void): Promise<Response> {
  const { cluster, address } = await deps.resolveNode(id);
  const client = await deps.client(cluster);
  const abort = new AbortController();
  const onRequestAbort = () => abort.abort();
  if (signal.aborted) abort.abort();
  else signal.addEventListener("abort", onRequestAbort, { once: true });

  let source: AsyncIterator<Buffer>;
  try {
    source = await primeFirst(spec.open(client, address, abort.signal), deps.firstChunkWaitMs ?? 1_500);
  } catch (e) {
    signal.removeEventListener("abort", onRequestAbort);
    abort.abort();
    await audit(deps, actor, spec, id, "failed", { ...spec.details, error: { code: isAppError(e) ? e.code : "internal" } });
    throw e;
  }
  await audit(deps, actor, spec, id, "ok", spec.details);
  registerLogStreamMetrics();
  const stats = streamStats();
  stats.open++;
  const body = linesResponseBody(source, {
    framing: spec.framing,
    abort,
    ...deps.pump,
    session: deps.session,
    describeError: (e) => streamFailureLine(e, `${spec.action} stream of ${id}`),
    onEnd: (how) => {
      release();
      stats.open--;
      stats.ended[how]++;
      signal.removeEventListener("abort", onRequestAbort);
    },
  });
  return new Response(body, { headers: TEXT_HEADERS });
}

async function audit(deps: LogsServiceDeps, actor: Actor, spec: OpenSpec, id: string, result: "ok" | "failed", details: Record<string, unknown>): Promise<void> {
  await recordAudit(deps.db, { actor: actor.label, action: spec.action, target: id, result, details }).catch((e: unknown) => {
    console.error("[minos] audit of a log stream failed", e);
  });
}

/** GET /api/nodes/:node/logs/:service – a Talos service's (or, `kubernetes`, a CRI container's) log. */
export function openServiceLogs(actor: Actor, id: string, service: string, query: LogsQuery, signal: AbortSignal, deps = defaultLogsServiceDeps()): Promise<Response> {
  return openLineStream(
    actor,
    id,
    signal,
    {
      action: "node.logs",
      details: { service, kubernetes: query.kubernetes, follow: query.follow, tail: query.tail },
      framing: "stream",
      open: (client, address, s) => client.logs(address, { id: service, kubernetes: query.kubernetes, follow: query.follow, tailLines: query.tail, signal: s }),
    },
    deps,
  );
}

/** GET /api/nodes/:node/dmesg – the kernel log, in Talos's `facility: priority: [time]: message` lines. */
export function openDmesg(actor: Actor, id: string, query: DmesgQuery, signal: AbortSignal, deps = defaultLogsServiceDeps()): Promise<Response> {
  return openLineStream(
    actor,
    id,
    signal,
    {
      action: "node.dmesg",
      details: { follow: query.follow, tail: query.tail },
      framing: "message",
      open: (client, address, s) => client.dmesg(address, { follow: query.follow, tail: query.follow && query.tail, signal: s }),
    },
    deps,
  );
}
