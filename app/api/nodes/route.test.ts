/**
 * GET /api/nodes as a revalidatable answer: ETag and 304 (only ever to a signed-in caller),
 * br/gzip, and the `?fields=` selection, against the simulated fleet through the real wiring.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { brotliDecompressSync, gunzipSync } from "node:zlib";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

const stateDir = mkdtempSync(path.join(tmpdir(), "minos-nodes-route-"));
process.env.MINOS_STATE_DIR = stateDir;
process.env.MINOS_DB = path.join(stateDir, "minos.db");

import { GET } from "@/app/api/nodes/route";
import { RESTORES_ENCODING_HEADER } from "@/lib/net/content-encoding";
import { errorEnvelopeSchema } from "@/lib/schemas/error";
import { nodesResponseSchema } from "@/lib/schemas/fleet";
import { authedRequest } from "@/test/auth/credentials";
import { getFleetPoller, stopFleetPoller } from "@/lib/server/fleet/service";
import { startTestFleet, waitFor, type TestFleet } from "@/test/talos/fleet";

let t: TestFleet;

beforeAll(async () => {
  t = await startTestFleet({ firstAddress: "127.0.203.1", controlPlanes: 1, workers: 2 });
  process.env.TALOSCONFIG = t.fleet.talosconfig.admin;
  // One sweep, then none during the tests: the snapshot's bytes stay put between two requests.
  getFleetPoller({ intervalMs: 600_000, callTimeoutMs: 2_000, watchEvents: false });
  await waitFor(async () => {
    const b = nodesResponseSchema.parse(await (await GET(await signedIn("/api/nodes"))).json());
    return b.nodes.length === 3 && b.nodes.every((n) => n.reachable) ? b : undefined;
  }, 60_000);
  // A loaded machine (a build beside the tests) can take a while to start the fleet.
}, 90_000);

afterAll(async () => {
  await stopFleetPoller();
  await t?.stop();
});

const URL_BASE = "http://minos.test";
// Marked as scripts/serve.ts marks every request (it restores Content-Encoding after Next drops it).
const signedIn = (p: string, headers: Record<string, string> = {}) => authedRequest(`${URL_BASE}${p}`, { headers: { [RESTORES_ENCODING_HEADER]: "1", ...headers } });
const anonymous = (p: string, headers: Record<string, string> = {}) => new Request(`${URL_BASE}${p}`, { headers: { host: "127.0.0.1", ...headers } });

describe("GET /api/nodes: ETag and 304", () => {
  it("answers with a strong tag the browser must revalidate", async () => {
    const res = await GET(await signedIn("/api/nodes"));
    expect(res.status).toBe(200);
    expect(res.headers.get("etag")).toMatch(/^"[A-Za-z0-9_-]+"$/);
    expect(res.headers.get("cache-control")).toBe("private, no-cache, no-transform");
    expect(res.headers.get("vary")).toBe("Accept-Encoding");
    expect(nodesResponseSchema.parse(await res.json()).nodes).toHaveLength(3);
  });

  it("answers 304 without a body to a signed-in caller whose tag is current", async () => {
    const first = await GET(await signedIn("/api/nodes"));
    const etag = first.headers.get("etag")!;
    await first.arrayBuffer();
    const res = await GET(await signedIn("/api/nodes", { "if-none-match": etag }));
    expect(res.status).toBe(304);
    expect(res.headers.get("etag")).toBe(etag);
    expect(res.headers.get("cache-control")).toBe("private, no-cache, no-transform");
    expect(await res.text()).toBe("");
  });

  it("never answers 304 to a caller without a session, even with the current tag", async () => {
    const etag = (await GET(await signedIn("/api/nodes"))).headers.get("etag")!;
    for (const inm of [etag, "*"]) {
      const res = await GET(anonymous("/api/nodes", { "if-none-match": inm }));
      expect(res.status).toBe(401);
      expect(errorEnvelopeSchema.parse(await res.json()).error.code).toBe("unauthorized");
      expect(res.headers.get("etag")).toBeNull();
      expect(res.headers.get("cache-control")).toBe("no-store");
    }
  });

  it("answers 200 to a stale tag", async () => {
    const res = await GET(await signedIn("/api/nodes", { "if-none-match": '"stale"' }));
    expect(res.status).toBe(200);
    expect(nodesResponseSchema.parse(await res.json()).nodes).toHaveLength(3);
  });

  it("compresses for a client that accepts it (br first), under a tag of its own", async () => {
    const plain = await GET(await signedIn("/api/nodes"));
    const body = await plain.text();
    const br = await GET(await signedIn("/api/nodes", { "accept-encoding": "gzip, deflate, br" }));
    expect(br.headers.get("content-encoding")).toBe("br");
    expect(brotliDecompressSync(Buffer.from(await br.arrayBuffer())).toString("utf8")).toBe(body);
    const gz = await GET(await signedIn("/api/nodes", { "accept-encoding": "gzip" }));
    expect(gz.headers.get("content-encoding")).toBe("gzip");
    expect(gunzipSync(Buffer.from(await gz.arrayBuffer())).toString("utf8")).toBe(body);
    expect(new Set([plain, br, gz].map((r) => r.headers.get("etag"))).size).toBe(3);
    const again = await GET(await signedIn("/api/nodes", { "accept-encoding": "gzip, deflate, br", "if-none-match": br.headers.get("etag")! }));
    expect(again.status).toBe(304);
  });
});

describe("GET /api/nodes?fields=", () => {
  it("sends id and the chosen fields of each node, the roll-ups whole", async () => {
    const res = await GET(await signedIn("/api/nodes?fields=hostname,ready"));
    expect(res.status).toBe(200);
    const body = (await res.json()) as { nodes: Record<string, unknown>[]; clusters: unknown[]; updatedAt: string | null };
    expect(body.nodes).toHaveLength(3);
    for (const n of body.nodes) expect(Object.keys(n).sort()).toEqual(["hostname", "id", "ready"]);
    expect(body.clusters).toHaveLength(1);
    expect(body.updatedAt).not.toBeNull();
  });

  it("has a tag of its own and revalidates like the full list", async () => {
    const full = (await GET(await signedIn("/api/nodes"))).headers.get("etag");
    const first = await GET(await signedIn("/api/nodes?fields=stage"));
    const etag = first.headers.get("etag")!;
    expect(etag).not.toBe(full);
    expect((await GET(await signedIn("/api/nodes?fields=stage", { "if-none-match": etag }))).status).toBe(304);
  });

  it.each([["hostnme"], ["hostname,"], [""]])("refuses fields=%j with a 400 envelope", async (fields) => {
    const res = await GET(await signedIn(`/api/nodes?fields=${encodeURIComponent(fields)}`));
    expect(res.status).toBe(400);
    const { error } = errorEnvelopeSchema.parse(await res.json());
    expect(error.code).toBe("validation_failed");
    expect(error.message).toMatch(/fields/);
  });

  it("combines with ?cluster=; an unknown cluster is still a 404", async () => {
    const ok = await GET(await signedIn("/api/nodes?cluster=sim-1&fields=role"));
    expect(((await ok.json()) as { nodes: unknown[] }).nodes).toHaveLength(3);
    expect((await GET(await signedIn("/api/nodes?cluster=nope&fields=role"))).status).toBe(404);
  });
});
