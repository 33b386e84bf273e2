import "server-only";

import type { OwnablePoller, PollerOwnership } from "@/lib/server/fleet/poller";
import type { ClusterImage } from "@/lib/server/fleet/poller";
import type { Db } from "@/lib/server/platform/db/db";
import { LeaseSet } from "@/lib/server/platform/lease-set";
import { LeaseLostError } from "@/lib/server/platform/leases";
import { realClock, type Clock } from "@/lib/utils/clock";

export interface FleetReplicationOptions {
  db: Db;
  /** This replica (lease owner). */
  owner: string;
  clock?: Clock;
  /** How often an owner writes changed clusters out, and a mirror looks for newer ones. Default 1 s. */
  syncMs?: number;
  /** An owner writes a cluster at least this often even without changes (readings, last seen). Default 10 s. */
  refreshMs?: number;
  scanMs?: number;
}

/** The lease of a cluster's poller (and, with it, of writing the cluster's snapshot). */
export const POLLER_LEASE_PREFIX = "poller:";

/**
 * Several replicas, one poller per cluster: each cluster is polled by the replica holding its
 * `poller:<cluster>` lease (shared out by a LeaseSet). The owner writes the cluster's image to
 * `fleet_snapshots` when it changes (fenced by the lease, so a replica that lost the cluster can
 * never overwrite the new owner's), and every other replica reads newer images back into its
 * poller, which shows and publishes them exactly like its own polls. With one replica it simply
 * owns every cluster.
 */
export function fleetReplication(o: FleetReplicationOptions): PollerOwnership & { leases: () => string[] } {
  const clock = o.clock ?? realClock;
  const syncMs = o.syncMs ?? 1_000;
  const refreshMs = o.refreshMs ?? 10_000;
  let poller: OwnablePoller | null = null;
  let set: LeaseSet | null = null;
  let timer: unknown = null;
  let stopped = false;
  let syncing: Promise<void> = Promise.resolve();
  /** Per owned cluster: the change count and time of the last image written. */
  const written = new Map<string, { changes: number; at: number }>();
  /** Per mirrored cluster: the `updated_at` of the last image read. */
  const read = new Map<string, string>();

  async function writeOwned(): Promise<void> {
    const p = poller!;
    const now = clock.now();
    for (const name of p.ownedClusters()) {
      const held = set?.lease(name);
      if (!held) continue;
      const changes = p.clusterChanges(name) ?? 0;
      const last = written.get(name);
      if (last && last.changes === changes && now - last.at < refreshMs) continue;
      const image = p.exportCluster(name);
      if (!image) continue;
      const row = { cluster: name, snapshot: JSON.stringify(image), updated_at: new Date(now).toISOString(), owner: o.owner };
      try {
        await held.fenced((trx) =>
          trx
            .insertInto("fleet_snapshots")
            .values(row)
            .onConflict((oc) => oc.column("cluster").doUpdateSet({ snapshot: row.snapshot, updated_at: row.updated_at, owner: row.owner }))
            .execute(),
        );
        written.set(name, { changes, at: now });
        read.set(name, row.updated_at);
      } catch (e) {
        if (!(e instanceof LeaseLostError)) throw e;
      }
    }
  }

  async function readMirrored(): Promise<void> {
    const p = poller!;
    const owned = new Set(p.ownedClusters());
    const known = new Set(p.clusterNames());
    const stamps = await o.db.selectFrom("fleet_snapshots").select(["cluster", "updated_at"]).execute();
    for (const s of stamps) {
      if (owned.has(s.cluster) || !known.has(s.cluster) || read.get(s.cluster) === s.updated_at) continue;
      // Owned meanwhile (a lease taken during the read): importCluster refuses, its own polls win.
      await importLatest(p, s.cluster);
    }
  }

  async function importLatest(p: OwnablePoller, name: string): Promise<void> {
    const row = await o.db.selectFrom("fleet_snapshots").select(["snapshot", "updated_at"]).where("cluster", "=", name).executeTakeFirst();
    if (row && read.get(name) !== row.updated_at && p.importCluster(JSON.parse(row.snapshot) as ClusterImage)) read.set(name, row.updated_at);
  }

  function sync(): Promise<void> {
    const run = syncing.then(async () => {
      if (stopped || !poller) return;
      await writeOwned();
      await readMirrored();
    });
    syncing = run.catch((e: unknown) => console.error("[minos] fleet replication:", (e as Error).message));
    return syncing;
  }

  function schedule(): void {
    if (stopped) return;
    timer = clock.setTimeout(() => void sync().then(schedule), syncMs);
  }

  return {
    async start(p) {
      poller = p;
      set = new LeaseSet(o.db, {
        prefix: POLLER_LEASE_PREFIX,
        owner: o.owner,
        clock,
        scanMs: o.scanMs,
        items: () => p.clusterNames(),
        // The previous owner's last image first (it may be newer than this replica's mirror), so
        // the first image this replica writes does not set the cluster back.
        onAcquired: async (name) => {
          await importLatest(p, name).catch((e: unknown) => console.error(`[minos] reading cluster "${name}"'s last snapshot failed:`, (e as Error).message));
          p.setOwned(name, true);
        },
        onReleased: (name) => {
          p.setOwned(name, false);
          written.delete(name);
          read.delete(name);
        },
      });
      // Before the first answer: what this replica polls, and what the others last wrote.
      await set.scanNow();
      await sync();
      set.start();
      schedule();
    },
    async clustersChanged() {
      await set?.scanNow();
      // A cluster replaced under the same name (new credentials) is a new, unpolled entry under a lease already held.
      for (const name of set?.owned() ?? []) poller?.setOwned(name, true);
    },
    async stop() {
      stopped = true;
      clock.clearTimeout(timer);
      await syncing;
      // A last image, so the next owner starts from what this replica saw last.
      if (poller && set) {
        stopped = false;
        await writeOwned().catch(() => undefined);
        stopped = true;
      }
      await set?.stop();
    },
    leases: () => set?.owned() ?? [],
  };
}
