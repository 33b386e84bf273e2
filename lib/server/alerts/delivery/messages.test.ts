/** What each channel type sends (pure): the webhook payload, Slack's blocks, the email's subject and escaped HTML. */
import { describe, expect, it } from "vitest";

import { webhookPayloadSchema } from "@/lib/schemas/alerts";
import { notice, ORIGIN, T0 } from "@/test/alerts/delivery";

import { emailMessage, fromNotice, linkTo, slackMessage, subjectLine, testNotice, webhookPayload } from "./messages";
import { redactText, secretValues, webhookTarget } from "./model";

describe("messages", () => {
  it("leaves out node and endsAt of the webhook payload when the alert has none", () => {
    const p = webhookPayload(fromNotice(notice({ node: null, hostname: null, rule: "etcd-quorum", path: "/clusters/prod" })), ORIGIN);
    expect(webhookPayloadSchema.strict().parse(p)).toEqual({
      id: "alert-1",
      status: "firing",
      rule: "etcd-quorum",
      severity: "critical",
      cluster: "prod",
      summary: "worker-3 has not answered for 5 minutes",
      startsAt: new Date(T0 - 300_000).toISOString(),
      url: `${ORIGIN}/clusters/prod`,
    });
  });

  it("links back under MINOS_ORIGIN, whatever its trailing slash", () => {
    expect(linkTo("http://localhost:3000", "/alerts")).toBe("http://localhost:3000/alerts");
    expect(linkTo("https://minos.example.com/", "nodes/a%40b")).toBe("https://minos.example.com/nodes/a%40b");
  });

  it("writes the subject of the issue, on one line", () => {
    expect(subjectLine(fromNotice(notice()))).toBe("[FIRING critical] Node unreachable: worker-3 (prod)");
    expect(subjectLine(fromNotice(notice({ status: "resolved", severity: "warning", hostname: null, node: null, rule: "backup-failed", cluster: "a\r\nBcc: x@y" })))).toBe("[RESOLVED warning] etcd backup failed (a Bcc: x@y)");
    expect(subjectLine(testNotice("test-1", "ops", new Date(T0)))).toBe("[FIRING info] test (test)");
  });

  it("builds Slack blocks: a header with status and severity, cluster/node/rule fields, the escaped summary and a button back", () => {
    const m = slackMessage(fromNotice(notice({ summary: "<!channel> & <https://evil|click>" })), ORIGIN);
    expect(m.text).toBe("[FIRING critical] Node unreachable: worker-3 (prod): <!channel> & <https://evil|click>");
    expect(m.blocks).toEqual([
      { type: "header", text: { type: "plain_text", text: "🔴 FIRING · critical: Node unreachable", emoji: true } },
      {
        type: "section",
        fields: [
          { type: "mrkdwn", text: "*Cluster*\nprod" },
          { type: "mrkdwn", text: "*Node*\nworker-3" },
          { type: "mrkdwn", text: "*Rule*\nnode-unreachable" },
          { type: "mrkdwn", text: `*Since*\n${new Date(T0 - 300_000).toISOString()}` },
        ],
      },
      { type: "section", text: { type: "mrkdwn", text: "&lt;!channel&gt; &amp; &lt;https://evil|click&gt;" } },
      { type: "actions", elements: [{ type: "button", text: { type: "plain_text", text: "Open in Minos" }, url: `${ORIGIN}/nodes/10.5.0.3%40prod` }] },
    ]);
  });

  it("escapes every value in the email's HTML", () => {
    const m = emailMessage(fromNotice(notice({ cluster: "<script>", hostname: `"x"&'y'` })), ORIGIN);
    expect(m.html).toContain("<td>&lt;script&gt;</td>");
    expect(m.html).toContain("<td>&quot;x&quot;&amp;&#39;y&#39; (10.5.0.3@prod)</td>");
    expect(m.html).not.toContain("<script>");
    expect(m.text).toContain("Cluster: <script>");
  });
});

describe("redaction", () => {
  it("shows a webhook as scheme://host/path, without user info, query or fragment", () => {
    expect(webhookTarget("https://user:pw@hooks.example.com:8443/minos/in?token=abc#frag")).toBe("https://hooks.example.com:8443/minos/in");
  });

  it("removes every secret value, URL queries and user info from an error text", () => {
    const secrets = secretValues({ url: "https://u:pa55word@h.example.com/p?token=tok-123456&x=1", secret: "s3cr3t-value-xyz" }, "webhook");
    const text = redactText("POST https://u:pa55word@h.example.com/p?token=tok-123456&x=1 failed: signature s3cr3t-value-xyz rejected; see http://other.example/q?k=abcdef\nnext line", secrets);
    expect(text).toBe("POST [redacted] failed: signature [redacted] rejected; see http://other.example/q?[redacted] next line");
    expect(redactText("token was tok-123456", secrets)).toBe("token was [redacted]");
    expect(redactText("x".repeat(500), [], 10)).toBe(`${"x".repeat(10)}…`);
  });

  it("treats a Slack URL's path as the token", () => {
    const secrets = secretValues({ url: "https://hooks.slack.com/services/T0001/B0002/AbCdEfGhIjKl" }, "slack");
    expect(redactText("invalid_token for /services/T0001/B0002/AbCdEfGhIjKl", secrets)).toBe("invalid_token for /services/[redacted]/[redacted]/[redacted]");
  });
});
