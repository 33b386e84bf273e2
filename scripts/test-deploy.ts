/**
 * `npm run test:deploy`: builds the Dockerfile for real without a container engine and checks
 * the result starts and serves. Slow (npm ci and next build: minutes), so it runs as a step of
 * its own; the fast checks of the Dockerfile and the Kubernetes manifests are in Vitest
 * (scripts/deploy/dockerfile.test.ts, deploy/kubernetes/manifests.test.ts).
 *
 * Steps: parse the Dockerfile strictly (scripts/deploy/dockerfile.ts), copy the context less
 * .dockerignore, run each stage's steps with build-stage RUNs as an unprivileged uid in a
 * temporary directory per stage (scripts/deploy/build.ts), then start the final stage's CMD as
 * its USER on a free loopback port and check /api/health, the HEALTHCHECK command, the store in
 * the state volume, a page, the process's uid, and a clean SIGTERM. With PostgreSQL's server
 * binaries installed, two replicas of the image then start together on one database. It is the
 * last step of `npm test`.
 *
 * Must run as root (it switches to unprivileged uids with setpriv and sets file owners as the
 * image would have them). Uses the npm registry; `--prefer-offline` by default from a copy of
 * this machine's npm cache. Flags: --keep (leave the temporary directory), --online (no cache copy),
 * --reuse DIR (check the stages a `--keep` run left in DIR again, without building).
 * Ends with one line: `deploy: N passed, N failed`.
 */
import { spawnSync, type ChildProcess } from "node:child_process";
import { accessSync, chownSync, constants, createWriteStream, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import Database from "better-sqlite3";

import { freePort, postgresBinDir, startPostgres } from "@/test/pg/server";

import { asUser, buildImage, inStage, processEnv, runHealthcheck, startCmd, type BuiltStage } from "./deploy/build";
import { envOf, lastStep, parseDockerfile, type User } from "./deploy/dockerfile";

const root = path.resolve(__dirname, "..");
const keep = process.argv.includes("--keep");
const online = process.argv.includes("--online");
const reuseAt = process.argv.indexOf("--reuse");
const reuse = reuseAt > 0 ? path.resolve(process.argv[reuseAt + 1] ?? "") : null;
const BUILDER: User = { uid: 65534, gid: 65534 };
const results: Array<{ name: string; ok: boolean }> = [];
const started = Date.now();
const children: ChildProcess[] = [];

function check(name: string, ok: boolean, detail?: string): boolean {
  results.push({ name, ok });
  console.log(`${ok ? "ok  " : "FAIL"} ${name}${!ok && detail ? `\n     ${detail.replace(/\n/g, "\n     ")}` : ""}`);
  return ok;
}

function finish(workRoot: string | null): never {
  for (const c of children) if (c.exitCode === null && c.pid) killGroup(c.pid, "SIGKILL");
  if (workRoot && !keep && !reuse) rmSync(workRoot, { recursive: true, force: true });
  else if (workRoot) console.log(`kept ${workRoot}`);
  const failed = results.filter((r) => !r.ok).length;
  console.log(`\ntook ${((Date.now() - started) / 1000).toFixed(0)} s`);
  console.log(`deploy: ${results.length - failed} passed, ${failed} failed`);
  // `npm test` adds these to its count (scripts/test.ts).
  if (process.env.DEPLOY_JSON_OUTPUT) writeFileSync(process.env.DEPLOY_JSON_OUTPUT, JSON.stringify({ passed: results.length - failed, failed }));
  process.exit(failed ? 1 : 0);
}

function killGroup(pid: number, signal: NodeJS.Signals) {
  try {
    process.kill(-pid, signal);
  } catch {
    // Already gone.
  }
}

/** Whether `user` may do `mode` (R_OK/W_OK) on `file`, asked as that user. */
function userMay(user: User, file: string, flag: "-r" | "-w"): boolean {
  const argv = asUser(user, ["test", flag, file]);
  return spawnSync(argv[0]!, argv.slice(1)).status === 0;
}

async function get(port: number, route: string): Promise<{ status: number; type: string; body: string } | null> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}${route}`, { signal: AbortSignal.timeout(10_000), redirect: "manual" });
    return { status: res.status, type: res.headers.get("content-type") ?? "", body: await res.text() };
  } catch {
    return null;
  }
}

/**
 * Polls /api/health until it answers 200, or the process exits, or `ms` pass, or it has been
 * answering something else for 30 s (a server that is up and failing will not recover).
 */
async function waitHealthy(child: ChildProcess, port: number, ms: number): Promise<{ status: number; body: string } | null> {
  const until = Date.now() + ms;
  let failingSince: number | null = null;
  while (Date.now() < until && child.exitCode === null) {
    const r = await get(port, "/api/health");
    if (r?.status === 200) return r;
    if (r) failingSince ??= Date.now();
    if (failingSince !== null && Date.now() - failingSince > 30_000) return null;
    await new Promise((res) => setTimeout(res, 1000));
  }
  return null;
}

function start(final: BuiltStage, env: Record<string, string>, logFile: string): ChildProcess {
  const child = startCmd(final, env);
  children.push(child);
  const log = createWriteStream(logFile);
  child.stdout!.pipe(log);
  child.stderr!.pipe(log);
  return child;
}

async function stop(child: ChildProcess, ms: number): Promise<number | null | "timeout"> {
  if (child.exitCode !== null) return child.exitCode;
  const exited = new Promise<number | null>((res) => child.once("exit", (code) => res(code)));
  killGroup(child.pid!, "SIGTERM");
  const timer = new Promise<"timeout">((res) => setTimeout(() => res("timeout"), ms));
  return Promise.race([exited, timer]);
}

function npmCacheCopy(workRoot: string): Record<string, string> {
  const env: Record<string, string> = { npm_config_update_notifier: "false" };
  const npm = (key: string) => spawnSync("npm", ["config", "get", key], { encoding: "utf8", cwd: root }).stdout.trim();
  // This machine builds native addons against its installed Node headers (no prebuilt downloads).
  const nodedir = npm("nodedir");
  if (nodedir && nodedir !== "undefined") env.npm_config_nodedir = nodedir;
  const cache = npm("cache");
  if (!online && existsSync(path.join(cache, "_cacache"))) {
    const copy = path.join(workRoot, "npm-cache");
    const r = spawnSync("cp", ["-a", cache, copy]);
    if (r.status === 0 && spawnSync("chown", ["-R", `${BUILDER.uid}:${BUILDER.gid}`, copy]).status === 0) {
      env.npm_config_cache = copy;
      env.npm_config_prefer_offline = "true";
    }
  }
  return env;
}

async function checkRuntime(final: BuiltStage, workRoot: string): Promise<void> {
  const user = final.user!;
  const env = Object.fromEntries(envOf(final.stage));
  const stateDir = inStage(final, env.MINOS_STATE_DIR ?? "/nonexistent");
  const app = inStage(final, ".");
  // @playwright/test stays: it is also next's optional peer dependency, which npm prune keeps.
  check("the image has no dev dependencies", ["typescript", "vitest", "eslint", "@bufbuild/buf", "ts-proto"].every((p) => !existsSync(path.join(app, "node_modules", p))));
  check("better-sqlite3's native addon is in the image", existsSync(path.join(app, "node_modules/better-sqlite3/build/Release/better_sqlite3.node")));
  check("the image has the production build and not its cache", existsSync(path.join(app, ".next/BUILD_ID")) && !existsSync(path.join(app, ".next/cache")));
  check(`the server's user (${user.uid}) cannot modify the application`, !userMay(user, app, "-w") && !userMay(user, path.join(app, "node_modules"), "-w") && userMay(user, path.join(app, "package.json"), "-r"));
  check(`the state volume ${env.MINOS_STATE_DIR} is the server's, mode 0700`, existsSync(stateDir) && statSync(stateDir).uid === user.uid && (statSync(stateDir).mode & 0o777) === 0o700);

  // As under Kubernetes' readOnlyRootFilesystem: nothing of the image but /tmp and the state volume is writable.
  chownSync(inStage(final, "/home/node"), 0, 0);
  const port = await freePort();
  // As `docker run -e`: a free loopback port here instead of 0.0.0.0:3000 in the container's own network.
  const runtimeEnv = { PORT: String(port), MINOS_HOST: "127.0.0.1" };
  const logFile = path.join(workRoot, "logs", "server.log");
  const t0 = Date.now();
  const child = start(final, runtimeEnv, logFile);
  const health = await waitHealthy(child, port, 180_000);
  const log = () => (existsSync(logFile) ? readFileSync(logFile, "utf8").trim().split("\n").slice(-20).join("\n") : "");
  if (!check(`CMD starts and GET /api/health answers 200 (${((Date.now() - t0) / 1000).toFixed(1)} s)`, health !== null, `exit ${child.exitCode}; server log:\n${log()}`)) return;
  const body = JSON.parse(health!.body) as { ok?: boolean; version?: string };
  check("/api/health says ok with a version", body.ok === true && typeof body.version === "string", health!.body);
  check("the HEALTHCHECK command passes", runHealthcheck(final, runtimeEnv, 10_000) === 0);
  const status = readFileSync(`/proc/${child.pid}/status`, "utf8");
  console.log(`     server memory after start: ${/^VmRSS:\s*(.*)$/m.exec(status)?.[1]}`);
  check(`the server process runs as uid ${user.uid}`, new RegExp(`^Uid:\\s+${user.uid}\\s+${user.uid}\\s`, "m").test(status), /^Uid:.*$/m.exec(status)?.[0]);
  const session = await get(port, "/api/auth/session");
  check("the store opens: /api/auth/session asks for the first admin", session?.status === 200 && (JSON.parse(session.body) as { setupRequired?: boolean }).setupRequired === true, session?.body);
  const db = path.join(stateDir, "minos.db");
  check("the SQLite store is in the state volume, the server's, mode 0600", existsSync(db) && statSync(db).uid === user.uid && (statSync(db).mode & 0o777) === 0o600);
  check("the backup command of docs/deployment.md makes a readable copy of the store", backupWorks(final, runtimeEnv, stateDir));
  const page = await get(port, "/sign-in");
  check("the sign-in page renders", page?.status === 200 && page.type.startsWith("text/html") && page.body.includes("<html"), `${page?.status} ${page?.body.slice(0, 200)}`);
  const code = await stop(child, 10_000);
  check("SIGTERM stops the server within 10 s", code === 0, `exit ${code}`);
  const problems = readFileSync(logFile, "utf8").split("\n").filter((l) => /EACCES|EROFS|EPERM|permission denied/i.test(l));
  check("the server log has no permission errors", problems.length === 0, problems.slice(0, 5).join("\n"));
}

/** Runs the documented `docker exec minos node -e '…'` online backup as the server's user, then reads the copy. */
function backupWorks(final: BuiltStage, runtimeEnv: Record<string, string>, stateDir: string): boolean {
  const doc = readFileSync(path.join(root, "docs", "deployment.md"), "utf8");
  const script = /docker exec minos node -e '([^']+)'/.exec(doc)?.[1];
  if (!script) return false;
  const argv = asUser(final.user!, ["node", "-e", script]);
  const r = spawnSync(argv[0]!, argv.slice(1), { cwd: inStage(final, "."), env: processEnv(final, final.user, runtimeEnv), encoding: "utf8", timeout: 30_000 });
  const copy = path.join(stateDir, "minos-backup.db");
  if (r.status !== 0 || !existsSync(copy)) {
    console.log(`     ${r.stdout}${r.stderr}`.trim());
    return false;
  }
  const db = new Database(copy, { readonly: true });
  try {
    return (db.prepare("SELECT count(*) AS n FROM schema_migrations").get() as { n: number }).n > 0;
  } finally {
    db.close();
  }
}

/** Two replicas of the image on one PostgreSQL database, started together. */
async function checkReplicas(final: BuiltStage, workRoot: string): Promise<void> {
  if (!postgresBinDir()) {
    console.log("skip two replicas on PostgreSQL: no server binaries (apt-get install postgresql)");
    return;
  }
  const pg = await startPostgres();
  try {
    const url = pg.urlFor("postgres");
    const key = "a".repeat(64);
    const replicas = [];
    for (const n of [1, 2]) {
      const state = path.join(workRoot, `replica-${n}`);
      spawnSync("mkdir", ["-m", "0700", state]);
      spawnSync("chown", [`${final.user!.uid}:${final.user!.gid}`, state]);
      const port = await freePort();
      const env = { PORT: String(port), MINOS_HOST: "127.0.0.1", MINOS_STATE_DIR: state, MINOS_DATABASE_URL: url, MINOS_SECRET_KEY: key };
      replicas.push({ n, port, child: start(final, env, path.join(workRoot, "logs", `replica-${n}.log`)) });
    }
    const answers = await Promise.all(replicas.map((r) => waitHealthy(r.child, r.port, 180_000)));
    replicas.forEach((r, i) => {
      const h = answers[i];
      const log = () => readFileSync(path.join(workRoot, "logs", `replica-${r.n}.log`), "utf8").split("\n").slice(-12).join("\n");
      if (!check(`replica ${r.n} on PostgreSQL answers /api/health`, !!h, log())) return;
      // The health answer names its store (as "postgres") on a PostgreSQL-backed replica.
      check(`replica ${r.n}'s /api/health names the PostgreSQL store`, /postgres/i.test(h!.body), h!.body);
    });
    const psql = spawnSync(path.join(postgresBinDir()!, "psql"), [url, "-tAc", "SELECT count(*), count(DISTINCT id) FROM schema_migrations"], { encoding: "utf8" });
    const [rows, distinct] = psql.stdout.trim().split("|").map(Number);
    check("the replicas migrated the database once (schema_migrations, no id twice)", psql.status === 0 && rows! > 0 && rows === distinct, psql.stdout + psql.stderr);
    for (const r of replicas) await stop(r.child, 10_000);
  } finally {
    pg.stop();
  }
}

async function main() {
  if (process.getuid?.() !== 0) {
    console.error("test:deploy runs as root: it switches to unprivileged users and sets file owners as the image has them");
    process.exit(2);
  }
  const dockerfile = parseDockerfile(readFileSync(path.join(root, "Dockerfile"), "utf8"));
  const final = dockerfile.stages.at(-1)!;
  check(`the Dockerfile parses: ${dockerfile.stages.map((s) => `${s.name} (${s.image})`).join(" → ")}`, true);
  const user = lastStep(final, "USER")?.user;
  check("the final stage runs as a non-root user", !!user && user.uid !== 0 && user.gid !== 0, JSON.stringify(user));

  const workRoot = reuse ?? mkdtempSync(path.join(tmpdir(), "minos-deploy-"));
  spawnSync("chmod", ["0755", workRoot]);
  console.log(`${reuse ? "reusing the stages in" : "building in"} ${workRoot} (build steps as uid ${BUILDER.uid}; logs in ${workRoot}/logs)`);
  const runEnv = reuse ? {} : npmCacheCopy(workRoot);
  let built: BuiltStage[];
  try {
    built = buildImage({
      dockerfile,
      context: root,
      dockerignore: existsSync(path.join(root, ".dockerignore")) ? readFileSync(path.join(root, ".dockerignore"), "utf8") : "",
      workRoot,
      builder: BUILDER,
      runEnv,
      reuse: !!reuse,
      onStep: reuse ? undefined : (r) => check(`${r.stage}: line ${r.step.line} ${r.step.kind}${r.step.kind === "RUN" ? ` ${r.step.command}` : ""} (${r.seconds.toFixed(1)} s)`, r.ok, r.detail),
    });
  } catch (e) {
    if (!results.some((r) => !r.ok)) check("build", false, (e as Error).message);
    finish(workRoot);
  }
  const context = path.join(workRoot, "context");
  check(".dockerignore keeps node_modules, .next, .minos and .git out of the context", [".git", "node_modules", ".next", ".minos"].every((p) => !existsSync(path.join(context, p))) && existsSync(path.join(context, "package.json")));
  const finalBuilt = built.at(-1)!;
  try {
    accessSync(inStage(finalBuilt, "."), constants.R_OK);
    await checkRuntime(finalBuilt, workRoot);
    await checkReplicas(finalBuilt, workRoot);
  } catch (e) {
    check("runtime checks", false, (e as Error).stack);
  }
  finish(workRoot);
}

process.on("SIGINT", () => finish(null));
void main();
