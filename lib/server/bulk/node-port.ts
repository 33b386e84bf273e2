import "server-only";

import type { DrainPolicy } from "@/lib/schemas/kubernetes";
import { drainBeforeApply, type ApplyKubernetes } from "@/lib/server/configs/apply-drain";
import type { NodeDrainer } from "@/lib/server/kubernetes/types";
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

/**
 * What a bulk run does to one node: the per-node action core. Each call does the action once
 * (never retried: a second reboot is not the same request) and answers a sentence for the
 * node's row; the run waits for the node to be back itself. Audit entries are the run's.
 */
export interface BulkNodeActions {
  /** Drains under `drain` (marking the Node for the uncordon after its boot), then reboots. */
  reboot(t: BulkTarget, opts: { mode: "default" | "powercycle"; drain: DrainPolicy }): Promise<string>;
  restartService(t: BulkTarget, service: string): Promise<string>;
  cordon(t: BulkTarget): Promise<string>;
  uncordon(t: BulkTarget): Promise<string>;
}

/**
 * The per-node actions over Talos and Kubernetes directly: the reboot drains with issue 17's
 * single-node drain (apply-drain.ts: cordon, drain, the uncordon-after-boot mark the status job
 * sweeps), then sends MachineService/Reboot; a service restart is MachineService/ServiceRestart
 * (Talos refuses the services its API may not drive, with its own text).
 */
export function directNodeActions(kube: ApplyKubernetes & { drainer: NodeDrainer }): BulkNodeActions {
  return {
    async reboot(t, opts) {
      const drained = await drainBeforeApply(kube, { cluster: t.cluster, address: t.address, policy: opts.drain, explicitPolicy: true, client: t.client });
      try {
        await t.client.reboot(t.address, { mode: opts.mode });
      } catch (e) {
        await drained.undo();
        throw e;
      }
      return [`Reboot sent (${opts.mode})`, ...drained.warnings].join("; ");
    },
    async restartService(t, service) {
      return (await t.client.serviceAction(t.address, "restart", service)).response || `Service "${service}" restarted`;
    },
    async cordon(t) {
      const r = await kube.drainer.cordon({ cluster: t.cluster, address: t.address, hostname: t.hostname });
      return r.changed ? `Cordoned ${r.nodeName}` : `${r.nodeName} was cordoned already`;
    },
    async uncordon(t) {
      const r = await kube.drainer.uncordon({ cluster: t.cluster, address: t.address, hostname: t.hostname });
      return r.changed ? `Uncordoned ${r.nodeName}` : `${r.nodeName} was schedulable already`;
    },
  };
}
