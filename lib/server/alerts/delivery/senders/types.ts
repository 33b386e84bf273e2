import "server-only";

import type { ConnectionOptions } from "node:tls";

import type { OpenChannel } from "../model";
import type { OutgoingNotice } from "../messages";

/** One attempt's outcome. `error` is already redacted (no secret, no URL query) and short. */
export interface SendResult {
  ok: boolean;
  /** The HTTP status, or the SMTP reply code; null when no answer came. */
  statusCode: number | null;
  error: string | null;
}

export interface SenderDeps {
  /** MINOS_ORIGIN, or http://localhost:PORT: the base of every link back. */
  origin: string;
  /** `Minos/<version>`. */
  userAgent: string;
  now: () => Date;
  /** Per attempt: an HTTP request or an SMTP conversation ends after this. */
  timeoutMs: number;
  /** Extra TLS options for SMTP (a private CA in tests or for an internal relay); never turns verification off. */
  smtpTls?: Pick<ConnectionOptions, "ca" | "servername">;
}

export type Sender = (channel: OpenChannel, notice: OutgoingNotice, deps: SenderDeps) => Promise<SendResult>;
