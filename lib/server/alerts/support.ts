import "server-only";

import type { SupportLookup } from "./evaluate";

/**
 * Talos minors' end of community support, for `talos-unsupported`. Null until lib/talos/support.ts
 * (the dates from Talos's support matrix) is in: the rule is then skipped, never guessed.
 */
export const talosSupportLookup: SupportLookup | null = null;
