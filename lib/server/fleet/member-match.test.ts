import { describe, expect, it } from "vitest";

import { matchMembers, type DiscoveredMember, type KnownNode, type MemberMatch } from "@/lib/server/fleet/member-match";

const node = (key: string, address: string, hostname: string | null = null, memberNodeId: string | null = null): KnownNode => ({ key, address, hostname, memberNodeId });
const member = (hostname: string, addresses: string[], nodeId = "", id = hostname): DiscoveredMember => ({ id, nodeId, hostname, addresses });

describe("matchMembers", () => {
  it.each<[string, KnownNode[], DiscoveredMember[], MemberMatch[]]>([
    [
      "by address: a talosconfig node polled by IP whose hostname no poll has told yet",
      [node("a", "10.0.0.1")],
      [member("cp-1", ["10.0.0.1", "fd00::1"])],
      [{ kind: "known", key: "a", by: "address" }],
    ],
    [
      "by address through host:port and [v6]:port targets",
      [node("a", "10.0.0.1:50000"), node("b", "[FD00::2]:50000")],
      [member("cp-1", ["10.0.0.1"]), member("cp-2", ["fd00::2"])],
      [
        { kind: "known", key: "a", by: "address" },
        { kind: "known", key: "b", by: "address" },
      ],
    ],
    [
      "by hostname when the member's addresses are not the one we poll (another interface)",
      [node("a", "192.168.1.10", "cp-1")],
      [member("cp-1", ["10.0.0.1"])],
      [{ kind: "known", key: "a", by: "hostname" }],
    ],
    [
      "by hostname against a node polled by its DNS name (FQDN vs short name, case, trailing dot)",
      [node("a", "CP-1.example.com.")],
      [member("cp-1", ["10.0.0.1"])],
      [{ kind: "known", key: "a", by: "hostname" }],
    ],
    [
      "by node name (the resource id) when the spec's hostname differs",
      [node("a", "192.168.1.10", "k8s-cp-1")],
      [member("cp-1", ["10.0.0.1"], "", "k8s-cp-1")],
      [{ kind: "known", key: "a", by: "hostname" }],
    ],
    [
      "by node id after a rename and a new address",
      [node("a", "10.0.0.1", "old-name", "nodeid-A")],
      [member("new-name", ["10.0.0.99"], "nodeid-A")],
      [{ kind: "known", key: "a", by: "node-id" }],
    ],
    [
      "a member without addresses is skipped, never polled by hostname as a second node",
      [node("a", "10.0.0.1")],
      [member("cp-1", [])],
      [{ kind: "skip", reason: "no addresses yet" }],
    ],
    [
      "a member without addresses still matches a known node by hostname",
      [node("a", "10.0.0.1", "cp-1")],
      [member("cp-1", [])],
      [{ kind: "known", key: "a", by: "hostname" }],
    ],
    [
      "an unknown member is polled by its first address of its own",
      [],
      [member("w-1", ["10.0.0.7", "fd00::7"])],
      [{ kind: "new", target: "10.0.0.7", by: "address" }],
    ],
    [
      "shared addresses (one host, many ports) identify nobody: poll by hostname",
      [node("a", "127.0.0.1:50001", "sim-cp-1")],
      [member("sim-cp-1", ["127.0.0.1"]), member("sim-w-1", ["127.0.0.1"])],
      [
        { kind: "known", key: "a", by: "hostname" },
        { kind: "new", target: "sim-w-1", by: "hostname" },
      ],
    ],
    [
      "shared addresses: wait while a node polled there has not told its hostname",
      [node("a", "127.0.0.1:50001")],
      [member("sim-cp-1", ["127.0.0.1"]), member("sim-w-1", ["127.0.0.1"])],
      [
        { kind: "skip", reason: "127.0.0.1:50001 has not told its hostname yet" },
        { kind: "skip", reason: "127.0.0.1:50001 has not told its hostname yet" },
      ],
    ],
    [
      "two members never claim the same known node",
      [node("a", "10.0.0.1", "cp-1")],
      [member("cp-1", ["10.0.0.5"]), member("cp-1", ["10.0.0.1"])],
      [
        { kind: "new", target: "10.0.0.5", by: "address" },
        { kind: "known", key: "a", by: "address" },
      ],
    ],
    [
      "address beats hostname when they point at different known nodes",
      [node("a", "10.0.0.1", "x"), node("b", "10.0.0.2", "cp-1")],
      [member("cp-1", ["10.0.0.1"])],
      [{ kind: "known", key: "a", by: "address" }],
    ],
  ])("%s", (_name, known, members, expected) => {
    expect(matchMembers(known, members)).toEqual(expected);
  });
});

/**
 * The matching as first written: every member compared with every known node. matchMembers
 * indexes the known nodes instead (a 1,000-node cluster is matched every discovery round); the
 * answers must stay the same, first-known-node-wins included.
 */
function referenceMatch(known: readonly KnownNode[], members: readonly DiscoveredMember[]): MemberMatch[] {
  const norm = (name: string) => name.trim().replace(/\.+$/, "").toLowerCase();
  const sameName = (a: string, b: string) => {
    const x = norm(a);
    const y = norm(b);
    if (x === "" || y === "") return false;
    return x === y || x.startsWith(`${y}.`) || y.startsWith(`${x}.`);
  };
  const hostOfTarget = (target: string) => {
    const bracket = /^\[([^\]]+)\](?::\d+)?$/.exec(target);
    if (bracket) return bracket[1]!.toLowerCase();
    const hostPort = /^([^:]+):\d+$/.exec(target);
    return (hostPort ? hostPort[1]! : target).toLowerCase();
  };
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
  pass("address", (m) => known.find((k) => unique(m).includes(hostOfTarget(k.address))));
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

describe("matchMembers on random fleets", () => {
  // A small seeded generator: the same fleets on every run, so a failure can be replayed.
  function rng(seed: number) {
    let s = seed >>> 0;
    return () => {
      s = (s * 1664525 + 1013904223) >>> 0;
      return s / 2 ** 32;
    };
  }

  it("answers as comparing every member with every known node would, over 300 fleets", () => {
    const rand = rng(20);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
    // Few distinct names and addresses, so collisions (shared addresses, FQDN vs short name, two
    // nodes answering to one name, a node id seen twice) happen often.
    const names = ["cp-1", "CP-1", "cp-1.example.com", "cp-1.example.com.", "cp-1.example", "w-1", "w-1.lan", "w-2", ".w-2.x", "a.b.c", "a", "a.b", " ", ""];
    const addrs = ["10.0.0.1", "10.0.0.2", "10.0.0.3", "fd00::1", "FD00::2", "127.0.0.1"];
    const targets = [...addrs, "10.0.0.1:50000", "[fd00::1]:50000", "[FD00::2]", "127.0.0.1:50001", "127.0.0.1:50002", ...names.filter((n) => n.trim() !== "")];
    const ids = ["", "", "id-1", "id-2", "id-3"];
    for (let round = 0; round < 300; round++) {
      const known: KnownNode[] = Array.from({ length: Math.floor(rand() * 8) }, (_, i) =>
        node(`k${i}`, pick(targets), rand() < 0.4 ? null : pick(names), rand() < 0.5 ? null : pick(ids)),
      );
      const members: DiscoveredMember[] = Array.from({ length: Math.floor(rand() * 8) }, () => {
        const addresses = Array.from({ length: Math.floor(rand() * 3) }, () => pick(addrs));
        return member(pick(names), addresses, pick(ids), rand() < 0.3 ? pick(names) : undefined);
      });
      expect(matchMembers(known, members), JSON.stringify({ known, members })).toEqual(referenceMatch(known, members));
    }
  });
});
