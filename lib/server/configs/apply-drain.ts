import "server-only";

import type { DrainPolicy, DrainResult } from "@/lib/schemas/kubernetes";
import { bootIdentity, type BootTalos } from "@/lib/server/jobs/boot-identity";
import { codeOf, errorText } from "@/lib/server/jobs/errors";
import { UNCORDON_AFTER_BOOT_ANNOTATION, type KubernetesAccessProvider, type NodeDrainer, type NodeRef } from "@/lib/server/kubernetes/types";
import { AppError } from "@/lib/server/platform/errors";

/**
 * The drain before a single-node apply that reboots the node (POST …/config/apply, a revision
 * rollback, a drift re-apply). Rollouts drain in their runner; these requests drain inline,
 * within the request, then hand the uncordon to the Kubernetes status job: the Node carries
 * {@link UNCORDON_AFTER_BOOT_ANNOTATION} with the boot identity before the apply, and the job
 * uncordons it once the node booted again and is Ready (uncordon-sweep.ts). Nothing waits in
 * this process, so a restart or another replica finishes it.
 */

/** What the drain needs: the cluster's Kubernetes access, the drainer, and the node's hostname (its Node's name). */
export interface ApplyKubernetes {
  access: KubernetesAccessProvider;
  drainer: NodeDrainer;
  hostname(cluster: string, address: string): string | null;
}

export interface DrainBeforeApplyInput {
  cluster: string;
  address: string;
  policy: DrainPolicy;
  /** The request named its policy; without one, Kubernetes that cannot be asked skips the drain (said), never refuses. */
  explicitPolicy: boolean;
  /** The node's Talos client: the boot identity before the apply is read through it. */
  client: BootTalos;
  /** What reboots the node, for the messages: an apply (default) or a reboot (node actions). */
  purpose?: "apply" | "reboot";
}

const WORDS = {
  apply: { cause: "this apply reboots it", undone: "nothing was applied", retry: "apply with" },
  reboot: { cause: "this reboot", undone: "the node was not rebooted", retry: "reboot with" },
} as const;

export interface DrainBeforeApply {
  /** What the response's warnings say (a skipped or forced drain); empty when it simply drained. */
  warnings: string[];
  /** For the apply's audit entry. */
  audit: Record<string, unknown>;
  /** Puts the node back as it was (the apply failed, so it will not reboot). Never throws. */
  undo(): Promise<void>;
}

const noop = async () => {};

/**
 * Cordons and drains the node under `policy`, and marks it for the uncordon after its reboot.
 * A halted drain (or Kubernetes that cannot be asked, under `halt`) undoes the cordon and throws,
 * so nothing is applied.
 *
 * @throws AppError drain_blocked (409, the DrainResult in `details`) when the drain halted;
 *   conflict (409) when Kubernetes cannot be asked and the policy halts.
 */
export async function drainBeforeApply(kube: ApplyKubernetes, input: DrainBeforeApplyInput): Promise<DrainBeforeApply> {
  const { policy } = input;
  const words = WORDS[input.purpose ?? "apply"];
  if (!policy.enabled) return { warnings: [], audit: { drain: "disabled" }, undo: noop };
  const ref: NodeRef = { cluster: input.cluster, address: input.address, hostname: kube.hostname(input.cluster, input.address) };
  const label = ref.hostname ?? ref.address;

  const unavailable = (why: string): DrainBeforeApply => {
    // A request that names no policy (the editor's) must still be able to fix a cluster whose
    // Kubernetes is broken: it skips the drain and says so; only an explicit `halt` refuses.
    if (policy.onTimeout === "force" || !input.explicitPolicy) {
      const warning = `Kubernetes cannot be asked (${why}): the drain was skipped (${input.explicitPolicy ? "onTimeout: force" : "no drain policy in the request"}); ${label} reboots with its pods`;
      return { warnings: [warning], audit: { drain: "skipped", reason: why }, undo: noop };
    }
    throw new AppError(
      "conflict",
      `Kubernetes cannot be asked (${why}), so ${label} cannot be drained before ${words.cause}: ${words.undone}. Retry when Kubernetes answers, or ${words.retry} drain.onTimeout "force" or drain.enabled false`,
      { details: { reason: "kubernetes-unavailable", message: why } },
    );
  };

  const access = await kube.access.forCluster(ref.cluster);
  if (!access.ok) return unavailable(access.message);
  const api = access.api;
  // Read before the cordon: a node that cannot say its boot is refused with nothing to undo.
  const bootBefore = await bootIdentity(input.client, ref.address, { timeoutMs: 10_000 });

  let nodeName: string;
  try {
    nodeName = (await kube.drainer.cordon(ref)).nodeName;
  } catch (e) {
    if (codeOf(e) === "not_found") return { warnings: [`no Kubernetes Node matches ${label}: nothing was drained`], audit: { drain: "no-node" }, undo: noop };
    return unavailable(errorText(e));
  }
  const undo = async () => {
    try {
      const r = await kube.drainer.uncordon(ref, { onlyIfMinos: true });
      await api.setUnschedulable(nodeName, r.unschedulable, { [UNCORDON_AFTER_BOOT_ANNOTATION]: null });
    } catch (e) {
      console.error(`[minos] could not uncordon ${nodeName} after a refused apply: ${errorText(e)}`);
    }
  };

  let result: DrainResult;
  try {
    // Marked before the drain: once pods move, the uncordon after the boot must not depend on this request.
    await api.setUnschedulable(nodeName, true, { [UNCORDON_AFTER_BOOT_ANNOTATION]: bootBefore });
    result = await kube.drainer.drain(ref, policy);
  } catch (e) {
    if (policy.onTimeout === "force") {
      // The node reboots cordoned and marked: the status job uncordons it after the boot.
      return { warnings: [`the drain of ${nodeName} failed (${errorText(e)}): skipped (onTimeout: force); ${label} reboots with its pods`], audit: { drain: "skipped", nodeName, reason: errorText(e) }, undo };
    }
    await undo();
    return unavailable(errorText(e));
  }
  const audit = { drain: result.outcome, nodeName, evicted: result.evicted.length, forced: result.forced.length, seconds: result.seconds, timeoutSeconds: policy.timeoutSeconds, onTimeout: policy.onTimeout };
  if (result.outcome === "blocked") {
    await undo();
    const names = result.blocking.map((b) => `${b.namespace}/${b.name}${b.pdbs.length > 0 ? ` (PodDisruptionBudget ${b.pdbs.join(", ")})` : ""}`);
    throw new AppError("drain_blocked", `The drain of ${nodeName} halted after ${result.seconds} s: ${names.join("; ")} could not be evicted. ${words.undone[0]!.toUpperCase()}${words.undone.slice(1)} and the node was uncordoned`, {
      details: result,
    });
  }
  const warnings = result.outcome === "forced" ? [`the drain of ${nodeName} was forced after ${policy.timeoutSeconds} s: deleted ${result.forced.join(", ")}`] : [];
  return { warnings, audit, undo };
}
