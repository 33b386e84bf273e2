/**
 * What Talos itself does to Kubernetes around its legacy upgrade and shutdown sequences:
 *
 * - Cordon/uncordon (internal/app/machined/pkg/controllers/k8s/node_cordoned_spec.go and
 *   node_apply.go ApplyCordoned): while the machine stage is shutting down, upgrading or
 *   resetting, the node is made unschedulable with the annotation `talos.dev/cordoned: "true"`
 *   (unless it is unschedulable already: then Talos leaves it alone); back in booting or running,
 *   a node carrying that annotation is uncordoned and the annotation removed. Only nodes Talos
 *   cordoned are uncordoned.
 * - Drain (pkg/kubernetes/kubernetes.go Drain, CordonAndDrainNode in the sequencer): wait for the
 *   cordon, list the node's pods, skip mirror, unmanaged and DaemonSet pods, evict the rest in
 *   parallel (grace 60 s), retrying a 429 every 5 s, then wait for each evicted pod to be gone (up
 *   to a minute). The whole drain has Talos's DrainTimeout of 5 minutes; when it passes the
 *   evictions give up with a logged warning and the sequence goes on (Drain returns no error).
 */
import type { SimNode } from "../node-state";
import type { KubeClusterView } from "./cluster-view";
import { controllerOf, type KNode, MIRROR_ANNOTATION, type Pod, TALOS_CORDONED_ANNOTATION } from "./objects";
import { evictPod } from "./pods";
import { KubeError } from "./status";

/** pkg/kubernetes DrainTimeout */
export const TALOS_DRAIN_TIMEOUT_MS = 5 * 60_000;
/** evict(): time.Sleep(5 * time.Second) after a 429 */
export const TALOS_EVICT_RETRY_MS = 5_000;
/** waitForNodeCordoned: one minute. */
const CORDON_WAIT_MS = 60_000;
/** waitForPodDeleted: retry.Constant(time.Minute) */
const POD_DELETE_WAIT_MS = 60_000;
/** Talos's eviction grace period. */
const EVICT_GRACE_SECONDS = 60;

const CORDON_STAGES = new Set(["shutting down", "upgrading", "resetting"]);
const UNCORDON_STAGES = new Set(["booting", "running"]);

/** The NodeApply controller's cordon/uncordon for the node's current stage (needs the API). */
export function applyTalosCordon(c: KubeClusterView, n: SimNode): void {
  if (c.apiDown || !n.powered) return;
  const node = c.store.peek("nodes", undefined, n.hostname) as KNode | undefined;
  if (!node) return;
  const unschedulable = node.spec.unschedulable === true;
  if (CORDON_STAGES.has(n.stage) && !unschedulable) {
    c.store.update("nodes", undefined, n.hostname, (o) => {
      (o as KNode).spec.unschedulable = true;
      o.metadata.annotations = { ...o.metadata.annotations, [TALOS_CORDONED_ANNOTATION]: "true" };
    });
    n.record({ event: "cordon", detail: "talos" });
  } else if (UNCORDON_STAGES.has(n.stage) && unschedulable && node.metadata.annotations?.[TALOS_CORDONED_ANNOTATION] !== undefined) {
    c.store.update("nodes", undefined, n.hostname, (o) => {
      delete (o as KNode).spec.unschedulable;
      const { [TALOS_CORDONED_ANNOTATION]: _gone, ...rest } = o.metadata.annotations ?? {};
      o.metadata.annotations = rest;
    });
    n.record({ event: "uncordon", detail: "talos" });
  }
}

export interface TalosDrainTiming {
  timeoutMs: number;
  retryMs: number;
}

/** Resolves after `ms` on the cluster's timers (never, once the cluster is disposed). */
const sleep = (c: KubeClusterView, ms: number) => new Promise<void>((resolve) => c.timers.after(ms, resolve));

/** Waits until `check` is true, re-checking on every store event, for at most `ms`. */
function waitUntil(c: KubeClusterView, ms: number, check: () => boolean): Promise<boolean> {
  if (check()) return Promise.resolve(true);
  return new Promise((resolve) => {
    let done = false;
    const finish = (v: boolean) => {
      if (done) return;
      done = true;
      unsub();
      cancel();
      resolve(v);
    };
    const unsub = c.store.subscribe(() => {
      if (check()) finish(true);
    });
    const cancel = c.timers.after(ms, () => finish(check()));
  });
}

/** CordonAndDrainNode for one node; never rejects (Talos logs and goes on). */
export async function talosDrain(c: KubeClusterView, n: SimNode, timing: TalosDrainTiming): Promise<void> {
  const deadline = c.clock.now() + timing.timeoutMs;
  const cordoned = await waitUntil(c, Math.min(CORDON_WAIT_MS, timing.timeoutMs), () => (c.store.peek("nodes", undefined, n.hostname) as KNode | undefined)?.spec.unschedulable === true);
  if (!cordoned || c.apiDown) {
    n.record({ event: "drain-failed", detail: cordoned ? "cannot get pods: the Kubernetes API is unreachable" : "waiting for node to be cordoned: context deadline exceeded" });
    return;
  }
  const pods = (c.store.list("pods") as Pod[]).filter((p) => p.spec.nodeName === n.hostname);
  const targets = pods.filter((p) => !p.metadata.annotations?.[MIRROR_ANNOTATION] && controllerOf(p) !== undefined && controllerOf(p)!.kind !== "DaemonSet");
  let gaveUp = 0;
  await Promise.all(
    targets.map(async (p) => {
      for (;;) {
        if (c.apiDown) return;
        try {
          evictPod(c, p.metadata.namespace!, p.metadata.name, EVICT_GRACE_SECONDS);
        } catch (e) {
          if (e instanceof KubeError && e.code === 429) {
            if (c.clock.now() + timing.retryMs > deadline) {
              gaveUp++;
              return;
            }
            await sleep(c, timing.retryMs);
            continue;
          }
          return; // NotFound: gone already; anything else: logged by Talos
        }
        const uid = p.metadata.uid;
        await waitUntil(c, Math.min(POD_DELETE_WAIT_MS, Math.max(0, deadline - c.clock.now())), () => c.store.peek("pods", p.metadata.namespace, p.metadata.name)?.metadata.uid !== uid);
        return;
      }
    }),
  );
  if (gaveUp > 0) n.record({ event: "drain-timeout", detail: `${gaveUp} pod(s) not evicted after ${Math.round(timing.timeoutMs / 1000)}s` });
}
