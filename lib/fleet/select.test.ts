import { describe, expect, it } from "vitest";

import { describeSelector, matchesSelector, selectNodes, talosVersionSelects, unknownNodeNames, type SelectableNode } from "./select";
import { selects } from "@/lib/manifest/select";
import { manifestSchema, selectorSchema } from "@/lib/manifest/schema";
import { clusterSelectorSchema, nodeSelectorSchema } from "@/lib/schemas/selector";

const fleet: SelectableNode[] = [
  { id: "10.5.0.2@prod", cluster: "prod", address: "10.5.0.2", hostname: "cp-1", role: "controlplane", talosVersion: "v1.13.2", labels: { zone: "a" } },
  { id: "10.5.0.3@prod", cluster: "prod", address: "10.5.0.3", hostname: "w-gpu-1", role: "worker", talosVersion: "v1.13.2", labels: { zone: "a", gpu: "true" } },
  { id: "10.5.0.4@prod", cluster: "prod", address: "10.5.0.4", hostname: "w-gpu-2", role: "worker", talosVersion: "v1.12.6", labels: { zone: "b", gpu: "true" } },
  { id: "10.5.0.5@prod", cluster: "prod", address: "10.5.0.5", hostname: null, role: "unknown", talosVersion: null },
  { id: "10.5.0.2@lab", cluster: "lab", address: "10.5.0.2", hostname: "w-1", role: "worker", talosVersion: "1.13.0-rc.1" },
];
const ids = (sel: unknown) => selectNodes(nodeSelectorSchema.parse(sel), fleet).map((n) => n.id);

describe("matchesSelector", () => {
  it("selects every node for no selector or {}", () => {
    expect(fleet.every((n) => matchesSelector(undefined, n))).toBe(true);
    expect(ids({})).toHaveLength(fleet.length);
  });

  it("keys on cluster, role, hostname glob, labels and Talos version, all of them at once", () => {
    expect(ids({ cluster: "lab" })).toEqual(["10.5.0.2@lab"]);
    expect(ids({ role: "worker" })).toEqual(["10.5.0.3@prod", "10.5.0.4@prod", "10.5.0.2@lab"]);
    expect(ids({ hostname: "w-gpu-?" })).toEqual(["10.5.0.3@prod", "10.5.0.4@prod"]);
    expect(ids({ labels: { gpu: "true", zone: "b" } })).toEqual(["10.5.0.4@prod"]);
    expect(ids({ cluster: "prod", role: "worker", labels: { zone: "a" } })).toEqual(["10.5.0.3@prod"]);
    expect(ids({ cluster: "prod", role: "controlplane", hostname: "w-*" })).toEqual([]);
  });

  it("names nodes by ID, address or hostname; an address alone names it in every cluster", () => {
    expect(ids({ nodes: ["10.5.0.2@lab"] })).toEqual(["10.5.0.2@lab"]);
    expect(ids({ nodes: ["10.5.0.2"] })).toEqual(["10.5.0.2@prod", "10.5.0.2@lab"]);
    expect(ids({ nodes: ["w-gpu-2", "cp-1"] })).toEqual(["10.5.0.2@prod", "10.5.0.4@prod"]);
    expect(ids({ nodes: ["10.5.0.2"], cluster: "prod" })).toEqual(["10.5.0.2@prod"]);
  });

  it("never matches an unknown fact: no hostname, role unknown, no version, no labels", () => {
    const unknown = fleet[3]!;
    expect(matchesSelector({ hostname: "*" }, unknown)).toBe(false);
    expect(matchesSelector({ role: "worker" }, unknown)).toBe(false);
    expect(matchesSelector({ role: "controlplane" }, unknown)).toBe(false);
    expect(matchesSelector({ talosVersion: "v1.13" }, unknown)).toBe(false);
    expect(matchesSelector({ labels: { zone: "a" } }, unknown)).toBe(false);
    expect(matchesSelector({ nodes: ["10.5.0.5"] }, unknown)).toBe(true);
  });

  it("reads a Talos version with its patch as that version and a minor as every patch of it", () => {
    expect(ids({ talosVersion: "v1.13" })).toEqual(["10.5.0.2@prod", "10.5.0.3@prod", "10.5.0.2@lab"]);
    expect(ids({ talosVersion: "1.13.2" })).toEqual(["10.5.0.2@prod", "10.5.0.3@prod"]);
    expect(ids({ talosVersion: "v1.13.0" })).toEqual([]);
    expect(ids({ talosVersion: "v1.13.0-rc.1" })).toEqual(["10.5.0.2@lab"]);
    expect(talosVersionSelects("v1.12", "v1.12.6")).toBe(true);
    expect(talosVersionSelects("v1.12", "v1.1.2")).toBe(false);
    expect(talosVersionSelects("v1.12.6", "not-a-version")).toBe(false);
  });

  it("matches a glob as a glob, never as a regex", () => {
    const n: SelectableNode = { address: "a", hostname: "node.1", role: "worker" };
    expect(matchesSelector({ hostname: "node?1" }, n)).toBe(true);
    expect(matchesSelector({ hostname: "node.1" }, { ...n, hostname: "nodex1" })).toBe(false);
    expect(matchesSelector({ hostname: "(a+)+$" }, { ...n, hostname: "(a+)+$" })).toBe(true);
  });
});

describe("selector schema", () => {
  it("refuses unknown keys, long globs, bad label keys and versions, and an empty nodes list", () => {
    expect(nodeSelectorSchema.safeParse({ zone: "a" }).success).toBe(false);
    expect(nodeSelectorSchema.safeParse({ hostname: "x".repeat(64) }).success).toBe(false);
    expect(nodeSelectorSchema.safeParse({ labels: { "bad key": "a" } }).success).toBe(false);
    expect(nodeSelectorSchema.safeParse({ talosVersion: "latest" }).success).toBe(false);
    expect(nodeSelectorSchema.safeParse({ talosVersion: "v1.13+build" }).success).toBe(false);
    expect(nodeSelectorSchema.safeParse({ nodes: [] }).success).toBe(false);
    expect(nodeSelectorSchema.safeParse({ role: "master" }).success).toBe(false);
    expect(nodeSelectorSchema.parse({ talosVersion: " v1.13 " })).toEqual({ talosVersion: "v1.13" });
  });

  it("requires the cluster where a run acts on one cluster", () => {
    expect(clusterSelectorSchema.safeParse({ role: "worker" }).success).toBe(false);
    expect(clusterSelectorSchema.parse({ cluster: "prod", role: "worker" })).toEqual({ cluster: "prod", role: "worker" });
  });

  it("is the manifest's patch selector too, without cluster and talosVersion", () => {
    expect(selectorSchema.parse({ role: "worker", hostname: "w-*", labels: { zone: "a" }, nodes: ["w-1"] })).toBeTruthy();
    expect(selectorSchema.safeParse({ cluster: "prod" }).success).toBe(false);
    expect(selectorSchema.safeParse({ talosVersion: "v1.13" }).success).toBe(false);
  });

  it("gives manifest patches the same answers as the fleet matcher", () => {
    const m = manifestSchema.parse({
      cluster: { name: "prod", endpoint: "https://10.5.0.2:6443", talosVersion: "v1.13.2", kubernetesVersion: "v1.33.2" },
      nodes: [
        { address: "10.5.0.2", hostname: "cp-1", role: "controlplane", labels: { zone: "a" } },
        { address: "10.5.0.3", hostname: "w-gpu-1", role: "worker", labels: { zone: "a", gpu: "true" } },
        { address: "10.5.0.4", hostname: "w-gpu-2", role: "worker", labels: { zone: "b", gpu: "true" } },
      ],
    });
    const sels = [{}, { role: "worker" }, { hostname: "w-*-1" }, { labels: { zone: "a" } }, { nodes: ["10.5.0.4", "cp-1"] }, { role: "worker", labels: { gpu: "true" }, hostname: "*2" }];
    for (const sel of sels) {
      const byManifest = m.nodes.filter((n) => selects(selectorSchema.parse(sel), n)).map((n) => n.address);
      const byFleet = fleet.filter((n) => n.cluster === "prod" && n.hostname !== null && matchesSelector(nodeSelectorSchema.parse(sel), n)).map((n) => n.address);
      expect(byManifest, JSON.stringify(sel)).toEqual(byFleet);
    }
  });
});

describe("unknownNodeNames and describeSelector", () => {
  it("lists the names that match no node, so a typo is an error and not a smaller selection", () => {
    expect(unknownNodeNames({ nodes: ["cp-1", "10.5.0.2@lab", "cp-9", "10.9.9.9"] }, fleet)).toEqual(["cp-9", "10.9.9.9"]);
    expect(unknownNodeNames({ role: "worker" }, fleet)).toEqual([]);
  });

  it("reads a selector in one line", () => {
    expect(describeSelector({})).toBe("every node");
    expect(describeSelector({ cluster: "prod", role: "worker", labels: { zone: "a" } })).toBe("cluster = prod, role = worker, zone = a");
    expect(describeSelector({ nodes: ["a", "b", "c", "d", "e", "f", "g"] })).toBe("nodes: a, b, c, d, e and 2 more");
  });
});
