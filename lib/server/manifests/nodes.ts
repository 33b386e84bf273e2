import "server-only";

import { parseAllDocuments } from "yaml";

import { nodeId } from "@/lib/fleet/node-id";
import type { ManifestDeps } from "@/lib/server/manifests/deps";
import { resourceKinds } from "@/lib/server/talos";

/** What a node tells about itself: enough to adopt it or compare it with the manifest. */
export interface NodeFacts {
  ok: true;
  id: string;
  address: string;
  hostname: string;
  role: "controlplane" | "worker";
  /** The running Talos version tag (v1.13.9), when the node says. */
  version?: string;
  /** The running machine config, secrets included. */
  config: string;
}

export interface NodeFailure {
  ok: false;
  id: string;
  address: string;
  /** Why the node could not be read, in words (the transport's: unreachable, timed out, forbidden). */
  error: string;
}

export type NodeReading = NodeFacts | NodeFailure;

/** Runs `fn` over `items`, at most `limit` at a time, results in the items' order. */
export async function mapLimited<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return out;
}

/** machine.type of a v1alpha1 config, for nodes whose MachineType resource says nothing useful. */
function configRole(config: string): "controlplane" | "worker" | undefined {
  for (const doc of parseAllDocuments(config)) {
    const js = doc.toJS({ maxAliasCount: 100 }) as { machine?: { type?: unknown } } | null;
    const t = js?.machine?.type;
    if (t === "worker") return "worker";
    if (t === "controlplane" || t === "init") return "controlplane";
  }
  return undefined;
}

/**
 * Reads each node's running config, hostname, machine type and Talos version: a few nodes at a
 * time, every call under the per-node deadline, so one silent node costs one deadline, not the
 * request. A node that cannot be read is a {@link NodeFailure}, never an exception.
 */
export async function readNodes(deps: ManifestDeps, cluster: string, addresses: readonly string[]): Promise<NodeReading[]> {
  const client = await deps.client(cluster);
  const opts = { timeoutMs: deps.nodeTimeoutMs };
  return mapLimited(addresses, deps.concurrency, async (address): Promise<NodeReading> => {
    const id = nodeId(cluster, address);
    try {
      const [config, hostname, machineType, version] = await Promise.all([
        client.machineConfig(address, opts),
        client.hostname(address, opts),
        client.getResource(address, resourceKinds.machineType, undefined, opts).then(
          (r) => r.spec,
          () => "unknown" as const,
        ),
        client.talosVersion(address, opts).catch(() => undefined),
      ]);
      const role = machineType === "worker" ? "worker" : machineType === "unknown" ? configRole(config.yaml) : "controlplane";
      if (!role) return { ok: false, id, address, error: "its machine type is unknown (neither the MachineType resource nor machine.type says)" };
      return { ok: true, id, address, hostname, role, config: config.yaml, ...(version ? { version } : {}) };
    } catch (e) {
      return { ok: false, id, address, error: e instanceof Error ? e.message : String(e) };
    }
  });
}
