import { describe, expect, it } from "vitest";

import { applyPatches, encodeConfig } from "@/lib/config/patch";

import { readFileSync } from "node:fs";
import path from "node:path";

import { parseAllDocuments } from "yaml";

import { parseSecretsBundle } from "../secrets/bundle";
import { generateMachineConfig } from "./index";
import { encodeGoYaml, encodeGoYamlDocuments } from "./yaml";

describe("encodeGoYaml (the generator's values through emit.ts's go-yaml v4 dialect)", () => {
  it("single-quotes YAML 1.1 booleans, base-60 numbers and <<, double-quotes what reads back as another type", () => {
    // The deleted goyaml.ts double-quoted these (yaml.v3); go-yaml v4 single-quotes them.
    expect(encodeGoYaml(["n", "Y", "off", "yes", "on", "1:20", "<<"])).toBe(`- 'n'\n- 'Y'\n- 'off'\n- 'yes'\n- 'on'\n- '1:20'\n- '<<'\n`);
    const doc = { a: "", b: "true", d: "1.28", e: "0x1F", f: "a: b", g: "- x", h: "#x", i: "v1.33.1", j: "https://x:6443", k: "x #y", l: "~" };
    expect(encodeGoYaml(doc)).toBe(
      ['a: ""', 'b: "true"', 'd: "1.28"', 'e: "0x1F"', "f: 'a: b'", "g: '- x'", "h: '#x'", "i: v1.33.1", "j: https://x:6443", "k: 'x #y'", 'l: "~"', ""].join("\n"),
    );
  });

  it("indents nested blocks to the next multiple of 4, sequence-item content by 2", () => {
    const doc = { top: [{ name: "nm", list: ["x"], map: { k: "v" } }], empty: { m: {}, s: [] }, omitted: undefined };
    expect(encodeGoYaml(doc)).toBe(
      ["top:", "    - name: nm", "      list:", "        - x", "      map:", "        k: v", "empty:", "    m: {}", "    s: []", ""].join("\n"),
    );
  });

  it("writes line-broken text as literal blocks with chomping, and double-quotes what a literal block cannot carry", () => {
    expect(encodeGoYaml({ a: "x\ny\n", b: "x\ny", c: "x\n\n" })).toBe("a: |\n    x\n    y\nb: |-\n    x\n    y\nc: |+\n    x\n\n");
    expect(encodeGoYaml(["p\nq\n"])).toBe("- |\n  p\n  q\n");
    // Trailing space before a line break: no literal block (goyaml.ts agreed); a lone "\n" is double-quoted in v4.
    expect(encodeGoYaml({ a: "x \ny", b: "\n" })).toBe('a: "x \\ny"\nb: "\\n"\n');
  });

  it("sorts Go maps with keyList.Less (numbers by value, non-letters first) and keeps struct order", () => {
    expect(encodeGoYaml(new Map([["b", 1], ["a10", 2], ["a2", 3], ["A", 4], ["a-b", 5], ["a", 6]]))).toBe("A: 4\na: 6\na-b: 5\na2: 3\na10: 2\nb: 1\n");
    expect(encodeGoYaml({ z: 1, a: 2 })).toBe("z: 1\na: 2\n");
    expect(encodeGoYaml(new Map([["node.kubernetes.io/exclude-from-external-load-balancers", ""], ["node-role.kubernetes.io/control-plane", ""]]))).toBe(
      'node-role.kubernetes.io/control-plane: ""\nnode.kubernetes.io/exclude-from-external-load-balancers: ""\n',
    );
  });

  it("joins documents with ---", () => {
    expect(encodeGoYamlDocuments([{ a: 1 }, { b: null }])).toBe("a: 1\n---\nb: null\n");
  });
});

describe("gen config writes the same text with and without a patch", () => {
  const secrets = parseSecretsBundle(readFileSync(path.join(__dirname, "testdata", "secrets.yaml"), "utf8"), "secrets.yaml");
  // A cluster named `on`: go-yaml v4 single-quotes it, the deleted yaml.v3 emitter double-quoted it.
  const input = { clusterName: "on", endpoint: "https://10.5.0.2:6443", kubernetesVersion: "1.33.1", talosVersion: "1.13" as const, secrets, installDisk: "/dev/sda" };

  it("re-encoding the generated config (what applying a patch does) changes nothing", () => {
    const text = generateMachineConfig(input, "controlplane");
    expect(text).toContain("clusterName: 'on'\n");
    const docs = parseAllDocuments(text).map((d) => d.toJS() as unknown);
    expect(encodeConfig(docs)).toBe(text);
    expect(applyPatches(text, [])).toBe(text);
  });
});
