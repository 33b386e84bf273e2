/**
 * The overview and the nodes pages load no zod (and the shell neither): zod is about a fifth of
 * their JavaScript and issue 20 caps them at 150 KiB. The browser does not parse its server's
 * answers again (lib/client/api.ts); lists of enum values come from lib/schemas/values.ts; a form
 * that validates with zod loads it lazily (import()).
 *
 * The walk follows what a bundler follows from the pages' server files into the client modules
 * they render: static imports and re-exports that carry a value (type-only ones are erased), not
 * dynamic import() (a lazy chunk, loaded when used). Server-only modules on the way are walked
 * only until a "use client" module starts the browser's part.
 */
import { readFileSync } from "node:fs";
import path from "node:path";

import ts from "typescript";
import { describe, expect, it } from "vitest";

import { listFiles, resolveSpecifier, ROOT } from "./source-graph";

const files = new Set(listFiles());

/** The runtime (value) import specifiers of a module, and whether it starts with "use client". */
function parse(file: string): { client: boolean; imports: string[] } {
  const source = ts.createSourceFile(file, readFileSync(path.join(ROOT, file), "utf8"), ts.ScriptTarget.Latest, false, file.endsWith("x") ? ts.ScriptKind.TSX : ts.ScriptKind.TS);
  const first = source.statements[0];
  const client = !!first && ts.isExpressionStatement(first) && ts.isStringLiteral(first.expression) && first.expression.text === "use client";
  const imports: string[] = [];
  for (const s of source.statements) {
    if (ts.isImportDeclaration(s) && ts.isStringLiteral(s.moduleSpecifier)) {
      const clause = s.importClause;
      if (clause?.isTypeOnly) continue;
      const named = clause?.namedBindings;
      const onlyTypes = !!clause && !clause.name && !!named && ts.isNamedImports(named) && named.elements.length > 0 && named.elements.every((e) => e.isTypeOnly);
      if (!onlyTypes) imports.push(s.moduleSpecifier.text);
    } else if (ts.isExportDeclaration(s) && s.moduleSpecifier && ts.isStringLiteral(s.moduleSpecifier) && !s.isTypeOnly) {
      const clause = s.exportClause;
      if (clause && ts.isNamedExports(clause) && clause.elements.length > 0 && clause.elements.every((e) => e.isTypeOnly)) continue;
      imports.push(s.moduleSpecifier.text);
    }
  }
  return { client, imports };
}

/** Each package the browser part of these entry files loads, with one chain of files that brings it in. */
function browserPackages(entries: readonly string[]): Map<string, string[]> {
  const packages = new Map<string, string[]>();
  const seen = new Set<string>();
  const walk = (file: string, inBrowser: boolean, chain: string[]) => {
    const key = `${inBrowser}:${file}`;
    if (seen.has(key)) return;
    seen.add(key);
    const { client, imports } = parse(file);
    const browser = inBrowser || client;
    for (const spec of imports) {
      const target = resolveSpecifier(spec, file, files);
      if (target) walk(target, browser, [...chain, file]);
      else if (browser && !spec.startsWith(".") && !spec.startsWith("@/")) {
        const name = spec.startsWith("@") ? spec.split("/").slice(0, 2).join("/") : spec.split("/")[0]!;
        if (!packages.has(name)) packages.set(name, [...chain, file]);
      }
    }
  };
  for (const entry of entries) walk(entry, false, []);
  return packages;
}

const SHELL = ["app/layout.tsx", "app/(dashboard)/layout.tsx", "app/(dashboard)/error.tsx", "app/(dashboard)/loading.tsx", "app/(dashboard)/not-found.tsx"];

describe("what the overview and the nodes pages load in the browser", () => {
  it.each([
    ["the overview", "app/(dashboard)/page.tsx"],
    ["the nodes page", "app/(dashboard)/nodes/page.tsx"],
  ])("%s and the shell load no zod", (_name, page) => {
    const packages = browserPackages([...SHELL, page]);
    // The walk must reach the browser's part at all, or it proves nothing.
    expect(packages.has("react")).toBe(true);
    expect(packages.has("@tanstack/react-query")).toBe(true);
    expect(packages.get("zod"), "imported through this chain; import types only, or load it with import()").toBeUndefined();
  });

  it("a page that validates a form in the browser does load zod (the walk sees it)", () => {
    expect(browserPackages(["app/(dashboard)/alerts/channels/page.tsx"]).has("zod")).toBe(true);
  });
});
