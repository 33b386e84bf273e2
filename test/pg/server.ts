/**
 * A throwaway PostgreSQL server for tests, benchmarks and `npm run db:pg`: Debian's server
 * binaries, a fresh cluster in a temporary directory, trust authentication on 127.0.0.1 and a
 * free port. initdb and postgres refuse to run as root, so as root they run as the `postgres`
 * user (runuser) in a directory that user owns.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";

export interface PgServer {
  /** The admin connection: `postgres://minos@127.0.0.1:PORT/postgres`. */
  adminUrl: string;
  port: number;
  /** A URL for database `name` on this server. */
  urlFor(name: string): string;
  stop(): void;
}

/** The newest installed server's bin directory, or null. */
export function postgresBinDir(): string | null {
  const root = "/usr/lib/postgresql";
  if (!existsSync(root)) return null;
  const versions = readdirSync(root)
    .filter((v) => existsSync(path.join(root, v, "bin", "postgres")))
    .sort((a, b) => Number(a) - Number(b));
  return versions.length ? path.join(root, versions.at(-1)!, "bin") : null;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export async function startPostgres(options: { port?: number; fast?: boolean } = {}): Promise<PgServer> {
  const bin = postgresBinDir();
  if (!bin) throw new Error("PostgreSQL's server binaries are missing: install Debian's postgresql package (apt-get install postgresql)");
  const asRoot = process.getuid?.() === 0;
  // As root the server runs as `postgres`, which must reach the directory: a TMPDIR under a
  // root-only home would not do, /tmp does.
  const dir = mkdtempSync(path.join(asRoot ? "/tmp" : tmpdir(), "minos-pg-"));
  if (asRoot) {
    const uid = Number(execFileSync("id", ["-u", "postgres"], { encoding: "utf8" }).trim());
    const gid = Number(execFileSync("id", ["-g", "postgres"], { encoding: "utf8" }).trim());
    chownSync(dir, uid, gid);
  }
  const run = (cmd: string, args: string[]) => {
    const [file, argv] = asRoot ? ["runuser", ["-u", "postgres", "--", path.join(bin, cmd), ...args]] : [path.join(bin, cmd), args];
    const r = spawnSync(file, argv, { encoding: "utf8" });
    if (r.status !== 0) throw new Error(`${cmd} failed (${r.status}): ${r.stderr || r.stdout}`);
  };
  const port = options.port ?? (await freePort());
  const data = path.join(dir, "data");
  run("initdb", ["-D", data, "-A", "trust", "-U", "minos", "-N", "-E", "UTF8", "--locale=C"]);
  // Tests throw the data away: durability settings off make them several times faster.
  const fast = options.fast === false ? "" : " -c fsync=off -c synchronous_commit=off -c full_page_writes=off";
  const opts = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c max_connections=400${fast}`;
  run("pg_ctl", ["-D", data, "-o", opts, "-l", path.join(dir, "log"), "-w", "-t", "60", "start"]);
  const urlFor = (name: string) => `postgres://minos@127.0.0.1:${port}/${name}`;
  let stopped = false;
  return {
    adminUrl: urlFor("postgres"),
    port,
    urlFor,
    stop() {
      if (stopped) return;
      stopped = true;
      try {
        run("pg_ctl", ["-D", data, "-m", "immediate", "-w", "stop"]);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
