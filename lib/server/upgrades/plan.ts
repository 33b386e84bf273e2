import "server-only";

import type { PlannedNode, UpgradeCheck, UpgradePreview, UpgradeStrategy } from "@/lib/schemas/upgrades";
import { compareTalosVersions, isTalosTag, sameTalosVersion } from "@/lib/talos/version";
import { drainStepLabel } from "@/lib/server/jobs/drain-step";
import { minimumUpgradeSource, upgradePathFor } from "@/lib/talos/upgrade";

/** What the planner knows about one node, gathered by the runner before planning. */
export interface NodeFacts {
  /** `address@cluster`. */
  id: string;
  address: string;
  hostname: string | null;
  /** null when the node could not be asked. */
  role: "controlplane" | "worker" | null;
  version: string | null;
  reachable: boolean;
  /** Why it could not be reached or read. */
  error?: string;
}

/** etcd as seen from the control planes. */
export interface EtcdFacts {
  /** Voting members by hostname (or member id when the hostname is empty). */
  members: string[];
  /** Members whose status answered without errors. */
  healthy: string[];
  /** The leader's member name, null when there is none. */
  leader: string | null;
  /** Why etcd could not be read at all. */
  error?: string;
}

export interface PlanInput {
  cluster: string;
  targetVersion: string;
  image: string;
  strategy: UpgradeStrategy;
  nodes: NodeFacts[];
  /** null on clusters without a readable control plane. */
  etcd: EtcdFacts | null;
}

const byName = (a: NodeFacts, b: NodeFacts) => (a.hostname ?? a.address).localeCompare(b.hostname ?? b.address, "en", { numeric: true });

/**
 * Orders the nodes and checks them (pure). Control planes come first, each in its own batch, so
 * never two are down at once; the etcd leader goes last among them so leadership moves once.
 * Workers follow in batches of `maxParallelWorkers`. A check of level `error` makes the plan
 * unstartable: an unsupported version jump (Talos's `MinimumHostUpgradeVersion`), an unreachable node or one of
 * unknown role, and etcd not healthy with every member (a warning with `force`).
 */
export function buildPlan(input: PlanInput): UpgradePreview {
  const { targetVersion, strategy } = input;
  const checks: UpgradeCheck[] = [];
  const min = minimumUpgradeSource(targetVersion);

  for (const n of input.nodes) {
    if (!n.reachable) {
      checks.push({ level: "error", code: "unreachable", node: n.id, message: `${label(n)} is unreachable${n.error ? `: ${n.error}` : ""}. Bring it back or leave it out of the plan.` });
      continue;
    }
    if (n.role === null) {
      checks.push({ level: "error", code: "unknown_role", node: n.id, message: `${label(n)}: its role (control plane or worker) could not be read${n.error ? `: ${n.error}` : ""}.` });
    }
    if (n.version === null || !isTalosTag(n.version)) {
      checks.push({ level: "error", code: "unknown_version", node: n.id, message: `${label(n)} reports no usable Talos version (${n.version ?? "none"}).` });
      continue;
    }
    if (sameTalosVersion(n.version, targetVersion)) {
      checks.push({ level: "ok", code: "already_on_target", node: n.id, message: `${label(n)} already runs ${targetVersion}: it will be marked done without an upgrade.` });
    } else if (compareTalosVersions(n.version, min) < 0) {
      checks.push({
        level: "error",
        code: "version_jump",
        node: n.id,
        message: `${label(n)} runs ${n.version}; Talos ${targetVersion} accepts upgrades only from ${min} or newer. Upgrade it to an intermediate version first.`,
      });
    } else if (compareTalosVersions(n.version, targetVersion) > 0) {
      checks.push({ level: "warn", code: "downgrade", node: n.id, message: `${label(n)} runs ${n.version}, newer than ${targetVersion}: this is a downgrade.` });
    }
  }

  const cps = input.nodes.filter((n) => n.role === "controlplane");
  checks.push(...etcdChecks(input.etcd, cps, strategy.force));

  // Leader last: upgrading it moves leadership, which the others then keep.
  const leader = input.etcd?.leader ?? null;
  const isLeader = (n: NodeFacts) => leader !== null && (n.hostname === leader || n.address === leader);
  const orderedCps = [...cps].sort((a, b) => Number(isLeader(a)) - Number(isLeader(b)) || byName(a, b));
  const workers = input.nodes.filter((n) => n.role !== "controlplane").sort(byName);

  const batches: UpgradePreview["batches"] = [];
  for (const cp of orderedCps) batches.push({ index: batches.length, role: "controlplane", nodes: [cp.id] });
  for (let i = 0; i < workers.length; i += strategy.maxParallelWorkers) {
    batches.push({ index: batches.length, role: "worker", nodes: workers.slice(i, i + strategy.maxParallelWorkers).map((w) => w.id) });
  }

  const facts = new Map(input.nodes.map((n) => [n.id, n]));
  const nodes: PlannedNode[] = batches.flatMap((b) =>
    b.nodes.map((id) => {
      const n = facts.get(id)!;
      return {
        id,
        address: n.address,
        hostname: n.hostname,
        role: b.role,
        batch: b.index,
        position: 0,
        fromVersion: n.version,
        alreadyOnTarget: n.version !== null && isTalosTag(n.version) && sameTalosVersion(n.version, targetVersion),
        steps: [] as string[],
      };
    }),
  );
  nodes.forEach((n, i) => {
    n.position = i;
    n.steps = plannedSteps(n, input.image, strategy, leader !== null && isLeader(facts.get(n.id)!));
  });
  const upgradedWorkers = nodes.filter((n) => n.role === "worker" && !n.alreadyOnTarget).length;
  if (strategy.drain.enabled && upgradedWorkers > 1 && strategy.maxParallelWorkers >= upgradedWorkers) {
    checks.push({
      level: "warn",
      code: "drain_all_workers",
      message: `All ${upgradedWorkers} workers are drained at once: pods evicted from them have no worker to move to, so a PodDisruptionBudget may block the drain until its timeout (${strategy.drain.timeoutSeconds} s, then ${strategy.drain.onTimeout === "halt" ? "the upgrade waits for a person" : "the pods are deleted"}). Fewer workers at once lets them move.`,
    });
  }
  const legacy = nodes.filter((n) => !n.alreadyOnTarget && n.fromVersion !== null && upgradePathFor(n.fromVersion) === "legacy");
  if (legacy.length > 0 && strategy.drain.enabled) {
    checks.push({
      level: "ok",
      code: "legacy_drain",
      message: `${legacy.length} node${legacy.length > 1 ? "s take" : " takes"} the legacy upgrade (MachineService/Upgrade, before 1.13): Talos cordons and drains ${legacy.length > 1 ? "them" : "it"} itself (a pod it cannot evict within 5 minutes is logged and left: the upgrade goes on and reboots the node with it); Minos does not.`,
    });
  }

  if (nodes.length === 0) checks.push({ level: "error", code: "no_nodes", message: "There is no node to upgrade." });
  else if (nodes.every((n) => n.alreadyOnTarget)) checks.push({ level: "ok", code: "nothing_to_do", message: `Every node already runs ${targetVersion}.` });
  if (strategy.force) checks.push({ level: "warn", code: "force", message: "Force is on: etcd health is not required, and Talos skips its own etcd checks on legacy upgrades." });

  return {
    cluster: input.cluster,
    targetVersion,
    image: input.image,
    strategy,
    nodes,
    batches,
    checks,
    canStart: !checks.some((c) => c.level === "error"),
  };
}

function etcdChecks(etcd: EtcdFacts | null, cps: NodeFacts[], force: boolean): UpgradeCheck[] {
  if (cps.length === 0) return [];
  const level = force ? "warn" : "error";
  if (etcd === null || etcd.error) {
    return [{ level, code: "etcd", message: `etcd health could not be read${etcd?.error ? `: ${etcd.error}` : ""}.` }];
  }
  const problems: string[] = [];
  const sick = etcd.members.filter((m) => !etcd.healthy.includes(m));
  if (sick.length > 0) problems.push(`member${sick.length > 1 ? "s" : ""} ${sick.join(", ")} not healthy`);
  const names = new Set(etcd.members);
  const missing = cps.filter((n) => !names.has(n.hostname ?? "") && !names.has(n.address));
  if (missing.length > 0) problems.push(`${missing.map(label).join(", ")} not ${missing.length > 1 ? "members" : "a member"}`);
  if (etcd.leader === null) problems.push("no leader");
  if (problems.length > 0) {
    return [{ level, code: "etcd", message: `etcd is not healthy with all members: ${problems.join("; ")}. Upgrading a control plane now could lose quorum.` }];
  }
  const tolerate = Math.floor((etcd.members.length - 1) / 2);
  return [
    {
      level: "ok",
      code: "etcd",
      message: `etcd is healthy: ${etcd.members.length} of ${etcd.members.length} members, leader ${etcd.leader}; one control plane down at a time leaves quorum (tolerates ${tolerate}).`,
    },
  ];
}

/**
 * What the runner will do to a node, in order (the preview's `steps`). The drain sits between
 * the install and the reboot on the lifecycle path; the legacy path drains inside Talos.
 */
export function plannedSteps(n: Pick<PlannedNode, "role" | "fromVersion" | "alreadyOnTarget">, image: string, strategy: UpgradeStrategy, leader: boolean): string[] {
  if (n.alreadyOnTarget) return ["none: already on the target"];
  const gate = `health gate (${strategy.healthTimeoutSeconds} s)`;
  if (n.fromVersion !== null && upgradePathFor(n.fromVersion) === "legacy") {
    return [`legacy MachineService/Upgrade with ${image}: Talos cordons and drains the node itself (5 min, then goes on with what is left), installs and reboots`, gate];
  }
  return [
    `pull ${image}`,
    "install (LifecycleService/Upgrade)",
    drainStepLabel(strategy.drain),
    ...(n.role === "controlplane" ? [leader ? "forfeit etcd leadership (it leads now)" : "forfeit etcd leadership if it leads by then"] : []),
    `reboot (${strategy.rebootMode})`,
    gate,
    ...(strategy.drain.enabled ? ["uncordon"] : []),
  ];
}

function label(n: { hostname: string | null; address: string }): string {
  return n.hostname ? `${n.hostname} (${n.address})` : n.address;
}
