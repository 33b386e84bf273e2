/**
 * A local HTTP server standing in for a webhook or Slack receiver: records every request, answers
 * with the status the test sets, and verifies Minos's signature the way a receiver would
 * (the same code as the docs' snippet).
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface Receiver {
  url: string;
  requests: Received[];
  /** The status (and body, or a function of the request) of the next answers. */
  answer(status: number, body?: string | ((req: Received) => string)): void;
  close(): Promise<void>;
}

export async function startReceiver(host = "127.0.0.1"): Promise<Receiver> {
  const requests: Received[] = [];
  let status = 200;
  let reply: string | ((req: Received) => string) = "ok";
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const got = { path: req.url ?? "", headers: req.headers, body: Buffer.concat(chunks).toString("utf8") };
      requests.push(got);
      res.writeHead(status, { "content-type": "text/plain" }).end(typeof reply === "function" ? reply(got) : reply);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host}:${port}`,
    requests,
    answer(s, b = s >= 200 && s < 300 ? "ok" : "failed") {
      status = s;
      reply = b;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/**
 * Verifies X-Minos-Signature over "<X-Minos-Timestamp>.<raw body>" with the channel's secret, and
 * that the timestamp is within `toleranceSeconds` of `nowSeconds` (replays of old requests fail).
 */
export function verifyMinosSignature(secret: string, headers: IncomingHttpHeaders, rawBody: string, nowSeconds: number, toleranceSeconds = 300): boolean {
  const timestamp = String(headers["x-minos-timestamp"] ?? "");
  const signature = String(headers["x-minos-signature"] ?? "");
  if (!/^\d+$/.test(timestamp) || Math.abs(nowSeconds - Number(timestamp)) > toleranceSeconds) return false;
  const expected = `sha256=${createHmac("sha256", secret).update(`${timestamp}.${rawBody}`).digest("hex")}`;
  const a = Buffer.from(signature);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
