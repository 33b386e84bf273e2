import "server-only";

import { z } from "zod";

import { AppError } from "@/lib/server/platform/errors";
import { env } from "@/lib/server/platform/env";
import { processState } from "@/lib/server/platform/process-state";

/**
 * The reference route of scripts/nodes-http.bench.ts: it answers bytes the benchmark stored
 * beforehand, with no work of its own, so `GET /api/nodes` can be compared with "the same bytes
 * from a trivial handler in the same server" (same process, same route wrapper and session check,
 * same Next request path). Only with MINOS_BENCH_ROUTES=1; otherwise every call is a 404, as if
 * the route did not exist.
 */
const g = processState<{ __minosBenchEcho?: Map<string, StoredBody> }>();

interface StoredBody {
  bytes: Uint8Array<ArrayBuffer>;
  contentType: string;
  contentEncoding: string | null;
}

export const benchEchoQuerySchema = z.object({ variant: z.string().regex(/^[a-z0-9-]{1,32}$/) });

export const benchEchoBodySchema = z.object({
  variant: z.string().regex(/^[a-z0-9-]{1,32}$/),
  /** The bytes to answer, base64. */
  base64: z.string().max(8 * 1024 * 1024),
  contentType: z.string().max(100).default("application/json"),
  contentEncoding: z.enum(["br", "gzip"]).nullable().default(null),
});

function store(): Map<string, StoredBody> {
  if (!env().MINOS_BENCH_ROUTES) throw new AppError("not_found", "No API route /api/bench-echo (MINOS_BENCH_ROUTES is not set)");
  g.__minosBenchEcho ??= new Map();
  return g.__minosBenchEcho;
}

/** POST /api/bench-echo: stores a variant's bytes. @throws AppError not_found unless MINOS_BENCH_ROUTES=1. */
export function storeBenchEcho(input: z.infer<typeof benchEchoBodySchema>): { variant: string; bytes: number } {
  const s = store();
  if (s.size >= 16 && !s.has(input.variant)) throw new AppError("conflict", "At most 16 bench-echo variants");
  const bytes = new Uint8Array(Buffer.from(input.base64, "base64"));
  s.set(input.variant, { bytes, contentType: input.contentType, contentEncoding: input.contentEncoding });
  return { variant: input.variant, bytes: bytes.byteLength };
}

/** GET /api/bench-echo?variant=: the stored bytes as they were given. @throws AppError not_found. */
export function benchEchoResponse(variant: string): Response {
  const stored = store().get(variant);
  if (!stored) throw new AppError("not_found", `No bench-echo variant "${variant}"`);
  const headers: Record<string, string> = { "content-type": stored.contentType, "content-length": String(stored.bytes.byteLength) };
  if (stored.contentEncoding) headers["content-encoding"] = stored.contentEncoding;
  return new Response(stored.bytes, { headers });
}
