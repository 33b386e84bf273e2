/**
 * A stand-alone upgrade runner (one Minos replica's) over a store, for the takeover test (and by hand):
 *
 *   node --conditions=react-server --import tsx test/upgrades/runner-child.ts \
 *     --db /tmp/minos.db|postgres://… --talosconfig /tmp/sim/talosconfig [--owner replica-a] [--create '{"cluster":"sim-1",…}'] [--lease-ttl ms]
 *
 * It drives every live plan whose lease it can take, optionally creates one (printing `PLAN <id>`),
 * and exits once no plan is live. The test SIGKILLs the driver mid-plan; another child over the
 * same store takes the plan over when the dead one's lease expires.
 */
import { parseArgs } from "node:util";

import { upgradeRequestSchema } from "@/lib/schemas/upgrades";
import { openDb } from "@/lib/server/platform/db/db";
import { createTalosClient } from "@/lib/server/talos";
import { getTalosContextOrThrow, loadTalosconfig } from "@/lib/server/talos/talosconfig";

import { UpgradeRunner } from "@/lib/server/upgrades/runner";

async function main() {
  const { values } = parseArgs({
    options: { db: { type: "string" }, talosconfig: { type: "string" }, create: { type: "string" }, poll: { type: "string" }, owner: { type: "string" }, "lease-ttl": { type: "string" } },
  });
  if (!values.db || !values.talosconfig) throw new Error("--db and --talosconfig are required");
  const context = getTalosContextOrThrow(await loadTalosconfig(values.talosconfig));
  const client = createTalosClient(context);
  const db = openDb(values.db);
  const runner = new UpgradeRunner({
    db,
    client: async () => client,
    clusterNodes: async () => context.nodes,
    owner: values.owner,
    ...(values["lease-ttl"] ? { lease: { ttlMs: Number(values["lease-ttl"]), renewMs: 2_000 } } : {}),
    pollIntervalMs: Number(values.poll ?? 100),
    readTimeoutMs: 2000,
    log: (m) => console.log(`LOG ${m}`),
  });
  runner.start();
  if (values.create) {
    const plan = await runner.create(upgradeRequestSchema.parse(JSON.parse(values.create)));
    console.log(`PLAN ${plan.id}`);
  }
  for (;;) {
    if (Object.keys(await runner.progressByCluster()).length === 0) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  await runner.stop();
  await db.destroy();
  console.log("IDLE");
  process.exit(0);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
