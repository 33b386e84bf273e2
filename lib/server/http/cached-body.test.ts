import { brotliDecompressSync, gunzipSync } from "node:zlib";

import { afterEach, describe, expect, it, vi } from "vitest";

import { cachedBody, REVALIDATE_CACHE_CONTROL, revalidatableResponse, STALE_WHILE_COMPRESSING_MS } from "@/lib/server/http/cached-body";
import { MIN_COMPRESSIBLE_BYTES } from "@/lib/server/http/conditional";
import { ENCODING_RESPONSE_HEADER, RESTORES_ENCODING_HEADER } from "@/lib/net/content-encoding";

const json = (n: number) => new TextEncoder().encode(JSON.stringify({ nodes: Array.from({ length: n }, (_, i) => ({ id: `10.5.0.${i}@c`, ready: i % 7 !== 0 })) }));
// As scripts/serve.ts marks every request (it restores Content-Encoding after Next drops it).
const get = (headers: Record<string, string> = {}, method = "GET") => new Request("http://minos.test/api/nodes", { method, headers: { [RESTORES_ENCODING_HEADER]: "1", ...headers } });
const bytesOf = async (res: Response) => new Uint8Array(await res.arrayBuffer());

describe("revalidatableResponse", () => {
  it("answers the identity bytes with a strong tag, Cache-Control and Vary", async () => {
    const body = json(200);
    const res = await revalidatableResponse(get(), body, { contentType: "application/json" });
    expect(res.status).toBe(200);
    expect(res.headers.get("etag")).toMatch(/^"[A-Za-z0-9_-]{22}"$/);
    expect(res.headers.get("cache-control")).toBe(REVALIDATE_CACHE_CONTROL);
    expect(res.headers.get("vary")).toBe("Accept-Encoding");
    expect(res.headers.get("content-encoding")).toBeNull();
    expect(res.headers.get("content-length")).toBe(String(body.byteLength));
    expect(await bytesOf(res)).toEqual(body);
  });

  it("compresses with br when accepted, gzip when only gzip is, each with its own tag", async () => {
    const body = json(500);
    const plain = await revalidatableResponse(get(), body, { contentType: "application/json" });
    const br = await revalidatableResponse(get({ "accept-encoding": "gzip, deflate, br" }), body, { contentType: "application/json" });
    const gz = await revalidatableResponse(get({ "accept-encoding": "gzip;q=1, br;q=0.5" }), body, { contentType: "application/json" });
    expect(br.headers.get("content-encoding")).toBe("br");
    expect(br.headers.get(ENCODING_RESPONSE_HEADER)).toBe("br");
    expect(gz.headers.get("content-encoding")).toBe("gzip");
    const brBytes = await bytesOf(br);
    const gzBytes = await bytesOf(gz);
    expect(brBytes.byteLength).toBeLessThan(body.byteLength / 4);
    expect(br.headers.get("content-length")).toBe(String(brBytes.byteLength));
    expect(new Uint8Array(brotliDecompressSync(brBytes))).toEqual(body);
    expect(new Uint8Array(gunzipSync(gzBytes))).toEqual(body);
    const tags = new Set([plain, br, gz].map((r) => r.headers.get("etag")));
    expect(tags.size).toBe(3);
  });

  it("does not compress a small body", async () => {
    const body = new TextEncoder().encode(JSON.stringify({ nodes: [] }));
    expect(body.byteLength).toBeLessThan(MIN_COMPRESSIBLE_BYTES);
    const res = await revalidatableResponse(get({ "accept-encoding": "br, gzip" }), body, { contentType: "application/json" });
    expect(res.headers.get("content-encoding")).toBeNull();
    expect(await bytesOf(res)).toEqual(body);
  });

  it("answers 304 with the tag and no body when If-None-Match names the current representation", async () => {
    const body = json(300);
    const first = await revalidatableResponse(get({ "accept-encoding": "br" }), body, { contentType: "application/json" });
    const etag = first.headers.get("etag")!;
    for (const inm of [etag, `W/${etag}`, `"nope", ${etag}`, "*"]) {
      const res = await revalidatableResponse(get({ "accept-encoding": "br", "if-none-match": inm }), body, { contentType: "application/json" });
      expect(res.status, inm).toBe(304);
      expect(res.headers.get("etag")).toBe(etag);
      expect(res.headers.get("cache-control")).toBe(REVALIDATE_CACHE_CONTROL);
      expect(res.headers.get("vary")).toBe("Accept-Encoding");
      expect(res.headers.get("content-encoding")).toBeNull();
      expect((await bytesOf(res)).byteLength).toBe(0);
    }
  });

  it("answers 200 when the tag is stale or names another coding", async () => {
    const old = json(301);
    const now = json(302);
    const oldTag = (await revalidatableResponse(get(), old, { contentType: "application/json" })).headers.get("etag")!;
    expect((await revalidatableResponse(get({ "if-none-match": oldTag }), now, { contentType: "application/json" })).status).toBe(200);
    const brTag = (await revalidatableResponse(get({ "accept-encoding": "br" }), now, { contentType: "application/json" })).headers.get("etag")!;
    const identity = await revalidatableResponse(get({ "if-none-match": brTag }), now, { contentType: "application/json" });
    expect(identity.status).toBe(200);
    expect(await bytesOf(identity)).toEqual(now);
  });

  it("answers HEAD with the headers only", async () => {
    const body = json(100);
    const res = await revalidatableResponse(get({}, "HEAD"), body, { contentType: "application/json" });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-length")).toBe(String(body.byteLength));
    expect((await bytesOf(res)).byteLength).toBe(0);
  });
});

describe("behind a server that does not restore Content-Encoding", () => {
  it("sends identity, whatever the client accepts", async () => {
    const body = json(500);
    const req = new Request("http://minos.test/api/nodes", { headers: { "accept-encoding": "br, gzip" } });
    const res = await revalidatableResponse(req, body, { contentType: "application/json" });
    expect(res.headers.get("content-encoding")).toBeNull();
    expect(res.headers.get(ENCODING_RESPONSE_HEADER)).toBeNull();
    expect(await bytesOf(res)).toEqual(body);
  });
});

describe("cachedBody", () => {
  it("compresses one version once, however many requests ask at the same time", async () => {
    const body = cachedBody(json(400));
    const all = await Promise.all(Array.from({ length: 20 }, () => body.encoded("br")));
    expect(new Set(all).size).toBe(1);
    expect(await body.encoded("br")).toBe(all[0]);
  });

  it("is the same for the same array, and shared by an equal array (the same tag, no new compression)", async () => {
    const a = json(250);
    const b = json(250);
    expect(a).not.toBe(b);
    expect(cachedBody(a)).toBe(cachedBody(a));
    const brA = await cachedBody(a).encoded("br");
    expect(cachedBody(b)).toBe(cachedBody(a));
    expect(await cachedBody(b).encoded("br")).toBe(brA);
    expect(cachedBody(json(251)).base).not.toBe(cachedBody(a).base);
  });
});

describe("a slot's previous version stands in while the new one compresses", () => {
  afterEach(() => vi.useRealTimers());
  const opts = { contentType: "application/json", slot: "test-slot" };
  const br = { "accept-encoding": "br" };

  it("answers the previous br bytes at once, then the new ones once made", async () => {
    const v1 = json(601);
    const v2 = json(602);
    const first = await revalidatableResponse(get(br), v1, opts);
    const tag1 = first.headers.get("etag")!;
    expect(new Uint8Array(brotliDecompressSync(await bytesOf(first)))).toEqual(v1);
    // v2's compression has only just started: v1 answers, under v1's tag (a consistent pair).
    const during = await revalidatableResponse(get(br), v2, opts);
    expect(during.headers.get("etag")).toBe(tag1);
    expect(new Uint8Array(brotliDecompressSync(await bytesOf(during)))).toEqual(v1);
    expect((await revalidatableResponse(get({ ...br, "if-none-match": tag1 }), v2, opts)).status).toBe(304);
    await cachedBody(v2).encoded("br");
    const after = await revalidatableResponse(get(br), v2, opts);
    expect(after.headers.get("etag")).not.toBe(tag1);
    expect(new Uint8Array(brotliDecompressSync(await bytesOf(after)))).toEqual(v2);
    // Identity is never held back.
    expect(await bytesOf(await revalidatableResponse(get(), json(603), opts))).toEqual(json(603));
  });

  it("waits for the new bytes once the new version is older than the stand-in window, and never without a slot", async () => {
    const v1 = json(611);
    const v2 = json(612);
    await revalidatableResponse(get(br), v1, { ...opts, slot: "slot-2" });
    const noSlot = await revalidatableResponse(get(br), json(613), { contentType: "application/json" });
    expect(new Uint8Array(brotliDecompressSync(await bytesOf(noSlot)))).toEqual(json(613));
    vi.useFakeTimers({ toFake: ["Date"] });
    cachedBody(v2);
    vi.setSystemTime(Date.now() + STALE_WHILE_COMPRESSING_MS + 1);
    const late = await revalidatableResponse(get(br), v2, { ...opts, slot: "slot-2" });
    expect(new Uint8Array(brotliDecompressSync(await bytesOf(late)))).toEqual(v2);
  });
});
