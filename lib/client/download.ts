import { ApiError } from "@/lib/client/api";
import { csrfHeaders } from "@/lib/auth/csrf";
import { errorEnvelopeSchema } from "@/lib/schemas/error";

/**
 * POSTs and saves the answer as a file in the browser (named by its Content-Disposition, else
 * `fallback`); an error answer becomes an ApiError from the envelope.
 */
export async function postAndSave(url: string, fallback: string, body?: unknown): Promise<{ fileName: string; size: number }> {
  const res = await fetch(url, {
    method: "POST",
    headers: body === undefined ? csrfHeaders() : { "content-type": "application/json", ...csrfHeaders() },
    body: body === undefined ? undefined : JSON.stringify(body),
  }).catch((e: unknown) => {
    throw new ApiError(0, "network", `Minos did not answer: ${(e as Error).message}`);
  });
  if (!res.ok) {
    const env = errorEnvelopeSchema.safeParse(await res.json().catch(() => undefined));
    if (env.success) throw new ApiError(res.status, env.data.error.code, env.data.error.message, env.data.error.details);
    throw new ApiError(res.status, "internal", `HTTP ${res.status}`);
  }
  const blob = await res.blob();
  const fileName = /filename="([^"]+)"/.exec(res.headers.get("content-disposition") ?? "")?.[1] ?? fallback;
  const href = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = href;
  a.download = fileName;
  a.click();
  URL.revokeObjectURL(href);
  return { fileName, size: blob.size };
}
