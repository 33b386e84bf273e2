import AxeBuilder from "@axe-core/playwright";
import { expect, test, type APIRequestContext, type Page } from "@playwright/test";

import { csrfHeader } from "./auth-state";

/**
 * axe-core on the page as it is now: any serious or critical violation fails the test (softly, so
 * a test that scans several pages or themes reports them all) and prints each violation's rule,
 * the elements it found and axe's summary of what is wrong. Shared by a11y.spec and the specs that
 * scan a page in a state only they reach (alerts.spec: an alert firing).
 */
export async function expectNoSeriousViolations(page: Page, label: string) {
  const results = await new AxeBuilder({ page }).analyze();
  const serious = results.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  const report = serious.flatMap((v) =>
    v.nodes.map((n) => `${v.id} (${v.impact}) ${n.target.join(" ")}\n    ${(n.failureSummary ?? v.help).replace(/\n/g, "\n    ")}`),
  );
  // Counted per element, as the issue counts them; the message lists every one.
  test.info().annotations.push({ type: "axe", description: `${label}: ${report.length} serious/critical element(s)` });
  expect.soft(report, `axe on ${label}:\n${report.join("\n")}`).toEqual([]);
}

/** The first worker the API lists (by hostname), so the node, logs and cluster pages have a real ID. */
export async function firstWorker(request: APIRequestContext): Promise<{ id: string; cluster: string }> {
  const res = await request.get("/api/nodes");
  expect(res.ok()).toBe(true);
  const { nodes } = (await res.json()) as { nodes: { id: string; role: string; hostname: string | null }[] };
  const worker = nodes.filter((n) => n.role === "worker").sort((a, b) => (a.hostname ?? a.id).localeCompare(b.hostname ?? b.id, "en", { numeric: true }))[0];
  if (!worker) throw new Error("The e2e fleet lists no worker");
  return { id: worker.id, cluster: worker.id.slice(worker.id.indexOf("@") + 1) };
}

/** The newest run's ID from a list endpoint (its one array of objects with an `id`), or null. */
export async function newestRun(request: APIRequestContext, list: string): Promise<string | null> {
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
 * A CA rotation of sim-1, run to its end, for its page to be scanned. It changes the cluster's CAs
 * for good (Minos swaps its talosconfig as the last step), so only the last project (a11y-runs)
 * may call it; with one already listed it does nothing.
 */
export async function caRotation(request: APIRequestContext): Promise<void> {
  if ((await newestRun(request, "/api/ca-rotations")) !== null) return;
  const res = await request.post("/api/ca-rotations", { data: { cluster: "sim-1" }, headers: await csrfHeader(request) });
  expect(res.status(), await res.text()).toBe(201);
  const { id } = (await res.json()) as { id: string };
  await expect
    .poll(async () => ((await (await request.get("/api/ca-rotations")).json()) as { rotations: { id: string; state: string }[] }).rotations.find((r) => r.id === id)?.state, {
      timeout: 120_000,
    })
    .toBe("succeeded");
}

/**
 * An upgrade page to scan without touching the fleet: a plan for one worker to the version it
 * already runs is marked done without an upgrade (no reboot, nothing for later specs to undo).
 */
export async function noOpUpgrade(request: APIRequestContext): Promise<void> {
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

/** Opens `path` and waits until it has settled (content in, skeletons gone) before a scan. */
export async function settle(page: Page, path: string) {
  // A logs page follows its streams, so the network never goes idle: wait for its lines instead.
  const streams = path.endsWith("/logs");
  const response = await page.goto(path, { waitUntil: streams ? "load" : "networkidle" });
  await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
  if (streams) await expect(page.getByRole("log").first()).not.toBeEmpty();
  // Loading skeletons (aria-hidden placeholders) give way to content before the scan.
  await expect(page.locator("main .animate-pulse")).toHaveCount(0);
  return response;
}
