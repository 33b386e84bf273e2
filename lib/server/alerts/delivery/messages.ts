import "server-only";

import { ruleDefinition } from "@/lib/alerts/catalog";
import { alertRuleIdSchema, webhookPayloadSchema, type AlertSeverity, type WebhookPayload } from "@/lib/schemas/alerts";
import type { AlertNotice } from "@/lib/server/alerts/notices";

/**
 * What each channel type sends for a notice, built purely from the notice and Minos's origin.
 * Nothing here reads a secret: payloads carry only what the alert says.
 */

/** What a message is about: an alert notice, or a test from "Send a test". */
export interface OutgoingNotice {
  /** The alert's id; `test-…` for a test. */
  id: string;
  status: "firing" | "resolved";
  rule: string;
  severity: AlertSeverity;
  cluster: string;
  node: string | null;
  hostname: string | null;
  summary: string;
  startsAt: string;
  endsAt: string | null;
  path: string;
}

export function fromNotice(n: AlertNotice): OutgoingNotice {
  return { id: n.alertId, status: n.status, rule: n.rule, severity: n.severity, cluster: n.cluster, node: n.node, hostname: n.hostname, summary: n.summary, startsAt: n.startsAt, endsAt: n.endsAt, path: n.path };
}

/** The notice a test sends: says it is a test, and links to the channels page. */
export function testNotice(id: string, channelName: string, now: Date): OutgoingNotice {
  return {
    id,
    status: "firing",
    rule: "test",
    severity: "info",
    cluster: "test",
    node: null,
    hostname: null,
    summary: `A test notification from Minos to the channel "${channelName}". No alert is firing.`,
    startsAt: now.toISOString(),
    endsAt: null,
    path: "/alerts/channels",
  };
}

/** The link back: the origin (MINOS_ORIGIN, or http://localhost:PORT) and the alert's path. */
export function linkTo(origin: string, path: string): string {
  return new URL(path.startsWith("/") ? path : `/${path}`, origin).toString();
}

/** The rule's human name, or its id (`test`, a rule a later version added). */
export function ruleName(rule: string): string {
  const id = alertRuleIdSchema.safeParse(rule);
  return id.success ? ruleDefinition(id.data).name : rule;
}

/** The generic webhook's body (docs/alerts-webhook.schema.json); parsed, so a drift from the schema fails here rather than at the receiver. */
export function webhookPayload(n: OutgoingNotice, origin: string): WebhookPayload {
  return webhookPayloadSchema.parse({
    id: n.id,
    status: n.status,
    rule: n.rule,
    severity: n.severity,
    cluster: n.cluster,
    ...(n.node ? { node: n.node } : {}),
    summary: n.summary,
    startsAt: n.startsAt,
    ...(n.endsAt ? { endsAt: n.endsAt } : {}),
    url: linkTo(origin, n.path),
  });
}

const oneLine = (s: string) => s.replace(/[\r\n\t]+/g, " ").trim();

/** `[FIRING critical] Node unreachable: worker-3 (prod)`; the node part only for node alerts. */
export function subjectLine(n: OutgoingNotice): string {
  const who = n.hostname ?? n.node;
  return oneLine(`[${n.status.toUpperCase()} ${n.severity}] ${ruleName(n.rule)}${who ? `: ${who}` : ""} (${n.cluster})`);
}

/** Slack's mrkdwn: only &, < and > are control characters (https://api.slack.com/reference/surfaces/formatting#escaping). */
function slackEscape(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

const SEVERITY_MARK: Record<AlertSeverity, string> = { critical: "🔴", warning: "🟠", info: "🔵" };

/** A Slack incoming webhook's body: `text` (notifications, clients without blocks) and blocks with the facts and a button back. */
export function slackMessage(n: OutgoingNotice, origin: string): { text: string; blocks: unknown[] } {
  const url = linkTo(origin, n.path);
  const mark = n.status === "resolved" ? "✅" : SEVERITY_MARK[n.severity];
  const header = `${mark} ${n.status.toUpperCase()} · ${n.severity}: ${ruleName(n.rule)}`.slice(0, 150);
  const fields = [
    { type: "mrkdwn", text: `*Cluster*\n${slackEscape(n.cluster)}` },
    { type: "mrkdwn", text: `*Node*\n${slackEscape(n.hostname ?? n.node ?? "—")}` },
    { type: "mrkdwn", text: `*Rule*\n${slackEscape(n.rule)}` },
    { type: "mrkdwn", text: `*Since*\n${slackEscape(n.startsAt)}` },
  ];
  return {
    text: `${subjectLine(n)}: ${n.summary}`,
    blocks: [
      { type: "header", text: { type: "plain_text", text: header, emoji: true } },
      { type: "section", fields },
      { type: "section", text: { type: "mrkdwn", text: slackEscape(n.summary).slice(0, 3000) } },
      { type: "actions", elements: [{ type: "button", text: { type: "plain_text", text: "Open in Minos" }, url }] },
    ],
  };
}

function htmlEscape(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&#39;");
}

/** An email's subject, plain text and HTML (every value escaped). */
export function emailMessage(n: OutgoingNotice, origin: string): { subject: string; text: string; html: string } {
  const url = linkTo(origin, n.path);
  const rows: [string, string][] = [
    ["Status", n.status],
    ["Severity", n.severity],
    ["Rule", `${ruleName(n.rule)} (${n.rule})`],
    ["Cluster", n.cluster],
    ...(n.hostname || n.node ? ([["Node", n.hostname ? `${n.hostname} (${n.node ?? ""})` : n.node!]] as [string, string][]) : []),
    ["Since", n.startsAt],
    ...(n.endsAt ? ([["Resolved", n.endsAt]] as [string, string][]) : []),
  ];
  const text = [n.summary, "", ...rows.map(([k, v]) => `${k}: ${v}`), "", `Open in Minos: ${url}`, ""].join("\n");
  const html = [
    "<!doctype html><html><body>",
    `<p>${htmlEscape(n.summary)}</p>`,
    "<table>",
    ...rows.map(([k, v]) => `<tr><th align="left">${htmlEscape(k)}</th><td>${htmlEscape(v)}</td></tr>`),
    "</table>",
    `<p><a href="${htmlEscape(url)}">Open in Minos</a></p>`,
    "</body></html>",
  ].join("\n");
  return { subject: subjectLine(n), text, html };
}
