/**
 * `minos migrate FILE --to 1.14 [-o OUT]`: rewrites a machine config into the 1.14 multi-document
 * layout with lib/config/migrate (the same moves as the editor's quick fixes). Moves that need a
 * human decision are not made; each is printed on standard error as `FILE:LINE:COL: warning: …`
 * so a CI log links to it. Output as `machineconfig patch`: standard output, or OUT replaced
 * atomically (0644). No talosctl equivalent exists, so the flags follow `machineconfig patch`.
 */
import { migrateConfig, type Decision } from "@/lib/config/migrate";
import { parseConfigYaml, type ParseResult } from "@/lib/config/parse";
import { positionForPath } from "@/lib/config/positions";
import { SourceError } from "@/lib/talos/errors";

import { emptyPlan, inputText, parseContract, type InputFile, type OutputPlan } from "./common";
import { flagGetters, parseFlags, UsageError } from "./flags";

export const MIGRATE_USAGE = `usage: minos migrate FILE|- --to 1.14 [-o OUT]

Moves v1alpha1 fields deprecated in Talos 1.12–1.14 into their replacement documents.
Moves that need a decision are left in place and reported on standard error as warnings.
Exit status: 0 migrated, 1 bad input (FILE:LINE:COL: error: …; nothing written), 2 usage error.`;

/** The layouts Minos migrates to. */
const TARGETS = ["1.14"] as const;

export interface MigrateOptions {
  help: boolean;
  file: string;
  to: string;
  output: string;
}

export function parseMigrateArgs(argv: string[]): MigrateOptions {
  const parsed = parseFlags(argv, [
    { name: "to", kind: "string" },
    { name: "output", short: "o", kind: "string" },
  ]);
  const f = flagGetters(parsed);
  const help = f.bool("help");
  if (!help && parsed.positionals.length !== 1) throw new UsageError(`accepts 1 arg(s), received ${parsed.positionals.length}`);
  if (!help && !f.has("to")) throw new UsageError(`required flag "to" not set`);
  return { help, file: parsed.positionals[0] ?? "", to: f.str("to"), output: f.str("output") };
}

export const migrateInputs = (o: MigrateOptions): string[] => [o.file];

interface Located {
  message: string;
  line?: number;
  column?: number;
}

/** `FILE:LINE:COL: warning: …` for a decision the migration left to the user. */
export function formatWarning(file: string, d: Located): string {
  const where = d.line === undefined ? file : `${file}:${d.line}:${d.column ?? 1}`;
  return `${where}: warning: ${d.message}`;
}

/** Where a decision's field (a path in the v1alpha1 document) is in the input. */
function locate(parsed: ParseResult, d: Decision): Located {
  const v1 = parsed.documents.find((x) => {
    const v = x.value as Record<string, unknown> | null | undefined;
    return v != null && typeof v === "object" && v.kind === undefined && (v.version === "v1alpha1" || "machine" in v || "cluster" in v);
  });
  if (!v1) return { message: `${d.message} (${d.path})` };
  const segs = d.path.split(".").map((s) => (/^\d+$/.test(s) ? Number(s) : s));
  const pos = positionForPath(v1.doc, parsed.lineCounter, segs, "key");
  return { message: `${d.message} (${d.path})`, line: pos.line, column: pos.column };
}

export function runMigrate(o: MigrateOptions, files: ReadonlyMap<string, InputFile>): OutputPlan {
  const to = parseContract(o.to, "--to");
  if (!(TARGETS as readonly string[]).includes(to)) {
    throw new SourceError(`cannot migrate to ${to}: Minos migrates to the ${TARGETS.join(", ")} layout`, { source: "--to" });
  }
  const text = inputText(files, o.file);
  const name = files.get(o.file)?.name ?? o.file;
  // Broken YAML is an error at its place, not something to migrate.
  const parsed = parseConfigYaml(text);
  const syntax = parsed.issues.find((i) => i.severity === "error");
  if (syntax) throw new SourceError(syntax.message, { source: name, line: syntax.line, column: syntax.column });
  const result = migrateConfig(text, { to: "1.14" });
  const plan = emptyPlan();
  plan.stderr = result.decisions.map((d) => formatWarning(name, locate(parsed, d)) + "\n").join("");
  if (o.output === "") plan.stdout = result.yaml;
  else plan.files.push({ path: o.output, data: result.yaml, mode: 0o644, noClobber: false, announce: false });
  return plan;
}
