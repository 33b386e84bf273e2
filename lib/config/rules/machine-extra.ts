/** More `machine.*` rules: install, disks, kubelet, disk encryption, logging, node labels and taints. */
import { isStrictSizeMatcher, parseSize, STRICT_SIZE } from "../size";

import { compareMinor } from "./version";
import { isSubnetOrAddress } from "./net";
import type { Rule, RuleIssue } from "./types";
import { arr, error, get, obj, str, stringEntries, warning } from "./util";

const selectorHasConditions = (sel: Record<string, unknown>): boolean =>
  Object.values(sel).some((v) => v !== undefined && v !== null && v !== "");

/**
 * `machine.install` (metal mode only): a disk or a selector, a valid selector, no
 * extraKernelArgs with grubUseUKICmdline. Up to 1.13 the section itself is required in metal mode.
 */
export const install: Rule = (doc, ctx) => {
  const machine = obj(doc.machine);
  if (!machine) return [];
  const inst = obj(machine.install);
  const out: RuleIssue[] = [];
  const base = ["machine", "install"];

  if (inst) {
    const seen = new Set<string>();
    const exts = arr(inst.extensions);
    exts.forEach((e, i) => {
      const image = str(obj(e)?.image) ?? "";
      if (seen.has(image)) out.push(error([...base, "extensions", i, "image"], `duplicate system extension ${JSON.stringify(image)}`));
      seen.add(image);
    });
    if (exts.length > 0) {
      out.push(
        warning(
          [...base, "extensions"],
          ".machine.install.extensions is deprecated, please see https://docs.siderolabs.com/talos/latest/platform-specific-installations/boot-assets",
          "key",
        ),
      );
    }
  }

  if (ctx.mode !== "metal") return out;
  if (!inst) {
    if (!ctx.patch && compareMinor(ctx.version, "1.13") <= 0) out.push(error(base, 'install instructions are required in "metal" mode'));
    return out;
  }
  const sel = obj(inst.diskSelector);
  let matcher = false;
  if (sel) {
    const size = sel.size;
    if (size !== undefined && size !== null && size !== "") {
      const s = str(size) ?? "";
      if (!isStrictSizeMatcher(s)) out.push(error([...base, "diskSelector", "size"], `install disk selector is invalid: invalid size ${JSON.stringify(s)}`));
    }
    matcher = selectorHasConditions(sel);
  }
  if ((str(inst.disk) ?? "") === "" && !matcher && !ctx.patch) {
    out.push(error(inst.disk !== undefined ? [...base, "disk"] : base, "either install disk or diskSelector should be defined"));
  }
  if (arr(inst.extraKernelArgs).length > 0 && inst.grubUseUKICmdline === true) {
    out.push(error([...base, "grubUseUKICmdline"], "install.extraKernelArgs and install.grubUseUKICmdline can't be used together"));
  }
  return out;
};

function isZeroSize(v: unknown): boolean {
  if (v === undefined || v === null || v === "" || v === 0) return true;
  if (typeof v === "string") {
    const n = parseSize(v, STRICT_SIZE);
    return n !== null && Number(n) === 0;
  }
  return false;
}

/** `machine.disks`: entries non-null; only the last partition may take the rest of the disk. */
export const disks: Rule = (doc) => {
  const out: RuleIssue[] = [];
  arr(get(doc, "machine", "disks")).forEach((d, i) => {
    if (d === null) {
      out.push(error(["machine", "disks", i], `machine.disks[${i}] is null`));
      return;
    }
    const disk = obj(d);
    if (!disk) return;
    const parts = arr(disk.partitions);
    parts.forEach((p, j) => {
      if (j !== parts.length - 1 && isZeroSize(obj(p)?.size)) {
        out.push(
          error(
            ["machine", "disks", i, "partitions", j],
            `partition for disk ${JSON.stringify(str(disk.device) ?? "")} is set to occupy full disk, but it's not the last partition in the list`,
          ),
        );
      }
    });
  });
  return out;
};

const PROTECTED_KUBELET_FIELDS = [
  "apiVersion",
  "authentication",
  "authorization",
  "cgroupRoot",
  "kind",
  "kubeletCgroups",
  "port",
  "protectKernelDefaults",
  "resolvConf",
  "rotateCertificates",
  "systemCgroups",
  "staticPodPath",
  "seccompDefault",
];

/** Kubelet: parseable `nodeIP.validSubnets`; protected `extraConfig` fields. */
export const kubelet: Rule = (doc) => {
  const k = obj(get(doc, "machine", "kubelet"));
  if (!k) return [];
  const out: RuleIssue[] = [];
  const base = ["machine", "kubelet"];
  arr(get(k, "nodeIP", "validSubnets")).forEach((v, i) => {
    const s = (str(v) ?? "").replace(/^!/, "");
    if (!isSubnetOrAddress(s)) out.push(error([...base, "nodeIP", "validSubnets", i], `kubelet nodeIP subnet is not valid: ${JSON.stringify(s)}`));
  });
  const extra = obj(k.extraConfig);
  if (extra) {
    for (const f of PROTECTED_KUBELET_FIELDS) {
      if (f in extra) out.push(error([...base, "extraConfig", f], `kubelet configuration field ${JSON.stringify(f)} can't be overridden`, "key"));
    }
  }
  return out;
};

/** `systemDiskEncryption.{state,ephemeral}`: keys present, unique slots, one key source each. */
export const diskEncryption: Rule = (doc) => {
  const out: RuleIssue[] = [];
  for (const [field, label] of [
    ["ephemeral", "EPHEMERAL"],
    ["state", "STATE"],
  ] as const) {
    const cfg = obj(get(doc, "machine", "systemDiskEncryption", field));
    if (!cfg) continue;
    const base = ["machine", "systemDiskEncryption", field];
    const keys = arr(cfg.keys);
    if (keys.length === 0) out.push(error(cfg.keys === undefined ? base : [...base, "keys"], `partition ${JSON.stringify(label)}: no encryption keys provided`));
    const slots = new Set<number>();
    keys.forEach((kv, i) => {
      const key = obj(kv);
      if (!key) return;
      const slot = typeof key.slot === "number" ? key.slot : 0;
      if (slots.has(slot)) out.push(error([...base, "keys", i, "slot"], `partition ${JSON.stringify(label)}: encryption key slot ${slot} is already in use`));
      slots.add(slot);
      if (!["nodeID", "static", "kms", "tpm"].some((s) => key[s] !== undefined && key[s] !== null)) {
        out.push(error([...base, "keys", i], `partition ${JSON.stringify(label)}: encryption key at slot ${slot} doesn't have the configuration parameters`));
      }
    });
  }
  return out;
};

/** `logging.destinations[].endpoint`: a tcp:// or udp:// URL. */
export const logging: Rule = (doc) => {
  const out: RuleIssue[] = [];
  arr(get(doc, "machine", "logging", "destinations")).forEach((d, i) => {
    const ep = str(obj(d)?.endpoint);
    if (ep === undefined) return;
    const m = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\//.exec(ep);
    const scheme = m?.[1]?.toLowerCase();
    if (scheme !== "tcp" && scheme !== "udp") {
      out.push(error(["machine", "logging", "destinations", i, "endpoint"], `unknown scheme ${JSON.stringify(scheme ?? ep)}`));
    }
  });
  return out;
};

// Kubernetes name syntax (Talos's pkg/machinery/labels, adapted from k8s.io/apimachinery).
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;

export function qualifiedNameError(value: string): string | null {
  const parts = value.split("/");
  let name: string;
  if (parts.length === 1) name = parts[0]!;
  else if (parts.length === 2) {
    const prefix = parts[0]!;
    name = parts[1]!;
    if (prefix.length === 0) return `prefix cannot be empty: ${JSON.stringify(value)}`;
    if (prefix.length > 253) return `prefix ${JSON.stringify(prefix)} is invalid: domain name length exceeds limit of 253: ${JSON.stringify(prefix)}`;
    if (!DNS1123_SUBDOMAIN.test(prefix)) return `prefix ${JSON.stringify(prefix)} is invalid: domain doesn't match required format: ${JSON.stringify(prefix)}`;
  } else return `invalid format: too many slashes: ${JSON.stringify(value)}`;
  if (name.length === 0) return `name cannot be empty: ${JSON.stringify(value)}`;
  if (name.length > 63) return `name is too long: ${JSON.stringify(value)} (limit is 63)`;
  if (!QUALIFIED_NAME.test(name)) return `name ${JSON.stringify(name)} is invalid`;
  return null;
}

export function labelValueError(value: string): string | null {
  if (value.length > 63) return `label value length exceeds limit of 63: ${JSON.stringify(value)}`;
  if (value !== "" && !QUALIFIED_NAME.test(value)) return `label value ${JSON.stringify(value)} is invalid`;
  return null;
}

const TAINT_EFFECTS = ["NoSchedule", "PreferNoSchedule", "NoExecute"];
const RESERVED_ANNOTATIONS = ["talos.dev/owned-annotations", "talos.dev/owned-labels", "talos.dev/owned-taints"];

/** `nodeLabels`, `nodeAnnotations`, `nodeTaints` (`key: value:Effect` or `key: Effect`). */
export const nodeLabels: Rule = (doc) => {
  const out: RuleIssue[] = [];
  const base = ["machine"];
  for (const [k, v] of stringEntries(get(doc, "machine", "nodeLabels"))) {
    const ke = qualifiedNameError(k);
    if (ke) out.push(error([...base, "nodeLabels", k], `invalid machine node labels: ${ke}`, "key"));
    const ve = labelValueError(v);
    if (ve) out.push(error([...base, "nodeLabels", k], `invalid machine node labels: ${ve}`));
  }
  let size = 0;
  for (const [k, v] of stringEntries(get(doc, "machine", "nodeAnnotations"))) {
    const ke = qualifiedNameError(k);
    if (ke) out.push(error([...base, "nodeAnnotations", k], `invalid machine node annotations: ${ke}`, "key"));
    if (RESERVED_ANNOTATIONS.includes(k)) out.push(error([...base, "nodeAnnotations", k], `invalid machine node annotations: annotation ${JSON.stringify(k)} is reserved`, "key"));
    size += k.length + v.length;
  }
  if (size > 256 * 1024) {
    out.push(error([...base, "nodeAnnotations"], "invalid machine node annotations: total annotation size exceeds limit of 262144 bytes", "key"));
  }
  for (const [k, v] of stringEntries(get(doc, "machine", "nodeTaints"))) {
    const ke = qualifiedNameError(k);
    if (ke) {
      out.push(error([...base, "nodeTaints", k], `invalid machine node taints: ${ke}`, "key"));
      continue;
    }
    const colon = v.indexOf(":");
    const value = colon >= 0 ? v.slice(0, colon) : "";
    const effect = colon >= 0 ? v.slice(colon + 1) : v;
    if (!TAINT_EFFECTS.includes(effect)) {
      out.push(error([...base, "nodeTaints", k], `invalid machine node taints: invalid taint effect: ${JSON.stringify(effect)}`));
      continue;
    }
    const ve = colon >= 0 ? labelValueError(value) : null;
    if (ve) out.push(error([...base, "nodeTaints", k], `invalid machine node taints: ${ve}`));
  }
  return out;
};
