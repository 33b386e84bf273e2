/**
 * Minos's HTTP server: Next's documented custom-server API (`next()`, `prepare()`,
 * `getRequestHandler()`) behind a plain `node:http` server, so every request gets the client
 * address computed from the socket (and, from a trusted proxy, X-Forwarded-For) before Next sees
 * it. `npm start` runs this (through scripts/start.ts); `npm run dev` runs it with `--dev`.
 */
import { createServer } from "node:http";
import path from "node:path";

import next from "next";

import { securityHeaders } from "../lib/auth/security-headers";
import { staticBrotliHandler } from "../lib/net/static-brotli";
import { markClientAddressStamping, proxyMatcher, stampClientAddress } from "../lib/net/client-address";
import { restoreContentEncoding } from "../lib/net/content-encoding";
import { parseEnv } from "../lib/schemas/env";
import { processState } from "../lib/server/platform/process-state";

const root = path.resolve(__dirname, "..");

async function main() {
  const dev = process.argv.includes("--dev");
  let env;
  try {
    env = parseEnv(process.env);
  } catch (e) {
    console.error(`[minos] ${(e as Error).message}`);
    process.exit(1);
  }
  const isTrusted = proxyMatcher(env.MINOS_TRUSTED_PROXIES);
  // Before Next loads any route: from now on the private header is this server's.
  markClientAddressStamping();

  const app = next({ dev, dir: root, hostname: env.MINOS_HOST, port: env.PORT });
  const handle = app.getRequestHandler();
  await app.prepare();
  // The build's precompressed `.br` static files (next.config.ts writes them); the rest is Next's.
  const brotli = dev ? null : staticBrotliHandler(path.resolve(root, process.env.MINOS_DIST_DIR ?? ".next"), securityHeaders({ dev }));

  const server = createServer((req, res) => {
    stampClientAddress(req, isTrusted);
    // Route handlers that compress themselves (GET /api/nodes) need Content-Encoding back.
    restoreContentEncoding(req, res);
    Promise.resolve(brotli?.(req, res) ?? false)
      .then((answered) => (answered ? undefined : handle(req, res)))
      .catch((e: unknown) => {
        console.error("[minos] request failed", e);
        if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain" });
        res.end("Internal server error");
      });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(env.PORT, env.MINOS_HOST, resolve);
  });
  const proxies = env.MINOS_TRUSTED_PROXIES.map((p) => `${p.network}/${p.prefix}`).join(", ");
  console.log(`[minos] listening on ${env.MINOS_HOST}:${env.PORT} (${dev ? "development" : "production"}); trusted proxies: ${proxies || "none"}`);

  const stop = () => {
    server.close();
    // The background work gives its leases back, so other replicas take over at once rather
    // than after the leases expire (lib/server/runtime.ts leaves its stop in the process state).
    const state = processState<{ __minosStopRuntime?: () => Promise<void>; __minosShuttingDown?: boolean }>();
    state.__minosShuttingDown = true;
    const stopRuntime = state.__minosStopRuntime;
    void Promise.resolve(stopRuntime?.())
      .catch((e: unknown) => console.error("[minos] stopping the background work failed", e))
      .then(() => app.close())
      .finally(() => process.exit(0));
    // Open keep-alive connections and SSE streams must not hold the process up.
    setTimeout(() => process.exit(0), 5_000).unref();
  };
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
}

main().catch((e: unknown) => {
  console.error("[minos] the server could not start", e);
  process.exit(1);
});
