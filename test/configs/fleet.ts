/**
 * Test harness for config push: a simulated fleet, an in-memory (or file) database and a fixed
 * key, wired into ConfigDeps the way the server wires its own.
 */
import { randomBytes } from "node:crypto";

import { parseNodeId } from "@/lib/fleet/node-id";
import { makeConfigDeps, type ConfigDeps } from "@/lib/server/configs/deps";
import { SecretBox } from "@/lib/server/platform/secret-box";
import { openLegacyDb as openDb } from "@/lib/server/platform/db/db";
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
}

/** Deps over a fleet's admin client; `db` defaults to a fresh in-memory database. */
export function depsForFleet(t: TestFleet, parts: { dbFile?: string; key?: Buffer; now?: () => Date } = {}): ConfigDeps {
  const cluster = t.fleet.clusters[0]!;
  return makeConfigDeps({
    db: openDb(parts.dbFile ?? ":memory:"),
    box: new SecretBox(parts.key ?? randomBytes(32)),
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

export async function startConfigTestFleet(options: Partial<FleetOptions> & { firstAddress: string }, parts: { dbFile?: string; key?: Buffer } = {}): Promise<ConfigTestFleet> {
  const t = await startTestFleet(options);
  const cluster = t.fleet.clusters[0]!;
  const deps = depsForFleet(t, parts);
  return {
    ...t,
    deps,
    ids: t.fleet.nodes.map((n) => `${n.address}@${cluster}`),
    idOf: (address) => `${address}@${cluster}`,
    address: (id) => parseNodeId(id)!.address,
    runningConfig: async (id) => (await t.clients.admin.machineConfig(parseNodeId(id)!.address)).yaml,
    async stop() {
      deps.db.close();
      await t.stop();
    },
  };
}
