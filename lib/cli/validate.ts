/**
 * `minos validate`: the same validator the editor and the API use, for CI pipelines.
 * The core (`runValidate`) is pure: inputs in, text and an exit code out; main.ts does the I/O.
 */
import { parseArgs } from "node:util";

import { z } from "zod";

import { validateConfig } from "@/lib/config/validate";
import { talosMinorSchema, validationModeSchema, type ConfigIssue, type ValidationMode } from "@/lib/config/types";
import { toTalosMinor } from "@/lib/config/schema";

export const USAGE = `usage: minos validate [--talos-version 1.14] [--mode metal|cloud|container] [--patch] [--json] FILE... | -

Validates Talos machine configs (multi-document YAML) against Talos's schema and rules.
Prints FILE:LINE:COL: error|warning: message (path) per issue.
Exit status: 0 valid (warnings allowed), 1 any error, 2 usage error or unreadable file.`;

const optionsSchema = z.object({
  talosVersion: z
    .string()
    .optional()
    .refine((v) => v === undefined || toTalosMinor(v) !== null, { message: "expected a Talos version such as 1.13 or v1.13.9" })
    .transform((v) => (v === undefined ? undefined : talosMinorSchema.parse(toTalosMinor(v)))),
  mode: validationModeSchema.optional(),
  patch: z.boolean().default(false),
  json: z.boolean().default(false),
  help: z.boolean().default(false),
  files: z.array(z.string()),
});
export type ValidateCliOptions = z.infer<typeof optionsSchema>;

export class UsageError extends Error {}

/** Parses `minos validate` arguments (without the subcommand). Throws UsageError. */
export function parseValidateArgs(argv: string[]): ValidateCliOptions {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        "talos-version": { type: "string" },
        mode: { type: "string" },
        patch: { type: "boolean" },
        json: { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const v = parsed.values;
  const result = optionsSchema.safeParse({
    talosVersion: v["talos-version"],
    mode: v.mode,
    patch: v.patch,
    json: v.json,
    help: v.help,
    files: parsed.positionals,
  });
  if (!result.success) {
    const i = result.error.issues[0]!;
    const flag = i.path[0] === "talosVersion" ? "--talos-version" : `--${String(i.path[0])}`;
    throw new UsageError(`${flag}: ${i.message}`);
  }
  if (!result.data.help && result.data.files.length === 0) throw new UsageError("no input files (use - for standard input)");
  return result.data;
}

export interface InputFile {
  name: string;
  /** The file's text, or why it could not be read. */
  text?: string;
  error?: string;
}

export interface FileReport {
  file: string;
  valid: boolean;
  issues: ConfigIssue[];
}

export interface RunOutput {
  stdout: string;
  stderr: string;
  exitCode: 0 | 1 | 2;
}

export const formatIssue = (file: string, i: ConfigIssue): string =>
  `${file}:${i.line}:${i.column}: ${i.severity}: ${i.message}${i.path.length > 0 ? ` (${i.path.join(".")})` : ""}`;

/** Validates already-read inputs and renders the report. */
export function runValidate(opts: { talosVersion?: string; mode?: ValidationMode; patch: boolean; json: boolean }, inputs: InputFile[]): RunOutput {
  const reports: FileReport[] = [];
  const stderr: string[] = [];
  let unreadable = false;
  for (const input of inputs) {
    if (input.text === undefined) {
      unreadable = true;
      stderr.push(`minos validate: ${input.name}: ${input.error ?? "cannot read"}`);
      continue;
    }
    const r = validateConfig(input.text, { talosVersion: opts.talosVersion, mode: opts.mode, patch: opts.patch });
    reports.push({ file: input.name, valid: r.valid, issues: r.issues });
  }
  const stdout = opts.json
    ? JSON.stringify(reports, null, 2) + "\n"
    : reports.flatMap((r) => r.issues.map((i) => formatIssue(r.file, i))).map((l) => l + "\n").join("");
  const exitCode = unreadable ? 2 : reports.some((r) => !r.valid) ? 1 : 0;
  return { stdout, stderr: stderr.map((l) => l + "\n").join(""), exitCode };
}
