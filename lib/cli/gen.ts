/**
 * `minos gen secrets` and `minos gen config`: talosctl's commands of the same names, flags,
 * defaults, file names and modes (cmd/talosctl/cmd/mgmt/gen/{gen,secrets,config}.go at
 * v1.14.0-rc.1), so scripts port unchanged. Differences: everything is computed before anything
 * is written, every existing output is reported before any file is touched (talosctl checks and
 * writes one file at a time), each file is staged and renamed into place (./write.ts), and
 * configs are written without Talos's doc comments (`--with-docs`/`--with-examples` are accepted
 * either way).
 *
 * The cores take parsed options and the texts of the files they need (main.ts reads them) and
 * return an OutputPlan; they never touch the file system.
 */
import path from "node:path";

import type { TalosMinor } from "@/lib/config/types";
import { LATEST_TALOS_MINOR } from "@/lib/talos/constants";
import { SourceError } from "@/lib/talos/errors";
import { generateMachineConfig, generateTalosconfig, type GenerateInput } from "@/lib/talos/generate";
import { applyPatches, loadPatch, type ConfigPatch } from "@/lib/config/patch";
import {
  generateSecretsBundle,
  parseSecretsBundle,
  secretsBundleFromConfig,
  stringifySecretsBundle,
  type SecretsBundle,
} from "@/lib/talos/secrets/bundle";

import { classifyPatchArg, emptyPlan, inputText, parseContract, validateClusterEndpoint, type InputFile, type OutputPlan, type PatchArg } from "./common";
import { flagGetters, parseFlags, UsageError, type FlagSpec } from "./flags";

/** talosctl's `--kubernetes-version` default: constants.DefaultKubernetesVersion at v1.14.0-rc.1. */
export const DEFAULT_KUBERNETES_VERSION = "1.37.0-rc.0";

const STDOUT = "-";

export const GEN_USAGE = `usage: minos gen secrets [-o secrets.yaml|-] [--talos-version 1.14] [--from-controlplane-config FILE] [--force]
       minos gen config NAME ENDPOINT [flags]

gen config flags (talosctl's):
  --with-secrets FILE              use a secrets bundle from 'gen secrets' (default: generate one)
  --talos-version V                version contract, 1.10–1.14 (default: 1.14)
  --kubernetes-version V           (default ${DEFAULT_KUBERNETES_VERSION})
  --config-patch @FILE|PATCH       patch all configs (repeatable)
  --config-patch-control-plane P   patch the control plane config (repeatable)
  --config-patch-worker P          patch the worker config (repeatable)
  --additional-sans a,b            extra API server certificate SANs
  --dns-domain D                   (default cluster.local)
  --install-disk D                 (default /dev/sda)
  --install-image I                (default: the generator's installer for the version)
  --registry-mirror host=url       (repeatable, comma-separated)
  --with-cluster-discovery=false   (default true)
  --with-kubespan                  (default false)
  --with-docs, --with-examples     accepted; Minos writes configs without comments
  -t, --output-types LIST          controlplane,worker,talosconfig (default: all three)
  -o, --output DIR|FILE|-          directory; a file or - with one output type (default: .)
  -f, --force                      overwrite existing files

Exit status: 0 written, 1 bad input (FILE:LINE:COL: error: …; nothing written), 2 usage error.`;

// ---------------------------------------------------------------------------------------------
// gen secrets

const SECRETS_FLAGS: FlagSpec[] = [
  { name: "output-file", short: "o", kind: "string" },
  { name: "talos-version", kind: "string" },
  { name: "from-controlplane-config", kind: "string" },
  { name: "from-kubernetes-pki", short: "p", kind: "string" },
  { name: "kubernetes-bootstrap-token", short: "t", kind: "string" },
  { name: "force", short: "f", kind: "bool" },
];

export interface GenSecretsOptions {
  help: boolean;
  force: boolean;
  outputFile: string;
  talosVersion?: string;
  fromControlplaneConfig?: string;
  fromKubernetesPki?: string;
}

export function parseGenSecretsArgs(argv: string[]): GenSecretsOptions {
  const parsed = parseFlags(argv, SECRETS_FLAGS);
  const f = flagGetters(parsed);
  if (parsed.positionals.length > 0) throw new UsageError(`unknown command ${JSON.stringify(parsed.positionals[0])} for "minos gen secrets"`);
  return {
    help: f.bool("help"),
    force: f.bool("force"),
    outputFile: f.str("output-file", "secrets.yaml"),
    talosVersion: f.str("talos-version") || undefined,
    fromControlplaneConfig: f.str("from-controlplane-config") || undefined,
    fromKubernetesPki: f.str("from-kubernetes-pki") || undefined,
  };
}

/** Files the core will need, for main.ts to read first. */
export const genSecretsInputs = (o: GenSecretsOptions): string[] => (o.fromControlplaneConfig ? [o.fromControlplaneConfig] : []);

/** The files gen secrets will create, known before the (slow) key generation. */
export const genSecretsOutputs = (o: GenSecretsOptions): string[] => (o.outputFile === STDOUT ? [] : [o.outputFile]);

/** The checks of the options alone (talosctl's order), for main.ts to run before looking for existing outputs. */
export function checkGenSecretsOptions(o: GenSecretsOptions): { talosVersion?: TalosMinor } {
  const talosVersion = o.talosVersion === undefined ? undefined : parseContract(o.talosVersion);
  if (o.fromKubernetesPki !== undefined) {
    throw new SourceError("reading a Kubernetes PKI directory is not supported by minos; use --from-controlplane-config or generate a new bundle", {
      source: "--from-kubernetes-pki",
    });
  }
  return { talosVersion };
}

export async function runGenSecrets(o: GenSecretsOptions, files: ReadonlyMap<string, InputFile>, now: Date = new Date()): Promise<OutputPlan> {
  const { talosVersion } = checkGenSecretsOptions(o);
  let bundle: SecretsBundle;
  if (o.fromControlplaneConfig !== undefined) {
    bundle = secretsBundleFromConfig(inputText(files, o.fromControlplaneConfig), o.fromControlplaneConfig);
  } else {
    bundle = await generateSecretsBundle({ talosVersion: talosVersion ?? LATEST_TALOS_MINOR, now });
  }
  const data = stringifySecretsBundle(bundle);
  const plan = emptyPlan();
  if (o.outputFile === STDOUT) plan.stdout = data;
  // The bundle holds every CA key: 0600, as talosctl writes it.
  else plan.files.push({ path: o.outputFile, data, mode: 0o600, noClobber: true, announce: false });
  return plan;
}

// ---------------------------------------------------------------------------------------------
// gen config

const OUTPUT_TYPES = ["controlplane", "worker", "talosconfig"] as const;
type OutputType = (typeof OUTPUT_TYPES)[number];

const CONFIG_FLAGS: FlagSpec[] = [
  { name: "install-disk", kind: "string" },
  { name: "install-image", kind: "string" },
  { name: "additional-sans", kind: "stringSlice" },
  { name: "dns-domain", kind: "string" },
  { name: "version", kind: "string" },
  { name: "talos-version", kind: "string" },
  { name: "kubernetes-version", kind: "string" },
  { name: "config-patch", kind: "stringArray" },
  { name: "config-patch-control-plane", kind: "stringArray" },
  { name: "config-patch-worker", kind: "stringArray" },
  { name: "registry-mirror", kind: "stringSlice" },
  { name: "with-examples", kind: "bool" },
  { name: "with-docs", kind: "bool" },
  { name: "with-cluster-discovery", kind: "bool" },
  { name: "with-kubespan", kind: "bool" },
  { name: "with-secrets", kind: "string" },
  { name: "output-types", short: "t", kind: "stringSlice" },
  { name: "output", short: "o", kind: "string" },
  { name: "output-dir", kind: "string" },
  { name: "skip-k8s-etcd", kind: "bool" },
  { name: "force", short: "f", kind: "bool" },
];

export interface GenConfigOptions {
  help: boolean;
  force: boolean;
  clusterName: string;
  endpoint: string;
  configVersion: string;
  talosVersion?: string;
  kubernetesVersion: string;
  withSecrets?: string;
  patches: { all: PatchArg[]; controlplane: PatchArg[]; worker: PatchArg[] };
  additionalSans: string[];
  dnsDomain: string;
  installDisk: string;
  installImage?: string;
  registryMirrors: string[];
  withDocs: boolean;
  withExamples: boolean;
  discovery: boolean;
  kubeSpan: boolean;
  skipK8sEtcd: boolean;
  outputTypes: string[];
  output: string;
  outputDir: string;
}

export function parseGenConfigArgs(argv: string[]): GenConfigOptions {
  const parsed = parseFlags(argv, CONFIG_FLAGS);
  const f = flagGetters(parsed);
  const help = f.bool("help");
  if (!help && parsed.positionals.length !== 2) throw new UsageError(`accepts 2 arg(s), received ${parsed.positionals.length}`);
  const patches = (flag: string) => f.list(flag).map((p, i) => classifyPatchArg(p, `--${flag} #${i + 1}`));
  return {
    help,
    force: f.bool("force"),
    clusterName: parsed.positionals[0] ?? "",
    endpoint: parsed.positionals[1] ?? "",
    configVersion: f.str("version", "v1alpha1"),
    talosVersion: f.str("talos-version") || undefined,
    kubernetesVersion: f.str("kubernetes-version", DEFAULT_KUBERNETES_VERSION),
    withSecrets: f.str("with-secrets") || undefined,
    patches: { all: patches("config-patch"), controlplane: patches("config-patch-control-plane"), worker: patches("config-patch-worker") },
    additionalSans: f.list("additional-sans"),
    dnsDomain: f.str("dns-domain", "cluster.local"),
    installDisk: f.str("install-disk", "/dev/sda"),
    // Unset: talosctl's default installer for the version (the generator's); "" writes none.
    installImage: f.has("install-image") ? f.str("install-image") : undefined,
    registryMirrors: f.list("registry-mirror"),
    withDocs: f.bool("with-docs", true),
    withExamples: f.bool("with-examples", true),
    discovery: f.bool("with-cluster-discovery", true),
    kubeSpan: f.bool("with-kubespan", false),
    skipK8sEtcd: f.bool("skip-k8s-etcd", false),
    outputTypes: f.list("output-types", [...OUTPUT_TYPES]),
    output: f.str("output"),
    outputDir: f.str("output-dir"),
  };
}

const patchFiles = (o: GenConfigOptions): string[] =>
  [...o.patches.all, ...o.patches.controlplane, ...o.patches.worker].flatMap((p) => (p.kind === "file" ? [p.path] : []));

export const genConfigInputs = (o: GenConfigOptions): string[] => [...(o.withSecrets ? [o.withSecrets] : []), ...patchFiles(o)];

/** Loads patch arguments whose files main.ts has read; each error names its file (or flag) and line. */
export function loadPatchArgs(args: PatchArg[], files: ReadonlyMap<string, InputFile>): ConfigPatch[] {
  return args.map((a) => (a.kind === "file" ? loadPatch(inputText(files, a.path), a.path) : loadPatch(a.text, a.source)));
}

/** The files gen config will create, known before anything is generated. */
export const genConfigOutputs = (o: GenConfigOptions, cwd: string): string[] => [...outputPaths(o, cwd).values()].filter((p) => p !== STDOUT);

/** talosctl's validateFlags and outputPaths: where each output type goes ("-" is stdout). */
export function outputPaths(o: GenConfigOptions, cwd: string): Map<OutputType, string> {
  const err = (message: string, source: string) => new SourceError(message, { source });
  if (o.outputTypes.length === 0) throw err("at least one output type must be specified", "--output-types");
  if (o.outputTypes.length > 1 && o.output === STDOUT) throw err("can't use multiple output types with stdout", "--output");
  if (o.outputDir !== "" && o.output !== "") throw err("can't use both output-dir and output", "--output-dir");
  const bad = o.outputTypes.filter((t) => !(OUTPUT_TYPES as readonly string[]).includes(t));
  if (bad.length > 0) throw err(bad.map((t) => `invalid output type: ${JSON.stringify(t)}`).join("; "), "--output-types");
  const types = OUTPUT_TYPES.filter((t) => o.outputTypes.includes(t));
  const fileName = (t: OutputType) => (t === "talosconfig" ? "talosconfig" : `${t}.yaml`);
  const output = o.outputDir || o.output;
  return new Map(
    types.map((t) => {
      if (output === STDOUT) return [t, STDOUT];
      if (output === "") return [t, path.join(cwd, fileName(t))];
      // One output type makes --output a file path, except with the old --output-dir.
      if (types.length === 1 && o.outputDir === "") return [t, output];
      return [t, path.join(output, fileName(t))];
    }),
  );
}

/** `--registry-mirror host=url`: talosctl cuts at the first "="; repeated hosts collect endpoints. */
export function parseRegistryMirrors(specs: string[]): { host: string; endpoints: string[] }[] {
  const byHost = new Map<string, string[]>();
  for (const spec of specs) {
    const eq = spec.indexOf("=");
    if (eq < 0) throw new SourceError(`invalid registry mirror spec: ${JSON.stringify(spec)}`, { source: "--registry-mirror" });
    const host = spec.slice(0, eq);
    byHost.set(host, [...(byHost.get(host) ?? []), spec.slice(eq + 1)]);
  }
  return [...byHost].map(([host, endpoints]) => ({ host, endpoints }));
}

/** Turns options into the generator's input. */
export function generateInputFrom(o: GenConfigOptions, talosVersion: TalosMinor, secrets: SecretsBundle, registryMirrors = parseRegistryMirrors(o.registryMirrors)): GenerateInput {
  return {
    clusterName: o.clusterName,
    endpoint: o.endpoint,
    kubernetesVersion: o.kubernetesVersion.replace(/^v/, ""),
    talosVersion,
    secrets,
    additionalSans: o.additionalSans,
    dnsDomain: o.dnsDomain,
    installDisk: o.installDisk,
    ...(o.installImage === undefined ? {} : { installImage: o.installImage }),
    registryMirrors,
    discovery: o.discovery,
    // talosctl sets KubeSpan only when --with-kubespan is given: "false" would write `enabled: false`.
    ...(o.kubeSpan ? { kubeSpan: true } : {}),
  };
}

/** Adds which patch set failed, as bundle.applyPatches does ("error patching worker config: …"). */
function applyOrExplain(config: string, patches: ConfigPatch[], what: string): string {
  if (patches.length === 0) return config;
  try {
    return applyPatches(config, patches, { configSource: `generated ${what}` });
  } catch (e) {
    if (e instanceof SourceError) throw new SourceError(`error patching ${what}: ${e.message}`, e.place);
    throw e;
  }
}

/**
 * Every check of the options alone, in talosctl's order (endpoint, config version, output flags,
 * mirrors, version contract), so main.ts runs it before looking for existing outputs: talosctl
 * reports a bad endpoint even where the files exist.
 */
export function checkGenConfigOptions(o: GenConfigOptions, cwd: string) {
  validateClusterEndpoint(o.endpoint);
  if (o.configVersion !== "v1alpha1") throw new SourceError(`unknown config version: ${JSON.stringify(o.configVersion)}`, { source: "--version" });
  const paths = outputPaths(o, cwd);
  const registryMirrors = parseRegistryMirrors(o.registryMirrors);
  const talosVersion = o.talosVersion === undefined ? LATEST_TALOS_MINOR : parseContract(o.talosVersion);
  if (o.skipK8sEtcd) throw new SourceError("--skip-k8s-etcd is not supported by minos", { source: "--skip-k8s-etcd" });
  return { paths, registryMirrors, talosVersion };
}

export async function runGenConfig(o: GenConfigOptions, files: ReadonlyMap<string, InputFile>, cwd: string, now: Date = new Date()): Promise<OutputPlan> {
  const { paths, registryMirrors, talosVersion } = checkGenConfigOptions(o, cwd);
  const secrets =
    o.withSecrets === undefined
      ? await generateSecretsBundle({ talosVersion, now })
      : parseSecretsBundle(inputText(files, o.withSecrets), o.withSecrets);
  const input = generateInputFrom(o, talosVersion, secrets, registryMirrors);
  const all = loadPatchArgs(o.patches.all, files);
  const cp = loadPatchArgs(o.patches.controlplane, files);
  const worker = loadPatchArgs(o.patches.worker, files);

  // talosctl's bundle patches both configs whatever --output-types says, so a patch that cannot
  // apply to the worker fails `-t controlplane` too.
  const controlplane = applyOrExplain(applyOrExplain(generateMachineConfig(input, "controlplane"), all, "configs"), cp, "control plane configs");
  const workerConfig = applyOrExplain(applyOrExplain(generateMachineConfig(input, "worker"), all, "configs"), worker, "worker config");
  const plan = emptyPlan();
  for (const [t, dest] of paths) {
    const data = t === "controlplane" ? controlplane : t === "worker" ? workerConfig : await generateTalosconfig(input, { now });
    if (dest === STDOUT) plan.stdout += data;
    else plan.files.push({ path: dest, data, mode: 0o644, noClobber: true, announce: true });
  }
  return plan;
}
