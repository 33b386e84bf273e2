/**
 * Page weight: the JavaScript a signed-in browser downloads for the overview (/), the nodes page
 * (/nodes) and the config page (/config), from a production build, with a cold cache.
 *
 * Each page is loaded in a fresh Chromium context (cache disabled) until the network is quiet
 * (no request in flight for 1.5 s, the page's SSE stream excepted), and every script response
 * (the page's and its workers') is counted with its encoded body size, the bytes of the body
 * as Chromium received them (compressed when the server compressed it): Playwright's
 * `request.sizes().responseBodySize`, from CDP's encodedDataLength. The same with the response
 * headers (DevTools' "transferred"; Minos's security headers are ~0.9 KiB a response) is in the
 * note. Lazy chunks the page loads by itself before it is idle
 * (next/dynamic, Link prefetches) count: moving code off the critical path does not hide it here
 * unless the page no longer needs it.
 *
 * /config is measured twice: with Monaco (a wide window, the default) and with the plain-text
 * editor chosen (localStorage), which never imports Monaco. The scripts only the Monaco load
 * fetched are Monaco's lazy chunks; the target applies to the rest.
 *
 * Runs against MINOS_BENCH_URL (signing in there is up to you: MINOS_BENCH_STORAGE names a
 * Playwright storage state), or starts its own Minos (`scripts/start.ts`, simulated fleet, a free
 * port, signed in as the first admin through the bootstrap link) from the production build in
 * MINOS_DIST_DIR (default .next). MINOS_BENCH_BASELINE_DIST names a second build (e.g. one of the
 * unchanged code) measured in the same run, for a before/after ratio.
 */
import { chromium, type Browser, type Request, type Response } from "@playwright/test";

import { findChromium } from "../e2e/chromium";
import { defaultDistDir, hasBuild, signIn, startMinos, type StorageState } from "@/test/bench/minos-server";
import type { BenchRow } from "@/test/bench/types";

const SUITE = "page weight";
const RUNS = 3;
const KiB = 1024;

/** The issue's targets, in KiB of script transferred. */
const TARGETS = { overview: 150, nodes: 150, config: 1024 } as const;

interface Script {
  url: string;
  /** Bytes received for the response: headers and (compressed) body. */
  transferred: number;
  /** The response body as received (compressed when the server compressed it). */
  body: number;
  encoding: string;
}

/** Loads `pathname` in a fresh context and returns the scripts it fetched until the network went quiet. */
async function loadScripts(browser: Browser, base: string, storageState: string | StorageState | undefined, pathname: string, plainEditor: boolean): Promise<Script[]> {
  // A fresh context has an empty cache: every load is a first visit.
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, storageState });
  try {
    if (plainEditor) await context.addInitScript(() => window.localStorage.setItem("minos.config.plainEditor", "1"));
    const page = await context.newPage();

    // Playwright's request events cover the page and its workers (a worker's script is fetched
    // by the page but finishes in the worker's own session, which a page CDP session never sees).
    const inflight = new Map<Request, string>();
    let lastActivity = Date.now();
    const pending: Promise<Script | null>[] = [];
    const done = (r: Request) => {
      inflight.delete(r);
      lastActivity = Date.now();
    };
    const onRequest = (r: Request) => {
      // The page's SSE stream never ends: it must not keep the page from counting as busy.
      if (r.resourceType() === "eventsource") return;
      inflight.set(r, `${r.resourceType()} ${r.url()}`);
      lastActivity = Date.now();
    };
    const onResponse = (res: Response) => {
      if ((res.headers()["content-type"] ?? "").startsWith("text/event-stream")) done(res.request());
    };
    const onFinished = (r: Request) => {
      done(r);
      pending.push(scriptOf(r));
    };
    context.on("request", onRequest);
    context.on("response", onResponse);
    context.on("requestfinished", onFinished);
    context.on("requestfailed", done);

    const res = await page.goto(new URL(pathname, base).href, { waitUntil: "load", timeout: 60_000 });
    if (!res?.ok()) throw new Error(`${pathname}: HTTP ${res?.status()}`);
    const landed = new URL(page.url()).pathname;
    if (landed !== pathname) throw new Error(`${pathname}: landed on ${landed} (not signed in?)`);
    const deadline = Date.now() + 60_000;
    while (inflight.size > 0 || Date.now() - lastActivity < 1_500) {
      if (Date.now() > deadline) throw new Error(`${pathname}: the network never went quiet (in flight: ${[...inflight.values()].join(", ")})`);
      await new Promise((r) => setTimeout(r, 100));
    }
    context.off("request", onRequest);
    context.off("response", onResponse);
    context.off("requestfinished", onFinished);
    context.off("requestfailed", done);
    return (await Promise.all(pending)).filter((s): s is Script => s !== null);
  } finally {
    await context.close();
  }
}

/** A finished request's sizes, if it was a script (Chromium's figures: encodedDataLength). */
async function scriptOf(r: Request): Promise<Script | null> {
  const res = await r.response();
  if (!res) return null;
  const type = res.headers()["content-type"] ?? "";
  if (r.resourceType() !== "script" && !/javascript/.test(type)) return null;
  const sizes = await r.sizes();
  return {
    url: r.url(),
    // A worker's second fetch of a chunk the page has (served from memory) reports negative sizes.
    transferred: Math.max(0, sizes.responseHeadersSize + sizes.responseBodySize),
    body: Math.max(0, sizes.responseBodySize),
    encoding: res.headers()["content-encoding"] ?? "identity",
  };
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

const sum = (scripts: Script[], key: "transferred" | "body") => scripts.reduce((n, s) => n + s[key], 0);
const kib = (bytes: number) => Math.round((bytes / KiB) * 10) / 10;
/** A chunk's name without the build's query string (Turbopack adds `?dpl=` in some setups). */
const chunkName = (url: string) => new URL(url).pathname;

interface PageFigures {
  overview: Script[][];
  nodes: Script[][];
  configMonaco: Script[][];
  configPlain: Script[][];
}

async function measure(base: string, storageState: string | StorageState | undefined): Promise<PageFigures> {
  const browser = await chromium.launch({
    executablePath: findChromium(),
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  try {
    const figures: PageFigures = { overview: [], nodes: [], configMonaco: [], configPlain: [] };
    for (let i = 0; i < RUNS; i++) {
      figures.overview.push(await loadScripts(browser, base, storageState, "/", false));
      figures.nodes.push(await loadScripts(browser, base, storageState, "/nodes", false));
      figures.configMonaco.push(await loadScripts(browser, base, storageState, "/config", false));
      figures.configPlain.push(await loadScripts(browser, base, storageState, "/config", true));
    }
    if (process.env.MINOS_BENCH_VERBOSE) {
      for (const [name, loads] of Object.entries(figures) as [string, Script[][]][]) {
        console.error(`\n${name}:`);
        for (const s of [...loads[0]!].sort((a, b) => b.body - a.body)) console.error(`  ${kib(s.body).toFixed(1).padStart(8)} KiB  ${s.encoding.padEnd(8)} ${chunkName(s.url)}`);
      }
    }
    return figures;
  } finally {
    await browser.close();
  }
}

/** The Monaco load's scripts that the plain-editor load of the same page never fetched. */
function monacoOnly(monaco: Script[], plain: Script[][]): Script[] {
  const without = new Set(plain.flatMap((load) => load.map((s) => chunkName(s.url))));
  return monaco.filter((s) => !without.has(chunkName(s.url)));
}

interface Summary {
  overview: number;
  nodes: number;
  config: number;
  overviewWithHeaders: number;
  nodesWithHeaders: number;
  configWithHeaders: number;
  monacoLazy: number;
  configTotal: number;
  counts: { overview: number; nodes: number; config: number };
  encodings: string;
}

function summarise(f: PageFigures): Summary {
  const configBefore = f.configMonaco.map((load) => {
    const lazy = new Set(monacoOnly(load, f.configPlain).map((s) => s.url));
    return load.filter((s) => !lazy.has(s.url));
  });
  const encodings = [...new Set([...f.overview, ...f.nodes, ...f.configMonaco].flat().map((s) => s.encoding))].sort().join("/");
  return {
    overview: median(f.overview.map((l) => sum(l, "body"))),
    nodes: median(f.nodes.map((l) => sum(l, "body"))),
    config: median(configBefore.map((l) => sum(l, "body"))),
    overviewWithHeaders: median(f.overview.map((l) => sum(l, "transferred"))),
    nodesWithHeaders: median(f.nodes.map((l) => sum(l, "transferred"))),
    configWithHeaders: median(configBefore.map((l) => sum(l, "transferred"))),
    monacoLazy: median(f.configMonaco.map((l) => sum(monacoOnly(l, f.configPlain), "body"))),
    configTotal: median(f.configMonaco.map((l) => sum(l, "body"))),
    counts: { overview: median(f.overview.map((l) => l.length)), nodes: median(f.nodes.map((l) => l.length)), config: median(configBefore.map((l) => l.length)) },
    encodings,
  };
}

function rows(s: Summary, label: string, baseline?: Summary): BenchRow[] {
  const tag = label ? ` (${label})` : "";
  const verdict = (value: number, target: number) => `${value <= target * KiB ? "meets" : "misses"} the ${target >= KiB ? `${target / KiB} MiB` : `${target} KiB`} target`;
  const ratio = (now: number, before: number | undefined) => (before ? `; ${(now / before).toFixed(2)}× the baseline's ${kib(before)} KiB` : "");
  const common = `median of ${RUNS} cold loads, signed in, script response bodies as received (${s.encodings}; Playwright request.sizes())`;
  return [
    {
      suite: SUITE,
      name: `/ (overview) JS transferred${tag}`,
      value: kib(s.overview),
      unit: "KiB",
      note: `${verdict(s.overview, TARGETS.overview)}; ${s.counts.overview} scripts, ${kib(s.overviewWithHeaders)} KiB with response headers${ratio(s.overview, baseline?.overview)}; ${common}`,
    },
    {
      suite: SUITE,
      name: `/nodes JS transferred${tag}`,
      value: kib(s.nodes),
      unit: "KiB",
      note: `${verdict(s.nodes, TARGETS.nodes)}; ${s.counts.nodes} scripts, ${kib(s.nodesWithHeaders)} KiB with response headers${ratio(s.nodes, baseline?.nodes)}; ${common}`,
    },
    {
      suite: SUITE,
      name: `/config JS before Monaco's lazy chunks${tag}`,
      value: kib(s.config),
      unit: "KiB",
      note: `${verdict(s.config, TARGETS.config)}; ${s.counts.config} scripts, ${kib(s.configWithHeaders)} KiB with response headers${ratio(s.config, baseline?.config)}; Monaco's lazy chunks (only fetched when Monaco, not the plain editor, is shown) excluded`,
    },
    {
      suite: SUITE,
      name: `/config JS with Monaco's lazy chunks${tag}`,
      value: kib(s.configTotal),
      unit: "KiB",
      note: `of which Monaco's lazy chunks ${kib(s.monacoLazy)} KiB${ratio(s.configTotal, baseline?.configTotal)}; no target`,
    },
  ];
}

export default async function bench(): Promise<BenchRow[]> {
  const given = process.env.MINOS_BENCH_URL;
  if (given) return rows(summarise(await measure(given, process.env.MINOS_BENCH_STORAGE)), "");
  const distDir = defaultDistDir();
  if (!hasBuild(distDir)) {
    return [{ suite: SUITE, name: "JS transferred", value: 0, unit: "KiB", note: `skipped: MINOS_BENCH_URL not set and no production build in ${distDir} (npx next build)` }];
  }
  const measureBuild = async (dir: string, firstAddress: string) => {
    const minos = await startMinos({ distDir: dir, firstAddress, stateDirPrefix: "minos-weight-" });
    try {
      const { storageState } = await signIn(minos.url, minos.stateDir);
      return summarise(await measure(minos.url, storageState));
    } finally {
      await minos.stop();
    }
  };
  const baselineDir = process.env.MINOS_BENCH_BASELINE_DIST;
  if (!baselineDir) return rows(await measureBuild(distDir, "127.0.74.1"), "");
  if (!hasBuild(baselineDir)) throw new Error(`MINOS_BENCH_BASELINE_DIST: no production build in ${baselineDir}`);
  const before = await measureBuild(baselineDir, "127.0.75.1");
  const after = await measureBuild(distDir, "127.0.74.1");
  return [...rows(before, `baseline ${baselineDir}`), ...rows(after, distDir, before)];
}
