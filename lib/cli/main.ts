/**
 * `minos` command line (bin/minos.mjs runs this through tsx). Subcommands: validate.
 */
import { readFile } from "node:fs/promises";
import path from "node:path";

import { parseValidateArgs, runValidate, UsageError, USAGE, type InputFile } from "./validate";

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

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === "-h" || command === "--help" || command === "help") {
    process.stdout.write(`${USAGE}\n`);
    return command === undefined ? 2 : 0;
  }
  if (command !== "validate") {
    process.stderr.write(`minos: unknown command "${command}"\n${USAGE}\n`);
    return 2;
  }
  let opts;
  try {
    opts = parseValidateArgs(rest);
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`minos validate: ${e.message}\n${USAGE}\n`);
      return 2;
    }
    throw e;
  }
  if (opts.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const inputs = await Promise.all(opts.files.map(readInput));
  const out = runValidate(opts, inputs);
  process.stdout.write(out.stdout);
  process.stderr.write(out.stderr);
  return out.exitCode;
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
