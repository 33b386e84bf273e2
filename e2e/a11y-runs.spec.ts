import { expect, test } from "@playwright/test";

import { caRotation, expectNoSeriousViolations, newestRun, noOpUpgrade, settle } from "./axe";

/**
 * axe-core on the page of the newest run of each kind, in the light and the dark theme. Its own
 * Playwright project runs after every other spec (playwright.config.ts), so each kind has a run by
 * then (bulk, kubernetes-upgrades and manifest specs start them); a kind without one fails rather
 * than skips, but for CA rotations, which the e2e fleet never runs. With no upgrade yet it starts a
 * no-op one.
 */

/** A run page per kind: where the list is, and the page of one run. */
const runPages = [
  { list: "/api/upgrades", page: (id: string) => `/upgrades/${id}` },
  { list: "/api/kubernetes-upgrades", page: (id: string) => `/kubernetes-upgrades/${id}` },
  { list: "/api/bulk", page: (id: string) => `/bulk/${id}` },
  { list: "/api/ca-rotations", page: (id: string) => `/ca-rotations/${id}` },
  { list: "/api/rollouts", page: (id: string) => `/config/rollouts/${id}` },
];

for (const colorScheme of ["light", "dark"] as const) {
  test.describe(`axe, ${colorScheme} theme`, () => {
    test.use({ colorScheme });

    for (const run of runPages) {
      test(`the newest run of ${run.list} has no serious or critical violations`, async ({ page }) => {
        if (run.list === "/api/upgrades" && (await newestRun(page.request, run.list)) === null) await noOpUpgrade(page.request);
        if (run.list === "/api/ca-rotations") {
          test.setTimeout(180_000);
          await caRotation(page.request);
        }
        const id = await newestRun(page.request, run.list);
        expect(id, `${run.list} lists no run: run the whole e2e suite (the specs before this project start one of each kind)`).not.toBeNull();
        const path = run.page(encodeURIComponent(id!));
        await settle(page, path);
        await expectNoSeriousViolations(page, `${path} (${colorScheme})`);
      });
    }
  });
}
