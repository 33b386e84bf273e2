/**
 * The manifest editor's keystroke→marker latency in Chromium: on a node's running config, the
 * value of `machine.type` is retyped ~30 times, alternately invalid and valid, and each sample is
 * the time from the last keystroke's model change to the moment lib/config's markers reflect it
 * (debounce + validation + setModelMarkers), measured inside the page with performance.now().
 *
 * Runs against MINOS_BENCH_URL, or starts its own Minos (`scripts/start.ts`, simulated fleet, a
 * free port) when a production build exists.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";

import { chromium, type Page } from "@playwright/test";

import { findChromium } from "../e2e/chromium";
import type { BenchRow } from "@/test/bench/types";

const SUITE = "config editor";
const EDITS = 30;
const root = path.resolve(__dirname, "..");

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function waitForHealth(url: string, child: ChildProcess, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`Minos exited during startup (exit ${child.exitCode})`);
    try {
      if ((await fetch(new URL("/api/health", url))).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(`Minos did not answer at ${url} within ${timeoutMs / 1000} s`);
}

async function startMinos(): Promise<{ url: string; stop: () => Promise<void> }> {
  const port = await freePort();
  const child = spawn(process.execPath, [path.join(root, "node_modules", "tsx", "dist", "cli.mjs"), path.join(root, "scripts", "start.ts")], {
    cwd: root,
    stdio: ["ignore", "ignore", "inherit"],
    env: {
      ...process.env,
      PORT: String(port),
      MINOS_HOST: "127.0.0.1",
      MINOS_SIM: "1",
      MINOS_STATE_DIR: mkdtempSync(path.join(tmpdir(), "minos-bench-")),
      // Its own loopback range, so a running `npm start` or e2e run never collides.
      MINOS_SIM_ARGS: "--first-address 127.0.72.1 --control-port 0",
      NEXT_TELEMETRY_DISABLED: "1",
    },
  });
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode !== null) return;
    const exited = new Promise((r) => child.once("exit", r));
    child.kill("SIGTERM");
    await Promise.race([exited, new Promise((r) => setTimeout(r, 8_000))]);
  };
  try {
    await waitForHealth(url, child);
  } catch (e) {
    await stop();
    throw e;
  }
  return { url, stop };
}

function percentile(sorted: number[], p: number): number {
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

/** Opens the first node's config (a control plane: the longest) and waits for its first validation. */
async function openEditor(page: Page, base: string): Promise<string> {
  const clusters = (await (await fetch(new URL("/api/clusters", base))).json()) as { clusters: { name: string; nodes: string[] }[] };
  const cluster = clusters.clusters.find((c) => c.nodes.length > 0);
  const query = cluster ? `?node=${encodeURIComponent(`${cluster.nodes[0]}@${cluster.name}`)}` : "";
  await page.goto(new URL(`/config${query}`, base).href);
  await page.getByRole("status", { name: "Validation status" }).filter({ hasText: /Valid|Invalid/ }).waitFor({ timeout: 60_000 });
  // Validation runs on the text while Monaco's chunk may still be loading: wait for the editor too.
  await page.getByRole("textbox", { name: /^Machine config/ }).waitFor({ state: "attached", timeout: 60_000 });
  await page.waitForFunction(() => (window as unknown as { monaco?: { editor: { getEditors(): unknown[] } } }).monaco?.editor.getEditors().length === 1);
  return query;
}

async function measure(base: string): Promise<BenchRow[]> {
  const browser = await chromium.launch({
    executablePath: findChromium(),
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  try {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send("Network.enable");
    const jsUrls = new Set<string>();
    let jsBytes = 0;
    cdp.on("Network.responseReceived", (e) => {
      if (e.type === "Script") jsUrls.add(e.requestId);
    });
    cdp.on("Network.loadingFinished", (e) => {
      if (jsUrls.has(e.requestId)) jsBytes += e.encodedDataLength;
    });

    await openEditor(page, base);
    const setup = await page.evaluate(() => {
      const monaco = (window as unknown as { monaco: typeof import("../components/monaco/monaco-setup").monaco }).monaco;
      const editor = monaco.editor.getEditors()[0]!;
      const model = editor.getModel()!;
      const line = model.getLinesContent().findIndex((l) => /^\s+type: \S+$/.test(l)) + 1;
      const state = { lastEdit: 0, expect: null as null | "error" | "clean", samples: [] as number[], line };
      (window as unknown as { __bench: typeof state }).__bench = state;
      editor.onDidChangeModelContent(() => {
        state.lastEdit = performance.now();
      });
      monaco.editor.onDidChangeMarkers(() => {
        if (!state.expect) return;
        const error = monaco.editor
          .getModelMarkers({ owner: "minos" })
          .some((m) => m.severity === monaco.MarkerSeverity.Error && m.startLineNumber === line);
        if ((state.expect === "error") === error) {
          state.samples.push(performance.now() - state.lastEdit);
          state.expect = null;
        }
      });
      return { line, value: model.getLineContent(line).trim().slice("type: ".length), lines: model.getLineCount() };
    });
    if (setup.line < 1) throw new Error("no `type:` line in the opened config");

    // Cursor to the end of the `type:` line, with the keyboard.
    await page.getByRole("textbox", { name: /^Machine config/ }).focus();
    await page.keyboard.press("ControlOrMeta+Home");
    for (let i = 1; i < setup.line; i++) await page.keyboard.press("ArrowDown");
    await page.keyboard.press("End");

    const validationMs: number[] = [];
    let where = "";
    let current = setup.value;
    for (let i = 0; i < EDITS; i++) {
      const next = i % 2 === 0 ? `wrkr${i}` : setup.value;
      await page.evaluate((expect) => {
        (window as unknown as { __bench: { expect: string } }).__bench.expect = expect;
      }, i % 2 === 0 ? "error" : "clean");
      for (let k = 0; k < current.length; k++) await page.keyboard.press("Backspace");
      await page.keyboard.type(next);
      current = next;
      await page.waitForFunction((n) => (window as unknown as { __bench: { samples: number[] } }).__bench.samples.length > n, i, { timeout: 10_000 });
      const checked = await page.locator("[data-validation-ms]").getAttribute("data-validation-ms");
      if (checked) validationMs.push(Number(checked));
      where = (await page.locator("[data-validation-ms]").textContent())?.match(/\((.*)\)/)?.[1] ?? where;
    }
    const samples = (await page.evaluate(() => (window as unknown as { __bench: { samples: number[] } }).__bench.samples)).sort((a, b) => a - b);
    validationMs.sort((a, b) => a - b);
    const note = `${samples.length} edits of machine.type in a ${setup.lines}-line config; includes the 150 ms debounce`;
    return [
      { suite: SUITE, name: "keystroke→marker p50", value: percentile(samples, 50), unit: "ms", note },
      { suite: SUITE, name: "keystroke→marker p99", value: percentile(samples, 99), unit: "ms", note },
      { suite: SUITE, name: "validateConfig in the browser p50", value: percentile(validationMs, 50), unit: "ms", note: `warm, ${where || "main thread"}` },
      { suite: SUITE, name: "validateConfig in the browser max", value: validationMs[validationMs.length - 1] ?? 0, unit: "ms", note: `warm, ${where || "main thread"}` },
      { suite: SUITE, name: "/config JavaScript transferred", value: Math.round(jsBytes / 1024), unit: "KiB", note: "compressed, Monaco + monaco-yaml + lib/config, editor loaded" },
    ];
  } finally {
    await browser.close();
  }
}

export default async function bench(): Promise<BenchRow[]> {
  const given = process.env.MINOS_BENCH_URL;
  if (given) return measure(given);
  if (!existsSync(path.join(root, ".next", "BUILD_ID"))) {
    return [{ suite: SUITE, name: "keystroke→marker", value: 0, unit: "ms", note: "skipped: MINOS_BENCH_URL not set and no production build (npx next build)" }];
  }
  const minos = await startMinos();
  try {
    return await measure(minos.url);
  } finally {
    await minos.stop();
  }
}
