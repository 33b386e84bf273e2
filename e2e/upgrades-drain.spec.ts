import { type APIRequestContext, expect, test } from "@playwright/test";

import { csrfHeader } from "./auth-state";
import { UpgradesPage } from "./pages/upgrades";

// One worker whose pod a PodDisruptionBudget never lets go (the simulator's `pdb-blocks`): the
// upgrade halts at its drain, shows the pod and the PDB, and goes on when a person forces it.
test.setTimeout(180_000);

const LIVE = ["pending", "running", "paused", "cancelling"];

/**
 * Whatever happened above, no plan of sim-1 stays live: a live plan (and a worker it left
 * cordoned) would refuse or slow upgrades.spec.ts. A plan still live is cancelled (the cancel
 * uncordons a node whose drain waits) and awaited until it ends.
 */
async function cancelLivePlans(request: APIRequestContext): Promise<void> {
  const live = async () => ((await (await request.get("/api/upgrades?cluster=sim-1")).json()) as { plans: { id: string; state: string }[] }).plans.filter((p) => LIVE.includes(p.state));
  for (const p of await live()) {
    if (p.state !== "cancelling") await request.post(`/api/upgrades/${encodeURIComponent(p.id)}/cancel`, { headers: await csrfHeader(request) });
  }
  await expect.poll(async () => (await live()).length, { timeout: 60_000 }).toBe(0);
}

interface SimNode {
  address: string;
  hostname: string;
  role: string;
  version: string;
}

test("a blocked drain waits for a person, names the pod and its PDB, and Force goes on", async ({ page, request }) => {
  const sim = (await (await request.get("/api/sim")).json()) as { controlUrl: string | null };
  expect(sim.controlUrl).toBeTruthy();
  const nodes = (await (await request.get(`${sim.controlUrl}/nodes`)).json()) as SimNode[];
  const worker = nodes.filter((n) => n.role === "worker").sort((a, b) => a.hostname.localeCompare(b.hostname, "en", { numeric: true }))[0]!;
  // A patch release above what it runs now: an upgrade of this node alone, whatever ran before.
  const [, major, minor, patch] = /^v(\d+)\.(\d+)\.(\d+)/.exec(worker.version)!;
  const target = `v${major}.${minor}.${Number(patch) + 1}`;

  const fault = await request.post(`${sim.controlUrl}/faults`, { data: { node: worker.address, fault: "pdb-blocks" } });
  expect(fault.ok()).toBe(true);
  try {
    const upgrades = new UpgradesPage(page);
    await upgrades.goto();
    await upgrades.cluster().selectOption("sim-1");
    await upgrades.version().fill(target);
    await upgrades.everyNode().uncheck();
    await upgrades.nodeChoice(worker.address).check();
    await upgrades.drainTimeout().fill("10");
    await upgrades.previewPlan();
    await expect(upgrades.preview().getByRole("region", { name: "Steps" })).toContainText("cordon + drain (10 s, halt)");
    await upgrades.start();

    const blocked = upgrades.blockedDrain(worker.hostname);
    await expect(blocked).toBeVisible({ timeout: 90_000 });
    await expect(blocked.getByRole("list", { name: "Pods in the way" })).toContainText(`PDB default/pinned-${worker.hostname}`);
    await expect(page.getByText("Waiting for a person: retry, force or skip the drain below.")).toBeVisible();
    await expect(upgrades.nodeRows().first().getByText("Drain blocked", { exact: true })).toBeVisible();

    await blocked.getByRole("button", { name: `Force the drain of ${worker.hostname}` }).click();
    await blocked.getByRole("button", { name: "Yes, force" }).click();
    await expect(upgrades.progress()).toHaveAttribute("aria-valuenow", "100", { timeout: 90_000 });
    await expect(upgrades.nodeRows().first()).toContainText("forced by a person");
  } finally {
    await request.delete(`${sim.controlUrl}/faults?node=${encodeURIComponent(worker.address)}`);
    await cancelLivePlans(request);
  }
});
