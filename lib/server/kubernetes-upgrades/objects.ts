import "server-only";

import https from "node:https";

import { ApiException, type KubeConfig, type KubernetesObject, KubernetesObjectApi, PatchStrategy } from "@kubernetes/client-node";

import { AppError } from "@/lib/server/platform/errors";

import type { KubeObjectApi } from "./probes";

/** A call's deadline unless the caller gives one. */
const DEFAULT_TIMEOUT_MS = 10_000;

/** Bounds the body a count reads: a list of removed-API objects is small, a runaway answer is not kept. */
const MAX_LIST_BYTES = 32 * 1024 * 1024;

/** Rejects with a `kubernetes`-flavoured AppError after `ms` or when `signal` aborts. */
function bounded<T>(p: Promise<T>, what: string, cluster: string, opts: { signal?: AbortSignal; timeoutMs?: number }): Promise<T> {
  const ms = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new AppError("node_timeout", `Kubernetes of cluster ${cluster} did not answer ${what} within ${ms} ms`)), ms);
    const onAbort = () => reject(new AppError("node_timeout", `${what} was stopped`));
    opts.signal?.addEventListener("abort", onAbort, { once: true });
    p.then(resolve, reject).finally(() => {
      clearTimeout(timer);
      opts.signal?.removeEventListener("abort", onAbort);
    });
  });
}

function apiError(e: unknown, what: string, cluster: string): AppError {
  if (e instanceof AppError) return e;
  if (e instanceof ApiException) {
    let message = `HTTP ${e.code}`;
    try {
      const body = (typeof e.body === "string" ? JSON.parse(e.body) : e.body) as { message?: string } | undefined;
      if (body?.message) message = body.message;
    } catch {
      // not a Status: the HTTP code says enough
    }
    const code = e.code === 404 ? "not_found" : e.code === 409 ? "conflict" : e.code === 403 ? "forbidden" : e.code === 422 || e.code === 400 ? "invalid_config" : "node_unreachable";
    return new AppError(code, `Kubernetes of cluster ${cluster}: ${what}: ${message}`);
  }
  return new AppError("node_unreachable", `Kubernetes of cluster ${cluster}: ${what}: ${(e as Error).message}`);
}

/** GET a path with the kubeconfig's TLS and credentials; the status code and parsed JSON body. */
async function rawGet(kc: KubeConfig, path: string, opts: { signal?: AbortSignal }): Promise<{ status: number; body: unknown }> {
  const server = new URL(kc.getCurrentCluster()!.server);
  const options: https.RequestOptions = { method: "GET", hostname: server.hostname.replace(/^\[|\]$/g, ""), port: server.port || 443, path: `${server.pathname.replace(/\/$/, "")}${path}`, headers: { Accept: "application/json" }, signal: opts.signal };
  await kc.applyToHTTPSOptions(options);
  return new Promise((resolve, reject) => {
    const req = https.request(options, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on("data", (c: Buffer) => {
        size += c.length;
        if (size > MAX_LIST_BYTES) req.destroy(new Error(`the answer to ${path} is larger than ${MAX_LIST_BYTES} bytes`));
        else chunks.push(c);
      });
      res.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        try {
          resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : null });
        } catch {
          resolve({ status: res.statusCode ?? 0, body: text.slice(0, 300) });
        }
      });
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end();
  });
}

/**
 * The Kubernetes upgrade's calls beyond KubeApi, over @kubernetes/client-node: counting the
 * objects of an API version the target removes (a plain list; 404 means the API is not served,
 * so nothing to migrate) and server-side apply through KubernetesObjectApi (which finds each
 * kind's resource by API discovery, as kubectl does).
 */
export function createKubeObjectApi(kc: KubeConfig, cluster: string): KubeObjectApi {
  const objects = KubernetesObjectApi.makeApiClient(kc);
  return {
    async countObjects(listPath, opts = {}) {
      const res = await bounded(rawGet(kc, listPath, opts), `listing ${listPath}`, cluster, opts).catch((e: unknown) => {
        throw apiError(e, `listing ${listPath}`, cluster);
      });
      if (res.status === 404) return null;
      if (res.status !== 200) throw new AppError("node_unreachable", `Kubernetes of cluster ${cluster}: listing ${listPath}: HTTP ${res.status}`);
      const items = (res.body as { items?: unknown[] } | null)?.items;
      return Array.isArray(items) ? items.length : 0;
    },
    async read(object, opts = {}) {
      const spec = object as unknown as KubernetesObject;
      const what = `reading ${String(object.kind)} ${spec.metadata?.namespace ? `${spec.metadata.namespace}/` : ""}${spec.metadata?.name ?? "?"}`;
      try {
        const live = await bounded(
          objects.read({ apiVersion: spec.apiVersion!, kind: spec.kind!, metadata: { name: spec.metadata!.name!, namespace: spec.metadata?.namespace } }).catch((e: unknown) => {
            if (e instanceof ApiException && e.code === 404) return null;
            throw e;
          }),
          what,
          cluster,
          opts,
        );
        return live as unknown as Record<string, unknown> | null;
      } catch (e) {
        throw apiError(e, what, cluster);
      }
    },
    async serverSideApply(object, fieldManager, opts = {}) {
      const spec = object as unknown as KubernetesObject;
      const what = `applying ${String(object.kind)} ${spec.metadata?.namespace ? `${spec.metadata.namespace}/` : ""}${spec.metadata?.name ?? "?"}`;
      try {
        const before = await bounded(
          objects.read({ apiVersion: spec.apiVersion!, kind: spec.kind!, metadata: { name: spec.metadata!.name!, namespace: spec.metadata?.namespace } }).catch((e: unknown) => {
            if (e instanceof ApiException && e.code === 404) return null;
            throw e;
          }),
          what,
          cluster,
          opts,
        );
        // force: Talos owns these fields, as upgrade-k8s's SSA manager takes them over.
        const after = await bounded(objects.patch(spec, undefined, undefined, fieldManager, true, PatchStrategy.ServerSideApply), what, cluster, opts);
        if (!before) return "created";
        return before.metadata?.resourceVersion === after.metadata?.resourceVersion ? "unchanged" : "configured";
      } catch (e) {
        throw apiError(e, what, cluster);
      }
    },
  };
}
