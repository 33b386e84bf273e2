/**
 * A small, strict reader of the Dockerfile subset Minos's own Dockerfile uses, so a test can run
 * its steps without a container engine (scripts/test-deploy.ts). It refuses what it does not
 * understand (ADD, ENTRYPOINT, SHELL, `ENV key value`, wildcards, `${VAR:-x}`, …) instead of
 * guessing: a step it skipped would be a step the test claims to have checked.
 *
 * Semantics follow the Dockerfile reference: logical lines joined at a trailing backslash,
 * comment lines dropped (also inside a continuation), global ARGs visible to FROM only,
 * variables expanded in FROM, WORKDIR, COPY, ENV, USER, EXPOSE and VOLUME but not in RUN or
 * exec-form CMD/HEALTHCHECK (the shell, or nobody, expands those).
 */

export interface User {
  uid: number;
  gid: number;
}

export type Step =
  | { kind: "WORKDIR"; line: number; path: string }
  | { kind: "COPY"; line: number; from?: string; chown?: User; sources: string[]; dest: string }
  | { kind: "RUN"; line: number; command: string }
  | { kind: "ENV"; line: number; vars: Array<[string, string]> }
  | { kind: "USER"; line: number; user: User }
  | { kind: "EXPOSE"; line: number; ports: number[] }
  | { kind: "VOLUME"; line: number; paths: string[] }
  | { kind: "HEALTHCHECK"; line: number; options: Record<string, string>; command: string[] }
  | { kind: "CMD"; line: number; command: string[] };

export interface Stage {
  index: number;
  name?: string;
  /** The image it starts from, variables expanded: a base image or an earlier stage's name. */
  image: string;
  line: number;
  steps: Step[];
}

export interface Dockerfile {
  stages: Stage[];
}

/** Users the base images define, for `USER name` and `--chown=name`. */
const KNOWN_USERS: Record<string, User> = { root: { uid: 0, gid: 0 }, node: { uid: 1000, gid: 1000 } };

export class DockerfileError extends Error {
  constructor(line: number, message: string) {
    super(`Dockerfile line ${line}: ${message}`);
  }
}

interface LogicalLine {
  line: number;
  keyword: string;
  rest: string;
}

/** Joins continuations and drops comments; keeps the first physical line's number. */
function logicalLines(text: string): LogicalLine[] {
  const physical = text.replace(/\r\n/g, "\n").split("\n");
  const out: LogicalLine[] = [];
  let buffer = "";
  let start = 0;
  physical.forEach((raw, i) => {
    const trimmed = raw.trim();
    if (trimmed.startsWith("#")) {
      if (/^#\s*escape\s*=/i.test(trimmed) && out.length === 0 && buffer === "") throw new DockerfileError(i + 1, "the escape directive is not supported");
      return;
    }
    if (buffer === "" && trimmed === "") return;
    // Docker still skips these with a warning that they will become errors; refuse them now.
    if (trimmed === "") throw new DockerfileError(i + 1, "an empty line inside a line continuation");
    if (buffer === "") start = i + 1;
    if (/\\\s*$/.test(raw)) {
      buffer += raw.replace(/\\\s*$/, "") + " ";
      return;
    }
    buffer += raw;
    const m = /^\s*([A-Za-z]+)(?:\s+([\s\S]*))?$/.exec(buffer);
    if (!m) throw new DockerfileError(start, `cannot read ${JSON.stringify(buffer.trim().slice(0, 60))}`);
    out.push({ line: start, keyword: m[1]!.toUpperCase(), rest: (m[2] ?? "").trim() });
    buffer = "";
  });
  if (buffer !== "") throw new DockerfileError(start, "the file ends inside a line continuation");
  return out;
}

/** `$NAME` and `${NAME}`; an unset name is an error rather than Docker's silent empty string. */
export function expand(value: string, vars: ReadonlyMap<string, string>, line: number): string {
  return value.replace(/\\\$|\$\{([^}]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)/g, (whole, braced: string | undefined, bare: string | undefined) => {
    if (whole === "\\$") return "$";
    const name = braced ?? bare!;
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new DockerfileError(line, `unsupported substitution ${whole}`);
    const v = vars.get(name);
    if (v === undefined) throw new DockerfileError(line, `${name} is not set (ARG or ENV)`);
    return v;
  });
}

function jsonArray(rest: string, line: number, what: string): string[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(rest);
  } catch {
    throw new DockerfileError(line, `${what} must use the exec form, a JSON array of strings`);
  }
  if (!Array.isArray(parsed) || parsed.length === 0 || !parsed.every((p) => typeof p === "string")) {
    throw new DockerfileError(line, `${what} must be a non-empty JSON array of strings`);
  }
  return parsed as string[];
}

/** `KEY=value` pairs with double or single quotes and backslash escapes, as ENV and ARG take. */
function keyValues(rest: string, line: number): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  let i = 0;
  while (i < rest.length) {
    while (i < rest.length && /\s/.test(rest[i]!)) i++;
    if (i >= rest.length) break;
    const key = /^[A-Za-z_][A-Za-z0-9_]*/.exec(rest.slice(i))?.[0];
    if (!key || rest[i + key.length] !== "=") throw new DockerfileError(line, "expected KEY=value (the `ENV key value` form is not supported)");
    i += key.length + 1;
    let value = "";
    while (i < rest.length && !/\s/.test(rest[i]!)) {
      const c = rest[i]!;
      if (c === '"' || c === "'") {
        const end = rest.indexOf(c, i + 1);
        if (end < 0) throw new DockerfileError(line, `unterminated quote in ${key}`);
        value += c === '"' ? rest.slice(i + 1, end).replace(/\\(.)/g, "$1") : rest.slice(i + 1, end);
        i = end + 1;
      } else if (c === "\\" && i + 1 < rest.length) {
        // Keep "\$" so expansion can tell an escaped dollar; any other escape is the character.
        value += rest[i + 1] === "$" ? "\\$" : rest[i + 1]!;
        i += 2;
      } else {
        value += c;
        i++;
      }
    }
    out.push([key, value]);
  }
  if (out.length === 0) throw new DockerfileError(line, "expected at least one KEY=value");
  return out;
}

function parseUser(spec: string, line: number): User {
  const [u, g] = spec.split(":");
  const known = KNOWN_USERS[u!];
  const uid = known ? known.uid : /^\d+$/.test(u!) ? Number(u) : NaN;
  if (Number.isNaN(uid)) throw new DockerfileError(line, `unknown user ${JSON.stringify(u)} (use a number or one of ${Object.keys(KNOWN_USERS).join(", ")})`);
  if (g === undefined) {
    if (!known) throw new DockerfileError(line, `give the group of user ${uid} explicitly (uid:gid)`);
    return known;
  }
  const gid = KNOWN_USERS[g]?.gid ?? (/^\d+$/.test(g) ? Number(g) : NaN);
  if (Number.isNaN(gid)) throw new DockerfileError(line, `unknown group ${JSON.stringify(g)}`);
  return { uid, gid };
}

/** Leading `--name=value` flags, each of which must be in `allowed`. */
function flags(rest: string, allowed: string[], line: number, what: string): { flags: Record<string, string>; rest: string } {
  const out: Record<string, string> = {};
  let r = rest;
  for (let m = /^--([a-z-]+)=(\S+)\s+/.exec(r); m; m = /^--([a-z-]+)=(\S+)\s+/.exec(r)) {
    if (!allowed.includes(m[1]!)) throw new DockerfileError(line, `${what} --${m[1]} is not supported`);
    out[m[1]!] = m[2]!;
    r = r.slice(m[0].length);
  }
  if (r.startsWith("--")) throw new DockerfileError(line, `cannot read the flags of ${what}`);
  return { flags: out, rest: r };
}

export function parseDockerfile(text: string, buildArgs: Record<string, string> = {}): Dockerfile {
  const globalArgs = new Map<string, string>();
  const stages: Stage[] = [];
  let stage: Stage | null = null;
  let vars = new Map<string, string>();
  for (const { line, keyword, rest } of logicalLines(text)) {
    if (keyword === "ARG") {
      const m = /^([A-Za-z_][A-Za-z0-9_]*)(?:=(.*))?$/.exec(rest);
      if (!m) throw new DockerfileError(line, "expected ARG NAME or ARG NAME=default");
      const name = m[1]!;
      const value = buildArgs[name] ?? (m[2] !== undefined ? keyValues(rest, line)[0]![1] : stage ? globalArgs.get(name) : undefined);
      if (value === undefined) throw new DockerfileError(line, `ARG ${name} has no value`);
      (stage ? vars : globalArgs).set(name, stage ? expand(value, vars, line) : expand(value, globalArgs, line));
      continue;
    }
    if (keyword === "FROM") {
      const m = /^(\S+)(?:\s+AS\s+([a-z][a-z0-9_.-]*))?$/i.exec(rest);
      if (!m || m[1]!.startsWith("--")) throw new DockerfileError(line, "expected FROM image [AS name] (no flags)");
      const image = expand(m[1]!, globalArgs, line);
      if (stages.some((s) => s.name === image.toLowerCase())) throw new DockerfileError(line, `FROM ${image}: a stage built on another stage is not supported`);
      if (m[2] && stages.some((s) => s.name === m[2]!.toLowerCase())) throw new DockerfileError(line, `stage ${m[2]} is defined twice`);
      stage = { index: stages.length, name: m[2]?.toLowerCase(), image, line, steps: [] };
      stages.push(stage);
      vars = new Map();
      continue;
    }
    if (!stage) throw new DockerfileError(line, `${keyword} before the first FROM`);
    const x = (v: string) => expand(v, vars, line);
    switch (keyword) {
      case "WORKDIR":
        if (!rest) throw new DockerfileError(line, "WORKDIR needs a path");
        stage.steps.push({ kind: "WORKDIR", line, path: x(rest) });
        break;
      case "RUN":
        if (rest.startsWith("[")) throw new DockerfileError(line, "RUN: only the shell form is supported");
        if (rest.startsWith("--")) throw new DockerfileError(line, "RUN flags (--mount, --network) are not supported");
        if (!rest) throw new DockerfileError(line, "RUN needs a command");
        stage.steps.push({ kind: "RUN", line, command: rest });
        break;
      case "COPY": {
        const f = flags(rest, ["from", "chown"], line, "COPY");
        const parts = (f.rest.startsWith("[") ? jsonArray(f.rest, line, "COPY") : f.rest.split(/\s+/)).map(x);
        if (parts.length < 2) throw new DockerfileError(line, "COPY needs a source and a destination");
        const sources = parts.slice(0, -1);
        for (const s of sources) if (/[*?[]/.test(s)) throw new DockerfileError(line, `COPY wildcards are not supported (${s})`);
        const from = f.flags.from !== undefined ? x(f.flags.from).toLowerCase() : undefined;
        if (from !== undefined && !stages.slice(0, -1).some((s) => s.name === from)) throw new DockerfileError(line, `COPY --from=${from}: no earlier stage of that name`);
        stage.steps.push({ kind: "COPY", line, from, chown: f.flags.chown ? parseUser(x(f.flags.chown), line) : undefined, sources, dest: parts.at(-1)! });
        break;
      }
      case "ENV": {
        const pairs = keyValues(rest, line).map(([k, v]): [string, string] => [k, x(v)]);
        // All values of one ENV see the variables as they were before it, as Docker does.
        for (const [k, v] of pairs) vars.set(k, v);
        stage.steps.push({ kind: "ENV", line, vars: pairs });
        break;
      }
      case "USER":
        stage.steps.push({ kind: "USER", line, user: parseUser(x(rest), line) });
        break;
      case "EXPOSE": {
        const ports = x(rest).split(/\s+/).map((p) => {
          const m = /^(\d+)(?:\/tcp)?$/.exec(p);
          const n = m ? Number(m[1]) : NaN;
          if (!(n >= 1 && n <= 65535)) throw new DockerfileError(line, `EXPOSE ${p}: expected a TCP port`);
          return n;
        });
        stage.steps.push({ kind: "EXPOSE", line, ports });
        break;
      }
      case "VOLUME": {
        const paths = (rest.startsWith("[") ? jsonArray(rest, line, "VOLUME") : rest.split(/\s+/)).map(x);
        for (const p of paths) if (!p.startsWith("/")) throw new DockerfileError(line, `VOLUME ${p}: use an absolute path`);
        stage.steps.push({ kind: "VOLUME", line, paths });
        break;
      }
      case "HEALTHCHECK": {
        const f = flags(rest, ["interval", "timeout", "start-period", "start-interval", "retries"], line, "HEALTHCHECK");
        const m = /^CMD\s+([\s\S]+)$/.exec(f.rest);
        if (!m) throw new DockerfileError(line, "expected HEALTHCHECK [options] CMD [...] (NONE is not supported)");
        stage.steps.push({ kind: "HEALTHCHECK", line, options: f.flags, command: jsonArray(m[1]!, line, "HEALTHCHECK CMD") });
        break;
      }
      case "CMD":
        stage.steps.push({ kind: "CMD", line, command: jsonArray(rest, line, "CMD") });
        break;
      default:
        throw new DockerfileError(line, `${keyword} is not supported by this interpreter`);
    }
  }
  if (stages.length === 0) throw new DockerfileError(1, "no FROM");
  return { stages };
}

/** The ENV a stage ends with. */
export function envOf(stage: Stage): Map<string, string> {
  const env = new Map<string, string>();
  for (const step of stage.steps) if (step.kind === "ENV") for (const [k, v] of step.vars) env.set(k, v);
  return env;
}

/** The last step of a kind in a stage (CMD, USER, HEALTHCHECK: the last one wins). */
export function lastStep<K extends Step["kind"]>(stage: Stage, kind: K): Extract<Step, { kind: K }> | undefined {
  return stage.steps.filter((s): s is Extract<Step, { kind: K }> => s.kind === kind).at(-1);
}
