import "server-only";

import type { ApplyKubernetes } from "@/lib/server/configs/apply-drain";
import { RevisionRepository } from "@/lib/server/configs/revisions";
import { getSecretBox, type SecretBox } from "@/lib/server/platform/secret-box";
import { getDb, type Db } from "@/lib/server/platform/db/db";
import { env } from "@/lib/server/platform/env";
import { getClusterClient, getClusterContextOrThrow } from "@/lib/server/fleet/clients";
import { resolveNodeOrThrow } from "@/lib/server/fleet/nodes";
import { currentFleetPoller } from "@/lib/server/fleet/service";
import { getKubeAccess, getNodeDrainer } from "@/lib/server/kubernetes/deps";
import type { TalosClient } from "@/lib/server/talos";
import { processState } from "@/lib/server/platform/process-state";
import { TALOS_ROLES } from "@/lib/talos/constants";

/**
 * What config push needs from the outside world. Routes use {@link defaultConfigDeps}; tests
 * pass a simulator fleet's client, an in-memory database and a fixed key.
 */
export interface ConfigDeps {
  db: Db;
  box: SecretBox;
  revisions: RevisionRepository;
  /** @throws AppError not_found for an unknown node ID. */
  resolveNode(id: string): Promise<{ cluster: string; address: string }>;
  /** Every node address of a cluster (talosconfig `nodes`). */
  clusterNodes(cluster: string): Promise<string[]>;
  /** Whether the cluster's credentials may read machine configs (os:admin). */
  canReadConfigs(cluster: string): Promise<boolean>;
  /** The Talos roles of Minos's credentials for a cluster (client certificate O= values). */
  talosRoles(cluster: string): Promise<string[]>;
  /** The admin-capable client of a cluster. */
  client(cluster: string): Promise<TalosClient>;
  now(): Date;
  /**
   * Kubernetes, to drain a node before a single-node apply that reboots it. Absent (tests,
   * benchmarks that do not start Kubernetes): no drain.
   */
  kubernetes?: ApplyKubernetes;
}

/** Builds deps around a database and key; the rest defaults to the running server's fleet. */
export function makeConfigDeps(parts: Pick<ConfigDeps, "db" | "box"> & Partial<Omit<ConfigDeps, "db" | "box" | "revisions">>): ConfigDeps {
  return {
    resolveNode: resolveNodeOrThrow,
    client: getClusterClient,
    clusterNodes: async (cluster) => (await getClusterContextOrThrow(cluster)).nodes,
    canReadConfigs: async (cluster) => (await getClusterContextOrThrow(cluster)).roles.includes(TALOS_ROLES.admin),
    talosRoles: async (cluster) => (await getClusterContextOrThrow(cluster)).roles,
    now: () => new Date(),
    ...parts,
    revisions: new RevisionRepository(parts.db, parts.box),
  };
}

const g = processState<{ __minosConfigDeps?: ConfigDeps }>();

/** The server process's deps: its database, its key, its talosconfig, its Kubernetes access. */
export function defaultConfigDeps(): ConfigDeps {
  g.__minosConfigDeps ??= makeConfigDeps({
    db: getDb(),
    box: getSecretBox(env()),
    kubernetes: {
      access: getKubeAccess(),
      drainer: getNodeDrainer(),
      hostname: (cluster, address) => currentFleetPoller()?.talosNodes(cluster).find((n) => n.address === address)?.hostname ?? null,
    },
  });
  return g.__minosConfigDeps;
}
