/**
 * Several real Minos processes on one PostgreSQL database, for the multi-replica e2e spec and
 * the replicas benchmark: a throwaway PostgreSQL server (test/pg/server.ts), the simulated fleet
 * as its own process, and N production Minos servers (scripts/serve.ts on the build) sharing
 * the database URL, the talosconfig and the secret key, each with its own port and state dir.
 *
 * Every process is a direct child (node with tsx's loader, not the tsx CLI, which would put a
 * second process in between), so `kill("SIGKILL")` really is kill -9 of the server and
 * /proc/<pid>/stat is the server's own CPU. Plain Node only: no server code is imported here.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";

import pg from "pg";

import { freePort, startPostgres, type PgServer } from "../pg/server";

const root = path.resolve(__dirname, "..", "..");

export interface StackOptions {
  replicas: number;
  /** Simulated clusters (sim-1 … sim-N), each with these nodes. */
  clusters: number;
  controlPlanes: number;
  workers: number;
  /** How long the simulator and each server may take to be ready. Default 120 s. */
  readyTimeoutMs?: number;
  /** Extra environment for every Minos server. */
  env?: Record<string, string>;
}

export interface SimProcess {
  child: ChildProcess;
  controlUrl: string;
  talosconfig: string;
  nodes: number;
}

export interface MinosReplica {
  /** "a", "b", "c", …: also the MINOS_REPLICA_ID prefix of its lease owner name. */
  name: string;
  port: number;
  baseURL: string;
  stateDir: string;
  pid: number;
  child: ChildProcess;
  /** Its lease owner name, from /api/health (set once it answered). */
  id: string;
  alive(): boolean;
  /** The last output of the process (stdout and stderr), for failure messages. */
  output(): string;
  /** Sends a signal and waits for the process to end. */
  kill(signal: NodeJS.Signals): Promise<void>;
}

export interface ReplicaStack {
  pg: PgServer;
  databaseUrl: string;
  sim: SimProcess;
  replicas: MinosReplica[];
  /** Stops every process started and removes the temporary directories; safe to call twice. */
  stop(): Promise<void>;
}

/** Where `next build` put the production build (MINOS_DIST_DIR, as next.config.ts). */
export function buildDir(): string {
  return path.join(root, process.env.MINOS_DIST_DIR ?? ".next");
}

function tail(chunks: string[]): string {
  return chunks.join("").slice(-20_000);
}

/** Keeps the last ~64 KB of a process's output. */
function capture(child: ChildProcess, into: string[]): void {
  const add = (d: Buffer) => {
    into.push(d.toString());
    let size = into.reduce((n, c) => n + c.length, 0);
    while (size > 64_000 && into.length > 1) size -= into.shift()!.length;
  };
  child.stdout?.on("data", add);
  child.stderr?.on("data", add);
}

async function stopChild(child: ChildProcess, signal: NodeJS.Signals = "SIGTERM", graceMs = 5_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once("exit", () => r()));
  child.kill(signal);
  const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
  await exited;
  clearTimeout(timer);
}

async function createDatabase(server: PgServer, name: string): Promise<string> {
  const admin = new pg.Client({ connectionString: server.adminUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  return server.urlFor(name);
}

/** The simulator in ports mode (every node on 127.0.0.1, ephemeral ports), so runs never collide on addresses. */
async function startSimulator(o: StackOptions, stateDir: string, timeoutMs: number): Promise<SimProcess> {
  const args = ["--import", "tsx", path.join(root, "lib", "simulator", "main.ts")];
  args.push("--control-planes", String(o.controlPlanes), "--workers", String(o.workers), "--clusters", String(o.clusters));
  args.push("--ports", "--base-port", "0", "--control-port", "0", "--state-dir", stateDir);
  const child = spawn(process.execPath, args, { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
  const out: string[] = [];
  child.stderr!.on("data", (d: Buffer) => out.push(d.toString()));
  try {
    return await new Promise<SimProcess>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the simulator was not ready within ${timeoutMs / 1000} s:\n${tail(out)}`)), timeoutMs);
      createInterface({ input: child.stdout! }).on("line", (line) => {
        const m = /^MINOS_SIM_READY (.*)$/.exec(line);
        if (!m) return void out.push(`${line}\n`);
        clearTimeout(timer);
        const info = JSON.parse(m[1]!) as { talosconfig: string; controlUrl: string; nodes: number };
        resolve({ child, ...info });
      });
      child.once("exit", (code) => {
        clearTimeout(timer);
        reject(new Error(`the simulator exited (${code}) before it was ready:\n${tail(out)}`));
      });
    });
  } catch (e) {
    await stopChild(child);
    throw e;
  }
}

function startReplica(name: string, port: number, env: NodeJS.ProcessEnv, stateDir: string): MinosReplica {
  const child = spawn(process.execPath, ["--import", "tsx", path.join(root, "scripts", "serve.ts")], {
    cwd: root,
    env: { ...env, PORT: String(port), MINOS_STATE_DIR: stateDir, MINOS_REPLICA_ID: `replica-${name}` },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const out: string[] = [];
  capture(child, out);
  return {
    name,
    port,
    baseURL: `http://127.0.0.1:${port}`,
    stateDir,
    pid: child.pid!,
    child,
    id: "",
    alive: () => child.exitCode === null && child.signalCode === null,
    output: () => tail(out),
    kill: (signal) => stopChild(child, signal),
  };
}

async function waitHealthy(r: MinosReplica, deadline: number): Promise<void> {
  for (;;) {
    if (!r.alive()) throw new Error(`replica ${r.name} exited (${r.child.exitCode ?? r.child.signalCode}):\n${r.output()}`);
    try {
      const res = await fetch(`${r.baseURL}/api/health`, { signal: AbortSignal.timeout(5_000) });
      if (res.ok) {
        r.id = ((await res.json()) as { replica: { id: string } }).replica.id;
        return;
      }
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) throw new Error(`replica ${r.name} did not answer /api/health in time:\n${r.output()}`);
    await new Promise((res) => setTimeout(res, 250));
  }
}

/**
 * Starts PostgreSQL, the simulator and `replicas` Minos servers, and resolves once every server
 * answers /api/health. Whatever was started is stopped again if a later step fails.
 */
export async function startReplicaStack(o: StackOptions): Promise<ReplicaStack> {
  if (!existsSync(path.join(buildDir(), "BUILD_ID"))) {
    throw new Error(`No production build in ${buildDir()}: run \`npx next build\` first (the e2e step of npm test runs after it)`);
  }
  const timeoutMs = o.readyTimeoutMs ?? 120_000;
  const dirs: string[] = [];
  const tmp = (prefix: string) => {
    const d = mkdtempSync(path.join(tmpdir(), prefix));
    dirs.push(d);
    return d;
  };
  let server: PgServer | null = null;
  let sim: SimProcess | null = null;
  const replicas: MinosReplica[] = [];
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await Promise.all(replicas.map((r) => r.kill("SIGTERM").catch(() => undefined)));
    if (sim) await stopChild(sim.child).catch(() => undefined);
    try {
      server?.stop();
    } finally {
      for (const d of dirs) rmSync(d, { recursive: true, force: true });
    }
  };
  try {
    server = await startPostgres();
    const databaseUrl = await createDatabase(server, "minos");
    sim = await startSimulator(o, tmp("minos-replicas-sim-"), timeoutMs);
    // Only what a server needs from this process's environment: no MINOS_* of the caller's own.
    const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("MINOS_") && k !== "TALOSCONFIG" && k !== "PORT"));
    const env: NodeJS.ProcessEnv = {
      ...base,
      ...(process.env.MINOS_DIST_DIR ? { MINOS_DIST_DIR: process.env.MINOS_DIST_DIR } : {}),
      NODE_ENV: "production",
      NEXT_TELEMETRY_DISABLED: "1",
      MINOS_HOST: "127.0.0.1",
      MINOS_DATABASE_URL: databaseUrl,
      TALOSCONFIG: sim.talosconfig,
      MINOS_SIM: "1",
      MINOS_SIM_CONTROL_URL: sim.controlUrl,
      // Config revisions and uploads are sealed with it: every replica must open what another sealed.
      MINOS_SECRET_KEY: randomBytes(32).toString("hex"),
      ...o.env,
    };
    const ports: number[] = [];
    while (ports.length < o.replicas) {
      const p = await freePort();
      if (!ports.includes(p)) ports.push(p);
    }
    for (let i = 0; i < o.replicas; i++) replicas.push(startReplica(String.fromCharCode(97 + i), ports[i]!, env, tmp(`minos-replica-${String.fromCharCode(97 + i)}-`)));
    const deadline = Date.now() + timeoutMs;
    await Promise.all(replicas.map((r) => waitHealthy(r, deadline)));
    return { pg: server, databaseUrl, sim, replicas, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}

/** The first-start link a replica minted into its state dir (asking for the session makes it). */
export async function bootstrapToken(r: MinosReplica, timeoutMs = 30_000): Promise<string> {
  const file = path.join(r.stateDir, "bootstrap-link.txt");
  const deadline = Date.now() + timeoutMs;
  await fetch(`${r.baseURL}/api/auth/session`);
  while (!existsSync(file) || readFileSync(file, "utf8").trim() === "") {
    if (Date.now() > deadline) throw new Error(`replica ${r.name} wrote no first-start link to ${file}`);
    await new Promise((res) => setTimeout(res, 200));
  }
  const token = /#token=([A-Za-z0-9_-]+)/.exec(readFileSync(file, "utf8"))?.[1];
  if (!token) throw new Error(`no token in ${file}`);
  return token;
}

/** CPU seconds (user + system) a process has used, from /proc/<pid>/stat. */
export function cpuSeconds(pid: number): number {
  const fields = statFields(pid);
  // utime and stime are fields 14 and 15, i.e. 11 and 12 after the state field; clock ticks of 1/100 s on Linux.
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

function statFields(pid: number): string[] {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  // The command name (field 2) may hold spaces: count fields from the closing parenthesis.
  return stat.slice(stat.lastIndexOf(")") + 2).split(" ");
}

/** The PostgreSQL server's postmaster, found through a backend of its own. */
export async function postmasterPid(databaseUrl: string): Promise<number> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    // While the connection is open: its backend is gone once it closes.
    const backend = (await client.query<{ pid: number }>("SELECT pg_backend_pid() AS pid")).rows[0]!.pid;
    return Number(statFields(backend)[1]);
  } finally {
    await client.end();
  }
}

/**
 * CPU seconds a process and all its children have used: its own, its reaped children's
 * (cutime + cstime: the PostgreSQL backends of connections that closed) and its live children's.
 * The difference of two readings is what the tree used in between, however backends came and went.
 */
export function treeCpuSeconds(pid: number): number {
  const own = statFields(pid);
  let ticks = Number(own[11]) + Number(own[12]) + Number(own[13]) + Number(own[14]);
  for (const d of readdirSync("/proc")) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const f = statFields(Number(d));
      if (Number(f[1]) === pid) ticks += Number(f[11]) + Number(f[12]);
    } catch {
      // Ended meanwhile: its time is in the parent's cutime by the next reading.
    }
  }
  return ticks / 100;
}

/** A process's resident memory in MiB, from /proc/<pid>/status. */
export function rssMiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return m ? Number(m[1]) / 1024 : NaN;
}

/** Reads the live `poller:<cluster>` leases from the store over one connection of its own. */
export interface LeaseReader {
  /** cluster → owner (a replica's lease owner name). */
  pollerOwners(): Promise<Map<string, string>>;
  close(): Promise<void>;
}

export function leaseReader(databaseUrl: string): LeaseReader {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 1 });
  pool.on("error", () => undefined);
  return {
    async pollerOwners() {
      const { rows } = await pool.query<{ name: string; owner: string }>(
        "SELECT name, owner FROM leases WHERE substr(name, 1, 7) = 'poller:' AND expires_at > $1 ORDER BY name",
        [Date.now()],
      );
      return new Map(rows.map((r) => [r.name.slice("poller:".length), r.owner]));
    },
    close: () => pool.end(),
  };
}
