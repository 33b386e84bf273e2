/**
 * Redaction and merge-back latency: the 1.12 control-plane fixture (every running-config view
 * and diff redacts it), the same with 50 env entries holding credentials, and hostile 200 KB
 * strings for the value rules, many comments, many aliases (each must stay linear: redaction
 * runs on untrusted edits).
 */
import { readFileSync } from "node:fs";
import path from "node:path";

import { p50 } from "@/test/bench/stats";
import type { Bench, BenchRow } from "@/test/bench/types";

import { mergeSecrets, redactConfig } from "./redact";

const WARMUP = 10;
const ITERATIONS = 100;


const bench: Bench = async () => {
  const base = readFileSync(path.join(__dirname, "testdata/controlplane-1.12.yaml"), "utf8");
  const env = `${base}---\napiVersion: v1alpha1\nkind: ExtensionServiceConfig\nname: proxy\nenvironment:\n${Array.from({ length: 50 }, (_, i) => `  - VAR_${i}=http://u:p${i}secret@proxy/x?token=abc${i}\n`).join("")}`;
  const n = 100_000;
  const hostile = ["a.".repeat(n) + "@", "a=".repeat(n), "x://" + "a:".repeat(n) + "@", "\"a\":".repeat(n / 2), "a:b@c ".repeat(n / 3)];
  const rows: BenchRow[] = [];
  for (const [name, yaml] of [
    ["control plane", base],
    ["control plane + 50 env credentials", env],
  ] as const) {
    const redacted = redactConfig(yaml);
    const note = `${yaml.length} bytes, p50 of ${ITERATIONS}`;
    rows.push({ suite: "config-redact", name: `${name}: redact`, value: Number(p50(() => redactConfig(yaml), ITERATIONS, WARMUP).toFixed(2)), unit: "ms", note });
    rows.push({ suite: "config-redact", name: `${name}: merge back`, value: Number(p50(() => mergeSecrets(redacted, yaml), ITERATIONS, WARMUP).toFixed(2)), unit: "ms", note });
  }
  const comments = `${"# a comment\n".repeat(25_000)}version: v1alpha1\nmachine:\n  token: abc.def\n`;
  const aliases = `version: v1alpha1\nmachine:\n  env: &e {GITHUB_TOKEN: x}\n  certSANs: [${"*e, ".repeat(10_000)}]\n`;
  for (const [name, yaml] of [
    ["25,000 comment lines above a secret", comments],
    ["10,000 aliases", aliases],
  ] as const) {
    const redacted = redactConfig(yaml);
    rows.push({ suite: "config-redact", name: `${name}: redact`, value: Number(p50(() => redactConfig(yaml), 5, WARMUP).toFixed(1)), unit: "ms", note: `${yaml.length} bytes, p50 of 5` });
    rows.push({ suite: "config-redact", name: `${name}: merge back`, value: Number(p50(() => mergeSecrets(redacted, yaml), 5, WARMUP).toFixed(1)), unit: "ms", note: `${yaml.length} bytes, p50 of 5` });
  }
  const worst = Math.max(...hostile.map((s) => p50(() => redactConfig(`version: v1alpha1\nmachine:\n  install:\n    extraKernelArgs:\n      - ${JSON.stringify(s)}\n`), 5, WARMUP)));
  rows.push({ suite: "config-redact", name: "hostile 200 KB string: redact (worst of 5 shapes)", value: Number(worst.toFixed(2)), unit: "ms", note: "p50 of 5 each" });
  return rows;
};

export default bench;
