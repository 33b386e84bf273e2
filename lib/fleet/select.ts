/**
 * THE selector matcher (grammar: lib/schemas/selector.ts). Manifest patches, rollout targets and
 * bulk actions all decide "is this node selected" here, so one selector means the same nodes
 * everywhere. Pure and isomorphic: the nodes table previews a selection with it in the browser,
 * and the server resolves the same selection with it.
 */
import type { NodeSelector } from "@/lib/schemas/selector";
import { parseTalosVersion, sameTalosVersion, type TalosVersion } from "@/lib/talos/version";
import { globMatch } from "@/lib/utils/glob";

/** What a selector can look at. Unknown facts (null, absent) never match a condition on them. */
export interface SelectableNode {
  /** `address@cluster` (fleet nodes); absent for a manifest's node. */
  id?: string;
  cluster?: string;
  address: string;
  hostname: string | null;
  /** `unknown` (a fleet node not yet classified) matches no role condition. */
  role: string;
  talosVersion?: string | null;
  /** Minos labels, declared in the cluster manifest; absent: none. */
  labels?: Readonly<Record<string, string>>;
}

/** A cache of hostname glob results (e.g. per manifest: one glob match per glob and node). */
export type HostnameMatcher = (glob: string, node: SelectableNode) => boolean;

const defaultHostname: HostnameMatcher = (glob, node) => node.hostname !== null && globMatch(glob, node.hostname);

/** Selector `nodes` lists as sets, built once per list. */
const nodeSets = new WeakMap<readonly string[], Set<string>>();
function nodeSet(list: readonly string[]): Set<string> {
  let s = nodeSets.get(list);
  if (!s) {
    s = new Set(list);
    nodeSets.set(list, s);
  }
  return s;
}

const parsedVersions = new Map<string, TalosVersion | null>();
function parsed(v: string): TalosVersion | null {
  let p = parsedVersions.get(v);
  if (p === undefined) {
    p = parseTalosVersion(v);
    if (parsedVersions.size >= 1024) parsedVersions.clear();
    parsedVersions.set(v, p);
  }
  return p;
}

/**
 * `v1.13` selects every v1.13.x (pre-releases and builds of it too: Talos gates by minor);
 * a version with its patch selects that version only, a missing "v" ignored.
 */
export function talosVersionSelects(wanted: string, running: string | null | undefined): boolean {
  if (!running) return false;
  const w = parsed(wanted);
  const r = parsed(running);
  if (!w || !r) return false;
  if (!w.hasPatch) return w.major === r.major && w.minor === r.minor;
  return sameTalosVersion(wanted, running);
}

/**
 * Whether `node` satisfies every condition of `selector` (none, or `{}`: every node). `nodes`
 * entries name a node by ID, address or hostname.
 */
export function matchesSelector(selector: NodeSelector | undefined, node: SelectableNode, hostnameMatches: HostnameMatcher = defaultHostname): boolean {
  if (!selector) return true;
  if (selector.cluster !== undefined && selector.cluster !== node.cluster) return false;
  if (selector.role !== undefined && selector.role !== node.role) return false;
  if (selector.nodes !== undefined) {
    const names = nodeSet(selector.nodes);
    const named = (node.id !== undefined && names.has(node.id)) || names.has(node.address) || (node.hostname !== null && names.has(node.hostname));
    if (!named) return false;
  }
  if (selector.hostname !== undefined && !hostnameMatches(selector.hostname, node)) return false;
  if (selector.labels !== undefined) {
    for (const [k, v] of Object.entries(selector.labels)) if (node.labels?.[k] !== v) return false;
  }
  if (selector.talosVersion !== undefined && !talosVersionSelects(selector.talosVersion, node.talosVersion)) return false;
  return true;
}

/** The nodes `selector` picks, in their order. */
export function selectNodes<T extends SelectableNode>(selector: NodeSelector | undefined, nodes: readonly T[]): T[] {
  return nodes.filter((n) => matchesSelector(selector, n));
}

/**
 * The `nodes` entries that name no node of `nodes` (by ID, address or hostname): a typo in a
 * bulk action's list is an error to show, not a silently smaller selection.
 */
export function unknownNodeNames(selector: NodeSelector, nodes: readonly SelectableNode[]): string[] {
  if (!selector.nodes) return [];
  const known = new Set<string>();
  for (const n of nodes) {
    if (n.id !== undefined) known.add(n.id);
    known.add(n.address);
    if (n.hostname !== null) known.add(n.hostname);
  }
  return selector.nodes.filter((name) => !known.has(name));
}

/** A one-line, human reading of a selector for confirm dialogs, plans and audit entries. */
export function describeSelector(selector: NodeSelector): string {
  const parts: string[] = [];
  if (selector.cluster !== undefined) parts.push(`cluster = ${selector.cluster}`);
  if (selector.role !== undefined) parts.push(`role = ${selector.role}`);
  if (selector.hostname !== undefined) parts.push(`hostname ~ ${selector.hostname}`);
  if (selector.talosVersion !== undefined) parts.push(`Talos ${selector.talosVersion}`);
  for (const [k, v] of Object.entries(selector.labels ?? {})) parts.push(`${k} = ${v}`);
  if (selector.nodes !== undefined) {
    const shown = selector.nodes.slice(0, 5).join(", ");
    parts.push(`nodes: ${shown}${selector.nodes.length > 5 ? ` and ${selector.nodes.length - 5} more` : ""}`);
  }
  return parts.length === 0 ? "every node" : parts.join(", ");
}
