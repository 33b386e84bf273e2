import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import { CSRF_HEADER } from "@/lib/auth/csrf";
import { ApiError } from "@/lib/client/api";
import { blockedDrain, blockingPdbs, cordonNode, drainNode, removeKubeconfig, uploadKubeconfig } from "@/lib/client/kubernetes";
import type { DrainResult } from "@/lib/schemas/kubernetes";

function answer(status: number, body: unknown) {
  return new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
}

const blocked: DrainResult = {
  node: "10.5.0.5@sim-1",
  nodeName: "worker-2",
  outcome: "blocked",
  evicted: ["default/web-1"],
  forced: [],
  ignored: ["kube-system/kube-proxy-abc"],
  blocking: [
    {
      namespace: "default",
      name: "pinned-worker-2-0",
      pdbs: ["default/pinned-worker-2"],
      reason: "Cannot evict pod as it would violate the pod's disruption budget.",
    },
    {
      namespace: "shop",
      name: "db-0",
      pdbs: ["shop/db", "default/pinned-worker-2"],
      reason: "Cannot evict pod as it would violate the pod's disruption budget.",
    },
  ],
  seconds: 30,
};

describe("node actions and kubeconfig calls", () => {
  const fetchMock = vi.fn<typeof fetch>();
  beforeEach(() => {
    vi.stubGlobal("fetch", fetchMock);
    vi.stubGlobal("document", { cookie: "minos_csrf=t" });
  });
  afterEach(() => {
    vi.unstubAllGlobals();
    fetchMock.mockReset();
  });
  const call = (i = 0) => ({ url: fetchMock.mock.calls[i]![0], init: fetchMock.mock.calls[i]![1]! });

  it("posts cordon and drain to the node's routes, the id escaped, with the CSRF token", async () => {
    fetchMock.mockResolvedValueOnce(answer(200, { node: "10.5.0.5@sim-1", nodeName: "worker-2", unschedulable: true, changed: true }));
    await expect(cordonNode("10.5.0.5@sim-1")).resolves.toMatchObject({ unschedulable: true });
    expect(call().url).toBe("/api/nodes/10.5.0.5%40sim-1/cordon");
    expect(call().init.method).toBe("POST");
    expect(new Headers(call().init.headers as Record<string, string>).get(CSRF_HEADER)).toBe("t");

    fetchMock.mockResolvedValueOnce(answer(200, { ...blocked, outcome: "drained", blocking: [] }));
    await expect(drainNode("10.5.0.5@sim-1", { timeoutSeconds: 60, onTimeout: "halt" })).resolves.toMatchObject({ outcome: "drained" });
    expect(call(1).url).toBe("/api/nodes/10.5.0.5%40sim-1/drain");
    expect(call(1).init.body).toBe('{"timeoutSeconds":60,"onTimeout":"halt"}');
  });

  it("sends the kubeconfig in a PUT and removes it with DELETE", async () => {
    const info = {
      cluster: "sim-1",
      source: "upload",
      server: "https://10.5.0.2:6443",
      uploadedAt: "2026-12-06T17:00:00.000Z",
      uploadedBy: "ada",
      access: "ok",
      message: null,
    };
    fetchMock.mockImplementation(async () => answer(200, info));
    await uploadKubeconfig("sim 1", "apiVersion: v1");
    await removeKubeconfig("sim 1");
    expect(call(0)).toMatchObject({ url: "/api/clusters/sim%201/kubeconfig", init: { method: "PUT", body: '{"kubeconfig":"apiVersion: v1"}' } });
    expect(call(1)).toMatchObject({ url: "/api/clusters/sim%201/kubeconfig", init: { method: "DELETE" } });
  });

  it("turns a halted drain's 409 into the blocking pods", async () => {
    fetchMock.mockResolvedValueOnce(answer(409, { error: { code: "drain_blocked", message: "The drain of worker-2 halted after 30 s", details: blocked } }));
    const error = await drainNode("10.5.0.5@sim-1", { timeoutSeconds: 30 }).catch((e: unknown) => e);
    expect(blockedDrain(error)).toEqual({ blocking: blocked.blocking, evicted: ["default/web-1"] });
  });
});

describe("blockedDrain", () => {
  it("reads details that carry only the blocking pods", () => {
    const e = new ApiError(409, "drain_blocked", "blocked", { blocking: blocked.blocking });
    expect(blockedDrain(e)).toEqual({ blocking: blocked.blocking, evicted: [] });
  });

  it.each([
    ["another status", new ApiError(503, "conflict", "x", blocked)],
    ["a 409 without blocking pods", new ApiError(409, "conflict", "x", { reason: "busy" })],
    ["not an API error", new Error("boom")],
  ])("is null for %s", (_, e) => {
    expect(blockedDrain(e)).toBeNull();
  });

  it("lists each PDB once", () => {
    expect(blockingPdbs(blocked.blocking)).toEqual(["default/pinned-worker-2", "shop/db"]);
  });
});
