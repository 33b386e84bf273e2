import { csrfHeaders, isMutatingMethod } from "@/lib/auth/csrf";
import type { ErrorCode } from "@/lib/schemas/error";

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

/** The error envelope's body, when `payload` is one (the server builds it from errorEnvelopeSchema). */
function envelopeError(payload: unknown): { code: ErrorCode; message: string; details?: unknown } | null {
  if (typeof payload !== "object" || payload === null || !("error" in payload)) return null;
  const error: unknown = payload.error;
  if (typeof error !== "object" || error === null || !("code" in error) || !("message" in error)) return null;
  if (typeof error.code !== "string" || typeof error.message !== "string") return null;
  return { code: error.code as ErrorCode, message: error.message, details: "details" in error ? error.details : undefined };
}

/**
 * The one fetch that client code uses: JSON in, JSON out as `T`, and every failure turned into an
 * ApiError carrying the envelope's code. Mutating requests carry the session's CSRF token, which
 * the server demands of cookie sessions.
 *
 * `T` is the answer's zod-inferred type (`z.output<typeof schema>`, imported as a type): the
 * browser does not parse its own server's answers again. The server builds them from the same
 * schemas and the route tests parse them. Leaving zod out of the live views' bundles took a fifth
 * off the overview's and the nodes page's JavaScript (issue 20's weight budget). Zod stays in the
 * browser only where a page validates what its user types.
 */
export async function apiFetch<T>(path: string, init: RequestInit & { json?: unknown } = {}): Promise<T> {
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
    const envelope = envelopeError(payload);
    if (envelope) throw new ApiError(response.status, envelope.code, envelope.message, envelope.details);
    throw new ApiError(response.status, "internal", `HTTP ${response.status} from ${path}`);
  }
  if (payload === undefined) throw new ApiError(response.status, "internal", `HTTP ${response.status} from ${path} was not JSON`);
  return payload as T;
}
