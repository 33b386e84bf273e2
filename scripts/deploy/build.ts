/**
 * Runs a parsed Dockerfile's stages without a container engine: each stage gets a directory
 * standing in for its root filesystem, COPY copies from the build context (less .dockerignore)
 * or from an earlier stage's directory, RUN runs `/bin/sh -c` there as an unprivileged user,
 * and the final stage's CMD and HEALTHCHECK can then be started as its USER.
 *
 * What stands in for what:
 * - The base image is this machine: `node:N-bookworm[-slim]` is accepted only when the local
 *   Node.js has major version N (and, for the full image, python3, make and g++ are present).
 * - "root" in a build stage (no USER) is `builder`, an unprivileged uid: nothing in a build stage
 *   may need real privileges. In the final stage, files COPY writes without --chown belong to
 *   the real root (uid 0), as in the image, so the server cannot modify them; a RUN there as root
 *   is refused, since it could not run faithfully.
 * - Absolute paths the Dockerfile creates (WORKDIR, COPY destinations, VOLUME) live under the
 *   stage's directory; ENV values naming them are rewritten to match when a process starts.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { chmodSync, chownSync, closeSync, existsSync, lstatSync, mkdirSync, openSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";

import { envOf, lastStep, type Dockerfile, type Stage, type Step, type User } from "./dockerfile";
import { copyContext, parseDockerignore } from "./dockerignore";

export interface BuildOptions {
  dockerfile: Dockerfile;
  /** The build context (the repository). */
  context: string;
  /** The .dockerignore text ("" for none). */
  dockerignore: string;
  /** An empty directory for the stages, the context copy and the logs. */
  workRoot: string;
  /** The unprivileged uid:gid that stands in for root in build stages. */
  builder: User;
  /** Extra environment for RUN steps only: the machine's npm setup, standing in for the image's. */
  runEnv: Record<string, string>;
  /** Called after each step. */
  onStep?: (result: StepResult) => void;
  /** The stages were built into workRoot before (a kept run): replay the steps, copy and run nothing. */
  reuse?: boolean;
}

export interface StepResult {
  stage: string;
  step: Step;
  ok: boolean;
  seconds: number;
  /** For a failed step: what went wrong (a RUN's last output lines). */
  detail?: string;
}

export interface BuiltStage {
  stage: Stage;
  label: string;
  /** The directory standing in for the stage's `/`. */
  root: string;
  workdir: string;
  user: User | null;
  /** Image paths the Dockerfile created in this stage. */
  created: Set<string>;
}

const ROOT: User = { uid: 0, gid: 0 };

/** `image` → the checks that this machine can stand in for it, or an error. */
function checkStandIn(image: string): void {
  const m = /^node:(\d+)-bookworm(-slim)?$/.exec(image);
  if (!m) throw new Error(`no stand-in for base image ${image}: only node:<major>-bookworm[-slim] is understood`);
  const major = Number(process.versions.node.split(".")[0]);
  if (major !== Number(m[1])) throw new Error(`${image} needs Node.js ${m[1]}, this machine has ${process.versions.node}`);
  if (!m[2]) {
    for (const tool of ["python3", "make", "g++"]) {
      if (spawnSync(tool, ["--version"], { stdio: "ignore" }).status !== 0) throw new Error(`${image} has ${tool}; this machine does not`);
    }
  }
}

function chownTree(target: string, owner: User): void {
  const st = lstatSync(target);
  if (st.isSymbolicLink()) return void spawnSync("chown", ["-h", `${owner.uid}:${owner.gid}`, target]);
  const r = spawnSync("chown", ["-R", "-h", `${owner.uid}:${owner.gid}`, target], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`chown ${target}: ${r.stderr}`);
}

/** mkdir -p inside `root`, giving each directory it creates to `owner`; returns the host path. */
function mkdirIn(root: string, imagePath: string, owner: User, mode = 0o755): string {
  let current = root;
  for (const part of imagePath.split("/").filter(Boolean)) {
    current = path.join(current, part);
    if (!existsSync(current)) {
      mkdirSync(current, { mode });
      chownSync(current, owner.uid, owner.gid);
    }
  }
  return current;
}

function hostPath(stage: BuiltStage, imagePath: string): string {
  const abs = path.posix.resolve(stage.workdir, imagePath);
  return path.join(stage.root, abs);
}

/** ENV values that name a path the Dockerfile created point into the stage's directory. */
export function mapEnv(stage: BuiltStage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of envOf(stage.stage)) {
    const under = [...stage.created].some((p) => v === p || v.startsWith(`${p}/`));
    out[k] = v.startsWith("/") && under ? path.join(stage.root, v) : v;
  }
  return out;
}

/**
 * The environment a process of the stage starts with (no variable of the caller leaks in).
 * `user` null is the image's root (the builder in a build stage): its HOME is /root.
 */
export function processEnv(stage: BuiltStage, user: User | null, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const home = !user || user.uid === 0 ? "/root" : user.uid === 1000 ? "/home/node" : "/";
  // Next's types declare NODE_ENV always set; here it is whatever the image's ENV says.
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? "/usr/local/bin:/usr/bin:/bin",
    HOME: path.join(stage.root, home),
    // os.tmpdir() is the image's /tmp.
    TMPDIR: path.join(stage.root, "tmp"),
    ...mapEnv(stage),
    ...extra,
  };
  return env as unknown as NodeJS.ProcessEnv;
}

/** argv that runs `argv` as `user` (setpriv: no login, no supplementary groups). */
export function asUser(user: User, argv: string[]): string[] {
  return ["setpriv", `--reuid=${user.uid}`, `--regid=${user.gid}`, "--clear-groups", "--", ...argv];
}

function newStage(stage: Stage, workRoot: string, isFinal: boolean, builder: User): BuiltStage {
  checkStandIn(stage.image);
  const label = stage.name ?? `stage ${stage.index}`;
  const root = path.join(workRoot, "stages", `${stage.index}-${stage.name ?? "unnamed"}`);
  mkdirSync(root, { recursive: true, mode: 0o755 });
  chmodSync(root, 0o755);
  const rootOwner = isFinal ? ROOT : builder;
  // What every Debian-based node image has.
  mkdirIn(root, "/tmp", ROOT);
  chmodSync(path.join(root, "tmp"), 0o1777);
  mkdirIn(root, "/root", rootOwner, 0o700);
  mkdirIn(root, "/home", ROOT);
  mkdirIn(root, "/home/node", { uid: 1000, gid: 1000 });
  for (const dir of ["/var/lib", "/etc", "/usr/local"]) mkdirIn(root, dir, ROOT);
  return { stage, label, root, workdir: "/", user: null, created: new Set() };
}

function copy(built: BuiltStage, step: Extract<Step, { kind: "COPY" }>, sourceRoot: string, rootOwner: User): void {
  const owner = step.chown ?? rootOwner;
  const destImage = path.posix.resolve(built.workdir, step.dest);
  const destIsDir = step.dest.endsWith("/") || step.dest === "." || step.sources.length > 1;
  for (const source of step.sources) {
    const from = step.from ? path.join(sourceRoot, path.posix.resolve("/", source)) : path.join(sourceRoot, path.posix.normalize(source));
    if (!from.startsWith(sourceRoot) || !existsSync(from)) throw new Error(`COPY ${source}: not found in ${step.from ? `stage ${step.from}` : "the build context"}`);
    const parentOwner = rootOwner;
    if (statSync(from).isDirectory()) {
      const existed = existsSync(path.join(built.root, destImage));
      const dest = mkdirIn(built.root, path.posix.dirname(destImage), parentOwner);
      const target = path.join(dest, path.posix.basename(destImage));
      if (!existed) {
        mkdirSync(target, { mode: statSync(from).mode & 0o7777 });
        chownSync(target, owner.uid, owner.gid);
      }
      for (const name of readdirSync(from)) {
        const r = spawnSync("cp", ["-a", path.join(from, name), target], { encoding: "utf8" });
        if (r.status !== 0) throw new Error(`COPY ${source}: ${r.stderr}`);
        chownTree(path.join(target, name), owner);
      }
    } else {
      const targetImage = destIsDir || (existsSync(path.join(built.root, destImage)) && statSync(path.join(built.root, destImage)).isDirectory()) ? path.posix.join(destImage, path.basename(from)) : destImage;
      mkdirIn(built.root, path.posix.dirname(targetImage), parentOwner);
      const target = path.join(built.root, targetImage);
      const r = spawnSync("cp", ["-a", from, target], { encoding: "utf8" });
      if (r.status !== 0) throw new Error(`COPY ${source}: ${r.stderr}`);
      chownTree(target, owner);
    }
  }
  built.created.add(destImage);
}

function run(built: BuiltStage, step: Extract<Step, { kind: "RUN" }>, user: User, runEnv: Record<string, string>, logFile: string): void {
  const cwd = hostPath(built, ".");
  const argv = asUser(user, ["/bin/sh", "-c", step.command]);
  writeFileSync(logFile, `$ ${step.command}\n`);
  const fd = openSync(logFile, "a");
  // Output goes to the log as it comes (`tail -f` it during a long step), not into memory.
  const r = spawnSync(argv[0]!, argv.slice(1), { cwd, env: processEnv(built, built.user, runEnv), stdio: ["ignore", fd, fd] });
  closeSync(fd);
  if (r.status !== 0) {
    const tail = readFileSync(logFile, "utf8").trim().split("\n").slice(-30).join("\n");
    throw new Error(`RUN ${step.command} exited ${r.status ?? r.signal} (log: ${logFile}):\n${tail}`);
  }
}

/** Builds every stage in order; throws at the first failing step (after reporting it). */
export function buildImage(options: BuildOptions): BuiltStage[] {
  const { dockerfile, workRoot, builder } = options;
  const contextDir = path.join(workRoot, "context");
  if (!options.reuse) copyContext(options.context, contextDir, parseDockerignore(options.dockerignore));
  mkdirSync(path.join(workRoot, "logs"), { recursive: true });
  const built: BuiltStage[] = [];
  for (const stage of dockerfile.stages) {
    const isFinal = stage === dockerfile.stages.at(-1);
    const b = newStage(stage, workRoot, isFinal, builder);
    built.push(b);
    const rootOwner = isFinal ? ROOT : builder;
    for (const step of stage.steps) {
      const started = Date.now();
      const report = (ok: boolean, detail?: string) => options.onStep?.({ stage: b.label, step, ok, seconds: (Date.now() - started) / 1000, detail });
      try {
        switch (step.kind) {
          case "WORKDIR":
            b.workdir = path.posix.resolve(b.workdir, step.path);
            mkdirIn(b.root, b.workdir, b.user ?? rootOwner);
            b.created.add(b.workdir);
            break;
          case "COPY": {
            const source = step.from ? built.find((s) => s.stage.name === step.from)!.root : contextDir;
            if (options.reuse) b.created.add(path.posix.resolve(b.workdir, step.dest));
            else copy(b, step, source, rootOwner);
            break;
          }
          case "RUN": {
            if (options.reuse) break;
            console.log(`  ${b.label}: RUN ${step.command} …`);
            if (!b.user && isFinal) throw new Error("a RUN as root in the final stage cannot be run faithfully here; put it in a build stage");
            run(b, step, b.user ?? builder, options.runEnv, path.join(workRoot, "logs", `line-${step.line}.log`));
            break;
          }
          case "USER":
            b.user = step.user;
            break;
          case "VOLUME":
            for (const p of step.paths) b.created.add(p);
            break;
          case "ENV":
          case "EXPOSE":
          case "HEALTHCHECK":
          case "CMD":
            break;
        }
        // Only steps that do something are worth a line each.
        if (step.kind === "COPY" || step.kind === "RUN" || step.kind === "WORKDIR") report(true);
      } catch (e) {
        report(false, (e as Error).message);
        throw e;
      }
    }
  }
  return built;
}

/** Starts the final stage's CMD as its USER, with run-time variables (`docker run -e`) on top. */
export function startCmd(final: BuiltStage, runtimeEnv: Record<string, string>): ChildProcess {
  const cmd = lastStep(final.stage, "CMD");
  if (!cmd) throw new Error("the final stage has no CMD");
  if (!final.user || final.user.uid === 0) throw new Error("the final stage runs as root");
  const argv = asUser(final.user, cmd.command);
  return spawn(argv[0]!, argv.slice(1), { cwd: hostPath(final, "."), env: processEnv(final, final.user, runtimeEnv), stdio: ["ignore", "pipe", "pipe"], detached: true });
}

/** Runs the final stage's HEALTHCHECK command once, as Docker would inside the container. */
export function runHealthcheck(final: BuiltStage, runtimeEnv: Record<string, string>, timeoutMs: number): number | null {
  const hc = lastStep(final.stage, "HEALTHCHECK");
  if (!hc) throw new Error("the final stage has no HEALTHCHECK");
  const argv = asUser(final.user ?? ROOT, hc.command);
  return spawnSync(argv[0]!, argv.slice(1), { cwd: hostPath(final, "."), env: processEnv(final, final.user, runtimeEnv), timeout: timeoutMs, stdio: "ignore" }).status;
}

/** A host path inside a built stage, for checks. */
export function inStage(stage: BuiltStage, imagePath: string): string {
  return hostPath(stage, imagePath);
}
