import "server-only";

import type { KubeConfig } from "@kubernetes/client-node";

import { AppError, isAppError } from "@/lib/server/platform/errors";

import { createKubeApi } from "./client";
import { parseKubeconfig, type ParsedKubeconfig } from "./kubeconfig";
import type { KubeAccess, KubeApi, KubernetesAccessProvider } from "./types";

/**
 * Where a cluster's Kubernetes credentials come from, in order: the kubeconfig an admin uploaded
 * (it wins: an admin chose it), else the admin kubeconfig Talos hands out (`MachineService.Kubeconfig`
 * on a control plane, os:admin only). Each cluster's client is cached in memory and rebuilt when
 * the upload changes, when the API refuses the credentials (401), or when the client certificate
 * nears its expiry. A failure to get credentials is remembered for a short while, so a dead
 * cluster costs one Talos call per `failureTtlMs`, not one per status tick.
 */

/** What the provider reads; the process's are in ./deps.ts, tests give their own. */
export interface KubeAccessDeps {
  /** The cluster's uploaded kubeconfig and when it was stored (its version), or null. */
  uploaded(cluster: string): Promise<{ kubeconfig: string; uploadedAt: string } | null>;
  /** The stamp of the cluster's upload without opening it (null: none), read on every `forCluster`. */
  uploadStamp(cluster: string): Promise<string | null>;
  /** The cluster's Talos client and the control planes to ask for a kubeconfig, best first. */
  talos(cluster: string): Promise<{ client: { roles: readonly string[]; kubeconfig(node: string | undefined, opts?: { timeoutMs?: number }): Promise<string> }; controlPlanes: string[] }>;
  now(): number;
}

export interface KubeAccessOptions {
  /** Deadline of each Kubernetes call (default ./client's). */
  callTimeoutMs?: number;
  /** Deadline of each Kubeconfig call to Talos. Default 5 s. */
  talosTimeoutMs?: number;
  /** How long a failure to get credentials is served from the cache. Default 30 s. */
  failureTtlMs?: number;
  /** A certificate closer than this to its expiry is replaced. Default 10 minutes. */
  renewBeforeMs?: number;
}

type OkEntry = { ok: true; api: KubeApi; config: KubeConfig; source: "talos" | "upload"; stamp: string | null; server: string; notAfter: number | null; stale: boolean };
type Entry =
  | OkEntry
  | { ok: false; access: "no-credentials" | "unreachable"; message: string; stamp: string | null; until: number };

/** What the info route and the status show besides the access itself. */
export interface KubeAccessInfo {
  source: "talos" | "upload" | null;
  server: string | null;
}

export interface CachingKubeAccessProvider extends KubernetesAccessProvider {
  /** The cached source and server of a cluster (no I/O). */
  info(cluster: string): KubeAccessInfo;
  /** Drops a cluster's cached client (an upload or delete happened). */
  invalidate(cluster: string): void;
}

const isForbidden = (e: unknown) => isAppError(e) && e.code === "forbidden";

export function createKubeAccessProvider(deps: KubeAccessDeps, options: KubeAccessOptions = {}): CachingKubeAccessProvider {
  const { callTimeoutMs, talosTimeoutMs = 5_000, failureTtlMs = 30_000, renewBeforeMs = 10 * 60_000 } = options;
  const cache = new Map<string, Entry>();
  const inflight = new Map<string, Promise<Entry>>();

  function build(cluster: string, parsed: ParsedKubeconfig, source: "talos" | "upload", stamp: string | null): Entry {
    const entry: OkEntry = {
      ok: true,
      source,
      stamp,
      server: parsed.server,
      notAfter: parsed.certNotAfter?.getTime() ?? null,
      stale: false,
      config: parsed.config,
      api: createKubeApi(parsed.config, {
        cluster,
        timeoutMs: callTimeoutMs,
        // Refused credentials (a rotated CA, a revoked token): fetch again on the next call.
        onUnauthorized: () => {
          entry.stale = true;
        },
      }),
    };
    return entry;
  }

  const failure = (access: "no-credentials" | "unreachable", message: string, stamp: string | null): Entry => ({ ok: false, access, message, stamp, until: deps.now() + failureTtlMs });

  async function fromUpload(cluster: string, stamp: string): Promise<Entry> {
    const upload = await deps.uploaded(cluster);
    if (!upload) return fromTalos(cluster);
    try {
      return build(cluster, parseKubeconfig(upload.kubeconfig), "upload", stamp);
    } catch (e) {
      return failure("no-credentials", `The kubeconfig uploaded for cluster ${cluster} cannot be used: ${(e as Error).message}`, stamp);
    }
  }

  async function fromTalos(cluster: string): Promise<Entry> {
    let talos: Awaited<ReturnType<KubeAccessDeps["talos"]>>;
    try {
      talos = await deps.talos(cluster);
    } catch (e) {
      return failure("unreachable", `No Talos client for cluster ${cluster}: ${(e as Error).message}`, null);
    }
    const roles = talos.client.roles;
    if (roles.length > 0 && !roles.includes("os:admin")) {
      return failure("no-credentials", noAdminMessage(cluster, roles), null);
    }
    const targets: (string | undefined)[] = talos.controlPlanes.length > 0 ? talos.controlPlanes : [undefined];
    const reasons: string[] = [];
    for (const node of targets) {
      try {
        const yaml = await talos.client.kubeconfig(node, { timeoutMs: talosTimeoutMs });
        return build(cluster, parseKubeconfig(yaml), "talos", null);
      } catch (e) {
        if (isForbidden(e)) return failure("no-credentials", noAdminMessage(cluster, roles), null);
        reasons.push(`${node ?? "the endpoint"}: ${(e as Error).message}`);
      }
    }
    return failure("unreachable", `No control plane of cluster ${cluster} gave a kubeconfig (${reasons.join("; ")})`, null);
  }

  function usable(e: Entry | undefined, stamp: string | null): boolean {
    if (!e || e.stamp !== stamp) return false;
    if (!e.ok) return deps.now() < e.until;
    return !e.stale && (e.notAfter === null || deps.now() < e.notAfter - renewBeforeMs);
  }

  async function resolve(cluster: string): Promise<Entry> {
    let stamp: string | null;
    try {
      stamp = await deps.uploadStamp(cluster);
    } catch (e) {
      // The store is down: a cached client still serves; nothing new can be built safely.
      const cached = cache.get(cluster);
      if (cached?.ok) return cached;
      return failure("unreachable", `The kubeconfig store cannot be read: ${(e as Error).message}`, null);
    }
    const cached = cache.get(cluster);
    if (usable(cached, stamp)) return cached!;
    let p = inflight.get(cluster);
    if (!p) {
      p = (stamp !== null ? fromUpload(cluster, stamp) : fromTalos(cluster)).finally(() => inflight.delete(cluster));
      inflight.set(cluster, p);
    }
    const entry = await p;
    cache.set(cluster, entry);
    return entry;
  }

  return {
    async forCluster(cluster: string): Promise<KubeAccess> {
      try {
        const e = await resolve(cluster);
        return e.ok ? { ok: true, api: e.api, source: e.source, config: e.config } : { ok: false, access: e.access, message: e.message };
      } catch (e) {
        // Never throws for "unavailable": the status and the drain step decide what it means.
        return { ok: false, access: "unreachable", message: isAppError(e) ? e.message : `Kubernetes access failed: ${(e as Error).message}` };
      }
    },
    info(cluster) {
      const e = cache.get(cluster);
      return e?.ok ? { source: e.source, server: e.server } : { source: null, server: null };
    },
    invalidate(cluster) {
      cache.delete(cluster);
    },
  };
}

function noAdminMessage(cluster: string, roles: readonly string[]): string {
  return (
    `Minos's talosconfig for cluster ${cluster} has ${roles.join(", ") || "no os:admin role"}; Talos gives a kubeconfig to os:admin only. ` +
    "An admin can upload a kubeconfig for this cluster."
  );
}

/** The access as an API, or an AppError kubernetes_unavailable saying why not (for routes and runners that need one). */
export async function requireKubeApi(provider: KubernetesAccessProvider, cluster: string): Promise<KubeApi> {
  const a = await provider.forCluster(cluster);
  if (a.ok) return a.api;
  throw new AppError("kubernetes_unavailable", a.message, { details: { cluster, access: a.access } });
}
