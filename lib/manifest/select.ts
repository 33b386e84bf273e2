/**
 * Which nodes a patch selector picks, and how much patching a manifest asks for. The selector is
 * Minos's one grammar, matched by lib/fleet/select.ts; the hostname glob (lib/utils/glob.ts) is
 * matched without a regex. Each patch's selection is computed once per manifest
 * ({@link selectionTable}) and shared by parse, render and check.
 */
import { MANIFEST_LIMITS, type Manifest, type ManifestNode, type Selector } from "./schema";
import { matchesSelector, type SelectableNode } from "@/lib/fleet/select";
import { globMatch } from "@/lib/utils/glob";

export { globMatch };

/** Per hostname glob: whether it matches each node (by index), filled as selections are computed. */
export type GlobHits = Map<string, (boolean | undefined)[]>;

export function hostnameMatches(glob: string, node: ManifestNode, at: { hits: GlobHits; index: number } | undefined): boolean {
  if (!at) return globMatch(glob, node.hostname);
  let row = at.hits.get(glob);
  if (!row) at.hits.set(glob, (row = []));
  return (row[at.index] ??= globMatch(glob, node.hostname));
}

/** Whether `node` matches every condition of `selector` (no selector, or `{}`: every node). */
export function selects(selector: Selector | undefined, node: ManifestNode, at?: { hits: GlobHits; index: number }): boolean {
  if (!selector) return true;
  const candidate: SelectableNode = { address: node.address, hostname: node.hostname, role: node.role, labels: node.labels };
  return matchesSelector(selector, candidate, (glob) => hostnameMatches(glob, node, at));
}

/** The shared patches that apply to `node`, in manifest order, as indexes into `patches`. */
export function selectedFor(manifest: Manifest, node: ManifestNode, at?: { hits: GlobHits; index: number }): number[] {
  const out: number[] = [];
  (manifest.patches ?? []).forEach((p, i) => {
    if (selects(p.selector, node, at)) out.push(i);
  });
  return out;
}

/** Per node (by its index in `nodes`): the shared patches selected, in manifest order. */
export type SelectionTable = readonly (readonly number[])[];

/**
 * Every node's selected patches: patches × nodes selector tests, done once per manifest. `hits`
 * collects each hostname glob's result per node (one glob match per distinct glob and node).
 */
export function selectionTable(manifest: Manifest, hits: GlobHits = new Map()): SelectionTable {
  return manifest.nodes.map((n, index) => selectedFor(manifest, n, { hits, index }));
}

const utf8 = (s: string) => (/^[\x00-\x7f]*$/.test(s) ? s.length : new TextEncoder().encode(s).length);

/**
 * The bytes of patch text the manifest has applied, summed over nodes (each node: its selected
 * shared patches and its own). Bounded by {@link MANIFEST_LIMITS.patchingBytes}: above it,
 * rendering every node would take minutes.
 */
export function patchingBytes(manifest: Manifest, table: SelectionTable): number {
  const shared = (manifest.patches ?? []).map((p) => utf8(p.patch));
  let total = 0;
  manifest.nodes.forEach((n, i) => {
    for (const p of table[i] ?? []) total += shared[p]!;
    if (n.patch !== undefined) total += utf8(n.patch);
  });
  return total;
}

/** The budget's issue message, or null when the manifest is within it. */
export function patchingBudgetMessage(bytes: number): string | null {
  const max = MANIFEST_LIMITS.patchingBytes;
  if (bytes <= max) return null;
  const mib = (n: number) => Math.ceil((n / (1024 * 1024)) * 10) / 10;
  return `the manifest asks for ${mib(bytes)} MiB of patching (each node's selected patches and its own, summed over nodes); at most ${max / (1024 * 1024)} MiB`;
}
