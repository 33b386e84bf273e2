import { describe, expect, it } from "vitest";

import { ALIASES_MESSAGE, parseManifest, patchOrigin } from "./parse";

/** A small valid manifest; tests edit it line by line. */
const BASE = `version: 1
cluster:
  name: prod
  endpoint: https://10.0.0.10:6443
  talosVersion: v1.13.9
  kubernetesVersion: v1.33.2
generate:
  installDisk: /dev/sda
patches:
  - name: worker sysctls
    selector: {role: worker}
    patch: |
      machine:
        sysctls:
          vm.max_map_count: "262144"
  - name: zone a
    selector:
      labels: {zone: a}
    patch: |
      machine:
        nodeLabels:
          zone: a
nodes:
  - {address: 10.0.0.11, hostname: cp-1, role: controlplane, labels: {zone: a}}
  - address: 10.0.0.21
    hostname: w-1
    role: worker
    labels: {zone: b}
`;

const errors = (text: string) => parseManifest(text).issues.filter((i) => i.severity === "error");

describe("parseManifest", () => {
  it("reads a valid manifest without issues", () => {
    const r = parseManifest(BASE);
    expect(r.issues).toEqual([]);
    expect(r.manifest?.nodes.map((n) => n.hostname)).toEqual(["cp-1", "w-1"]);
    expect(r.manifest?.patches?.[0]?.patch).toContain("vm.max_map_count");
  });

  it("reports YAML syntax errors on their line", () => {
    const text = BASE.replace("  name: prod\n", "  name: prod\n  bad: [1, 2\n");
    const e = errors(text);
    expect(e.length).toBeGreaterThan(0);
    expect(e[0]!.line).toBeGreaterThanOrEqual(4);
    expect(parseManifest(text).manifest).toBeUndefined();
  });

  it("refuses duplicate keys and a second document", () => {
    expect(errors(BASE.replace("  name: prod\n", "  name: prod\n  name: dev\n"))[0]).toMatchObject({ line: 4, message: expect.stringContaining("duplicate key `name`") });
    expect(errors(`${BASE}---\nfoo: 1\n`)[0]).toMatchObject({ line: 29, message: expect.stringContaining("one YAML document") });
  });

  it("refuses an empty manifest and alias bombs", () => {
    expect(errors("# nothing\n")[0]!.message).toBe("the manifest is empty");
    const bomb = ["a: &a [x, x, x, x, x, x, x, x, x, x]", ...Array.from({ length: 8 }, (_, i) => `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(10).fill(`*${String.fromCharCode(97 + i)}`).join(", ")}]`)].join("\n");
    expect(errors(bomb).map((i) => i.message)).toContain(ALIASES_MESSAGE);
  });

  it("refuses anchors and aliases in the manifest, before reading it (no amplification)", () => {
    // One large patch aliased as every node's patch: refused on its line, nothing read further.
    const big = `machine:\n  sysctls:\n${Array.from({ length: 2000 }, (_, i) => `    net.k${i}: "1"`).join("\n")}\n`;
    const nodes = Array.from({ length: 50 }, (_, i) => `  - {address: 10.0.1.${i}, hostname: n${i}, role: worker, patch: *p}`).join("\n");
    const text = BASE.replace("nodes:\n", `  - name: big\n    patch: &p |\n${big.replace(/^/gm, "      ").trimEnd()}\nnodes:\n${nodes}\n`);
    const r = parseManifest(text);
    expect(r.manifest).toBeUndefined();
    expect(r.issues.filter((i) => i.message === ALIASES_MESSAGE).length).toBeGreaterThan(1);
    expect(r.issues[0]).toMatchObject({ severity: "error", path: [], line: text.split("\n").findIndex((l) => l.includes("&p")) + 1 });
    // An anchor alone is refused as well.
    expect(errors(BASE.replace("labels: {zone: b}", "labels: &z {zone: b}"))).toEqual([expect.objectContaining({ line: 28, message: ALIASES_MESSAGE })]);
  });

  it("refuses anchors and aliases inside patch strings, on their line", () => {
    const text = BASE.replace('          vm.max_map_count: "262144"\n', '          vm.max_map_count: &x "262144"\n        nodeLabels: {copy: *x}\n');
    const r = parseManifest(text);
    expect(r.issues).toEqual([
      expect.objectContaining({ severity: "error", line: 15, column: 32, path: [], message: expect.stringContaining(ALIASES_MESSAGE) }),
      expect.objectContaining({ severity: "error", line: 16, column: 28, path: [], message: expect.stringContaining(ALIASES_MESSAGE) }),
    ]);
    // `*` and `&` inside values are text, not aliases.
    expect(parseManifest(BASE.replace('vm.max_map_count: "262144"', 'vm.max_map_count: "262144"\n        nodeLabels: {a: "x&y*z"}')).issues).toEqual([]);
  });

  it("refuses credentials in registry mirror endpoints", () => {
    const text = BASE.replace("  installDisk: /dev/sda\n", "  installDisk: /dev/sda\n  registryMirrors:\n    docker.io: [https://mirror.example.com, 'https://user:pw@mirror.example.com']\n");
    expect(errors(text)).toEqual([expect.objectContaining({ line: 10, path: ["generate", "registryMirrors", "docker.io", 1], message: expect.stringContaining("credentials go in a patch") })]);
    expect(errors(text.replace("https://user:pw@", "user@"))).toHaveLength(1);
    expect(errors(text.replace("https://user:pw@", "https://"))).toEqual([]);
  });

  it("reports a hostname that is another node's address", () => {
    const text = BASE.replace("hostname: w-1", "hostname: 10.0.0.11");
    expect(errors(text)).toEqual([expect.objectContaining({ line: 26, path: ["nodes", 1, "hostname"], message: expect.stringContaining("is the address of node cp-1") })]);
    // Its own address as hostname is not ambiguous.
    expect(errors(BASE.replace("hostname: w-1", "hostname: 10.0.0.21"))).toEqual([]);
  });

  it("computes each node's selection once and refuses a manifest over the patching budget", () => {
    const r = parseManifest(BASE);
    expect(r.selection).toEqual([[1], [0]]);
    // 300 nodes × a 240 KB patch selected by all = 70 MiB of patching: refused without rendering.
    const patch = `machine:\n  sysctls:\n    a: "1"\n# ${"x".repeat(240 * 1024)}\n`;
    const nodes = Array.from({ length: 300 }, (_, i) => `  - {address: 10.0.${i >> 8}.${i & 255}, hostname: n${i}, role: worker}`).join("\n");
    const text = `cluster: {name: c, endpoint: "https://1.2.3.4:6443", talosVersion: v1.13.9, kubernetesVersion: v1.33.2}\npatches:\n  - name: big\n    patch: ${JSON.stringify(patch)}\nnodes:\n${nodes}\n`;
    const big = parseManifest(text);
    expect(big.issues).toEqual([expect.objectContaining({ severity: "error", line: 2, path: [], message: expect.stringMatching(/asks for 70\.\d MiB of patching .*at most 64 MiB/) })]);
    // The same with 200 nodes is within the budget.
    expect(parseManifest(text.split("\n").slice(0, 5 + 200).join("\n")).issues).toEqual([]);
  });

  it("places schema errors on the offending key or value", () => {
    const bad = BASE.replace("  endpoint: https://10.0.0.10:6443", "  endpoint: 10.0.0.10:6443");
    expect(errors(bad)).toEqual([expect.objectContaining({ line: 4, column: 13, message: "must be https://host:port", path: ["cluster", "endpoint"] })]);

    const unknown = BASE.replace("    role: worker\n", "    role: worker\n    rol: worker\n");
    expect(errors(unknown)).toEqual([expect.objectContaining({ line: 28, column: 5, message: "unknown key `rol`", path: ["nodes", 1, "rol"] })]);

    const missing = BASE.replace("    hostname: w-1\n", "");
    expect(errors(missing)).toEqual([expect.objectContaining({ message: "missing required key `hostname`", path: ["nodes", 1, "hostname"] })]);
  });

  it("reports a node listed twice on the second entry, naming the first", () => {
    const twice = `${BASE}  - {address: 10.0.0.11, hostname: cp-2, role: controlplane}\n  - {address: 10.0.0.12, hostname: w-1, role: worker}\n`;
    const e = errors(twice);
    expect(e).toEqual([
      expect.objectContaining({ line: 29, message: "node 10.0.0.11 is listed twice (first as cp-1 on line 24)", path: ["nodes", 2, "address"], nodes: [] }),
      expect.objectContaining({ line: 30, message: "hostname w-1 is listed twice (first for 10.0.0.21 on line 26)", path: ["nodes", 3, "hostname"] }),
    ]);
  });

  it("reports duplicate patch names", () => {
    const dup = BASE.replace("  - name: zone a", "  - name: worker sysctls");
    expect(errors(dup)).toEqual([expect.objectContaining({ line: 16, column: 11, message: 'patch name "worker sysctls" is used twice (first on line 10)' })]);
  });

  it("reports a selector label no node declares, on the selector's line", () => {
    const e = errors(BASE.replace("labels: {zone: a}\n    patch", "labels: {zone: c}\n    patch"));
    expect(e).toEqual([expect.objectContaining({ line: 18, column: 16, message: "unknown selector label zone=c: no node declares it (zone is a, b)", path: ["patches", 1, "selector", "labels", "zone"] })]);
    const e2 = errors(BASE.replace("labels: {zone: a}\n    patch", "labels: {rack: r1}\n    patch"));
    expect(e2[0]!.message).toBe("unknown selector label rack=r1: no node declares it");
  });

  it("reports selector nodes that are not in the manifest, and warns on a glob that matches nothing", () => {
    const text = BASE.replace("selector: {role: worker}", 'selector: {nodes: [w-1, 10.0.0.11, w-9], hostname: "gpu-*"}');
    const r = parseManifest(text);
    expect(r.issues).toEqual([
      expect.objectContaining({ severity: "error", line: 11, message: expect.stringContaining("selector names w-9, which is not a node"), path: ["patches", 0, "selector", "nodes", 2] }),
      expect.objectContaining({ severity: "warning", line: 11, message: 'hostname glob "gpu-*" matches no node' }),
    ]);
    expect(r.manifest).toBeDefined();
  });

  it("places a patch that does not load on the manifest line of its own bad line", () => {
    // The flow list never closes: the parser stops at the patch's end, its last line (manifest line 15).
    const text = BASE.replace('vm.max_map_count: "262144"', "vm.max_map_count: [1");
    const e = errors(text);
    expect(e).toHaveLength(1);
    expect(e[0]).toMatchObject({ line: 15, path: ["patches", 0, "patch"] });
    // An unknown field: Talos's decoder names it on its own line (line 2 of the patch: manifest line 14).
    const unknown = errors(BASE.replace("        sysctls:\n          vm.max", "        sysctlz:\n          vm.max"));
    expect(unknown).toEqual([expect.objectContaining({ line: 14, column: 9, path: ["patches", 0, "patch"] })]);
    expect(unknown[0]!.message).toMatch(/sysctlz/);
  });

  it("places a node's own patch error, falling back to the key for a quoted patch", () => {
    const text = `${BASE}    patch: "machine: {sysctlz: {}}"\n`;
    const e = errors(text);
    expect(e).toEqual([expect.objectContaining({ line: 29, column: 5, path: ["nodes", 1, "patch"] })]);
    expect(e[0]!.message).toMatch(/sysctlz/);
  });

  it("warns when the Talos version is outside the contracts Minos generates", () => {
    expect(parseManifest(BASE.replace("v1.13.9", "v1.9.5")).issues).toEqual([expect.objectContaining({ severity: "warning", line: 5, message: expect.stringContaining("renders with 1.10") })]);
    expect(parseManifest(BASE.replace("v1.13.9", "v1.14.2")).issues).toEqual([]);
  });

  it("refuses a manifest over the size cap without parsing it", () => {
    const r = parseManifest(`# ${"x".repeat(4 * 1024 * 1024)}\n`);
    expect(r.issues[0]!.message).toMatch(/larger than 4 MiB/);
    expect(r.doc).toBeUndefined();
  });
});

describe("patchOrigin", () => {
  it("maps lines of a literal block (with an indentation indicator) to the manifest", () => {
    const text = `patches:\n  - name: x\n    patch: |2-\n        indented: 1\n      top: 2\n`;
    const r = parseManifest(text);
    const o = patchOrigin(r.doc!, r.lineCounter, ["patches", 0, "patch"]);
    expect(o.exact).toBe(true);
    expect(o.at(1, 3)).toMatchObject({ line: 4, column: 9 });
    expect(o.at(2, 1)).toMatchObject({ line: 5, column: 7 });
    // Past the end: clamped to the last line.
    expect(o.at(9, 1).line).toBe(5);
  });

  it("falls back to the key for folded and flow scalars", () => {
    const text = `a: >\n  folded\n  text\nb: 'x'\n`;
    const r = parseManifest(text);
    expect(patchOrigin(r.doc!, r.lineCounter, ["a"]).exact).toBe(false);
    expect(patchOrigin(r.doc!, r.lineCounter, ["b"]).at(1, 1)).toMatchObject({ line: 4, column: 1 });
  });
});
