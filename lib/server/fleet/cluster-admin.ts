import "server-only";

import type { Cluster, RemoveUploadResponse, UploadTalosconfigBody, UploadTalosconfigResponse } from "@/lib/schemas/fleet";
import { recordAudit } from "@/lib/server/platform/audit-legacy";
import type { Actor } from "@/lib/server/auth/actor";
import { getSecretBox, type SecretBox } from "@/lib/server/platform/secret-box";
import { getLegacyDb as getDb, type LegacyDb as Db } from "@/lib/server/platform/db/db";
import { env } from "@/lib/server/platform/env";
import { AppError, isAppError } from "@/lib/server/platform/errors";
import { publish } from "@/lib/server/platform/events";
import { dropClusterClient } from "@/lib/server/fleet/clients";
import { listClusters } from "@/lib/server/fleet/clusters";
import { reloadFleetClusters } from "@/lib/server/fleet/service";
import { getFleetSource, invalidateFleetSource } from "@/lib/server/fleet/source";
import { deleteUpload, insertUpload, listUploadMeta } from "@/lib/server/fleet/uploads";
import { parseTalosEndpoint, parseTalosconfig, TALOS_API_DEFAULT_PORT, type Talosconfig } from "@/lib/server/talos/talosconfig";

/** The clusters an upload added or its removal took away, once the poller has reloaded. */
export interface ClustersChangedEvent {
  clusters: string[];
}

declare module "@/lib/server/platform/events" {
  interface ServerEvents {
    /**
     * The set of managed clusters changed. Features that read the cluster list on their own
     * cadence (the certificate scanner) catch up on it; fleet does not import them.
     */
    clusters: ClustersChangedEvent;
  }
}

/** What adding and removing clusters touches; the defaults are the process's own. */
export interface ClusterAdminDeps {
  db: Db;
  box: SecretBox;
  /** Runs after a change is stored: caches, poller, then the `clusters` event (the certificate scan listens). */
  afterChange: (clusters: string[]) => Promise<void>;
}

/** The process's database, key and the refresh of everything that caches the cluster list. */
export function defaultClusterAdminDeps(): ClusterAdminDeps {
  return { db: getDb(), box: getSecretBox(env()), afterChange: refreshFleet };
}

async function refreshFleet(clusters: string[]): Promise<void> {
  invalidateFleetSource();
  for (const c of clusters) dropClusterClient(c);
  await reloadFleetClusters();
  publish("clusters", { clusters });
}

const actorLabel = (actor: Actor | null) => actor?.label ?? "local user";

/**
 * Uploads may name Talos API endpoints (and nodes) on apid's port only. Minos dials every
 * endpoint and node of a cluster and shows the outcome, so an upload with `host:22` would make
 * it probe any port of any host for whoever uploads; a Talos API on another port (behind a load
 * balancer, say) belongs in the server's own talosconfig file (TALOSCONFIG), which only the
 * server's operator writes. A node without a port is dialed on 50000.
 * @returns the first offending entry, or null.
 */
export function uploadPortProblem(config: Talosconfig): { context: string; field: string; value: string; port: number } | null {
  for (const c of config.contexts) {
    for (const [i, ep] of c.endpoints.entries()) {
      if (ep.port !== TALOS_API_DEFAULT_PORT) return { context: c.name, field: `endpoints[${i}]`, value: ep.address, port: ep.port };
    }
    for (const [i, node] of c.nodes.entries()) {
      const ep = parseTalosEndpoint(node);
      if (ep && ep.port !== TALOS_API_DEFAULT_PORT) return { context: c.name, field: `nodes[${i}]`, value: node, port: ep.port };
    }
  }
  return null;
}

/**
 * Stores an uploaded talosconfig and starts managing its contexts.
 * @throws AppError invalid_config (422) when the YAML is not a usable talosconfig (the message
 *   names the context and field, `details` has them), conflict (409) naming a context that
 *   already exists in the file or another upload.
 */
export async function addUploadedTalosconfig(actor: Actor | null, body: UploadTalosconfigBody, deps = defaultClusterAdminDeps()): Promise<UploadTalosconfigResponse> {
  let config;
  try {
    config = parseTalosconfig(body.talosconfig, "upload");
  } catch (e) {
    // The parser's "misconfigured" is about the server's own file; an upload is the client's input.
    if (isAppError(e)) throw new AppError("invalid_config", e.message, { details: e.details, cause: e });
    throw e;
  }
  // The parser allows a context without endpoints (talosctl takes --endpoints); Minos cannot.
  const unreachable = config.contexts.find((c) => c.endpoints.length === 0);
  if (unreachable) {
    throw new AppError("invalid_config", `Uploaded talosconfig: context "${unreachable.name}": endpoints is empty; Minos needs at least one Talos API endpoint to reach the cluster`, {
      details: { context: unreachable.name, field: "endpoints" },
    });
  }
  const badPort = uploadPortProblem(config);
  if (badPort) {
    throw new AppError(
      "invalid_config",
      `Uploaded talosconfig: context "${badPort.context}": ${badPort.field} (${JSON.stringify(badPort.value)}) uses port ${badPort.port}; an upload may only name Talos API endpoints and nodes on port ${TALOS_API_DEFAULT_PORT}. Put a Talos API on another port in the server's talosconfig file (TALOSCONFIG) instead`,
      { details: { context: badPort.context, field: badPort.field } },
    );
  }
  const names = config.contexts.map((c) => c.name);
  const source = await getFleetSource();
  const taken = names.filter((n) => source.config?.contexts.some((c) => c.name === n));
  if (taken.length > 0) {
    const where = taken.map((n) => `"${n}" (${source.origins[n]?.source === "upload" ? "an earlier upload" : "the talosconfig file"})`).join(", ");
    throw new AppError("conflict", `A cluster named ${where} already exists; rename the context in the uploaded talosconfig`, { details: { contexts: taken } });
  }
  const label = body.label?.trim() || names.join(", ");
  const upload = deps.db.transaction(() => {
    // Re-checked in the transaction: two uploads of one name can both pass the check above.
    const raced = listUploadMeta(deps.db).flatMap((u) => u.contexts.filter((n) => names.includes(n)));
    if (raced.length > 0) throw new AppError("conflict", `A cluster named "${raced[0]}" (an earlier upload) already exists; rename the context in the uploaded talosconfig`, { details: { contexts: raced } });
    const u = insertUpload(deps.db, deps.box, { name: label, contexts: names, talosconfig: body.talosconfig, uploadedBy: actorLabel(actor) });
    recordAudit(deps.db, { actor: actorLabel(actor), action: "cluster.add", target: names.join(", "), result: "ok", details: { uploadId: u.id, label, contexts: names } });
    return u;
  })();
  await deps.afterChange(names);
  const clusters: Cluster[] = (await listClusters()).clusters.filter((c) => c.uploadId === upload.id);
  return { upload, clusters };
}

/** Removes an upload and stops managing its clusters. @throws AppError not_found. */
export async function removeUploadedTalosconfig(actor: Actor | null, id: string, deps = defaultClusterAdminDeps()): Promise<RemoveUploadResponse> {
  const removed = deps.db.transaction(() => {
    const u = deleteUpload(deps.db, id);
    if (!u) return null;
    recordAudit(deps.db, { actor: actorLabel(actor), action: "cluster.remove", target: u.contexts.join(", "), result: "ok", details: { uploadId: id, label: u.name } });
    return u;
  })();
  if (!removed) throw new AppError("not_found", `No uploaded talosconfig "${id}"`);
  await deps.afterChange(removed.contexts);
  return { id, removed: removed.contexts };
}
