/**
 * `minos render MANIFEST --with-secrets secrets.yaml -o DIR`: every node's machine config from
 * the cluster manifest (docs/manifest.md), offline: `talosctl gen config` for the node's role
 * with the bundle, then the selected patches in order and the node's own patch
 * (lib/manifest/render.ts), one `DIR/<hostname>.yaml` per node. The manifest and every render are
 * checked first as the editor and the API check them (lib/manifest/check.ts: each rendered config
 * validated); nothing is written unless there is no error. Every problem is printed as
 * `MANIFEST:LINE:COL: error: …` on the manifest line that made it (inside a patch: the line of the
 * patch's text), a rendered config's problem naming the nodes it breaks.
 *
 * The core takes parsed options and the texts main.ts read, and returns an OutputPlan.
 */
import path from "node:path";

import { checkManifest } from "@/lib/manifest/check";
import { parseManifest } from "@/lib/manifest/parse";
import { findNode, ManifestRenderer } from "@/lib/manifest/render";
import { SourceError, formatSourceError } from "@/lib/talos/errors";
import { parseSecretsBundle } from "@/lib/talos/secrets/bundle";

import { emptyPlan, inputText, type InputFile, type OutputPlan } from "./common";
import { flagGetters, parseFlags, UsageError } from "./flags";
import { formatManifestIssue, ManifestProblems } from "./manifest-source";

export const RENDER_USAGE = `usage: minos render MANIFEST --with-secrets secrets.yaml -o DIR
       minos render MANIFEST --with-secrets secrets.yaml --node HOST [-o DIR]

Renders every node of a cluster manifest (offline) as talosctl gen config would, with the
manifest's patches: DIR/<hostname>.yaml per node (mode 0644 as talosctl writes configs, existing
files replaced), one line per node on standard output. --node renders one node (hostname or
address) to standard output, or into DIR with -o.

Exit status: 0 rendered, 1 bad input (MANIFEST:LINE:COL: error: …; nothing written), 2 usage error.`;

export interface RenderOptions {
  help: boolean;
  manifest: string;
  withSecrets: string;
  output: string;
  node?: string;
}

export function parseRenderArgs(argv: string[]): RenderOptions {
  const parsed = parseFlags(argv, [
    { name: "with-secrets", kind: "string" },
    { name: "output", short: "o", kind: "string" },
    { name: "node", short: "n", kind: "string" },
  ]);
  const f = flagGetters(parsed);
  const help = f.bool("help");
  const o: RenderOptions = { help, manifest: parsed.positionals[0] ?? "", withSecrets: f.str("with-secrets"), output: f.str("output"), node: f.str("node") || undefined };
  if (help) return o;
  if (parsed.positionals.length !== 1) throw new UsageError(`accepts 1 arg(s), received ${parsed.positionals.length}`);
  // Rendering needs the cluster's CA keys: there is no useful default (a new bundle would make a new cluster).
  if (o.withSecrets === "") throw new UsageError("--with-secrets is required (talosctl's secrets.yaml; an admin exports it with GET /api/clusters/:cluster/secrets)");
  if (o.output === "" && o.node === undefined) throw new UsageError("-o DIR is required (or --node HOST for standard output)");
  if (o.output === "-") {
    if (o.node === undefined) throw new UsageError("-o - (standard output) takes one node: add --node HOST");
    o.output = "";
  }
  return o;
}

export const renderInputs = (o: RenderOptions): string[] => [o.manifest, o.withSecrets];

/** The printed name of the manifest file (standard input has none). */
const shownName = (files: ReadonlyMap<string, InputFile>, name: string) => files.get(name)?.name ?? name;

/**
 * Checks the manifest and every node's render (lib/manifest/check.ts: the manifest's own
 * problems, then each rendered config validated, every problem on the manifest line that made
 * it), then renders. Warnings go to standard error; any error stops before anything is written.
 * @throws SourceError (an unreadable file or bundle, an unknown --node) / ManifestProblems
 */
export function runRender(o: RenderOptions, files: ReadonlyMap<string, InputFile>): OutputPlan {
  const file = shownName(files, o.manifest);
  const text = inputText(files, o.manifest);
  const secrets = parseSecretsBundle(inputText(files, o.withSecrets), shownName(files, o.withSecrets));
  // The editor's and the API's check, so the CLI reports exactly what they do.
  const issues = checkManifest(text, secrets);
  if (issues.some((i) => i.severity === "error")) throw new ManifestProblems(file, issues);
  const manifest = parseManifest(text).manifest!;

  let nodes = manifest.nodes;
  if (o.node !== undefined) {
    const one = findNode(manifest, o.node);
    if (!one) throw new SourceError(`no node ${JSON.stringify(o.node)} in ${file} (give a hostname or an address)`, { source: "--node" });
    nodes = [one];
  }

  const renderer = new ManifestRenderer(manifest, secrets);
  const plan = emptyPlan();
  plan.stderr = issues.map((i) => formatManifestIssue(file, i) + "\n").join("");
  if (o.node !== undefined && o.output === "") {
    plan.stdout = renderer.render(nodes[0]!);
    return plan;
  }
  const width = Math.max(...nodes.map((n) => n.hostname.length));
  for (const n of nodes) {
    // Hostnames are lowercase DNS names (the schema's rule): never a path of their own.
    const dest = path.join(o.output, `${n.hostname}.yaml`);
    plan.files.push({ path: dest, data: renderer.render(n), mode: 0o644, noClobber: false, announce: false });
    plan.stdout += `${n.hostname.padEnd(width)}  ${n.role.padEnd(12)}  ${n.address.padEnd(15)}  ${dest}\n`;
  }
  return plan;
}

/** Prints located errors, one line each (`MANIFEST:LINE:COL: error: …`). */
export function formatErrors(e: unknown, command: string): string | null {
  if (e instanceof ManifestProblems) return e.format();
  if (e instanceof SourceError) return formatSourceError(e, command) + "\n";
  return null;
}
