/**
 * A stand-alone upgrade runner over a database file, for the restart test (and by hand):
 *
 *   node --conditions=react-server --import tsx test/upgrades/runner-child.ts \
 *     --db /tmp/minos.db --talosconfig /tmp/sim/talosconfig [--create '{"cluster":"sim-1",…}']
 *
 * It resumes every live plan, optionally creates one (printing `PLAN <id>`), and exits once no
 * plan is live. The test SIGKILLs it mid-plan and starts another over the same file.
 */
import { parseArgs } from "node:util";

import { upgradeRequestSchema } from "@/lib/schemas/upgrades";
import { openLegacyDb as openDb } from "@/lib/server/platform/db/db";
import { createTalosClient } from "@/lib/server/talos";
import { getTalosContextOrThrow, loadTalosconfig } from "@/lib/server/talos/talosconfig";

import { UpgradeRunner } from "@/lib/server/upgrades/runner";

async function main() {
  const { values } = parseArgs({ options: { db: { type: "string" }, talosconfig: { type: "string" }, create: { type: "string" }, poll: { type: "string" } } });
  if (!values.db || !values.talosconfig) throw new Error("--db and --talosconfig are required");
  const context = getTalosContextOrThrow(await loadTalosconfig(values.talosconfig));
  const client = createTalosClient(context);
  const db = openDb(values.db);
  const runner = new UpgradeRunner({
    db,
    client: async () => client,
    clusterNodes: async () => context.nodes,
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
    if (Object.keys(runner.progressByCluster()).length === 0) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  await runner.stop();
  console.log("IDLE");
  process.exit(0);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
