import "server-only";

import { getClusterClient, getClusterContextOrThrow } from "@/lib/server/fleet/clients";
import { currentFleetPoller } from "@/lib/server/fleet/service";
import { ManifestRepository } from "@/lib/server/manifests/repo";
import { getDb, type Db } from "@/lib/server/platform/db/db";
import { env } from "@/lib/server/platform/env";
import { processState } from "@/lib/server/platform/process-state";
import { getSecretBox, type SecretBox } from "@/lib/server/platform/secret-box";
import type { TalosClient } from "@/lib/server/talos";

/**
 * What cluster manifests need from the outside world. Routes use {@link defaultManifestDeps};
 * tests pass a simulated fleet's client, a fresh store and a fixed key.
 */
export interface ManifestDeps {
  db: Db;
  box: SecretBox;
  repo: ManifestRepository;
  /**
   * Every node address of the cluster: the talosconfig context's nodes and those the fleet
   * poller discovered. @throws AppError not_found for an unknown cluster.
   */
  clusterNodes(cluster: string): Promise<string[]>;
  /** The cluster's client (admin credentials are needed to read machine configs). */
  client(cluster: string): Promise<TalosClient>;
  now(): Date;
  /** How long one node may take to answer a read (its config, hostname, role, version). */
  nodeTimeoutMs: number;
  /** Nodes read at a time. */
  concurrency: number;
}

export const NODE_TIMEOUT_MS = 10_000;
export const NODE_CONCURRENCY = 8;

/** The talosconfig's nodes, then those the running poller found (COSI Members, etcd), once each. */
async function fleetClusterNodes(cluster: string): Promise<string[]> {
  const context = await getClusterContextOrThrow(cluster);
  const out = new Set(context.nodes);
  const poller = currentFleetPoller();
  if (poller?.clusterNames().includes(cluster)) {
    for (const n of poller.snapshot(cluster).nodes) out.add(n.address);
  }
  return [...out];
}

/** Builds deps around a database and key; the rest defaults to the running server's fleet. */
export function makeManifestDeps(parts: Pick<ManifestDeps, "db" | "box"> & Partial<Omit<ManifestDeps, "db" | "box" | "repo">>): ManifestDeps {
  return {
    clusterNodes: fleetClusterNodes,
    client: getClusterClient,
    now: () => new Date(),
    nodeTimeoutMs: NODE_TIMEOUT_MS,
    concurrency: NODE_CONCURRENCY,
    ...parts,
    repo: new ManifestRepository(parts.db, parts.box),
  };
}

const g = processState<{ __minosManifestDeps?: ManifestDeps }>();

/** The server process's deps: its database, its key, its talosconfig. */
export function defaultManifestDeps(): ManifestDeps {
  g.__minosManifestDeps ??= makeManifestDeps({ db: getDb(), box: getSecretBox(env()) });
  return g.__minosManifestDeps;
}
