import "server-only";

import { z } from "zod";

import { errorStatus, type ErrorEnvelope } from "@/lib/schemas/error";
import { AppError, isAppError } from "@/lib/server/errors";

/** Request bodies above this are refused before parsing; configs are far smaller. */
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

type Schema = z.ZodType;
type Infer<S> = S extends Schema ? z.infer<S> : undefined;

interface RouteSpec<P, Q, B> {
  params?: P;
  query?: Q;
  body?: B;
  maxBodyBytes?: number;
}

interface RouteInput<P, Q, B> {
  params: Infer<P>;
  query: Infer<Q>;
  body: Infer<B>;
  request: Request;
}

interface RouteContext {
  params?: Promise<Record<string, string | string[] | undefined>>;
}

/**
 * Wraps a route handler: validates params, query and JSON body with zod, runs the service call,
 * and turns every failure into the one error envelope. A handler returns plain data (sent as
 * JSON) or a `Response` of its own (streams, non-JSON formats).
 */
export function route<P extends Schema | undefined = undefined, Q extends Schema | undefined = undefined, B extends Schema | undefined = undefined>(
  spec: RouteSpec<P, Q, B>,
  fn: (input: RouteInput<P, Q, B>) => Promise<unknown> | unknown,
) {
  return async (request: Request, ctx: RouteContext = {}): Promise<Response> => {
    try {
      const params = spec.params ? parseWith(spec.params, (await ctx.params) ?? {}, "params") : undefined;
      const query = spec.query
        ? parseWith(spec.query, Object.fromEntries(new URL(request.url).searchParams), "query")
        : undefined;
      const body = spec.body
        ? parseWith(spec.body, await readJsonBody(request, spec.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES), "body")
        : undefined;
      const result = await fn({ params, query, body, request } as RouteInput<P, Q, B>);
      return result instanceof Response ? result : Response.json(result);
    } catch (e) {
      return errorResponse(e);
    }
  };
}

function parseWith<S extends Schema>(schema: S, value: unknown, where: string): z.infer<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw new AppError("validation_failed", `Invalid ${where}: ${z.prettifyError(result.error).replace(/\n/g, "; ")}`, {
    details: { issues: result.error.issues.map((i) => ({ path: i.path.map(String), message: i.message, code: i.code })) },
  });
}

async function readJsonBody(request: Request, limit: number): Promise<unknown> {
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (declared > limit) throw tooLarge(limit);
  const type = request.headers.get("content-type") ?? "";
  if (!type.includes("application/json")) {
    throw new AppError("bad_request", "Expected a JSON body (Content-Type: application/json)");
  }
  // Content-Length can be absent or wrong (chunked bodies): count while reading.
  const reader = request.body?.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  while (reader) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel();
      throw tooLarge(limit);
    }
    chunks.push(value);
  }
  const text = Buffer.concat(chunks).toString("utf8");
  if (text.trim() === "") throw new AppError("bad_request", "The request body is empty");
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new AppError("bad_request", `The request body is not valid JSON: ${(e as Error).message}`);
  }
}

function tooLarge(limit: number): AppError {
  return new AppError("payload_too_large", `The request body is larger than ${limit} bytes`);
}

/** The error envelope for any thrown value; unknown errors are logged and reported as a bare 500. */
export function errorResponse(e: unknown): Response {
  if (isAppError(e)) {
    const envelope: ErrorEnvelope = { error: { code: e.code, message: e.message } };
    if (e.details !== undefined || e.node !== undefined) {
      envelope.error.details = e.node !== undefined ? { node: e.node, ...(e.details as object) } : e.details;
    }
    return Response.json(envelope, { status: errorStatus[e.code] });
  }
  console.error("[minos] unhandled error in route", e);
  const envelope: ErrorEnvelope = { error: { code: "internal", message: "Internal server error" } };
  return Response.json(envelope, { status: 500 });
}
