/**
 * A rollout runner in its own process, for the restart test: it resumes every running rollout
 * in the database file, drives them to the end and exits. The test SIGKILLs one mid-rollout
 * and starts another on the same file. Run with `node --conditions=react-server --import tsx`.
 *
 * Env: MINOS_TEST_DB (database file), MINOS_TEST_KEY (hex key), TALOSCONFIG (admin).
 */
import { parseNodeId } from "@/lib/fleet/node-id";
import { makeConfigDeps } from "@/lib/server/configs/deps";
import { RolloutRunner } from "@/lib/server/configs/rollouts/runner";
import { SecretBox } from "@/lib/server/platform/secret-box";
import { openLegacyDb as openDb } from "@/lib/server/platform/db/db";
import { createTalosClient } from "@/lib/server/talos";
import { getTalosContextOrThrow, loadTalosconfig } from "@/lib/server/talos/talosconfig";

async function main() {
  const context = getTalosContextOrThrow(await loadTalosconfig(process.env.TALOSCONFIG!));
  const client = createTalosClient(context);
  const deps = makeConfigDeps({
    db: openDb(process.env.MINOS_TEST_DB!),
    box: new SecretBox(Buffer.from(process.env.MINOS_TEST_KEY!, "hex")),
    resolveNode: async (id) => parseNodeId(id)!,
    client: async () => client,
    clusterNodes: async () => context.nodes,
    canReadConfigs: async () => true,
  });
  const runner = new RolloutRunner({ deps, pollMs: 50, healthTimeoutMs: 30_000 });
  runner.resumeAll();
  console.log("runner: resumed");
  await runner.drain();
  console.log("runner: idle");
  process.exit(0);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
