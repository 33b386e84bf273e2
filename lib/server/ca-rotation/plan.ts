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
    // rotate-ca saves the new talosconfig as soon as the Talos rotation is verified (rotate-ca.go),
    // before any Kubernetes step: from then on the old one opens nothing.
    if (api === "talos" && input.replaceTalosconfig) {
      out.push({ index: out.length, api: "minos", kind: "replace-talosconfig", address: null, hostname: null, description: "Replace Minos's talosconfig for the cluster with the new CA and client certificate (the old one was kept until the Talos rotation was verified)" });
    }
  }
  return out;
}

/**
 * How to go back from where a rotation stopped, for the operator: which phase was reached, and
 * which talosconfig works where. Talos's own way back is the reverse patch of the phase reached,
 * applied with a client that still works.
 */
export function wayBack(steps: readonly { api: CaRotationApi; kind: CaRotationStepKind; state: string }[]): string | null {
  const reached = (api: CaRotationApi, kind: CaRotationStepKind) => steps.some((s) => s.api === api && s.kind === kind && (s.state === "done" || s.state === "failed" || s.state === "running" || s.state === "waiting"));
  const done = (api: CaRotationApi, kind: CaRotationStepKind) => steps.some((s) => s.api === api && s.kind === kind && s.state === "done");
  const download = "a talosconfig of the new CA can be downloaded from this page";
  const minosReplaced = done("minos", "replace-talosconfig");
  const parts: string[] = [];
  for (const api of ["talos", "kubernetes"] as const) {
    const name = api === "talos" ? "Talos" : "Kubernetes";
    const field = api === "talos" ? "machine" : "cluster";
    if (done(api, "verify-final")) {
      parts.push(
        api === "talos"
          ? `Talos API: the rotation is complete, every node trusts only the new CA. ${minosReplaced ? "Minos's talosconfig was replaced with the new one." : `Minos's talosconfig still holds the old CA, which no node accepts any more: ${download}; upload it to give Minos the cluster back.`}`
          : "Kubernetes API: the rotation is complete; kubeconfigs Talos hands out now are of the new CA.",
      );
    } else if (reached(api, "drop")) {
      parts.push(
        api === "talos"
          ? `Talos API: every node has the new CA as issuer and the old one is (being) removed; finish by removing the old CA from machine.acceptedCAs on the remaining nodes, or add it back on the nodes where it is gone. The old talosconfig no longer works (every node proves itself with the new CA), Minos's own included; ${download} and works on every node.`
          : "Kubernetes API: the new CA is the issuer and the old one is (being) removed; finish by removing the old CA from cluster.acceptedCAs on the remaining nodes, or add it back on the nodes where it is gone. A kubeconfig fetched from Talos now works.",
      );
    } else if (reached(api, "swap")) {
      parts.push(
        api === "talos"
          ? `Talos API: the swap was under way; on the nodes already swapped put the old CA back as machine.ca and the new one in machine.acceptedCAs (or swap the rest). Every node accepts both client certificates, but the swapped nodes prove themselves with the new CA: the old talosconfig (Minos's own too) works only on the nodes not yet swapped; ${download}, trusts both CAs and works on every node.`
          : `Kubernetes API: the swap was under way; on the nodes already swapped put the old CA back as cluster.ca and the new one in cluster.acceptedCAs (or swap the rest). Nodes accept both CAs; a kubeconfig fetched before the swap may not trust the swapped API servers: fetch a new one.`,
      );
    } else if (reached(api, "accept")) {
      parts.push(`${name} API: the new CA was only added to ${field}.acceptedCAs; nothing else changed. Remove it from ${field}.acceptedCAs on the nodes that have it to go back; the old ${api === "talos" ? "talosconfig" : "kubeconfig"} keeps working.`);
    }
  }
  return parts.length > 0 ? parts.join(" ") : null;
}

/** Once a Talos swap began, some node may prove itself with the new CA: a talosconfig of the new CA is needed (rotate-ca writes one as soon as its Talos part ends). */
export function talosSwapStarted(steps: readonly { api: CaRotationApi; kind: CaRotationStepKind; startedAt: string | null; state: string }[]): boolean {
  return steps.some((s) => s.api === "talos" && s.kind === "swap" && (s.startedAt !== null || s.state === "done" || s.state === "failed"));
}
