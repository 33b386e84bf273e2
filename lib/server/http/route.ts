import "server-only";

import { z } from "zod";

import { roleAtLeast } from "@/lib/auth/roles";
import type { RouteRole } from "@/lib/schemas/auth";
import { errorStatus, type ErrorEnvelope } from "@/lib/schemas/error";
import type { Actor } from "@/lib/server/auth/actor";
import { defaultAuthDeps } from "@/lib/server/auth/deps";
import { authorize, RateLimitedError, type AuthDeps } from "@/lib/server/auth/guard";
import type { RateLimitName } from "@/lib/server/auth/rate-limit";
import { AppError, isAppError } from "@/lib/server/platform/errors";
import { publicFailure } from "@/lib/server/talos/errors";

/** Request bodies above this are refused before parsing; configs are far smaller. */
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

type Schema = z.ZodType;
type Infer<S> = S extends Schema ? z.infer<S> : undefined;

/**
 * Every route must declare a `role` (the type requires it); this catches a route that slips one
 * past the compiler (a cast, plain JavaScript) by refusing it. See docs/access-control.md.
 */
export const REQUIRE_ROLE_DECLARATION = true;

interface RouteSpec<P, Q, B, R> {
  /**
   * The weakest role that may call this route, or "public". Declared routes check the Host
   * header, the Origin and CSRF token of mutating requests, and the caller's session or token.
   */
  role: R;
  /** A rate limit per client and endpoint (sign-in ceremonies, token management). */
  rateLimit?: RateLimitName;
  params?: P;
  query?: Q;
  body?: B;
  maxBodyBytes?: number;
}

/** A signed-in caller on routes that need a role; possibly nobody on public ones. */
type ActorFor<R> = R extends "viewer" | "operator" | "admin" ? Actor : Actor | null;

interface RouteInput<P, Q, B, R> {
  params: Infer<P>;
  query: Infer<Q>;
  body: Infer<B>;
  request: Request;
  actor: ActorFor<R>;
}

interface RouteContext {
  params?: Promise<Record<string, string | string[] | undefined>>;
}

/**
 * Wraps a route handler: checks access when the route declares a role, validates params, query
 * and JSON body with zod, runs the service call, and turns every failure into the one error
 * envelope. A handler returns plain data (sent as JSON) or a `Response` of its own (streams,
 * non-JSON formats, cookies).
 */
export function route<
  P extends Schema | undefined = undefined,
  Q extends Schema | undefined = undefined,
  B extends Schema | undefined = undefined,
  R extends RouteRole = RouteRole,
>(spec: RouteSpec<P, Q, B, R>, fn: (input: RouteInput<P, Q, B, R>) => Promise<unknown> | unknown, deps: () => AuthDeps = defaultAuthDeps) {
  const handler = async (request: Request, ctx: RouteContext = {}): Promise<Response> => {
    let actor: Actor | null = null;
    try {
      if (spec.role) {
        actor = await authorize(request, { role: spec.role, rateLimit: spec.rateLimit }, deps());
      } else if (REQUIRE_ROLE_DECLARATION) {
        throw new AppError("forbidden", "This route declares no role, so nobody may call it");
      }
      const params = spec.params ? parseWith(spec.params, (await ctx.params) ?? {}, "params") : undefined;
      const query = spec.query
        ? parseWith(spec.query, Object.fromEntries(new URL(request.url).searchParams), "query")
        : undefined;
      const body = spec.body
        ? parseWith(spec.body, await readJsonBody(request, spec.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES), "body")
        : undefined;
      const result = await fn({ params, query, body, request, actor } as RouteInput<P, Q, B, R>);
      return noStore(result instanceof Response ? result : Response.json(result));
    } catch (e) {
      return noStore(errorResponse(e, actor !== null && roleAtLeast(actor.role, "admin")));
    }
  };
  // The declaration rides on the handler so a test can walk every route file and check it.
  return Object.assign(handler, { role: spec.role as R });
}

/**
 * Every API answer is per caller, and many carry a secret or a one-time link (revealed configs,
 * new tokens, invitations, templates): no browser or proxy cache may keep one. A handler that
 * sets its own Cache-Control keeps it.
 */
function noStore(res: Response): Response {
  if (res.headers.has("cache-control")) return res;
  try {
    res.headers.set("cache-control", "no-store");
    return res;
  } catch {
    // Immutable headers (a Response passed through from fetch): copy it.
    const copy = new Response(res.body, res);
    copy.headers.set("cache-control", "no-store");
    return copy;
  }
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

/**
 * The error envelope for any thrown value; unknown errors are logged and reported as a bare 500.
 * A node that did not answer is reported in the same words whatever the transport said (see
 * publicFailure), except to an admin (`transportDetail`), who may need them to fix a talosconfig.
 */
export function errorResponse(e: unknown, transportDetail = false): Response {
  if (e instanceof RateLimitedError) {
    const envelope: ErrorEnvelope = { error: { code: "rate_limited", message: e.message, details: { retryAfterSeconds: e.retryAfterSeconds } } };
    return Response.json(envelope, { status: 429, headers: { "retry-after": String(e.retryAfterSeconds) } });
  }
  if (isAppError(e)) {
    const message = transportDetail ? e.message : publicFailure(e).message;
    const envelope: ErrorEnvelope = { error: { code: e.code, message } };
    if (e.details !== undefined || e.node !== undefined) {
      envelope.error.details = e.node !== undefined ? { node: e.node, ...(e.details as object) } : e.details;
    }
    return Response.json(envelope, { status: errorStatus[e.code] });
  }
  console.error("[minos] unhandled error in route", e);
  const envelope: ErrorEnvelope = { error: { code: "internal", message: "Internal server error" } };
  return Response.json(envelope, { status: 500 });
}
