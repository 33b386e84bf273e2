import { describe, expect, it } from "vitest";

import { nodeId, parseNodeId } from "@/lib/fleet/node-id";

describe("node IDs", () => {
  it.each([
    ["sim-1", "127.0.10.1"],
    ["admin@prod", "10.0.0.2"],
    ["lab", "fd00::2"],
  ])("round-trips %s / %s", (cluster, address) => {
    expect(parseNodeId(nodeId(cluster, address))).toEqual({ cluster, address });
  });

  it.each(["", "10.0.0.1", "@prod", "10.0.0.1@"])("rejects %j", (id) => {
    expect(parseNodeId(id)).toBeNull();
  });
});
