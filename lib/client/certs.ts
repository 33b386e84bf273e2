import type { z } from "zod";
import { queryOptions } from "@tanstack/react-query";

import { apiFetch } from "@/lib/client/api";
import type { certificatesResponseSchema } from "@/lib/schemas/certs";

/** Query keys for the certificate inventory. */
export const certKeys = {
  all: ["certificates"] as const,
  list: () => [...certKeys.all, "list"] as const,
};

/**
 * GET /api/certificates – the whole inventory; the page filters it locally, so one cache entry
 * serves every filter. The server rescans every few minutes, so polling once a minute is plenty,
 * except while the first scan of a large fleet is still running.
 */
export const certificatesQueryOptions = queryOptions({
  queryKey: certKeys.list(),
  queryFn: ({ signal }) => apiFetch<z.output<typeof certificatesResponseSchema>>("/api/certificates", { signal }),
  refetchInterval: (query) => (query.state.data && query.state.data.scannedAt === null ? 3_000 : 60_000),
});

/** GET /api/certificates?refresh=1 – rescans now and answers with the new inventory. */
export function rescanCertificates(signal?: AbortSignal) {
  return apiFetch<z.output<typeof certificatesResponseSchema>>("/api/certificates?refresh=1", { signal });
}
