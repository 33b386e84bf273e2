import type { z } from "zod";

import { csrfHeaders, isMutatingMethod } from "@/lib/auth/csrf";
import { errorEnvelopeSchema, type ErrorCode } from "@/lib/schemas/error";

/** An error answered by the Minos API, with the envelope's code and details. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode | "network",
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

/**
 * The one fetch that client code uses: JSON in, the response parsed with its zod schema, and
 * every failure turned into an ApiError carrying the envelope's code. Mutating requests carry the
 * session's CSRF token, which the server demands of cookie sessions.
 */
export async function apiFetch<S extends z.ZodType>(
  path: string,
  schema: S,
  init: RequestInit & { json?: unknown } = {},
): Promise<z.infer<S>> {
  const { json, ...rest } = init;
  let response: Response;
  try {
    response = await fetch(path, {
      ...rest,
      headers: {
        accept: "application/json",
        ...(json !== undefined ? { "content-type": "application/json" } : {}),
        ...(isMutatingMethod(rest.method ?? "GET") ? csrfHeaders() : {}),
        ...rest.headers,
      },
      body: json !== undefined ? JSON.stringify(json) : rest.body,
    });
  } catch (e) {
    throw new ApiError(0, "network", `Minos did not answer: ${(e as Error).message}`);
  }
  const payload: unknown = await response.json().catch(() => undefined);
  if (!response.ok) {
    const envelope = errorEnvelopeSchema.safeParse(payload);
    if (envelope.success) {
      const { code, message, details } = envelope.data.error;
      throw new ApiError(response.status, code, message, details);
    }
    throw new ApiError(response.status, "internal", `HTTP ${response.status} from ${path}`);
  }
  return schema.parse(payload);
}
