import "server-only";

import type { EtcdCluster, EtcdDefragmentResult, EtcdMemberView } from "@/lib/schemas/etcd";
import { errorText } from "@/lib/server/jobs";
import { AppError } from "@/lib/server/platform/errors";

import { defragmentOrder, defragmentRefusal, memberHealthy } from "./quorum";
import { readEtcd, type ControlPlaneRef, type EtcdTalos, type ReadOptions } from "./view";

/**
 * The etcd actions on a cluster, as pure as their I/O allows: each reads etcd first (so every
 * refusal is about etcd as it is now), then calls Talos on the right member. No audit here: the
 * service (./service.ts) records each call and its outcome.
 */

export interface EtcdActionTarget {
  client: EtcdTalos;
  cluster: string;
  controlPlanes: ControlPlaneRef[];
  opts?: ReadOptions;
}

/** The current view, or a clear error when no control plane answered. */
async function readOrThrow(t: EtcdActionTarget): Promise<EtcdCluster> {
  const view = await readEtcd(t.client, t.cluster, t.controlPlanes, t.opts);
  if (view.error || view.askedNode === null) throw new AppError("node_unreachable", `Cannot read etcd of cluster "${t.cluster}": ${view.error ?? "no control plane answered"}`);
  return view;
}

function memberOrThrow(view: EtcdCluster, id: string): EtcdMemberView {
  const m = view.members.find((x) => x.id === id);
  if (!m) throw new AppError("not_found", `etcd of cluster "${view.cluster}" has no member ${id}`, { details: { members: view.members.map((x) => ({ id: x.id, hostname: x.hostname })) } });
  return m;
}

function addressOrThrow(m: EtcdMemberView): string {
  if (!m.address) throw new AppError("conflict", `Minos cannot tell the address of etcd member ${m.hostname || m.id}`);
  return m.address;
}

/**
 * Defragments one member or all of them: followers first, the leader last, one at a time; each
 * step re-reads etcd and stops the run when quorum is no longer healthy (a member went away while
 * another was being defragmented) or when a step fails. Refused (409) while quorum is degraded.
 */
export async function defragment(t: EtcdActionTarget, only?: string, onStep?: (s: EtcdDefragmentResult["steps"][number]) => void): Promise<EtcdDefragmentResult> {
  const view = await readOrThrow(t);
  if (only) memberOrThrow(view, only);
  const refusal = defragmentRefusal(view.quorum);
  if (refusal) throw new AppError("conflict", refusal, { details: { quorum: view.quorum } });
  const order = defragmentOrder(view.members, only);
  const steps: EtcdDefragmentResult["steps"] = [];
  let stop: string | null = null;
  for (const planned of order) {
    const step = { memberId: planned.id, hostname: planned.hostname, leader: planned.leader, dbSizeBefore: planned.dbSize, dbSizeAfter: null as number | null };
    if (stop) {
      steps.push({ ...step, state: "skipped", error: stop });
      continue;
    }
    // Between members: etcd as it is now (the one before may have been slow to come back).
    const now = steps.length === 0 ? view : await readOrThrow(t);
    const again = defragmentRefusal(now.quorum);
    const member = now.members.find((m) => m.id === planned.id);
    if (again || !member || !memberHealthy(member)) {
      stop = again ?? `Member ${planned.hostname || planned.id} is not healthy now; stopped before defragmenting it`;
      steps.push({ ...step, state: "skipped", error: stop });
      continue;
    }
    try {
      await t.client.etcdDefragment(addressOrThrow(member), t.opts);
      const after = await t.client.etcdStatus(member.address!, t.opts).catch(() => null);
      const done = { ...step, dbSizeBefore: member.dbSize, dbSizeAfter: after?.dbSize ?? null, state: "done" as const };
      steps.push(done);
      onStep?.(done);
    } catch (e) {
      stop = `Defragmenting ${planned.hostname || planned.id} failed; the members after it were left alone`;
      const failed = { ...step, state: "failed" as const, error: errorText(e) };
      steps.push(failed);
      onStep?.(failed);
    }
  }
  return { cluster: t.cluster, steps };
}

/** Disarms every alarm (etcd's AlarmDisarm is cluster-wide), asked of a healthy member. */
export async function disarm(t: EtcdActionTarget) {
  const view = await readOrThrow(t);
  const m = view.members.find(memberHealthy) ?? view.members.find((x) => x.address !== null);
  if (!m) throw new AppError("node_unreachable", `No etcd member of cluster "${t.cluster}" answers`);
  const disarmed = await t.client.etcdAlarmDisarm(addressOrThrow(m), t.opts);
  return { cluster: t.cluster, disarmed };
}

/** Moves leadership away from `member` (it must lead); Talos picks the new leader. */
export async function forfeitLeadership(t: EtcdActionTarget, member: string) {
  const view = await readOrThrow(t);
  const m = memberOrThrow(view, member);
  if (!m.leader) throw new AppError("conflict", `etcd member ${m.hostname || m.id} does not lead; ${view.members.find((x) => x.leader)?.hostname ?? "no member"} does`);
  const { member: newLeader } = await t.client.etcdForfeitLeadership(addressOrThrow(m), t.opts);
  return { cluster: t.cluster, member, newLeader };
}

/**
 * Removes `member` from etcd, asked of another member (a member cannot remove itself through
 * Talos's API: its etcd stops answering mid-call). Refused when the cluster would lose quorum.
 */
export async function removeMember(t: EtcdActionTarget, member: string) {
  const view = await readOrThrow(t);
  const m = memberOrThrow(view, member);
  const others = view.members.filter((x) => x.id !== member);
  const via = others.find((x) => memberHealthy(x) && x.address !== null);
  if (!via) throw new AppError("conflict", `No other healthy etcd member of cluster "${t.cluster}" can remove ${m.hostname || m.id}`);
  if (!m.isLearner) {
    // After the removal, n-1 voters need ⌊(n-1)/2⌋+1 healthy among the others.
    const voters = others.filter((x) => !x.isLearner);
    const healthy = voters.filter(memberHealthy).length;
    const needed = Math.floor(voters.length / 2) + 1;
    if (healthy < needed) throw new AppError("conflict", `Removing ${m.hostname || m.id} would leave ${healthy} healthy of ${voters.length} voting members; etcd needs ${needed}`, { details: { quorum: view.quorum } });
  }
  await t.client.etcdRemoveMemberById(via.address!, member, t.opts);
  return { cluster: t.cluster, member, hostname: m.hostname, askedNode: via.node ?? via.address! };
}
