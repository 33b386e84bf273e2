import { describe, expect, it } from "vitest";

import { quorumOf, quorumVerdict } from "@/lib/server/node-actions/quorum";

const cp1 = { hostname: "cp-1", address: "10.0.0.1" };
const three = (healthy: string[], leader: string | null = "cp-2") => ({ members: ["cp-1", "cp-2", "cp-3"], healthy, leader });

describe("quorum guard before a control plane goes down", () => {
  it("quorum is floor(n/2)+1", () => {
    expect([1, 2, 3, 4, 5].map(quorumOf)).toEqual([1, 2, 2, 3, 3]);
  });

  it("three healthy members: one may go down", () => {
    const v = quorumVerdict(three(["cp-1", "cp-2", "cp-3"]), cp1, "rebooting");
    expect(v).toMatchObject({ ok: true, member: true, leads: false });
  });

  it("refuses when another member is already unhealthy", () => {
    const v = quorumVerdict(three(["cp-1", "cp-2"]), cp1, "rebooting");
    expect(v.ok).toBe(false);
    if (!v.ok) expect(v.reason).toBe("rebooting cp-1 would break etcd quorum: 2 of 3 members are healthy (cp-3 not), quorum needs 2, and 1 would be left. Bring the other members back first");
  });

  it("a node that is itself unhealthy may go down while the others keep quorum", () => {
    expect(quorumVerdict(three(["cp-2", "cp-3"]), cp1, "rebooting").ok).toBe(true);
  });

  it("says when the node leads (matched by hostname or address)", () => {
    expect(quorumVerdict(three(["cp-1", "cp-2", "cp-3"], "cp-1"), cp1, "rebooting")).toMatchObject({ ok: true, leads: true });
    const byAddr = { members: ["10.0.0.1", "cp-2", "cp-3"], healthy: ["10.0.0.1", "cp-2", "cp-3"], leader: "10.0.0.1" };
    expect(quorumVerdict(byAddr, { hostname: null, address: "10.0.0.1" }, "rebooting")).toMatchObject({ ok: true, member: true, leads: true });
  });

  it("a single member has no quorum to keep: allowed with a warning", () => {
    const v = quorumVerdict({ members: ["cp-1"], healthy: ["cp-1"], leader: "cp-1" }, cp1, "rebooting");
    expect(v).toMatchObject({ ok: true, leads: true });
    expect(v.ok && v.warning).toContain("only etcd member");
  });

  it("refuses when etcd cannot be read", () => {
    const v = quorumVerdict({ members: [], healthy: [], leader: null, error: "no control plane answered" }, cp1, "shutting down");
    expect(v).toEqual({ ok: false, reason: "etcd health could not be read (no control plane answered), so Minos cannot tell whether shutting down cp-1 keeps etcd quorum" });
  });

  it("a node that is not a voting member does not count", () => {
    expect(quorumVerdict(three(["cp-2"]), { hostname: "cp-4", address: "10.0.0.4" }, "rebooting")).toMatchObject({ ok: true, member: false });
  });
});
