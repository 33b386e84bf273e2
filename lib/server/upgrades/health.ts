import "server-only";

import { sameTalosVersion } from "@/lib/talos/version";

/** What the runner observed of a node after its reboot (one poll). */
export interface HealthFacts {
  reachable: boolean;
  /** Why it was not reachable (the client error). */
  error?: string;
  stage?: string;
  ready?: boolean;
  unmetConditions?: { name: string; reason: string }[];
  version?: string;
  bootId?: string;
  /** Services that run and have a health check that fails. */
  unhealthyServices?: string[];
  /** Control planes: etcd as seen through this node. */
  etcd?: { members: number; healthy: number; leader: boolean; error?: string };
}

export interface HealthExpectations {
  targetVersion: string;
  /** Boot identity before the reboot; the node must have a different one. */
  bootIdBefore: string | null;
  role: "controlplane" | "worker";
  /** etcd members the plan started with (control planes must see them all healthy). */
  etcdMembers: number | null;
}

export type HealthVerdict = { ok: true } | { ok: false; reason: string };

/**
 * The health gate after a node's reboot (pure): RUNNING and ready, on the target version, with a
 * new boot identity, every health-checked service healthy, and on control planes etcd healthy
 * with all its members and a leader. The first unmet condition is the reason.
 */
export function evaluateHealth(f: HealthFacts, e: HealthExpectations): HealthVerdict {
  if (!f.reachable) return { ok: false, reason: `unreachable${f.error ? ` (${f.error})` : ""}` };
  if (f.stage !== undefined && f.stage !== "running") return { ok: false, reason: `stage is ${f.stage}` };
  if (f.bootId !== undefined && e.bootIdBefore !== null && f.bootId === e.bootIdBefore) return { ok: false, reason: "has not rebooted yet (same boot ID)" };
  if (f.version !== undefined && !sameTalosVersion(f.version, e.targetVersion)) {
    return { ok: false, reason: `runs ${f.version}, not ${e.targetVersion}` };
  }
  if (f.unhealthyServices && f.unhealthyServices.length > 0) {
    return { ok: false, reason: `service${f.unhealthyServices.length > 1 ? "s" : ""} ${f.unhealthyServices.join(", ")} unhealthy` };
  }
  if (f.ready === false) {
    const unmet = (f.unmetConditions ?? []).map((c) => c.reason || c.name).join("; ");
    return { ok: false, reason: `not ready${unmet ? `: ${unmet}` : ""}` };
  }
  if (e.role === "controlplane") {
    if (!f.etcd) return { ok: false, reason: "etcd not checked yet" };
    if (f.etcd.error) return { ok: false, reason: `etcd: ${f.etcd.error}` };
    if (e.etcdMembers !== null && f.etcd.members < e.etcdMembers) return { ok: false, reason: `etcd has ${f.etcd.members} of ${e.etcdMembers} members` };
    if (f.etcd.healthy < f.etcd.members) return { ok: false, reason: `etcd: ${f.etcd.members - f.etcd.healthy} of ${f.etcd.members} members unhealthy` };
    if (!f.etcd.leader) return { ok: false, reason: "etcd has no leader" };
  }
  if (f.version === undefined || f.stage === undefined || f.ready === undefined) return { ok: false, reason: "status not read yet" };
  return { ok: true };
}
