import "server-only";

import pg from "pg";

import { deliver, setEventRelay, type ServerEvents } from "@/lib/server/platform/events";
import { processState } from "@/lib/server/platform/process-state";

/** The channel every replica listens on. */
export const RELAY_CHANNEL = "minos_events";
/** PostgreSQL refuses NOTIFY payloads of 8,000 bytes or more. */
const MAX_INLINE_BYTES = 7_500;

/**
 * How a topic crosses replicas. Small payloads travel whole; larger ones as a reference (an
 * upgrade plan's ID) that the receiving replica loads from the store. A topic without an entry
 * stays in its process (the fleet's own changes reach other replicas as snapshots instead).
 */
export interface RelayedTopic<T> {
  ref?: (payload: T) => string;
  load?: (ref: string) => Promise<T | null>;
}

// In the process state: Next loads this module once per bundle, and a topic registered from any
// of them must be seen by the relay started from instrumentation.
const relayed = (processState<{ __minosRelayedTopics?: Map<string, RelayedTopic<unknown>> }>().__minosRelayedTopics ??= new Map());

export function relayTopic<K extends keyof ServerEvents>(topic: K, how: RelayedTopic<ServerEvents[K]> = {}): void {
  relayed.set(topic, how as RelayedTopic<unknown>);
}

type Message = { origin: string; topic: string; payload?: unknown; ref?: string };

export interface EventRelay {
  stop(): Promise<void>;
}

/**
 * Several replicas on PostgreSQL: events published here are sent to the others with NOTIFY, and
 * theirs are delivered to this replica's subscribers (the SSE streams of the browsers connected
 * here). A dedicated connection LISTENs and reconnects after a failure; events sent while it was
 * down are lost, which the pages survive (they refetch on reconnect and the fleet syncs through
 * its snapshots).
 */
export async function startEventRelay(url: string, origin: string): Promise<EventRelay> {
  // One connection: notifications arrive in the order they were sent.
  const sender = new pg.Pool({ connectionString: url, max: 1 });
  sender.on("error", () => undefined);
  let listener: pg.Client | null = null;
  let stopped = false;
  let retry: ReturnType<typeof setTimeout> | null = null;

  const receive = async (raw: string | undefined) => {
    if (!raw) return;
    let m: Message;
    try {
      m = JSON.parse(raw) as Message;
    } catch {
      return;
    }
    if (m.origin === origin) return;
    const how = relayed.get(m.topic);
    if (!how) return;
    const payload = m.ref !== undefined ? await how.load?.(m.ref) : m.payload;
    if (payload !== undefined && payload !== null) deliver(m.topic as keyof ServerEvents, payload as never);
  };

  const listen = async () => {
    // keepAlive: a connection a NAT or proxy dropped silently is found, and then replaced.
    const client = new pg.Client({ connectionString: url, keepAlive: true, connectionTimeoutMillis: 5_000 });
    client.on("notification", (n) => void receive(n.payload).catch((e: unknown) => console.error("[minos] a relayed event failed:", (e as Error).message)));
    // A client already replaced must not replace its successor (two listeners would deliver twice).
    const down = () => {
      if (listener === null || listener === client) reconnect();
    };
    client.on("error", down);
    client.on("end", down);
    try {
      await client.connect();
      await client.query(`LISTEN ${RELAY_CHANNEL}`);
    } catch (e) {
      await client.end().catch(() => undefined);
      throw e;
    }
    if (stopped) return void (await client.end().catch(() => undefined));
    listener = client;
  };
  const reconnect = () => {
    if (stopped || retry) return;
    listener = null;
    retry = setTimeout(() => {
      retry = null;
      listen().catch(() => reconnect());
    }, 1_000);
    retry.unref?.();
  };

  // The database may come up after this replica (pods start in any order): listening is retried
  // in the background, and sending works as soon as the database answers.
  await listen().catch((e: unknown) => {
    console.error(`[minos] the event relay cannot listen yet (${(e as Error).message}); retrying`);
    reconnect();
  });
  setEventRelay((topic, payload) => {
    const how = relayed.get(topic);
    if (!how) return;
    let text = JSON.stringify({ origin, topic, payload } satisfies Message);
    if (Buffer.byteLength(text) > MAX_INLINE_BYTES) {
      if (!how.ref) return console.warn(`[minos] a ${topic} event is too large to relay to other replicas`);
      text = JSON.stringify({ origin, topic, ref: how.ref(payload) } satisfies Message);
    }
    sender.query("SELECT pg_notify($1, $2)", [RELAY_CHANNEL, text]).catch((e: unknown) => console.error("[minos] relaying an event failed:", (e as Error).message));
  });
  return {
    async stop() {
      stopped = true;
      setEventRelay(null);
      if (retry) clearTimeout(retry);
      await listener?.end().catch(() => undefined);
      await sender.end().catch(() => undefined);
    },
  };
}
