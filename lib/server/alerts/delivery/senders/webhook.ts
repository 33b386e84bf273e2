import "server-only";

import { createHmac } from "node:crypto";

import { slackMessage, webhookPayload } from "../messages";
import { redactText, secretValues } from "../model";
import type { Sender, SendResult } from "./types";

/** How much of a failed answer's body is kept (redacted): enough to read an error, too little to hold a document. */
const EXCERPT_CHARS = 200;

/** At most this much of a failed answer is read; the rest is never downloaded (a receiver may answer with megabytes, or never end). */
export const EXCERPT_READ_BYTES = 4_096;

/**
 * The first `maxBytes` of a response body as text (a UTF-8 sequence cut at the end decodes to
 * U+FFFD), then the body is cancelled, which closes the connection rather than draining it.
 * A body that fails midway yields what came before.
 */
export async function readPrefix(res: Response, maxBytes: number): Promise<string> {
  if (!res.body) return "";
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < maxBytes) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value.subarray(0, maxBytes - size));
      size += Math.min(value.byteLength, maxBytes - size);
    }
  } catch {
    // A reset or a timeout mid-body: keep what arrived.
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  return new TextDecoder().decode(Buffer.concat(chunks));
}

/** `sha256=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>`, the value of X-Minos-Signature. */
export function signBody(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac("sha256", secret).update(`${timestamp}.${body}`).digest("hex")}`;
}

/**
 * POSTs `body` as JSON; 2xx is success. Redirects are not followed (a signed alert is not sent
 * on to wherever a 3xx points). On failure only a short redacted excerpt of the answer is kept.
 */
async function postJson(url: string, body: string, headers: Record<string, string>, secrets: string[], timeoutMs: number): Promise<SendResult> {
  let res: Response;
  try {
    res = await fetch(url, { method: "POST", body, headers: { "content-type": "application/json", ...headers }, redirect: "manual", signal: AbortSignal.timeout(timeoutMs) });
  } catch (e) {
    const err = e as Error & { cause?: { code?: string; message?: string } };
    const why = err.name === "TimeoutError" ? `no answer within ${Math.round(timeoutMs / 1000)} s` : (err.cause?.code ?? err.cause?.message ?? err.message);
    return { ok: false, statusCode: null, error: redactText(`request failed: ${why}`, secrets) };
  }
  if (res.status >= 200 && res.status < 300) {
    await res.body?.cancel().catch(() => undefined);
    return { ok: true, statusCode: res.status, error: null };
  }
  const text = await readPrefix(res, EXCERPT_READ_BYTES);
  const excerpt = redactText(text, secrets, EXCERPT_CHARS);
  return { ok: false, statusCode: res.status, error: `HTTP ${res.status}${excerpt ? `: ${excerpt}` : ""}` };
}

/** The generic webhook: the payload signed with the channel's secret. */
export const sendWebhook: Sender = async (channel, notice, deps) => {
  const { url, secret } = channel.secrets;
  if (!url || !secret) return { ok: false, statusCode: null, error: "the channel has no URL or secret" };
  const body = JSON.stringify(webhookPayload(notice, deps.origin));
  const timestamp = String(Math.floor(deps.now().getTime() / 1000));
  return postJson(
    url,
    body,
    { "user-agent": deps.userAgent, "x-minos-timestamp": timestamp, "x-minos-signature": signBody(secret, timestamp, body) },
    secretValues(channel.secrets, channel.type),
    deps.timeoutMs,
  );
};

/** A Slack-compatible incoming webhook: the URL is the credential, no signature. */
export const sendSlack: Sender = async (channel, notice, deps) => {
  const { url } = channel.secrets;
  if (!url) return { ok: false, statusCode: null, error: "the channel has no URL" };
  return postJson(url, JSON.stringify(slackMessage(notice, deps.origin)), { "user-agent": deps.userAgent }, secretValues(channel.secrets, channel.type), deps.timeoutMs);
};
