import "server-only";

import { roleAtLeast, type MinosAction } from "@/lib/auth/roles";
import { actionAvailability } from "@/lib/auth/talos-roles";
import { nodeId as makeNodeId } from "@/lib/fleet/node-id";
import type { Role } from "@/lib/schemas/auth";
import { DEFAULT_DRAIN_POLICY, type DrainPolicy } from "@/lib/schemas/kubernetes";
import type { NodeActionKind, NodeActionResponse, RebootModeName, ResetMode } from "@/lib/schemas/node-actions";
import { drainBeforeApply, type DrainBeforeApply } from "@/lib/server/configs/apply-drain";
import { withApplySlot } from "@/lib/server/configs/in-flight";
import { bootIdentity } from "@/lib/server/jobs/boot-identity";
import { codeOf, errorText } from "@/lib/server/jobs/errors";
import { recordAudit } from "@/lib/server/platform/audit";
import type { HeldLease } from "@/lib/server/platform/leases";
import { clusterRunLabel, liveRunsBeside, type ClusterRunKind } from "@/lib/server/platform/cluster-runs";
import { AppError, isAppError } from "@/lib/server/platform/errors";
import type { TalosClient } from "@/lib/server/talos";
import { etcdFacts } from "@/lib/server/upgrades/probes";
import type { NodeFacts } from "@/lib/server/upgrades/plan";
import type { ServiceActionName } from "@/lib/talos/service-actions";

import type { NodeActionDeps } from "./deps";
import { markDown, takePowerLease, withDownMarks } from "./power-guard";
import { quorumVerdict } from "./quorum";

/**
 * One node action on one node: reboot, shutdown, reset, or a service start/stop/restart. The
 * routes call it for the node page, bulk actions call it per node. In order:
 * 1. refusals before anything is touched: the caller's role and Minos's own Talos role for the
 *    cluster, a live cluster-wide run (upgrade, rollout…) on the node's cluster, another action
 *    or config apply on the node (its apply slot), an unreachable node, a reset whose typed
 *    hostname does not match, a control plane whose going down would break etcd quorum;
 * 2. a reboot drains the node first (the single-node drain of config applies, with the
 *    uncordon-after-boot mark; Talos's Reboot does not drain). Shutdown without force and a
 *    graceful reset are not drained by Minos: Talos's own Shutdown and Reset sequences cordon
 *    and drain the node (CordonAndDrainNode in v1alpha1_sequencer.go), so draining here would
 *    drain twice;
 * 3. a control plane that leads etcd hands leadership over first (best effort, os:admin);
 * 4. the Talos call; its answer returns at once, the node goes down in the background.
 * Every outcome is audited (refused, failed or ok), without secrets or the typed confirmation.
 */

export type NodeAction =
  | { kind: "reboot"; mode?: RebootModeName; drain?: DrainPolicy; ignoreQuorum?: boolean }
  | { kind: "shutdown"; force?: boolean; ignoreQuorum?: boolean }
  | { kind: "reset"; graceful: boolean; mode: ResetMode; reboot?: boolean; userDisks?: string[]; confirm: string; ignoreQuorum?: boolean }
  | { kind: "service"; action: ServiceActionName; service: string };

/** Who acts: a person or token from a request, or the actor a bulk run recorded. */
export interface NodeActionActor {
  label: string;
  role: Role;
}

export interface NodeActionContext {
  actor: NodeActionActor;
  /** The cluster-wide run this action belongs to (a bulk run): runs of its own kind are not refused. */
  run?: { kind: ClusterRunKind; id: string };
  signal?: AbortSignal;
  /** Deadline of each read before the action (ms). */
  readTimeoutMs?: number;
}

const MINOS_ACTION: Record<NodeAction["kind"], MinosAction> = { reboot: "reboot", shutdown: "shutdown", reset: "resetNode", service: "serviceAction" };
const VERB: Record<"reboot" | "shutdown" | "reset", string> = { reboot: "rebooting", shutdown: "shutting down", reset: "resetting" };

/** The action's kind as the response and audit name it (`service-restart`). */
export function nodeActionKind(action: NodeAction): NodeActionKind {
  return action.kind === "service" ? `service-${action.action}` : action.kind;
}

/** The audit action of a node action (`node.reboot`, `node.service-restart`). */
export function nodeActionAuditName(action: NodeAction): string {
  return `node.${nodeActionKind(action)}`;
}

/** What the audit entry says of the request: never the typed confirmation. */
function requestDetails(action: NodeAction): Record<string, unknown> {
  switch (action.kind) {
    case "reboot":
      return { mode: action.mode ?? "default", ...(action.ignoreQuorum ? { ignoreQuorum: true } : {}) };
    case "shutdown":
      return { force: action.force ?? false, ...(action.ignoreQuorum ? { ignoreQuorum: true } : {}) };
    case "reset":
      return { graceful: action.graceful, mode: action.mode, reboot: action.reboot ?? false, userDisks: action.userDisks, ...(action.ignoreQuorum ? { ignoreQuorum: true } : {}) };
    case "service":
      return { service: action.service };
  }
}

/**
 * Runs `action` on node `nodeId` (`address@cluster`) and audits it.
 *
 * @throws AppError not_found (unknown node), forbidden (role, Minos's Talos role, a quorum
 *   override by a non-admin), conflict (a live run on the cluster, another action on the node,
 *   etcd quorum, Kubernetes that cannot be asked under a halting drain policy), drain_blocked,
 *   confirmation_mismatch (reset), unsupported / not_found (a service Talos's API does not drive,
 *   or does not have; Talos's text), and the node's transport errors as they are.
 */
export async function runNodeAction(deps: NodeActionDeps, nodeId: string, action: NodeAction, ctx: NodeActionContext): Promise<NodeActionResponse> {
  const auditAction = nodeActionAuditName(action);
  const details: Record<string, unknown> = { ...requestDetails(action), ...(ctx.run ? { run: ctx.run.id } : {}) };
  const steps: string[] = [];
  let stage = "preflight";
  try {
    const { cluster, address } = await deps.resolveNode(nodeId);
    assertAllowed(ctx.actor, action, cluster, await deps.talosRoles(cluster));
    const live = (await liveRunsBeside(deps.db, cluster, ctx.run?.kind ?? null))[0];
    if (live) {
      throw new AppError("conflict", `Cluster "${cluster}" has ${clusterRunLabel(live.kind)} in progress (${live.id}, ${live.state}); wait for it to finish before acting on its nodes one by one`, {
        details: { cluster, kind: live.kind, id: live.id, state: live.state },
      });
    }
    const result = await withApplySlot(nodeId, `${auditAction} by ${ctx.actor.label}`, async () => {
      const client = await deps.client(cluster);
      const opts = { timeoutMs: ctx.readTimeoutMs ?? 10_000, signal: ctx.signal };
      if (action.kind === "service") {
        stage = "call";
        const { response } = await client.serviceAction(address, action.action, action.service, { signal: ctx.signal }).catch((e: unknown) => {
          throw serviceRefusal(e, address);
        });
        return { hostname: null, role: null, message: response, actorId: null, bootIdBefore: null, warnings: [], audit: {} } satisfies ActionResult;
      }
      return powerAction(deps, client, { nodeId, cluster, address }, action, ctx, opts, steps, (s) => (stage = s));
    });
    const { audit, ...done } = result;
    const response: NodeActionResponse = { node: nodeId, action: nodeActionKind(action), steps, ...done };
    await recordAudit(deps.db, {
      actor: ctx.actor.label,
      action: auditAction,
      target: nodeId,
      result: "ok",
      details: { ...details, ...audit, message: response.message, actorId: response.actorId, warnings: response.warnings.length > 0 ? response.warnings : undefined },
    });
    return response;
  } catch (e) {
    const result = stage === "call" ? "failed" : "refused";
    const code = codeOf(e);
    await recordAudit(deps.db, { actor: ctx.actor.label, action: auditAction, target: nodeId, result, details: { ...details, stage, code, error: errorText(e), ...(isAppError(e) && e.code === "drain_blocked" ? { drain: "blocked" } : {}) } });
    throw e;
  }
}

function assertAllowed(actor: NodeActionActor, action: NodeAction, cluster: string, talosRoles: readonly string[]): void {
  const verdict = actionAvailability(actor.role, MINOS_ACTION[action.kind], talosRoles, cluster);
  if (!verdict.allowed) throw new AppError("forbidden", verdict.reason, { details: { action: MINOS_ACTION[action.kind], cluster } });
  if ("ignoreQuorum" in action && action.ignoreQuorum && !roleAtLeast(actor.role, "admin")) {
    throw new AppError("forbidden", "Only an admin may take a control plane down past the etcd quorum guard");
  }
}

/**
 * Talos refuses a service it does not let its API drive with an Unknown status (system.go's
 * `fmt.Errorf`), which the client maps to internal: its sentence is kept, the code says what it is.
 */
function serviceRefusal(e: unknown, address: string): unknown {
  if (!isAppError(e) || e.code !== "internal") return e;
  if (/doesn't support (start|stop|restart) operation via API/.test(e.message)) return new AppError("unsupported", e.message, { node: address, details: e.details, cause: e });
  if (/^service ".*" not defined$/.test(e.message)) return new AppError("not_found", e.message, { node: address, details: e.details, cause: e });
  return e;
}

/** The response's node-side part, and what the audit entry adds. */
type ActionResult = Omit<NodeActionResponse, "node" | "action" | "steps"> & { audit: Record<string, unknown> };

type PowerAction = Exclude<NodeAction, { kind: "service" }>;
type Target = { nodeId: string; cluster: string; address: string };

async function powerAction(
  deps: NodeActionDeps,
  client: TalosClient,
  target: Target,
  action: PowerAction,
  ctx: NodeActionContext,
  opts: { timeoutMs: number; signal?: AbortSignal },
  steps: string[],
  setStage: (s: string) => void,
): Promise<ActionResult> {
  const { cluster, address } = target;
  const warnings: string[] = [];
  const audit: Record<string, unknown> = {};
  const hostname = await client.hostname(address, opts);
  if (action.kind === "reset" && action.confirm !== hostname) {
    throw new AppError("confirmation_mismatch", `The confirmation does not match the node's hostname: type "${hostname}" to reset it. Nothing was done`, { details: { field: "confirm" } });
  }
  const services = await readServices(client, address, opts);
  const role = services === null ? null : "etcd" in services ? "controlplane" : "worker";
  const bootIdBefore = await bootIdentity(client, address, opts).catch(() => null);
  const verb = VERB[action.kind];

  // A control plane (or a node that might be one) is checked and sent with the cluster's power
  // lease held, so no other control plane's check runs between this one and Talos's answer.
  let power: HeldLease | null = null;
  if (role !== "worker") {
    const taken = await takePowerLease(deps.db, cluster, `${action.kind} of ${hostname} by ${ctx.actor.label}`);
    if ("held" in taken) power = taken.held;
    else if (!action.ignoreQuorum) {
      throw new AppError("conflict", `Minos cannot check etcd quorum before ${verb} ${hostname}: a control plane of cluster "${cluster}" is being taken down now (${taken.busy}). Try again once that node is back`, {
        node: address,
        details: { reason: "etcd-quorum" },
      });
    } else warnings.push(`the quorum guard was overridden: ${taken.busy} was in progress`);
  }
  try {
    return await guardedPowerAction(deps, client, target, action, ctx, opts, steps, setStage, { hostname, role, bootIdBefore, warnings, audit });
  } finally {
    await power?.release();
  }
}

/** The quorum check, the drain and the Talos call; for a control plane, under the cluster's power lease. */
async function guardedPowerAction(
  deps: NodeActionDeps,
  client: TalosClient,
  target: Target,
  action: PowerAction,
  ctx: NodeActionContext,
  opts: { timeoutMs: number; signal?: AbortSignal },
  steps: string[],
  setStage: (s: string) => void,
  seen: { hostname: string; role: "controlplane" | "worker" | null; bootIdBefore: string | null; warnings: string[]; audit: Record<string, unknown> },
): Promise<ActionResult> {
  const { cluster, address } = target;
  const { hostname, role, bootIdBefore, warnings, audit } = seen;
  const verb = VERB[action.kind];
  let leads = false;
  if (role === null) {
    if (!action.ignoreQuorum) throw new AppError("conflict", `Minos cannot tell whether ${hostname} is a control plane (its services did not answer), so it cannot check etcd quorum before ${verb} it`);
    warnings.push(`the quorum guard was overridden: ${hostname}'s role is unknown`);
  } else if (role === "controlplane") {
    const read = await etcdFacts(client, await controlPlaneCandidates(deps, target, hostname), opts);
    const { etcd, down } = read.error ? { etcd: read, down: [] } : await withDownMarks(deps.db, client, cluster, read, address, { ...opts, nowMs: deps.now().getTime() });
    const verdict = quorumVerdict(etcd, { hostname, address }, verb, down);
    if (!verdict.ok) {
      if (!action.ignoreQuorum) throw new AppError("conflict", verdict.reason, { node: address, details: { reason: "etcd-quorum" } });
      warnings.push(`the quorum guard was overridden: ${verdict.reason}`);
      audit.quorum = "overridden";
    } else {
      steps.push(verdict.note);
      if (verdict.warning) warnings.push(verdict.warning);
      leads = verdict.leads;
    }
  }

  let drained: DrainBeforeApply | null = null;
  if (action.kind === "reboot") {
    if (deps.kubernetes) {
      setStage("drain");
      drained = await drainBeforeApply(deps.kubernetes, { cluster, address, policy: action.drain ?? DEFAULT_DRAIN_POLICY, explicitPolicy: action.drain !== undefined, client, purpose: "reboot" });
      Object.assign(audit, drained.audit);
      warnings.push(...drained.warnings);
      steps.push(drainStep(drained.audit));
    } else {
      steps.push("no drain: Kubernetes is not configured for this server");
    }
  } else if (action.kind === "shutdown") {
    steps.push(action.force ? "force: Talos skips its drain (it still cordons the node as it shuts down), the pods go down with it" : "Talos cordons and drains the node itself before it powers off; Minos does not drain it twice");
  } else {
    steps.push(
      action.graceful
        ? `graceful: Talos cordons and drains the node${role === "controlplane" ? " and leaves etcd" : ""} before the wipe; Minos does not drain it twice`
        : `not graceful: no drain${role === "controlplane" ? " and the etcd member stays (remove it from etcd afterwards)" : ""}`,
    );
  }

  try {
    if (leads) {
      setStage("forfeit");
      try {
        const { member } = await client.etcdForfeitLeadership(address, opts);
        steps.push(member ? `etcd leadership moved to ${member}` : "etcd leadership forfeited");
      } catch (e) {
        const why = codeOf(e) === "forbidden" ? "it needs os:admin" : errorText(e);
        warnings.push(`etcd leadership not forfeited (${why}); etcd elects a new leader when ${hostname} goes down`);
      }
    }
    setStage("call");
    const { actorId } = await callTalos(client, address, action, ctx.signal);
    if (role === "controlplane") {
      // Before the lease is released: the next control plane's check must count this one out.
      await markDown(deps.db, cluster, { address, hostname, bootIdBefore, what: `${action.kind} by ${ctx.actor.label}`, atMs: deps.now().getTime() }).catch((e: unknown) =>
        warnings.push(`the quorum guard could not record this ${action.kind} (${errorText(e)}); until ${hostname}'s etcd stops, another control plane's check may count it healthy`),
      );
    }
    const message = describe(action, hostname);
    steps.push(message);
    return { hostname, role, message, actorId: actorId || null, bootIdBefore, warnings, audit };
  } catch (e) {
    // Not rebooted, so nothing will come to uncordon it.
    await drained?.undo();
    throw e;
  }
}

/** This node first (it answers for etcd when it is up), then the cluster's other nodes. */
/**
 * The node's services (its role: etcd runs on control planes), asked up to three times: a call
 * routed through an endpoint that just went down (another control plane's reboot) fails once
 * before the client moves on, and a role Minos cannot tell refuses the action.
 */
async function readServices(client: TalosClient, address: string, opts: { timeoutMs: number; signal?: AbortSignal }): Promise<Awaited<ReturnType<TalosClient["services"]>> | null> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await client.services(address, opts);
    } catch {
      if (attempt === 3 || opts.signal?.aborted) return null;
      await new Promise((r) => setTimeout(r, 250 * attempt));
    }
  }
}

async function controlPlaneCandidates(deps: NodeActionDeps, target: Target, hostname: string): Promise<NodeFacts[]> {
  const fact = (address: string, name: string | null): NodeFacts => ({ id: makeNodeId(target.cluster, address), address, hostname: name, role: "controlplane", version: null, reachable: true });
  const others = (await deps.clusterNodes(target.cluster)).filter((a) => a !== target.address);
  return [fact(target.address, hostname), ...others.map((a) => fact(a, null))];
}

function callTalos(client: TalosClient, address: string, action: PowerAction, signal?: AbortSignal): Promise<{ actorId: string }> {
  switch (action.kind) {
    case "reboot":
      return client.reboot(address, { mode: action.mode ?? "default", signal });
    case "shutdown":
      return client.shutdown(address, { force: action.force ?? false, signal });
    case "reset":
      return client.reset(address, { graceful: action.graceful, reboot: action.reboot ?? false, mode: action.mode, userDisks: action.userDisks, signal });
  }
}

function describe(action: PowerAction, hostname: string): string {
  switch (action.kind) {
    case "reboot":
      return `${hostname} is rebooting${action.mode === "powercycle" ? " (power cycle)" : ""}`;
    case "shutdown":
      return `${hostname} is shutting down${action.force ? " (forced)" : ""}; it stays off until it is powered on`;
    case "reset":
      return `${hostname} is resetting (${action.mode}${action.graceful ? ", graceful" : ""}); it then ${action.reboot ? "reboots into maintenance mode" : "halts"}`;
  }
}

function drainStep(audit: Record<string, unknown>): string {
  switch (audit.drain) {
    case "disabled":
      return "no drain: the drain policy is off";
    case "no-node":
      return "no Kubernetes Node matches the node: nothing to drain";
    case "skipped":
      return `drain skipped (${String(audit.reason ?? "")})`;
    default:
      return `cordoned and drained (${String(audit.drain)}, ${String(audit.evicted ?? 0)} evicted); marked for the uncordon after its boot`;
  }
}
