import { QueryClient } from "@tanstack/react-query";

/** The one QueryClient factory, for the browser and for server prefetches. */
export function makeQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        // Live state arrives over SSE; refetching on every mount would only duplicate it.
        staleTime: 30_000,
        retry: 1,
      },
    },
  });
}
