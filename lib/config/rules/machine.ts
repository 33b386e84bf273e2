/** Rules on the v1alpha1 document as a whole: required sections, machine type, CA keys per role. */
import { TALOS_ROLES } from "@/lib/talos/constants";

import type { MachineRole, Rule, RuleIssue } from "./types";
import { arr, error, get, obj, str, warning } from "./util";

/**
 * Talos's `machine.ParseType`: `join` and an empty value read as worker. Returns null for an
 * unknown spelling, undefined when the key is absent.
 */
export function parseMachineType(v: unknown): MachineRole | null | undefined {
  if (v === undefined) return undefined;
  const s = v === null ? "" : str(v);
  switch (s) {
    case "init":
      return "init";
    case "controlplane":
      return "controlplane";
    case "worker":
    case "join":
    case "":
      return "worker";
    default:
      return null;
  }
}

export const isControlPlane = (role: MachineRole | null): boolean => role === "init" || role === "controlplane";

/** `machine` and `cluster` are required in a whole config (a patch may carry either alone). */
export const requiredSections: Rule = (doc, ctx) => {
  if (ctx.patch) return [];
  const out: RuleIssue[] = [];
  if (!obj(doc.machine)) out.push(error(["machine"], "machine instructions are required"));
  if (!obj(doc.cluster)) out.push(error(["cluster"], "cluster instructions are required"));
  return out;
};

/** `persist: false` is rejected (the key itself is legacy; true is the only accepted value). */
export const persist: Rule = (doc) => (doc.persist === false ? [error(["persist"], ".persist should be enabled")] : []);

/** `machine.type` must be init, controlplane or worker; non-canonical spellings warn. */
export const machineType: Rule = (doc, ctx) => {
  const machine = obj(doc.machine);
  if (!machine) return [];
  const raw = machine.type;
  if (raw === undefined && ctx.patch) return [];
  const role = parseMachineType(raw ?? "");
  const spelled = raw === undefined || raw === null ? "" : (str(raw) ?? "");
  if (role === null || role === undefined) {
    return [error(["machine", "type"], `unknown machine type ${JSON.stringify(spelled)}`)];
  }
  if (role !== spelled) {
    return [warning(["machine", "type"], `use ${JSON.stringify(role)} instead of ${JSON.stringify(spelled)} for machine type`)];
  }
  return [];
};

/** Talos API CA (`machine.ca`) and Kubernetes CA (`cluster.ca`) keys by role. */
export const caKeys: Rule = (doc, ctx) => {
  const machine = obj(doc.machine);
  if (!machine) return [];
  const out: RuleIssue[] = [];
  const ca = obj(machine.ca);
  const acceptedCAs = arr(machine.acceptedCAs);
  const caKey = str(ca?.key) ?? "";
  const caCrt = str(ca?.crt) ?? "";

  if (!ctx.patch && !ca && acceptedCAs.length === 0) {
    out.push(error(["machine", "ca"], "issuing CA or some accepted CAs are required (.machine.ca, machine.acceptedCAs)"));
  }
  if (isControlPlane(ctx.role)) {
    if (!ctx.patch) {
      if (!ca) out.push(error(["machine", "ca"], "issuing CA is required (.machine.ca)"));
      else if (caKey === "") out.push(error(["machine", "ca", "key"], "issuing CA key is required for controlplane nodes (.machine.ca.key)"));
    }
  } else if (ctx.role === "worker") {
    if (ca) {
      if (caKey !== "") {
        out.push(error(["machine", "ca", "key"], "issuing Talos API CA key is not allowed on non-controlplane nodes (.machine.ca)"));
      }
      if (!ctx.patch && caCrt === "" && acceptedCAs.length === 0) {
        out.push(
          error(["machine", "ca", "crt"], "trusted CA certificates are required on non-controlplane nodes (.machine.ca.crt, .machine.acceptedCAs)"),
        );
      }
    }
    const clusterCaKey = str(get(doc, "cluster", "ca", "key")) ?? "";
    if (clusterCaKey !== "") {
      out.push(error(["cluster", "ca", "key"], "issuing Kubernetes API CA key is not allowed on non-controlplane nodes (.cluster.ca)"));
    }
  }
  return out;
};

/** Kubernetes Talos API access: control plane only, known roles only (os:image:verifier is not one Kubernetes workloads may be granted here). */
const GRANTABLE_ROLES = new Set<string>([TALOS_ROLES.admin, TALOS_ROLES.operator, TALOS_ROLES.reader, TALOS_ROLES.etcdBackup, TALOS_ROLES.impersonator]);
export const talosAPIAccess: Rule = (doc, ctx) => {
  const access = obj(get(doc, "machine", "features", "kubernetesTalosAPIAccess"));
  if (!access || access.enabled !== true) return [];
  const out: RuleIssue[] = [];
  const base = ["machine", "features", "kubernetesTalosAPIAccess"];
  if (ctx.role === "worker") {
    out.push(error([...base, "enabled"], "feature Kubernetes Talos API Access can only be enabled on control plane machines"));
  }
  arr(access.allowedRoles).forEach((r, i) => {
    const s = str(r);
    if (s !== undefined && !GRANTABLE_ROLES.has(s)) {
      out.push(error([...base, "allowedRoles", i], `invalid role ${JSON.stringify(s)} in allowed roles for Kubernetes Talos API Access`));
    }
  });
  return out;
};

/** `features.hostDNS.forwardKubeDNSToHost` needs `hostDNS.enabled`. */
export const hostDNS: Rule = (doc) => {
  const h = obj(get(doc, "machine", "features", "hostDNS"));
  if (h && h.forwardKubeDNSToHost === true && h.enabled !== true) {
    return [
      error(
        ["machine", "features", "hostDNS", "forwardKubeDNSToHost"],
        "feature hostDNS.forwardKubeDNSToHost requires hostDNS.enabled to be true (.machine.features.hostDNS)",
      ),
    ];
  }
  return [];
};

/** `features.nodeAddressSortAlgorithm`: v1 or v2. */
export const nodeAddressSortAlgorithm: Rule = (doc) => {
  const v = str(get(doc, "machine", "features", "nodeAddressSortAlgorithm"));
  if (v === undefined || v === "" || v === "v1" || v === "v2") return [];
  return [
    error(
      ["machine", "features", "nodeAddressSortAlgorithm"],
      `invalid node address sort algorithm: ${v} does not belong to AddressSortAlgorithm values`,
    ),
  ];
};

/** `registries.config` / `registries.mirrors` entries must not be null. */
export const registries: Rule = (doc) => {
  const out: RuleIssue[] = [];
  for (const section of ["config", "mirrors"] as const) {
    const m = obj(get(doc, "machine", "registries", section));
    if (!m) continue;
    for (const [k, v] of Object.entries(m)) {
      if (v === null) out.push(error(["machine", "registries", section, k], `registries.${section}[${JSON.stringify(k)}] is null`));
    }
  }
  return out;
};

