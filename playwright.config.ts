import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { defineConfig } from "@playwright/test";

import { storageStateFile } from "./e2e/auth-state";
import { findChromium } from "./e2e/chromium";

const port = Number(process.env.E2E_PORT ?? 3100);
// A fresh state dir per run: the e2e server never touches a developer's own .minos. Workers
// evaluate this file again; the environment makes them agree on the directory (and on the
// signed-in states the setup project writes into it).
process.env.E2E_STATE_DIR ??= mkdtempSync(path.join(tmpdir(), "minos-e2e-"));
const stateDir = process.env.E2E_STATE_DIR;

export default defineConfig({
  testDir: "e2e",
  fullyParallel: false,
  workers: 1,
  retries: 0,
  timeout: 30_000,
  expect: { timeout: 10_000 },
  forbidOnly: !!process.env.CI,
  reporter: process.env.PLAYWRIGHT_JSON_OUTPUT_NAME ? [["list"], ["json"]] : [["list"]],
  // Per port, so parallel runs (see E2E_PORT) keep their own traces.
  outputDir: process.env.E2E_PORT ? `test-results/e2e-${port}` : "test-results/e2e",
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
    launchOptions: {
      executablePath: findChromium(),
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    },
  },
  projects: [
    { name: "setup", testMatch: /auth\.setup\.ts$/ },
    // Every spec runs signed in as the admin; auth.spec.ts starts its own server and signs in itself.
    { name: "chromium", dependencies: ["setup"], testIgnore: /a11y-runs\.spec\.ts$/, use: { storageState: storageStateFile("admin") } },
    // After every other spec: by then each run kind has a run whose page axe can scan.
    { name: "a11y-runs", dependencies: ["chromium"], testMatch: /a11y-runs\.spec\.ts$/, use: { storageState: storageStateFile("admin") } },
  ],
  webServer: {
    command: "node node_modules/tsx/dist/cli.mjs scripts/start.ts",
    url: `http://127.0.0.1:${port}/api/health`,
    timeout: 180_000,
    reuseExistingServer: false,
    stdout: "pipe",
    stderr: "pipe",
    env: {
      PORT: String(port),
      MINOS_HOST: "127.0.0.1",
      MINOS_SIM: "1",
      MINOS_STATE_DIR: stateDir,
      // Its own loopback range and an ephemeral control port, so a running `npm start` never collides.
      MINOS_SIM_ARGS: `--first-address ${process.env.E2E_SIM_FIRST_ADDRESS ?? "127.0.60.1"} --control-port 0 --reboot-seconds 2 --boot-seconds 1 --extension-services iscsid`,
      NEXT_TELEMETRY_DISABLED: "1",
    },
  },
});
