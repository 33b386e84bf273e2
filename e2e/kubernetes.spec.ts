import { expect, test, type APIRequestContext } from "@playwright/test";

import { csrfHeader, storageStateFile } from "./auth-state";
import { NodesPage, OverviewPage, SimControl, type SimNode } from "./pages/fleet";
import { KubeNodePage, SimKubernetes } from "./pages/kubernetes";

/*
 * Kubernetes on a node's page, against the simulator's Kubernetes API: drain a worker and see
 * its pods move (the simulator's controllers recreate evicted Deployment pods on other workers),
 * and a drain held by a PodDisruptionBudget shows the pod and the PDB, then goes through forced.
 */

test.describe.configure({ mode: "serial" });

const CLUSTER = "sim-1";
let sim: SimControl;
let kube: SimKubernetes;

async function workers(): Promise<SimNode[]> {
  const list = (await sim.nodes()).filter((n) => n.cluster === CLUSTER && n.role === "worker").sort((a, b) => a.hostname.localeCompare(b.hostname, "en", { numeric: true }));
  expect(list.length, "the simulated fleet has workers").toBeGreaterThan(1);
  return list;
}

let admin: APIRequestContext;

// The simulator's control API is found through GET /api/sim, which only an admin may read: the
// viewer's test drives the simulator through an admin's request context too.
test.beforeEach(async ({ playwright, baseURL }) => {
  admin = await playwright.request.newContext({ baseURL, storageState: storageStateFile("admin") });
  sim = await SimControl.connect(admin);
  kube = new SimKubernetes(admin, sim);
  await sim.clearFaults();
});

test.afterEach(async () => {
  await sim.clearFaults();
  // A spec that failed after its upload must not leave later specs talking to a dead API server.
  const removed = await admin.delete(`/api/clusters/${CLUSTER}/kubeconfig`, { headers: await csrfHeader(admin) });
  expect([200, 404], await removed.text()).toContain(removed.status());
  await admin.dispose();
});

test("drain a worker from its node page: its pods move to other workers, then uncordon it", async ({ page }) => {
  test.setTimeout(120_000);
  // The worker with the most movable pods, so the move is visible.
  const candidates = await workers();
  const pods = await kube.pods(CLUSTER);
  const worker = candidates.map((w) => ({ w, n: SimKubernetes.movable(pods, w.hostname).length })).sort((a, b) => b.n - a.n)[0]!.w;
  const before = SimKubernetes.movable(pods, worker.hostname);
  expect(before.length, `${worker.hostname} runs pods a drain moves`).toBeGreaterThan(0);
  const deploymentPodsBefore = pods.filter((p) => p.ownerKind === "ReplicaSet").length;

  const node = new KubeNodePage(page);
  await node.open(`${worker.address}@${CLUSTER}`);
  await expect(node.heading()).toHaveText(worker.hostname);
  const panel = node.kubernetes;
  await expect(panel.section()).toBeVisible();
  await expect(panel.fact("Node name")).toHaveText(worker.hostname);
  await expect(panel.fact("Ready")).toHaveText("Ready");
  await expect(panel.fact("Scheduling")).toHaveText("Schedulable");
  const podsShownBefore = Number(await panel.fact("Pods").innerText());
  expect(podsShownBefore).toBeGreaterThanOrEqual(before.length);

  await panel.drain(worker.hostname, 60, "halt");
  const result = panel.result();
  await expect(result).toContainText(`Drained ${worker.hostname}`, { timeout: 70_000 });
  await expect(result).toContainText(`${before.length} ${before.length === 1 ? "pod" : "pods"} evicted`);
  const evicted = result.getByRole("list", { name: "Evicted pods" });
  for (const p of before) await expect(evicted.getByRole("listitem").filter({ hasText: new RegExp(`^${p.namespace}/${p.name}$`) })).toHaveCount(1);
  await expect(panel.fact("Scheduling")).toHaveText("Cordoned by Minos");

  // The pods moved: none left on the worker but DaemonSet and static pods, the Deployments whole again elsewhere.
  await expect
    .poll(async () => {
      const now = await kube.pods(CLUSTER);
      return {
        left: SimKubernetes.movable(now, worker.hostname).length,
        deploymentPods: now.filter((p) => p.ownerKind === "ReplicaSet" && p.nodeName !== worker.hostname && p.phase === "Running").length,
      };
    }, { timeout: 30_000 })
    .toEqual({ left: 0, deploymentPods: deploymentPodsBefore });
  // And the page's pod count follows (live, from the fleet status).
  await expect(panel.fact("Pods")).toHaveText(String(podsShownBefore - before.length), { timeout: 30_000 });

  await panel.button("Uncordon").click();
  await expect(panel.fact("Scheduling")).toHaveText("Schedulable");
  expect(node.consoleErrors).toEqual([]);
  expect(node.failedRequests).toEqual([]);
});

test("a drain held by a PodDisruptionBudget names the pod and the PDB; force goes through at once", async ({ page }) => {
  test.setTimeout(150_000);
  const worker = (await workers())[1]!;
  await kube.setFault(worker.hostname, "pdb-blocks");
  const pdb = `default/pinned-${worker.hostname}`;

  const node = new KubeNodePage(page);
  await node.open(`${worker.address}@${CLUSTER}`);
  const panel = node.kubernetes;
  await expect(panel.fact("Ready")).toHaveText("Ready");
  // A halt timeout well above FORCE_NOW_SECONDS (10 s): a Force drain that waited out another
  // full timeout would miss the result's deadline below.
  await panel.drain(worker.hostname, 30, "halt");
  const blocked = panel.blocked();
  await expect(blocked).toBeVisible({ timeout: 45_000 });
  await expect(blocked).toContainText(`held by PodDisruptionBudget ${pdb}`);
  const rows = blocked.getByRole("table", { name: "Blocking pods" }).getByRole("row").filter({ hasText: pdb });
  await expect(rows).toHaveCount(1);
  await expect(rows).toContainText("disruption budget");
  await expect(panel.fact("Scheduling")).toHaveText("Cordoned by Minos");

  await panel.button("Force drain").click();
  // Forced at once: the short timeout, not the halted drain's 30 s again.
  await expect(panel.section().getByRole("status").filter({ hasText: `Draining ${worker.hostname}` })).toContainText("up to 10 s, then force");
  const result = panel.result();
  await expect(result).toContainText(`Drained ${worker.hostname} by force`, { timeout: 22_000 });
  await expect(result.getByRole("list", { name: "Deleted pods" })).toContainText(`pinned-${worker.hostname}`);
  await expect(blocked).toBeHidden();
  await expect.poll(async () => SimKubernetes.movable(await kube.pods(CLUSTER), worker.hostname).length, { timeout: 30_000 }).toBe(0);

  await panel.button("Uncordon").click();
  await expect(panel.fact("Scheduling")).toHaveText("Schedulable");
  // The halted drain's 409 is the one answer the browser reports (as a console error too); nothing else failed.
  expect(node.failedRequests).toEqual([expect.stringMatching(/\/drain HTTP 409$/)]);
  expect(node.consoleErrors).toEqual([expect.stringMatching(/status of 409 \(Conflict\)$/)]);
});

test("the overview and the nodes table show Kubernetes live: a kubelet not ready, found by the Not ready filter", async ({ page }) => {
  test.setTimeout(90_000);
  const worker = (await workers())[2]!;
  const overview = new OverviewPage(page);
  await overview.open();
  const kubernetes = overview.cluster(CLUSTER).getByRole("group", { name: `Kubernetes of ${CLUSTER}` });
  await expect(kubernetes).toContainText(/Kubernetes\s*v1\.\d+\.\d+/);
  await expect(kubernetes).toContainText("no version skew");

  await kube.setFault(worker.hostname, "kubelet-not-ready");
  const notReady = kubernetes.getByRole("link", { name: "1 node not Ready in Kubernetes" });
  await expect(notReady).toBeVisible({ timeout: 30_000 });
  await notReady.click();
  await expect(page).toHaveURL(/\/nodes\?cluster=sim-1&k8s=not_ready$/);

  const nodes = new NodesPage(page);
  await expect(page.getByRole("combobox", { name: "Kubernetes", exact: true })).toHaveValue("not_ready");
  await expect(nodes.rows()).toHaveCount(1);
  const row = nodes.row(worker.hostname);
  await expect(row.getByText("Not ready", { exact: true }).last()).toBeVisible();
  await expect(nodes.columnHeader("Kubelet")).toBeVisible();

  // Live: the kubelet recovers and the filtered table empties without a reload.
  await sim.clearFaults();
  await expect(page.getByText("No node matches these filters")).toBeVisible({ timeout: 30_000 });
  expect(nodes.consoleErrors).toEqual([]);
  expect(nodes.failedRequests).toEqual([]);
});

test.describe("as a viewer", () => {
  test.use({ storageState: storageStateFile("viewer") });

  test("the Kubernetes panel and access are shown, without cordon, drain or kubeconfig controls", async ({ page }) => {
    const worker = (await workers())[0]!;
    const node = new KubeNodePage(page);
    await node.open(`${worker.address}@${CLUSTER}`);
    await expect(node.kubernetes.fact("Ready")).toHaveText("Ready");
    await expect(node.kubernetes.section().getByRole("button")).toHaveCount(0);

    await page.goto("/clusters");
    const access = page.getByRole("table", { name: "Kubernetes access" });
    await expect(access.getByRole("row", { name: `Kubernetes access of ${CLUSTER}` })).toContainText("Reachable");
    await expect(access.getByRole("button")).toHaveCount(0);
    expect(node.consoleErrors).toEqual([]);
    expect(node.failedRequests).toEqual([]);
  });
});

test("an admin's kubeconfig upload: one that would run a program is refused, a token one replaces Talos's until it is removed", async ({ page }) => {
  test.setTimeout(90_000);
  const shell = new KubeNodePage(page);
  await page.goto("/clusters");
  const access = page.getByRole("table", { name: "Kubernetes access" });
  const row = access.getByRole("row", { name: `Kubernetes access of ${CLUSTER}` });
  await expect(row).toContainText("Reachable");
  await expect(row).toContainText("From Talos");

  await row.getByRole("button", { name: "Upload kubeconfig" }).click();
  const form = page.getByRole("form", { name: `Upload a kubeconfig for ${CLUSTER}` });
  const kubeconfig = (user: string) =>
    [
      "apiVersion: v1",
      "kind: Config",
      "current-context: e2e",
      "clusters:",
      "- name: e2e",
      "  cluster:",
      "    server: https://127.0.0.1:9",
      "contexts:",
      "- name: e2e",
      "  context: {cluster: e2e, user: e2e}",
      "users:",
      "- name: e2e",
      `  user: ${user}`,
    ].join("\n");
  await form.getByLabel("Or paste it").fill(kubeconfig("{exec: {apiVersion: client.authentication.k8s.io/v1, command: /bin/sh}}"));
  await form.getByRole("button", { name: "Upload kubeconfig" }).click();
  await expect(form.getByRole("alert")).toContainText("Minos would run a program or read a file on its own host");

  await form.getByLabel("Or paste it").fill(kubeconfig("{token: e2e-not-a-real-token}"));
  await form.getByRole("button", { name: "Upload kubeconfig" }).click();
  await expect(page.getByRole("status").filter({ hasText: /^Minos uses the uploaded kubeconfig/ })).toContainText(`for ${CLUSTER} now (https://127.0.0.1:9)`);
  await expect(form).toBeHidden();
  await expect(row).toContainText(/Uploaded by \S+/);
  await expect(row).toContainText("https://127.0.0.1:9");
  // Nothing answers there: the cluster's Kubernetes is unreachable until the upload goes.
  await expect(row).toContainText("Unreachable", { timeout: 30_000 });
  await expect(page.getByText("e2e-not-a-real-token")).toHaveCount(0);

  await row.getByRole("button", { name: `Remove the uploaded kubeconfig of ${CLUSTER}` }).click();
  await expect(page.getByRole("status").filter({ hasText: /^Removed the uploaded kubeconfig/ })).toBeVisible();
  await expect(row).toContainText("From Talos");
  await expect(row).toContainText("Reachable", { timeout: 30_000 });
  // The refused upload's answer is the one failed request.
  expect(shell.failedRequests).toEqual([expect.stringMatching(/\/api\/clusters\/sim-1\/kubeconfig HTTP 422$/)]);
  expect(shell.consoleErrors).toEqual([expect.stringMatching(/status of 422/)]);
});
