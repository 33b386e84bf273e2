/**
 * `minos` command line (bin/minos.mjs runs this through tsx). Subcommands: validate, gen secrets,
 * gen config, machineconfig (mc) patch, migrate. This file is the I/O edge: it reads the files a
 * core asks for, runs the pure core, then writes the core's plan (all files or none, see
 * ./write.ts). Exit status: 0 success, 1 bad input (printed as FILE:LINE:COL: error: …), 2 usage.
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import { createInterface } from "node:readline/promises";

import { formatSourceError } from "@/lib/talos/errors";

import type { InputFile, OutputPlan } from "./common";
import { UsageError } from "./flags";
import {
  checkGenConfigOptions,
  checkGenSecretsOptions,
  GEN_USAGE,
  genConfigInputs,
  genConfigOutputs,
  genSecretsInputs,
  genSecretsOutputs,
  parseGenConfigArgs,
  parseGenSecretsArgs,
  runGenConfig,
  runGenSecrets,
} from "./gen";
import { formatErrors, parseRenderArgs, RENDER_USAGE, renderInputs, runRender } from "./manifest";
import { apiClient, apiTarget } from "./api";
import {
  APPLY_USAGE,
  EXPORT_USAGE,
  parseApplyArgs,
  parseExportArgs,
  parsePlanArgs,
  PLAN_USAGE,
  runApply,
  runExport,
  runPlan,
  type ApplyOptions,
  type CliIo,
  type PlanOptions,
  unexpectedError,
} from "./manifest-remote";
import { MIGRATE_USAGE, migrateInputs, parseMigrateArgs, runMigrate } from "./migrate";
import { PATCH_USAGE, parsePatchArgs, patchInputs, runPatch } from "./patch";
import { parseValidateArgs, runValidate, UsageError as ValidateUsageError, USAGE as VALIDATE_USAGE } from "./validate";
import { findConflicts, writePlanFiles } from "./write";

const USAGE = `usage: minos COMMAND [flags]

Commands:
  validate                  check machine configs against Talos's schema and rules
  gen secrets               generate a secrets bundle (talosctl gen secrets)
  gen config NAME ENDPOINT  generate controlplane.yaml, worker.yaml, talosconfig (talosctl gen config)
  machineconfig patch FILE  patch a machine config (talosctl machineconfig patch; alias mc)
  migrate FILE --to 1.14    move deprecated fields into the 1.14 documents
  render MANIFEST           every node's config from a cluster manifest (offline)
  plan MANIFEST             what applying the manifest would do on each node (MINOS_URL, MINOS_TOKEN)
  apply MANIFEST            apply it as a rollout and follow it
  manifest export CLUSTER   the cluster's current manifest

Run minos COMMAND --help for its flags.`;

async function readStdin(): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Decodes strictly: Talos rejects invalid UTF-8, and a silent U+FFFD would hide the problem. */
function decode(name: string, bytes: Buffer): InputFile {
  try {
    return { name, text: new TextDecoder("utf-8", { fatal: true }).decode(bytes) };
  } catch {
    return { name, text: undefined, error: "not valid UTF-8" };
  }
}

// `npm run validate -- FILE` runs from the package root: resolve FILE where the user typed it.
const baseDir = process.env.npm_lifecycle_event === "validate" && process.env.INIT_CWD ? process.env.INIT_CWD : process.cwd();

async function readInput(name: string): Promise<InputFile> {
  try {
    return decode(name === "-" ? "<stdin>" : name, name === "-" ? await readStdin() : await readFile(path.resolve(baseDir, name)));
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    return { name, error: err.code === "ENOENT" ? "no such file" : err.code === "EISDIR" ? "is a directory" : err.message };
  }
}

async function readInputs(names: string[]): Promise<Map<string, InputFile>> {
  const unique = [...new Set(names)];
  return new Map(await Promise.all(unique.map(async (n) => [n, await readInput(n)] as const)));
}

async function runValidateCommand(rest: string[]): Promise<number> {
  const opts = parseValidateArgs(rest);
  if (opts.help) {
    process.stdout.write(`${VALIDATE_USAGE}\n`);
    return 0;
  }
  const inputs = await Promise.all(opts.files.map(readInput));
  const out = runValidate(opts, inputs);
  process.stdout.write(out.stdout);
  process.stderr.write(out.stderr);
  return out.exitCode;
}

/** Writes a plan: warnings, then every file (or none, on any conflict), then standard output. */
async function emit(plan: OutputPlan, force: boolean): Promise<number> {
  process.stderr.write(plan.stderr);
  const conflicts = await findConflicts(plan, { force, baseDir });
  if (conflicts.length > 0) {
    process.stderr.write(conflicts.map((e) => formatSourceError(e) + "\n").join(""));
    return 1;
  }
  await writePlanFiles(plan, baseDir);
  for (const f of plan.files) if (f.announce) process.stderr.write(`Created ${f.path}\n`);
  process.stdout.write(plan.stdout);
  return 0;
}

/** One subcommand: usage text, argument parser, files it reads, core. */
interface Command<O extends { help: boolean }> {
  name: string;
  usage: string;
  parse: (argv: string[]) => O;
  inputs: (o: O) => string[];
  run: (o: O, files: Map<string, InputFile>) => OutputPlan | Promise<OutputPlan>;
  /** Whether existing outputs may be replaced (`gen --force`). */
  force?: (o: O) => boolean;
  /** Outputs that must not exist, known from the options alone (checked before the work too). */
  outputs?: (o: O) => string[];
  /** Checks of the options alone (throws SourceError), run before the existing outputs are. */
  check?: (o: O) => unknown;
}

async function runCommand<O extends { help: boolean }>(cmd: Command<O>, argv: string[]): Promise<number> {
  let opts: O;
  try {
    opts = cmd.parse(argv);
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`minos ${cmd.name}: ${e.message}\n${cmd.usage}\n`);
      return 2;
    }
    throw e;
  }
  if (opts.help) {
    process.stdout.write(`${cmd.usage}\n`);
    return 0;
  }
  try {
    // Bad input first (talosctl's order), then an existing output before generating keys;
    // emit() checks the outputs again.
    cmd.check?.(opts);
    const force = cmd.force?.(opts) ?? false;
    const early = cmd.outputs?.(opts) ?? [];
    if (!force && early.length > 0) {
      const conflicts = await findConflicts({ files: early.map((p) => ({ path: p, data: "", mode: 0, noClobber: true, announce: false })), stdout: "", stderr: "" }, { force, baseDir });
      if (conflicts.length > 0) {
        process.stderr.write(conflicts.map((e) => formatSourceError(e) + "\n").join(""));
        return 1;
      }
    }
    const files = await readInputs(cmd.inputs(opts));
    const plan = await cmd.run(opts, files);
    return await emit(plan, force);
  } catch (e) {
    const located = formatErrors(e, `minos ${cmd.name}`);
    if (located !== null) {
      process.stderr.write(located);
      return 1;
    }
    throw e;
  }
}

/** The terminal and the clock for the commands that talk to a Minos server. */
const terminal: CliIo = {
  out: (t) => process.stdout.write(t),
  err: (t) => process.stderr.write(t),
  interactive: process.stdin.isTTY === true,
  async confirm(question) {
    // Asked on standard error, so standard output stays the plan alone.
    const rl = createInterface({ input: process.stdin, output: process.stderr });
    try {
      return /^(y|yes)$/i.test((await rl.question(question)).trim());
    } finally {
      rl.close();
    }
  },
  sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
  now: () => Date.now(),
};

const client = () => apiClient(apiTarget(process.env));

/**
 * plan and apply: 2 means "changes" to CI, so a usage error exits 1, never 2. The manifest is
 * sent as the file's text, so the server's line numbers are the file's.
 */
async function runManifestCommand(name: "plan" | "apply", argv: string[]): Promise<number> {
  return exitOneOnCrash(`minos ${name}`, () => manifestCommand(name, argv));
}

/**
 * A crash (a bug) in plan, apply or export prints one plain line and exits 1: the last resort
 * below would exit 2, which CI reads as "changes" after plan or apply.
 */
async function exitOneOnCrash(command: string, body: () => Promise<number>): Promise<number> {
  try {
    return await body();
  } catch (e) {
    process.stderr.write(unexpectedError(command, e));
    return 1;
  }
}

async function manifestCommand(name: "plan" | "apply", argv: string[]): Promise<number> {
  const usage = name === "plan" ? PLAN_USAGE : APPLY_USAGE;
  let opts: PlanOptions | ApplyOptions;
  try {
    opts = name === "plan" ? parsePlanArgs(argv) : parseApplyArgs(argv);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    process.stderr.write(`minos ${name}: ${e.message}\n${usage}\n`);
    return 1;
  }
  if (opts.help) {
    process.stdout.write(`${usage}\n`);
    return 0;
  }
  const apply = name === "apply" ? (opts as ApplyOptions) : null;
  if (apply && opts.manifest === "-" && !apply.yes) {
    process.stderr.write("minos apply: a manifest on standard input needs --yes (standard input cannot also answer the confirmation)\n");
    return 1;
  }
  const input = await readInput(opts.manifest);
  if (input.text === undefined) {
    process.stderr.write(`${input.name}: error: ${input.error ?? "cannot read"}\n`);
    return 1;
  }
  return apply ? runApply(apply, input.text, input.name, client, terminal) : runPlan(opts, input.text, input.name, client, terminal);
}

async function runExportCommand(argv: string[]): Promise<number> {
  return exitOneOnCrash("minos manifest export", () => exportCommand(argv));
}

async function exportCommand(argv: string[]): Promise<number> {
  let opts;
  try {
    opts = parseExportArgs(argv);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    process.stderr.write(`minos manifest export: ${e.message}\n${EXPORT_USAGE}\n`);
    return 2;
  }
  if (opts.help) {
    process.stdout.write(`${EXPORT_USAGE}\n`);
    return 0;
  }
  const result = await runExport(opts, client, terminal);
  if (result.file) {
    const plan: OutputPlan = { files: [{ ...result.file, noClobber: false, announce: false }], stdout: "", stderr: "" };
    const code = await emit(plan, true).catch((e: unknown) => {
      const located = formatErrors(e, "minos manifest export");
      if (located === null) throw e;
      process.stderr.write(located);
      return 1;
    });
    if (code !== 0) return code;
  }
  return result.code;
}

const COMMANDS: Record<string, (argv: string[]) => Promise<number>> = {
  "gen secrets": (argv) =>
    runCommand({ name: "gen secrets", usage: GEN_USAGE, parse: parseGenSecretsArgs, inputs: genSecretsInputs, run: (o, f) => runGenSecrets(o, f), force: (o) => o.force, outputs: genSecretsOutputs, check: checkGenSecretsOptions }, argv),
  "gen config": (argv) =>
    runCommand({ name: "gen config", usage: GEN_USAGE, parse: parseGenConfigArgs, inputs: genConfigInputs, run: (o, f) => runGenConfig(o, f, baseDir), force: (o) => o.force, outputs: (o) => genConfigOutputs(o, baseDir), check: (o) => checkGenConfigOptions(o, baseDir) }, argv),
  "machineconfig patch": (argv) => runCommand({ name: "machineconfig patch", usage: PATCH_USAGE, parse: parsePatchArgs, inputs: patchInputs, run: runPatch }, argv),
  migrate: (argv) => runCommand({ name: "migrate", usage: MIGRATE_USAGE, parse: parseMigrateArgs, inputs: migrateInputs, run: runMigrate }, argv),
  // Rendered files are derived output: a new render replaces the last one.
  render: (argv) => runCommand({ name: "render", usage: RENDER_USAGE, parse: parseRenderArgs, inputs: renderInputs, run: runRender, force: () => true }, argv),
};

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === "-h" || command === "--help" || command === "help") {
    process.stdout.write(`${USAGE}\n`);
    return command === undefined ? 2 : 0;
  }
  if (command === "validate") {
    try {
      return await runValidateCommand(rest);
    } catch (e) {
      if (e instanceof ValidateUsageError) {
        process.stderr.write(`minos validate: ${e.message}\n${VALIDATE_USAGE}\n`);
        return 2;
      }
      throw e;
    }
  }
  if (command === "migrate" || command === "render") return COMMANDS[command]!(rest);
  if (command === "plan" || command === "apply") return runManifestCommand(command, rest);
  if (command === "manifest") {
    const [sub, ...args] = rest;
    if (sub === "export") return runExportCommand(args);
    if (sub === undefined || sub === "-h" || sub === "--help") {
      process.stdout.write(`${EXPORT_USAGE}\n`);
      return sub === undefined ? 2 : 0;
    }
    process.stderr.write(`minos manifest: unknown command "${sub}"\n${EXPORT_USAGE}\n`);
    return 2;
  }
  const group = command === "mc" ? "machineconfig" : command;
  if (group === "gen" || group === "machineconfig") {
    const [sub, ...args] = rest;
    const cmd = COMMANDS[`${group} ${sub}`];
    if (cmd) return cmd(args);
    if (sub === undefined || sub === "-h" || sub === "--help") {
      process.stdout.write(`${group === "gen" ? GEN_USAGE : PATCH_USAGE}\n`);
      return sub === undefined ? 2 : 0;
    }
    process.stderr.write(`minos ${group}: unknown command "${sub}"\n${group === "gen" ? GEN_USAGE : PATCH_USAGE}\n`);
    return 2;
  }
  process.stderr.write(`minos: unknown command "${command}"\n${USAGE}\n`);
  return 2;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`minos: ${(e as Error).stack ?? String(e)}\n`);
    process.exitCode = 2;
  },
);
