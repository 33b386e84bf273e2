import "server-only";

import crypto from "node:crypto";

import type { CaRotationApi, CaRotationNode, CaRotationStepKind, CaSummary, PlannedCaRotationStep } from "@/lib/schemas/ca-rotation";

/**
 * The steps of a rotation, pure, in `talosctl rotate-ca`'s order: the Talos API CA first (its
 * new client certificate is what the Kubernetes part talks with), then the Kubernetes API CA,
 * then Minos's own talosconfig. Within a phase the nodes go control planes first, then workers
 * (patchAllNodes walks init, controlplane, worker).
 */

const PHASES: { kind: CaRotationStepKind; perNode: boolean; talos: string; kubernetes: string }[] = [
  { kind: "verify-existing", perNode: false, talos: "Verify every node answers with the existing PKI", kubernetes: "Verify every Kubernetes node is Ready with the existing PKI" },
  { kind: "accept", perNode: true, talos: "Add the new Talos CA to machine.acceptedCAs", kubernetes: "Add the new Kubernetes CA to cluster.acceptedCAs (the kubelet restarts)" },
  { kind: "verify-intermediate", perNode: false, talos: "Verify every node accepts the new client certificate (old server CA)", kubernetes: "" },
  { kind: "swap", perNode: true, talos: "Make the new Talos CA machine.ca (the issuer); the old one stays accepted", kubernetes: "Make the new Kubernetes CA cluster.ca (the issuer); the old one stays accepted" },
  { kind: "verify-new", perNode: false, talos: "Verify every node with the new PKI", kubernetes: "Verify every Kubernetes node is Ready with a kubeconfig of the new CA" },
  { kind: "drop", perNode: true, talos: "Remove the old Talos CA from machine.acceptedCAs", kubernetes: "Remove the old Kubernetes CA from cluster.acceptedCAs" },
  { kind: "verify-final", perNode: false, talos: "Verify every node with the new PKI, the old CA gone", kubernetes: "Verify every Kubernetes node is Ready with the new PKI" },
];

/** Control planes first, then workers, each in the order given. */
export function orderNodes(nodes: readonly CaRotationNode[]): CaRotationNode[] {
  return [...nodes.filter((n) => n.role === "controlplane"), ...nodes.filter((n) => n.role === "worker")];
}

/** A CA named for the dry run and the run's page: subject, SHA-256 fingerprint, expiry. */
export function summarizeCa(certPem: string): CaSummary {
  const c = new crypto.X509Certificate(certPem);
  return { subject: c.subject.replace(/\n/g, ", "), fingerprint: c.fingerprint256, notAfter: new Date(c.validTo).toISOString() };
}

/** The steps of a rotation of `apis` over `nodes`. */
export function planSteps(input: { talos: boolean; kubernetes: boolean; nodes: readonly CaRotationNode[]; replaceTalosconfig: boolean }): PlannedCaRotationStep[] {
  const nodes = orderNodes(input.nodes);
  const out: PlannedCaRotationStep[] = [];
  const apis: CaRotationApi[] = [...(input.talos ? (["talos"] as const) : []), ...(input.kubernetes ? (["kubernetes"] as const) : [])];
  for (const api of apis) {
    for (const phase of PHASES) {
      const text = api === "talos" ? phase.talos : phase.kubernetes;
      // Kubernetes has no intermediate check: the kubeconfig follows the issuer (rotate-ca verifies after the swap only).
      if (text === "") continue;
      if (phase.perNode) {
        for (const n of nodes) out.push({ index: out.length, api, kind: phase.kind, address: n.address, hostname: n.hostname, description: `${text} on ${n.hostname ?? n.address}` });
      } else {
        out.push({ index: out.length, api, kind: phase.kind, address: null, hostname: null, description: text });
      }
    }
  }
  if (input.talos && input.replaceTalosconfig) {
    out.push({ index: out.length, api: "minos", kind: "replace-talosconfig", address: null, hostname: null, description: "Replace Minos's talosconfig for the cluster with the new CA and client certificate (the old one is kept until now)" });
  }
  return out;
}

/**
 * How to go back from where a rotation stopped, for the operator: which phase was reached, and
 * the talosconfig that still works. Talos's own way back is the reverse patch of the phase
 * reached, applied with a client that still works.
 */
export function wayBack(steps: readonly { api: CaRotationApi; kind: CaRotationStepKind; state: string }[]): string | null {
  const reached = (api: CaRotationApi, kind: CaRotationStepKind) => steps.some((s) => s.api === api && s.kind === kind && (s.state === "done" || s.state === "failed" || s.state === "running" || s.state === "waiting"));
  const parts: string[] = [];
  for (const api of ["talos", "kubernetes"] as const) {
    const name = api === "talos" ? "Talos" : "Kubernetes";
    const field = api === "talos" ? "machine" : "cluster";
    if (reached(api, "drop")) {
      parts.push(`${name} API: the new CA is the issuer and the old one is (being) removed; finish by removing the old CA from ${field}.acceptedCAs on the remaining nodes, or add it back on the nodes where it is gone. The ${api === "talos" ? "new talosconfig (new CA, new client certificate)" : "kubeconfig of the new CA"} works on every node.`);
    } else if (reached(api, "swap")) {
      parts.push(`${name} API: the swap was under way; on the nodes already swapped put the old CA back as ${field}.ca and the new one in ${field}.acceptedCAs (or swap the rest). Nodes accept both CAs, so the old ${api === "talos" ? "talosconfig" : "kubeconfig"} and the new client certificate both still work.`);
    } else if (reached(api, "accept")) {
      parts.push(`${name} API: the new CA was only added to ${field}.acceptedCAs; nothing else changed. Remove it from ${field}.acceptedCAs on the nodes that have it to go back; the old ${api === "talos" ? "talosconfig" : "kubeconfig"} keeps working.`);
    }
  }
  return parts.length > 0 ? parts.join(" ") : null;
}
