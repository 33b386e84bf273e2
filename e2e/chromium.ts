import { existsSync } from "node:fs";

import { chromium } from "@playwright/test";

/**
 * The Chromium the e2e tests drive: $CHROMIUM_PATH, Debian's /usr/bin/chromium, or a build
 * already in Playwright's cache. Never downloads one; says how to install one instead.
 */
export function findChromium(): string {
  const candidates = [process.env.CHROMIUM_PATH, "/usr/bin/chromium", "/usr/bin/chromium-browser"];
  try {
    candidates.push(chromium.executablePath());
  } catch {
    // No Playwright-managed browser registered: fine, the others may exist.
  }
  const found = candidates.find((p): p is string => !!p && existsSync(p));
  if (found) return found;
  throw new Error(
    [
      "No Chromium found for the end-to-end tests.",
      "Install Debian's: sudo apt-get update && sudo apt-get install -y chromium",
      "or point CHROMIUM_PATH at a Chromium or Chrome binary.",
      `(looked at: ${candidates.filter(Boolean).join(", ")})`,
    ].join("\n"),
  );
}
