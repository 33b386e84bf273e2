import "server-only";

import { nodeId } from "@/lib/fleet/node-id";
import type { BlockingPod, CordonResult, DrainResult } from "@/lib/schemas/kubernetes";
import { AppError } from "@/lib/server/platform/errors";

import { requireKubeApi } from "./access";
import { MINOS_CORDONED_ANNOTATION, type CallOpts, type DrainProgress, type KubeApi, type KubeNode, type KubePdb, type KubePod, type KubernetesAccessProvider, type NodeDrainer, type NodeRef } from "./types";

/**
 * Cordon, drain and uncordon as `kubectl drain` does them, over the narrow KubeApi: the drain
 * cordons, leaves DaemonSet and mirror (static) pods alone, evicts the rest through the Eviction
 * API (so PodDisruptionBudgets are honoured), retries refused evictions every `retryMs` until the
 * policy's timeout, and waits until the evicted pods are gone from the node. At the timeout,
 * `force` deletes what is left; `halt` returns `blocked` naming each pod and the PDBs in its way.
 */

export interface DrainerOptions {
  /** Between eviction retries of pods a PDB protects. Default 5 s. */
  retryMs?: number;
  /** Between checks that evicted pods are gone. Default 1 s. */
  pollMs?: number;
  /** After a force delete, how long at least to wait for the pods to go (longer when their grace periods are). Default 30 s. */
  forceWaitMs?: number;
  now?: () => number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

const defaultSleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const t = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(signal?.reason);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });

const key = (p: { namespace: string; name: string }) => `${p.namespace}/${p.name}`;

/** DaemonSet pods come back at once and mirror pods cannot be evicted: kubectl drain skips both. */
export function isIgnoredByDrain(p: KubePod): boolean {
  return p.mirror || p.ownerKind === "DaemonSet" || p.ownerKind === "Node";
}

/**
 * A pod no controller owns (and not finished): evicting it would lose it for good, since nothing
 * recreates it. kubectl drain refuses such pods without --force and Talos's drain skips them;
 * Minos leaves them and names them as blocking, so a person decides (force deletes them).
 */
export function isUnmanaged(p: KubePod): boolean {
  return !isIgnoredByDrain(p) && p.ownerKind === null && p.phase !== "Succeeded" && p.phase !== "Failed";
}

export const UNMANAGED_REASON = "No controller owns this pod, so nothing would recreate it after an eviction: it was left for a person to decide (force deletes it)";

/** The kube-apiserver's default terminationGracePeriodSeconds. */
const DEFAULT_GRACE_SECONDS = 30;

/**
 * The PDBs (namespace/name) whose selector matches a pod: same namespace, every matchLabel on the
 * pod. An empty selector matches every pod of its namespace, a missing one none (policy/v1).
 */
export function pdbsForPod(pod: KubePod, pdbs: readonly KubePdb[]): string[] {
  return pdbs
    .filter((b) => !b.selectsNothing && b.namespace === pod.namespace && Object.entries(b.matchLabels).every(([k, v]) => pod.labels[k] === v))
    .map(key)
    .sort();
}

/** A node's ref as the results name it: Minos's node ID. */
const refId = (ref: NodeRef) => nodeId(ref.cluster, ref.address);

export function createNodeDrainer(access: KubernetesAccessProvider, options: DrainerOptions = {}): NodeDrainer {
  const { retryMs = 5_000, pollMs = 1_000, forceWaitMs = 30_000, now = Date.now, sleep = defaultSleep } = options;

  async function nodeOf(ref: NodeRef, opts?: CallOpts): Promise<{ api: KubeApi; node: KubeNode }> {
    const api = await requireKubeApi(access, ref.cluster);
    const node = await api.findNode(ref, opts);
    if (!node) {
      throw new AppError("not_found", `No Kubernetes node matches ${ref.hostname ?? ref.address} (address ${ref.address}) in cluster ${ref.cluster}`, {
        details: { cluster: ref.cluster, address: ref.address, hostname: ref.hostname },
      });
    }
    return { api, node };
  }

  async function cordonNode(api: KubeApi, node: KubeNode, ref: NodeRef, opts?: CallOpts): Promise<CordonResult> {
    // Someone else's cordon stays theirs: Minos marks only a node it cordons itself, and so
    // later uncordons (onlyIfMinos) only what it cordoned.
    if (node.unschedulable) return { node: refId(ref), nodeName: node.name, unschedulable: true, changed: false };
    const after = await api.setUnschedulable(node.name, true, { [MINOS_CORDONED_ANNOTATION]: new Date(now()).toISOString() }, opts);
    return { node: refId(ref), nodeName: after.name, unschedulable: after.unschedulable, changed: true };
  }

  const drainer: NodeDrainer = {
    async cordon(ref, opts) {
      const { api, node } = await nodeOf(ref, opts);
      return cordonNode(api, node, ref, opts);
    },

    async uncordon(ref, opts) {
      const { api, node } = await nodeOf(ref, opts);
      const ours = node.annotations[MINOS_CORDONED_ANNOTATION] !== undefined;
      if (opts?.onlyIfMinos && !ours) return { node: refId(ref), nodeName: node.name, unschedulable: node.unschedulable, changed: false };
      if (!node.unschedulable && !ours) return { node: refId(ref), nodeName: node.name, unschedulable: false, changed: false };
      const after = await api.setUnschedulable(node.name, false, { [MINOS_CORDONED_ANNOTATION]: null }, opts);
      return { node: refId(ref), nodeName: after.name, unschedulable: after.unschedulable, changed: node.unschedulable };
    },

    async drain(ref, policy, opts) {
      const started = now();
      const deadline = started + policy.timeoutSeconds * 1000;
      const say: DrainProgress = opts?.onProgress ?? (() => {});
      const signal = opts?.signal;
      const call = { signal };
      const { api, node } = await nodeOf(ref, call);
      await cordonNode(api, node, ref, call);

      const evicted = new Set<string>();
      const forced: string[] = [];
      const ignored = new Set<string>();
      /** Pods no controller owns: never evicted (see isUnmanaged). */
      const unmanaged = new Set<string>();
      /** Pods still to evict → the API's last answer for them. */
      let refused = new Map<string, { pod: KubePod; message: string }>();

      for (;;) {
        signal?.throwIfAborted();
        const pods = await api.listPods(node.name, call);
        const present = new Set(pods.map(key));
        refused = new Map([...refused].filter(([k]) => present.has(k)));
        for (const pod of pods) {
          const k = key(pod);
          if (isIgnoredByDrain(pod)) {
            ignored.add(k);
            continue;
          }
          if (evicted.has(k)) continue;
          if (isUnmanaged(pod)) {
            if (!unmanaged.has(k)) say(`not evicting ${k}: no controller owns it`);
            unmanaged.add(k);
            continue;
          }
          const r = await api.evictPod(pod.namespace, pod.name, call);
          if (r.ok) {
            evicted.add(k);
            refused.delete(k);
            say(`evicted ${k}`);
          } else {
            if (!refused.has(k)) say(`eviction of ${k} refused: ${r.message}`);
            refused.set(k, { pod, message: r.message });
          }
        }
        const terminating = pods.filter((p) => evicted.has(key(p)));
        if (refused.size === 0 && terminating.length === 0) {
          // Only unmanaged pods left: waiting changes nothing, a person (or force) decides now.
          if (pods.some((p) => unmanaged.has(key(p)))) break;
          return result("drained");
        }
        if (now() >= deadline) break;
        // Refused evictions are retried every retryMs; evicted pods are checked every pollMs.
        await sleep(Math.max(0, Math.min(refused.size > 0 ? retryMs : pollMs, deadline - now())), signal);
      }

      // The timeout passed, or only unmanaged pods are left, with pods still on the node.
      const pods = (await api.listPods(node.name, call)).filter((p) => !isIgnoredByDrain(p));
      if (pods.length === 0) return result("drained");
      const why = now() >= deadline ? `after ${policy.timeoutSeconds} s` : "no controller owns it";
      if (policy.onTimeout === "force") {
        // Deleted with each pod's own grace period (as kubectl drain --force does), so its
        // containers still stop cleanly; the wait below lasts at least the longest of them.
        let longestGrace = 0;
        for (const pod of pods) {
          await api.deletePod(pod.namespace, pod.name, call);
          forced.push(key(pod));
          longestGrace = Math.max(longestGrace, pod.terminationGracePeriodSeconds ?? DEFAULT_GRACE_SECONDS);
          say(`deleted ${key(pod)} (forced, ${unmanaged.has(key(pod)) ? "no controller owns it" : why})`);
        }
        const forceDeadline = now() + Math.max(forceWaitMs, longestGrace * 1000 + 5_000);
        while (now() < forceDeadline) {
          const left = (await api.listPods(node.name, call)).filter((p) => forced.includes(key(p)));
          if (left.length === 0) break;
          await sleep(pollMs, signal);
        }
        return result("forced");
      }
      const pdbs = await api.listPodDisruptionBudgets(call);
      const blocking: BlockingPod[] = pods.map((pod) => {
        const k = key(pod);
        const r = refused.get(k);
        return {
          namespace: pod.namespace,
          name: pod.name,
          // Only a refused eviction is a PDB's doing; an evicted pod still terminating is not.
          pdbs: r ? pdbsForPod(pod, pdbs) : [],
          reason: r ? r.message : evicted.has(k) ? "Evicted, still terminating" : isUnmanaged(pod) ? UNMANAGED_REASON : "Not evicted yet",
        };
      });
      say(`drain halted (${why}): ${blocking.map((b) => `${b.namespace}/${b.name}${b.pdbs.length ? ` (${b.pdbs.join(", ")})` : ""}`).join(", ")}`);
      return result("blocked", blocking);

      function result(outcome: DrainResult["outcome"], blocking: BlockingPod[] = []): DrainResult {
        const forcedSet = new Set(forced);
        return {
          node: refId(ref),
          nodeName: node.name,
          outcome,
          evicted: [...evicted].filter((k) => !forcedSet.has(k)).sort(),
          forced: [...forced].sort(),
          ignored: [...ignored].sort(),
          blocking,
          seconds: Math.round((now() - started) / 100) / 10,
        };
      }
    },
  };
  return drainer;
}
