/**
 * The alerts page's view with its URL filters (next/navigation stubbed: the query string is the
 * input), rendered from cached lists keyed exactly as the server page prefetches them.
 */
import { QueryClientProvider } from "@tanstack/react-query";
import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it, vi } from "vitest";

import { alertsPageQueries, parseAlertFilters } from "@/components/alerts/model";
import { authKeys } from "@/lib/client/auth";
import { makeQueryClient } from "@/lib/client/query-client";
import { channelsQueryOptions, deliveriesQueryOptions, silencesQueryOptions } from "@/lib/client/alerts";
import { alertsResponseSchema } from "@/lib/schemas/alerts";
import type { Role } from "@/lib/schemas/auth";
import { alertFixture, channelFixture, countsFixture, deliveryFixture, silenceFixture, T0 } from "@/test/alerts/ui-fixtures";

const nav = vi.hoisted(() => ({ search: "" }));
vi.mock("next/navigation", () => ({
  useRouter: () => ({ replace: () => {}, push: () => {} }),
  usePathname: () => "/alerts",
  useSearchParams: () => new URLSearchParams(nav.search),
}));

const { AlertsView } = await import("@/components/alerts/alerts-view");
const { SilencesView } = await import("@/components/alerts/silences-view");
const { DeliveryLog } = await import("@/components/alerts/delivery-log");

const firing = alertFixture();
const resolved = alertFixture({ id: "al-old", status: "resolved", startsAt: "2026-12-06T20:00:00.000Z", endsAt: "2026-12-06T20:15:00.000Z", summary: "worker-3 was unreachable" });

function render(search: string): string {
  nav.search = search;
  const client = makeQueryClient();
  client.setQueryData(authKeys.session(), { user: { id: "u", name: "ada", role: "operator", passkeys: 1 }, setupRequired: false, oidc: { enabled: false, label: "" } });
  const queries = alertsPageQueries(parseAlertFilters(new URLSearchParams(search)));
  const counts = countsFixture({ firing: 1, critical: 1 });
  if (queries.active) client.setQueryData(queries.active.queryKey, alertsResponseSchema.parse({ alerts: [firing], counts, evaluatedAt: T0 }));
  client.setQueryData(queries.history.queryKey, alertsResponseSchema.parse({ alerts: [resolved], counts, evaluatedAt: T0 }));
  return renderToStaticMarkup(createElement(QueryClientProvider, { client }, createElement(AlertsView)));
}

describe("the alerts page's view", () => {
  it("by default: what fires now (with the counts) above the history, both from the prefetched lists", () => {
    const html = render("");
    expect(html).toContain('aria-label="Active alerts"');
    expect(html).toContain('aria-label="Resolved alerts"');
    expect(html.indexOf("Firing now")).toBeLessThan(html.indexOf("History"));
    expect(html).toContain("1</strong> firing (1 critical");
    expect(html).toContain("15 min");
  });

  it("?state=history shows the history alone; the filters show what the URL says", () => {
    const html = render("state=history&severity=critical&rule=node-unreachable&cluster=prod");
    expect(html).not.toContain('aria-label="Active alerts"');
    expect(html).toContain("worker-3 was unreachable");
    expect(html).toMatch(/<option value="history" selected="">/);
    expect(html).toMatch(/<option value="critical" selected="">/);
    expect(html).toMatch(/<option value="node-unreachable" selected="">/);
    expect(html).toContain("Cluster prod (from the header)");
  });
});

function renderWith(search: string, role: Role, seed: (c: ReturnType<typeof makeQueryClient>) => void, el: Parameters<typeof createElement>[0]): string {
  nav.search = search;
  const client = makeQueryClient();
  client.setQueryData(authKeys.session(), { user: { id: "u", name: "ada", role, passkeys: 1 }, setupRequired: false, oidc: { enabled: false, label: "" } });
  seed(client);
  return renderToStaticMarkup(createElement(QueryClientProvider, { client }, createElement(el)));
}

describe("silences and the delivery log from their URLs", () => {
  const seedSilences = (c: ReturnType<typeof makeQueryClient>) => c.setQueryData(silencesQueryOptions("all").queryKey, { silences: [silenceFixture()] });

  it("an alert row's Silence link prefills the form for operators; viewers get the list alone", () => {
    const html = renderWith("rule=node-unreachable&cluster=prod&node=10.5.0.3%40prod", "operator", seedSilences, SilencesView);
    expect(html).toContain('aria-label="New silence"');
    expect(html).toMatch(/<option value="node-unreachable" selected="">/);
    expect(html).toContain('value="prod"');
    expect(html).toContain('value="10.5.0.3@prod"');
    const viewer = renderWith("", "viewer", seedSilences, SilencesView);
    expect(viewer).not.toContain("New silence");
    expect(viewer).toContain("maintenance of worker-3");
  });

  it("the delivery log's channel and result filters come from the URL and pick the cached list", () => {
    const failed = deliveryFixture({ id: "d-9", ok: false, statusCode: 503, error: "HTTP 503" });
    const html = renderWith(
      "channel=ch-1&ok=false",
      "viewer",
      (c) => {
        c.setQueryData(channelsQueryOptions().queryKey, { channels: [channelFixture()] });
        c.setQueryData(deliveriesQueryOptions({ channel: "ch-1", ok: "false" }).queryKey, { deliveries: [failed] });
      },
      DeliveryLog,
    );
    expect(html).toMatch(/<option value="ch-1" selected="">on-call hook<\/option>/);
    expect(html).toMatch(/<option value="false" selected="">Failed<\/option>/);
    expect(html).toContain(">503<");
  });
});
