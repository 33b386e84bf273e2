import AxeBuilder from "@axe-core/playwright";
import { expect, test, type Page } from "@playwright/test";

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
