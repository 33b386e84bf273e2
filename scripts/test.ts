/**
 * `npm test`: every check CI runs, in order, each one's output streamed. Stops at the first
 * failing step (later steps depend on earlier ones) and ends with one summary line.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";

const root = path.resolve(__dirname, "..");
const bin = (name: string) => path.join(root, "node_modules", ".bin", name);
const results = path.join(root, "test-results");

interface Step {
  name: string;
  cmd: string;
  args: string[];
  env?: Record<string, string>;
}

const steps: Step[] = [
  { name: "typecheck", cmd: bin("tsc"), args: ["--noEmit"] },
  { name: "lint", cmd: bin("eslint"), args: [".", "--max-warnings=0"] },
  { name: "unit + integration", cmd: bin("vitest"), args: ["run", "--reporter=default", "--reporter=json", `--outputFile=${path.join(results, "vitest.json")}`] },
  { name: "build", cmd: bin("next"), args: ["build"] },
  { name: "e2e", cmd: bin("playwright"), args: ["test"], env: { PLAYWRIGHT_JSON_OUTPUT_NAME: path.join(results, "playwright.json") } },
];

/** Test counts from the runners' JSON reports, so the last line says how many tests ran. */
function counts(): { passed: number; failed: number; skipped: number } {
  const total = { passed: 0, failed: 0, skipped: 0 };
  const vitest = path.join(results, "vitest.json");
  if (existsSync(vitest)) {
    const r = JSON.parse(readFileSync(vitest, "utf8")) as { numPassedTests: number; numFailedTests: number; numPendingTests: number; numTodoTests: number };
    total.passed += r.numPassedTests;
    total.failed += r.numFailedTests;
    total.skipped += r.numPendingTests + r.numTodoTests;
  }
  const pw = path.join(results, "playwright.json");
  if (existsSync(pw)) {
    const r = JSON.parse(readFileSync(pw, "utf8")) as { stats: { expected: number; unexpected: number; flaky: number; skipped: number } };
    total.passed += r.stats.expected + r.stats.flaky;
    total.failed += r.stats.unexpected;
    total.skipped += r.stats.skipped;
  }
  return total;
}

rmSync(results, { recursive: true, force: true });
mkdirSync(results, { recursive: true });
const env = { ...process.env, NEXT_TELEMETRY_DISABLED: "1" };
const timings: string[] = [];
let failedStep: string | null = null;
for (const step of steps) {
  console.log(`\n=== ${step.name} ===`);
  const started = Date.now();
  const r = spawnSync(step.cmd, step.args, { cwd: root, stdio: "inherit", env: { ...env, ...step.env } });
  timings.push(`${step.name} ${((Date.now() - started) / 1000).toFixed(1)}s`);
  if (r.status !== 0) {
    failedStep = step.name;
    break;
  }
}

const c = counts();
console.log(`\n${timings.join(" · ")}`);
if (failedStep) console.log(`FAILED at step: ${failedStep}`);
if (failedStep && c.failed === 0) c.failed = 1; // a failed typecheck, lint or build still fails the run
console.log(`tests: ${c.passed} passed, ${c.failed} failed, ${c.skipped} skipped`);
process.exit(failedStep ? 1 : 0);
