/**
 * A Minos of a bench's own: `scripts/start.ts` from a production build, with the simulated
 * fleet on its own loopback range, a free port and a fresh state dir; and the sign-in as its
 * first admin through the first-start link. Shared by the benches in scripts/ that measure a
 * running server (page-weight, editor-latency, nodes-http).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";

import { request, type BrowserContextOptions } from "@playwright/test";

const root = path.resolve(__dirname, "..", "..");

/** A Playwright storage state as an object (cookies and origins), for `browser.newContext`. */
export type StorageState = Exclude<BrowserContextOptions["storageState"], string | undefined>;

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export async function waitForHealth(url: string, child: ChildProcess, timeoutMs = 120_000): Promise<void> {
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

/** The build to start: `.next` or MINOS_DIST_DIR unless a caller names another (a baseline build). */
export const defaultDistDir = (): string => process.env.MINOS_DIST_DIR ?? ".next";

/** Whether `distDir` (relative to the repository) holds a finished production build. */
export const hasBuild = (distDir: string): boolean => existsSync(path.join(root, distDir, "BUILD_ID"));

export interface MinosOptions {
  /** The production build to serve (default: defaultDistDir()). */
  distDir?: string;
  /** The simulator's first address: each bench (and each build within one) has its own 127.0.x.1 range. */
  firstAddress: string;
  /** More simulator arguments (e.g. `--workers 997`); later ones win over start.ts's defaults. */
  simArgs?: string[];
  /** Extra environment for the server (e.g. MINOS_BENCH_ROUTES=1). */
  env?: Record<string, string>;
  /** How long startup may take: a large fleet needs minutes (default 2 min). */
  healthTimeoutMs?: number;
  /** How long `stop` waits for the process after SIGTERM (default 8 s). */
  stopGraceMs?: number;
  /** Prefix of the temporary state dir's name. */
  stateDirPrefix?: string;
}

export interface Minos {
  url: string;
  /** Its MINOS_STATE_DIR, where it writes the first-start link. */
  stateDir: string;
  stop: () => Promise<void>;
}

/** Starts one Minos with its own simulated fleet and waits until it answers /api/health. */
export async function startMinos(options: MinosOptions): Promise<Minos> {
  const port = await freePort();
  const stateDir = mkdtempSync(path.join(tmpdir(), options.stateDirPrefix ?? "minos-bench-"));
  const simArgs = ["--first-address", options.firstAddress, "--control-port", "0", ...(options.simArgs ?? [])];
  const child = spawn(process.execPath, [path.join(root, "node_modules", "tsx", "dist", "cli.mjs"), path.join(root, "scripts", "start.ts")], {
    cwd: root,
    stdio: ["ignore", "ignore", "inherit"],
    env: {
      ...process.env,
      ...options.env,
      PORT: String(port),
      MINOS_HOST: "127.0.0.1",
      MINOS_SIM: "1",
      MINOS_DIST_DIR: options.distDir ?? defaultDistDir(),
      MINOS_STATE_DIR: stateDir,
      // Its own loopback range, so a running `npm start` or e2e run never collides.
      MINOS_SIM_ARGS: simArgs.join(" "),
      NEXT_TELEMETRY_DISABLED: "1",
    },
  });
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode !== null) return;
    const exited = new Promise((r) => child.once("exit", r));
    child.kill("SIGTERM");
    await Promise.race([exited, new Promise((r) => setTimeout(r, options.stopGraceMs ?? 8_000))]);
  };
  try {
    await waitForHealth(url, child, options.healthTimeoutMs);
  } catch (e) {
    await stop();
    throw e;
  }
  return { url, stateDir, stop };
}

export interface Session {
  /** For `browser.newContext({ storageState })`. */
  storageState: StorageState;
  /** A Cookie header carrying the session, for plain HTTP clients. */
  cookie: string;
  /** The CSRF token to send as x-minos-csrf with a mutating request. */
  csrf: string;
}

/**
 * Signs in as the first admin through the first-start link a fresh server writes to its state
 * dir (as e2e/auth.setup.ts does).
 */
export async function signIn(url: string, stateDir: string): Promise<Session> {
  const api = await request.newContext({ baseURL: url });
  try {
    // Asking for the session makes a fresh server mint the first-start link.
    await api.get("/api/auth/session");
    const file = path.join(stateDir, "bootstrap-link.txt");
    // A server busy starting a large fleet may take a while to write it.
    const deadline = Date.now() + 60_000;
    const read = () => /#token=([A-Za-z0-9_-]+)/.exec(existsSync(file) ? readFileSync(file, "utf8") : "")?.[1];
    let token = read();
    while (!token && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
      token = read();
    }
    if (!token) throw new Error(`no first-start link in ${file}: the bench needs a fresh server (its own, or MINOS_BENCH_STATE_DIR with MINOS_BENCH_URL)`);
    const res = await api.post("/api/auth/bootstrap", { headers: { origin: new URL(url).origin }, data: { token, name: "bench-admin" } });
    if (!res.ok()) throw new Error(`first-start sign-in failed: HTTP ${res.status()} ${await res.text()}`);
    const storageState = await api.storageState();
    const cookie = storageState.cookies.map((c) => `${c.name}=${c.value}`).join("; ");
    const csrf = decodeURIComponent(storageState.cookies.find((c) => c.name === "minos_csrf")?.value ?? "");
    return { storageState, cookie, csrf };
  } finally {
    await api.dispose();
  }
}
