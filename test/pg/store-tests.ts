/**
 * The test files the postgres project leaves out: those whose imports reach neither the store
 * (lib/server/platform/db/db.ts) nor a file that starts another process (which would inherit
 * MINOS_DATABASE_URL from test/pg/setup.ts). They never touch a store: running them on
 * PostgreSQL again would test nothing new and cost CI minutes.
 */
import { readFileSync } from "node:fs";
import path from "node:path";

import { buildImportGraph, ROOT, type ImportGraph } from "../architecture/source-graph";

const STORE = "lib/server/platform/db/db.ts";
const STARTS_PROCESSES = /["'](?:node:)?child_process["']/;

export function storelessTestFiles(graph: ImportGraph = buildImportGraph(), read = (file: string) => readFileSync(path.join(ROOT, file), "utf8")): string[] {
  const memo = new Map<string, boolean>();
  const reaches = (file: string): boolean => {
    const known = memo.get(file);
    if (known !== undefined) return known;
    memo.set(file, false); // a cycle adds nothing the other paths do not
    const yes = file === STORE || STARTS_PROCESSES.test(read(file)) || (graph.get(file) ?? []).some(reaches);
    memo.set(file, yes);
    return yes;
  };
  return [...graph.keys()].filter((f) => f.endsWith(".test.ts") && !f.startsWith("e2e/") && !reaches(f)).sort();
}

/** A file path as a glob that matches only itself (app/api/nodes/[node]/… has brackets). */
export const literalGlob = (file: string) => file.replace(/[[\]{}()*?!+@]/g, "\\$&");
