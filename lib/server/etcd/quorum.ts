import "server-only";

import type { EtcdMemberView, EtcdQuorum } from "@/lib/schemas/etcd";

/**
 * Pure rules of etcd care: the quorum a member view implies, and the order and refusals of
 * defragmentation. etcd's Raft needs ⌊n/2⌋+1 of its n voting members (learners do not vote) to
 * accept writes; a defragment blocks the member it runs on (reads and writes wait), so it runs on
 * one member at a time, followers first and the leader last, and never while a member is already
 * missing (taking one more away could stop the cluster).
 */

/** A member counts as healthy when its EtcdStatus answered, with no errors, and it knows a leader. */
export function memberHealthy(m: EtcdMemberView): boolean {
  return m.reachable && m.errors.length === 0;
}

export function quorumOf(members: EtcdMemberView[], leaderKnown: boolean): EtcdQuorum {
  const voters = members.filter((m) => !m.isLearner);
  const healthy = voters.filter(memberHealthy).length;
  const needed = Math.floor(voters.length / 2) + 1;
  if (voters.length === 0) return { state: "unknown", voters: 0, healthy: 0, needed: 0, tolerates: 0, reason: "No etcd member answered" };
  const tolerates = Math.max(0, healthy - needed);
  if (healthy < needed || !leaderKnown) {
    const why = !leaderKnown && healthy >= needed ? "no member knows a leader" : `${healthy} of ${voters.length} voting members are healthy; etcd needs ${needed}`;
    return { state: "lost", voters: voters.length, healthy, needed, tolerates: 0, reason: `Quorum lost: ${why}` };
  }
  if (healthy < voters.length) {
    const down = voters.filter((m) => !memberHealthy(m)).map((m) => m.hostname || m.id);
    return { state: "degraded", voters: voters.length, healthy, needed, tolerates, reason: `Quorum degraded: ${down.join(", ")} ${down.length === 1 ? "is" : "are"} not healthy; ${tolerates === 0 ? "one more failure stops etcd" : `${tolerates} more can fail`}` };
  }
  return { state: "healthy", voters: voters.length, healthy, needed, tolerates, reason: `All ${voters.length} voting members are healthy; ${tolerates} can fail` };
}

/** Why no defragment may start now, or null. */
export function defragmentRefusal(quorum: EtcdQuorum): string | null {
  if (quorum.state === "healthy") return null;
  if (quorum.state === "unknown") return "Refusing to defragment: Minos cannot tell etcd's quorum (no member answered)";
  return `Refusing to defragment while quorum is ${quorum.state}: ${quorum.reason}. A defragment blocks its member while it runs; wait until every member is healthy`;
}

/**
 * The members to defragment, in order: followers (by hostname, then id, so the order is stable)
 * and the leader last. Learners are followers too. `only` narrows it to one member.
 */
export function defragmentOrder(members: EtcdMemberView[], only?: string): EtcdMemberView[] {
  const picked = only ? members.filter((m) => m.id === only) : members;
  const byName = (a: EtcdMemberView, b: EtcdMemberView) => a.hostname.localeCompare(b.hostname) || a.id.localeCompare(b.id);
  return [...picked.filter((m) => !m.leader).sort(byName), ...picked.filter((m) => m.leader)];
}

/** The member a snapshot is taken from by default: a healthy follower, else the healthy leader. */
export function snapshotSource(members: EtcdMemberView[]): EtcdMemberView | null {
  const usable = members.filter((m) => memberHealthy(m) && !m.isLearner && m.address !== null);
  return usable.find((m) => !m.leader) ?? usable[0] ?? null;
}
