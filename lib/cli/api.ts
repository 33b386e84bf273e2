/**
 * The CLI's client of a Minos server's HTTP API: `MINOS_URL` and `MINOS_TOKEN` (an API token,
 * sent as `Authorization: Bearer …`, as POST /api/tokens made it), Node's fetch, a deadline per
 * request, answers checked against the HTTP contract (lib/schemas/*), errors of the one envelope
 * `{error:{code,message,details}}` surfaced as ApiError. The token is never part of a message:
 * errors name the method and the URL only.
 */
import type { z } from "zod";

import { errorEnvelopeSchema, type ErrorCode } from "@/lib/schemas/error";

export interface ApiTarget {
  /** The server's base URL, without a trailing slash. */
  base: string;
  token: string;
}

/** A problem before or around a request (no server answer to show): printed as `minos CMD: …`. */
export class CliError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "CliError";
  }
}

/** The server's error envelope. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode | "unexpected",
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

/** Reads MINOS_URL and MINOS_TOKEN. @throws CliError naming what is missing or wrong. */
export function apiTarget(env: Record<string, string | undefined>): ApiTarget {
  const raw = env.MINOS_URL?.trim() ?? "";
  const token = env.MINOS_TOKEN?.trim() ?? "";
  if (raw === "") throw new CliError("MINOS_URL is not set (the Minos server, e.g. https://minos.example.com)");
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new CliError(`MINOS_URL is not a URL: ${JSON.stringify(raw)}`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw new CliError(`MINOS_URL must be an http:// or https:// URL, not ${url.protocol}`);
  // Credentials belong in MINOS_TOKEN: a URL ends up in messages and logs.
  if (url.username !== "" || url.password !== "") throw new CliError("MINOS_URL must not hold credentials; put the API token in MINOS_TOKEN");
  if (url.search !== "" || url.hash !== "") throw new CliError("MINOS_URL must not have a query or fragment");
  if (token === "") throw new CliError("MINOS_TOKEN is not set (an API token, made on Minos's Access page or with POST /api/tokens)");
  if (/[\s\p{C}]/u.test(token)) throw new CliError("MINOS_TOKEN holds spaces or control characters: is it the whole token?");
  return { base: url.href.replace(/\/+$/, ""), token };
}

export type Fetch = typeof fetch;

export interface RequestOptions {
  /** The deadline of this request (default: the client's). */
  timeoutMs?: number;
}

export interface ApiClient {
  readonly base: string;
  get<S extends z.ZodType>(path: string, schema: S, opts?: RequestOptions): Promise<z.infer<S>>;
  post<S extends z.ZodType>(path: string, body: unknown, schema: S, opts?: RequestOptions): Promise<z.infer<S>>;
}

const seconds = (ms: number) => `${Math.round(ms / 100) / 10} s`;

/** Why fetch failed, in a person's words: undici hides the system error in `cause`. */
function networkReason(e: unknown): string {
  const cause = (e as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (e as Error).message;
}

export function apiClient(target: ApiTarget, opts: { fetch?: Fetch; timeoutMs?: number } = {}): ApiClient {
  const doFetch = opts.fetch ?? fetch;
  const defaultTimeout = opts.timeoutMs ?? 30_000;

  async function call<S extends z.ZodType>(method: "GET" | "POST", path: string, body: unknown, schema: S, ro: RequestOptions = {}): Promise<z.infer<S>> {
    const url = `${target.base}${path}`;
    const what = `${method} ${url}`;
    const timeoutMs = ro.timeoutMs ?? defaultTimeout;
    const headers: Record<string, string> = { authorization: `Bearer ${target.token}`, accept: "application/json" };
    if (body !== undefined) headers["content-type"] = "application/json";
    let res: Response;
    let text: string;
    try {
      res = await doFetch(url, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        // A redirect could carry the token to another host: follow none.
        redirect: "manual",
        signal: AbortSignal.timeout(timeoutMs),
      });
      text = await res.text();
    } catch (e) {
      if ((e as Error).name === "TimeoutError") throw new CliError(`${what}: no answer within ${seconds(timeoutMs)}`);
      throw new CliError(`${what}: cannot reach the server: ${networkReason(e)}`);
    }
    if (res.status >= 300 && res.status < 400) {
      throw new CliError(`${what}: redirected (HTTP ${res.status}${res.headers.get("location") ? ` to ${res.headers.get("location")}` : ""}); set MINOS_URL to the server's own address`);
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new ApiError(res.status, "unexpected", `${what}: HTTP ${res.status} with a ${res.headers.get("content-type") ?? "body"} that is not JSON (is MINOS_URL a Minos server?)`);
    }
    if (!res.ok) {
      const env = errorEnvelopeSchema.safeParse(json);
      if (env.success) throw new ApiError(res.status, env.data.error.code, env.data.error.message, env.data.error.details);
      throw new ApiError(res.status, "unexpected", `${what}: HTTP ${res.status}`);
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) {
      const first = parsed.error.issues[0];
      throw new ApiError(res.status, "unexpected", `${what}: unexpected answer (${first ? `${first.path.join(".")}: ${first.message}` : "invalid"}); is the server the same Minos version as this CLI?`);
    }
    return parsed.data;
  }

  return {
    base: target.base,
    get: (path, schema, ro) => call("GET", path, undefined, schema, ro),
    post: (path, body, schema, ro) => call("POST", path, body, schema, ro),
  };
}
