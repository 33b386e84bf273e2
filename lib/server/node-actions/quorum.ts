import "server-only";

import type { EtcdFacts } from "@/lib/server/upgrades/plan";

/**
 * The quorum guard before a control plane goes down (reboot, shutdown, reset), pure: the same
 * facts and arithmetic the upgrade planner checks before each control plane's reboot
 * (upgrades/probes.ts etcdFacts, fleet/health.ts etcdQuorum), for one node at a time.
 */

export interface QuorumSubject {
  hostname: string | null;
  address: string;
}

export type QuorumVerdict =
  | {
      ok: true;
      /** The node is a voting member of etcd. */
      member: boolean;
      /** The node leads etcd now (forfeit before it goes down). */
      leads: boolean;
      /** What the check saw, for the response's steps. */
      note: string;
      warning?: string;
    }
  | { ok: false; reason: string };

/** Voters needed for quorum: floor(n/2)+1. */
export function quorumOf(members: number): number {
  return Math.floor(members / 2) + 1;
}

const nameOf = (s: QuorumSubject) => s.hostname ?? s.address;

/**
 * Whether `subject` may go down without etcd losing quorum. A cluster of one member has no
 * quorum to keep (it is down until the node is back): allowed, with a warning. A node that is
 * not a voting member (a learner, removed) does not count. `down` names the members already
 * counted out of `etcd.healthy` because they were sent down and have not booted since
 * (power-guard.ts): the refusal says why.
 */
export function quorumVerdict(etcd: EtcdFacts, subject: QuorumSubject, verb: string, down: readonly { member: string; why: string }[] = []): QuorumVerdict {
  const who = nameOf(subject);
  if (etcd.error) return { ok: false, reason: `etcd health could not be read (${etcd.error}), so Minos cannot tell whether ${verb} ${who} keeps etcd quorum` };
  const names = [subject.hostname, subject.address].filter((x): x is string => !!x);
  const memberName = etcd.members.find((m) => names.includes(m));
  const leads = etcd.leader !== null && names.includes(etcd.leader);
  const total = etcd.members.length;
  const healthy = etcd.healthy.length;
  if (memberName === undefined) {
    return { ok: true, member: false, leads: false, note: `etcd: ${who} is not a voting member (${healthy} of ${total} healthy); quorum does not depend on it` };
  }
  if (total === 1) {
    return {
      ok: true,
      member: true,
      leads,
      note: `etcd: ${who} is the only member`,
      warning: `${who} is the cluster's only etcd member: etcd and the Kubernetes API are down until it is back`,
    };
  }
  const need = quorumOf(total);
  const after = healthy - (etcd.healthy.includes(memberName) ? 1 : 0);
  if (after < need) {
    const sick = etcd.members.filter((m) => !etcd.healthy.includes(m) && m !== memberName);
    return {
      ok: false,
      reason: `${verb} ${who} would break etcd quorum: ${healthy} of ${total} members are healthy${sick.length > 0 ? ` (${sick.join(", ")} not)` : ""}, quorum needs ${need}, and ${after} would be left${down.length > 0 ? ` (${down.map((d) => d.why).join("; ")})` : ""}. Bring the other members back first`,
    };
  }
  return { ok: true, member: true, leads, note: `etcd keeps quorum without ${who}: ${after} of ${total} members stay healthy, ${need} needed${etcd.leader ? `; leader ${etcd.leader}` : ""}` };
}
