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
