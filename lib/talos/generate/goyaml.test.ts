import { describe, expect, it } from "vitest";

import { encodeGoYaml, encodeGoYamlDocuments, goKeyLess } from "./goyaml";

describe("encodeGoYaml (Go yaml.v3's Marshal)", () => {
  it("quotes what would read back as another type (YAML 1.1 booleans such as y/n too), single-quotes what plain style cannot carry", () => {
    expect(encodeGoYaml(["n", "Y", "off"])).toBe(`- "n"\n- "Y"\n- "off"\n`);
    const doc = { a: "", b: "true", c: "yes", d: "1.28", e: "0x1F", f: "a: b", g: "- x", h: "#x", i: "v1.33.1", j: "https://x:6443", k: "x #y", l: "~" };
    expect(encodeGoYaml(doc)).toBe(
      ["a: \"\"", 'b: "true"', 'c: "yes"', 'd: "1.28"', 'e: "0x1F"', "f: 'a: b'", "g: '- x'", "h: '#x'", "i: v1.33.1", "j: https://x:6443", "k: 'x #y'", 'l: "~"', ""].join("\n"),
    );
  });

  it("indents nested blocks to the next multiple of 4, sequence-item content by 2", () => {
    const doc = { top: [{ name: "nm", list: ["x"], map: { k: "v" } }], empty: { m: {}, s: [] } };
    expect(encodeGoYaml(doc)).toBe(
      ["top:", "    - name: nm", "      list:", "        - x", "      map:", "        k: v", "empty:", "    m: {}", "    s: []", ""].join("\n"),
    );
  });

  it("writes line-broken text as literal blocks with yaml.v3's chomping", () => {
    expect(encodeGoYaml({ a: "x\ny\n", b: "x\ny", c: "x\n\n" })).toBe("a: |\n    x\n    y\nb: |-\n    x\n    y\nc: |+\n    x\n\n");
    expect(encodeGoYaml(["p\nq\n"])).toBe("- |\n  p\n  q\n");
  });

  it("sorts Go maps with keyList.Less (numbers by value, non-letters first) and keeps struct order", () => {
    expect(encodeGoYaml(new Map([["b", 1], ["a10", 2], ["a2", 3], ["A", 4], ["a-b", 5], ["a", 6]]))).toBe("A: 4\na: 6\na-b: 5\na2: 3\na10: 2\nb: 1\n");
    expect(encodeGoYaml({ z: 1, a: 2 })).toBe("z: 1\na: 2\n");
    expect(goKeyLess("node-role.kubernetes.io/control-plane", "node.kubernetes.io/exclude-from-external-load-balancers")).toBe(true);
  });

  it("joins documents with ---", () => {
    expect(encodeGoYamlDocuments([{ a: 1 }, { b: null }])).toBe("a: 1\n---\nb: null\n");
  });
});
