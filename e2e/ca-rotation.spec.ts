import { expect, test } from "@playwright/test";

import { csrfHeader, storageStateFile } from "./auth-state";
import { CaRotationsPage } from "./pages/ca-rotations";

// A real rotation changes the shared e2e fleet's CAs for good (every later spec's talosconfig would
// be the old one): this spec stops at the dry run and the typed confirmation. The rotation itself
// is proved against the simulator in lib/server/ca-rotation/sim.test.ts.
const CLUSTER = "sim-1";

test("the wizard: choose the CAs, dry run (nothing changes), start only after typing the cluster's name", async ({ page }) => {
  const { controlUrl } = (await (await page.request.get("/api/sim")).json()) as { controlUrl: string };
  const applies = async () => ((await (await page.request.get(`${controlUrl}/timeline`)).json()) as { event: string }[]).filter((e) => e.event === "apply").length;
  const before = await applies();

  const ca = new CaRotationsPage(page);
  await ca.goto();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("CA rotations");
  await ca.cluster().selectOption(CLUSTER);
  await ca.kubernetes().uncheck();
  await ca.dryRun();
  await expect(ca.result().getByRole("heading", { level: 3 })).toHaveText(`Dry run of ${CLUSTER}: nothing was changed`);
  await expect(ca.result().getByText("Current Talos API CA:", { exact: true })).toBeVisible();
  await expect(ca.result().getByRole("alert")).toHaveCount(0);
  const nodes = ((await (await page.request.get(`/api/nodes?cluster=${CLUSTER}`)).json()) as { nodes: unknown[] }).nodes.length;
  // verify, accept × nodes, verify, swap × nodes, verify, drop × nodes, verify, the talosconfig; plus the header row.
  await expect(ca.steps()).toHaveCount(3 * nodes + 5 + 1);
  await expect(ca.steps().nth(1)).toContainText("Verify every node answers with the existing PKI");
  await expect(ca.steps().last()).toContainText("Replace Minos's talosconfig");

  await expect(ca.startButton()).toBeDisabled();
  await ca.confirm().fill(`${CLUSTER}-typo`);
  await expect(ca.startButton()).toBeDisabled();
  await ca.confirm().fill(CLUSTER);
  await expect(ca.startButton()).toBeEnabled();
  // Not clicked: see above. The dry run applied nothing.
  expect(await applies()).toBe(before);
});

test("the API refuses an empty choice with the error envelope", async ({ request }) => {
  const res = await request.post("/api/ca-rotations/dry-run", { data: { cluster: CLUSTER, talos: false, kubernetes: false }, headers: await csrfHeader(request) });
  expect(res.status()).toBe(400);
  const body = (await res.json()) as { error: { code: string; message: string } };
  expect(body.error.code).toBe("validation_failed");
  expect(body.error.message).toContain("choose the Talos API CA, the Kubernetes API CA, or both");
});

test.describe("as a viewer", () => {
  test.use({ storageState: storageStateFile("viewer") });

  test("sees the history but no wizard, and the API refuses a rotation", async ({ page }) => {
    const ca = new CaRotationsPage(page);
    await ca.goto();
    await expect(page.getByRole("heading", { level: 2, name: "History" })).toBeVisible();
    await expect(ca.form()).toHaveCount(0);
    await expect(page.getByRole("button", { name: "Dry run" })).toHaveCount(0);
    const res = await page.request.post("/api/ca-rotations", { data: { cluster: CLUSTER }, headers: await csrfHeader(page.request) });
    expect(res.status()).toBe(403);
  });
});

test.describe("as an operator", () => {
  test.use({ storageState: storageStateFile("operator") });

  test("sees the history but no wizard, and the API refuses a dry run and a rotation", async ({ page }) => {
    const ca = new CaRotationsPage(page);
    await ca.goto();
    await expect(page.getByRole("heading", { level: 2, name: "History" })).toBeVisible();
    await expect(ca.form()).toHaveCount(0);
    await expect(page.getByRole("button", { name: "Dry run" })).toHaveCount(0);
    const headers = await csrfHeader(page.request);
    expect((await page.request.post("/api/ca-rotations/dry-run", { data: { cluster: CLUSTER }, headers })).status()).toBe(403);
    expect((await page.request.post("/api/ca-rotations", { data: { cluster: CLUSTER }, headers })).status()).toBe(403);
    expect((await page.request.get("/api/ca-rotations")).status()).toBe(200);
  });
});
