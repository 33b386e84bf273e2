import type { NextConfig } from "next";

import { securityHeaders } from "./lib/auth/security-headers";
import { precompressStatic } from "./lib/net/static-brotli";

const nextConfig: NextConfig = {
  // Lets several builds (parallel work, benchmarks) live side by side; `npm start` reads the same variable.
  distDir: process.env.MINOS_DIST_DIR ?? ".next",
  // grpc-js and its TLS plumbing run in Node as-is; bundling them gains nothing. Kysely must be
  // one module instance: each bundled copy has its own PostgresAdapter class, so dialectOf's
  // instanceof on the process's one store (made by instrumentation's copy) failed in routes.
  serverExternalPackages: ["@grpc/grpc-js", "@peculiar/x509", "kysely"],
  // `next dev` opened on 127.0.0.1 otherwise blocks its own HMR requests.
  allowedDevOrigins: ["127.0.0.1"],
  poweredByHeader: false,
  // CSP, frame-ancestors 'none', nosniff, Referrer-Policy on every response (lib/auth/security-headers.ts).
  async headers() {
    return [{ source: "/:path*", headers: securityHeaders({ dev: process.env.NODE_ENV === "development" }) }];
  },
  compiler: {
    // `<file>.br` beside each static script and stylesheet, which scripts/serve.ts sends to
    // browsers that take brotli (Next itself only gzips, per request).
    async runAfterProductionCompile({ distDir }) {
      const written = await precompressStatic(distDir);
      console.log(`[minos] brotli: ${written} static files precompressed`);
    },
  },
  // `npm test` typechecks the whole project once with tsc; the build need not do it again.
  typescript: { ignoreBuildErrors: true },
};

export default nextConfig;
