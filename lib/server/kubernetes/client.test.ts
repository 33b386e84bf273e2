/**
 * The KubeApi's pod listing against a small fake API server that records each request: the
 * cluster-wide listing skips finished pods, every listing is paged (limit + continue), and it
 * stops at the cap, saying so (`truncated`), however many pages the server would give.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

import { KubeConfig } from "@kubernetes/client-node";
import { afterEach, describe, expect, it } from "vitest";

import { ACTIVE_PODS_SELECTOR, createKubeApi, POD_LIST_CAP, POD_PAGE_SIZE } from "./client";

let server: Server | undefined;

afterEach(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

/** Serves `pages` pod pages (each `size` pods) to /api/v1/pods; records each request's query. */
async function fakeApi(pages: number, size: number) {
  const queries: URLSearchParams[] = [];
  server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://x");
    queries.push(url.searchParams);
    const page = Number(url.searchParams.get("continue") || "0");
    const items = Array.from({ length: size }, (_, i) => ({ metadata: { namespace: "default", name: `p-${page}-${i}` }, spec: { nodeName: "n1", containers: [] }, status: { phase: "Running" } }));
    const next = page + 1 < pages ? String(page + 1) : undefined;
    res.setHeader("content-type", "application/json");
    res.end(JSON.stringify({ kind: "PodList", apiVersion: "v1", metadata: { resourceVersion: "1", ...(next ? { continue: next } : {}) }, items }));
  });
  await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
  const config = new KubeConfig();
  config.loadFromOptions({
    // Plain HTTP to a local fake only; client-node allows it only with skipTLSVerify (Minos never sets it).
    clusters: [{ name: "c", server: `http://127.0.0.1:${(server!.address() as AddressInfo).port}`, skipTLSVerify: true }],
    users: [{ name: "u", token: "t" }],
    contexts: [{ name: "ctx", cluster: "c", user: "u" }],
    currentContext: "ctx",
  });
  return { api: createKubeApi(config, { cluster: "c", timeoutMs: 5_000 }), queries };
}

describe("listPods", () => {
  it("lists a whole cluster's unfinished pods page by page, following continue", async () => {
    const { api, queries } = await fakeApi(3, 2);
    const pods = await api.listPods();
    expect(pods.map((p) => p.name)).toEqual(["p-0-0", "p-0-1", "p-1-0", "p-1-1", "p-2-0", "p-2-1"]);
    expect(pods.truncated).toBeFalsy();
    expect(queries.map((q) => q.get("fieldSelector"))).toEqual([ACTIVE_PODS_SELECTOR, ACTIVE_PODS_SELECTOR, ACTIVE_PODS_SELECTOR]);
    expect(queries.map((q) => q.get("limit"))).toEqual([String(POD_PAGE_SIZE), String(POD_PAGE_SIZE), String(POD_PAGE_SIZE)]);
    expect(queries.map((q) => q.get("continue"))).toEqual([null, "1", "2"]);
  });

  it("lists a node's pods by spec.nodeName (finished ones too: a drain evicts them), paged", async () => {
    const { api, queries } = await fakeApi(2, 1);
    expect((await api.listPods("n1")).map((p) => p.name)).toEqual(["p-0-0", "p-1-0"]);
    expect(queries.map((q) => q.get("fieldSelector"))).toEqual(["spec.nodeName=n1", "spec.nodeName=n1"]);
  });

  it("stops at the cap when the server has more, and says the listing is truncated", async () => {
    const { api, queries } = await fakeApi(1_000, POD_PAGE_SIZE);
    const pods = await api.listPods();
    expect(pods.truncated).toBe(true);
    expect(pods).toHaveLength(POD_LIST_CAP);
    expect(queries).toHaveLength(POD_LIST_CAP / POD_PAGE_SIZE);
  });

  it("is not truncated when the last page ends exactly at the cap", async () => {
    const { api } = await fakeApi(POD_LIST_CAP / POD_PAGE_SIZE, POD_PAGE_SIZE);
    const pods = await api.listPods();
    expect(pods).toHaveLength(POD_LIST_CAP);
    expect(pods.truncated).toBeFalsy();
  });
});
