import { benchEchoBodySchema, benchEchoQuerySchema, benchEchoResponse, storeBenchEcho } from "@/lib/server/http/bench-echo";
import { route } from "@/lib/server/http/route";

// GET /api/bench-echo?variant= – benchmark hook, not product API: stored bytes answered as-is (the trivial reference of `npm run bench nodes-http`); 404 unless MINOS_BENCH_ROUTES=1
export const GET = route({ role: "viewer", query: benchEchoQuerySchema }, ({ query }) => benchEchoResponse(query.variant));

// POST /api/bench-echo – stores a variant's bytes (base64) for GET; 404 unless MINOS_BENCH_ROUTES=1
export const POST = route({ role: "admin", body: benchEchoBodySchema, maxBodyBytes: 12 * 1024 * 1024 }, ({ body }) => storeBenchEcho(body));
