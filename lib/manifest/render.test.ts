import { readFileSync } from "node:fs";
import path from "node:path";

import { describe, expect, it } from "vitest";

import { applyPatches, loadPatch } from "@/lib/config/patch";
import { SourceError } from "@/lib/talos/errors";
import { generateMachineConfig } from "@/lib/talos/generate";
import { parseSecretsBundle } from "@/lib/talos/secrets/bundle";

import { parseManifest } from "./parse";
import { findNode, generateInput, ManifestRenderer } from "./render";
import type { Manifest } from "./schema";

const secrets = parseSecretsBundle(readFileSync(path.join(__dirname, "../talos/secrets/testdata/talos-secrets.yaml"), "utf8"), "talos-secrets.yaml");

const SYSCTL = 'machine:\n  sysctls:\n    vm.max_map_count: "262144"\n    net.core.somaxconn: "1024"\n';
const ZONE_B = 'machine:\n  sysctls:\n    net.core.somaxconn: "2048"\n  nodeLabels:\n    zone: b\n';
const OWN = 'machine:\n  sysctls:\n    net.core.somaxconn: "4096"\n';

function manifest(talosVersion: string): Manifest {
  const text = `cluster: {name: prod, endpoint: "https://10.0.0.10:6443", talosVersion: ${talosVersion}, kubernetesVersion: v1.33.2}
generate: {additionalSans: [k8s.example.com], installDisk: /dev/nvme0n1, registryMirrors: {docker.io: ["https://mirror.example.com"]}}
patches:
  - name: workers
    selector: {role: worker}
    patch: ${JSON.stringify(SYSCTL)}
  - name: zone b
    selector: {labels: {zone: b}}
    patch: ${JSON.stringify(ZONE_B)}
nodes:
  - {address: 10.0.0.11, hostname: cp-1, role: controlplane, labels: {zone: a}}
  - {address: 10.0.0.21, hostname: w-1, role: worker, labels: {zone: b}, patch: ${JSON.stringify(OWN)}}
  - {address: 10.0.0.22, hostname: w-2, role: worker, labels: {zone: a}}
  - {address: 10.0.0.23, hostname: w-3, role: worker, setHostname: false}
`;
  const p = parseManifest(text);
  expect(p.issues).toEqual([]);
  return p.manifest!;
}

/** talosctl by hand: gen config for the role, the hostname written in, then --config-patch in order. */
function byHand(m: Manifest, hostname: string, patches: string[]): string {
  const n = m.nodes.find((x) => x.hostname === hostname)!;
  let config = generateMachineConfig(generateInput(m, secrets), n.role);
  const loaded = patches.map((p, i) => loadPatch(p, `patch ${i}`));
  if (n.setHostname !== false) {
    if (config.includes("kind: HostnameConfig")) {
      // From the 1.12 contract: the generated HostnameConfig says `auto: stable`; a set hostname replaces it.
      expect(config.match(/kind: HostnameConfig\nauto: stable\n/g)).toHaveLength(1);
      config = config.replace("kind: HostnameConfig\nauto: stable\n", `kind: HostnameConfig\nhostname: ${hostname}\n`);
    } else {
      loaded.unshift(loadPatch(`machine:\n  network:\n    hostname: ${hostname}\n`, "hostname"));
    }
  }
  return applyPatches(config, loaded);
}

describe("ManifestRenderer", () => {
  for (const version of ["v1.11.6", "v1.13.9", "v1.14.0"]) {
    it(`renders each node as gen config + its patches in order, done by hand (${version})`, () => {
      const m = manifest(version);
      const r = new ManifestRenderer(m, secrets);
      expect(r.render(m.nodes[0]!)).toBe(byHand(m, "cp-1", []));
      expect(r.render(m.nodes[1]!)).toBe(byHand(m, "w-1", [SYSCTL, ZONE_B, OWN]));
      expect(r.render(m.nodes[2]!)).toBe(byHand(m, "w-2", [SYSCTL]));
      expect(r.render(m.nodes[3]!)).toBe(byHand(m, "w-3", [SYSCTL]));
      // The later layer wins: the node's own value, then zone b's over the workers'.
      expect(r.render(m.nodes[1]!)).toContain('net.core.somaxconn: "4096"');
      expect(r.render(m.nodes[2]!)).toContain('net.core.somaxconn: "1024"');
      expect(r.render(m.nodes[3]!)).not.toContain("hostname: w-3");
    });
  }

  it("lists the selected patches in manifest order and renders the unpatched config", () => {
    const m = manifest("v1.13.9");
    const r = new ManifestRenderer(m, secrets);
    expect(m.nodes.map((n) => r.selectedPatches(n))).toEqual([[], [0, 1], [0], [0]]);
    expect(r.unpatched(m.nodes[0]!)).toBe(byHand(m, "cp-1", []));
    expect(r.generated("worker")).toBe(r.generated("worker"));
  });

  it("uses the selection table it is given (parseManifest's) instead of selecting again", () => {
    const m = manifest("v1.13.9");
    // A table that differs from what the selectors say: the renderer follows the table.
    const r = new ManifestRenderer(m, secrets, [[1], [], [0], [0]]);
    expect(m.nodes.map((n) => r.selectedPatches(n))).toEqual([[1], [], [0], [0]]);
    expect(r.render(m.nodes[1]!)).toBe(byHand(m, "w-1", [OWN]));
    // A copy each time: callers may reverse it.
    r.selectedPatches(m.nodes[0]!).reverse();
    expect(r.selectedPatches(m.nodes[0]!)).toEqual([1]);
  });

  it("names the patch and its line when a patch fails", () => {
    const m = manifest("v1.13.9");
    m.patches![1]!.patch = "machine:\n  sysctls:\n    a: b\n  network:\n    bogus: 1\n";
    const r = new ManifestRenderer(m, secrets);
    expect(() => r.render(m.nodes[2]!)).not.toThrow();
    let err: unknown;
    try {
      r.render(m.nodes[1]!);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SourceError);
    expect((err as SourceError).place).toMatchObject({ source: 'patches[1] "zone b"', line: 5 });
  });
});

describe("findNode", () => {
  it("finds a node by hostname, address or Minos node id", () => {
    const m = manifest("v1.13.9");
    expect(findNode(m, "w-2")?.address).toBe("10.0.0.22");
    expect(findNode(m, "10.0.0.22")?.hostname).toBe("w-2");
    expect(findNode(m, "10.0.0.22@cluster-1")?.hostname).toBe("w-2");
    expect(findNode(m, "w-9")).toBeUndefined();
  });
});
