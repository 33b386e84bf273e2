import "server-only";

import type { AlertSeverity, Channel, ChannelType, SmtpSettings } from "@/lib/schemas/alerts";

/**
 * A channel as the delivery code holds it: the stored view plus, once opened from the secret box,
 * the secrets. Pure helpers only: redaction of targets, the filter a notice must pass.
 */

/** What is sealed per channel: the whole webhook or Slack URL (its query or path may be a token), the webhook secret, the SMTP password. */
export interface ChannelSecrets {
  url?: string;
  secret?: string;
  password?: string;
}

/** SMTP settings without the password (stored in clear). */
export type SmtpPublic = Omit<SmtpSettings, "password">;

/** The non-secret settings stored in clear. */
export interface ChannelSettings {
  smtp?: SmtpPublic;
}

/** A channel with its secrets opened: what a sender needs. Never logged, never returned. */
export interface OpenChannel {
  id: string;
  type: ChannelType;
  name: string;
  settings: ChannelSettings;
  secrets: ChannelSecrets;
}

/** Where a webhook goes, without user info, query or fragment: `https://hooks.example.com/minos`. */
export function webhookTarget(url: string): string {
  const u = new URL(url);
  return `${u.protocol}//${u.host}${u.pathname}`;
}

/** The Slack URL's path is the token itself: only the host is shown. */
export function slackTarget(url: string): string {
  return `${new URL(url).host} (incoming webhook)`;
}

export function emailTarget(smtp: Pick<SmtpSettings, "host" | "port" | "to">): string {
  return `${smtp.host}:${smtp.port} → ${smtp.to.join(", ")}`;
}

export function targetOf(type: ChannelType, settings: ChannelSettings, secrets: ChannelSecrets): string {
  if (type === "email") return emailTarget(settings.smtp!);
  if (type === "slack") return slackTarget(secrets.url!);
  return webhookTarget(secrets.url!);
}

/** Whether a channel with these filters wants a notice of `severity` in `cluster`. */
export function channelWants(ch: Pick<Channel, "enabled" | "severities" | "clusters">, severity: AlertSeverity, cluster: string): boolean {
  return ch.enabled && ch.severities.includes(severity) && (ch.clusters === null || ch.clusters.includes(cluster));
}

/**
 * Every secret value of a channel, for scrubbing error texts: the values themselves, a URL's query
 * values and user info, and for Slack the path segments (the URL's path is its token).
 */
export function secretValues(secrets: ChannelSecrets, type: ChannelType): string[] {
  const out: string[] = [];
  if (secrets.secret) out.push(secrets.secret);
  if (secrets.password) out.push(secrets.password);
  if (secrets.url) {
    out.push(secrets.url);
    try {
      const u = new URL(secrets.url);
      if (u.search.length > 1) out.push(u.search.slice(1));
      for (const [, v] of u.searchParams) if (v.length >= 4) out.push(v);
      if (u.password) out.push(decodeURIComponent(u.password));
      if (type === "slack") for (const seg of u.pathname.split("/")) if (seg.length >= 4 && seg !== "services") out.push(seg);
    } catch {
      // Not a URL: the whole value is already listed.
    }
  }
  // A value of a few characters would blot out ordinary words; the URL forms above still catch it in place.
  return out.filter((s) => s.length >= 4);
}

/**
 * An error or response excerpt made safe to store and show: every known secret value replaced,
 * any URL reduced to scheme://host/path (a token may ride in a query), control characters
 * flattened, cut to `max` characters.
 */
export function redactText(text: string, secrets: readonly string[], max = 300): string {
  let s = text;
  // Longest first, so a URL is replaced whole before its query alone.
  for (const v of [...secrets].sort((a, b) => b.length - a.length)) s = s.split(v).join("[redacted]");
  s = s.replace(/\b(https?:\/\/[^\s"'<>?#]+)[?#][^\s"'<>]*/g, "$1?[redacted]");
  s = s.replace(/\b(https?:\/\/)[^\s/@"'<>]+@/g, "$1[redacted]@");
  s = s.replace(/[\u0000-\u001f\u007f]+/g, " ").trim();
  return s.length > max ? `${s.slice(0, max)}…` : s;
}
