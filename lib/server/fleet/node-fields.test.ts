import { describe, expect, it } from "vitest";

import { canonicalFields, nodeFieldsParamSchema, projectNodesJson } from "@/lib/server/fleet/node-fields";

const snapshot = {
  nodes: [
    { id: "10.5.0.2@c", cluster: "c", address: "10.5.0.2", hostname: "cp-1", ready: true, stage: "running", load1: 0.5 },
    { id: "10.5.0.3@c", cluster: "c", address: "10.5.0.3", hostname: null, ready: false, stage: "booting", load1: null },
  ],
  clusters: [{ name: "c", status: "degraded" }],
  updatedAt: "2026-01-01T00:00:00.000Z",
};
const bytes = () => new TextEncoder().encode(JSON.stringify(snapshot));
const parse = (b: Uint8Array) => JSON.parse(new TextDecoder().decode(b)) as typeof snapshot;

describe("nodeFieldsParamSchema", () => {
  it("takes a comma-separated list of node fields", () => {
    expect(nodeFieldsParamSchema.parse("hostname, ready,stage")).toEqual(["hostname", "ready", "stage"]);
  });

  it.each([["hostnme"], ["hostname,"], [""], ["nodes"], ["__proto__"]])("refuses %j, naming the allowed fields", (value) => {
    const r = nodeFieldsParamSchema.safeParse(value);
    expect(r.success).toBe(false);
    expect(JSON.stringify(r.error?.issues)).toMatch(/hostname/);
  });
});

describe("projectNodesJson", () => {
  it("keeps id and the chosen fields of each node, and the roll-ups whole", () => {
    const out = parse(projectNodesJson(bytes(), ["ready", "hostname"]));
    expect(out.nodes).toEqual([
      { id: "10.5.0.2@c", hostname: "cp-1", ready: true },
      { id: "10.5.0.3@c", hostname: null, ready: false },
    ]);
    expect(out.clusters).toEqual(snapshot.clusters);
    expect(out.updatedAt).toBe(snapshot.updatedAt);
  });

  it("makes one projection per snapshot bytes and selection, whatever the order asked", () => {
    const b = bytes();
    const first = projectNodesJson(b, ["ready", "hostname"]);
    expect(projectNodesJson(b, ["hostname", "ready", "id"])).toBe(first);
    expect(projectNodesJson(b, ["ready"])).not.toBe(first);
    expect(projectNodesJson(bytes(), ["ready", "hostname"])).not.toBe(first);
  });

  it("orders fields canonically with id first", () => {
    expect(canonicalFields(["stage", "hostname"])).toEqual(["id", "hostname", "stage"]);
  });
});
