/**
 * A node's ID in Minos's URLs and API: `<address>@<cluster>`. Addresses can repeat across
 * clusters (private ranges), so the cluster (talosconfig context) is part of the ID; an address
 * never contains "@", so the first "@" splits it even when a context name has one.
 */
export function nodeId(cluster: string, address: string): string {
  return `${address}@${cluster}`;
}

export function parseNodeId(id: string): { address: string; cluster: string } | null {
  const at = id.indexOf("@");
  if (at <= 0 || at === id.length - 1) return null;
  return { address: id.slice(0, at), cluster: id.slice(at + 1) };
}
