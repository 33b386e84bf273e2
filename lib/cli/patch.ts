/**
 * `minos machineconfig patch FILE --patch P... [-o OUT]` (alias `mc`): talosctl's command
 * (cmd/talosctl/cmd/mgmt/machineconfig/patch.go): patches are `@file`, a bare file name or inline
 * YAML/JSON (configpatcher.LoadPatches), applied in order; without -o the result goes to standard
 * output followed by a newline (talosctl prints it with "%s\n"), with -o it replaces OUT (0644,
 * parent directories created), as talosctl does, but atomically and only once every patch applied.
 * FILE may be "-" for standard input (a Minos addition).
 */
import { applyPatches } from "@/lib/config/patch";

import { classifyPatchArg, emptyPlan, inputText, type InputFile, type OutputPlan, type PatchArg } from "./common";
import { flagGetters, parseFlags, UsageError } from "./flags";
import { loadPatchArgs } from "./gen";

export const PATCH_USAGE = `usage: minos machineconfig patch FILE|- -p @PATCH.yaml|PATCH... [-o OUT]

Applies strategic-merge and JSON 6902 patches (repeatable -p/--patch, as talosctl) to a machine config.
Without -o the result goes to standard output.
Exit status: 0 patched, 1 bad input (FILE:LINE:COL: error: …; nothing written), 2 usage error.`;

export interface PatchOptions {
  help: boolean;
  file: string;
  patches: PatchArg[];
  output: string;
}

export function parsePatchArgs(argv: string[]): PatchOptions {
  const parsed = parseFlags(argv, [
    { name: "patch", short: "p", kind: "stringArray" },
    { name: "output", short: "o", kind: "string" },
  ]);
  const f = flagGetters(parsed);
  const help = f.bool("help");
  if (!help && parsed.positionals.length !== 1) throw new UsageError(`accepts 1 arg(s), received ${parsed.positionals.length}`);
  return {
    help,
    file: parsed.positionals[0] ?? "",
    patches: f.list("patch").map((p, i) => classifyPatchArg(p, `--patch #${i + 1}`)),
    output: f.str("output"),
  };
}

export const patchInputs = (o: PatchOptions): string[] => [o.file, ...o.patches.flatMap((p) => (p.kind === "file" ? [p.path] : []))];

export function runPatch(o: PatchOptions, files: ReadonlyMap<string, InputFile>): OutputPlan {
  const config = inputText(files, o.file);
  const patches = loadPatchArgs(o.patches, files);
  // What talosctl prints (Apply, then Bytes()): the input byte for byte without patches,
  // ghodss/yaml's text when the last patch is a JSON patch, else Talos's encoder.
  const patched = applyPatches(config, patches, { configSource: files.get(o.file)?.name ?? o.file, output: "bytes" });
  const plan = emptyPlan();
  if (o.output === "") plan.stdout = `${patched}\n`;
  else plan.files.push({ path: o.output, data: patched, mode: 0o644, noClobber: false, announce: false });
  return plan;
}
