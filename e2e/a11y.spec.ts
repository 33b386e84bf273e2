import { expect, test, type APIRequestContext, type Page } from "@playwright/test";

import { csrfHeader } from "./auth-state";
import { expectNoSeriousViolations } from "./axe";

/**
 * axe-core on every dashboard page (app/(dashboard)/**\/page.tsx), signed in as the admin, in the
 * light and the dark theme: any serious or critical violation fails the page's test and prints
 * each violation's rule, the elements it found and axe's summary of what is wrong.
 *
 * Dynamic pages use a real ID from the e2e fleet (a worker, its cluster) or the newest run the
 * API lists; with no upgrade yet it starts a no-op one (a worker to the version it runs), and a
 * page of another run kind that has none yet (this spec runs before the specs that start them) is
 * skipped, not faked. alerts.spec scans an alerts page and the overview while an alert fires.
 */

const staticPages = [
  "/",
  "/nodes",
  "/clusters",
  "/config",
  "/config/history",
  "/config/rollouts",
  "/upgrades",
  "/kubernetes-upgrades",
  "/bulk",
  "/certificates",
  "/backups",
  "/ca-rotations",
  "/audit",
  "/access",
];

const alertPages = ["/alerts", "/alerts/rules", "/alerts/channels", "/alerts/silences", "/alerts/deliveries"];

/** A run page per kind: where the list is, and the page of one run. */
const runPages = [
  { list: "/api/upgrades", page: (id: string) => `/upgrades/${id}` },
  { list: "/api/kubernetes-upgrades", page: (id: string) => `/kubernetes-upgrades/${id}` },
  { list: "/api/bulk", page: (id: string) => `/bulk/${id}` },
  { list: "/api/ca-rotations", page: (id: string) => `/ca-rotations/${id}` },
  { list: "/api/rollouts", page: (id: string) => `/config/rollouts/${id}` },
];

/** The first worker the API lists (by hostname), so the node, logs and cluster pages have a real ID. */
async function firstWorker(request: APIRequestContext): Promise<{ id: string; cluster: string }> {
  const res = await request.get("/api/nodes");
  expect(res.ok()).toBe(true);
  const { nodes } = (await res.json()) as { nodes: { id: string; role: string; hostname: string | null }[] };
  const worker = nodes.filter((n) => n.role === "worker").sort((a, b) => (a.hostname ?? a.id).localeCompare(b.hostname ?? b.id, "en", { numeric: true }))[0];
  if (!worker) throw new Error("The e2e fleet lists no worker");
  return { id: worker.id, cluster: worker.id.slice(worker.id.indexOf("@") + 1) };
}

/** The newest run's ID from a list endpoint (its one array of objects with an `id`), or null. */
async function newestRun(request: APIRequestContext, list: string): Promise<string | null> {
  const res = await request.get(list);
  if (!res.ok()) return null;
  const body = (await res.json()) as Record<string, unknown>;
  for (const value of Object.values(body)) {
    if (Array.isArray(value)) {
      const first = value[0] as { id?: unknown } | undefined;
      return typeof first?.id === "string" ? first.id : null;
    }
  }
  return null;
}

/**
 * An upgrade page to scan without touching the fleet: a plan for one worker to the version it
 * already runs is marked done without an upgrade (no reboot, nothing for later specs to undo).
 */
async function noOpUpgrade(request: APIRequestContext): Promise<void> {
  const worker = await firstWorker(request);
  const { nodes } = (await (await request.get(`/api/nodes?cluster=${encodeURIComponent(worker.cluster)}`)).json()) as { nodes: { id: string; talosVersion: string | null }[] };
  const version = nodes.find((n) => n.id === worker.id)?.talosVersion;
  expect(version, "the worker reports its Talos version").toBeTruthy();
  const res = await request.post("/api/upgrades", {
    data: { cluster: worker.cluster, version, nodes: [worker.id], strategy: { drain: { enabled: false } } },
    headers: await csrfHeader(request),
  });
  expect(res.status(), await res.text()).toBe(201);
  const { id } = (await res.json()) as { id: string };
  await expect
    .poll(async () => ((await (await request.get("/api/upgrades")).json()) as { plans: { id: string; state: string }[] }).plans.find((p) => p.id === id)?.state)
    .toBe("succeeded");
}

async function settle(page: Page, path: string) {
  // A logs page follows its streams, so the network never goes idle: wait for its lines instead.
  const streams = path.endsWith("/logs");
  const response = await page.goto(path, { waitUntil: streams ? "load" : "networkidle" });
  await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
  if (streams) await expect(page.getByRole("log").first()).not.toBeEmpty();
  // Loading skeletons (aria-hidden placeholders) give way to content before the scan.
  await expect(page.locator("main .animate-pulse")).toHaveCount(0);
  return response;
}

for (const colorScheme of ["light", "dark"] as const) {
  test.describe(`axe, ${colorScheme} theme`, () => {
    test.use({ colorScheme });

    for (const path of staticPages) {
      test(`${path} has no serious or critical violations`, async ({ page }) => {
        const response = await settle(page, path);
        expect(response?.status()).toBe(200);
        await expectNoSeriousViolations(page, `${path} (${colorScheme})`);
      });
    }

    test("a worker's node, logs, cluster and etcd pages have no serious or critical violations", async ({ page }) => {
      const worker = await firstWorker(page.request);
      const node = `/nodes/${encodeURIComponent(worker.id)}`;
      const cluster = `/clusters/${encodeURIComponent(worker.cluster)}`;
      for (const path of [node, `${node}/logs`, cluster, `${cluster}/etcd`]) {
        await test.step(path, async () => {
          await settle(page, path);
          await expectNoSeriousViolations(page, `${path} (${colorScheme})`);
        });
      }
    });

    for (const run of runPages) {
      test(`the newest run of ${run.list} has no serious or critical violations`, async ({ page }) => {
        if (run.list === "/api/upgrades" && (await newestRun(page.request, run.list)) === null) await noOpUpgrade(page.request);
        const id = await newestRun(page.request, run.list);
        test.skip(id === null, `${run.list} lists no run yet`);
        const path = run.page(encodeURIComponent(id!));
        await settle(page, path);
        await expectNoSeriousViolations(page, `${path} (${colorScheme})`);
      });
    }

    for (const path of alertPages) {
      test(`${path} has no serious or critical violations`, async ({ page }) => {
        const response = await settle(page, path);
        expect(response?.status()).toBe(200);
        await expectNoSeriousViolations(page, `${path} (${colorScheme})`);
      });
    }
  });
}
