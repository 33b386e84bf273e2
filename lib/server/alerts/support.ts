import "server-only";

import { talosSupport } from "@/lib/talos/support";

import type { SupportLookup } from "./evaluate";

/**
 * Talos minors' end of community support, for `talos-unsupported`: the dates from Talos's support
 * matrix (lib/talos/support.ts). A version it cannot place gives null and the node is not flagged.
 */
export const talosSupportLookup: SupportLookup | null = (version, now) => talosSupport(version, now);
