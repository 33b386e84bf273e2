import "server-only";

import { randomBytes } from "node:crypto";

import { describeSelector, selectNodes, unknownNodeNames, type SelectableNode } from "@/lib/fleet/select";
import { BULK_RUN_ACTIONS, bulkRunSchema, type BulkAction, type BulkListResponse, type BulkParams, type BulkPlan, type BulkRun, type BulkRunActionName, type BulkRunAction, type CreateBulkResponse, type ParsedBulkBody } from "@/lib/schemas/bulk";
import type { Role } from "@/lib/schemas/auth";
import type { NodeSelector } from "@/lib/schemas/selector";
import { serviceActionAllowed, serviceActionRefusal } from "@/lib/talos/service-actions";
import { recordAudit } from "@/lib/server/platform/audit";
import { refuseBesideLiveRuns } from "@/lib/server/platform/cluster-runs";
import type { Db } from "@/lib/server/platform/db/db";
import { AppError } from "@/lib/server/platform/errors";

import { batchesOf, orderNodes } from "./plan";
import { BulkRepository, publicRun } from "./repo";
import type { BulkRunner } from "./runner";

/** A fleet node as a selector sees it (the poller's snapshot), its Minos labels from the cluster manifest. */
export interface FleetNode extends SelectableNode {
  id: string;
  cluster: string;
  talosVersion: string | null;
}

export interface BulkServiceDeps {
  db: Db;
  now(): Date;
  /** Every node the fleet knows, without labels. */
  fleetNodes(): Promise<FleetNode[]>;
  /** The cluster's Minos labels by node address, from its latest manifest (empty without one). */
  labels(cluster: string): Promise<Map<string, Record<string, string>>>;
  /** The runner that drives bulk runs; null leaves a new run to the next scan (tests). */
  runner(): BulkRunner | null;
  /** A run changed outside the runner (created, paused, resumed, cancelled): SSE. */
  publish(run: BulkRun): void;
  /** Hands a Talos upgrade of the nodes to the upgrade runner; the plan's id. */
  startUpgrade(req: { cluster: string; version: string; image?: string; nodes: string[]; concurrency: number }, actor: string): Promise<string>;
  /** Hands a patch of each node's running config to a config rollout; the rollout's id. */
  startPatchRollout(req: { cluster: string; patch: string; mode: "auto" | "no-reboot" | "reboot" | "staged"; nodes: { id: string; role: "controlplane" | "worker" }[]; concurrency: number }, actor: string): Promise<string>;
}

export interface ResolvedNode {
  id: string;
  cluster: string;
  hostname: string | null;
  role: "controlplane" | "worker";
  talosVersion: string | null;
}

const newRunId = (now: Date) => `bulk-${now.toISOString().slice(0, 10).replaceAll("-", "")}-${randomBytes(4).toString("hex")}`;

/** The body's selection as one selector (`nodes` is shorthand for `{nodes}`, and narrows a selector given beside it). */
export function selectorOf(body: Pick<ParsedBulkBody, "selector" | "nodes">): NodeSelector {
  return { ...(body.selector ?? {}), ...(body.nodes ? { nodes: body.nodes } : {}) };
}

/**
 * The nodes a selector picks, control planes first, all of one cluster. Labels are read only
 * when the selector asks for them. Refuses (422) names that match no node, a selection over
 * several clusters (a run's safety is per cluster: quorum, one run at a time), an empty one, and
 * nodes whose role is not known yet (the order and the quorum guard depend on it).
 */
export async function resolveSelection(deps: Pick<BulkServiceDeps, "fleetNodes" | "labels">, selector: NodeSelector): Promise<{ cluster: string; nodes: ResolvedNode[] }> {
  let fleet = await deps.fleetNodes();
  const unknown = unknownNodeNames(selector, selector.cluster ? fleet.filter((n) => n.cluster === selector.cluster) : fleet);
  if (unknown.length > 0) throw new AppError("not_found", `No node matches ${unknown.slice(0, 10).join(", ")}${unknown.length > 10 ? ` and ${unknown.length - 10} more` : ""}`, { details: { unknown } });
  if (selector.labels) {
    const clusters = [...new Set(fleet.map((n) => n.cluster))];
    const byCluster = new Map(await Promise.all(clusters.map(async (c) => [c, await deps.labels(c)] as const)));
    fleet = fleet.map((n) => ({ ...n, labels: byCluster.get(n.cluster)?.get(n.address) ?? {} }));
  }
  const picked = selectNodes(selector, fleet);
  if (picked.length === 0) throw new AppError("bad_request", `No node matches the selection (${describeSelector(selector)})`);
  const clusters = [...new Set(picked.map((n) => n.cluster))];
  if (clusters.length > 1) {
    throw new AppError("bad_request", `The selection spans the clusters ${clusters.join(", ")}; a bulk action acts on one cluster at a time: add "cluster" to the selector`, { details: { clusters } });
  }
  const unclassified = picked.filter((n) => n.role !== "controlplane" && n.role !== "worker");
  if (unclassified.length > 0) {
    throw new AppError("bad_request", `The role of ${unclassified.map((n) => n.hostname ?? n.id).join(", ")} is not known yet (not reached); leave ${unclassified.length > 1 ? "them" : "it"} out or wait`, {
      details: { nodes: unclassified.map((n) => n.id) },
    });
  }
  const nodes = orderNodes(picked.map((n) => ({ id: n.id, cluster: n.cluster, hostname: n.hostname, role: n.role as "controlplane" | "worker", talosVersion: n.talosVersion })));
  return { cluster: clusters[0]!, nodes };
}

const RUNNER_OF: Record<BulkAction, BulkPlan["runner"]> = {
  reboot: "bulk",
  "service-restart": "bulk",
  cordon: "bulk",
  uncordon: "bulk",
  upgrade: "talos-upgrade",
  "apply-patch": "config-rollout",
};

/** What will happen, in words, for the confirm dialog. */
function stepsOf(body: ParsedBulkBody, nodes: ResolvedNode[]): string[] {
  const cps = nodes.filter((n) => n.role === "controlplane").length;
  const workers = nodes.length - cps;
  const order = [
    cps > 0 ? `${cps} control plane${cps > 1 ? "s" : ""} one at a time${body.action === "reboot" || (body.action === "service-restart" && body.service === "etcd") ? ", each only while etcd is healthy with every member (the quorum guard)" : ""}` : "",
    workers > 0 ? `then ${workers} worker${workers > 1 ? "s" : ""}, ${body.concurrency} at a time` : "",
  ].filter(Boolean);
  const stop = body.continueOnFailure ? "A failed node is reported and the others go on." : "The first failure stops the run (resume continues, cancel skips the rest).";
  switch (body.action) {
    case "reboot":
      return [
        `Reboot (${body.mode}) ${order.join(", ")}.`,
        body.drain.enabled ? `Each node is cordoned and drained first (timeout ${body.drain.timeoutSeconds} s, then ${body.drain.onTimeout === "halt" ? "the node fails" : "the pods are deleted"}), and uncordoned once it is back.` : "No drain: the nodes reboot with their pods.",
        "The next node starts once the last one is back: running, ready, services healthy (and etcd, on a control plane).",
        stop,
      ];
    case "service-restart":
      return [`Restart ${body.service} on ${order.join(", ")}.`, `The next node starts once ${body.service} runs again and is healthy.`, stop];
    case "cordon":
    case "uncordon":
      return [`${body.action === "cordon" ? "Cordon" : "Uncordon"} the Kubernetes Node of each: ${order.join(", ")}.`, stop];
    case "upgrade":
      return [`A Talos upgrade to ${body.version} of these ${nodes.length} nodes, by the upgrade runner (its checks, drain and health gates; control planes one at a time).`];
    case "apply-patch":
      return [`The patch is applied to each node's running config and checked on the node (dry run); nothing is applied if one refuses.`, `Then a config rollout (${body.mode}): ${order.join(", ")}.`];
  }
}

/** The plan a confirm dialog shows: the nodes in order, their batches, the steps. */
export async function planBulk(deps: BulkServiceDeps, body: ParsedBulkBody): Promise<BulkPlan> {
  const selector = selectorOf(body);
  const { cluster, nodes } = await resolveSelection(deps, selector);
  const batches = batchesOf(nodes, body.concurrency);
  return {
    cluster,
    action: body.action,
    selection: describeSelector(selector),
    nodes: nodes.map((n, i) => ({ id: n.id, hostname: n.hostname, role: n.role, talosVersion: n.talosVersion, batch: batches[i]! })),
    steps: stepsOf(body, nodes),
    runner: RUNNER_OF[body.action],
  };
}

const isRunAction = (a: BulkAction): a is BulkRunAction => (BULK_RUN_ACTIONS as readonly string[]).includes(a);

function paramsOf(body: ParsedBulkBody): BulkParams {
  if (body.action === "reboot") return { mode: body.mode, drain: body.drain };
  if (body.action === "service-restart") return { service: body.service };
  return {};
}

/**
 * POST /api/bulk: the plan (dryRun), or the work started. Reboot, service restart, cordon and
 * uncordon become a bulk run (one live per cluster, not beside another kind of cluster-wide
 * run); upgrade and apply-patch go to the upgrade runner and config rollouts. The route has
 * checked the caller's role for the action; `check` refuses what the cluster's talosconfig cannot do.
 */
export async function createBulk(deps: BulkServiceDeps, body: ParsedBulkBody, who: { label: string; role: Role }, opts: { check?: (cluster: string) => Promise<void> } = {}): Promise<CreateBulkResponse> {
  const actor = who.label;
  if (body.action === "service-restart" && !serviceActionAllowed(body.service, "restart")) {
    // Talos's own refusal, before any node is touched: its API restarts kubelet and extension services only.
    throw new AppError("unsupported", serviceActionRefusal(body.service, "restart"), { details: { service: body.service } });
  }
  if (body.dryRun) return { kind: "plan", plan: await planBulk(deps, body) };
  const selector = selectorOf(body);
  const { cluster, nodes } = await resolveSelection(deps, selector);
  // What Minos's talosconfig for the cluster allows, refused before anything starts.
  await opts.check?.(cluster);
  if (body.action === "upgrade") {
    const id = await deps.startUpgrade({ cluster, version: body.version, image: body.image, nodes: nodes.map((n) => n.id), concurrency: body.concurrency }, actor);
    return { kind: "talos-upgrade", id, href: `/upgrades/${encodeURIComponent(id)}` };
  }
  if (body.action === "apply-patch") {
    const id = await deps.startPatchRollout({ cluster, patch: body.patch, mode: body.mode, nodes, concurrency: body.concurrency }, actor);
    return { kind: "config-rollout", id, href: `/config/rollouts/${encodeURIComponent(id)}` };
  }
  if (!isRunAction(body.action)) throw new AppError("internal", `unhandled bulk action ${String(body.action)}`);
  const id = newRunId(deps.now());
  const repo = new BulkRepository(deps.db);
  await deps.db.transaction().execute(async (trx) => {
    await refuseBesideLiveRuns(trx, cluster, "bulk");
    const live = (await repo.on(trx).liveIn(cluster))[0];
    if (live) throw new AppError("conflict", `Cluster "${cluster}" has a bulk action in progress (${live.id}, ${live.state}); wait for it to finish or cancel it first`, { details: { id: live.id, state: live.state } });
    await repo.on(trx).create({
      id,
      cluster,
      action: body.action,
      params: paramsOf(body),
      selector,
      author: actor,
      authorRole: who.role,
      concurrency: body.concurrency,
      continueOnFailure: body.continueOnFailure,
      at: deps.now(),
      nodes,
    });
    await recordAudit(trx, {
      actor,
      action: "bulk.create",
      target: id,
      result: "ok",
      details: { cluster, action: body.action, selection: describeSelector(selector), nodes: nodes.map((n) => n.id), concurrency: body.concurrency, ...paramsOf(body) },
    });
  });
  deps.runner()?.kick(id);
  const run = publicRun(await repo.getOrThrow(id));
  deps.publish(run);
  return { kind: "bulk", run };
}

export async function listBulkRuns(deps: Pick<BulkServiceDeps, "db">, opts: { limit: number; cluster?: string }): Promise<BulkListResponse> {
  const runs = await new BulkRepository(deps.db).list(opts.limit, opts.cluster);
  // The schema keeps the public fields (the bookkeeping ones are dropped).
  return { runs: runs.map((r) => bulkRunSchema.omit({ nodes: true }).parse(r)) };
}

export async function getBulkRun(deps: Pick<BulkServiceDeps, "db">, id: string): Promise<BulkRun> {
  return publicRun(await new BulkRepository(deps.db).getOrThrow(id));
}

const allowed: Record<BulkRunActionName, string[]> = { pause: ["running"], resume: ["paused", "failed"], cancel: ["running", "paused", "failed"] };
const verb: Record<BulkRunActionName, string> = { pause: "paused", resume: "resumed", cancel: "cancelled" };

/**
 * pause: no new node starts (those in flight finish). resume: a paused run, or one stopped at a
 * failed node (the failures so far are accepted). cancel: the nodes not started are skipped.
 * @throws AppError not_found, conflict (any other state)
 */
export async function bulkRunAction(deps: Pick<BulkServiceDeps, "db" | "now" | "runner" | "publish">, id: string, action: BulkRunActionName, actor: string): Promise<BulkRun> {
  const repo = new BulkRepository(deps.db);
  await deps.db.transaction().execute(async (trx) => {
    const tx = repo.on(trx);
    const state = await tx.lockState(id);
    if (state === undefined) throw new AppError("not_found", `No bulk run ${id}`);
    if (!allowed[action].includes(state)) throw new AppError("conflict", `A ${state} bulk run cannot be ${verb[action]}`);
    const now = deps.now();
    if (action === "pause") await tx.setState(id, "paused", now, `Paused by ${actor}`);
    if (action === "resume") {
      const failed = (await tx.getOrThrow(id)).nodes.filter((n) => n.state === "failed").length;
      await tx.setState(id, "running", now, "", { failuresAllowed: failed });
    }
    if (action === "cancel") {
      await tx.skipPending(id, `Cancelled by ${actor}`, now);
      await tx.setState(id, "cancelled", now, `Cancelled by ${actor}`);
    }
    await recordAudit(trx, { actor, action: `bulk.${action}`, target: id, result: "ok", details: { from: state } });
  });
  deps.runner()?.kick(id);
  const run = await getBulkRun(deps, id);
  deps.publish(run);
  return run;
}
