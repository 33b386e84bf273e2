import { describe, expect, it } from "vitest";

import { configJsonSchema } from "@/lib/config/schema";

import { patchBlockAt, patchLines, talosContextAt, yamlContextAt } from "./patch-context";

const MANIFEST = `cluster:
  name: prod
  talosVersion: v1.13.9
patches:
  - name: worker sysctls
    selector: {role: worker}
    patch: |
      machine:
        sysctls:
          vm.max_map_count: "262144"
        network:
          interfaces:
            - interface: eth0
              dhcp: true

  - name: kubespan
    patch: |-
      apiVersion: v1alpha1
      kind: KubeSpanConfig
      enabled: true
nodes:
  - address: 10.0.0.11
    hostname: cp-1
    role: controlplane
    patch: |
      machine:
        install:
          disk: /dev/sdb
`;
const lines = MANIFEST.split("\n");
const lineOf = (needle: string) => lines.findIndex((l) => l.includes(needle)) + 1;

describe("patchBlockAt", () => {
  it("finds the block around a line and its content indentation", () => {
    const block = patchBlockAt(lines, lineOf("vm.max_map_count"), 12);
    expect(block).toMatchObject({ headerLine: lineOf("patch: |"), keyColumn: 4, indent: 6, startLine: lineOf("patch: |") + 1, endLine: lineOf("dhcp: true") });
    expect(patchLines(lines, block!)[0]).toBe("machine:");
  });

  it("is null on manifest keys, on the header itself, and between patches", () => {
    expect(patchBlockAt(lines, lineOf("selector: {role: worker}"), 8)).toBeNull();
    expect(patchBlockAt(lines, lineOf("patch: |"), 12)).toBeNull();
    expect(patchBlockAt(lines, lineOf("name: kubespan"), 10)).toBeNull();
    expect(patchBlockAt(lines, lineOf("hostname: cp-1"), 10)).toBeNull();
  });

  it("takes a blank line indented under the block as inside, and one at the key's column as outside", () => {
    const blank = lineOf("dhcp: true") + 1;
    expect(patchBlockAt(lines, blank, 9)).not.toBeNull();
    expect(patchBlockAt(lines, blank, 3)).toBeNull();
  });

  it("finds a node's own patch", () => {
    expect(patchBlockAt(lines, lineOf("disk: /dev/sdb"), 10)?.headerLine).toBe(lineOf("role: controlplane") + 1);
  });
});

describe("yamlContextAt", () => {
  const patch = ["machine:", "  network:", "    interfaces:", "      - interface: eth0", "        dhcp: true", "        ", "  sysctls:", "    vm.x: 1"];
  it("names the mapping of a key being typed, through list items", () => {
    expect(yamlContextAt(patch, 5, 8)).toMatchObject({ at: "key", path: ["machine", "network", "interfaces", 0] });
    expect(yamlContextAt(patch, 4, 10)).toMatchObject({ at: "key", key: "dhcp", path: ["machine", "network", "interfaces", 0] });
    expect(yamlContextAt(patch, 3, 10)).toMatchObject({ at: "key", key: "interface", path: ["machine", "network", "interfaces", 0] });
  });

  it("tells a value from a key", () => {
    expect(yamlContextAt(patch, 4, 15)).toMatchObject({ at: "value", key: "dhcp", path: ["machine", "network", "interfaces", 0] });
    expect(yamlContextAt(patch, 7, 5)).toMatchObject({ at: "key", key: "vm.x", path: ["machine", "sysctls"] });
  });

  it("reads the document's kind", () => {
    expect(yamlContextAt(["apiVersion: v1alpha1", "kind: KubeSpanConfig", "enab"], 2, 4)).toMatchObject({ kind: "KubeSpanConfig", path: [], key: "enab" });
    expect(yamlContextAt(["kind: KubeSpanConfig", "---", "machine:", "  "], 3, 2)).toMatchObject({ kind: null, path: ["machine"] });
  });
});

describe("talosContextAt", () => {
  const schema = configJsonSchema("1.13");
  it("answers a patch position from the Talos schema", () => {
    const at = talosContextAt(lines, lineOf("sysctls:"), 11, schema)!;
    expect(at.ctx).toMatchObject({ at: "key", key: "sysctls", path: ["machine"] });
    expect(String(at.field?.description)).toMatch(/Kernel parameters/);
    const names = (at.parent && Object.keys((at.parent as { properties: object }).properties)) ?? [];
    expect(names).toContain("install");
  });

  it("uses the document's kind in multi-document patches", () => {
    const at = talosContextAt(lines, lineOf("enabled: true"), 8, schema)!;
    expect(at.ctx.kind).toBe("KubeSpanConfig");
    expect(at.field).not.toBeNull();
    expect(at.kinds).toContain("KubeSpanConfig");
  });

  it("is null outside patches", () => {
    expect(talosContextAt(lines, lineOf("name: prod"), 5, schema)).toBeNull();
  });
});
