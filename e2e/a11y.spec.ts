import { expect, test } from "@playwright/test";

import { expectNoSeriousViolations, firstWorker, settle } from "./axe";
import { staticPages } from "./dashboard-pages";

/**
 * axe-core on every dashboard page (app/(dashboard)/**\/page.tsx), signed in as the admin, in the
 * light and the dark theme: any serious or critical violation fails the page's test and prints
 * each violation's rule, the elements it found and axe's summary of what is wrong.
 *
 * Dynamic pages use a real ID from the e2e fleet (a worker, its cluster). The run pages are
 * scanned by a11y-runs.spec.ts, after every other spec has started its runs; alerts.spec scans an
 * alerts page and the overview while an alert fires.
 */


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

    // One test per page: four scans in one test outlast its timeout on a loaded machine.
    const workerPages = [
      { name: "a worker's node page", path: (node: string) => node },
      { name: "a worker's logs page", path: (node: string) => `${node}/logs` },
      { name: "a worker's cluster page", path: (_: string, cluster: string) => cluster },
      { name: "a worker's etcd page", path: (_: string, cluster: string) => `${cluster}/etcd` },
    ];
    for (const p of workerPages) {
      test(`${p.name} has no serious or critical violations`, async ({ page }) => {
        const worker = await firstWorker(page.request);
        const path = p.path(`/nodes/${encodeURIComponent(worker.id)}`, `/clusters/${encodeURIComponent(worker.cluster)}`);
        await settle(page, path);
        await expectNoSeriousViolations(page, `${path} (${colorScheme})`);
      });
    }
  });
}
