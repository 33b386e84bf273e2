import "server-only";

import {
  ApiException,
  CoreV1Api,
  Observable,
  PatchStrategy,
  PolicyV1Api,
  VersionApi,
  type KubeConfig,
  type RequestContext,
  type ResponseContext,
  type V1Node,
  type V1Pod,
  type V1PodDisruptionBudget,
} from "@kubernetes/client-node";

import { AppError } from "@/lib/server/platform/errors";

import { matchKubeNode } from "./match";
import type { CallOpts, KubeApi, KubeNode, KubePdb, KubePod, KubePodList, NodeRef } from "./types";

/**
 * The narrow KubeApi over @kubernetes/client-node (CoreV1Api, PolicyV1Api, VersionApi): each call
 * carries a deadline (Kubernetes being slow or gone must never hold up a caller for long) and
 * every failure becomes an AppError: `kubernetes_unavailable` when the API cannot be reached or
 * refuses the credentials, `not_found`, `conflict`, … otherwise.
 */

/** A call's deadline unless the caller gives one: short, as Minos asks often and never waits on a dead API. */
export const DEFAULT_KUBE_TIMEOUT_MS = 5_000;

/** Pods per list call (kubectl's default chunk size). */
export const POD_PAGE_SIZE = 500;
/** A pod listing stops once it holds this many and more are left (marked `truncated`). */
export const POD_LIST_CAP = 5_000;
/** Pods that still occupy a node: what the status counts. */
export const ACTIVE_PODS_SELECTOR = "status.phase!=Succeeded,status.phase!=Failed";

export interface KubeApiOptions {
  /** The cluster, named in error messages. */
  cluster: string;
  timeoutMs?: number;
  /** Called when the API refuses the credentials (401), so the provider refetches them. */
  onUnauthorized?: () => void;
}

type Options = NonNullable<Parameters<CoreV1Api["listNode"]>[1]>;

/** Per-call client options: the deadline (and the caller's signal) and, for patches, the content type. */
function callOptions(opts: CallOpts | undefined, defaultTimeoutMs: number, contentType?: string): { options: Options; signal: AbortSignal } {
  const timeout = AbortSignal.timeout(opts?.timeoutMs ?? defaultTimeoutMs);
  const signal = opts?.signal ? AbortSignal.any([opts.signal, timeout]) : timeout;
  // The object-style API runs Observable middleware (client-node's own small Observable), as setHeaderOptions does.
  const middleware = {
    pre: (ctx: RequestContext) => {
      ctx.setSignal(signal);
      if (contentType) ctx.setHeaderParam("Content-Type", contentType);
      return new Observable(Promise.resolve(ctx));
    },
    post: (res: ResponseContext) => new Observable(Promise.resolve(res)),
  };
  return { options: { middleware: [middleware], middlewareMergeStrategy: "append" }, signal };
}

/** The Status object of a failed call, when the API sent one. */
function statusOf(e: ApiException<unknown>): { message?: string; reason?: string; details?: { causes?: { reason?: string; message?: string }[] } } {
  let body: unknown = e.body;
  if (typeof body === "string") {
    try {
      body = JSON.parse(body);
    } catch {
      return { message: (body as string).slice(0, 300) };
    }
  }
  return body && typeof body === "object" ? (body as ReturnType<typeof statusOf>) : {};
}

const codeByStatus: Record<number, AppError["code"]> = { 400: "bad_request", 403: "forbidden", 404: "not_found", 409: "conflict", 422: "invalid_config", 429: "conflict" };

/** Maps what client-node threw to an AppError naming the cluster (never a credential). */
export function toKubeError(e: unknown, what: string, o: KubeApiOptions, signal?: AbortSignal): AppError {
  if (e instanceof AppError) return e;
  if (e instanceof ApiException) {
    const status = statusOf(e);
    if (e.code === 401) {
      o.onUnauthorized?.();
      return new AppError("kubernetes_unavailable", `The Kubernetes API of cluster ${o.cluster} refused Minos's credentials (401) on ${what}`, { cause: e });
    }
    const code = codeByStatus[e.code] ?? (e.code >= 500 ? "kubernetes_unavailable" : "bad_request");
    return new AppError(code, `Kubernetes ${what}: ${status.message ?? `HTTP ${e.code}`}`, { cause: e, details: { status: e.code, reason: status.reason ?? null } });
  }
  const err = e as Error & { code?: string; type?: string };
  if (signal?.aborted || err.name === "AbortError") {
    return new AppError("kubernetes_unavailable", `The Kubernetes API of cluster ${o.cluster} did not answer ${what} in time`, { cause: e });
  }
  // node-fetch's FetchError carries the socket's code (ECONNREFUSED, ENOTFOUND, certificate errors…).
  const why = err.code ?? err.message?.split("\n")[0] ?? "unknown error";
  return new AppError("kubernetes_unavailable", `The Kubernetes API of cluster ${o.cluster} cannot be reached (${why})`, { cause: e });
}

function toNode(n: V1Node): KubeNode {
  const ready = n.status?.conditions?.find((c) => c.type === "Ready");
  return {
    name: n.metadata?.name ?? "",
    internalIPs: (n.status?.addresses ?? []).filter((a) => a.type === "InternalIP").map((a) => a.address),
    unschedulable: n.spec?.unschedulable === true,
    annotations: { ...(n.metadata?.annotations ?? {}) },
    ready: ready ? (ready.status === "True" ? true : ready.status === "False" ? false : null) : null,
    readyReason: ready && ready.status !== "True" ? [ready.reason, ready.message].filter(Boolean).join(": ") || null : null,
    kubeletVersion: n.status?.nodeInfo?.kubeletVersion ?? null,
  };
}

function toPod(p: V1Pod): KubePod {
  // Only the controller counts (metav1.GetControllerOf, as kubectl and Talos read it): a pod that
  // merely has owners is not recreated by anyone when it is evicted.
  const owner = p.metadata?.ownerReferences?.find((r) => r.controller);
  return {
    namespace: p.metadata?.namespace ?? "default",
    name: p.metadata?.name ?? "",
    nodeName: p.spec?.nodeName ?? null,
    phase: p.status?.phase ?? "Unknown",
    ownerKind: owner?.kind ?? null,
    mirror: p.metadata?.annotations?.["kubernetes.io/config.mirror"] !== undefined,
    terminationGracePeriodSeconds: p.spec?.terminationGracePeriodSeconds,
    labels: { ...(p.metadata?.labels ?? {}) },
    images: (p.spec?.containers ?? []).map((c) => c.image ?? ""),
    ready: p.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") ?? false,
  };
}

function toPdb(b: V1PodDisruptionBudget): KubePdb {
  return {
    namespace: b.metadata?.namespace ?? "default",
    name: b.metadata?.name ?? "",
    matchLabels: { ...(b.spec?.selector?.matchLabels ?? {}) },
    selectsNothing: b.spec?.selector === undefined || b.spec.selector === null,
    disruptionsAllowed: b.status?.disruptionsAllowed ?? 0,
  };
}

/** A KubeApi for one cluster's kubeconfig (see ./kubeconfig for how it is read and checked). */
export function createKubeApi(config: KubeConfig, o: KubeApiOptions): KubeApi {
  const core = config.makeApiClient(CoreV1Api);
  const policy = config.makeApiClient(PolicyV1Api);
  const version = config.makeApiClient(VersionApi);
  const timeoutMs = o.timeoutMs ?? DEFAULT_KUBE_TIMEOUT_MS;

  async function call<T>(what: string, opts: CallOpts | undefined, fn: (options: Options) => Promise<T>, contentType?: string): Promise<T> {
    const { options, signal } = callOptions(opts, timeoutMs, contentType);
    try {
      return await fn(options);
    } catch (e) {
      // The caller gave up (a drain cancelled): its reason, not "Kubernetes did not answer".
      if (opts?.signal?.aborted) throw opts.signal.reason;
      throw toKubeError(e, what, o, signal);
    }
  }

  const api: KubeApi = {
    async serverVersion(opts) {
      const info = await call("GET /version", opts, (options) => version.getCode(options));
      return info.gitVersion;
    },

    async listNodes(opts) {
      const list = await call("list nodes", opts, (options) => core.listNode({}, options));
      return list.items.map(toNode);
    },

    async findNode(ref: NodeRef, opts) {
      if (ref.hostname) {
        try {
          return toNode(await call(`get node ${ref.hostname}`, opts, (options) => core.readNode({ name: ref.hostname! }, options)));
        } catch (e) {
          if (!(e instanceof AppError) || e.code !== "not_found") throw e;
        }
      }
      // Node names need not be hostnames (cloud providers name them otherwise): match the address.
      return matchKubeNode(await api.listNodes(opts), { address: ref.address, hostname: null });
    },

    async setUnschedulable(nodeName, unschedulable, annotations, opts) {
      // A JSON merge patch: `null` removes an annotation, and spec.unschedulable false is written
      // as null (removed) as kubectl uncordon leaves it.
      const body = { spec: { unschedulable: unschedulable ? true : null }, metadata: { annotations } };
      const node = await call(`patch node ${nodeName}`, opts, (options) => core.patchNode({ name: nodeName, body }, options), PatchStrategy.MergePatch);
      return toNode(node);
    },

    async listPods(nodeName, opts) {
      // A whole cluster's listing skips finished pods (a CronJob's history can be thousands) and
      // both are paged and capped, so a big cluster costs bounded memory and calls; a node's
      // listing keeps finished pods, which a drain evicts as kubectl does.
      const fieldSelector = nodeName !== undefined ? `spec.nodeName=${nodeName}` : ACTIVE_PODS_SELECTOR;
      const what = nodeName ? `list pods on ${nodeName}` : "list pods";
      const pods: KubePodList = [];
      let cont: string | undefined;
      do {
        const page = await call(what, opts, (options) => core.listPodForAllNamespaces({ fieldSelector, limit: POD_PAGE_SIZE, _continue: cont }, options));
        pods.push(...page.items.map(toPod));
        cont = page.metadata?._continue || undefined;
        if (cont && pods.length >= POD_LIST_CAP) pods.truncated = true;
      } while (cont && !pods.truncated);
      return pods;
    },

    async evictPod(namespace, name, opts) {
      const body = { apiVersion: "policy/v1", kind: "Eviction", metadata: { name, namespace } };
      try {
        await call(`evict pod ${namespace}/${name}`, opts, (options) => core.createNamespacedPodEviction({ name, namespace, body }, options));
        return { ok: true };
      } catch (e) {
        // 429: a PodDisruptionBudget forbids it now; 500 with a PDB message: several PDBs match
        // (Kubernetes refuses those evictions too). Both are "not now", which a drain retries.
        const cause = (e as AppError).cause;
        if (cause instanceof ApiException && (cause.code === 429 || (cause.code === 500 && /disruption budget/i.test(statusOf(cause).message ?? "")))) {
          return { ok: false, status: cause.code, message: statusOf(cause).message ?? "The eviction was refused" };
        }
        // Already gone: the drain's goal for this pod is met.
        if ((e as AppError).code === "not_found") return { ok: true };
        throw e;
      }
    },

    async deletePod(namespace, name, opts) {
      try {
        await call(`delete pod ${namespace}/${name}`, opts, (options) => core.deleteNamespacedPod({ name, namespace, gracePeriodSeconds: opts?.gracePeriodSeconds }, options));
      } catch (e) {
        if ((e as AppError).code !== "not_found") throw e;
      }
    },

    async listPodDisruptionBudgets(opts) {
      const list = await call("list poddisruptionbudgets", opts, (options) => policy.listPodDisruptionBudgetForAllNamespaces({}, options));
      return list.items.map(toPdb);
    },
  };
  return api;
}
