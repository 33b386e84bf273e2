/**
 * The alert views rendered to HTML (as the pages' first paint) with fixtures parsed by the
 * contract's schemas: what each role sees, and how states read (never by colour alone).
 */
import { QueryClientProvider } from "@tanstack/react-query";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { createElement, type ReactElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it, vi } from "vitest";

const nav = vi.hoisted(() => ({ search: "" }));
vi.mock("next/navigation", () => ({
  useRouter: () => ({ replace: () => {}, push: () => {} }),
  usePathname: () => "/alerts/rules",
  useSearchParams: () => new URLSearchParams(nav.search),
}));

import { AlertBell, BellLink, bellLabel, bellTone } from "@/components/alerts/alert-bell";
import { AlertsTabs } from "@/components/alerts/alerts-tabs";
import { NodeAlerts, OverviewAlerts } from "@/components/alerts/alert-summary";
import { AlertTable } from "@/components/alerts/alert-table";
import { ChannelList } from "@/components/alerts/channel-list";
import { DeliveryTable } from "@/components/alerts/delivery-log";
import { RuleTable } from "@/components/alerts/rule-table";
import { SilenceTable } from "@/components/alerts/silences-view";
import { alertKeys, alertRulesQueryOptions, alertsQueryOptions, channelsQueryOptions } from "@/lib/client/alerts";
import { authKeys } from "@/lib/client/auth";
import { makeQueryClient } from "@/lib/client/query-client";
import { RULES } from "@/lib/alerts/catalog";
import type { Role } from "@/lib/schemas/auth";
import { alertsResponseSchema } from "@/lib/schemas/alerts";
import { alertFixture, channelFixture, countsFixture, deliveryFixture, ruleFixture, silenceFixture, T0 } from "@/test/alerts/ui-fixtures";

function render(el: ReactElement, role: Role = "admin", seed: (c: ReturnType<typeof makeQueryClient>) => void = () => {}): string {
  const client = makeQueryClient();
  client.setQueryData(authKeys.session(), { user: { id: "u", name: "ada", role, passkeys: 1 }, setupRequired: false, oidc: { enabled: false, label: "" } });
  seed(client);
  return renderToStaticMarkup(createElement(QueryClientProvider, { client }, el));
}

/**
 * Every button and link that has an aria-label, with its visible text (tags and aria-hidden icons
 * dropped): axe's `label-content-name-mismatch` (WCAG 2.5.3) wants the name to contain the visible
 * words; we hold them to starting with them, so speech users can say what they see.
 */
function labelledControls(html: string): { name: string; visible: string }[] {
  const out: { name: string; visible: string }[] = [];
  for (const m of html.matchAll(/<(button|a)\b([^>]*)>([\s\S]*?)<\/\1>/g)) {
    const name = /aria-label="([^"]*)"/.exec(m[2]!)?.[1];
    if (name === undefined) continue;
    const visible = m[3]!.replace(/<svg[\s\S]*?<\/svg>/g, "").replace(/<[^>]+>/g, "").trim();
    out.push({ name, visible });
  }
  return out;
}

const words = (s: string) => s.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, " ").trim();

function expectNamesStartWithVisibleText(html: string): number {
  const controls = labelledControls(html).filter((c) => c.visible !== "");
  for (const c of controls) expect(`${words(c.name)} `.startsWith(`${words(c.visible)} `), `"${c.name}" does not start with "${c.visible}"`).toBe(true);
  return controls.length;
}

const firing = alertFixture();
const acked = alertFixture({ id: "al-2", acknowledgedBy: "user:bob", acknowledgedAt: T0, severity: "warning", rule: "service-failing", object: "kubelet", summary: "kubelet failed on worker-3" });
const silenced = alertFixture({ id: "al-3", silencedBy: "si-1", rule: "config-drift", severity: "warning", summary: "worker-3 drifted" });
const pending = alertFixture({ id: "al-4", status: "pending", startsAt: null, rule: "node-not-ready", severity: "warning", summary: "worker-4 not ready", node: "10.5.0.4@prod", hostname: "worker-4" });

describe("the alerts table", () => {
  const table = (role: Role, mode: "active" | "history" = "active", alerts = [firing, acked, silenced, pending]) => {
    const can = { ack: role !== "viewer", silence: role !== "viewer" };
    return render(createElement(AlertTable, { alerts, label: "Active alerts", mode, can, empty: "Nothing fires." }), role);
  };

  it("operators get Ack on unacknowledged firing alerts, and Silence (prefilled) on alerts not yet silenced", () => {
    const html = table("operator");
    // The firing and the silenced-but-firing one; not the acknowledged one, not the pending one.
    expect(html.match(/>Ack</g)).toHaveLength(2);
    expect(html).toContain('aria-label="Ack Node unreachable on worker-3"');
    expect(html.match(/>Silence</g)).toHaveLength(3);
    expect(html).toContain('href="/alerts/silences?rule=node-unreachable&amp;cluster=prod&amp;node=10.5.0.3%40prod"');
  });

  it("each row button's accessible name starts with its visible text (Ack, Silence)", () => {
    expect(expectNamesStartWithVisibleText(table("operator"))).toBe(5);
  });

  it("viewers see the same rows and no button", () => {
    const html = table("viewer");
    expect(html).not.toContain(">Ack<");
    expect(html).not.toContain(">Silence<");
    expect(html).toContain("worker-3 has not answered for 5 min");
  });

  it("states read as words: firing, pending, acknowledged by whom, silenced; the node links to its page", () => {
    const html = table("viewer");
    expect(html).toContain("Firing");
    expect(html).toContain("Pending");
    expect(html).toContain("Acked by user:bob");
    expect(html).toContain("Silenced");
    expect(html).toContain("Critical");
    expect(html).toContain('href="/nodes/10.5.0.3%40prod"');
    expect(html).toContain(">worker-3<");
  });

  it("history shows how long each episode lasted, and an empty list says so", () => {
    const resolved = alertFixture({ status: "resolved", startsAt: "2026-12-06T23:00:00.000Z", endsAt: "2026-12-06T23:42:00.000Z" });
    expect(table("operator", "history", [resolved])).toContain("42 min");
    expect(table("operator", "history", [resolved])).not.toContain(">Ack<");
    expect(table("viewer", "active", [])).toContain("Nothing fires.");
  });
});

describe("the header bell", () => {
  it("counts firing alerts, critical ones in the danger tone, in words too", () => {
    expect(bellLabel(countsFixture({ firing: 3, critical: 1, warning: 2 }))).toBe("Alerts: 3 firing, 1 critical");
    expect(bellTone(countsFixture({ firing: 3, critical: 1 }))).toBe("critical");
    expect(bellTone(countsFixture({ firing: 2, critical: 0, warning: 2 }))).toBe("firing");
    expect(bellTone(countsFixture({ firing: 0, critical: 0 }))).toBe("quiet");
    // Info alerts (a Talos minor past its support) never light the bell.
    expect(bellLabel(countsFixture({ firing: 5, critical: 0, warning: 0, info: 5 }))).toBe("Alerts: none firing");
    expect(bellTone(countsFixture({ firing: 5, critical: 0, warning: 0, info: 5 }))).toBe("quiet");
    expect(bellLabel(countsFixture({ firing: 6, critical: 1, warning: 0, info: 5 }))).toBe("Alerts: 1 firing, 1 critical");
    const html = render(createElement(BellLink, { cluster: null, counts: countsFixture({ firing: 4, critical: 2, warning: 2 }), error: null }), "viewer");
    expect(html).toContain('href="/alerts"');
    expect(html).toContain('aria-label="Alerts: 4 firing, 2 critical"');
    expect(html).toMatch(/data-testid="alert-bell-count"[^>]*bg-danger text-danger-fg[^>]*>4</);
    expect(html).not.toContain("text-white");
  });

  it("a warning-only count is dark-on-amber in the dark theme, through its own text token", () => {
    const html = render(createElement(BellLink, { cluster: null, counts: countsFixture({ firing: 2, critical: 0, warning: 2 }), error: null }), "viewer");
    expect(html).toMatch(/data-testid="alert-bell-count"[^>]*bg-warn text-warn-fg[^>]*>2</);
    expect(html).not.toContain("text-white");
  });

  it("each filled tone's text token keeps AA (4.5:1) on its fill in both themes (app/globals.css)", () => {
    const css = readFileSync(fileURLToPath(new URL("../../app/globals.css", import.meta.url)), "utf8");
    const [light, dark] = css.split("@media (prefers-color-scheme: dark)") as [string, string];
    const token = (block: string, name: string) => {
      const hex = new RegExp(`--color-${name}:\\s*#([0-9a-f]{6});`, "i").exec(block)?.[1];
      if (!hex) throw new Error(`--color-${name} is missing`);
      return hex;
    };
    const luminance = (hex: string) => {
      const [r, g, b] = [0, 2, 4].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255).map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4)) as [number, number, number];
      return 0.2126 * r + 0.7152 * g + 0.0722 * b;
    };
    const contrast = (a: string, b: string) => {
      const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
      return (hi + 0.05) / (lo + 0.05);
    };
    for (const block of [light, dark]) {
      for (const tone of ["danger", "warn"]) expect(contrast(token(block, `${tone}-fg`), token(block, tone))).toBeGreaterThanOrEqual(4.5);
    }
  });

  it("the bell and the alert tabs keep the selected cluster, as the sidebar does", () => {
    const seed = (c: ReturnType<typeof makeQueryClient>) => c.setQueryData(alertsQueryOptions().queryKey, alertsResponseSchema.parse({ alerts: [], counts: countsFixture({ firing: 0, critical: 0 }), evaluatedAt: T0 }));
    nav.search = "cluster=prod+eu";
    try {
      expect(render(createElement(AlertBell), "viewer", seed)).toContain('href="/alerts?cluster=prod%20eu"');
      const tabs = render(createElement(AlertsTabs));
      for (const path of ["/alerts", "/alerts/rules", "/alerts/channels", "/alerts/silences", "/alerts/deliveries"]) expect(tabs).toContain(`href="${path}?cluster=prod%20eu"`);
      expect(/<a[^>]*aria-current="page"[^>]*>/.exec(tabs)?.[0]).toContain('href="/alerts/rules?cluster=prod%20eu"');
    } finally {
      nav.search = "";
    }
    expect(render(createElement(AlertBell), "viewer", seed)).toContain('href="/alerts"');
    expect(render(createElement(AlertsTabs))).toContain('href="/alerts/silences"');
  });

  it("shows no count when nothing fires", () => {
    const html = render(createElement(BellLink, { cluster: null, counts: countsFixture({ firing: 0, critical: 0 }), error: null }), "viewer");
    expect(html).toContain("Alerts: none firing");
    expect(html).not.toContain("alert-bell-count");
  });

  it("renders no count on the server: the counts may change before the bell hydrates, so they show after", () => {
    const html = render(createElement(AlertBell), "viewer", (c) => c.setQueryData(alertsQueryOptions().queryKey, alertsResponseSchema.parse({ alerts: [firing], counts: countsFixture({ firing: 4, critical: 2, warning: 2 }), evaluatedAt: T0 })));
    expect(html).toContain('aria-label="Alerts"');
    expect(html).not.toContain("alert-bell-count");
  });
});

describe("channels", () => {
  const failing = channelFixture({ id: "ch-2", name: "broken hook", state: "failing", consecutiveFailures: 3, failingSince: T0, lastError: "HTTP 500 from hooks.example.com" });
  const seed = (c: ReturnType<typeof makeQueryClient>) => c.setQueryData(channelsQueryOptions().queryKey, { channels: [channelFixture(), failing] });

  it("a failing channel shows in red with the word, the count and the redacted reason", () => {
    const html = render(createElement(ChannelList), "viewer", seed);
    expect(html).toMatch(/class="[^"]*border-danger[^"]*" role="article" aria-label="Channel broken hook"/);
    expect(html).toMatch(/class="[^"]*border-border[^"]*" role="article" aria-label="Channel on-call hook"/);
    expect(html).toContain("Failing");
    expect(html).toContain("3 deliveries in a row failed");
    expect(html).toContain("HTTP 500 from hooks.example.com");
    expect(html).toContain("https://hooks.example.com/minos");
  });

  it("admins get create, test, edit and delete; viewers none of them", () => {
    const admin = render(createElement(ChannelList), "admin", seed);
    expect(admin).toContain("New channel");
    expect(admin).toContain('aria-label="Send a test to broken hook"');
    expect(admin).toContain('aria-label="Edit broken hook"');
    expect(admin).toContain('aria-label="Delete broken hook"');
    expect(expectNamesStartWithVisibleText(admin)).toBeGreaterThanOrEqual(6);
    const viewer = render(createElement(ChannelList), "viewer", seed);
    for (const word of ["New channel", "Send a test", "Edit ", "Delete "]) expect(viewer).not.toContain(word);
  });

  it("no channel: says nobody is notified", () => {
    expect(render(createElement(ChannelList), "operator", (c) => c.setQueryData(channelsQueryOptions().queryKey, { channels: [] }))).toContain("nobody is notified until an admin adds");
  });
});

describe("rules, silences, deliveries", () => {
  const rules = RULES.map((r) => ruleFixture(r.id));
  const seed = (c: ReturnType<typeof makeQueryClient>) => c.setQueryData(alertRulesQueryOptions().queryKey, { rules });

  it("every rule is listed with its settings; only admins get Edit", () => {
    const admin = render(createElement(RuleTable), "admin", seed);
    for (const r of RULES) expect(admin).toContain(r.name);
    expect(admin.match(/aria-label="Edit the rule /g)).toHaveLength(RULES.length);
    expect(expectNamesStartWithVisibleText(admin)).toBe(RULES.length);
    expect(admin).toContain("Forget after: 24 hours");
    expect(admin).toContain("every 1 h");
    expect(render(createElement(RuleTable), "operator", seed)).not.toContain("Edit the rule");
  });

  it("silences: active first, what each matches, ended early by whom; End now only for operators", () => {
    const ended = silenceFixture({ id: "si-2", matchers: { cluster: "stage" }, active: false, expiredBy: "user:bob", expiredAt: "2026-12-07T01:00:00.000Z", startsAt: "2026-12-06T00:00:00.000Z" });
    const html = render(createElement(SilenceTable, { silences: [ended, silenceFixture()], canEnd: true }));
    expect(html.indexOf("Node unreachable · node 10.5.0.3@prod")).toBeLessThan(html.indexOf("cluster stage"));
    expect(html).toContain("Ended by user:bob");
    expect(html.match(/>End now</g)).toHaveLength(1);
    expect(expectNamesStartWithVisibleText(html)).toBe(1);
    expect(render(createElement(SilenceTable, { silences: [silenceFixture()], canEnd: false }))).not.toContain("End now");
  });

  it("the delivery log shows each attempt's result, code, error and next retry", () => {
    const failed = deliveryFixture({ id: "d-2", ok: false, statusCode: 500, error: "HTTP 500", attempt: 2, nextAttemptAt: "2026-12-07T00:00:20.000Z" });
    const test = deliveryFixture({ id: "d-3", kind: "test", rule: "test", alertId: null, severity: "info", cluster: null });
    const html = render(createElement(DeliveryTable, { deliveries: [failed, deliveryFixture(), test] }));
    expect(html).toContain("Failed");
    expect(html).toContain("Delivered");
    expect(html).toContain(">500<");
    expect(html).toContain("HTTP 500");
    expect(html).toContain("#2");
    expect(html).toContain("retry");
    expect(html).toContain("Test");
  });
});

describe("alerts on the overview and the node page", () => {
  const stage = alertFixture({ id: "al-9", cluster: "stage", rule: "etcd-quorum", node: null, hostname: null, summary: "etcd of stage lost a member" });
  const data = alertsResponseSchema.parse({ alerts: [firing, pending, stage], counts: countsFixture({ firing: 2, critical: 2, pending: 1 }), evaluatedAt: T0 });

  it("the overview groups firing alerts per cluster (pending ones left out) and keeps to the header's cluster", () => {
    const all = render(createElement(OverviewAlerts, { cluster: null }), "viewer", (c) => c.setQueryData(alertsQueryOptions().queryKey, data));
    expect(all).toContain(">prod<");
    expect(all).toContain(">stage<");
    expect(all).not.toContain("worker-4 not ready");
    const prod = render(createElement(OverviewAlerts, { cluster: "prod" }), "viewer", (c) => c.setQueryData(alertsQueryOptions().queryKey, data));
    expect(prod).not.toContain("etcd of stage");
    const none = render(createElement(OverviewAlerts, { cluster: "dev" }), "viewer", (c) => c.setQueryData(alertsQueryOptions().queryKey, data));
    expect(none).toContain("No alert fires in dev");
  });

  it("the node page lists this node's firing and pending alerts", () => {
    const node = "10.5.0.4@prod";
    const html = render(createElement(NodeAlerts, { node }), "viewer", (c) => c.setQueryData(alertKeys.list({ node }), { ...data, alerts: [pending] }));
    expect(html).toContain("worker-4 not ready");
    expect(html).toContain("Pending");
    const quiet = render(createElement(NodeAlerts, { node }), "viewer", (c) => c.setQueryData(alertKeys.list({ node }), { ...data, alerts: [] }));
    expect(quiet).toContain("No alert on this node.");
  });
});
