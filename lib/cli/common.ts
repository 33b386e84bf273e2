/**
 * Pieces shared by the `minos gen`, `machineconfig patch` and `migrate` cores: talosctl's version
 * contract parser, its cluster endpoint check, its `--config-patch` argument rule, and the output
 * plan a core returns for main.ts to write. Pure: no file system access here.
 */
import { TALOS_MINORS, type TalosMinor } from "@/lib/config/types";
import { SourceError, formatSourceError } from "@/lib/talos/errors";

import { UsageError } from "./flags";

export { UsageError };

/** A file main.ts read for a core: its text, or why it could not be read. */
export interface InputFile {
  name: string;
  text?: string;
  error?: string;
}

/** Looks up a file the core asked for; a missing or unreadable one is an error at that file. */
export function inputText(files: ReadonlyMap<string, InputFile>, name: string): string {
  const f = files.get(name);
  if (f?.text === undefined) throw new SourceError(f?.error ?? "cannot read", { source: name });
  return f.text;
}

/** One file a command writes. `noClobber`: refuse to replace an existing file unless --force. */
export interface PlannedFile {
  path: string;
  data: string;
  mode: number;
  /**
   * Give the file exactly `mode`, even when it exists (whose mode is otherwise kept, as
   * talosctl's os.WriteFile keeps it): secrets must not land in a file others can read.
   */
  exactMode?: boolean;
  noClobber: boolean;
  /** Print talosctl's `Created PATH` on standard error once written. */
  announce: boolean;
}

/** What a command produces: main.ts checks every conflict, then writes all files or none. */
export interface OutputPlan {
  files: PlannedFile[];
  stdout: string;
  stderr: string;
}

export const emptyPlan = (): OutputPlan => ({ files: [], stdout: "", stderr: "" });

/**
 * talosctl's `config.ParseContractFromVersion`: "v" optional, then MAJOR.MINOR followed by the end
 * or a dot (so `v1.13.9` and `1.13.0-rc.1` are 1.13, `1.13-beta` is not a version). Minos
 * generates and migrates the contracts 1.10–1.14 only; older ones are refused, not approximated.
 */
export function parseContract(version: string, flag = "--talos-version"): TalosMinor {
  const v = "v" + version.replace(/^v/, "");
  const m = /^v(\d+)\.(\d+)($|\.)/.exec(v);
  if (!m) throw new SourceError(`invalid talos-version: error parsing version ${JSON.stringify(v)}`, { source: flag });
  const minor = `${Number(m[1])}.${Number(m[2])}`;
  if (!(TALOS_MINORS as readonly string[]).includes(minor)) {
    throw new SourceError(`unsupported Talos version contract v${minor}: Minos supports ${TALOS_MINORS[0]}–${TALOS_MINORS.at(-1)}`, { source: flag });
  }
  return minor as TalosMinor;
}

/** Talos's constants.DefaultControlPlanePort, which `gen config` suggests when the port is missing. */
const DEFAULT_CONTROL_PLANE_PORT = 6443;

interface ParsedUrl {
  scheme: string;
  host: string;
  path: string;
}

/** Go's url.Parse, as far as the endpoint check needs it; null where Go returns an error. */
function goUrlParse(s: string): ParsedUrl | null {
  let rest = s;
  let scheme = "";
  const sm = /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(s);
  if (sm) {
    scheme = sm[1]!.toLowerCase();
    rest = s.slice(sm[0].length);
  } else if (/^[^/]*:/.test(s)) {
    // "first path segment in URL cannot contain colon"
    return null;
  }
  if (rest.startsWith("//")) {
    const end = rest.slice(2).search(/[/?#]/);
    const authority = end < 0 ? rest.slice(2) : rest.slice(2, 2 + end);
    const host = authority.includes("@") ? authority.slice(authority.lastIndexOf("@") + 1) : authority;
    return { scheme, host, path: end < 0 ? "" : rest.slice(2 + end) };
  }
  return { scheme, host: "", path: rest };
}

/** url.URL.Port(): the digits after the host's last colon, outside IPv6 brackets. */
function portOf(host: string): string {
  const i = host.lastIndexOf(":");
  if (i < 0 || host.slice(i).includes("]")) return "";
  return host.slice(i + 1);
}

function hostnameOf(host: string): string {
  if (host.startsWith("[")) return host.slice(1, host.indexOf("]") < 0 ? undefined : host.indexOf("]"));
  const p = portOf(host);
  return p === "" && !host.endsWith(":") ? host : host.slice(0, host.lastIndexOf(":"));
}

/** talosctl's fixControlPlaneEndpoint: the https URL it suggests in the error. */
function suggestEndpoint(u: ParsedUrl): string {
  let host = u.host;
  let path = u.path;
  if (u.scheme === "" && host === "" && path !== "") {
    host = path;
    path = "";
  }
  if (portOf(host) === "") host = `${host}:${DEFAULT_CONTROL_PLANE_PORT}`;
  return `https://${host}${path}`;
}

/**
 * `gen config`'s validateClusterEndpoint: the endpoint must be an https URL with a host and a
 * valid port (sideronet.ValidateEndpointURI); the error suggests the fixed URL as talosctl does.
 */
export function validateClusterEndpoint(endpoint: string): void {
  const err = (message: string) => new SourceError(message, { source: "ENDPOINT" });
  let u = goUrlParse(endpoint);
  if (u === null) {
    if (endpoint.includes("/")) throw err(`failed to parse the cluster endpoint URL: parse ${JSON.stringify(endpoint)}: first path segment in URL cannot contain colon`);
    u = { scheme: "", host: endpoint, path: "" };
  }
  if (u.scheme === "") {
    const what = portOf(u.host) === "" ? "no scheme and port specified" : "no scheme specified";
    throw err(`${what} for the cluster endpoint URL\ntry: ${JSON.stringify(suggestEndpoint(u))}`);
  }
  if (u.scheme !== "https") {
    throw err(`the control plane endpoint URL should have scheme https://\ntry: ${JSON.stringify(suggestEndpoint({ ...u, scheme: "https" }))}`);
  }
  const bad = (m: string) => err(`error validating the cluster endpoint URL: ${m}`);
  if ((u.host.match(/:/g) ?? []).length > 2 && !(u.host.includes("[") && u.host.includes("]"))) throw bad("IPv6 addresses MUST be enclosed by square brackets");
  if (hostnameOf(u.host) === "") throw bad("hostname must not be blank");
  const port = portOf(u.host);
  if (port !== "") {
    if (!/^[+-]?\d+$/.test(port)) throw bad("port number must be numeric");
    const n = Number(port);
    if (n < 1 || n > 65535) throw bad("port number must be between 1 and 65535");
  }
}

/** Where a patch argument's text comes from, by configpatcher.LoadPatches' rule. */
export type PatchArg = { kind: "file"; path: string } | { kind: "inline"; text: string; source: string };

/**
 * `@file` reads a file; a value with no newline or space that does not start with `[` or `{` is
 * a file name too (talosctl guesses the "@" was forgotten); anything else is the patch itself.
 * `label` names inline patches in errors (`--patch #2`), since they have no file name.
 */
export function classifyPatchArg(arg: string, label: string): PatchArg {
  if (arg.startsWith("@")) return { kind: "file", path: arg.slice(1) };
  if (!/[\n ]/.test(arg) && !arg.startsWith("[") && !arg.startsWith("{")) return { kind: "file", path: arg };
  return { kind: "inline", text: arg, source: label };
}

/** An error to print as `FILE:LINE:COL: error: …` and exit 1 with; anything else is a bug. */
export function renderError(e: unknown, command: string): string {
  if (e instanceof SourceError) return formatSourceError(e, command) + "\n";
  throw e;
}
