import "server-only";

import { talosSupport } from "@/lib/talos/support";

import type { SupportLookup } from "./evaluate";

/**
 * Talos minors' end of community support, for `talos-unsupported`: lib/talos/support.ts, whose
 * dates are copied from Talos's support matrix. A version it cannot read gives no alert.
 */
export const talosSupportLookup: SupportLookup = (version, now) => talosSupport(version, now);
