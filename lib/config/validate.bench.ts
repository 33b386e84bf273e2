/**
 * Validation latency: a ~400-line 1.14 control-plane config (the editor validates on every
 * keystroke) and a ~5,000-line config whose bulk is inline manifests; and the issue-15 budget:
 * Minos's validator against a schema-only check (YAML parse + Talos's published JSON schema with
 * ajv, what Omni's editor does) on the same ~250-line 1.14 control plane, in the same run:
 * Minos ≤ 1.2× the schema-only median. `MINOS_BENCH_CLI=1` adds the same comparison from the
 * command line (one process per run for both).
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";

import { Ajv2020 } from "ajv/dist/2020";
import { parseAllDocuments } from "yaml";

import { median, percentile } from "@/test/bench/stats";
import type { Bench, BenchRow } from "@/test/bench/types";

import { validateConfig } from "./validate";

const WARMUP = 20;
const ITERATIONS = 200;


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

const REPO = path.resolve(__dirname, "../..");
/** Talos's published schema for 1.14 (data shared between worktrees, never copied into the repo). */
const SCHEMA_FILE = path.resolve(REPO, "../shared/talos-schemas/config-1.14.schema.json");


/**
 * The schema-only baseline: every document of the stream parsed, then checked by ajv. With
 * ajv's defaults (stop at the first error) and, for reference, with allErrors (which Minos's
 * report corresponds to, but which makes ajv collect every failed branch of the schema's
 * 90-way oneOf even for a valid document).
 */
function schemaOnly(schemaText: string, allErrors: boolean): (yaml: string) => number {
  // strict: false: the published schema carries editor keywords (markdownDescription, x-intellij-…).
  const validate = new Ajv2020({ strict: false, allErrors }).compile(JSON.parse(schemaText) as object);
  return (yaml) => {
    let errors = 0;
    for (const doc of parseAllDocuments(yaml)) {
      if (!("toJS" in doc)) continue;
      const value: unknown = doc.toJS();
      if (value === null || value === undefined) continue;
      if (!validate(value)) errors += validate.errors?.length ?? 0;
    }
    return errors;
  };
}

/** Minos vs schema-only on one input, interleaved so that drift (other processes on the two cores) hits all alike. */
function compareInProcess(yaml: string, schemaText: string): BenchRow[] {
  const first = schemaOnly(schemaText, false);
  const all = schemaOnly(schemaText, true);
  const minos = () => validateConfig(yaml, { talosVersion: "1.14" }).issues.filter((x) => x.severity === "error").length;
  for (let i = 0; i < WARMUP; i++) {
    minos();
    first(yaml);
    all(yaml);
  }
  const a: number[] = [];
  const b: number[] = [];
  const c: number[] = [];
  let minosErrors = 0;
  let ajvErrors = 0;
  for (let i = 0; i < ITERATIONS; i++) {
    let t = performance.now();
    minosErrors = minos();
    a.push(performance.now() - t);
    t = performance.now();
    ajvErrors = first(yaml);
    b.push(performance.now() - t);
    t = performance.now();
    all(yaml);
    c.push(performance.now() - t);
  }
  const [ma, mb, mc] = [median(a), median(b), median(c)];
  const note = `${yaml.split("\n").length} lines, ${ITERATIONS} iterations each, interleaved`;
  const row = (name: string, value: number, unit: string, extra: string): BenchRow => ({ suite: "config-validate", name: `1.14 control plane ~250 lines: ${name}`, value: Number(value.toFixed(3)), unit, note: extra });
  return [
    row("Minos p50", ma, "ms", `${note}; ${minosErrors} errors`),
    row("schema-only (yaml + ajv) p50", mb, "ms", `${note}; ajv defaults (first error); ${ajvErrors} schema errors`),
    row("schema-only (yaml + ajv allErrors) p50", mc, "ms", `${note}; for reference`),
    row("Minos / schema-only", ma / mb, "×", "budget ≤ 1.2× (against ajv defaults)"),
    row("Minos / schema-only allErrors", ma / mc, "×", "for reference"),
  ];
}

/** The same from the command line: `minos validate FILE` vs a node script doing yaml + ajv, one process per run. */
function compareCli(yaml: string): BenchRow[] {
  const dir = mkdtempSync(path.join(os.tmpdir(), "minos-bench-"));
  const file = path.join(dir, "controlplane.yaml");
  writeFileSync(file, yaml);
  const script = path.join(dir, "schema-only.mjs");
  writeFileSync(
    script,
    [
      `import { readFileSync } from "node:fs";`,
      `import { createRequire } from "node:module";`,
      `const require = createRequire(${JSON.stringify(path.join(REPO, "package.json"))});`,
      `const { Ajv2020 } = require("ajv/dist/2020");`,
      `const { parseAllDocuments } = require("yaml");`,
      `const validate = new Ajv2020({ strict: false, allErrors: true }).compile(JSON.parse(readFileSync(${JSON.stringify(SCHEMA_FILE)}, "utf8")));`,
      `let errors = 0;`,
      `for (const doc of parseAllDocuments(readFileSync(process.argv[2], "utf8"))) { const v = doc.toJS(); if (v != null && !validate(v)) errors++; }`,
      `process.exit(errors ? 1 : 0);`,
    ].join("\n"),
  );
  const runs = Number(process.env.MINOS_BENCH_CLI_RUNS ?? 10);
  const time = (args: string[]) => {
    const t = performance.now();
    const r = spawnSync(process.execPath, args, { cwd: REPO, stdio: "ignore" });
    if (r.error) throw r.error;
    return performance.now() - t;
  };
  const a: number[] = [];
  const b: number[] = [];
  time([path.join(REPO, "bin/minos.mjs"), "validate", file]);
  time([script, file]);
  for (let i = 0; i < runs; i++) {
    a.push(time([path.join(REPO, "bin/minos.mjs"), "validate", file]));
    b.push(time([script, file]));
  }
  const note = `${runs} runs each, interleaved`;
  return [
    { suite: "config-validate", name: "CLI: node bin/minos.mjs validate FILE p50", value: Math.round(median(a)), unit: "ms", note },
    { suite: "config-validate", name: "CLI: node schema-only.mjs FILE (yaml + ajv) p50", value: Math.round(median(b)), unit: "ms", note },
    { suite: "config-validate", name: "CLI: Minos / schema-only", value: Number((median(a) / median(b)).toFixed(2)), unit: "×", note },
  ];
}

const bench: Bench = async () => {
  const rows: BenchRow[] = [];
  const cp114 = readFileSync(path.join(__dirname, "testdata/controlplane-1.14.yaml"), "utf8");
  if (existsSync(SCHEMA_FILE)) {
    const schemaText = readFileSync(SCHEMA_FILE, "utf8");
    rows.push(...compareInProcess(cp114, schemaText));
    if (process.env.MINOS_BENCH_CLI === "1") rows.push(...compareCli(cp114));
  } else {
    console.error(`skipping Minos vs schema-only: ${SCHEMA_FILE} is absent (Talos's published schemas, see ../shared/talos-schemas)`);
  }
  const small = controlPlane400();
  const large = withManifests(small, 5000);
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
