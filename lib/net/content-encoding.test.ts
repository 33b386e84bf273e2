import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { ENCODING_RESPONSE_HEADER, RESTORES_ENCODING_HEADER, restoreContentEncoding } from "@/lib/net/content-encoding";

let server: Server;
let seen: string | undefined;

beforeAll(async () => {
  server = createServer((req, res) => {
    restoreContentEncoding(req, res);
    seen = req.headers[RESTORES_ENCODING_HEADER] as string | undefined;
    // As Next copies a route handler's headers: content-encoding dropped, the private one kept.
    res.appendHeader(ENCODING_RESPONSE_HEADER, "br");
    res.setHeader("content-type", "application/json");
    res.end("x");
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
});

afterAll(() => new Promise<void>((r) => server.close(() => r())));

function get(headers: Record<string, string>): Promise<Record<string, string | string[] | undefined>> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port: (server.address() as AddressInfo).port, path: "/", headers }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.headers));
    });
    req.on("error", reject);
    req.end();
  });
}

describe("restoreContentEncoding (scripts/serve.ts)", () => {
  it("turns the private header into Content-Encoding and marks the request, whatever the client sent", async () => {
    const headers = await get({ [RESTORES_ENCODING_HEADER]: "forged" });
    expect(headers["content-encoding"]).toBe("br");
    expect(headers[ENCODING_RESPONSE_HEADER]).toBeUndefined();
    expect(headers["content-type"]).toBe("application/json");
    expect(seen).toBe("1");
  });
});
