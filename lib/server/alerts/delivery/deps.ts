import "server-only";

import type { Channel } from "@/lib/schemas/alerts";
import type { NoticeSink } from "@/lib/server/alerts/notices";
import { getDb } from "@/lib/server/platform/db/db";
import { env } from "@/lib/server/platform/env";
import { publish } from "@/lib/server/platform/events";
import { processState } from "@/lib/server/platform/process-state";
import { relayTopic } from "@/lib/server/platform/relay";
import { replicaId } from "@/lib/server/platform/replica";
import { getSecretBox } from "@/lib/server/platform/secret-box";
import { realClock } from "@/lib/utils/clock";
import { MINOS_VERSION } from "@/lib/version";

import "@/lib/server/alerts/events";
import { enqueueNotice } from "./outbox";
import { SENDERS, type SenderDeps } from "./senders";
import type { ChannelServiceDeps } from "./service";
import { DeliveryWorker } from "./worker";

/** How often the worker looks for due notifications: a notice goes out within about this. */
const TICK_MS = 1_000;
/** One HTTP request or SMTP conversation (each phase) gives up after this. */
const SEND_TIMEOUT_MS = 10_000;

/** The base of every link back: MINOS_ORIGIN, else http://localhost:PORT (as auth/config.ts reads it). */
function senderDeps(): Omit<SenderDeps, "now"> {
  const e = env();
  return { origin: e.MINOS_ORIGIN ?? `http://localhost:${e.PORT}`, userAgent: `Minos/${MINOS_VERSION}`, timeoutMs: SEND_TIMEOUT_MS };
}

/** The engine's NoticeSink (lib/server/alerts/notices.ts): the outbox, written in the engine's transaction. */
export const noticeSink: NoticeSink = enqueueNotice;

const publishChannel = (channel: Channel) => publish("alert-channel", { channel });

export function defaultChannelDeps(): ChannelServiceDeps {
  return { db: getDb(), box: getSecretBox(env()), now: () => new Date(), senders: SENDERS, sender: senderDeps(), publish: publishChannel };
}

const g = processState<{ __minosDeliveryWorker?: DeliveryWorker }>();

/** Starts this process's delivery worker (runtime.ts); returns its stop. */
export function startDeliveryWorker(): () => Promise<void> {
  // A channel turning failing on the replica that sends is shown on every replica's pages.
  relayTopic("alert-channel");
  g.__minosDeliveryWorker ??= new DeliveryWorker(
    { db: getDb(), box: getSecretBox(env()), clock: realClock, owner: replicaId(), senders: SENDERS, sender: senderDeps(), publish: publishChannel },
    { tickMs: TICK_MS },
  );
  g.__minosDeliveryWorker.start();
  return async () => {
    const w = g.__minosDeliveryWorker;
    g.__minosDeliveryWorker = undefined;
    await w?.stop();
  };
}
