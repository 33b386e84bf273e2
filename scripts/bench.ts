/**
 * `npm run bench [filter]`: runs every `*.bench.ts` under lib/ and scripts/ (one at a time, in
 * this process, since they share two cores) and prints one table. Rows also go to
 * bench-results/latest.json for comparison between runs.
 */
import { mkdirSync, readdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";

import type { Bench, BenchRow } from "@/test/bench/types";

const root = path.resolve(__dirname, "..");

function find(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === "node_modules" || e.name.startsWith(".") ? [] : find(p);
    return e.name.endsWith(".bench.ts") ? [p] : [];
  });
}

function format(value: number): string {
  if (Number.isInteger(value)) return value.toLocaleString("en-US");
  return value >= 100 ? value.toFixed(0) : value >= 1 ? value.toFixed(2) : value.toPrecision(3);
}

async function main() {
  const filter = process.argv[2];
  // Matched against the path inside the repository: a checkout path containing the filter must not select every file.
  const files = ["lib", "scripts"].flatMap((d) => find(path.join(root, d))).filter((f) => !filter || path.relative(root, f).includes(filter)).sort();
  if (files.length === 0) {
    console.log("no benchmarks found");
    return;
  }
  const rows: BenchRow[] = [];
  const failed: string[] = [];
  for (const file of files) {
    const name = path.relative(root, file);
    console.error(`running ${name} …`);
    try {
      const mod = (await import(pathToFileURL(file).href)) as { default: Bench | { default: Bench } };
      const bench = typeof mod.default === "function" ? mod.default : mod.default.default;
      rows.push(...(await bench()));
    } catch (e) {
      // One broken benchmark must not hide the figures of the others.
      console.error(`${name} failed:`, e);
      failed.push(name);
    }
  }
  const table = rows.map((r) => [r.suite, r.name, format(r.value), r.unit, r.note ?? ""]);
  const header = ["suite", "benchmark", "value", "unit", "note"];
  const widths = header.map((h, i) => Math.max(h.length, ...table.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 2 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join("  ").trimEnd();
  console.log(line(header));
  console.log(widths.map((w) => "-".repeat(w)).join("  "));
  for (const r of table) console.log(line(r));
  mkdirSync(path.join(root, "bench-results"), { recursive: true });
  writeFileSync(path.join(root, "bench-results", "latest.json"), JSON.stringify({ at: new Date().toISOString(), rows }, null, 2));
  if (failed.length > 0) console.error(`failed: ${failed.join(", ")}`);
  // Benchmarks may leave sockets or timers behind; the table is printed, so end here.
  process.exit(failed.length > 0 ? 1 : 0);
}

void main();
