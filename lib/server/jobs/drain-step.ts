import "server-only";

import type { DrainOverride, NodeDrain } from "@/lib/schemas/drain";
import type { DrainPolicy, DrainResult } from "@/lib/schemas/kubernetes";
import type { DrainProgress, KubernetesAccessProvider, NodeDrainer, NodeRef } from "@/lib/server/kubernetes/types";
import { type Clock, sleep } from "@/lib/utils/clock";

import { codeOf, errorText } from "./errors";

/** What the drain step needs: the cluster's Kubernetes access and the drainer over it. */
export interface DrainDeps {
  access: KubernetesAccessProvider;
  drainer: NodeDrainer;
  clock: Clock;
}

/**
 * A forced drain a person asked for does one more round of evictions (a PDB may allow one by now)
 * for this long, then deletes what is left: the person already waited for the timeout.
 */
export const FORCE_NOW_SECONDS = 10;

/** The pause before a drain that failed mid-way (an API error, not a blocked pod) starts again. */
export const DRAIN_RETRY_MS = 5_000;

/** How long the uncordon after the reboot keeps trying (the API may still be settling after a control plane's reboot). */
export const UNCORDON_RETRY_MS = 60_000;

export type DrainOutcome =
  /** Go on to the reboot; `record` says what was done (drained, forced or skipped). */
  | { proceed: true; record: NodeDrain }
  /** Wait for a person; `reason` is the sentence for the plan. */
  | { proceed: false; record: NodeDrain; reason: string };

export interface DrainStepInput {
  ref: NodeRef;
  policy: DrainPolicy;
  /** The record left by an earlier attempt (a restart mid-drain, a blocked drain a person answered). */
  previous: NodeDrain | null;
  signal?: AbortSignal;
  onProgress?: DrainProgress;
  /**
   * Persists the record before the cordon (the intent, `cordoned: true`) and once the node is
   * cordoned, before the eviction starts, so a restart at any point still knows Minos may have
   * cordoned it (re-draining is idempotent, the uncordon is onlyIfMinos).
   */
  persist(record: NodeDrain): Promise<void>;
}

const nodeLabel = (ref: NodeRef) => ref.hostname ?? ref.address;

/**
 * The drain before a reboot Minos causes, as both runners take it: cordon + drain under
 * `policy`, or the reason to wait for a person. A person's answer to a blocked drain is in
 * `previous.override`: `skip` goes on without draining, `force` evicts once more then deletes
 * what is left, `retry` drains again under the policy. When Kubernetes cannot be asked before
 * the drain starts (no access, the cordon fails), or the drain keeps failing until the policy's
 * deadline, the policy decides as for a timeout: `force` skips the drain (and says so), `halt` waits.
 * Throws only when the job stops (the signal aborts); every other failure is an outcome.
 */
export async function drainNode(deps: DrainDeps, input: DrainStepInput): Promise<DrainOutcome> {
  const { ref, policy, previous } = input;
  const override = previous?.override ?? null;
  const at = () => new Date(deps.clock.now()).toISOString();
  const base: NodeDrain = {
    phase: "draining",
    nodeName: previous?.nodeName ?? null,
    cordoned: previous?.cordoned ?? false,
    evicted: [],
    forced: [],
    blocking: [],
    message: "",
    override: null,
    at: at(),
  };
  const skipped = (message: string): DrainOutcome => ({ proceed: true, record: { ...base, phase: "skipped", message, at: at() } });

  if (!policy.enabled) return skipped("drain disabled by the strategy: the node's pods were not moved before the reboot");
  if (override === "skip") return skipped("drain skipped by a person: the node reboots with the pods it still runs");

  const unavailable = (why: string): DrainOutcome => {
    if (override === "force" || policy.onTimeout === "force") {
      return skipped(`Kubernetes cannot be asked (${why}): drain skipped${override === "force" ? " (forced by a person)" : " (onTimeout: force)"}; the node reboots with its pods`);
    }
    const message = `Kubernetes cannot be asked (${why}): the drain waits for a person (retry, force or skip the drain)`;
    return { proceed: false, record: { ...base, phase: "blocked", message, at: at() }, reason: `${nodeLabel(ref)}: ${message}` };
  };

  const access = await deps.access.forCluster(ref.cluster);
  if (!access.ok) return unavailable(access.message);

  // The intent is persisted before the cordon: a crash between the cordon and the record saying
  // so would otherwise leave the node cordoned for good (the retry finds it cordoned, "not by
  // Minos"). Claiming a node someone else cordoned is harmless: the uncordon after the reboot
  // touches only a node that carries Minos's annotation (onlyIfMinos).
  if (!base.cordoned) await input.persist({ ...base, cordoned: true, message: `cordoning ${base.nodeName ?? nodeLabel(ref)}`, at: at() });
  try {
    const cordon = await deps.drainer.cordon(ref, { signal: input.signal });
    base.nodeName = cordon.nodeName;
    // Cordoned by Minos now, or by an earlier attempt of this job: uncordoned after the reboot.
    base.cordoned = base.cordoned || cordon.changed;
  } catch (e) {
    if (input.signal?.aborted) throw e;
    if (codeOf(e) === "not_found") return skipped(`no Kubernetes Node matches ${nodeLabel(ref)}: nothing to drain`);
    return unavailable(errorText(e));
  }
  await input.persist({ ...base, message: `cordoned ${base.nodeName}; evicting its pods`, at: at() });

  const force = override === "force";
  const limits: DrainPolicy = force ? { ...policy, timeoutSeconds: FORCE_NOW_SECONDS, onTimeout: "force" } : policy;
  // Access was there and the node is cordoned: an error now (one timed-out call, a 5xx, an API
  // server restarting) is a hiccup, not "Kubernetes unavailable". The drain is idempotent, so it
  // starts again on what is left, until the policy's own deadline; only then does the policy decide.
  const deadline = deps.clock.now() + limits.timeoutSeconds * 1000;
  let result: DrainResult | null = null;
  let failures = 0;
  let lastError = "";
  for (;;) {
    const left = Math.max(1, Math.ceil((deadline - deps.clock.now()) / 1000));
    try {
      result = await deps.drainer.drain(ref, { timeoutSeconds: left, onTimeout: limits.onTimeout }, { signal: input.signal, onProgress: input.onProgress });
      break;
    } catch (e) {
      if (input.signal?.aborted) throw e;
      failures += 1;
      lastError = errorText(e);
    }
    if (deps.clock.now() + DRAIN_RETRY_MS > deadline) break;
    await sleep(deps.clock, DRAIN_RETRY_MS, input.signal);
    if (input.signal?.aborted) throw new Error("stopped");
  }
  if (!result) return unavailable(`the drain failed ${failures} time${failures === 1 ? "" : "s"} within ${limits.timeoutSeconds} s, last: ${lastError}`);
  const record: NodeDrain = { ...base, nodeName: result.nodeName, evicted: result.evicted, forced: result.forced, blocking: result.blocking, at: at() };
  const moved = result.evicted.length === 0 ? "no pod had to move" : `evicted ${result.evicted.length} pod${result.evicted.length === 1 ? "" : "s"}`;
  if (result.outcome === "drained") return { proceed: true, record: { ...record, phase: "drained", message: `drained ${result.nodeName} in ${Math.round(result.seconds)} s: ${moved}` } };
  if (result.outcome === "forced") {
    const who = force ? "forced by a person" : `forced after ${policy.timeoutSeconds} s (onTimeout: force)`;
    return { proceed: true, record: { ...record, phase: "forced", message: `${who}: ${moved}, deleted ${result.forced.length}: ${result.forced.join(", ") || "none"}` } };
  }
  const message = `drain of ${result.nodeName} blocked after ${policy.timeoutSeconds} s: ${describeBlocking(result)}; waiting for a person (retry, force or skip the drain)`;
  return { proceed: false, record: { ...record, phase: "blocked", message }, reason: `${nodeLabel(ref)}: ${message}` };
}

/** "default/web-1 (PDB default/web: Cannot evict …)", for the plan's reason and the node's messages. */
export function describeBlocking(result: Pick<DrainResult, "blocking">): string {
  if (result.blocking.length === 0) return "pods still running";
  // The API's sentences end with a full stop; these are joined into one.
  return result.blocking.map((p) => `pod ${p.namespace}/${p.name}${p.pdbs.length ? ` (PDB ${p.pdbs.join(", ")})` : ""}: ${p.reason.replace(/\.$/, "")}`).join("; ");
}

/**
 * The uncordon once the node is back healthy: only a node Minos cordoned (`record.cordoned`), and
 * then only if it still carries Minos's annotation (a person may have cordoned it meanwhile).
 * Retries for {@link UNCORDON_RETRY_MS} while the API does not answer; never throws for that:
 * a node left cordoned is said in the record, the upgrade of the node itself succeeded.
 * Null when there is nothing to uncordon.
 */
export async function uncordonNode(deps: DrainDeps, input: { ref: NodeRef; record: NodeDrain | null; pollMs: number; signal?: AbortSignal }): Promise<NodeDrain | null> {
  const { record } = input;
  if (!record?.cordoned || record.phase === "uncordoned") return null;
  const deadline = deps.clock.now() + UNCORDON_RETRY_MS;
  let last = "";
  for (;;) {
    try {
      const access = await deps.access.forCluster(input.ref.cluster);
      if (!access.ok) throw new Error(access.message);
      const res = await deps.drainer.uncordon(input.ref, { onlyIfMinos: true, signal: input.signal });
      const done = res.changed ? `uncordoned ${res.nodeName}` : res.unschedulable ? `${res.nodeName} left cordoned: someone other than Minos cordoned it` : `${res.nodeName} was already schedulable`;
      // The drain's own sentence stays (drained, forced, skipped by a person), the uncordon follows it.
      const message = record.message ? `${record.message}; ${done}` : done;
      return { ...record, phase: "uncordoned", override: null, message, at: new Date(deps.clock.now()).toISOString() };
    } catch (e) {
      if (input.signal?.aborted) throw e;
      if (codeOf(e) === "not_found") return { ...record, phase: "uncordoned", override: null, message: "no Kubernetes Node matches the node any more: nothing to uncordon", at: new Date(deps.clock.now()).toISOString() };
      last = errorText(e);
    }
    if (deps.clock.now() >= deadline) break;
    await sleep(deps.clock, input.pollMs, input.signal);
    if (input.signal?.aborted) throw new Error("stopped");
  }
  const name = record.nodeName ?? nodeLabel(input.ref);
  return { ...record, phase: "left-cordoned", message: `could not uncordon ${name} (${last}): uncordon it by hand (kubectl uncordon ${name})`, at: new Date(deps.clock.now()).toISOString() };
}

/** The drain's step list entry for previews: "cordon + drain (300 s, halt)". */
export function drainStepLabel(policy: DrainPolicy): string {
  return policy.enabled ? `cordon + drain (${policy.timeoutSeconds} s, ${policy.onTimeout})` : "no drain (disabled)";
}

export type { DrainOverride };
