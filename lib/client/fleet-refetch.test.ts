/**
 * The fleet list is never refetched on a timer while the event stream is live: the stream keeps
 * the cache current. It polls only while the stream is down (FALLBACK_POLL_MS), and stops again
 * once the stream is back and its next event lands. Fake timers, a real QueryClient and observer.
 */
import { environmentManager, isServer, QueryObserver } from "@tanstack/react-query";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import { FALLBACK_POLL_MS, fleetKeys, nodesQueryOptions, setEventStreamLive } from "@/lib/client/fleet";
import { makeQueryClient } from "@/lib/client/query-client";
import { refetchOnStatusChange } from "@/lib/client/use-event-stream";
import type { NodesResponse } from "@/lib/schemas/fleet";

const EMPTY: NodesResponse = { nodes: [], clusters: [], updatedAt: null };

describe("GET /api/nodes refetches", () => {
  const fetchMock = vi.fn<typeof fetch>();
  beforeEach(() => {
    // TanStack schedules no timers outside a browser (no `window`): this test plays the browser.
    environmentManager.setIsServer(() => false);
    vi.useFakeTimers();
    vi.stubGlobal("fetch", fetchMock);
    fetchMock.mockImplementation(async () => Response.json(EMPTY));
  });
  afterEach(() => {
    setEventStreamLive(false);
    environmentManager.setIsServer(() => isServer);
    vi.unstubAllGlobals();
    vi.useRealTimers();
    fetchMock.mockReset();
  });

  const nodeFetches = () => fetchMock.mock.calls.filter(([url]) => String(url).startsWith("/api/nodes")).length;

  it("none on a timer while the stream is live; polling while it is down; none again once it is back", async () => {
    const client = makeQueryClient();
    setEventStreamLive(true);
    const observer = new QueryObserver(client, nodesQueryOptions());
    const stop = observer.subscribe(() => {});
    await vi.advanceTimersByTimeAsync(10);
    expect(nodeFetches()).toBe(1);

    // Live: deltas land in the cache, and ten minutes pass without a request.
    for (let i = 0; i < 120; i++) {
      client.setQueryData(fleetKeys.nodes(), { ...EMPTY, updatedAt: new Date(Date.now()).toISOString() });
      await vi.advanceTimersByTimeAsync(5_000);
    }
    expect(nodeFetches()).toBe(1);

    // Down: one read at once, then one per FALLBACK_POLL_MS.
    setEventStreamLive(false);
    await refetchOnStatusChange(client, "live", "down");
    await vi.advanceTimersByTimeAsync(10);
    expect(nodeFetches()).toBe(2);
    await vi.advanceTimersByTimeAsync(FALLBACK_POLL_MS * 3);
    expect(nodeFetches()).toBe(5);

    // Back: the stream's first event (a snapshot) stops the timer.
    setEventStreamLive(true);
    client.setQueryData(fleetKeys.nodes(), EMPTY);
    await vi.advanceTimersByTimeAsync(FALLBACK_POLL_MS * 20);
    expect(nodeFetches()).toBe(5);
    stop();
  });
});
