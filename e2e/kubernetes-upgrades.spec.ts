import { expect, test } from "@playwright/test";

import { csrfHeader } from "./auth-state";
import { KubernetesUpgradesPage } from "./pages/kubernetes-upgrades";

// Every static pod (3 control planes × 3) and kubelet (8 nodes) restarts once, one at a time, each
// taking the simulator's default 2 s to come back Ready: about a minute and a half.
test.setTimeout(240_000);

const CLUSTER = "sim-1";

/** The version the cluster's control plane runs now, as the preview detects it (DetectLowestVersion). */
async function currentVersion(request: import("@playwright/test").APIRequestContext): Promise<string> {
  const res = await request.post("/api/kubernetes-upgrades/plan", { data: { cluster: CLUSTER, version: "1.30.0" }, headers: await csrfHeader(request) });
  // Far below the cluster's minor: refused as a downgrade, with the preview (and its fromVersion) in the details.
  expect(res.status()).toBe(422);
  const body = (await res.json()) as { error: { code: string; details: { preview: { fromVersion: string } } } };
  expect(body.error.code).toBe("unsupported_upgrade_path");
  return body.error.details.preview.fromVersion;
}

test("a Kubernetes upgrade from the UI: preview, start, progress to 100 %, every kubelet on the target", async ({ page }) => {
  const from = await currentVersion(page.request);
  const [major, minor, patch] = from.split(".").map(Number) as [number, number, number];
  const to = `${major}.${minor}.${patch + 1}`;

  const k8s = new KubernetesUpgradesPage(page);
  await k8s.goto();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Kubernetes upgrades");
  await k8s.cluster().selectOption(CLUSTER);
  await k8s.version().fill(`v${to}`);
  await k8s.previewPlan();
  await expect(k8s.preview().getByRole("heading", { level: 3 })).toHaveText(`${CLUSTER}: Kubernetes ${from} → ${to}`);
  // 8 pre-pulls, 3 × 3 static pods, 3 kube-proxy configs, 8 kubelets, the manifests.
  await expect(k8s.steps()).toHaveCount(29);
  await expect(k8s.steps().first()).toContainText("pull 4 images on");
  await expect(k8s.steps().last()).toContainText("sync the bootstrap manifests");

  await k8s.start();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(`Kubernetes upgrade of ${CLUSTER} to ${to}`);
  const id = decodeURIComponent(new URL(page.url()).pathname.split("/").pop()!);
  await expect(k8s.stepRows()).toHaveCount(29);
  await expect(k8s.progress()).toHaveAttribute("aria-valuenow", "100", { timeout: 220_000 });
  await expect(page.getByText(`The cluster runs Kubernetes ${to}`)).toBeVisible();
  for (const row of await k8s.stepRows().all()) await expect(row.getByText("Done", { exact: true })).toBeVisible();

  // The simulated cluster itself: every Node's kubelet and every static pod on the target.
  const { controlUrl } = (await (await page.request.get("/api/sim")).json()) as { controlUrl: string };
  const dump = (await (await page.request.get(`${controlUrl}/kubernetes?cluster=${CLUSTER}`)).json()) as {
    nodes: { status: { nodeInfo: { kubeletVersion: string } } }[];
    pods: { metadata: { namespace: string; labels?: Record<string, string> }; spec: { containers: { image: string }[] } }[];
    daemonsets: { metadata: { name: string }; spec: { template: { spec: { containers: { image: string }[] } } } }[];
  };
  expect(dump.nodes.map((n) => n.status.nodeInfo.kubeletVersion)).toEqual(dump.nodes.map(() => `v${to}`));
  const statics = dump.pods.filter((p) => p.metadata.labels?.tier === "control-plane");
  expect(statics.length).toBeGreaterThan(0);
  expect(statics.map((p) => p.spec.containers[0]!.image.split(":").pop())).toEqual(statics.map(() => `v${to}`));
  expect(dump.daemonsets.find((d) => d.metadata.name === "kube-proxy")!.spec.template.spec.containers[0]!.image).toBe(`registry.k8s.io/kube-proxy:v${to}`);
  const plan = (await (await page.request.get(`/api/kubernetes-upgrades/${id}`)).json()) as { state: string; steps: { kind: string; state: string }[] };
  expect(plan.state).toBe("succeeded");
  expect(await currentVersion(page.request)).toBe(to);

  // The history lists it, and the audit log has its start and its outcome.
  await page.getByRole("link", { name: "All Kubernetes upgrades" }).click();
  await expect(k8s.history().getByRole("row").nth(1)).toContainText("Succeeded");
  await page.goto("/audit");
  const rows = page.getByRole("row").filter({ has: page.getByRole("cell", { name: id, exact: true }) });
  await expect(rows.filter({ has: page.getByRole("cell", { name: "kubernetes-upgrade.start" }) })).toBeVisible();
  await expect(rows.filter({ has: page.getByRole("cell", { name: "kubernetes-upgrade.succeeded" }) })).toBeVisible();
});

test("the preview refuses a jump of two minors with the reason (422)", async ({ request }) => {
  const from = await currentVersion(request);
  const [major, minor] = from.split(".").map(Number) as [number, number];
  const res = await request.post("/api/kubernetes-upgrades/plan", { data: { cluster: CLUSTER, version: `${major}.${minor + 2}.0` }, headers: await csrfHeader(request) });
  expect(res.status()).toBe(422);
  const body = (await res.json()) as { error: { code: string; message: string } };
  expect(body.error.code).toBe("unsupported_upgrade_path");
  expect(body.error.message).toContain(`upgrade to ${major}.${minor + 1} first`);
});
