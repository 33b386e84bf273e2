/**
 * The manifest editor's change→marker latency and main-thread cost in Chromium, on two documents:
 *
 * - a node's running config (the simulator's, ~100–200 lines): the value of `machine.type` is
 *   replaced ~20 times, alternately invalid and valid;
 * - a ~400-line Talos 1.13 control plane (lib/config/testdata/controlplane-1.13.yaml, uploaded
 *   through the page's own "Upload YAML…" input): the same edits, then a burst of typing at a
 *   person's pace (a key every 75 ms) during which the page's frames are recorded.
 *
 * change→marker: from the model change (one edit: the line's value replaced) to the moment
 * lib/config's markers reflect it (debounce + validation + setModelMarkers), measured inside the
 * page with performance.now(). One edit per sample, so a validation of a half-typed word can
 * never be mistaken for the answer to the finished one.
 *
 * Main-thread work per frame: from a Chrome trace of the typing burst, the renderer main
 * thread's task time between consecutive main-frame starts (BeginMainThreadFrame; a
 * requestAnimationFrame loop keeps frames coming). p95 under 16 ms: typing never costs a frame.
 * The rAF intervals are reported too (at 60 Hz they sit at 16.7 ms when no frame is dropped).
 *
 * Each figure is the median over MINOS_BENCH_RUNS runs (default 3; a fresh browser context
 * each). MINOS_BENCH_BASELINE_DIST=<dist dir> also starts a server from that build (e.g. one of
 * the code before a change, `MINOS_DIST_DIR=.next-base npx next build`) and measures both,
 * alternating, in the same run, with this build ÷ baseline ratios.
 *
 * Starts its own Minos (`scripts/start.ts`, simulated fleet, a free port, signed in through the
 * first-start link) when a production build exists; or runs against MINOS_BENCH_URL, a fresh
 * server whose state dir is MINOS_BENCH_STATE_DIR.
 */
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";

import { chromium, type Browser, type Page } from "@playwright/test";

import { findChromium } from "../e2e/chromium";
import { defaultDistDir, hasBuild, signIn, startMinos, type Minos, type StorageState } from "@/test/bench/minos-server";
import { median, percentile } from "@/test/bench/stats";
import type { BenchRow } from "@/test/bench/types";

const SUITE = "config editor";
const EDITS = 20;
/** A key every 75 ms: a steady typist (the brief's 50–100 ms). */
const TYPING_DELAY_MS = 75;
const RUNS = Math.max(1, Number(process.env.MINOS_BENCH_RUNS ?? 3));
const root = path.resolve(__dirname, "..");
const LARGE_FILE = path.join(root, "lib", "config", "testdata", "controlplane-1.13.yaml");
/** The line whose value is replaced: the v1alpha1 document's `machine.type`. */
const TYPE_LINE = /^ {4}type: (controlplane|worker|init)$/;

interface Target {
  label: string | null;
  url: string;
  auth: StorageState;
}

type MonacoGlobal = typeof import("../components/monaco/monaco-setup").monaco;
interface BenchState {
  lastEdit: number;
  expect: null | "error" | "clean";
  samples: number[];
  line: number;
  listener: { dispose(): void } | null;
}
type BenchWindow = Window & { monaco: MonacoGlobal; __bench: BenchState; __frames: { intervals: number[]; running: boolean } };

/** Opens the first node's config (a control plane: the longest) and waits for its first validation. */
async function openEditor(page: Page, base: string): Promise<void> {
  const res = await page.request.get(new URL("/api/clusters", base).href);
  if (!res.ok()) throw new Error(`GET /api/clusters: HTTP ${res.status()}`);
  const clusters = (await res.json()) as { clusters: { name: string; nodes: string[] }[] };
  const cluster = clusters.clusters.find((c) => c.nodes.length > 0);
  const query = cluster ? `?node=${encodeURIComponent(`${cluster.nodes[0]}@${cluster.name}`)}` : "";
  await page.goto(new URL(`/config${query}`, base).href);
  await waitForVerdict(page);
  // Validation runs on the text while Monaco's chunk may still be loading: wait for the editor too.
  await page.getByRole("textbox", { name: /^Machine config/ }).waitFor({ state: "attached", timeout: 60_000 });
  await page.waitForFunction(() => (window as unknown as BenchWindow).monaco?.editor.getEditors().length === 1);
}

async function waitForVerdict(page: Page): Promise<void> {
  await page.getByRole("status", { name: "Validation status" }).filter({ hasText: /Valid|Invalid/ }).waitFor({ timeout: 60_000 });
}

/**
 * Hooks the open model: each marker change that matches the expected verdict on the `type:`
 * line records the time since the last content change. Returns the line and its value.
 */
async function installProbe(page: Page): Promise<{ line: number; value: string; lines: number }> {
  const setup = await page.evaluate((source) => {
    const w = window as unknown as BenchWindow;
    const monaco = w.monaco;
    const editor = monaco.editor.getEditors()[0]!;
    const model = editor.getModel()!;
    const pattern = new RegExp(source);
    const line = model.getLinesContent().findIndex((l) => pattern.test(l)) + 1;
    const fresh = !w.__bench;
    const state: BenchState = w.__bench ?? { lastEdit: 0, expect: null, samples: [], line, listener: null };
    state.line = line;
    state.samples = [];
    state.expect = null;
    w.__bench = state;
    // On the model now open (another source may have brought another editor or model).
    state.listener?.dispose();
    state.listener = model.onDidChangeContent(() => {
      state.lastEdit = performance.now();
    });
    if (fresh) {
      monaco.editor.onDidChangeMarkers(() => {
        if (!state.expect) return;
        const error = monaco.editor
          .getModelMarkers({ owner: "minos" })
          .some((m) => m.severity === monaco.MarkerSeverity.Error && m.startLineNumber === state.line);
        if ((state.expect === "error") === error) {
          state.samples.push(performance.now() - state.lastEdit);
          state.expect = null;
        }
      });
    }
    return { line, value: model.getLineContent(line).trim().slice("type: ".length), lines: model.getLineCount() };
  }, TYPE_LINE.source);
  if (setup.line < 1) throw new Error("no `machine.type` line in the opened config");
  return setup;
}

/** Puts the cursor at the end of a line, with the keyboard (the editor has focus). */
async function cursorToLineEnd(page: Page, line: number): Promise<void> {
  await page.getByRole("textbox", { name: /^Machine config/ }).focus();
  await page.keyboard.press("ControlOrMeta+Home");
  for (let i = 1; i < line; i++) await page.keyboard.press("ArrowDown");
  await page.keyboard.press("End");
}

/** EDITS replacements of the `type:` line's value; the change→marker time of each, in ms. */
async function changeToMarker(page: Page): Promise<{ samples: number[]; lines: number; validationMs: number[]; where: string }> {
  const setup = await installProbe(page);
  await cursorToLineEnd(page, setup.line);
  const validationMs: number[] = [];
  let where = "";
  for (let i = 0; i < EDITS; i++) {
    const invalid = i % 2 === 0;
    const expect: BenchState["expect"] = invalid ? "error" : "clean";
    await page.evaluate((e) => {
      (window as unknown as BenchWindow).__bench.expect = e;
    }, expect);
    // Select from the end of the line back to its first character and type over it: one model change.
    await page.keyboard.press("Shift+Home");
    await page.keyboard.insertText(`type: ${invalid ? `wrkr${i}` : setup.value}`);
    await page.waitForFunction((n) => (window as unknown as BenchWindow).__bench.samples.length > n, i, { timeout: 10_000 });
    const checked = await page.locator("[data-validation-ms]").getAttribute("data-validation-ms");
    if (checked) validationMs.push(Number(checked));
    where = (await page.locator("[data-validation-ms]").textContent())?.match(/\((.*)\)/)?.[1] ?? where;
  }
  const samples = await page.evaluate(() => (window as unknown as BenchWindow).__bench.samples);
  return { samples, lines: setup.lines, validationMs, where };
}

/** Opens the ~400-line config the way an operator would: "Upload YAML…", then Talos 1.13. */
async function openLargeConfig(page: Page): Promise<void> {
  await page.locator('input[type="file"]').setInputFiles({ name: "controlplane-1.13.yaml", mimeType: "application/yaml", buffer: readFileSync(LARGE_FILE) });
  const replace = page.getByRole("alertdialog").getByRole("button", { name: /^Open / });
  if (await replace.isVisible().catch(() => false)) await replace.click();
  await page.getByLabel("Talos version", { exact: true }).selectOption("1.13");
  const lines = readFileSync(LARGE_FILE, "utf8").split("\n").length;
  await page.waitForFunction((n) => ((window as unknown as BenchWindow).monaco.editor.getEditors()[0]?.getModel()?.getLineCount() ?? 0) >= n - 1, lines);
  await waitForVerdict(page);
}

interface TraceEvent {
  name: string;
  cat?: string;
  ph: string;
  ts: number;
  dur?: number;
  /** Thread (CPU) time of a complete event, µs: without the time the thread was preempted. */
  tdur?: number;
  pid: number;
  tid: number;
  args?: { name?: string };
}

/**
 * The renderer main thread's task time in each frame: between consecutive BeginMainThreadFrame
 * events of the page's CrRendererMain, the sum of its top-level tasks' time inside the interval,
 * in ms, as wall time and as the thread's CPU time (a task cut by a frame start counts its CPU
 * time pro rata). On a shared machine the wall figure also holds time the thread waited for a
 * core; the CPU figure is the page's own work.
 */
export function mainThreadWorkPerFrame(events: TraceEvent[]): { wall: number[]; cpu: number[]; spanMs: number } {
  const mains = new Set(events.filter((e) => e.name === "thread_name" && e.args?.name === "CrRendererMain").map((e) => `${e.pid}:${e.tid}`));
  const frameStarts = new Map<string, number[]>();
  for (const e of events) {
    const key = `${e.pid}:${e.tid}`;
    if (e.name === "BeginMainThreadFrame" && mains.has(key)) frameStarts.set(key, [...(frameStarts.get(key) ?? []), e.ts]);
  }
  // The page's renderer is the one drawing frames (the rAF loop keeps it at one per vsync).
  const [thread, starts] = [...frameStarts].sort((a, b) => b[1].length - a[1].length)[0] ?? [];
  if (!thread || !starts || starts.length < 2) return { wall: [], cpu: [], spanMs: 0 };
  starts.sort((a, b) => a - b);
  const tasks = events
    .filter((e) => e.ph === "X" && e.name === "RunTask" && `${e.pid}:${e.tid}` === thread && e.dur !== undefined)
    .map((e) => ({ from: e.ts, to: e.ts + e.dur!, cpuShare: e.dur! > 0 ? (e.tdur ?? e.dur!) / e.dur! : 1 }))
    .sort((a, b) => a.from - b.from);
  const wall: number[] = [];
  const cpu: number[] = [];
  let first = 0;
  for (let i = 0; i + 1 < starts.length; i++) {
    const [from, to] = [starts[i]!, starts[i + 1]!];
    while (first < tasks.length && tasks[first]!.to <= from) first++;
    let busy = 0;
    let busyCpu = 0;
    for (let k = first; k < tasks.length && tasks[k]!.from < to; k++) {
      const overlap = Math.max(0, Math.min(to, tasks[k]!.to) - Math.max(from, tasks[k]!.from));
      busy += overlap;
      busyCpu += overlap * tasks[k]!.cpuShare;
    }
    wall.push(busy / 1000);
    cpu.push(busyCpu / 1000);
  }
  return { wall, cpu, spanMs: (starts[starts.length - 1]! - starts[0]!) / 1000 };
}

/**
 * Types two cert SANs into the large config at a steady pace while recording frames: the rAF
 * intervals in the page and the main thread's work per frame from a Chrome trace.
 */
async function typingFrames(browser: Browser, page: Page): Promise<{ work: ReturnType<typeof mainThreadWorkPerFrame>; intervals: number[] }> {
  const line = await page.evaluate(() => {
    const model = (window as unknown as BenchWindow).monaco.editor.getEditors()[0]!.getModel()!;
    return model.getLinesContent().findIndex((l) => l.trim() === "- talos-api.example.internal") + 1;
  });
  if (line < 1) throw new Error("no `talos-api.example.internal` cert SAN in the large config");
  await cursorToLineEnd(page, line);
  // A string: tsx would wrap a named function in a helper (__name) the page does not have.
  await page.evaluate(`(() => {
    const frames = { intervals: [], running: true };
    window.__frames = frames;
    let last = null;
    const loop = (t) => {
      if (last !== null) frames.intervals.push(t - last);
      last = t;
      if (frames.running) requestAnimationFrame(loop);
    };
    requestAnimationFrame(loop);
  })()`);
  // "-*" first: without it Chrome also records every category it enables by default (blink, cc,
  // toplevel, …), ~12× the events, and its tracing process took a third of a core while the
  // page was measured: on two cores, time the page then waited for.
  const categories = ["-*", "disabled-by-default-devtools.timeline", "disabled-by-default-devtools.timeline.frame"];
  // With MINOS_BENCH_TRACE, what DevTools shows of a frame too: style, layout, paint, JavaScript samples.
  if (process.env.MINOS_BENCH_TRACE) categories.push("devtools.timeline", "disabled-by-default-v8.cpu_profiler");
  await browser.startTracing(page, { categories });
  for (const san of ["ingress-01.example.internal", "ingress-02.example.internal"]) {
    await page.keyboard.press("Enter");
    await page.waitForTimeout(TYPING_DELAY_MS);
    await page.keyboard.type(`- ${san}`, { delay: TYPING_DELAY_MS });
    // Close a completion list, if one opened, so that the next Enter starts a line.
    await page.keyboard.press("Escape");
    await page.waitForTimeout(TYPING_DELAY_MS);
  }
  // The last keystroke's validation lands inside the recording.
  await page.waitForTimeout(400);
  const raw = await browser.stopTracing();
  // MINOS_BENCH_TRACE=<dir>: keep the traces, to open in DevTools and see where a frame's time goes.
  if (process.env.MINOS_BENCH_TRACE) writeFileSync(path.join(process.env.MINOS_BENCH_TRACE, `editor-typing-${Date.now()}.json`), raw);
  const trace = JSON.parse(raw.toString("utf8")) as { traceEvents: TraceEvent[] };
  const intervals = await page.evaluate(() => {
    const frames = (window as unknown as BenchWindow).__frames;
    frames.running = false;
    return frames.intervals;
  });
  return { work: mainThreadWorkPerFrame(trace.traceEvents), intervals };
}

interface RunFigures {
  smallLines: number;
  small: number[];
  largeLines: number;
  large: number[];
  validationMs: number[];
  where: string;
  frameWork: number[];
  frameCpu: number[];
  frameIntervals: number[];
  /** The traced frames' time, from the first frame start to the last, in ms. */
  framesSpanMs: number;
  jsKiB: number;
}

async function measureOnce(browser: Browser, target: Target): Promise<RunFigures> {
  const base = target.url;
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, storageState: target.auth });
  try {
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

    // The page's own errors, to say why a step timed out.
    const pageErrors: string[] = [];
    page.on("pageerror", (e) => pageErrors.push(e.message));
    page.on("console", (m) => {
      if (m.type() === "error") pageErrors.push(m.text());
    });
    const step = async <T>(name: string, run: () => Promise<T>): Promise<T> => {
      try {
        return await run();
      } catch (e) {
        if (process.env.MINOS_BENCH_TRACE) await page.screenshot({ path: path.join(process.env.MINOS_BENCH_TRACE, `editor-failed-${Date.now()}.png`) }).catch(() => {});
        throw new Error(`${name}: ${e instanceof Error ? e.message : String(e)}${pageErrors.length ? `\npage errors:\n${pageErrors.join("\n")}` : ""}`);
      }
    };
    await step("open the node's config", () => openEditor(page, base));
    const small = await step("edit the node's config", () => changeToMarker(page));
    await step("upload the large config", () => openLargeConfig(page));
    const large = await step("edit the large config", () => changeToMarker(page));
    const frames = await step("type into the large config", () => typingFrames(browser, page));
    return {
      smallLines: small.lines,
      small: small.samples,
      largeLines: large.lines,
      large: large.samples,
      validationMs: large.validationMs,
      where: large.where,
      frameWork: frames.work.wall,
      frameCpu: frames.work.cpu,
      frameIntervals: frames.intervals,
      framesSpanMs: frames.work.spanMs,
      jsKiB: Math.round(jsBytes / 1024),
    };
  } finally {
    await context.close();
  }
}

/** Per-run statistics, then their median over the runs. */
function summarize(runs: RunFigures[]) {
  const med = (f: (r: RunFigures) => number) => median(runs.map(f));
  return {
    smallLines: runs[0]!.smallLines,
    largeLines: runs[0]!.largeLines,
    smallP50: med((r) => percentile(r.small, 50)),
    smallP95: med((r) => percentile(r.small, 95)),
    largeP50: med((r) => percentile(r.large, 50)),
    largeP95: med((r) => percentile(r.large, 95)),
    validationP50: med((r) => percentile(r.validationMs, 50)),
    where: runs.map((r) => r.where).find(Boolean) || "main thread",
    workP95: med((r) => percentile(r.frameWork, 95)),
    cpuP95: med((r) => percentile(r.frameCpu, 95)),
    workMax: med((r) => Math.max(...r.frameWork)),
    // Over the traced frames only: the rAF loop also runs while the trace is being stopped.
    busyShare: med((r) => r.frameWork.reduce((a, b) => a + b, 0) / Math.max(1, r.framesSpanMs)),
    intervalP95: med((r) => percentile(r.frameIntervals, 95)),
    frames: med((r) => r.frameWork.length),
    jsKiB: med((r) => r.jsKiB),
  };
}

type Summary = ReturnType<typeof summarize>;

function rows(s: Summary, label: string | null): BenchRow[] {
  const tag = (name: string) => (label ? `[${label}] ${name}` : name);
  const runs = `median of ${RUNS} run${RUNS === 1 ? "" : "s"}`;
  const small = `${EDITS} edits of machine.type in the node's ${s.smallLines}-line config, ${runs}`;
  const large = `${EDITS} edits of machine.type in a ${s.largeLines}-line 1.13 control plane, ${runs}`;
  const typing = `typing 2 cert SANs (a key every ${TYPING_DELAY_MS} ms) in the ${s.largeLines}-line config, ~${Math.round(s.frames)} frames, ${runs}`;
  return [
    { suite: SUITE, name: tag("node config change→marker p50"), value: s.smallP50, unit: "ms", note: small },
    { suite: SUITE, name: tag("node config change→marker p95"), value: s.smallP95, unit: "ms", note: small },
    { suite: SUITE, name: tag("400-line change→marker p50"), value: s.largeP50, unit: "ms", note: `${large}; target ≤ 150` },
    { suite: SUITE, name: tag("400-line change→marker p95"), value: s.largeP95, unit: "ms", note: large },
    { suite: SUITE, name: tag("400-line validateConfig in the browser p50"), value: s.validationP50, unit: "ms", note: `warm, ${s.where}` },
    { suite: SUITE, name: tag("main-thread work per frame while typing p95"), value: s.workP95, unit: "ms", note: `wall time; ${typing}; target < 16` },
    { suite: SUITE, name: tag("main-thread CPU per frame while typing p95"), value: s.cpuP95, unit: "ms", note: `thread CPU time, without waits for a core; ${typing}` },
    { suite: SUITE, name: tag("main-thread work per frame while typing max"), value: s.workMax, unit: "ms", note: `wall time; ${typing}` },
    { suite: SUITE, name: tag("main thread busy while typing"), value: Math.round(s.busyShare * 1000) / 10, unit: "%", note: `wall time of tasks ÷ time; ${typing}` },
    { suite: SUITE, name: tag("rAF frame interval while typing p95"), value: s.intervalP95, unit: "ms", note: `${typing}; 16.7 = no frame dropped at 60 Hz` },
    { suite: SUITE, name: tag("/config JavaScript transferred"), value: s.jsKiB, unit: "KiB", note: "compressed, Monaco + monaco-yaml + lib/config, editor loaded" },
  ];
}

function launch(): Promise<Browser> {
  return chromium.launch({
    executablePath: findChromium(),
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
}

/** Measures each target RUNS times, alternating between them, so that load drift hits all alike. */
async function measure(targets: Target[]): Promise<BenchRow[]> {
  const browser = await launch();
  try {
    const runs = new Map<string | null, RunFigures[]>(targets.map((t) => [t.label, []]));
    for (let i = 0; i < RUNS; i++) {
      for (const t of targets) runs.get(t.label)!.push(await measureOnce(browser, t));
    }
    const summaries = targets.map((t) => ({ label: t.label, summary: summarize(runs.get(t.label)!) }));
    const out = summaries.flatMap(({ label, summary }) => rows(summary, label));
    const [mine, base] = summaries;
    if (base && mine) {
      const ratio = (name: string, a: number, b: number) => ({ suite: SUITE, name: `${name}, this build ÷ baseline`, value: b > 0 ? a / b : 0, unit: "×", note: "same run" });
      out.push(
        ratio("400-line change→marker p50", mine.summary.largeP50, base.summary.largeP50),
        ratio("node config change→marker p50", mine.summary.smallP50, base.summary.smallP50),
        ratio("main-thread work per frame while typing p95", mine.summary.workP95, base.summary.workP95),
        ratio("main-thread CPU per frame while typing p95", mine.summary.cpuP95, base.summary.cpuP95),
        ratio("main thread busy while typing", mine.summary.busyShare, base.summary.busyShare),
      );
    }
    return out;
  } finally {
    await browser.close();
  }
}

export default async function bench(): Promise<BenchRow[]> {
  const given = process.env.MINOS_BENCH_URL;
  if (given) return measure([{ label: null, url: given, auth: (await signIn(given, process.env.MINOS_BENCH_STATE_DIR ?? "")).storageState }]);
  const dist = defaultDistDir();
  if (!hasBuild(dist)) {
    return [{ suite: SUITE, name: "change→marker", value: 0, unit: "ms", note: "skipped: MINOS_BENCH_URL not set and no production build (npx next build)" }];
  }
  const baseDist = process.env.MINOS_BENCH_BASELINE_DIST;
  if (baseDist && !hasBuild(baseDist)) throw new Error(`MINOS_BENCH_BASELINE_DIST=${baseDist} holds no build`);
  const servers: { label: string | null; minos: Minos }[] = [];
  try {
    servers.push({ label: baseDist ? "this build" : null, minos: await startMinos({ distDir: dist, firstAddress: "127.0.72.1" }) });
    if (baseDist) servers.push({ label: "baseline", minos: await startMinos({ distDir: baseDist, firstAddress: "127.0.74.1" }) });
    const targets: Target[] = [];
    for (const s of servers) targets.push({ label: s.label, url: s.minos.url, auth: (await signIn(s.minos.url, s.minos.stateDir)).storageState });
    return await measure(targets);
  } finally {
    for (const s of servers) await s.minos.stop();
  }
}
