/**
 * `npm test`: every check CI runs, in order, each one's output streamed. Stops at the first
 * failing step (later steps depend on earlier ones) and ends with one summary line.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";

const root = path.resolve(__dirname, "..");
const bin = (name: string) => path.join(root, "node_modules", ".bin", name);
const results = path.join(root, "test-results");

interface Step {
  name: string;
  skipUnlessRoot?: boolean;
  cmd: string;
  args: string[];
  env?: Record<string, string>;
}

// A group's steps run at the same time (typecheck and lint each keep one core busy).
const steps: (Step | Step[])[] = [
  [
    { name: "typecheck", cmd: bin("tsc"), args: ["--noEmit"] },
    { name: "lint", cmd: bin("eslint"), args: [".", "--max-warnings=0"] },
  ],
  { name: "unit + integration", cmd: bin("vitest"), args: ["run", "--reporter=default", "--reporter=json", `--outputFile=${path.join(results, "vitest.json")}`] },
  { name: "build", cmd: bin("next"), args: ["build"] },
  { name: "e2e", cmd: bin("playwright"), args: ["test"], env: { PLAYWRIGHT_JSON_OUTPUT_NAME: path.join(results, "playwright.json") } },
  // The Dockerfile built for real as a non-root user (no container engine here), then started.
  // It switches users and sets owners, so it needs root (CI is); without root it is skipped.
  { name: "deploy", skipUnlessRoot: true, cmd: process.execPath, args: [path.join(root, "node_modules", "tsx", "dist", "cli.mjs"), "scripts/test-deploy.ts"], env: { DEPLOY_JSON_OUTPUT: path.join(results, "deploy.json") } },
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
  const deploy = path.join(results, "deploy.json");
  if (existsSync(deploy)) {
    const r = JSON.parse(readFileSync(deploy, "utf8")) as { passed: number; failed: number };
    total.passed += r.passed;
    total.failed += r.failed;
  }
  return total;
}

rmSync(results, { recursive: true, force: true });
mkdirSync(results, { recursive: true });
const env = { ...process.env, NEXT_TELEMETRY_DISABLED: "1" };
const timings: string[] = [];
let failedStep: string | null = null;
let skippedSteps = 0;
function run(step: Step): Promise<boolean> {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(step.cmd, step.args, { cwd: root, stdio: "inherit", env: { ...env, ...step.env } });
    let settled = false;
    // "error" (it could not start) and "exit" may both come: the step ends once.
    const done = (ok: boolean) => {
      if (settled) return;
      settled = true;
      timings.push(`${step.name} ${((Date.now() - started) / 1000).toFixed(1)}s`);
      resolve(ok);
    };
    child.on("error", () => done(false));
    child.on("exit", (code) => done(code === 0));
  });
}

async function main(): Promise<void> {
  for (const group of steps.map((s) => (Array.isArray(s) ? s : [s]))) {
    console.log(`\n=== ${group.map((s) => s.name).join(" + ")} ===`);
    const runnable = group.filter((step) => {
      if (!step.skipUnlessRoot || process.getuid?.() === 0) return true;
      console.log(`${step.name} skipped: needs root (run \`sudo npm run test:deploy\` for it alone)`);
      skippedSteps++;
      return false;
    });
    const ok = await Promise.all(runnable.map(run));
    const failed = runnable.find((_, i) => !ok[i]);
    if (failed) {
      failedStep = failed.name;
      break;
    }
  }

  const c = counts();
  console.log(`\n${timings.join(" · ")}`);
  if (failedStep) console.log(`FAILED at step: ${failedStep}`);
  if (failedStep && c.failed === 0) c.failed = 1; // a failed typecheck, lint or build still fails the run
  c.skipped += skippedSteps;
  console.log(`tests: ${c.passed} passed, ${c.failed} failed, ${c.skipped} skipped`);
  process.exit(failedStep ? 1 : 0);
}

void main();
