import "server-only";

import type { ConfigDeps } from "@/lib/server/configs/deps";
import { defaultConfigDeps } from "@/lib/server/configs/deps";

/**
 * What node actions need from the outside world: the config-push deps fit (the same database,
 * fleet clients and Kubernetes drain), so routes pass {@link defaultNodeActionDeps} and tests a
 * simulator fleet's deps (test/configs/fleet.ts).
 */
export type NodeActionDeps = Pick<ConfigDeps, "db" | "resolveNode" | "clusterNodes" | "talosRoles" | "client" | "now" | "kubernetes">;

/** The server process's deps (shared with config push). */
export function defaultNodeActionDeps(): NodeActionDeps {
  return defaultConfigDeps();
}
