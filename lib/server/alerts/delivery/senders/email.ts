import "server-only";

import { createTransport } from "nodemailer";

import { emailMessage } from "../messages";
import { redactText, secretValues } from "../model";
import type { Sender } from "./types";

/** The reply code at the start of an SMTP answer (`250 2.0.0 OK`), or null. */
function replyCode(response: unknown): number | null {
  const m = typeof response === "string" ? /^(\d{3})\b/.exec(response) : null;
  return m ? Number(m[1]) : null;
}

/**
 * Email over SMTP with nodemailer: `tls` is implicit TLS from the first byte, `starttls` requires
 * the upgrade (a server that does not offer it is a failure, never a plain-text fallback). The
 * server's certificate is always verified; deps.smtpTls may add a CA (tests, an internal relay).
 */
export const sendEmail: Sender = async (channel, notice, deps) => {
  const smtp = channel.settings.smtp;
  if (!smtp) return { ok: false, statusCode: null, error: "the channel has no SMTP settings" };
  const secrets = secretValues(channel.secrets, channel.type);
  const transport = createTransport({
    host: smtp.host,
    port: smtp.port,
    secure: smtp.security === "tls",
    requireTLS: smtp.security === "starttls",
    ignoreTLS: false,
    auth: smtp.username ? { user: smtp.username, pass: channel.secrets.password ?? "" } : undefined,
    tls: { ...deps.smtpTls, minVersion: "TLSv1.2" },
    connectionTimeout: deps.timeoutMs,
    greetingTimeout: deps.timeoutMs,
    socketTimeout: deps.timeoutMs * 2,
    disableFileAccess: true,
    disableUrlAccess: true,
  });
  const message = emailMessage(notice, deps.origin);
  try {
    const info = await transport.sendMail({ from: smtp.from, to: smtp.to, subject: message.subject, text: message.text, html: message.html, headers: { "X-Minos-Alert": notice.id } });
    return { ok: true, statusCode: replyCode(info.response), error: null };
  } catch (e) {
    const err = e as Error & { responseCode?: number; code?: string };
    return { ok: false, statusCode: typeof err.responseCode === "number" ? err.responseCode : null, error: redactText(`${err.code ? `${err.code}: ` : ""}${err.message}`, secrets) };
  } finally {
    transport.close();
  }
};
