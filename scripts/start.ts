/**
 * `npm start`: builds Minos when no build exists, starts the built-in simulated fleet when there
 * is no talosconfig (or MINOS_SIM=1), then serves Minos. Ctrl-C stops everything it started.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { createInterface } from "node:readline";
import path from "node:path";

import { parseEnv } from "../lib/schemas/env";
import { resolveTalosconfigPath } from "../lib/talosconfig-path";

const root = path.resolve(__dirname, "..");
const nextBin = path.join(root, "node_modules", "next", "dist", "bin", "next");
const tsxBin = path.join(root, "node_modules", "tsx", "dist", "cli.mjs");
// Minos's own server (Next's custom-server API): it decides the client address from the socket.
const serveScript = path.join(root, "scripts", "serve.ts");
const children: ChildProcess[] = [];
let stopping = false;

function log(message: string) {
  console.log(`[minos] ${message}`);
}

function fail(message: string): never {
  console.error(`[minos] ${message}`);
  void shutdown(1);
  throw new Error(message);
}

function run(args: string[], env: NodeJS.ProcessEnv, stdio: "inherit" | "pipe" = "inherit"): ChildProcess {
  const child = spawn(process.execPath, args, { cwd: root, env, stdio: stdio === "pipe" ? ["ignore", "pipe", "inherit"] : "inherit" });
  children.push(child);
  return child;
}

async function build(env: NodeJS.ProcessEnv) {
  if (existsSync(path.join(root, process.env.MINOS_DIST_DIR ?? ".next", "BUILD_ID"))) return;
  log("no production build found: running next build (about a minute)");
  const child = run([nextBin, "build"], env);
  const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
  if (code !== 0) fail(`next build failed (exit ${code})`);
}

/** Starts the simulator and resolves with its talosconfig path once it says it is listening. */
async function startSimulator(env: NodeJS.ProcessEnv, stateDir: string, extraArgs: string): Promise<{ talosconfig: string; controlUrl: string }> {
  const args = [tsxBin, path.join(root, "lib", "simulator", "main.ts"), "--control-planes", "3", "--workers", "5", "--state-dir", stateDir];
  args.push(...extraArgs.split(/\s+/).filter(Boolean));
  log(`starting the simulated fleet: ${args.slice(2).join(" ")}`);
  const child = run(args, env, "pipe");
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.on("line", (line) => {
      const ready = /^MINOS_SIM_READY (.*)$/.exec(line);
      if (ready) {
        const info = JSON.parse(ready[1]!) as { talosconfig: string; controlUrl: string };
        resolve(info);
      } else {
        console.log(`[sim] ${line}`);
      }
    });
    child.on("exit", (code) => reject(new Error(`the simulator exited before it was ready (exit ${code})`)));
  });
}

/**
 * Waits for the server, then asks it for the session state: on a database without users that
 * makes it mint the first-start link (the server logs it), which this prints once more, boxed,
 * as the last thing on screen.
 */
async function announceSignIn(host: string, port: number, stateDir: string, demo: boolean) {
  const base = `http://${host === "0.0.0.0" || host === "::" ? "127.0.0.1" : host}:${port}`;
  for (let i = 0; i < 240 && !stopping; i++) {
    try {
      const res = await fetch(`${base}/api/auth/session`);
      if (res.ok) {
        const info = (await res.json()) as { setupRequired?: boolean };
        const file = path.join(stateDir, "bootstrap-link.txt");
        if (info.setupRequired && existsSync(file)) {
          const url = readFileSync(file, "utf8").trim();
          const bar = "*".repeat(Math.max(64, url.length + 6));
          const bold = (t: string) => (process.stdout.isTTY ? `\x1b[1m${t}\x1b[0m` : t);
          console.log(`\n${bar}\n*  ${bold(demo ? "Demo mode: sign in as the first admin" : "First start: sign in as the first admin")}\n*\n*  ${bold(url)}\n*\n*  One use, valid 15 minutes (also in ${file}).\n${bar}\n`);
        }
        return;
      }
    } catch {
      // Not listening yet.
    }
    await new Promise((r) => setTimeout(r, 500));
  }
}

async function shutdown(code: number) {
  if (stopping) return;
  stopping = true;
  for (const child of children) if (child.exitCode === null) child.kill("SIGTERM");
  const deadline = setTimeout(() => {
    for (const child of children) if (child.exitCode === null) child.kill("SIGKILL");
  }, 5_000);
  await Promise.all(children.map((c) => (c.exitCode === null ? new Promise((r) => c.on("exit", r)) : null)));
  clearTimeout(deadline);
  process.exit(code);
}

async function main() {
  let env;
  try {
    env = parseEnv(process.env);
  } catch (e) {
    fail((e as Error).message);
  }
  process.on("SIGINT", () => void shutdown(0));
  process.on("SIGTERM", () => void shutdown(0));

  const childEnv: NodeJS.ProcessEnv = { ...process.env, NEXT_TELEMETRY_DISABLED: "1" };
  await build(childEnv);

  const talosconfig = resolveTalosconfigPath(process.env);
  if (env.MINOS_SIM || !talosconfig) {
    log(env.MINOS_SIM ? "MINOS_SIM=1: using the built-in simulated fleet" : "no talosconfig found (TALOSCONFIG, ~/.talos/config): using the built-in simulated fleet");
    const sim = await startSimulator(childEnv, path.resolve(root, env.MINOS_STATE_DIR, "sim"), env.MINOS_SIM_ARGS).catch((e: Error) => fail(e.message));
    Object.assign(childEnv, { TALOSCONFIG: sim.talosconfig, MINOS_SIM: "1", MINOS_SIM_CONTROL_URL: sim.controlUrl });
  } else {
    log(`using talosconfig ${talosconfig}`);
    childEnv.TALOSCONFIG = talosconfig;
  }

  log(`serving Minos on http://${env.MINOS_HOST === "127.0.0.1" ? "localhost" : env.MINOS_HOST}:${env.PORT}`);
  const server = run([tsxBin, serveScript], { ...childEnv, NODE_ENV: "production" });
  void announceSignIn(env.MINOS_HOST, env.PORT, path.resolve(root, env.MINOS_STATE_DIR), !!childEnv.MINOS_SIM);
  server.on("exit", (code) => {
    if (!stopping) {
      console.error(`[minos] the server exited (${code})`);
      void shutdown(code ?? 1);
    }
  });
}

void main().catch((e: Error) => {
  console.error(`[minos] ${e.message}`);
  void shutdown(1);
});
