/**
 * `minos render MANIFEST --with-secrets secrets.yaml -o DIR`: every node's machine config from
 * the cluster manifest (docs/manifest.md), offline: `talosctl gen config` for the node's role
 * with the bundle, then the selected patches in order and the node's own patch
 * (lib/manifest/render.ts), one `DIR/<hostname>.yaml` per node. Nothing is written unless every
 * node renders; every problem is printed as `MANIFEST:LINE:COL: error: …` on the manifest's own
 * line (inside a patch: the line of the patch's text), naming the nodes it breaks.
 *
 * The core takes parsed options and the texts main.ts read, and returns an OutputPlan.
 */
import path from "node:path";

import { findNode, ManifestRenderer } from "@/lib/manifest/render";
import { SourceError, formatSourceError } from "@/lib/talos/errors";
import { parseSecretsBundle } from "@/lib/talos/secrets/bundle";

import { emptyPlan, inputText, type InputFile, type OutputPlan } from "./common";
import { flagGetters, parseFlags, UsageError } from "./flags";
import { loadManifest, locateRenderError, SourceErrors } from "./manifest-source";

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
  return o;
}

export const renderInputs = (o: RenderOptions): string[] => [o.manifest, o.withSecrets];

/** The printed name of the manifest file (standard input has none). */
const shownName = (files: ReadonlyMap<string, InputFile>, name: string) => files.get(name)?.name ?? name;

/**
 * Renders the nodes; every node is tried so that one run reports all problems, each once with
 * the nodes it breaks. @throws SourceError / SourceErrors
 */
export function runRender(o: RenderOptions, files: ReadonlyMap<string, InputFile>): OutputPlan {
  const file = shownName(files, o.manifest);
  const text = inputText(files, o.manifest);
  const secrets = parseSecretsBundle(inputText(files, o.withSecrets), shownName(files, o.withSecrets));
  const loaded = loadManifest(text, file);
  const { manifest } = loaded;

  let nodes = manifest.nodes;
  if (o.node !== undefined) {
    const one = findNode(manifest, o.node);
    if (!one) throw new SourceError(`no node ${JSON.stringify(o.node)} in ${file} (give a hostname or an address)`, { source: "--node" });
    nodes = [one];
  }

  const renderer = new ManifestRenderer(manifest, secrets);
  const rendered: { hostname: string; role: string; address: string; config: string }[] = [];
  // Problems keyed by their printed text, with the hostnames each breaks.
  const problems = new Map<string, { error: SourceError; hosts: string[] }>();
  for (const node of nodes) {
    try {
      rendered.push({ hostname: node.hostname, role: node.role, address: node.address, config: renderer.render(node) });
    } catch (e) {
      if (!(e instanceof SourceError)) throw e;
      const located = locateRenderError(loaded, file, e);
      const key = formatSourceError(located);
      const seen = problems.get(key);
      if (seen) seen.hosts.push(node.hostname);
      else problems.set(key, { error: located, hosts: [node.hostname] });
    }
  }
  if (problems.size > 0) {
    throw new SourceErrors([...problems.values()].map(({ error, hosts }) => new SourceError(`${error.message} (${hosts.length === 1 ? "node" : "nodes"} ${hosts.join(", ")})`, error.place)));
  }

  const plan = emptyPlan();
  if (o.node !== undefined && o.output === "") {
    plan.stdout = rendered[0]!.config;
    return plan;
  }
  const width = Math.max(...rendered.map((r) => r.hostname.length));
  for (const r of rendered) {
    // Hostnames are lowercase DNS names (the schema's rule): never a path of their own.
    const dest = path.join(o.output, `${r.hostname}.yaml`);
    plan.files.push({ path: dest, data: r.config, mode: 0o644, noClobber: false, announce: false });
    plan.stdout += `${r.hostname.padEnd(width)}  ${r.role.padEnd(12)}  ${r.address.padEnd(15)}  ${dest}\n`;
  }
  return plan;
}

/** Prints located errors, one line each (`MANIFEST:LINE:COL: error: …`). */
export function formatErrors(e: unknown, command: string): string | null {
  if (e instanceof SourceErrors) return e.errors.map((x) => formatSourceError(x, command) + "\n").join("");
  if (e instanceof SourceError) return formatSourceError(e, command) + "\n";
  return null;
}
