/**
 * The webhook sender against receivers that answer badly: a failed answer's body is read only
 * up to a few KiB, then the connection is dropped.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";

import { notice, ORIGIN, T0 } from "@/test/alerts/delivery";

import { fromNotice } from "../messages";
import type { OpenChannel } from "../model";
import { EXCERPT_READ_BYTES, sendWebhook } from "./webhook";

const servers: Server[] = [];

afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }
});

/** A receiver that answers 500 with a body that never ends; `closed` settles when the client hangs up, with the bytes it wrote. */
async function endlessReceiver(): Promise<{ url: string; closed: Promise<number> }> {
  let hungUp!: (written: number) => void;
  const closed = new Promise<number>((resolve) => (hungUp = resolve));
  const server = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      res.writeHead(500, { "content-type": "text/plain" });
      const chunk = Buffer.alloc(16_384, "x");
      let written = 0;
      let open = true;
      res.on("close", () => {
        open = false;
        hungUp(written);
      });
      const pump = () => {
        while (open) {
          written += chunk.length;
          if (!res.write(chunk)) return void res.once("drain", pump);
        }
      };
      pump();
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, closed };
}

const channel = (url: string): OpenChannel => ({ id: "c1", type: "webhook", name: "hook", settings: {}, secrets: { url, secret: "whsec-test-0123456789abcdef" } });

describe("webhook sender", () => {
  it("reads at most a few KiB of a failed answer's body and hangs up, rather than waiting for all of it", async () => {
    const r = await endlessReceiver();
    // A long timeout: a sender that read the whole body would still be reading when the test times out.
    const result = await sendWebhook(channel(r.url), fromNotice(notice()), { origin: ORIGIN, userAgent: "Minos/test", now: () => new Date(T0), timeoutMs: 600_000 });
    expect(result).toEqual({ ok: false, statusCode: 500, error: `HTTP 500: ${"x".repeat(200)}…` });
    // The receiver saw the connection closed (the body was cancelled, not drained).
    expect(await r.closed).toBeGreaterThan(EXCERPT_READ_BYTES);
  });
});
