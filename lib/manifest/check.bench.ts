/**
 * Issue 16's budget: render and validate every node of a 100-node cluster in under 1 s. The
 * manifest: 3 control planes, 97 workers, 4 shared patches (every node, a role, a hostname
 * glob, a label), node patches on every tenth worker. Figures: checkManifest end to end (parse,
 * render, validate, place), and render alone, per contract.
 */
import { readFileSync } from "node:fs";
import path from "node:path";

import { median } from "@/test/bench/stats";
import type { Bench, BenchRow } from "@/test/bench/types";
import { parseSecretsBundle } from "@/lib/talos/secrets/bundle";

import { checkManifest } from "./check";
import { parseManifest } from "./parse";
import { ManifestRenderer } from "./render";

const WARMUP = 2;
const RUNS = 9;

/** The 100-node manifest of the benchmark (the 1.14 contract takes the sysctls as a SysctlConfig). */
export function benchManifest(talosVersion: string): string {
  const multidoc = talosVersion.startsWith("v1.14");
  const sysctls = multidoc ? `apiVersion: v1alpha1\n      kind: SysctlConfig\n      params:\n        vm.max_map_count: "262144"` : `machine:\n        sysctls:\n          vm.max_map_count: "262144"`;
  const lines = [
    `cluster: {name: prod, endpoint: "https://10.0.0.10:6443", talosVersion: ${talosVersion}, kubernetesVersion: v1.33.2}`,
    "generate: {additionalSans: [k8s.example.com], installDisk: /dev/nvme0n1}",
    "patches:",
    "  - name: time servers",
    "    patch: |",
    "      machine:",
    "        time:",
    "          servers: [time.cloudflare.com]",
    "  - name: worker sysctls",
    "    selector: {role: worker}",
    "    patch: |",
    `      ${sysctls}`,
    "  - name: gpu labels",
    '    selector: {hostname: "gpu-*"}',
    "    patch: |",
    "      machine:",
    "        nodeLabels:",
    "          gpu: nvidia",
    "  - name: zone b kubelet",
    "    selector: {labels: {zone: b}}",
    "    patch: |",
    "      machine:",
    "        kubelet:",
    "          extraArgs:",
    "            max-pods: '150'",
    "nodes:",
  ];
  for (let i = 1; i <= 3; i++) lines.push(`  - {address: 10.0.0.${10 + i}, hostname: cp-${i}, role: controlplane, labels: {zone: a}}`);
  for (let i = 1; i <= 97; i++) {
    const host = i <= 8 ? `gpu-${i}` : `w-${i}`;
    lines.push(`  - address: 10.0.1.${i}`, `    hostname: ${host}`, "    role: worker", `    labels: {zone: ${i % 2 ? "a" : "b"}}`);
    if (i % 10 === 0) lines.push("    patch: |", "      machine:", "        nodeLabels:", `          rack: r${i}`);
  }
  return `${lines.join("\n")}\n`;
}

const bench: Bench = async () => {
  const secrets = parseSecretsBundle(readFileSync(path.join(__dirname, "../talos/secrets/testdata/talos-secrets.yaml"), "utf8"), "talos-secrets.yaml");
  const rows: BenchRow[] = [];
  for (const version of ["v1.13.9", "v1.14.0"]) {
    const text = benchManifest(version);
    const check: number[] = [];
    const render: number[] = [];
    let errors = 0;
    let warnings = 0;
    for (let i = 0; i < WARMUP + RUNS; i++) {
      let t = performance.now();
      const issues = checkManifest(text, secrets);
      errors = issues.filter((x) => x.severity === "error").length;
      warnings = issues.length - errors;
      const checked = performance.now() - t;
      t = performance.now();
      const m = parseManifest(text).manifest!;
      const r = new ManifestRenderer(m, secrets);
      for (const n of m.nodes) r.render(n);
      const rendered = performance.now() - t;
      if (i >= WARMUP) {
        check.push(checked);
        render.push(rendered);
      }
    }
    const note = `100 nodes (3 cp, 97 workers), 4 shared patches, 9 node patches; median of ${RUNS} after ${WARMUP} warm-up; ${warnings} deprecation warnings${errors ? `, ${errors} errors (fixture drift?)` : ""}`;
    rows.push({ suite: "manifest-check", name: `${version}: checkManifest (parse, render, validate every node)`, value: Math.round(median(check)), unit: "ms", note });
    rows.push({ suite: "manifest-check", name: `${version}: render every node`, value: Math.round(median(render)), unit: "ms", note });
  }
  return rows;
};

export default bench;
