/**
 * A Minos replica's rollout runner in its own process, for the restart and takeover tests: it
 * resumes what needs a driver, keeps scanning for rollouts whose driver is gone, and exits once
 * no rollout needs driving any more. The tests SIGKILL one mid-rollout while another runs (or
 * starts) on the same store. Run with `node --conditions=react-server --import tsx`.
 *
 * Env: MINOS_DATABASE_URL (PostgreSQL, the postgres project) else MINOS_TEST_DB (SQLite file),
 * MINOS_TEST_KEY (hex key), TALOSCONFIG (admin), MINOS_REPLICA_ID (the owner's prefix),
 * MINOS_TEST_LEASE_TTL_MS / MINOS_TEST_LEASE_RENEW_MS / MINOS_TEST_SCAN_MS (short leases, so a
 * takeover does not take the production 9 s).
 */
import { parseNodeId } from "@/lib/fleet/node-id";
import { makeConfigDeps } from "@/lib/server/configs/deps";
import { RolloutRepository } from "@/lib/server/configs/rollouts/repo";
import { RolloutRunner } from "@/lib/server/configs/rollouts/runner";
import { SecretBox } from "@/lib/server/platform/secret-box";
import { openDb } from "@/lib/server/platform/db/db";
import { createTalosClient } from "@/lib/server/talos";
import { getTalosContextOrThrow, loadTalosconfig } from "@/lib/server/talos/talosconfig";

const num = (name: string) => (process.env[name] ? Number(process.env[name]) : undefined);

async function main() {
  const context = getTalosContextOrThrow(await loadTalosconfig(process.env.TALOSCONFIG!));
  const client = createTalosClient(context);
  const db = openDb(process.env.MINOS_DATABASE_URL ?? process.env.MINOS_TEST_DB!);
  const deps = makeConfigDeps({
    db,
    box: new SecretBox(Buffer.from(process.env.MINOS_TEST_KEY!, "hex")),
    resolveNode: async (id) => parseNodeId(id)!,
    client: async () => client,
    clusterNodes: async () => context.nodes,
    canReadConfigs: async () => true,
  });
  const scanMs = num("MINOS_TEST_SCAN_MS");
  const runner = new RolloutRunner({ deps, pollMs: 50, healthTimeoutMs: 30_000, leaseTtlMs: num("MINOS_TEST_LEASE_TTL_MS"), leaseRenewMs: num("MINOS_TEST_LEASE_RENEW_MS"), scanMs });
  runner.start();
  console.log(`runner ${runner.owner}: started`);
  const repo = new RolloutRepository(db, deps.box);
  // Done when nothing needs a driver: not when this replica drives nothing (another may, and die).
  while ((await repo.idsToDrive()).length > 0 || (await repo.idsInState("preflight")).length > 0) {
    await new Promise((r) => setTimeout(r, scanMs ?? 200));
  }
  await runner.stop();
  console.log(`runner ${runner.owner}: idle`);
  await db.destroy();
  process.exit(0);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
