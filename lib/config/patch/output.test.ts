// What the patcher writes: Talos's encoder, go-yaml v4's scalars, `machineconfig patch` bytes, Go's value types.

import { describe, expect, it } from "vitest";

import { y, apply, applyError, loadError, APPLY_CONFIG } from "@/test/config-patch";

import { formatGoDuration, parseGoDuration } from "./duration";
import { formatGoUrl, mergeGoUrls, parseGoUrl } from "./gourl";
import { applyPatches, encodeConfig, loadPatch } from "./index";

describe("encodeConfig", () => {
  it("writes Go field order, drops omitempty zero values, writes zero values of the others", () => {
    expect(encodeConfig([{ cluster: { clusterName: "c" }, machine: { certSANs: [], kubelet: { image: "k" }, type: "worker" }, version: "v1alpha1", debug: false }])).toBe(
      "version: v1alpha1\ndebug: false\nmachine:\n    type: worker\n    token: \"\"\n    certSANs: []\n    kubelet:\n        image: k\ncluster:\n    clusterName: c\n",
    );
  });
  it("puts v1alpha1 first, sorts Go maps, quotes what would read as another type, literal blocks for multi-line text", () => {
    const out = encodeConfig([
      { apiVersion: "v1alpha1", kind: "SideroLinkConfig", apiUrl: "https://x" },
      { version: "v1alpha1", machine: { type: "worker", nodeLabels: { b: "true", a: "1.5", c: "" }, files: [{ content: "a\nb\n", path: "/x", op: "create" }] } },
    ]);
    expect(out).toBe(
      'version: v1alpha1\nmachine:\n    type: worker\n    token: ""\n    certSANs: []\n    files:\n        - content: |\n            a\n            b\n          path: /x\n          op: create\n    nodeLabels:\n        a: "1.5"\n        b: "true"\n        c: ""\ncluster: null\n---\napiVersion: v1alpha1\nkind: SideroLinkConfig\napiUrl: https://x\n',
    );
  });
  it("keeps unknown fields after the known ones, in input order", () => {
    expect(encodeConfig([{ apiVersion: "v1alpha1", zz: 1, kind: "SideroLinkConfig", aa: 2 }])).toBe('apiVersion: v1alpha1\nkind: SideroLinkConfig\napiUrl: ""\nzz: 1\naa: 2\n');
  });
});

describe("scalars as go-yaml v4 writes them (Talos's Marshal)", () => {
  const one = (v: unknown) => encodeConfig([{ version: "v1alpha1", machine: { nodeLabels: { k: v } } }]).split("\n")[6]!.replace(/^ {8}k: /, "");
  it.each([
    ["plain", "plain"],
    ["", '""'],
    ["123", '"123"'],
    ["0x1F", '"0x1F"'],
    ["08", '"08"'],
    ["1.5e3", '"1.5e3"'],
    [".5", '".5"'],
    ["1.2.3", "1.2.3"],
    ["true", '"true"'],
    ["null", '"null"'],
    ["~", '"~"'],
    ["yes", "'yes'"],
    ["off", "'off'"],
    ["1:20", "'1:20'"],
    ["<<", "'<<'"],
    ["2024-01-05", '"2024-01-05"'],
    ["-", "'-'"],
    ["a: b", "'a: b'"],
    ["a #b", "'a #b'"],
    ["a#b", "a#b"],
    ["*x", "'*x'"],
    [" lead", "' lead'"],
    ["it's", "it's"],
    ["'q", "'''q'"],
    ["tab\there", '"tab\\there"'],
    ["---x", "'---x'"],
    ["é ü", "é ü"],
    ["😀", '"\\U0001F600"'],
    ["$(POD_IP):10249", "$(POD_IP):10249"],
    ["00:11:*", "00:11:*"],
  ])("%j is written %s", (input, written) => {
    expect(one(input)).toBe(written);
  });
  it("writes multi-line text as literal blocks with Go's chomping and indentation hints", () => {
    const out = encodeConfig([{ version: "v1alpha1", machine: { nodeLabels: { a: "x\ny", b: "x\n", c: "x\n\n", d: "  x\n", e: "\n" } } }]);
    expect(out).toContain("        a: |-\n            x\n            y\n        b: |\n            x\n        c: |+\n            x\n\n        d: |4\n              x\n        e: \"\\n\"\n");
  });
});

describe("output as `talosctl machineconfig patch` prints it (Apply, then Bytes())", () => {
  const bytes = (config: string, ...patches: string[]) =>
    applyPatches(
      y(config),
      patches.map((p, i) => loadPatch(y(p), `patch${i + 1}.yaml`)),
      { output: "bytes" },
    );
  it("returns the input unchanged without patches", () => {
    expect(bytes("version: v1alpha1\nmachine: {type: worker}  # kept\n")).toBe("version: v1alpha1\nmachine: {type: worker}  # kept\n");
  });
  it("after a JSON patch: ghodss/yaml's text of the patched input (yaml.v2: sorted keys, indent 2, indentless lists)", () => {
    expect(bytes(APPLY_CONFIG, "- op: replace\n  path: /machine/network/hostname\n  value: foo\n")).toBe(
      y(`
cluster:
  proxy:
    extraArgs:
      foo: bar
      metrics-bind-address: $(POD_IP):10249
machine:
  network:
    hostname: foo
    interfaces:
    - dhcp: true
      interface: eth0
version: v1alpha1
`),
    );
  });
  it("a JSON patch after a merge sees the config as Talos's encoder wrote it", () => {
    expect(bytes("version: v1alpha1\nmachine: {type: worker}\n", "machine:\n  token: abc\n", '[{"op": "add", "path": "/machine/certSANs/-", "value": "yes"}]')).toBe(
      'cluster: null\nmachine:\n  certSANs:\n  - "yes"\n  token: abc\n  type: worker\nversion: v1alpha1\n',
    );
  });
  it("yaml.v2 folds long strings at spaces past column 80", () => {
    const long = Array.from({ length: 20 }, (_, i) => `word${i}`).join(" ");
    const out = bytes("version: v1alpha1\nmachine: {type: worker}\n", `[{"op": "add", "path": "/machine/token", "value": "${long}"}]`);
    expect(out).toBe(
      // The first space once past column 80 (after word11, at column 82) becomes a line break.
      "machine:\n  token: word0 word1 word2 word3 word4 word5 word6 word7 word8 word9 word10 word11\n    word12 word13 word14 word15 word16 word17 word18 word19\n  type: worker\nversion: v1alpha1\n",
    );
  });
  it("after a strategic patch: Talos's encoder, as for gen config", () => {
    expect(bytes("version: v1alpha1\nmachine: {type: worker}\n", "machine:\n  token: abc\n")).toBe('version: v1alpha1\nmachine:\n    type: worker\n    token: abc\n    certSANs: []\ncluster: null\n');
  });
});

describe("list item deletes", () => {
  it("each delete takes the first remaining item that matches, across keys, before the merge appends", () => {
    const out = apply(
      `
version: v1alpha1
machine:
  network:
    interfaces:
      - interface: eth0
        mtu: 1
      - interface: eth0
        mtu: 2
      - interface: eth1
        mtu: 3
      - interface: eth0
        mtu: 4
`,
      `
machine:
  network:
    interfaces:
      - interface: eth0
        $patch: delete
      - interface: eth0
        $patch: delete
      - interface: eth0
        mtu: 9
`,
    );
    expect(out).toContain("        interfaces:\n            - interface: eth1\n              mtu: 3\n            - interface: eth0\n              mtu: 9\n");
  });
  it("fails when there are more deletes than matching items", () => {
    const e = applyError(
      "apiVersion: v1alpha1\nkind: LinkConfig\nname: eth0\naddresses:\n  - address: 10.0.0.1/24\n",
      "apiVersion: v1alpha1\nkind: LinkConfig\nname: eth0\naddresses:\n  - address: 10.0.0.1/24\n    $patch: delete\n  - address: 10.0.0.1/24\n    $patch: delete\n",
    );
    // Go numbers the item after cutting the first directive out of the patch's list: [0] again.
    expect(e.message).toBe("named patch delete: document v1alpha1/LinkConfig: failed to delete path 'addresses.[0]': lookup failed");
    expect(e.place).toMatchObject({ line: 8, column: 5 });
  });
  it("never matches items by a number field (Go compares the field's text only for strings)", () => {
    expect(applyError("version: v1alpha1\nmachine:\n  network:\n    interfaces:\n      - interface: eth0\n        vlans:\n          - vlanId: 5\n", "machine:\n  network:\n    interfaces:\n      - interface: eth0\n        vlans:\n          - vlanId: 5\n            $patch: delete\n").message).toBe(
      "patch delete: path 'machine.network.interfaces.[0].vlans.[0]' in document '/v1alpha1': failed to delete path 'machine.network.interfaces.[0].vlans.[0]': searching for complex paths in slices is not supported",
    );
  });
});

describe("values Go reads into strings keep their text", () => {
  it("numbers and booleans in string fields and extraArgs are read as written", () => {
    const out = apply("version: v1alpha1\nmachine:\n  type: worker\n", "machine:\n  nodeLabels:\n    v: 1.10\n    b: True\n    o: 017\n  kubelet:\n    extraArgs:\n      x: 1.20\n      y: [2.0, yes]\n");
    expect(out).toContain("        extraArgs:\n            x: \"1.20\"\n            'y':\n                - \"2.0\"\n                - yes\n");
    expect(out).toContain('    nodeLabels:\n        b: "True"\n        o: "017"\n        v: "1.10"\n');
  });
  it("a map where extraArgs wants a string or a list is refused", () => {
    expect(loadError("machine:\n  kubelet:\n    extraArgs:\n      x: {a: 1}\n").message).toBe("arg value must be a string or list of strings");
  });
  it("a boolean field accepts YAML 1.1 spellings, as Go's decoder does for typed booleans", () => {
    expect(apply("version: v1alpha1\nmachine:\n  type: worker\n", "debug: yes\n")).toContain("version: v1alpha1\ndebug: true\n");
  });
});

describe("the container's checks (container.New) on the config and on each merge result", () => {
  it("a patch adding a bond under a link's name conflicts", () => {
    const e = applyError("apiVersion: v1alpha1\nkind: LinkConfig\nname: eth0\n", "apiVersion: v1alpha1\nkind: BondConfig\nname: eth0\nlinks: [eth1]\n");
    expect(e.message).toBe("conflicting documents: LinkConfig/eth0 and BondConfig/eth0");
    expect(e.place.source).toBe("patch1.yaml");
  });
  it("a veth's peer claims its link name", () => {
    expect(applyError("apiVersion: v1alpha1\nkind: VethConfig\nname: veth0\npeer:\n  name: eth0\n", "apiVersion: v1alpha1\nkind: LinkConfig\nname: eth0\n").message).toBe(
      'conflicting link configurations: VethConfig/veth0 and LinkConfig/eth0 both configure "eth0"',
    );
  });
  it("a config with a document twice is refused, at the second one", () => {
    const e = applyError("apiVersion: v1alpha1\nkind: LinkConfig\nname: eth0\n---\napiVersion: v1alpha1\nkind: LinkConfig\nname: eth0\n", "machine: {}\n");
    expect(e.message).toBe("duplicate document: LinkConfig/eth0");
    expect(e.place).toMatchObject({ source: "config", line: 5 });
  });
  it("existing and user volumes share one namespace of names", () => {
    expect(applyError("apiVersion: v1alpha1\nkind: UserVolumeConfig\nname: data\n", "apiVersion: v1alpha1\nkind: ExistingVolumeConfig\nname: data\n").message).toBe("conflicting documents: UserVolumeConfig/data and ExistingVolumeConfig/data");
  });
});

describe("durations (time.Duration) read and written as Go does", () => {
  it.each([
    ["1m", "1m0s"],
    ["90s", "1m30s"],
    ["1h", "1h0m0s"],
    ["1.5s", "1.5s"],
    ["500ms", "500ms"],
    ["1500us", "1.5ms"],
    ["0", "0s"],
    ["2h45m", "2h45m0s"],
    ["-1m", "-1m0s"],
    ["10ns", "10ns"],
  ])("%s is written %s", (input, written) => {
    expect(formatGoDuration(parseGoDuration(input)!)).toBe(written);
  });
  it("rejects what ParseDuration rejects", () => {
    for (const bad of ["", "1", "1x", ".s", "1m-1s", "3000000h", "9223372036854775808ns", "2562048h"]) expect(parseGoDuration(bad)).toBeNull();
  });
  it("reads up to 1<<63 before the sign, as Go's ParseDuration does", () => {
    expect(parseGoDuration("-9223372036854775808ns")).toBe(-(1n << 63n));
    expect(parseGoDuration("9223372036854775807ns")).toBe((1n << 63n) - 1n);
    expect(parseGoDuration("2562047h")).toBe(2562047n * 3_600_000_000_000n);
  });
  it("a probe's interval is written back in Go's form; a bad duration is an error at its line", () => {
    expect(apply("apiVersion: v1alpha1\nkind: TCPProbeConfig\nname: p\nendpoint: 10.0.0.1:80\n", "apiVersion: v1alpha1\nkind: TCPProbeConfig\nname: p\ninterval: 1m\n")).toContain("interval: 1m0s\n");
    const e = loadError("apiVersion: v1alpha1\nkind: TCPProbeConfig\nname: p\ninterval: soon\n");
    expect(e.message).toBe("time: invalid duration");
    expect(e.place).toMatchObject({ line: 4, column: 11, path: "interval" });
  });
});

describe("URLs (net/url) in Endpoint and meta.URL fields", () => {
  it.each([
    ["https://127.0.0.1:6643/", "https://10.0.0.1", "https://10.0.0.1/"],
    ["https://a:6443", "https://b:6443/x?y=1", "https://b:6443/x?y=1"],
    ["https://a/p?q=1#f", "http://b", "http://b/p?q=1#f"],
    ["https://u@a/", "https://b", "https://u@b/"],
  ])("%s merged with %s is %s", (left, right, merged) => {
    expect(mergeGoUrls(left, right)).toBe(merged);
  });
  it("url.Parse lowercases the scheme; the text is written back with URL.String", () => {
    expect(formatGoUrl(parseGoUrl("HTTPS://Example.com:443/a")!)).toBe("https://Example.com:443/a");
    expect(formatGoUrl(parseGoUrl("mailto:x@y")!)).toBe("mailto:x@y");
    expect(parseGoUrl("a:b/c")?.opaque).toBe("b/c");
    expect(parseGoUrl("1a:b")).toBeNull();
  });
  it("a SideroLink URL is read with url.Parse and kept when the patch leaves it out", () => {
    expect(applyPatches("apiVersion: v1alpha1\nkind: SideroLinkConfig\napiUrl: HTTPS://omni/join\n", [loadPatch("apiVersion: v1alpha1\nkind: SideroLinkConfig\nuniqueToken: t\n", "p")])).toContain("apiUrl: https://omni/join\n");
  });
});
