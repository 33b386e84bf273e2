import { describe, expect, it } from "vitest";

import { alertKeys } from "@/lib/client/alerts";
import { fleetKeys } from "@/lib/client/fleet";
import { makeQueryClient } from "@/lib/client/query-client";
import { refetchOnStatusChange } from "@/lib/client/use-event-stream";

/** A cache holding an alerts list, the channels and the fleet's nodes, none stale yet. */
function seeded() {
  const client = makeQueryClient();
  client.setQueryData(alertKeys.list({}), { alerts: [], counts: {}, evaluatedAt: null });
  client.setQueryData(alertKeys.list({ state: "history" }), { alerts: [], counts: {}, evaluatedAt: null });
  client.setQueryData(alertKeys.channels(), { channels: [] });
  client.setQueryData(fleetKeys.nodes(), { nodes: [] });
  const invalidated = (key: readonly unknown[]) => client.getQueryState(key)?.isInvalidated ?? false;
  return { client, invalidated };
}

describe("refetchOnStatusChange (what the SSE stream's status makes the cache read again)", () => {
  it("the first connect reads the alert lists and channels again: events between the render and the stream are not replayed", async () => {
    const { client, invalidated } = seeded();
    await refetchOnStatusChange(client, "connecting", "live");
    expect(invalidated(alertKeys.list({}))).toBe(true);
    expect(invalidated(alertKeys.list({ state: "history" }))).toBe(true);
    expect(invalidated(alertKeys.channels())).toBe(true);
    expect(invalidated(fleetKeys.nodes())).toBe(false);
  });

  it("coming back after an outage reads them again too", async () => {
    const { client, invalidated } = seeded();
    await refetchOnStatusChange(client, "down", "live");
    expect(invalidated(alertKeys.list({}))).toBe(true);
    expect(invalidated(alertKeys.channels())).toBe(true);
  });

  it("going down nudges the fleet queries to poll, and leaves the alert lists alone", async () => {
    const { client, invalidated } = seeded();
    await refetchOnStatusChange(client, "live", "down");
    expect(invalidated(fleetKeys.nodes())).toBe(true);
    expect(invalidated(alertKeys.list({}))).toBe(false);
  });

  it("no change of status, or connecting → down, reads nothing again", async () => {
    const { client, invalidated } = seeded();
    await refetchOnStatusChange(client, "live", "live");
    await refetchOnStatusChange(client, "connecting", "down");
    expect(invalidated(alertKeys.list({}))).toBe(false);
    expect(invalidated(fleetKeys.nodes())).toBe(false);
  });
});
