import { mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { createServer, request, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { brotliDecompressSync } from "node:zlib";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { acceptsBrotli, precompressStatic, staticBrotliHandler } from "@/lib/net/static-brotli";

const script = `${"export function f(a){return a.map((x)=>x*2).filter(Boolean)}\n".repeat(200)}`;

describe("acceptsBrotli", () => {
  it.each([
    ["gzip, deflate, br, zstd", true],
    ["br", true],
    ["gzip;q=1.0, br;q=0.5", true],
    ["gzip, br;q=0", false],
    ["gzip, deflate", false],
    ["brotli", false],
    ["", false],
  ])("%j → %s", (header, expected) => {
    expect(acceptsBrotli(header)).toBe(expected);
  });

  it("reads every Accept-Encoding line", () => {
    expect(acceptsBrotli(["gzip", "br"])).toBe(true);
    expect(acceptsBrotli(undefined)).toBe(false);
  });
});

describe("precompressStatic", () => {
  it("writes a .br beside each large script and stylesheet, once, and again when the file is newer", async () => {
    const dist = mkdtempSync(path.join(tmpdir(), "minos-br-"));
    try {
      mkdirSync(path.join(dist, "static", "chunks"), { recursive: true });
      mkdirSync(path.join(dist, "static", "media"), { recursive: true });
      writeFileSync(path.join(dist, "static", "chunks", "a.js"), script);
      writeFileSync(path.join(dist, "static", "chunks", "b.css"), `.a{color:red}\n`.repeat(200));
      writeFileSync(path.join(dist, "static", "chunks", "tiny.js"), "x()");
      writeFileSync(path.join(dist, "static", "media", "font.woff2"), Buffer.alloc(4096, 7));

      expect(await precompressStatic(dist)).toBe(2);
      const br = readFileSync(path.join(dist, "static", "chunks", "a.js.br"));
      expect(brotliDecompressSync(br).toString()).toBe(script);
      expect(br.length).toBeLessThan(script.length / 10);
      expect(() => readFileSync(path.join(dist, "static", "chunks", "tiny.js.br"))).toThrow();
      expect(() => readFileSync(path.join(dist, "static", "media", "font.woff2.br"))).toThrow();

      // Up to date: nothing to do.
      expect(await precompressStatic(dist)).toBe(0);
      // A rebuilt file (newer than its .br) is compressed again.
      const later = new Date(Date.now() + 60_000);
      utimesSync(path.join(dist, "static", "chunks", "a.js"), later, later);
      expect(await precompressStatic(dist)).toBe(1);
    } finally {
      rmSync(dist, { recursive: true, force: true });
    }
  });

  it("answers 0 for a build without a static directory", async () => {
    const dist = mkdtempSync(path.join(tmpdir(), "minos-br-"));
    try {
      expect(await precompressStatic(dist)).toBe(0);
    } finally {
      rmSync(dist, { recursive: true, force: true });
    }
  });
});

describe("staticBrotliHandler", () => {
  let dist: string;
  let server: Server;
  let base: string;

  beforeAll(async () => {
    dist = mkdtempSync(path.join(tmpdir(), "minos-br-"));
    mkdirSync(path.join(dist, "static", "chunks"), { recursive: true });
    writeFileSync(path.join(dist, "static", "chunks", "a.js"), script);
    writeFileSync(path.join(dist, "static", "chunks", "plain.js"), script);
    writeFileSync(path.join(dist, "secret.js"), script);
    writeFileSync(path.join(dist, "secret.js.br"), "not for the web");
    await precompressStatic(dist);
    // A .br older than its file (a rebuild without the hook) must not be served.
    writeFileSync(path.join(dist, "static", "chunks", "stale.js"), script);
    writeFileSync(path.join(dist, "static", "chunks", "stale.js.br"), "stale");
    const past = new Date(Date.now() - 60_000);
    utimesSync(path.join(dist, "static", "chunks", "stale.js.br"), past, past);
    rmSync(path.join(dist, "static", "chunks", "plain.js.br"));

    const handle = staticBrotliHandler(dist, [{ key: "X-Content-Type-Options", value: "nosniff" }]);
    server = createServer((req, res) => {
      void handle(req, res).then((answered) => {
        if (!answered) res.writeHead(299, { "x-fell-through": "1" }).end("next");
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise((r) => server.close(r));
    rmSync(dist, { recursive: true, force: true });
  });

  function get(pathname: string, headers: Record<string, string> = {}, method = "GET"): Promise<{ status: number; headers: IncomingHttpHeaders; body: Buffer }> {
    return new Promise((resolve, reject) => {
      // node:http with a raw path, not fetch or a URL: those decode the body and normalise `..`.
      const { hostname, port } = new URL(base);
      const req = request({ hostname, port, path: pathname, method, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
      });
      req.on("error", reject);
      req.end();
    });
  }

  it("sends the .br with its headers to a browser that takes brotli", async () => {
    const res = await get("/_next/static/chunks/a.js?dpl=x", { "accept-encoding": "gzip, deflate, br, zstd" });
    expect(res.status).toBe(200);
    expect(res.headers["content-encoding"]).toBe("br");
    expect(res.headers["content-type"]).toBe("application/javascript; charset=utf-8");
    expect(res.headers["cache-control"]).toBe("public, max-age=31536000, immutable");
    expect(res.headers.vary).toBe("Accept-Encoding");
    expect(res.headers["x-content-type-options"]).toBe("nosniff");
    expect(Number(res.headers["content-length"])).toBe(res.body.length);
    expect(brotliDecompressSync(res.body).toString()).toBe(script);

    const again = await get("/_next/static/chunks/a.js", { "accept-encoding": "br", "if-none-match": res.headers.etag! });
    expect(again.status).toBe(304);
    expect(again.body.length).toBe(0);

    const head = await get("/_next/static/chunks/a.js", { "accept-encoding": "br" }, "HEAD");
    expect(head.status).toBe(200);
    expect(head.headers["content-length"]).toBe(res.headers["content-length"]);
  });

  it.each([
    ["no brotli in Accept-Encoding", "/_next/static/chunks/a.js", "gzip, deflate"],
    ["a file without .br", "/_next/static/chunks/plain.js", "br"],
    ["a .br older than its file", "/_next/static/chunks/stale.js", "br"],
    ["a file that does not exist", "/_next/static/chunks/missing.js", "br"],
    ["a path outside /_next/static", "/chunks/a.js", "br"],
    ["a climb out of the static directory", "/_next/static/../secret.js", "br"],
    ["an encoded climb", "/_next/static/%2e%2e/secret.js", "br"],
    ["a malformed escape", "/_next/static/%E0%A4%A.js", "br"],
  ])("leaves %s to Next", async (_, pathname, encoding) => {
    const res = await get(pathname, { "accept-encoding": encoding });
    expect(res.status).toBe(299);
    expect(res.headers["x-fell-through"]).toBe("1");
  });

  it("leaves other methods to Next", async () => {
    const res = await get("/_next/static/chunks/a.js", { "accept-encoding": "br" }, "POST");
    expect(res.status).toBe(299);
  });
});
