/**
 * The fleet pipeline, in process: for 100 nodes (3 control planes, 97 workers) of a 1.14 cluster,
 * generate the role's config from one secrets bundle, apply the node's own patch (hostname and
 * address, as a HostnameConfig and a LinkConfig document) and validate the result, as
 * `minos gen config` + `minos machineconfig patch` + `minos validate` would per node. Reports the
 * median time per node over several passes, and the three steps' medians. The secrets bundle is
 * generated once, outside the timings (a fleet has one).
 */
import { mean, median, percentile } from "@/test/bench/stats";
import type { Bench, BenchRow } from "@/test/bench/types";
import { validateConfig } from "@/lib/config/validate";
import { generateSecretsBundle } from "@/lib/talos/secrets/bundle";
import { applyPatches, loadPatch } from "@/lib/config/patch";

import { generateMachineConfig, type GenerateInput } from "./index";

const NODES = 100;
const CONTROL_PLANES = 3;
const PASSES = 7;


/** The node's own patch: what a fleet repository keeps per machine. */
function nodePatch(i: number): string {
  const name = `node-${String(i).padStart(3, "0")}`;
  return [
    "apiVersion: v1alpha1",
    "kind: HostnameConfig",
    'auto: "off"',
    `hostname: ${name}`,
    "---",
    "apiVersion: v1alpha1",
    "kind: LinkConfig",
    "name: eth0",
    "addresses:",
    `    - address: 10.5.${Math.floor(i / 250)}.${(i % 250) + 2}/16`,
    "",
  ].join("\n");
}

const bench: Bench = async () => {
  const secrets = await generateSecretsBundle({ talosVersion: "1.14" });
  const input: GenerateInput = {
    clusterName: "bench",
    endpoint: "https://10.5.0.1:6443",
    kubernetesVersion: "1.35.0",
    talosVersion: "1.14",
    secrets,
  };
  const patches = Array.from({ length: NODES }, (_, i) => nodePatch(i));

  const perNode: number[] = [];
  const gen: number[] = [];
  const patch: number[] = [];
  const validate: number[] = [];
  let errors = 0;
  let warnings = 0;
  let lines = 0;
  for (let pass = 0; pass <= PASSES; pass++) {
    for (let i = 0; i < NODES; i++) {
      const t0 = performance.now();
      const base = generateMachineConfig(input, i < CONTROL_PLANES ? "controlplane" : "worker");
      const t1 = performance.now();
      const config = applyPatches(base, [loadPatch(patches[i]!, `node-${i}.yaml`)]);
      const t2 = performance.now();
      const r = validateConfig(config, { talosVersion: "1.14", mode: "metal" });
      const t3 = performance.now();
      // Pass 0 warms the JIT and the validator's caches; it is not counted.
      if (pass === 0) {
        errors += r.issues.filter((x) => x.severity === "error").length;
        warnings += r.issues.filter((x) => x.severity === "warning").length;
        if (i === CONTROL_PLANES) lines = config.split("\n").length;
        continue;
      }
      perNode.push(t3 - t0);
      gen.push(t1 - t0);
      patch.push(t2 - t1);
      validate.push(t3 - t2);
    }
  }
  const suite = "talos/pipeline";
  const note = `${NODES} nodes (${CONTROL_PLANES} cp), ${PASSES} passes; errors ${errors}, warnings ${warnings}; worker ${lines} lines`;
  const rows: BenchRow[] = [
    { suite, name: "generate+patch+validate per node (p50)", value: median(perNode), unit: "ms", note },
    { suite, name: "generate+patch+validate per node (p90)", value: percentile(perNode, 90), unit: "ms" },
    { suite, name: "generate+patch+validate per node (mean)", value: mean(perNode), unit: "ms" },
    { suite, name: "generate per node (p50)", value: median(gen), unit: "ms" },
    { suite, name: "patch per node (p50)", value: median(patch), unit: "ms" },
    { suite, name: "validate per node (p50)", value: median(validate), unit: "ms" },
    { suite, name: "100 nodes, one pass (median of sums)", value: median(chunkSums(perNode, NODES)), unit: "ms" },
  ];
  return rows;
};

function chunkSums(xs: number[], size: number): number[] {
  const sums: number[] = [];
  for (let i = 0; i < xs.length; i += size) sums.push(xs.slice(i, i + size).reduce((a, b) => a + b, 0));
  return sums;
}

export default bench;
