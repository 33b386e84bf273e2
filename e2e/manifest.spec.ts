import { expect, test, type APIRequestContext } from "@playwright/test";
import { parse } from "yaml";

import { configDifferences } from "../lib/manifest/compare";

import { csrfHeader, storageStateFile } from "./auth-state";
import { ManifestPage } from "./pages/manifest";
import { ShellPage } from "./pages/shell";

/**
 * Cluster manifests against the simulated fleet (issue 16's "done when"): adopt → edit → plan →
 * apply → history → drift after a change made outside Minos; and a patch that breaks one node.
 */
type ManifestNode = { address: string; hostname: string; role: "controlplane" | "worker" };

async function firstCluster(request: APIRequestContext): Promise<string> {
  const response = await request.get("/api/clusters");
  expect(response.ok()).toBe(true);
  return ((await response.json()) as { clusters: { name: string }[] }).clusters[0]!.name;
}

async function manifestNodes(request: APIRequestContext, cluster: string): Promise<ManifestNode[]> {
  const response = await request.get(`/api/clusters/${encodeURIComponent(cluster)}/manifest`);
  expect(response.ok()).toBe(true);
  return (parse(((await response.json()) as { yaml: string }).yaml) as { nodes: ManifestNode[] }).nodes;
}

async function runningConfig(request: APIRequestContext, id: string): Promise<string> {
  const response = await request.get(`/api/nodes/${encodeURIComponent(id)}/config`);
  expect(response.ok()).toBe(true);
  return ((await response.json()) as { yaml: string }).yaml;
}

/** Adopts the cluster through the API unless it has a manifest already (a test run on its own). */
async function ensureAdopted(request: APIRequestContext, cluster: string) {
  const existing = await request.get(`/api/clusters/${encodeURIComponent(cluster)}/manifest`);
  if (existing.ok()) return;
  const adopted = await request.post(`/api/clusters/${encodeURIComponent(cluster)}/manifest/adopt`, { data: {}, headers: await csrfHeader(request) });
  expect(adopted.ok(), await adopted.text()).toBe(true);
}

const SYSCTL = "net.ipv4.tcp_keepalive_time";

test.describe.serial("cluster manifest", () => {
  test("adopt → edit → plan → apply → history → drift after a change outside Minos", async ({ page, request }) => {
    test.setTimeout(240_000);
    const shell = new ShellPage(page);
    const cluster = await firstCluster(request);
    const m = new ManifestPage(page, cluster);
    shell.expectNotFound(`/api/clusters/${encodeURIComponent(cluster)}/manifest`);

    // Before adoption: the explanation and the button.
    await m.goto();
    await expect(page.getByText("This cluster has no manifest yet")).toBeVisible();
    await m.adoptButton().click();
    await expect(m.adoptionReport()).toContainText(/Adopted: the manifest reproduces all \d+ nodes exactly/, { timeout: 90_000 });
    await m.waitForEditor();
    await expect(m.check()).toContainText("Valid");
    const nodes = await manifestNodes(request, cluster);
    const workers = nodes.filter((n) => n.role === "worker");
    const controlPlanes = nodes.filter((n) => n.role === "controlplane");
    expect(workers.length).toBeGreaterThan(0);

    // Edit: a sysctl for every worker.
    await m.addPatch("e2e worker keepalive", "{role: worker}", ["machine:", "  sysctls:", `    ${SYSCTL}: "600"`]);
    await expect(page.getByText("Edited, not saved")).toBeVisible();
    await expect(m.check()).toContainText("Valid", { timeout: 30_000 });

    // The side panel: a worker's diff against what it runs has the new sysctl.
    await page.getByRole("combobox", { name: "Preview node" }).selectOption(workers[0]!.address);
    await expect(page.getByRole("tabpanel", { name: `Diff of ${workers[0]!.hostname} against its running config` })).toContainText(new RegExp(`\\+\\s+${SYSCTL.replace(/\./g, "\\.")}: "600"`), { timeout: 30_000 });

    // Plan: exactly the workers change, without a reboot; control planes stay as they are.
    await m.plan();
    await expect(m.planCount("update")).toHaveText(String(workers.length));
    await expect(m.planCount("reboot")).toHaveText("0");
    await expect(m.planCount("none")).toHaveText(String(controlPlanes.length));
    await expect(m.planCount("refused")).toHaveText("0");
    for (const w of workers) await expect(m.planRow(w.hostname)).toContainText("Update");
    for (const c of controlPlanes) await expect(m.planRow(c.hostname)).toContainText("No change");

    // Apply: a rollout, followed to its end.
    const before = new Map<string, string>();
    for (const w of workers) before.set(w.address, await runningConfig(request, `${w.address}@${cluster}`));
    await m.button("Apply plan…").click();
    await m.dialog().getByRole("button", { name: `Apply to ${workers.length} nodes` }).click();
    const follow = page.getByRole("link", { name: "Follow the rollout" });
    await expect(follow).toBeVisible({ timeout: 30_000 });
    await expect(page.getByText("Edited, not saved")).toBeHidden();
    await follow.click();
    await expect(page).toHaveURL(/\/config\/rollouts\/[^/?]+$/);
    const rolloutId = decodeURIComponent(new URL(page.url()).pathname.split("/").at(-1)!);
    await expect
      .poll(async () => ((await (await request.get(`/api/rollouts/${encodeURIComponent(rolloutId)}`)).json()) as { state: string }).state, { timeout: 120_000 })
      .toBe("done");
    // Every worker runs the sysctl, and nothing else of its config changed (hostname, addresses,
    // its own patch: earlier specs may have left any of them non-default).
    for (const w of workers) {
      const running = await runningConfig(request, `${w.address}@${cluster}`);
      expect(running).toContain(`${SYSCTL}: "600"`);
      expect(configDifferences(before.get(w.address)!, running), w.hostname).toEqual([`machine.sysctls.${SYSCTL}`]);
    }

    // History: the adoption and the apply, and the diff between them is the patch.
    await m.goto();
    await m.waitForEditor();
    await m.tab("History").click();
    await expect(m.revisionsTable().getByRole("row")).toHaveCount(3);
    await expect(m.revisionsTable()).toContainText("Adopted from the running nodes");
    await expect(m.revisionsTable()).toContainText("Applied (plan → rollout)");
    await expect(page.getByRole("heading", { name: "Compare revision #1 with revision #2" })).toBeVisible();
    await expect(page.getByLabel("Manifest diff #1 → #2 (unified text)")).toContainText("e2e worker keepalive");
    await expect(page.getByLabel("Manifest diff #1 → #2 (unified text)")).toContainText(`${SYSCTL}: "600"`);

    // Drift: in sync, then one worker changed outside the manifest (the single-node apply API).
    const victim = workers[0]!;
    const id = `${victim.address}@${cluster}`;
    const changed = (await runningConfig(request, id)).replace(`${SYSCTL}: "600"`, `${SYSCTL}: "900"`);
    const applied = await request.post(`/api/nodes/${encodeURIComponent(id)}/config/apply`, { data: { yaml: changed, mode: "no-reboot" }, headers: await csrfHeader(request) });
    expect(applied.ok(), await applied.text()).toBe(true);
    await m.tab("Drift").click();
    await m.button("Check again").click();
    await expect(m.driftRow(victim.hostname)).toContainText("Drifted", { timeout: 30_000 });
    await expect(m.driftRow(victim.hostname)).toContainText(`machine.sysctls.${SYSCTL}`);
    for (const w of workers.slice(1)) await expect(m.driftRow(w.hostname)).toContainText("In sync");
    await expect(page.getByTestId("drift-summary")).toContainText("1 drifted");

    expect(shell.consoleErrors).toEqual([]);
    expect(shell.failedRequests).toEqual([]);
  });

  test("a patch that breaks one node is marked on its line naming that node, and the plan refuses", async ({ page, request }) => {
    test.setTimeout(120_000);
    const cluster = await firstCluster(request);
    const m = new ManifestPage(page, cluster);
    await ensureAdopted(request, cluster);
    const nodes = await manifestNodes(request, cluster);
    const target = nodes.filter((n) => n.role === "worker").at(-1)!;

    await m.goto();
    await m.waitForEditor();
    // It loads as a patch, but Talos allows the feature on control planes only: one worker's render breaks.
    await m.addPatch("e2e broken", `{nodes: [${target.hostname}]}`, ["machine:", "  features:", "    kubernetesTalosAPIAccess:", "      enabled: true"]);
    const header = await m.lineOf(/^\s+- name: e2e broken$/);
    const bad = header + 6;
    expect((await m.text()).split("\n")[bad - 1]).toMatch(/^\s+enabled: true$/);
    await expect(m.check()).toContainText("problem", { timeout: 30_000 });
    await expect
      .poll(async () => (await m.markers()).filter((mk) => mk.severity === "error" && mk.line >= header && mk.line <= bad), { timeout: 30_000 })
      .toHaveLength(1);
    const [marker] = (await m.markers()).filter((mk) => mk.line >= header && mk.line <= bad);
    // On the patch's own line (the one that set the value), naming that node and no other.
    expect(marker!.line, marker!.message).toBe(bad);
    expect(marker!.message).toContain(target.hostname);
    for (const other of nodes.filter((n) => n.hostname !== target.hostname)) expect(marker!.message).not.toContain(`${other.hostname}\n`);

    await m.plan();
    await expect(m.planRow(target.hostname)).toContainText("Refused");
    await expect(m.planCount("refused")).toHaveText("1");
    await expect(m.button("Apply plan…")).toBeDisabled();
    await expect(page.getByText(/Cannot apply: 1 node refuses the config/)).toBeVisible();
  });
});

test.describe("cluster manifest saves", () => {
  test("save makes a revision; saving over a newer one says so and reloads it", async ({ page, request }) => {
    test.setTimeout(90_000);
    const cluster = await firstCluster(request);
    await ensureAdopted(request, cluster);
    const m = new ManifestPage(page, cluster);
    await m.goto();
    await m.waitForEditor();

    // An edit survives a reload of the tab (and says so).
    await m.insertBefore(1, "# e2e: first save\n");
    await expect(page.getByText("Edited, not saved")).toBeVisible();
    await page.reload();
    await m.waitForEditor();
    expect(await m.text()).toContain("# e2e: first save");
    await expect(page.getByText(/Your unsaved edits in this tab were restored/)).toBeVisible();

    // A plain save: a new revision, nothing applied.
    await expect(m.check()).toContainText("Valid", { timeout: 30_000 });
    await m.button("Save").click();
    const saved = page.getByRole("status").filter({ hasText: /^Saved as revision #\d+\. Nothing is applied/ });
    await expect(saved).toBeVisible();
    const revision = Number(/#(\d+)/.exec((await saved.textContent()) ?? "")![1]);

    // Someone else saves on top of it (the API, as another admin would).
    const path = `/api/clusters/${encodeURIComponent(cluster)}/manifest`;
    const latest = (await (await request.get(path)).json()) as { yaml: string; revision: number };
    expect(latest.revision).toBe(revision);
    const other = await request.put(path, { data: { yaml: `# e2e: saved elsewhere\n${latest.yaml}`, baseRevision: revision }, headers: await csrfHeader(request) });
    expect(other.ok(), await other.text()).toBe(true);

    // This tab's next save is refused with a way out.
    await m.insertBefore(1, "# e2e: second save\n");
    await expect(m.check()).toContainText("Valid", { timeout: 30_000 });
    await m.button("Save").click();
    const conflict = page.getByRole("alert").filter({ hasText: "Someone saved a newer revision" });
    await expect(conflict).toBeVisible();
    await conflict.getByRole("button", { name: "Reload the latest revision" }).click();
    await expect(conflict).toBeHidden();
    await expect.poll(() => m.text()).toContain("# e2e: saved elsewhere");
    expect(await m.text()).not.toContain("# e2e: second save");
    await expect(page.getByText("Edited, not saved")).toBeHidden();
  });
});

test.describe("cluster manifest as a viewer", () => {
  test.use({ storageState: storageStateFile("viewer") });

  test("reads the manifest redacted and read-only, with no adopt, save, plan or export", async ({ page, request, browser }) => {
    test.setTimeout(90_000);
    const cluster = await firstCluster(request);
    // The viewer's request context cannot adopt: do it as the admin.
    const admin = await browser.newContext({ storageState: storageStateFile("admin"), baseURL: test.info().project.use.baseURL });
    await ensureAdopted(admin.request, cluster);
    await admin.close();

    const m = new ManifestPage(page, cluster);
    await m.goto();
    await m.waitForEditor();
    await expect(page.getByText("Read-only, secrets redacted")).toBeVisible();
    for (const name of ["Plan", "Save", "Export secrets…", "Adopt from running nodes"]) await expect(m.button(name)).toHaveCount(0);
    const before = await m.text();
    await m.editor().focus();
    await page.keyboard.type("typed by a viewer");
    expect(await m.text()).toBe(before);
    // The viewer may still preview any node's render.
    await expect(page.getByTestId("node-diff-stats")).toBeVisible({ timeout: 30_000 });
  });
});
