/**
 * Adopting a 100-node cluster (3 control planes, 97 workers) built as the simulator builds its
 * fleets: gen config per role, each node's address as one more SAN and its hostname, shared
 * patches per role, and a few per-node differences (an extra sysctl on one worker, a label on
 * another, kubelet flags on a third). The whole adoption: reading 100 configs, choosing the
 * contract, the deltas, the factoring and the check that the manifest renders every node back.
 */
import { readFileSync } from "node:fs";
import path from "node:path";

import { ManifestRenderer } from "@/lib/manifest/render";
import type { Manifest, ManifestNode } from "@/lib/manifest/schema";
import { parseSecretsBundle } from "@/lib/talos/secrets/bundle";
import { median } from "@/test/bench/stats";
import type { Bench, BenchRow } from "@/test/bench/types";

import { adoptManifest, type AdoptNodeInput } from "./index";

const secrets = parseSecretsBundle(readFileSync(path.join(__dirname, "../../talos/generate/testdata/secrets.yaml"), "utf8"), "secrets.yaml");

function cluster(talosVersion: string): AdoptNodeInput[] {
  const multidoc = talosVersion.startsWith("v1.14");
  const nodes: ManifestNode[] = [];
  for (let i = 0; i < 100; i++) {
    const cp = i < 3;
    const address = cp ? `10.5.0.${10 + i}` : `10.5.${1 + (i >> 8)}.${i & 255}`;
    let patch = `machine:\n  certSANs:\n    - ${address}\n`;
    if (i === 10) patch += multidoc ? `---\napiVersion: v1alpha1\nkind: SysctlConfig\nparams:\n  net.core.somaxconn: "65535"\n` : `  sysctls:\n    net.core.somaxconn: "65535"\n`;
    if (i === 20) patch += `  nodeLabels:\n    example.com/gpu: "true"\n`;
    if (i === 30) patch += multidoc ? `---\napiVersion: v1alpha1\nkind: KubeletConfig\nextraArgs:\n  max-pods: "250"\n` : `  kubelet:\n    extraArgs:\n      max-pods: "250"\n`;
    nodes.push({ address, hostname: cp ? `cp-${i + 1}` : `worker-${i - 2}`, role: cp ? "controlplane" : "worker", labels: { zone: i % 2 ? "a" : "b" }, patch });
  }
  const sysctl = multidoc ? `apiVersion: v1alpha1\nkind: SysctlConfig\nparams:\n  vm.max_map_count: "262144"\n` : `machine:\n  sysctls:\n    vm.max_map_count: "262144"\n`;
  const manifest: Manifest = {
    cluster: { name: "bench", endpoint: "https://10.5.0.2:6443", talosVersion, kubernetesVersion: "v1.33.2" },
    generate: { additionalSans: ["bench.example.com"] },
    patches: [
      { name: "time", patch: "machine:\n  time:\n    servers: [time.cloudflare.com]\n" },
      { name: "worker sysctls", selector: { role: "worker" }, patch: sysctl },
      { name: "zone a", selector: { labels: { zone: "a" } }, patch: "machine:\n  nodeLabels:\n    topology.kubernetes.io/zone: a\n" },
    ],
    nodes,
  };
  const r = new ManifestRenderer(manifest, secrets);
  return nodes.map((n) => ({ address: n.address, hostname: n.hostname, role: n.role, config: r.render(n), version: talosVersion }));
}

const bench: Bench = async () => {
  const rows: BenchRow[] = [];
  for (const version of ["v1.13.9", "v1.14.0"]) {
    const nodes = cluster(version);
    const times: number[] = [];
    let reproduced = 0;
    adoptManifest({ nodes, secrets }); // warm-up
    for (let i = 0; i < 5; i++) {
      const t = performance.now();
      const result = adoptManifest({ nodes, secrets });
      times.push(performance.now() - t);
      reproduced = result.report.nodes.filter((n) => n.reproduced).length;
    }
    rows.push({ suite: "manifest-adopt", name: `adopt 100 nodes (3 cp, 97 workers), ${version}`, value: Number(median(times).toFixed(0)), unit: "ms", note: `median of 5; ${reproduced}/100 reproduced` });
  }
  return rows;
};

export default bench;
