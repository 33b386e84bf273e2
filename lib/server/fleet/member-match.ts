import "server-only";

/** A node the poller already tracks, as far as matching needs it. */
export interface KnownNode {
  /** The poller's key for it (its node ID). */
  key: string;
  /** The `node` target it is polled by: an IP, a host name, or host:port. */
  address: string;
  /** Its hostname, once a poll or an earlier match told us. */
  hostname: string | null;
  /** The `nodeId` of the Members entry it matched before (Talos's node identity). */
  memberNodeId: string | null;
}

/**
 * A discovered machine: a `Members.cluster.talos.dev` resource (id = the node name, spec nodeId,
 * hostname, addresses: internal/app/machined/pkg/controllers/cluster/member.go) or an etcd member
 * (hostname, peer/client URL hosts, no node id).
 */
export interface DiscoveredMember {
  /** The resource id (Talos: the node name, normally the hostname); may be empty. */
  id?: string;
  /** Talos's node identity; "" when unknown (etcd members). */
  nodeId: string;
  hostname: string;
  addresses: readonly string[];
}

/** What to do with one discovered member. */
export type MemberMatch =
  | { kind: "known"; key: string; by: "node-id" | "address" | "hostname" }
  | { kind: "new"; target: string; by: "address" | "hostname" }
  | { kind: "skip"; reason: string };

const norm = (name: string) => name.trim().replace(/\.+$/, "").toLowerCase();

/** The same machine name: equal, or one is the short form of the other's FQDN. */
function sameName(a: string, b: string): boolean {
  const x = norm(a);
  const y = norm(b);
  if (x === "" || y === "") return false;
  return x === y || x.startsWith(`${y}.`) || y.startsWith(`${x}.`);
}

/** The host of a `node` target: `[::1]:50000` → `::1`, `10.0.0.1:50000` → `10.0.0.1`, a bare name or IP unchanged. */
function hostOfTarget(target: string): string {
  const bracket = /^\[([^\]]+)\](?::\d+)?$/.exec(target);
  if (bracket) return bracket[1]!.toLowerCase();
  const hostPort = /^([^:]+):\d+$/.exec(target);
  return (hostPort ? hostPort[1]! : target).toLowerCase();
}

/**
 * Matches each discovered member to a known node by Talos node id, then by address, then by
 * hostname (or node name), so one machine is never shown twice; the rest become new nodes to poll.
 *
 * - An address shared by several members (the simulator's one-host mode, NAT) identifies none of
 *   them: it is not used to match, and such a member is polled by hostname, once every node
 *   polled at that address has told its hostname (until then it may be one of them).
 * - A member without addresses is skipped, not polled by hostname: it may well be a node already
 *   polled by address whose hostname no poll has told us yet, and a second entry for it is
 *   exactly the duplicate to avoid. Its addresses arrive with a later discovery.
 * - Two members never claim the same known node: the first (by the order above) wins, the other
 *   is left for the next round. Pure.
 */
export function matchMembers(known: readonly KnownNode[], members: readonly DiscoveredMember[]): MemberMatch[] {
  const shared = new Map<string, number>();
  for (const m of members) for (const a of new Set(m.addresses.map((x) => x.toLowerCase()))) shared.set(a, (shared.get(a) ?? 0) + 1);
  const unique = (m: DiscoveredMember) => m.addresses.map((x) => x.toLowerCase()).filter((a) => shared.get(a) === 1);

  const claimed = new Set<string>();
  const out: (MemberMatch | null)[] = members.map(() => null);
  const pass = (by: "node-id" | "address" | "hostname", find: (m: DiscoveredMember) => KnownNode | undefined) => {
    members.forEach((m, i) => {
      if (out[i]) return;
      const k = find(m);
      if (k && !claimed.has(k.key)) {
        claimed.add(k.key);
        out[i] = { kind: "known", key: k.key, by };
      }
    });
  };
  pass("node-id", (m) => (m.nodeId ? known.find((k) => k.memberNodeId === m.nodeId) : undefined));
  pass("address", (m) => {
    const addrs = unique(m);
    return known.find((k) => addrs.includes(hostOfTarget(k.address)));
  });
  pass("hostname", (m) => {
    const names = [m.hostname, m.id ?? ""].filter((n) => n.trim() !== "");
    return known.find((k) => names.some((n) => (k.hostname !== null && sameName(k.hostname, n)) || sameName(hostOfTarget(k.address), n)));
  });

  const targets = new Set<string>();
  return members.map((m, i) => {
    const done = out[i];
    if (done) return done;
    if (m.addresses.length === 0) return { kind: "skip", reason: "no addresses yet" };
    const address = unique(m)[0];
    if (!address) {
      // Only shared addresses: while a node polled at one of them has not told its hostname, this
      // member may be that node.
      const addrs = new Set(m.addresses.map((a) => a.toLowerCase()));
      const pending = known.find((k) => k.hostname === null && !claimed.has(k.key) && addrs.has(hostOfTarget(k.address)));
      if (pending) return { kind: "skip", reason: `${pending.address} has not told its hostname yet` };
    }
    const target = address ?? (m.hostname.trim() !== "" ? m.hostname.trim() : undefined);
    if (!target) return { kind: "skip", reason: "only shared addresses and no hostname" };
    if (targets.has(target)) return { kind: "skip", reason: `${target} is already another member's` };
    targets.add(target);
    return { kind: "new", target, by: address ? "address" : "hostname" };
  });
}
