/**
 * After a service action the open node page re-reads its detail until the service shows the
 * outcome (services are not in the SSE stream). A real QueryClient and observer; fetch answers
 * the detail as the server would, the service's state moving on with each read.
 */
import { QueryObserver } from "@tanstack/react-query";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import { followServiceAction, nodeDetailQueryOptions, SERVICE_FOLLOW_MAX_MS, SERVICE_FOLLOW_MIN_MS, SERVICE_FOLLOW_MS } from "@/lib/client/fleet";
import { makeQueryClient } from "@/lib/client/query-client";
import { nodeDetailSchema, type NodeDetail } from "@/lib/schemas/fleet";

const ID = "10.5.0.3@prod";

function detail(state: string): NodeDetail {
  return nodeDetailSchema.parse({
    summary: {
      id: ID,
      cluster: "prod",
      address: "10.5.0.3",
      source: "talosconfig",
      hostname: "worker-3",
      role: "worker",
      reachable: true,
      stage: "running",
      ready: true,
      unmetConditions: [],
      talosVersion: "v1.14.0",
      kubernetesVersion: null,
      failingServices: [],
      lastSeen: "2026-09-01T03:00:00.000Z",
      lastError: null,
      bootId: null,
      memory: null,
      load1: null,
      problems: [],
    },
    services: [{ id: "ext-iscsid", state, healthy: null, message: "", lastChange: null }],
    etcd: null,
    history: [],
    stageEvents: [],
  });
}

describe("following a service action", () => {
  const fetchMock = vi.fn<typeof fetch>();
  const slept: number[] = [];
  const sleep = async (ms: number) => void slept.push(ms);
  beforeEach(() => vi.stubGlobal("fetch", fetchMock));
  afterEach(() => {
    vi.unstubAllGlobals();
    fetchMock.mockReset();
    slept.length = 0;
  });

  /** The page open on the node, its first read answered with `states[0]`, each later read with the next. */
  async function openPage(states: string[]) {
    let i = 0;
    fetchMock.mockImplementation(async () => Response.json(detail(states[Math.min(i++, states.length - 1)]!)));
    const client = makeQueryClient();
    const observer = new QueryObserver(client, nodeDetailQueryOptions(ID));
    const stop = observer.subscribe(() => {});
    await vi.waitFor(() => expect(observer.getCurrentResult().data).toBeDefined());
    return { client, stop, reads: () => fetchMock.mock.calls.length };
  }

  it("re-reads until the started service is Running, then stops", async () => {
    const page = await openPage(["Finished", "Starting", "Preparing", "Running", "Running"]);
    expect(await followServiceAction(page.client, ID, "ext-iscsid", "start", sleep)).toBe(true);
    // The first read and three more: Starting, Preparing, Running (three re-reads, past the minimum).
    expect(page.reads()).toBe(4);
    expect(slept).toEqual([SERVICE_FOLLOW_MS, SERVICE_FOLLOW_MS, SERVICE_FOLLOW_MS]);
    page.stop();
  });

  it("does not take the state before a restart for its outcome: it follows for the minimum first", async () => {
    const page = await openPage(["Running"]);
    expect(await followServiceAction(page.client, ID, "ext-iscsid", "restart", sleep)).toBe(true);
    expect(slept.length * SERVICE_FOLLOW_MS).toBe(SERVICE_FOLLOW_MIN_MS);
    page.stop();
  });

  it("gives up after the maximum when the outcome never shows", async () => {
    const page = await openPage(["Running"]);
    expect(await followServiceAction(page.client, ID, "ext-iscsid", "stop", sleep)).toBe(false);
    expect(page.reads()).toBe(1 + SERVICE_FOLLOW_MAX_MS / SERVICE_FOLLOW_MS);
    page.stop();
  });

  it("stops once the page is closed, without reading again", async () => {
    const page = await openPage(["Running"]);
    page.stop();
    expect(await followServiceAction(page.client, ID, "ext-iscsid", "stop", sleep)).toBe(false);
    expect(page.reads()).toBe(1);
  });
});
