import type { SortDirection } from "@/components/ui/table";
import { kubeReadyRank, kubeReadyState } from "@/components/kubernetes/kube-status";
import { memoryAvailableRatio, nodeName, nodeStatus, statusRank } from "@/components/fleet/node-status";
import type { NodeRole, NodeStage, NodeSummary, ProblemKind } from "@/lib/schemas/fleet";
import { NODE_ROLES, NODE_STAGES, PROBLEM_KINDS } from "@/lib/schemas/values";
import { compareVersionStrings } from "@/lib/talos/version";

export const sortKeys = ["status", "node", "cluster", "role", "stage", "version", "lastSeen", "memory", "load", "kubeReady", "kubelet", "cordoned", "pods"] as const;
export type SortKey = (typeof sortKeys)[number];

/** `any`: at least one problem; `none`: no problem; else a problem kind. */
export type ProblemFilter = ProblemKind | "any" | "none";

/** Kubernetes's view: nodes whose Ready condition is not True (false or unknown), or cordoned ones. */
export const kubeFilters = ["not_ready", "cordoned"] as const;
export type KubeFilter = (typeof kubeFilters)[number];

/** The Nodes table's view, all of it in the URL so a view can be shared as a link. */
export interface NodeFilters {
  q: string;
  cluster: string | null;
  role: NodeRole | null;
  stage: NodeStage | null;
  version: string | null;
  problem: ProblemFilter | null;
  kube: KubeFilter | null;
  sort: SortKey;
  dir: SortDirection;
}

export const defaultFilters: NodeFilters = { q: "", cluster: null, role: null, stage: null, version: null, problem: null, kube: null, sort: "status", dir: "asc" };

type Params = Pick<URLSearchParams, "get">;

function oneOf<T extends string>(values: readonly T[], raw: string | null): T | null {
  return raw !== null && (values as readonly string[]).includes(raw) ? (raw as T) : null;
}

/** Reads filters from a URL's query; unknown values fall back to "no filter" rather than failing. */
export function parseNodeFilters(params: Params): NodeFilters {
  return {
    q: params.get("q") ?? "",
    cluster: params.get("cluster") || null,
    role: oneOf(NODE_ROLES, params.get("role")),
    stage: oneOf(NODE_STAGES, params.get("stage")),
    version: params.get("version") || null,
    problem: oneOf<ProblemFilter>([...PROBLEM_KINDS, "any", "none"], params.get("problem")),
    kube: oneOf(kubeFilters, params.get("k8s")),
    sort: oneOf(sortKeys, params.get("sort")) ?? defaultFilters.sort,
    dir: params.get("dir") === "desc" ? "desc" : "asc",
  };
}

/** Writes filters into `base` (keeping its other parameters); defaults are left out of the URL. */
export function writeNodeFilters(filters: NodeFilters, base: URLSearchParams = new URLSearchParams()): URLSearchParams {
  const next = new URLSearchParams(base);
  const set = (key: string, value: string | null, fallback: string | null = null) => {
    if (value === null || value === "" || value === fallback) next.delete(key);
    else next.set(key, value);
  };
  set("q", filters.q.trim() === "" ? null : filters.q);
  set("cluster", filters.cluster);
  set("role", filters.role);
  set("stage", filters.stage);
  set("version", filters.version);
  set("problem", filters.problem);
  set("k8s", filters.kube);
  set("sort", filters.sort, defaultFilters.sort);
  set("dir", filters.dir, defaultFilters.dir);
  return next;
}

/** True when anything narrows the list (sorting doesn't). */
export function isFiltered(f: NodeFilters): boolean {
  return f.q.trim() !== "" || f.cluster !== null || f.role !== null || f.stage !== null || f.version !== null || f.problem !== null || f.kube !== null;
}

function matchesKube(node: NodeSummary, kube: KubeFilter): boolean {
  const k = node.kubernetes;
  // A node whose status is not tracked at all is not "not ready": nothing says so.
  if (kube === "not_ready") return k !== undefined && k.ready !== true;
  return k?.unschedulable === true;
}

function matchesProblem(node: NodeSummary, problem: ProblemFilter): boolean {
  if (problem === "any") return node.problems.length > 0;
  if (problem === "none") return node.problems.length === 0;
  return node.problems.some((p) => p.kind === problem);
}

/** The nodes that pass every filter. Search matches name, address, cluster and version, ignoring case. */
export function filterNodes(nodes: readonly NodeSummary[], f: NodeFilters): NodeSummary[] {
  const terms = f.q.toLowerCase().split(/\s+/).filter(Boolean);
  return nodes.filter((n) => {
    if (f.cluster !== null && n.cluster !== f.cluster) return false;
    if (f.role !== null && n.role !== f.role) return false;
    if (f.stage !== null && n.stage !== f.stage) return false;
    if (f.version !== null && n.talosVersion !== f.version) return false;
    if (f.problem !== null && !matchesProblem(n, f.problem)) return false;
    if (f.kube !== null && !matchesKube(n, f.kube)) return false;
    if (terms.length > 0) {
      const haystack = `${n.hostname ?? ""} ${n.address} ${n.cluster} ${n.talosVersion ?? ""}`.toLowerCase();
      if (!terms.every((t) => haystack.includes(t))) return false;
    }
    return true;
  });
}

// Numeric collation puts 10.0.0.9 before 10.0.0.10 and worker-2 before worker-10.
const collator = new Intl.Collator("en", { numeric: true, sensitivity: "base" });

/**
 * Orders what nodes report by Talos's version order (v1.9.5 < v1.10.3, v1.14.0-rc.1 < v1.14.0);
 * a string that is not a version after every version, a missing version last.
 */
export function compareVersions(a: string | null, b: string | null): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  return compareVersionStrings(a, b);
}

function compareNullableNumbers(a: number | null, b: number | null): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  return a - b;
}

function cordonRank(n: NodeSummary): number {
  const u = n.kubernetes?.unschedulable;
  return u === true ? 0 : u === false ? 1 : 2;
}

const roleRank: Record<NodeRole, number> = { controlplane: 0, worker: 1, unknown: 2 };
const stageRank: Record<NodeStage, number> = Object.fromEntries(NODE_STAGES.map((s, i) => [s, i])) as Record<NodeStage, number>;

function compareBy(key: SortKey, a: NodeSummary, b: NodeSummary): number {
  switch (key) {
    case "status":
      return statusRank[nodeStatus(a)] - statusRank[nodeStatus(b)];
    case "node":
      return collator.compare(nodeName(a), nodeName(b)) || collator.compare(a.address, b.address);
    case "cluster":
      return collator.compare(a.cluster, b.cluster);
    case "role":
      return roleRank[a.role] - roleRank[b.role];
    case "stage":
      return stageRank[a.stage] - stageRank[b.stage];
    case "version":
      return compareVersions(a.talosVersion, b.talosVersion);
    case "lastSeen":
      return compareNullableNumbers(a.lastSeen ? Date.parse(a.lastSeen) : null, b.lastSeen ? Date.parse(b.lastSeen) : null);
    case "memory":
      return compareNullableNumbers(memoryAvailableRatio(a), memoryAvailableRatio(b));
    case "load":
      return compareNullableNumbers(a.load1, b.load1);
    case "kubeReady":
      return kubeReadyRank[kubeReadyState(a.kubernetes)] - kubeReadyRank[kubeReadyState(b.kubernetes)];
    case "kubelet":
      return compareVersions(a.kubernetes?.kubeletVersion ?? null, b.kubernetes?.kubeletVersion ?? null);
    case "cordoned":
      // Cordoned first when ascending: the column exists to find them.
      return cordonRank(a) - cordonRank(b);
    case "pods":
      return compareNullableNumbers(a.kubernetes?.pods ?? null, b.kubernetes?.pods ?? null);
  }
}

/**
 * A sorted copy. Ties fall back to cluster, then name, so the order is stable between live
 * updates and rows don't jump while the operator reads them. Unknown values sort last in both
 * directions: a node that never answered is never "the most recently seen".
 */
export function sortNodes(nodes: readonly NodeSummary[], key: SortKey, dir: SortDirection): NodeSummary[] {
  const sign = dir === "asc" ? 1 : -1;
  const unknownLast = (n: NodeSummary) =>
    (key === "lastSeen" && n.lastSeen === null) ||
    (key === "version" && n.talosVersion === null) ||
    (key === "memory" && memoryAvailableRatio(n) === null) ||
    (key === "load" && n.load1 === null) ||
    (key === "kubelet" && (n.kubernetes?.kubeletVersion ?? null) === null) ||
    (key === "pods" && (n.kubernetes?.pods ?? null) === null) ||
    (key === "cordoned" && (n.kubernetes?.unschedulable ?? null) === null) ||
    (key === "kubeReady" && n.kubernetes === undefined);
  return [...nodes].sort((a, b) => {
    const ua = unknownLast(a);
    const ub = unknownLast(b);
    if (ua !== ub) return ua ? 1 : -1;
    const primary = ua ? 0 : compareBy(key, a, b) * sign;
    return primary || collator.compare(a.cluster, b.cluster) || collator.compare(nodeName(a), nodeName(b)) || collator.compare(a.id, b.id);
  });
}

/** The distinct Talos versions in use, oldest first, for the version filter. */
export function versionsOf(nodes: readonly NodeSummary[]): string[] {
  const set = new Set<string>();
  for (const n of nodes) if (n.talosVersion) set.add(n.talosVersion);
  return [...set].sort(compareVersions);
}
