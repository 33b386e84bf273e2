/**
 * Test harness for config push: a simulated fleet, a fresh store of the project under test
 * (in-memory SQLite or a new PostgreSQL database, or one shared with child processes) and a
 * fixed key, wired into ConfigDeps the way the server wires its own.
 */
import { randomBytes } from "node:crypto";

import { parseNodeId } from "@/lib/fleet/node-id";
import { makeConfigDeps, type ConfigDeps } from "@/lib/server/configs/deps";
import { SecretBox } from "@/lib/server/platform/secret-box";
import { openDb, type Db } from "@/lib/server/platform/db/db";
import { AppError } from "@/lib/server/platform/errors";
import { startTestFleet, type TestFleet } from "@/test/talos/fleet";
import type { FleetOptions } from "@/lib/simulator/fleet";

export interface ConfigTestFleet extends TestFleet {
  deps: ConfigDeps;
  /** Node IDs (`address@cluster`) in fleet order: control planes first. */
  ids: string[];
  idOf(address: string): string;
  address(id: string): string;
  runningConfig(id: string): Promise<string>;
  /** The key the fleet's deps seal configs with (another replica needs the same). */
  key: Buffer;
}

/**
 * The store child processes can share: PostgreSQL's MINOS_DATABASE_URL in the postgres project
 * (children inherit it), else the SQLite file.
 */
export function sharedStore(dbFile: string): string {
  return process.env.MINOS_DATABASE_URL ?? dbFile;
}

/** Deps over a fleet's admin client and a store (another replica's deps: another handle on the same one). */
export function depsForFleet(t: TestFleet, parts: { db: Db; key: Buffer; now?: () => Date }): ConfigDeps {
  const cluster = t.fleet.clusters[0]!;
  return makeConfigDeps({
    db: parts.db,
    box: new SecretBox(parts.key),
    resolveNode: async (id) => {
      const p = parseNodeId(id);
      if (!p || p.cluster !== cluster || !t.fleet.nodes.some((n) => n.address === p.address)) throw new AppError("not_found", `No node ${id}`);
      return p;
    },
    client: async () => t.clients.admin,
    clusterNodes: async () => t.fleet.nodes.map((n) => n.address),
    canReadConfigs: async () => true,
    talosRoles: async () => t.contexts.admin.roles,
    ...(parts.now ? { now: parts.now } : {}),
  });
}

/**
 * `dbFile`: a SQLite file child processes share (PostgreSQL's per-file database in the postgres
 * project); `db`: a store of the caller's (a benchmark outside Vitest); default a fresh test store.
 */
export async function startConfigTestFleet(options: Partial<FleetOptions> & { firstAddress: string }, parts: { dbFile?: string; db?: Db; key?: Buffer } = {}): Promise<ConfigTestFleet> {
  const t = await startTestFleet(options);
  const cluster = t.fleet.clusters[0]!;
  const own = parts.dbFile !== undefined;
  // test/db imports Vitest, which cannot load outside it (benchmarks pass their own store).
  const db = own ? openDb(sharedStore(parts.dbFile!)) : (parts.db ?? (await (await import("@/test/db")).testDb()));
  const key = parts.key ?? randomBytes(32);
  const deps = depsForFleet(t, { db, key });
  return {
    ...t,
    deps,
    key,
    ids: t.fleet.nodes.map((n) => `${n.address}@${cluster}`),
    idOf: (address) => `${address}@${cluster}`,
    address: (id) => parseNodeId(id)!.address,
    runningConfig: async (id) => (await t.clients.admin.machineConfig(parseNodeId(id)!.address)).yaml,
    async stop() {
      if (own) await db.destroy();
      await t.stop();
    },
  };
}
