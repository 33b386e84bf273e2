/**
 * The repository's own source files and the import graph between them, for the architecture
 * checks under test/architecture. Import specifiers come from TypeScript's pre-processor (so
 * comments and strings never count as imports, and `import()`/`require()` do); they are resolved
 * the way tsconfig.json's `@/*` path and Node's relative paths resolve them. Bare package names
 * are not part of the graph.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";

import ts from "typescript";

export const ROOT = path.resolve(__dirname, "../..");

/** Build output, dependencies and reports: never the project's own sources. */
const SKIP_DIRS = new Set(["node_modules", "test-results", "playwright-report", "bench-results", "coverage"]);
const MODULE_EXTS = [".ts", ".tsx", ".mts", ".cts", ".mjs", ".js", ".cjs"];

/** Every file under the repository root (relative, "/"-separated), outside dot-folders and build output. */
export function listFiles(root = ROOT): string[] {
  const out: string[] = [];
  const walk = (rel: string) => {
    for (const entry of readdirSync(path.join(root, rel), { withFileTypes: true })) {
      if (entry.name.startsWith(".")) continue;
      const child = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory()) {
        if (!SKIP_DIRS.has(entry.name)) walk(child);
      } else if (entry.isFile()) {
        out.push(child);
      }
    }
  };
  walk("");
  return out.sort();
}

export const isModule = (file: string) => MODULE_EXTS.includes(path.extname(file)) && !file.endsWith(".d.ts");

/** The import specifiers of one source text, in order (static, re-export, dynamic and require). */
export function importSpecifiers(source: string): string[] {
  return ts.preProcessFile(source, true, true).importedFiles.map((f) => f.fileName);
}

/**
 * The repository file a specifier names, or null for a package (or a path that does not exist).
 * `from` is the importing file, relative to `root`.
 */
export function resolveSpecifier(spec: string, from: string, files: ReadonlySet<string>): string | null {
  let base: string;
  if (spec.startsWith("@/")) base = spec.slice(2);
  else if (spec === "." || spec === ".." || spec.startsWith("./") || spec.startsWith("../")) base = path.posix.join(path.posix.dirname(from), spec);
  else return null;
  base = path.posix.normalize(base).replace(/\/$/, "");
  // ESM-style specifiers name the emitted .js of a .ts source.
  const stem = base.replace(/\.(?:js|mjs|cjs)$/, "");
  const candidates = [base, ...MODULE_EXTS.map((e) => base + e), ...[".ts", ".tsx"].map((e) => stem + e), ...MODULE_EXTS.map((e) => `${base}/index${e}`)];
  for (const c of candidates) if (files.has(c)) return c;
  return null;
}

/** file → the repository files it imports (sorted, without duplicates). */
export type ImportGraph = Map<string, string[]>;

export function buildImportGraph(root = ROOT): ImportGraph {
  const all = listFiles(root);
  const files = new Set(all);
  const graph: ImportGraph = new Map();
  for (const file of all.filter(isModule)) {
    const deps = new Set<string>();
    for (const spec of importSpecifiers(readFileSync(path.join(root, file), "utf8"))) {
      const target = resolveSpecifier(spec, file, files);
      if (target) deps.add(target);
    }
    graph.set(file, [...deps].sort());
  }
  return graph;
}

/**
 * The strongly connected components with a cycle in them (Tarjan's algorithm, iterative so a deep
 * graph cannot overflow the stack): each is a sorted list of nodes that all reach each other; a
 * node that imports itself is a component of one. Components come sorted by their first node.
 */
export function findCycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const out: string[][] = [];
  let next = 0;

  for (const start of [...graph.keys()].sort()) {
    if (index.has(start)) continue;
    const work: { node: string; edge: number }[] = [{ node: start, edge: 0 }];
    index.set(start, next);
    low.set(start, next++);
    stack.push(start);
    onStack.add(start);
    while (work.length) {
      const frame = work[work.length - 1]!;
      const edges = graph.get(frame.node) ?? [];
      if (frame.edge < edges.length) {
        const to = edges[frame.edge++]!;
        if (!index.has(to)) {
          index.set(to, next);
          low.set(to, next++);
          stack.push(to);
          onStack.add(to);
          work.push({ node: to, edge: 0 });
        } else if (onStack.has(to)) {
          low.set(frame.node, Math.min(low.get(frame.node)!, index.get(to)!));
        }
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent) low.set(parent.node, Math.min(low.get(parent.node)!, low.get(frame.node)!));
      if (low.get(frame.node) !== index.get(frame.node)) continue;
      const component: string[] = [];
      let n: string;
      do {
        n = stack.pop()!;
        onStack.delete(n);
        component.push(n);
      } while (n !== frame.node);
      if (component.length > 1 || edges.includes(frame.node)) out.push(component.sort());
    }
  }
  return out.sort((a, b) => a[0]!.localeCompare(b[0]!));
}

/**
 * The folder a file belongs to for the folder-level check: a feature folder under lib/server
 * (lib/server/fleet, lib/server/auth, …) or under lib (lib/config, lib/talos, …), a components
 * folder, or the top-level folder (app, test, e2e, scripts). Files directly in lib/server or lib
 * belong to that folder itself; top-level files (proxy.ts, instrumentation.ts) to ".".
 */
export function folderOf(file: string): string {
  const parts = file.split("/");
  if (parts.length === 1) return ".";
  if (parts[0] === "lib" && parts[1] === "server") return parts.length > 3 ? `lib/server/${parts[2]}` : "lib/server";
  if (parts[0] === "lib" || parts[0] === "components") return parts.length > 2 ? `${parts[0]}/${parts[1]}` : parts[0];
  return parts[0]!;
}

/** Tests and benches sit beside the code they cover and import harnesses from test/; they are leaves. */
export const isTestFile = (file: string) => /\.(?:test|spec|bench)\.[cm]?tsx?$/.test(file);

/**
 * The graph between folders: an edge wherever a file of one imports a code file of another. Test
 * and bench files are left out: lib/server/fleet/poller.test.ts importing test/talos/fleet.ts is the
 * test depending on its harness, not lib/server/fleet depending on test/.
 */
export function folderGraph(graph: ImportGraph): Map<string, string[]> {
  const edges = new Map<string, Set<string>>();
  for (const [file, deps] of graph) {
    if (isTestFile(file)) continue;
    const from = folderOf(file);
    const set = edges.get(from) ?? new Set<string>();
    edges.set(from, set);
    for (const dep of deps) {
      const to = folderOf(dep);
      // A data file (package.json, a fixture) imports nothing, so it closes no cycle.
      if (to !== from && isModule(dep)) set.add(to);
    }
  }
  return new Map([...edges].map(([k, v]) => [k, [...v].sort()]));
}

/**
 * For a folder cycle, each folder edge inside it with one file import that makes it (and how many
 * more), so the failure says what to move: "lib/server/certs → lib/server/fleet: a.ts → b.ts (+2)".
 */
export function importsBetween(graph: ImportGraph, folders: readonly string[]): string[] {
  const inCycle = new Set(folders);
  const byEdge = new Map<string, string[]>();
  for (const [file, deps] of [...graph].sort(([a], [b]) => a.localeCompare(b))) {
    if (isTestFile(file)) continue;
    const from = folderOf(file);
    if (!inCycle.has(from)) continue;
    for (const dep of deps) {
      const to = folderOf(dep);
      if (to === from || !inCycle.has(to) || !isModule(dep)) continue;
      const key = `${from} → ${to}`;
      byEdge.set(key, [...(byEdge.get(key) ?? []), `${file} → ${dep}`]);
    }
  }
  return [...byEdge].sort(([a], [b]) => a.localeCompare(b)).map(([edge, list]) => `${edge}: ${list[0]}${list.length > 1 ? ` (+${list.length - 1})` : ""}`);
}

/** Code and style files: what "no hand-written file over 500 lines" is about (not docs or data). */
const CODE_EXTS = new Set([...MODULE_EXTS, ".css", ".sh", ".proto"]);
export const isCode = (file: string) => CODE_EXTS.has(path.extname(file));

/** `.gitattributes` globs marked linguist-generated, as matchers over repository paths. */
export function generatedPatterns(root = ROOT): RegExp[] {
  const file = path.join(root, ".gitattributes");
  if (!existsSync(file)) return [];
  const out: RegExp[] = [];
  for (const line of readFileSync(file, "utf8").split("\n")) {
    const [glob, ...attrs] = line.trim().split(/\s+/);
    if (!glob || glob.startsWith("#") || !attrs.some((a) => a === "linguist-generated" || a === "linguist-generated=true")) continue;
    const anchored = glob.startsWith("/") || glob.slice(0, -1).includes("/");
    const body = glob
      .replace(/^\//, "")
      .replace(/[.+^${}()|[\]\\]/g, "\\$&")
      .replace(/\*\*\/?/g, "\u0000")
      .replace(/\*/g, "[^/]*")
      .replace(/\?/g, "[^/]")
      .replace(/\u0000/g, ".*");
    out.push(new RegExp(`${anchored ? "^" : "(?:^|/)"}${body}$`));
  }
  return out;
}

/**
 * Whether a file is not Minos's hand-written code: a generator's output (the Go convention's
 * "Code generated … DO NOT EDIT." header in its first lines, or a linguist-generated path in
 * .gitattributes) or a vendored copy under a third_party folder.
 */
export function isGenerated(file: string, head: string, patterns: readonly RegExp[]): boolean {
  if (file.split("/").includes("third_party")) return true;
  if (/code generated\b.*\bdo not edit/i.test(head.split("\n").slice(0, 5).join("\n"))) return true;
  return patterns.some((p) => p.test(file));
}

export const lineCount = (text: string) => (text === "" ? 0 : text.split("\n").length - (text.endsWith("\n") ? 1 : 0));
