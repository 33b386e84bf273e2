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

/** The host of a `node` target: `[::1]:50000` → `::1`, `10.0.0.1:50000` → `10.0.0.1`, a bare name or IP unchanged. */
function hostOfTarget(target: string): string {
  const bracket = /^\[([^\]]+)\](?::\d+)?$/.exec(target);
  if (bracket) return bracket[1]!.toLowerCase();
  const hostPort = /^([^:]+):\d+$/.exec(target);
  return (hostPort ? hostPort[1]! : target).toLowerCase();
}

/** Adds `i` under `key` (its first index wins: lookups want the first known node, as `Array.find` would). */
function index(map: Map<string, number>, key: string, i: number): void {
  if (key !== "" && !map.has(key)) map.set(key, i);
}

/** The smallest index any of `keys` maps to, or -1. */
function first(map: Map<string, number>, keys: Iterable<string>): number {
  let best = -1;
  for (const k of keys) {
    const i = map.get(k);
    if (i !== undefined && (best < 0 || i < best)) best = i;
  }
  return best;
}

/** `a.b.c` → `a`, `a.b`: the short names it is the FQDN of. */
function dotPrefixes(name: string): string[] {
  const out: string[] = [];
  for (let i = name.indexOf("."); i >= 0; i = name.indexOf(".", i + 1)) if (i > 0) out.push(name.slice(0, i));
  return out;
}

/**
 * The known nodes indexed for the three passes, so matching a fleet's members costs
 * O(members + known) lookups rather than members × known comparisons (a 1,000-node cluster
 * is matched on every discovery round). Each map keeps the first known node under a key.
 */
class KnownIndex {
  readonly byNodeId = new Map<string, number>();
  readonly byHost = new Map<string, number>();
  /** Normalised hostname or target host → first node with exactly that name. */
  readonly byName = new Map<string, number>();
  /** Every dot-prefix of a node's names → first node whose name is that prefix's FQDN. */
  readonly byShortName = new Map<string, number>();
  readonly hosts: string[];

  constructor(known: readonly KnownNode[]) {
    this.hosts = known.map((k) => hostOfTarget(k.address));
    known.forEach((k, i) => {
      if (k.memberNodeId !== null) index(this.byNodeId, k.memberNodeId, i);
      index(this.byHost, this.hosts[i]!, i);
      for (const name of k.hostname !== null ? [k.hostname, this.hosts[i]!] : [this.hosts[i]!]) {
        const x = norm(name);
        index(this.byName, x, i);
        for (const p of dotPrefixes(x)) index(this.byShortName, p, i);
      }
    });
  }

  /**
   * The first node with the same machine name as one of `names` (normalised: equal, or one is
   * the short form of the other's FQDN), or -1.
   */
  firstByName(names: readonly string[]): number {
    let best = -1;
    for (const n of names) {
      const x = norm(n);
      if (x === "") continue;
      // Equal, the node's name is x's FQDN, or x is the FQDN of the node's name.
      for (const i of [first(this.byName, [x]), first(this.byShortName, [x]), first(this.byName, dotPrefixes(x))]) {
        if (i >= 0 && (best < 0 || i < best)) best = i;
      }
    }
    return best;
  }
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
  const idx = new KnownIndex(known);

  const claimed = new Set<string>();
  const out: (MemberMatch | null)[] = members.map(() => null);
  const pass = (by: "node-id" | "address" | "hostname", find: (m: DiscoveredMember) => number) => {
    members.forEach((m, i) => {
      if (out[i]) return;
      const k = known[find(m)];
      if (k && !claimed.has(k.key)) {
        claimed.add(k.key);
        out[i] = { kind: "known", key: k.key, by };
      }
    });
  };
  pass("node-id", (m) => (m.nodeId ? first(idx.byNodeId, [m.nodeId]) : -1));
  pass("address", (m) => first(idx.byHost, unique(m)));
  pass("hostname", (m) => idx.firstByName([m.hostname, m.id ?? ""].filter((n) => n.trim() !== "")));

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
      const pending = known.find((k, j) => k.hostname === null && !claimed.has(k.key) && addrs.has(idx.hosts[j]!));
      if (pending) return { kind: "skip", reason: `${pending.address} has not told its hostname yet` };
    }
    const target = address ?? (m.hostname.trim() !== "" ? m.hostname.trim() : undefined);
    if (!target) return { kind: "skip", reason: "only shared addresses and no hostname" };
    if (targets.has(target)) return { kind: "skip", reason: `${target} is already another member's` };
    targets.add(target);
    return { kind: "new", target, by: address ? "address" : "hostname" };
  });
}
