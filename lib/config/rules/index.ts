/**
 * Talos's semantic rules (pkg/machinery/config/types/v1alpha1/v1alpha1_validation.go), as pure functions of one
 * decoded document and its context. The schema covers structure and types; these cover the rest.
 */
import { v1alpha1Certificates, kubeCACertificates, serviceAccountKey, trustedRootsCertificates } from "./certificates";
import * as cluster from "./cluster";
import * as machine from "./machine";
import * as extra from "./machine-extra";
import * as network from "./network";
import type { Obj, Rule, RuleContext, RuleIssue } from "./types";
import * as volumes from "./volumes";

export type { DocumentSummary, MachineRole, PathSegment, Rule, RuleContext, RuleIssue } from "./types";
export { isControlPlane, parseMachineType } from "./machine";

/** Rules of the v1alpha1 document, in Talos's order. */
export const v1alpha1Rules: Readonly<Record<string, Rule>> = {
  requiredSections: machine.requiredSections,
  controlPlaneEndpoint: cluster.controlPlaneEndpoint,
  dnsDomain: cluster.dnsDomain,
  externalCloudProvider: cluster.externalCloudProvider,
  etcd: cluster.etcd,
  inlineManifests: cluster.inlineManifests,
  discovery: cluster.discovery,
  apiServerAuthorization: cluster.apiServerAuthorization,
  install: extra.install,
  hostDNS: machine.hostDNS,
  machineType: machine.machineType,
  caKeys: machine.caKeys,
  cni: cluster.cni,
  networkInterfaces: network.networkInterfaces,
  kubespan: network.kubespan,
  disks: extra.disks,
  kubelet: extra.kubelet,
  diskEncryption: extra.diskEncryption,
  logging: extra.logging,
  nodeLabels: extra.nodeLabels,
  talosAPIAccess: machine.talosAPIAccess,
  nodeAddressSortAlgorithm: machine.nodeAddressSortAlgorithm,
  persist: machine.persist,
  registries: machine.registries,
  certificates: v1alpha1Certificates,
};

/** Rules of the other document kinds (Talos's per-kind rules are not in our reference; only these). */
export const documentRules: Readonly<Record<string, readonly Rule[]>> = {
  v1alpha1: Object.values(v1alpha1Rules),
  KubeAPIServerCAConfig: [kubeCACertificates],
  KubeAggregatorCAConfig: [kubeCACertificates],
  KubeServiceAccountConfig: [serviceAccountKey],
  TrustedRootsConfig: [trustedRootsCertificates],
  VolumeConfig: [volumes.volumeConfig],
  RawVolumeConfig: [volumes.sizedVolume],
  SwapVolumeConfig: [volumes.sizedVolume],
  UserVolumeConfig: [volumes.userVolume],
  LVMLogicalVolumeConfig: [volumes.lvmLogicalVolume],
  KubeSpanConfig: [network.kubeSpanDocument],
  DiscoveryServiceConfig: [network.discoveryServiceDocument],
  KubeProxyConfig: [cluster.kubeProxyDocument],
};

/** Runs every rule for a document kind. A rule that throws is a bug: it is reported, never fatal. */
export function runRules(kind: string, doc: Obj, ctx: RuleContext): RuleIssue[] {
  const rules = documentRules[kind];
  if (!rules) return [];
  const out: RuleIssue[] = [];
  for (const rule of rules) {
    try {
      out.push(...rule(doc, ctx));
    } catch (e) {
      out.push({ severity: "error", message: `internal validator error in rule ${rule.name || "?"}: ${(e as Error).message}`, path: [] });
    }
  }
  return out;
}
