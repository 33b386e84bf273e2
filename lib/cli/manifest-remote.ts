/**
 * `minos plan MANIFEST`, `minos apply MANIFEST` and `minos manifest export CLUSTER`: the cluster
 * manifest against a Minos server (MINOS_URL, MINOS_TOKEN; ./api.ts). Plan asks the server to
 * render every node and dry-run it on the node (POST /api/clusters/:cluster/manifest/plan) and
 * prints a line per node, the summary and the redacted diffs; apply does the same, asks (or takes
 * --yes), applies the plan (…/manifest/apply) and follows the rollout (GET /api/rollouts/:id)
 * until it ends, printing each node's transitions.
 *
 * Exit status of plan and apply (what CI branches on): 0 no node changes, 2 changes (planned,
 * or applied), 1 anything else: an error, a node refused or unreachable, a declined or failed
 * apply, and usage errors too (2 would read as "changes").
 *
 * The formatting functions are pure; the commands take an ApiClient and a CliIo.
 */
import { z } from "zod";

import { REDACTED } from "@/lib/config/secret-values";
import { SourceError } from "@/lib/talos/errors";
import { rolloutDetailSchema, rolloutModeSchema, type RolloutDetail, type RolloutMode, type RolloutState } from "@/lib/schemas/configs";
import { applyPlanResponseSchema, manifestIssueSchema, manifestResponseSchema, planResponseSchema, type PlanResponse } from "@/lib/schemas/manifests";

import { ApiError, CliError, type ApiClient } from "./api";
import { flagGetters, parseFlags, UsageError } from "./flags";
import { formatManifestIssue, manifestClusterName } from "./manifest-source";

const CLUSTER_RULE = `The cluster is --cluster ID (Minos's cluster id, as in GET /api/clusters), else the manifest's
cluster.name when Minos has a cluster of that id.`;

export const PLAN_USAGE = `usage: minos plan MANIFEST [--cluster ID] [--mode auto|no-reboot|reboot|staged] [--diff=false]

Asks the Minos server (MINOS_URL, with the API token MINOS_TOKEN) what applying the manifest
would do on every node: a line per node (unchanged, update, reboot, refused, unreachable), the
summary, then each changed node's diff (secrets redacted; --diff=false leaves them out).
${CLUSTER_RULE}

Exit status: 0 no changes, 2 changes, 1 error, a node refused or unreachable, or a usage error.`;

export const APPLY_USAGE = `usage: minos apply MANIFEST [--cluster ID] [--mode auto|no-reboot|reboot|staged] [--yes] [--concurrency N] [--timeout 60m] [--diff=false]

Plans as minos plan does, asks for confirmation (standard input must be a terminal unless --yes),
applies the plan as a rollout (control planes one at a time, up to --concurrency workers at once)
and follows it until it ends (--timeout stops following, not the rollout). Saves the manifest as
the cluster's new revision. Needs an admin's token.
${CLUSTER_RULE}

Exit status: 0 no changes, 2 changes applied, 1 error, a node refused or unreachable, a declined
confirmation, a rollout that failed or was cancelled, or a usage error.`;

export const EXPORT_USAGE = `usage: minos manifest export CLUSTER [-o FILE|-] [--reveal]

Writes the cluster's current manifest (GET /api/clusters/:cluster/manifest) to FILE or standard
output. Secret values in patches read '******' unless --reveal (an admin's token; the file is
then written 0600); a redacted manifest can be planned and applied as it is (the server merges the
stored values back).

Exit status: 0 written, 1 error, 2 usage error.`;

/** What the commands need of the terminal and the clock (tests pass their own). */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  /** Whether a person can answer a question on standard input. */
  interactive: boolean;
  confirm(question: string): Promise<boolean>;
  sleep(ms: number): Promise<void>;
  now(): number;
}

// ---------------------------------------------------------------------------------------------
// Options

/** Go's time.ParseDuration for the units a person types: `90s`, `15m`, `1h30m`. */
export function parseDuration(s: string, flag: string): number {
  const m = /^(?:\d+(?:\.\d+)?(?:h|m|s|ms))+$/.exec(s);
  if (!m) throw new UsageError(`invalid argument ${JSON.stringify(s)} for "${flag}" flag: a duration like 90s, 15m or 1h`);
  let ms = 0;
  for (const [, n, unit] of s.matchAll(/(\d+(?:\.\d+)?)(h|ms|m|s)/g)) ms += Number(n) * { h: 3_600_000, m: 60_000, s: 1000, ms: 1 }[unit as "h" | "m" | "s" | "ms"];
  return ms;
}

export interface PlanOptions {
  help: boolean;
  manifest: string;
  cluster?: string;
  mode: RolloutMode;
  diff: boolean;
}

export interface ApplyOptions extends PlanOptions {
  yes: boolean;
  concurrency?: number;
  timeoutMs: number;
}

const PLAN_FLAGS = [
  { name: "cluster", short: "c", kind: "string" },
  { name: "mode", short: "m", kind: "string" },
  { name: "diff", kind: "bool" },
] as const;

function planOptions(parsed: ReturnType<typeof parseFlags>): PlanOptions {
  const f = flagGetters(parsed);
  const help = f.bool("help");
  const mode = rolloutModeSchema.safeParse(f.str("mode", "auto"));
  if (!help && !mode.success) throw new UsageError(`invalid argument ${JSON.stringify(f.str("mode"))} for "--mode" flag: one of ${rolloutModeSchema.options.join(", ")}`);
  if (!help && parsed.positionals.length !== 1) throw new UsageError(`accepts 1 arg(s), received ${parsed.positionals.length}`);
  return { help, manifest: parsed.positionals[0] ?? "", cluster: f.str("cluster") || undefined, mode: mode.success ? mode.data : "auto", diff: f.bool("diff", true) };
}

export function parsePlanArgs(argv: string[]): PlanOptions {
  return planOptions(parseFlags(argv, [...PLAN_FLAGS]));
}

export function parseApplyArgs(argv: string[]): ApplyOptions {
  const parsed = parseFlags(argv, [...PLAN_FLAGS, { name: "yes", short: "y", kind: "bool" }, { name: "concurrency", kind: "string" }, { name: "timeout", kind: "string" }]);
  const f = flagGetters(parsed);
  const base = planOptions(parsed);
  let concurrency: number | undefined;
  if (f.has("concurrency")) {
    concurrency = Number(f.str("concurrency"));
    if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 50) throw new UsageError(`invalid argument ${JSON.stringify(f.str("concurrency"))} for "--concurrency" flag: a whole number from 1 to 50`);
  }
  return { ...base, yes: f.bool("yes"), concurrency, timeoutMs: f.has("timeout") ? parseDuration(f.str("timeout"), "--timeout") : 60 * 60_000 };
}

export interface ExportOptions {
  help: boolean;
  cluster: string;
  output: string;
  reveal: boolean;
}

export function parseExportArgs(argv: string[]): ExportOptions {
  const parsed = parseFlags(argv, [
    { name: "output", short: "o", kind: "string" },
    { name: "reveal", kind: "bool" },
  ]);
  const f = flagGetters(parsed);
  const help = f.bool("help");
  if (!help && parsed.positionals.length !== 1) throw new UsageError(`accepts 1 arg(s), received ${parsed.positionals.length}`);
  return { help, cluster: parsed.positionals[0] ?? "", output: f.str("output", "-"), reveal: f.bool("reveal") };
}

// ---------------------------------------------------------------------------------------------
// Pure formatting

/** `10.5.0.3@sim-1` → `10.5.0.3`. */
const addressOf = (nodeId: string) => (nodeId.lastIndexOf("@") > 0 ? nodeId.slice(0, nodeId.lastIndexOf("@")) : nodeId);

/** The exit status a plan calls for: refused or unreachable nodes 1, changes 2, else 0. */
export function planExitCode(plan: PlanResponse): 0 | 1 | 2 {
  if (plan.nodes.some((n) => n.change === "refused" || n.change === "unreachable")) return 1;
  return plan.nodes.some((n) => n.change === "update") ? 2 : 0;
}

function changeText(n: PlanResponse["nodes"][number]): string {
  switch (n.change) {
    case "none":
      return "unchanged";
    case "update":
      return n.reboot ? "update, reboot" : "update";
    default:
      return n.change;
  }
}

/** The plan as a CI log wants it: a header, a line per node (its issues under it), the summary, the diffs. */
export function formatPlan(plan: PlanResponse, opts: { diff: boolean }): string {
  const rows = plan.nodes.map((n) => [n.hostname, addressOf(n.node), n.role, changeText(n)]);
  const widths = [0, 1, 2].map((i) => Math.max(...rows.map((r) => r[i]!.length), ["NODE", "ADDRESS", "ROLE"][i]!.length));
  const line = (r: string[]) => `${r[0]!.padEnd(widths[0]!)}  ${r[1]!.padEnd(widths[1]!)}  ${r[2]!.padEnd(widths[2]!)}  ${r[3]}`.trimEnd() + "\n";
  let out = `Plan ${plan.planId} for cluster ${plan.cluster} (manifest revision ${plan.baseRevision ?? "none yet"}, mode ${plan.mode})\n\n`;
  out += line(["NODE", "ADDRESS", "ROLE", "CHANGE"]);
  plan.nodes.forEach((n, i) => {
    out += line(rows[i]!);
    for (const issue of n.issues) out += `${" ".repeat(widths[0]! + 2)}${issue.replace(/\n/g, `\n${" ".repeat(widths[0]! + 4)}`)}\n`;
  });
  const s = plan.summary;
  out += `\n${plan.nodes.length} ${plan.nodes.length === 1 ? "node" : "nodes"}: ${s.none} unchanged, ${s.update} to update (${s.reboot} with a reboot), ${s.refused} refused, ${s.unreachable} unreachable\n`;
  if (plan.notInManifest && plan.notInManifest.length > 0) out += `Not in the manifest, left as they are: ${plan.notInManifest.join(", ")}\n`;
  if (opts.diff) {
    for (const n of plan.nodes) {
      if (n.diff === "") continue;
      out += `\n# ${n.hostname} (${n.node})\n${n.diff.endsWith("\n") ? n.diff : `${n.diff}\n`}`;
    }
  }
  return out;
}

const issuesInDetails = z.object({ issues: z.array(manifestIssueSchema) });

/**
 * The server's 422 names its first issues in the message ("The manifest has 2 problems: line 19:
 * …; line 23: …", lib/server/manifests/service.ts) for clients that show the message alone; the
 * CLI prints every issue on its own located line, so the headline stops before the first one.
 */
export function issueHeadline(message: string): string {
  const m = /^(.*?): line \d+: /s.exec(message);
  return m ? m[1]! : message;
}

/**
 * An error answer in plain words; problems of the manifest as `MANIFEST:LINE:COL: error: …`
 * (the lines of the file as it was sent; a rendered config's problem names its nodes first).
 */
export function formatApiError(e: ApiError, command: string, manifestFile?: string): string {
  const parsed = manifestFile === undefined ? null : issuesInDetails.safeParse(e.details);
  const issues = parsed?.success ? parsed.data.issues : [];
  const headline = issues.length > 0 ? issueHeadline(e.message) : e.message;
  let out = `${command}: ${headline}${e.code === "unexpected" ? "" : ` (${e.code}, HTTP ${e.status})`}\n`;
  for (const i of issues) out += formatManifestIssue(manifestFile!, i) + "\n";
  if (e.status === 401) out += `${command}: check MINOS_TOKEN (an API token that is not expired or revoked)\n`;
  return out;
}

const TERMINAL: readonly RolloutState[] = ["done", "failed", "cancelled", "preflight-failed"];

/** The lines a rollout's change from `prev` to `next` prints: the rollout's state, then each node that moved. */
export function rolloutEvents(prev: RolloutDetail | null, next: RolloutDetail, names: ReadonlyMap<string, string>): string[] {
  const lines: string[] = [];
  const changed = prev === null || prev.state !== next.state;
  const terminal = TERMINAL.includes(next.state);
  // A new state heads the nodes' lines; an end comes after the last node that led to it.
  if (changed && !terminal) lines.push(`rollout ${next.state}`);
  const before = new Map(prev?.nodes.map((n) => [n.id, n]) ?? []);
  const width = Math.max(...next.nodes.map((n) => (names.get(n.id) ?? n.id).length));
  for (const n of next.nodes) {
    const old = before.get(n.id);
    if (old?.state === n.state || (old === undefined && n.state === "pending")) continue;
    lines.push(`  ${(names.get(n.id) ?? n.id).padEnd(width)}  ${n.state}${n.message ? `: ${n.message}` : ""}`);
  }
  if (changed && terminal) lines.push(`rollout ${next.state}${next.message ? `: ${next.message}` : ""}`);
  return lines;
}

// ---------------------------------------------------------------------------------------------
// Commands

const enc = encodeURIComponent;

/** Of GET /api/clusters, only what the CLI reads (the rest may change without breaking it). */
const clusterNamesSchema = z.object({ clusters: z.array(z.object({ name: z.string() })) });
const PLAN_TIMEOUT_MS = 5 * 60_000;
/** Apply saves the revision and starts the rollout: more than other requests' 30 s (README says so). */
const APPLY_TIMEOUT_MS = 60_000;

/** How long following a rollout tolerates a server that does not answer (a restart resumes rollouts). */
const FOLLOW_OUTAGE_MS = 2 * 60_000;

/** `--cluster`, else the manifest's cluster.name if Minos knows a cluster of that id. */
export async function resolveCluster(client: ApiClient, given: string | undefined, manifestText: string, manifestFile: string): Promise<string> {
  if (given !== undefined) return given;
  const name = manifestClusterName(manifestText);
  if (name === undefined) throw new SourceError("the manifest has no cluster.name: pass --cluster ID", { source: manifestFile });
  const { clusters } = await client.get("/api/clusters", clusterNamesSchema);
  if (clusters.some((c) => c.name === name)) return name;
  const known = clusters.map((c) => c.name).join(", ") || "none";
  throw new CliError(`the manifest's cluster.name ${JSON.stringify(name)} is not a Minos cluster (Minos has: ${known}); pass --cluster ID`);
}

async function makePlan(client: ApiClient, o: PlanOptions, text: string, file: string, io: CliIo): Promise<PlanResponse> {
  const cluster = await resolveCluster(client, o.cluster, text, file);
  const plan = await client.post(`/api/clusters/${enc(cluster)}/manifest/plan`, { yaml: text, mode: o.mode }, planResponseSchema, { timeoutMs: PLAN_TIMEOUT_MS });
  io.out(formatPlan(plan, { diff: o.diff }));
  return plan;
}

/** An error no command expected (a bug), in one plain line: its kind and message, no stack. */
export function unexpectedError(command: string, e: unknown): string {
  return `${command}: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}\n`;
}

/**
 * Runs a remote command's body; every error becomes printed lines and exit 1. Even a crash: let
 * through, main.ts's last resort would exit 2, which CI reads as "changes".
 */
async function guarded(command: string, io: CliIo, manifestFile: string | undefined, body: () => Promise<number>): Promise<number> {
  try {
    return await body();
  } catch (e) {
    if (e instanceof ApiError) io.err(formatApiError(e, command, manifestFile));
    else if (e instanceof CliError) io.err(`${command}: ${e.message}\n`);
    else if (e instanceof SourceError) io.err(`${e.place.source ?? command}: error: ${e.message}\n`);
    else io.err(unexpectedError(command, e));
    return 1;
  }
}

export function runPlan(o: PlanOptions, text: string, file: string, client: () => ApiClient, io: CliIo): Promise<number> {
  return guarded("minos plan", io, file, async () => planExitCode(await makePlan(client(), o, text, file, io)));
}

/** Polls the rollout until it ends, printing transitions; the final state, or null when --timeout passed. */
async function follow(client: ApiClient, id: string, names: ReadonlyMap<string, string>, o: ApplyOptions, io: CliIo, pollMs: number): Promise<RolloutDetail | null> {
  const deadline = io.now() + o.timeoutMs;
  let prev: RolloutDetail | null = null;
  let failingSince: number | null = null;
  for (;;) {
    let next: RolloutDetail | null = null;
    try {
      next = await client.get(`/api/rollouts/${enc(id)}`, rolloutDetailSchema);
      if (failingSince !== null) io.err("minos apply: the server answers again\n");
      failingSince = null;
    } catch (e) {
      // The server may be restarting (rollouts resume after a restart): keep asking for a while.
      const transient = e instanceof CliError || (e instanceof ApiError && (e.status >= 500 || e.status === 429));
      if (!transient) throw e;
      if (failingSince === null) {
        failingSince = io.now();
        io.err(`minos apply: ${e.message}; asking again\n`);
      } else if (io.now() - failingSince > FOLLOW_OUTAGE_MS) throw e;
    }
    if (next) {
      for (const l of rolloutEvents(prev, next, names)) io.out(`${l}\n`);
      prev = next;
      if (TERMINAL.includes(next.state)) return next;
    }
    if (io.now() >= deadline) return null;
    await io.sleep(pollMs);
  }
}

export function runApply(o: ApplyOptions, text: string, file: string, client: () => ApiClient, io: CliIo, pollMs = 1000): Promise<number> {
  return guarded("minos apply", io, file, async () => {
    // Checked before anything is asked of the server: a pipeline without --yes must not hang or half-run.
    if (!o.yes && !io.interactive) throw new CliError("standard input is not a terminal: pass --yes to apply without confirmation");
    const api = client();
    const plan = await makePlan(api, o, text, file, io);
    const code = planExitCode(plan);
    if (code === 1) {
      io.err(`minos apply: not applying: ${plan.summary.refused} refused and ${plan.summary.unreachable} unreachable (every node must accept the plan)\n`);
      return 1;
    }
    if (!o.yes) {
      const what = code === 2 ? `update ${plan.summary.update} ${plan.summary.update === 1 ? "node" : "nodes"} (${plan.summary.reboot} with a reboot)` : "save the manifest (no node changes)";
      if (!(await io.confirm(`Apply plan ${plan.planId} to cluster ${plan.cluster}: ${what}? [y/N] `))) {
        io.err("minos apply: not applied\n");
        return 1;
      }
    }
    const applied = await api.post(`/api/clusters/${enc(plan.cluster)}/manifest/apply`, { planId: plan.planId, ...(o.concurrency === undefined ? {} : { concurrency: o.concurrency }) }, applyPlanResponseSchema, { timeoutMs: APPLY_TIMEOUT_MS });
    io.out(`\nSaved manifest revision ${applied.revision} of cluster ${plan.cluster}\n`);
    if (applied.rolloutId === null) {
      io.out("No node changes: nothing to roll out\n");
      return code;
    }
    io.out(`Rollout ${applied.rolloutId} (following it; Ctrl-C stops following, not the rollout)\n`);
    const names = new Map(plan.nodes.map((n) => [n.node, n.hostname]));
    const end = await follow(api, applied.rolloutId, names, o, io, pollMs);
    if (end === null) {
      io.err(`minos apply: rollout ${applied.rolloutId} still running after --timeout; it goes on (GET /api/rollouts/${applied.rolloutId})\n`);
      return 1;
    }
    if (end.state !== "done") {
      io.err(`minos apply: rollout ${end.state}${end.message ? `: ${end.message}` : ""}\n`);
      return 1;
    }
    return 2;
  });
}

export interface ExportResult {
  code: number;
  /** The text to write (main.ts writes it atomically), and its mode. */
  file?: { path: string; data: string; mode: number; exactMode: boolean };
}

export async function runExport(o: ExportOptions, client: () => ApiClient, io: CliIo): Promise<ExportResult> {
  let result: ExportResult = { code: 1 };
  const code = await guarded("minos manifest export", io, undefined, async () => {
    const m = await client().get(`/api/clusters/${enc(o.cluster)}/manifest${o.reveal ? "?reveal=1" : ""}`, manifestResponseSchema);
    // The server redacts quietly for anyone but an admin: a file that only looks revealed would fail later.
    if (o.reveal && m.yaml.includes(REDACTED)) throw new CliError(`the server redacted the secrets: --reveal needs an admin's token (nothing written)`);
    if (o.output === "-") io.out(m.yaml);
    // Revealed secrets: readable by the owner only, as talosctl writes secrets.yaml, and so even
    // when the file existed with a wider mode (a redacted export's 0644).
    else result = { code: 0, file: { path: o.output, data: m.yaml, mode: o.reveal ? 0o600 : 0o644, exactMode: o.reveal } };
    io.err(`minos manifest export: revision ${m.revision} of cluster ${o.cluster}${o.reveal ? "" : " (secrets redacted)"}\n`);
    return 0;
  });
  return { ...result, code };
}
