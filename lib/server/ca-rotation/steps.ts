import "server-only";

import type { CaRotation, CaRotationNode, CaRotationStep } from "@/lib/schemas/ca-rotation";
import { codeOf, errorText } from "@/lib/server/jobs";
import type { KubeApi } from "@/lib/server/kubernetes/types";
import type { TalosClient } from "@/lib/server/talos";
import type { TlsMaterial } from "@/lib/server/talos/channel";
import { toTalosKeyPem } from "@/lib/talos/pki";
import { type Clock, sleep } from "@/lib/utils/clock";

import { addAccepted, type CaSection, configCa, dropAccepted, type PatchResult, swapIssuer } from "./patch";
import { type Identity, materialOf, type RotationSecrets } from "./secrets";
import type { RotationOptions } from "./repository";

/** The Talos calls a rotation makes; `TalosClient` fits, tests may pass a fake. */
export type RotationTalos = Pick<TalosClient, "version" | "hostname" | "clusterMembers" | "machineConfig" | "applyConfiguration" | "services" | "serviceList" | "kubeconfig">;

/** What the steps do their I/O with. */
export interface StepDeps {
  clock: Clock;
  /** A Talos client with these credentials, for the rotation's endpoints and nodes. */
  talos(material: TlsMaterial, options: RotationOptions): RotationTalos;
  /** A Kubernetes API client from a kubeconfig handed out by Talos. */
  kube(kubeconfig: string, cluster: string): KubeApi;
  /** Writes Minos's new talosconfig for the cluster (replacing its upload, or overriding its file context); true when written, false when it already held it. */
  replaceTalosconfig(p: { cluster: string; rotationId: string; options: RotationOptions; talosconfig: { endpoints: string[]; nodes: string[]; caPem: string; certPem: string; keyPem: string } }): Promise<boolean>;
  /** Time between two tries of a verification or a wait. */
  pollMs: number;
  /** Deadline of each Talos or Kubernetes call. */
  callTimeoutMs: number;
}

/** What one step reports; `message` is shown on the step, never a secret. */
export interface StepOutcome {
  ok: boolean;
  message: string;
}

/** The identity each step talks with (rotate-ca: CurrentClient, intermediateClient, newClient). */
export function identityFor(step: Pick<CaRotationStep, "api" | "kind">): Identity {
  if (step.api !== "talos") return "new";
  if (step.kind === "verify-existing" || step.kind === "accept") return "old";
  if (step.kind === "verify-intermediate" || step.kind === "swap") return "intermediate";
  return "new";
}

const sectionOf = (step: Pick<CaRotationStep, "api">): CaSection => (step.api === "talos" ? "machine" : "cluster");

/** A node that cannot be reached (down, restarting, or refusing the TLS handshake) may come back: rotate-ca retries codes.Unavailable. */
const RETRYABLE = new Set(["node_unreachable", "node_timeout"]);

/**
 * Retries `attempt` until it returns null (success) or the deadline passes; the last failure is
 * returned. A thrown error is retried only when the node could not be reached; any other (a
 * refused config, a denied call) is the answer at once.
 */
async function retryUntil(clock: Clock, deadline: number, pollMs: number, signal: AbortSignal, attempt: () => Promise<string | null>, retryAll = false): Promise<string | null> {
  for (;;) {
    let failure: string | null;
    try {
      failure = await attempt();
    } catch (e) {
      failure = errorText(e);
      if (!retryAll && !RETRYABLE.has(codeOf(e) ?? "")) return failure;
    }
    if (failure === null || signal.aborted || clock.now() >= deadline) return failure;
    await sleep(clock, pollMs, signal);
  }
}

/** Runs one step (idempotent: resumed after a restart, a patch that landed is found applied and not sent again). */
export async function runStep(deps: StepDeps, rotation: CaRotation, step: CaRotationStep, secrets: RotationSecrets, options: RotationOptions, signal: AbortSignal): Promise<StepOutcome> {
  const deadline = deps.clock.now() + options.verifyTimeoutSeconds * 1000;
  const client = () => deps.talos(materialOf(secrets, identityFor(step)), options);
  switch (step.kind) {
    case "accept":
    case "swap":
    case "drop":
      return patchNode(deps, rotation, step, secrets, client(), deadline, signal);
    case "replace-talosconfig": {
      const t = secrets.talos;
      if (!t?.client) return { ok: true, message: "no Talos CA rotation: the talosconfig stays" };
      const written = await deps.replaceTalosconfig({
        cluster: rotation.cluster,
        rotationId: rotation.id,
        options,
        talosconfig: { endpoints: options.endpoints, nodes: options.contextNodes, caPem: t.ca.certPem, certPem: t.client.certPem, keyPem: t.client.keyPem },
      });
      const where = options.talosconfig === "override-file" ? "stored as an uploaded talosconfig overriding the file's context" : "the cluster's uploaded talosconfig replaced";
      return { ok: true, message: written ? where : `already in place (${where})` };
    }
    default:
      return step.api === "talos" ? verifyTalos(deps, rotation.nodes, client(), deadline, signal) : verifyKubernetes(deps, rotation, client(), deadline, signal);
  }
}

async function patchNode(deps: StepDeps, rotation: CaRotation, step: CaRotationStep, secrets: RotationSecrets, client: RotationTalos, deadline: number, signal: AbortSignal): Promise<StepOutcome> {
  const node = rotation.nodes.find((n) => n.address === step.address);
  if (!node) return { ok: false, message: `node ${step.address ?? "?"} is not part of the rotation` };
  const section = sectionOf(step);
  const material = step.api === "talos" ? secrets.talos : secrets.kubernetes;
  if (!material) return { ok: false, message: `the rotation holds no new ${step.api} CA` };
  const newCrt = configCa(material.ca.certPem, null).crt;
  const patch = (text: string): PatchResult => {
    if (step.kind === "accept") return addAccepted(text, section, newCrt);
    if (step.kind === "swap") return swapIssuer(text, section, node.role, { crt: newCrt, key: configCa(material.ca.certPem, toTalosKeyPem(material.ca.keyPem)).key! }, material.oldCrt);
    return dropAccepted(text, section, material.oldCrt);
  };
  const opts = { timeoutMs: deps.callTimeoutMs, signal };
  let applied = false;
  // The kubelet's newest event before the patch: a later one that is not "Running" is its restart.
  let kubeletBefore: number | null = null;
  // PatchNodeConfig retries while the node is unavailable; a refusal (a wrong config, a denied call) ends the step.
  const failure = await retryUntil(deps.clock, deadline, deps.pollMs, signal, async () => {
    const { yaml } = await client.machineConfig(node.address, opts);
    const p = patch(yaml);
    if (p.changed) {
      if (step.api === "kubernetes") kubeletBefore = lastEventAt(await client.serviceList(node.address, opts));
      await client.applyConfiguration(node.address, { ...opts, data: p.text, mode: "no-reboot" });
      applied = true;
    }
    return null;
  });
  if (failure !== null) return { ok: false, message: `error patching node ${label(node)}: ${failure}` };
  if (step.api === "kubernetes") {
    // PatchNodeConfigWithKubeletRestart: the kubelet restarts with the new CA. Healthy right after
    // the patch proves nothing (it may not have restarted yet), so first wait for the restart: an
    // event after the patch that is not "Running" (Stopping, Finished, Starting, Preparing...),
    // which also finds a restart already over by the first look. A resumed step whose patch had
    // landed before (nothing sent now) cannot tell: it only waits for healthy.
    if (applied) {
      const restarted = await retryUntil(deps.clock, deadline, deps.pollMs, signal, async () => (kubeletRestartedSince(await client.serviceList(node.address, opts), kubeletBefore) ? null : "the kubelet did not restart after the patch"));
      if (restarted !== null) return { ok: false, message: `node ${label(node)}: ${restarted}` };
    }
    const kubelet = await retryUntil(deps.clock, deadline, deps.pollMs, signal, async () => {
      const s = (await client.services(node.address, opts)).kubelet;
      return s?.running && s.healthy ? null : "kubelet is not healthy";
    });
    if (kubelet !== null) return { ok: false, message: `node ${label(node)}: ${kubelet}` };
    return { ok: true, message: applied ? "applied (no reboot); the kubelet restarted and is healthy" : "already applied: nothing sent; the kubelet is healthy" };
  }
  return { ok: true, message: applied ? "applied (no reboot)" : "already applied: nothing sent" };
}

type ServiceInfo = Awaited<ReturnType<RotationTalos["serviceList"]>>[number];

/** The time (node clock, ms) of the kubelet's newest service event, null without one. */
export function lastEventAt(services: readonly ServiceInfo[]): number | null {
  const times = (services.find((s) => s.id === "kubelet")?.events ?? []).flatMap((e) => (e.ts ? [e.ts.getTime()] : []));
  return times.length > 0 ? Math.max(...times) : null;
}

/** Whether the kubelet went through a restart after `since` (its newest event then): a later event in another state than Running. */
export function kubeletRestartedSince(services: readonly ServiceInfo[], since: number | null): boolean {
  const events = services.find((s) => s.id === "kubelet")?.events ?? [];
  return events.some((e) => e.ts !== undefined && (since === null || e.ts.getTime() > since) && e.state.toLowerCase() !== "running");
}

const label = (n: CaRotationNode) => (n.hostname ? `${n.hostname} (${n.address})` : n.address);

async function verifyTalos(deps: StepDeps, nodes: CaRotationNode[], client: RotationTalos, deadline: number, signal: AbortSignal): Promise<StepOutcome> {
  const seen: string[] = [];
  for (const n of nodes) {
    let tag = "";
    const failure = await retryUntil(deps.clock, deadline, deps.pollMs, signal, async () => {
      tag = (await client.version(n.address, { timeoutMs: deps.callTimeoutMs, signal })).tag;
      return null;
    });
    if (failure !== null) return { ok: false, message: `error calling version API on node ${label(n)}: ${failure}` };
    seen.push(`${n.hostname ?? n.address}: OK (version ${tag})`);
  }
  return { ok: true, message: seen.join("; ") };
}

async function verifyKubernetes(deps: StepDeps, rotation: CaRotation, client: RotationTalos, deadline: number, signal: AbortSignal): Promise<StepOutcome> {
  const cp = rotation.nodes.find((n) => n.role === "controlplane");
  if (!cp) return { ok: false, message: "the cluster has no control plane to fetch a kubeconfig from" };
  let ready = 0;
  const failure = await retryUntil(deps.clock, deadline, deps.pollMs, signal, async () => {
    // A fresh kubeconfig each try: after the swap it is issued by the new CA.
    const api = deps.kube(await client.kubeconfig(cp.address, { timeoutMs: deps.callTimeoutMs, signal }), rotation.cluster);
    const nodes = await api.listNodes({ timeoutMs: deps.callTimeoutMs, signal });
    const notReady = nodes.filter((n) => n.ready !== true).map((n) => n.name);
    ready = nodes.length;
    return notReady.length > 0 ? `nodes not ready: ${notReady.map((n) => JSON.stringify(n)).join(", ")}` : null;
    // The API restarts with the new certificates: rotate-ca retries for 3 minutes whatever the error.
  }, true);
  if (failure !== null) return { ok: false, message: `Kubernetes API: ${failure}` };
  return { ok: true, message: `OK (${ready} nodes ready)` };
}
