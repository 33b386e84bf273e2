/**
 * The pure part of ApplyConfiguration (machined's v1alpha1_server.go and the config loader): strict-ish loading and runtime
 * validation of a submitted config, the mode a request resolves to on a given Talos version,
 * mode_details texts and the dry-run unified diff.
 */
import { createTwoFilesPatch } from "diff";
import { isMap, parseAllDocuments, stringify } from "yaml";

import { ApplyConfigurationRequest_Mode as Mode } from "../third_party/talos-proto/gen/machine/machine";
import { invalidArgument, unimplemented } from "./errors";
import { isV1Alpha1Document } from "../talos/documents";
import { rebootModeRemoved } from "../talos/features";

export { Mode as ApplyMode };

export type MachineType = "controlplane" | "worker" | "init";

export interface LoadedConfig {
  /** Every non-null document as plain JS, in order. */
  documents: Record<string, unknown>[];
  v1alpha1: Record<string, unknown>;
  machineType: MachineType;
  warnings: string[];
}

/** Go's hashicorp/go-multierror text, which Talos returns for validation failures. */
export function multiError(errors: string[]): string {
  const head = errors.length === 1 ? "1 error occurred:" : `${errors.length} errors occurred:`;
  return `${head}\n${errors.map((e) => `\t* ${e}`).join("\n")}\n\n`;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * Decodes a multi-document config stream the way Talos's decoder does (structure only: it does
 * not know every field, so unknown keys are not rejected here).
 */
export function loadConfig(text: string): LoadedConfig {
  let docs;
  try {
    docs = parseAllDocuments(text, { uniqueKeys: true });
  } catch (e) {
    throw invalidArgument(`failed to parse config: ${(e as Error).message}`);
  }
  const documents: Record<string, unknown>[] = [];
  let v1alpha1: Record<string, unknown> | undefined;
  const seen = new Set<string>();
  for (const doc of Array.isArray(docs) ? docs : [docs]) {
    const err = doc.errors[0];
    if (err) throw invalidArgument(`failed to parse config: yaml: ${err.message.split("\n")[0]}`);
    if (doc.contents === null) continue;
    if (!isMap(doc.contents)) throw invalidArgument("failed to parse config: document is not a mapping");
    const js = doc.toJS({ maxAliasCount: 100 }) as Record<string, unknown>;
    documents.push(js);
    if (isV1Alpha1Document(js)) {
      if (v1alpha1) throw invalidArgument("error decoding document v1alpha1: duplicate document v1alpha1 is not allowed");
      v1alpha1 = js;
      continue;
    }
    if (js.kind === undefined) throw invalidArgument("error decoding document: missing kind");
    if (js.apiVersion === undefined) throw invalidArgument(`error decoding document /${String(js.kind)}: missing apiVersion`);
    const key = `${String(js.apiVersion)}/${String(js.kind)}/${String(js.name ?? "")}`;
    if (seen.has(key)) throw invalidArgument(`duplicate document ${key} is not allowed`);
    seen.add(key);
  }
  if (!v1alpha1) throw invalidArgument("the machine configuration does not contain a v1alpha1 document");
  return validateV1alpha1(documents, v1alpha1);
}

function validateV1alpha1(documents: Record<string, unknown>[], cfg: Record<string, unknown>): LoadedConfig {
  const errors: string[] = [];
  const warnings: string[] = [];
  const machine = cfg.machine;
  const cluster = cfg.cluster;
  let machineType: MachineType = "worker";

  if (cfg.persist === false) errors.push("persist must be true");
  if (!isObject(machine)) {
    errors.push("machine instructions are required");
  } else {
    const t = machine.type;
    if (t === "controlplane" || t === "init" || t === "worker") machineType = t;
    else if (t === "join" || t === "" || t === undefined || t === null) {
      machineType = "worker";
      warnings.push(`machine type ${JSON.stringify(t ?? "")} is deprecated, use "worker"`);
    } else errors.push(`unknown machine type ${JSON.stringify(t)}`);

    const ca = machine.ca;
    const accepted = machine.acceptedCAs;
    if (!isObject(ca) && !(Array.isArray(accepted) && accepted.length > 0)) {
      errors.push("machine.ca or machine.acceptedCAs is required");
    }
    if (machineType === "worker") {
      if (isObject(ca) && typeof ca.key === "string" && ca.key !== "") errors.push("machine.ca.key is not allowed on worker nodes");
    } else if (!isObject(ca) || typeof ca.key !== "string" || ca.key === "") {
      errors.push("machine.ca with a non-empty key is required on control plane nodes");
    }
    const install = machine.install;
    if (isObject(install) && !install.disk && !install.diskSelector) {
      errors.push("install disk or diskSelector should be defined");
    }
  }
  if (!isObject(cluster)) {
    errors.push("cluster instructions are required");
  } else {
    const cp = cluster.controlPlane;
    if (isObject(cp)) {
      const ep = cp.endpoint;
      if (typeof ep !== "string" || !/^https?:\/\/[^/\s]+/.test(ep)) {
        errors.push(`invalid control plane endpoint: ${JSON.stringify(ep ?? "")}`);
      }
    }
    if (machineType === "worker") {
      if (cluster.etcd !== undefined) errors.push("etcd config is only allowed on control plane machines");
      if (isObject(cluster.ca) && typeof cluster.ca.key === "string" && cluster.ca.key !== "") {
        errors.push("cluster.ca.key is not allowed on worker nodes");
      }
    } else if (isObject(cluster.etcd) && !isObject(cluster.etcd.ca)) {
      errors.push("key/cert combination should not be empty for etcd CA");
    }
    const net = cluster.network;
    if (isObject(net) && net.dnsDomain !== undefined && !/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/i.test(String(net.dnsDomain))) {
      errors.push(`invalid dns domain: ${JSON.stringify(net.dnsDomain)}`);
    }
  }
  if (errors.length > 0) throw invalidArgument(multiError(errors));
  return { documents, v1alpha1: cfg, machineType, warnings };
}

/** Talos diffs the configs re-encoded without comments; we re-encode in Go yaml.v3 style. */
export function canonicalConfig(text: string): string {
  try {
    const docs = parseAllDocuments(text);
    return (Array.isArray(docs) ? docs : [docs])
      .filter((d) => d.contents !== null)
      .map((d) => stringify(d.toJS(), { indent: 4, lineWidth: 0 }))
      .join("---\n");
  } catch {
    return text;
  }
}

const DIFF_LIMIT = 256 * 1024;

/** "Config diff:" body: a Myers unified diff with `--- a` / `+++ b` headers, or "No changes.". */
export function configDiff(currentText: string, newText: string): string {
  const a = canonicalConfig(currentText);
  const b = canonicalConfig(newText);
  if (a === b) return "No changes.";
  const patch = createTwoFilesPatch("a", "b", a, b, undefined, undefined, {
    context: 3,
    headerOptions: { includeIndex: false, includeUnderline: false, includeFileHeaders: true },
  });
  if (patch.length > DIFF_LIMIT) return "--- a\n+++ b\n@@ -1 +1 @@\n-diff too large to display\n+diff too large to display\n";
  return patch;
}

/** Formats milliseconds like Go's time.Duration.String() ("1m0s", "30s", "1.5s", "500ms"). */
export function goDuration(ms: number): string {
  if (ms === 0) return "0s";
  if (ms < 1000) return `${ms}ms`;
  const totalSec = ms / 1000;
  const h = Math.floor(totalSec / 3600);
  const m = Math.floor((totalSec - h * 3600) / 60);
  const s = +(totalSec - h * 3600 - m * 60).toFixed(9);
  const sec = `${s}s`;
  if (h > 0) return `${h}h${m}m${sec}`;
  if (m > 0) return `${m}m${sec}`;
  return sec;
}

/**
 * machine.* keys whose change needs a reboot on ≤ 1.13 (everything else applies live).
 * `machine.ca` and `machine.acceptedCAs` apply immediately (Runtime.CanApplyImmediate before
 * talos 995bc30d5 lists both), which is what lets `talosctl rotate-ca` patch with NO_REBOOT.
 */
const REBOOT_REQUIRED_MACHINE_KEYS = ["type", "token", "disks", "systemDiskEncryption"];

/** ≤ 1.13's CanApplyImmediate, reduced to the keys that actually need a reboot. */
export function canApplyImmediately(current: LoadedConfig | null, next: LoadedConfig): boolean {
  if (!current) return true;
  const a = (current.v1alpha1.machine ?? {}) as Record<string, unknown>;
  const b = (next.v1alpha1.machine ?? {}) as Record<string, unknown>;
  return REBOOT_REQUIRED_MACHINE_KEYS.every((k) => JSON.stringify(a[k]) === JSON.stringify(b[k]));
}

/** Resolves the requested mode for a node version (ApplyConfiguration's mode handling in machined's v1alpha1_server.go); throws for refused requests. */
export function resolveMode(requested: Mode, version: string, immediate: boolean): Mode {
  const modern = rebootModeRemoved(version);
  switch (requested) {
    case Mode.AUTO:
      return modern || immediate ? Mode.NO_REBOOT : Mode.REBOOT;
    case Mode.NO_REBOOT:
      if (!modern && !immediate) {
        throw invalidArgument("apply configuration: configuration changes require a reboot, use --mode=reboot or --mode=auto");
      }
      return Mode.NO_REBOOT;
    case Mode.REBOOT:
      if (modern) throw unimplemented("apply configuration with mode REBOOT is not supported anymore, use AUTO, NO_REBOOT, STAGED or TRY");
      return Mode.REBOOT;
    case Mode.STAGED:
    case Mode.TRY:
      return requested;
    default:
      throw invalidArgument(`unknown apply mode ${String(requested)}`);
  }
}

/** The mode_details text of a (non-dry-run) apply. */
export function modeDetails(mode: Mode, tryTimeoutMs: number): string {
  switch (mode) {
    case Mode.REBOOT:
      return "Applied configuration with a reboot";
    case Mode.STAGED:
      return "Staged configuration to be applied after the next reboot";
    case Mode.TRY:
      return `Applied configuration without a reboot\nThe config is applied in 'try' mode and will be automatically reverted back in ${goDuration(tryTimeoutMs)}`;
    default:
      return "Applied configuration without a reboot";
  }
}

/** mode_details of a dry run. */
export function dryRunDetails(mode: Mode, tryTimeoutMs: number, diff: string): string {
  return `Dry run summary:\n${modeDetails(mode, tryTimeoutMs)} (skipped in dry-run).\n\nConfig diff:\n\n${diff}`;
}
