import "server-only";

import { matchKubeNode } from "./match";
import { MINOS_CORDONED_ANNOTATION, UNCORDON_AFTER_BOOT_ANNOTATION, type CallOpts, type KubeApi, type KubeNode } from "./types";

/**
 * The uncordon after a single-node apply's reboot (configs/apply-drain.ts), done by the status
 * job rather than the request: a Node marked with {@link UNCORDON_AFTER_BOOT_ANNOTATION} (the
 * boot identity before the apply) is uncordoned once its Talos node booted again (another boot
 * identity, running and ready as far as the poller knows) and the Node is Ready; then the mark
 * goes. Only Minos's cordon is lifted (onlyIfMinos): a person's cordon stays, only the mark goes.
 * Idempotent: replicas that sweep the same Node at once write the same patch.
 */

/** A Talos node as the fleet poller knows it. `running` false: not (yet) running and ready; absent: unknown. */
export interface SweepTalosNode {
  address: string;
  hostname: string | null;
  running?: boolean;
}

export interface UncordonSweepDeps {
  /**
   * Whether the node booted since `before` (the boot identity stored in the mark; see
   * lib/server/jobs bootIdentity/sameBoot, wired in runtime.ts); throws when the node does not answer.
   */
  bootedSince(cluster: string, address: string, before: string): Promise<boolean>;
}

/** Returns the Node names it uncordoned (or unmarked). Never throws: a Node that fails is tried at the next sweep. */
export async function sweepUncordonAfterBoot(api: KubeApi, cluster: string, nodes: readonly KubeNode[], talosNodes: readonly SweepTalosNode[], deps: UncordonSweepDeps, opts?: CallOpts): Promise<string[]> {
  const done: string[] = [];
  for (const t of talosNodes) {
    const n = matchKubeNode(nodes, t);
    const before = n?.annotations[UNCORDON_AFTER_BOOT_ANNOTATION];
    if (!n || before === undefined || n.ready !== true || t.running === false) continue;
    try {
      if (!(await deps.bootedSince(cluster, t.address, before))) continue;
      const ours = n.annotations[MINOS_CORDONED_ANNOTATION] !== undefined;
      await api.setUnschedulable(n.name, ours ? false : n.unschedulable, ours ? { [MINOS_CORDONED_ANNOTATION]: null, [UNCORDON_AFTER_BOOT_ANNOTATION]: null } : { [UNCORDON_AFTER_BOOT_ANNOTATION]: null }, opts);
      done.push(n.name);
    } catch (e) {
      console.error(`[minos] uncordon of ${n.name} after its reboot failed; tried again at the next status read: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  return done;
}
