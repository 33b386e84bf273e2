import "server-only";

import type { Role } from "@/lib/schemas/auth";
import type { DrainPolicy } from "@/lib/schemas/kubernetes";
import type { NodeDrainer } from "@/lib/server/kubernetes/types";
import { runNodeAction, type NodeActionDeps } from "@/lib/server/node-actions";
import { recordAudit } from "@/lib/server/platform/audit";
import type { Db } from "@/lib/server/platform/db/db";
import type { TalosClient } from "@/lib/server/talos";

/** One node of a bulk run, as the per-node action sees it. */
export interface BulkTarget {
  id: string;
  cluster: string;
  address: string;
  hostname: string | null;
  role: "controlplane" | "worker";
  client: TalosClient;
}

/** Who acts: the run's author with the role they had when they made it, and the run. */
export interface BulkActor {
  label: string;
  role: Role;
  runId: string;
}

/**
 * What a bulk run does to one node. Each call does the action once (never retried: a second
 * reboot is not the same request) and answers a sentence for the node's row; the run waits for
 * the node to be back itself. Each call audits the node's action.
 */
export interface BulkNodeActions {
  /** The node-action core's reboot: its checks (roles, the etcd quorum guard, the node's slot), drain, leadership hand-over, Reboot. */
  reboot(t: BulkTarget, opts: { mode: "default" | "powercycle"; drain: DrainPolicy }, who: BulkActor): Promise<string>;
  /** The node-action core's ServiceRestart (Talos's rules on which services its API drives). */
  restartService(t: BulkTarget, service: string, who: BulkActor): Promise<string>;
  cordon(t: BulkTarget, who: BulkActor): Promise<string>;
  uncordon(t: BulkTarget, who: BulkActor): Promise<string>;
}

const joined = (r: { message: string; warnings: string[] }) => [r.message, ...r.warnings].join("; ");

/**
 * The per-node actions: reboot and service restart through the node-action core
 * (lib/server/node-actions, shared with the node page), run as part of the bulk run so the
 * run itself is not taken for a run beside them; cordon and uncordon through the Kubernetes
 * drainer, audited as the node routes audit them.
 */
export function coreNodeActions(deps: NodeActionDeps & { db: Db }, drainer: NodeDrainer): BulkNodeActions {
  const ctx = (who: BulkActor) => ({ actor: { label: who.label, role: who.role }, run: { kind: "bulk" as const, id: who.runId } });
  const schedule = async (t: BulkTarget, who: BulkActor, cordon: boolean): Promise<string> => {
    const action = cordon ? "node.cordon" : "node.uncordon";
    try {
      const ref = { cluster: t.cluster, address: t.address, hostname: t.hostname };
      const r = cordon ? await drainer.cordon(ref) : await drainer.uncordon(ref);
      await recordAudit(deps.db, { actor: who.label, action, target: t.id, result: "ok", details: { nodeName: r.nodeName, changed: r.changed, run: who.runId } });
      if (cordon) return r.changed ? `Cordoned ${r.nodeName}` : `${r.nodeName} was cordoned already`;
      return r.changed ? `Uncordoned ${r.nodeName}` : `${r.nodeName} was schedulable already`;
    } catch (e) {
      await recordAudit(deps.db, { actor: who.label, action, target: t.id, result: "failed", details: { run: who.runId, error: e instanceof Error ? e.message : String(e) } }).catch(() => {});
      throw e;
    }
  };
  return {
    reboot: async (t, opts, who) => joined(await runNodeAction(deps, t.id, { kind: "reboot", mode: opts.mode, drain: opts.drain }, ctx(who))),
    restartService: async (t, service, who) => joined(await runNodeAction(deps, t.id, { kind: "service", action: "restart", service }, ctx(who))),
    cordon: (t, who) => schedule(t, who, true),
    uncordon: (t, who) => schedule(t, who, false),
  };
}
