/**
 * Validation latency: a ~400-line 1.14 control-plane config (the editor validates on every
 * keystroke) and a ~5,000-line config whose bulk is inline manifests.
 */
import { readFileSync } from "node:fs";
import path from "node:path";

import type { Bench, BenchRow } from "@/test/bench/types";

import { validateConfig } from "./validate";

const WARMUP = 20;
const ITERATIONS = 200;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

function measure(yaml: string, iterations: number): { p50: number; p99: number; errors: number } {
  let errors = 0;
  for (let i = 0; i < WARMUP; i++) validateConfig(yaml, { talosVersion: "1.14" });
  const times: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const t = performance.now();
    const r = validateConfig(yaml, { talosVersion: "1.14", mode: "metal" });
    times.push(performance.now() - t);
    errors = r.issues.filter((x) => x.severity === "error").length;
  }
  times.sort((a, b) => a - b);
  return { p50: percentile(times, 50), p99: percentile(times, 99), errors };
}

/** The 1.12 control-plane fixture grown to ~400 lines with interfaces, labels, files and manifests. */
function controlPlane400(): string {
  const base = readFileSync(path.join(__dirname, "testdata/controlplane-1.12.yaml"), "utf8");
  const lines = base.split("\n");
  const extra: string[] = [];
  let i = 0;
  while (lines.length + extra.length < 400) {
    extra.push(
      "---",
      "apiVersion: v1alpha1",
      "kind: UserVolumeConfig",
      `name: data-${i}`,
      "provisioning:",
      "    diskSelector:",
      `        match: disk.size > ${i + 1}u * GiB`,
      "    minSize: 10GiB",
    );
    i++;
  }
  return [...lines, ...extra].join("\n");
}

/** A ~5,000-line config: the control plane plus inline manifests of a few hundred lines each. */
function withManifests(base: string, totalLines: number): string {
  const manifest = (n: number) =>
    Array.from({ length: 40 }, (_, k) =>
      [
        "                ---",
        "                apiVersion: v1",
        "                kind: ConfigMap",
        "                metadata:",
        `                    name: cm-${n}-${k}`,
        "                    namespace: kube-system",
        "                data:",
        `                    key: value-${k}`,
      ].join("\n"),
    ).join("\n");
  const entries: string[] = [];
  let n = 0;
  while (base.split("\n").length + entries.join("\n").split("\n").length < totalLines) {
    entries.push(`        - name: manifest-${n}`, "          contents: |-", manifest(n));
    n++;
  }
  // Prepend to the fixture's `cluster.inlineManifests` list (or start one under `cluster:`).
  if (/^ {4}inlineManifests:\n/m.test(base)) return base.replace(/^ {4}inlineManifests:\n/m, (m) => `${m}${entries.join("\n")}\n`);
  return base.replace(/^cluster:\n/m, `cluster:\n    inlineManifests:\n${entries.join("\n")}\n`);
}

const bench: Bench = async () => {
  const small = controlPlane400();
  const large = withManifests(small, 5000);
  const rows: BenchRow[] = [];
  for (const [name, yaml, n] of [
    ["control plane ~400 lines", small, ITERATIONS],
    ["config ~5,000 lines (inline manifests)", large, Math.max(20, ITERATIONS / 4)],
  ] as const) {
    const lines = yaml.split("\n").length;
    const { p50, p99, errors } = measure(yaml, n);
    const note = `${lines} lines, ${n} iterations after ${WARMUP} warm-up${errors ? `, ${errors} errors (fixture drift?)` : ""}`;
    rows.push({ suite: "config-validate", name: `${name} p50`, value: Number(p50.toFixed(2)), unit: "ms", note });
    rows.push({ suite: "config-validate", name: `${name} p99`, value: Number(p99.toFixed(2)), unit: "ms", note });
  }
  return rows;
};

export default bench;
