/**
 * Which nodes a patch selector picks. The hostname glob is matched without a regex (a user's
 * glob never reaches a regex engine), in time linear in glob × hostname, both bounded.
 */
import type { ManifestNode, Selector } from "./schema";

/** `*` any run of characters (none included), `?` exactly one; everything else literal. */
export function globMatch(glob: string, text: string): boolean {
  let g = 0;
  let t = 0;
  let star = -1;
  let mark = 0;
  while (t < text.length) {
    if (g < glob.length && (glob[g] === "?" || glob[g] === text[t])) {
      g++;
      t++;
    } else if (g < glob.length && glob[g] === "*") {
      star = g++;
      mark = t;
    } else if (star >= 0) {
      g = star + 1;
      t = ++mark;
    } else {
      return false;
    }
  }
  while (g < glob.length && glob[g] === "*") g++;
  return g === glob.length;
}

/** Whether `node` matches every condition of `selector` (no selector, or `{}`: every node). */
export function selects(selector: Selector | undefined, node: ManifestNode): boolean {
  if (!selector) return true;
  if (selector.role !== undefined && selector.role !== node.role) return false;
  if (selector.nodes !== undefined && !selector.nodes.includes(node.hostname) && !selector.nodes.includes(node.address)) return false;
  if (selector.hostname !== undefined && !globMatch(selector.hostname, node.hostname)) return false;
  if (selector.labels !== undefined) {
    for (const [k, v] of Object.entries(selector.labels)) if (node.labels?.[k] !== v) return false;
  }
  return true;
}
