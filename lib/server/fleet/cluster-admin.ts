import "server-only";

import { sql } from "kysely";

import type { Cluster, RemoveUploadResponse, UploadTalosconfigBody, UploadTalosconfigResponse } from "@/lib/schemas/fleet";
import { recordAudit } from "@/lib/server/platform/audit";
import type { Actor } from "@/lib/server/auth/actor";
import { getSecretBox, type SecretBox } from "@/lib/server/platform/secret-box";
import { dialectOf, getDb, type Db } from "@/lib/server/platform/db/db";
import { env } from "@/lib/server/platform/env";
import { AppError, isAppError } from "@/lib/server/platform/errors";
import { deliver, publish, subscribe } from "@/lib/server/platform/events";
import { processState } from "@/lib/server/platform/process-state";
import { dropClusterClient } from "@/lib/server/fleet/clients";
import { listClusters } from "@/lib/server/fleet/clusters";
import { reloadFleetClusters } from "@/lib/server/fleet/service";
import { getFleetSource, invalidateFleetSource, type FleetSource } from "@/lib/server/fleet/source";
import { deleteUpload, insertUpload, listUploadMeta, type UploadMeta } from "@/lib/server/fleet/uploads";
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
  await syncClusters(clusters);
}

const g = processState<{
  /** Each managed cluster's origin ("file" or the upload's id), as this process last brought its caches and poller in line with. */
  __minosClusterView?: Map<string, string>;
  __minosClusterSync?: Promise<unknown>;
  __minosUploadWatch?: { stop: () => void };
}>();

function clusterView(source: FleetSource): Map<string, string> {
  const view = new Map<string, string>();
  for (const c of source.config?.contexts ?? []) {
    const origin = source.origins[c.name];
    view.set(c.name, origin?.source === "upload" ? `upload:${origin.uploadId}` : "file");
  }
  return view;
}

/** The clusters added, replaced (another upload under the same name) or removed between two views, in list order. */
export function changedClusters(before: ReadonlyMap<string, string>, after: ReadonlyMap<string, string>): string[] {
  const changed = [...after].filter(([name, origin]) => before.get(name) !== origin).map(([name]) => name);
  return [...changed, ...[...before.keys()].filter((name) => !after.has(name))];
}

/**
 * How a sync announces what changed. `publish`: this replica made the change, so every replica
 * hears of it (the `clusters` event is relayed between replicas on PostgreSQL). `deliver`: the
 * upload watch found a change another replica made and announced; this replica's subscribers
 * only, so a change is not announced once per replica. `none`: the event is being delivered
 * already (relayed from the replica that made the change): this process catches up (clients,
 * poller, its record of what it has seen) and announces nothing.
 */
type Announce = "publish" | "deliver" | "none";

function sync(announce: Announce, local: readonly string[] = []): Promise<string[]> {
  const run = (g.__minosClusterSync ?? Promise.resolve()).then(async () => {
    const now = clusterView(await getFleetSource());
    const before = g.__minosClusterView;
    const changed = before ? changedClusters(before, now) : [...local];
    if (changed.length > 0) {
      for (const c of changed) dropClusterClient(c);
      await reloadFleetClusters();
    }
    // Recorded once the poller has it: a failed reload is retried by the next sync.
    g.__minosClusterView = now;
    if (changed.length > 0 && announce === "publish") publish("clusters", { clusters: changed });
    if (changed.length > 0 && announce === "deliver") deliver("clusters", { clusters: changed });
    return changed;
  });
  g.__minosClusterSync = run.catch(() => undefined);
  return run;
}

/**
 * Brings this process in line with the clusters as the database has them now, after a change
 * made here: drops the Talos clients of changed clusters, makes the poller reload, then
 * publishes the `clusters` event with what changed (to every replica). `local` names what this
 * process just changed, reported when it has no earlier view to compare with. Syncs run one at
 * a time; a change already handled (by the upload watch, say) is not reported twice.
 * @returns the clusters that changed.
 */
export function syncClusters(local: readonly string[] = []): Promise<string[]> {
  return sync("publish", local);
}

/** How often each replica looks for uploads added or removed through another one. */
export const UPLOAD_WATCH_INTERVAL_MS = 5_000;

/**
 * Every replica's own check for uploads added or removed through another (not a leased job:
 * each has its own caches, poller and live views to update). The replica that made a change
 * publishes it, and on PostgreSQL the event relay brings it here at once; this catches what the
 * relay cannot (an event sent while its connection was down; several processes on one SQLite
 * file): every `intervalMs` it compares the uploads with what this process last saw and, on a
 * difference, reloads and delivers the `clusters` event here. An event that did arrive moves
 * that record on, so the watch does not announce the same change again. The first run only
 * records what there is. Idempotent; returns the stop.
 */
export function watchClusterUploads(intervalMs = UPLOAD_WATCH_INTERVAL_MS): () => void {
  if (g.__minosUploadWatch) return g.__minosUploadWatch.stop;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const heard = subscribe("clusters", () => {
    sync("none").catch((e: unknown) => console.error("[minos] following a cluster change failed", e));
  });
  const tick = async () => {
    try {
      await sync("deliver");
    } catch (e) {
      console.error("[minos] checking for uploaded talosconfigs failed", e);
    }
    if (stopped) return;
    timer = setTimeout(() => void tick(), intervalMs);
    timer.unref();
  };
  const watch = {
    stop: () => {
      stopped = true;
      clearTimeout(timer);
      heard();
      if (g.__minosUploadWatch === watch) g.__minosUploadWatch = undefined;
    },
  };
  g.__minosUploadWatch = watch;
  void tick();
  return watch.stop;
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
  const upload = await storeUpload(deps.db, deps.box, { actor, label, contexts: names, talosconfig: body.talosconfig });
  await deps.afterChange(names);
  const clusters: Cluster[] = (await listClusters()).clusters.filter((c) => c.uploadId === upload.id);
  return { upload, clusters };
}

/**
 * Stores an upload and its audit entry in one transaction (see {@link insertCheckedUpload}).
 * @throws AppError conflict when another upload already names one of its contexts.
 */
export function storeUpload(db: Db, box: SecretBox, input: NewUpload): Promise<UploadMeta> {
  return db.transaction().execute((trx) => insertCheckedUpload(trx, box, input));
}

export interface NewUpload {
  actor: Actor | null;
  label: string;
  contexts: string[];
  talosconfig: string;
}

/**
 * Inside a transaction: re-checks the names against the stored uploads (two uploads of one name
 * can both pass the check against the fleet source, on one replica or two), then inserts the
 * upload and audits it. Names live in a JSON list, so no unique index can hold them: on
 * PostgreSQL the table is locked against other writers first (READ COMMITTED would let two
 * transactions each miss the other's insert); SQLite's IMMEDIATE transaction already excludes them.
 */
export async function insertCheckedUpload(trx: Db, box: SecretBox, input: NewUpload): Promise<UploadMeta> {
  if (dialectOf(trx) === "postgres") await sql`LOCK TABLE cluster_uploads IN SHARE ROW EXCLUSIVE MODE`.execute(trx);
  const raced = (await listUploadMeta(trx)).flatMap((u) => u.contexts.filter((n) => input.contexts.includes(n)));
  if (raced.length > 0) throw new AppError("conflict", `A cluster named "${raced[0]}" (an earlier upload) already exists; rename the context in the uploaded talosconfig`, { details: { contexts: raced } });
  const u = await insertUpload(trx, box, { name: input.label, contexts: input.contexts, talosconfig: input.talosconfig, uploadedBy: actorLabel(input.actor) });
  await recordAudit(trx, { actor: actorLabel(input.actor), action: "cluster.add", target: input.contexts.join(", "), result: "ok", details: { uploadId: u.id, label: input.label, contexts: input.contexts } });
  return u;
}

/** Removes an upload and stops managing its clusters. @throws AppError not_found. */
export async function removeUploadedTalosconfig(actor: Actor | null, id: string, deps = defaultClusterAdminDeps()): Promise<RemoveUploadResponse> {
  const removed = await deps.db.transaction().execute(async (trx) => {
    const u = await deleteUpload(trx, id);
    if (!u) return null;
    await recordAudit(trx, { actor: actorLabel(actor), action: "cluster.remove", target: u.contexts.join(", "), result: "ok", details: { uploadId: id, label: u.name } });
    return u;
  });
  if (!removed) throw new AppError("not_found", `No uploaded talosconfig "${id}"`);
  await deps.afterChange(removed.contexts);
  return { id, removed: removed.contexts };
}
