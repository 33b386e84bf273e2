import { readFileSync } from "node:fs";
import path from "node:path";

import { describe, expect, it } from "vitest";

import { parseSecretsBundle } from "@/lib/talos/secrets/bundle";

import { checkManifest } from "./check";

const secrets = parseSecretsBundle(readFileSync(path.join(__dirname, "../talos/secrets/testdata/talos-secrets.yaml"), "utf8"), "talos-secrets.yaml");

const NODES = `nodes:
  - {address: 10.0.0.11, hostname: cp-1, role: controlplane}
  - {address: 10.0.0.21, hostname: w-1, role: worker}
  - {address: 10.0.0.22, hostname: w-2, role: worker}
`;

/** Line 1 cluster, then `body` (starting on line 2), then the nodes. */
const manifest = (body: string, talosVersion = "v1.13.9", nodes = NODES) =>
  `cluster: {name: prod, endpoint: "https://10.0.0.10:6443", talosVersion: ${talosVersion}, kubernetesVersion: v1.33.2}\n${body}${nodes}`;

const errors = (text: string) => checkManifest(text, secrets).filter((i) => i.severity === "error");

describe("checkManifest", () => {
  it("finds nothing wrong with a plain manifest, on either side of the multi-document contract", () => {
    expect(checkManifest(manifest(""), secrets)).toEqual([]);
    const sysctl = `patches:
  - name: worker sysctls
    selector: {role: worker}
    patch: |
      apiVersion: v1alpha1
      kind: SysctlConfig
      params:
        vm.max_map_count: "262144"
`;
    expect(checkManifest(manifest(sysctl, "v1.14.0"), secrets)).toEqual([]);
  });

  it("marks a patch that breaks one node's config on the patch's own line, naming that node only", () => {
    const text = manifest(`patches:
  - name: w-2 interfaces
    selector: {nodes: [w-2]}
    patch: |
      machine:
        network:
          interfaces:
            - interface: eth0
              addresses: [not-an-ip]
`);
    const e = errors(text);
    expect(e).toEqual([
      expect.objectContaining({
        line: 10,
        column: 27,
        nodes: ["w-2"],
        path: ["machine", "network", "interfaces", 0, "addresses", 0],
        message: expect.stringMatching(/^w-2: machine\.network\.interfaces\[0\]\.addresses\[0\]: .*failed to parse IP address "not-an-ip"/),
      }),
    ]);
  });

  it("merges one problem of several nodes into one issue naming them in manifest order", () => {
    const text = manifest(`patches:
  - name: subnets
    selector: {hostname: "w-*"}
    patch: |
      machine:
        kubelet:
          nodeIP:
            validSubnets: [bogus]
`);
    const e = errors(text);
    expect(e).toHaveLength(1);
    expect(e[0]).toMatchObject({ line: 9, nodes: ["w-1", "w-2"], message: expect.stringMatching(/^w-1, w-2: machine\.kubelet\.nodeIP\.validSubnets\[0\]: /) });
  });

  it("blames the last layer that set the path: the node's own patch over a shared one", () => {
    const text = manifest(
      `patches:
  - name: dns
    selector: {role: worker}
    patch: |
      cluster:
        network:
          dnsDomain: -shared-
`,
      "v1.13.9",
      `nodes:
  - {address: 10.0.0.11, hostname: cp-1, role: controlplane}
  - address: 10.0.0.21
    hostname: w-1
    role: worker
    patch: |
      cluster:
        network:
          dnsDomain: -own-
  - {address: 10.0.0.22, hostname: w-2, role: worker}
`,
    );
    const e = errors(text);
    expect(e).toEqual([
      expect.objectContaining({ line: 8, nodes: ["w-2"], message: expect.stringContaining('"-shared-"') }),
      expect.objectContaining({ line: 17, column: 22, nodes: ["w-1"], message: expect.stringContaining('"-own-"') }),
    ]);
  });

  it("finds the value in a multi-document patch by the document's kind (1.14 contract)", () => {
    const text = manifest(
      `patches:
  - name: dns
    selector: {role: worker}
    patch: |
      apiVersion: v1alpha1
      kind: KubeNetworkConfig
      dnsDomain: -bad-
`,
      "v1.14.0",
    );
    expect(errors(text)).toEqual([expect.objectContaining({ line: 8, column: 18, nodes: ["w-1", "w-2"], message: expect.stringMatching(/^w-1, w-2: KubeNetworkConfig\.dnsDomain: /) })]);
  });

  it("puts a generated value's problem on its generation input, for every node", () => {
    for (const v of ["v1.13.9", "v1.14.0"]) {
      const e = errors(manifest("generate:\n  dnsDomain: -bad-\n", v));
      expect(e, v).toEqual([expect.objectContaining({ line: 3, column: 14, nodes: ["cp-1", "w-1", "w-2"], message: expect.stringContaining("cp-1, w-1, w-2: ") })]);
    }
  });

  it("names at most three nodes in a message", () => {
    const many = `nodes:\n${Array.from({ length: 5 }, (_, i) => `  - {address: 10.0.0.${i + 1}, hostname: n-${i + 1}, role: worker}`).join("\n")}\n`;
    const e = errors(manifest("generate:\n  dnsDomain: -bad-\n", "v1.13.9", many));
    expect(e[0]!.message).toMatch(/^n-1, n-2, n-3 and 2 more nodes: /);
    expect(e[0]!.nodes).toEqual(["n-1", "n-2", "n-3", "n-4", "n-5"]);
  });

  it("places a render error on the patch that caused it", () => {
    // JSON patches cannot apply to a multi-document config (from the 1.12 contract on: HostnameConfig).
    const text = manifest(
      `patches:
  - name: json
    selector: {role: controlplane}
    patch: |
      - op: add
        path: /machine/sysctls
        value: {a: "1"}
`,
      "v1.14.0",
    );
    expect(errors(text)).toEqual([expect.objectContaining({ line: 6, column: 7, nodes: ["cp-1"], path: ["patches", 0, "patch"], message: expect.stringContaining("JSON6902 patches are not supported for multi-document") })]);
    // The same patch on a single-document contract renders.
    expect(errors(text.replace("v1.14.0", "v1.11.6"))).toEqual([]);
  });

  it("places a generation input that gen config refuses on its key", () => {
    const e = errors(manifest('generate:\n  registryMirrors:\n    docker.io: ["not a url"]\n'));
    expect(e).toEqual([expect.objectContaining({ line: 4, column: 5, nodes: ["cp-1", "w-1", "w-2"], path: ["generate", "registryMirrors", "docker.io"], message: expect.stringContaining("failed to parse registry mirror endpoint") })]);
  });

  it("attributes a problem inside a JSON patch's value to the operation", () => {
    const text = manifest(`patches:
  - name: json
    patch: |
      - op: add
        path: /machine/kubelet/nodeIP
        value:
          validSubnets: [bogus]
`, "v1.11.6");
    expect(errors(text)).toEqual([expect.objectContaining({ line: 8, nodes: ["cp-1", "w-1", "w-2"] })]);
  });

  it("does not render a manifest whose schema fails, nor repeat a patch that does not load", () => {
    expect(errors(manifest("generate: {dnsDomain: 3}\n")).map((i) => i.nodes)).toEqual([[]]);
    const text = manifest(`patches:
  - name: broken
    patch: |
      machine:
        sysctlz: {}
`);
    const e = errors(text);
    expect(e).toEqual([expect.objectContaining({ line: 6, nodes: [], message: expect.stringContaining("sysctlz") })]);
  });
});
