/**
 * Every page checks the session itself, first (issue 11, finding 1). The dashboard layout is no
 * guard: Next skips it on client-side navigations and renders a page alongside it anyway, so a
 * page that reads data before `requirePageActor` leaks it to anyone with any cookie. This walks
 * every page file (a new one is covered the day it is added) and every server component that
 * could read data, and fails on one that does not follow the rules below.
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";

import ts from "typescript";
import { describe, expect, it } from "vitest";

const ROOT = path.resolve(__dirname, "../../..");
/** Pages anyone may open: signing in, the first admin's setup, accepting an invitation. */
const PUBLIC_PAGES = ["app/(auth)/invite/page.tsx", "app/(auth)/setup/page.tsx", "app/(auth)/sign-in/page.tsx"];
const GUARDS = ["requirePageActor", "requirePageAccess"];
/** What a page or a server component may take from lib/server: the guard, page data (which demands the guard's grant), error helpers. */
const SERVER_MODULES_FOR_PAGES = ["@/lib/server/auth/page", "@/lib/server/page-data", "@/lib/server/platform/errors"];

function walk(dir: string): string[] {
  return readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((e) => {
    const rel = path.posix.join(dir, e.name);
    if (e.isDirectory()) return walk(rel);
    return /\.tsx?$/.test(e.name) && !/\.test\.tsx?$/.test(e.name) ? [rel] : [];
  });
}

function parse(file: string): ts.SourceFile {
  return ts.createSourceFile(file, readFileSync(path.join(ROOT, file), "utf8"), ts.ScriptTarget.Latest, true, file.endsWith("x") ? ts.ScriptKind.TSX : ts.ScriptKind.TS);
}

function hasModifier(node: ts.Node, kind: ts.SyntaxKind): boolean {
  return ts.canHaveModifiers(node) && (ts.getModifiers(node) ?? []).some((m) => m.kind === kind);
}

/** The body of a function-like export: `export default function`, or `export [async] function name` / `export const name = async () => {}`. */
function exportedFunctionBody(source: ts.SourceFile, name: "default" | string): ts.Block | null | undefined {
  for (const st of source.statements) {
    if (ts.isFunctionDeclaration(st) && hasModifier(st, ts.SyntaxKind.ExportKeyword)) {
      const isDefault = hasModifier(st, ts.SyntaxKind.DefaultKeyword);
      if ((name === "default" && isDefault) || (!isDefault && st.name?.text === name)) return st.body ?? null;
    }
    if (ts.isVariableStatement(st) && hasModifier(st, ts.SyntaxKind.ExportKeyword)) {
      for (const d of st.declarationList.declarations) {
        if (ts.isIdentifier(d.name) && d.name.text === name && d.initializer && (ts.isArrowFunction(d.initializer) || ts.isFunctionExpression(d.initializer))) {
          return ts.isBlock(d.initializer.body) ? d.initializer.body : null;
        }
      }
    }
    // `export default Something` (an identifier or expression): the guard cannot be seen, so refuse.
    if (name === "default" && ts.isExportAssignment(st)) return null;
  }
  return undefined;
}

/** Whether a statement is `await guard("role")`, bare or assigned. */
function isGuardCall(st: ts.Statement | undefined): boolean {
  if (!st) return false;
  let expr: ts.Expression | undefined;
  if (ts.isExpressionStatement(st)) expr = st.expression;
  else if (ts.isVariableStatement(st) && st.declarationList.declarations.length === 1) expr = st.declarationList.declarations[0]!.initializer;
  if (!expr || !ts.isAwaitExpression(expr) || !ts.isCallExpression(expr.expression)) return false;
  const call = expr.expression;
  const [role] = call.arguments;
  return ts.isIdentifier(call.expression) && GUARDS.includes(call.expression.text) && !!role && ts.isStringLiteral(role) && ["viewer", "operator", "admin"].includes(role.text);
}

/** The rule a page's function breaks, or null. */
function guardProblem(source: ts.SourceFile, name: "default" | "generateMetadata"): string | null {
  const body = exportedFunctionBody(source, name);
  if (body === undefined) return name === "default" ? "has no default export" : null;
  if (body === null) return `${name}: the function's first statement cannot be seen (write it as a function with a block body)`;
  return isGuardCall(body.statements[0]) ? null : `${name}: the first statement is not \`await requirePageActor("<role>")\` or \`await requirePageAccess("<role>")\``;
}

/** Value imports from lib/server other than the page-safe ones (type-only imports carry no data). */
function forbiddenServerImports(source: ts.SourceFile): string[] {
  const out: string[] = [];
  for (const st of source.statements) {
    if (!ts.isImportDeclaration(st) || !ts.isStringLiteral(st.moduleSpecifier)) continue;
    const from = st.moduleSpecifier.text;
    if (!/^@\/lib\/server(\/|$)/.test(from) || SERVER_MODULES_FOR_PAGES.includes(from)) continue;
    const clause = st.importClause;
    const typeOnly = !!clause && (clause.isTypeOnly || (!clause.name && !!clause.namedBindings && ts.isNamedImports(clause.namedBindings) && clause.namedBindings.elements.every((e) => e.isTypeOnly)));
    if (!typeOnly) out.push(from);
  }
  // A dynamic import("@/lib/server/…") would slip past the static ones.
  const visit = (node: ts.Node) => {
    if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const [arg] = node.arguments;
      if (arg && ts.isStringLiteral(arg) && /^@\/lib\/server(\/|$)/.test(arg.text) && !SERVER_MODULES_FOR_PAGES.includes(arg.text)) out.push(`import(${arg.text})`);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return out;
}

const isClient = (source: ts.SourceFile) => source.statements.some((s) => ts.isExpressionStatement(s) && ts.isStringLiteral(s.expression) && s.expression.text === "use client");

const appFiles = walk("app");
const pages = appFiles.filter((f) => /\/page\.tsx?$/.test(f));

describe("every page checks the session before anything else", () => {
  it("finds the pages (the walk is not empty) and the public ones are exactly the sign-in pages", () => {
    expect(pages.length).toBeGreaterThanOrEqual(16);
    for (const p of PUBLIC_PAGES) expect(pages).toContain(p);
  });

  it.each(pages.filter((p) => !PUBLIC_PAGES.includes(p)))("%s calls the guard first in the page and in generateMetadata", (file) => {
    const source = parse(file);
    expect([guardProblem(source, "default"), guardProblem(source, "generateMetadata")].filter(Boolean)).toEqual([]);
  });

  it("the rule itself catches a page that reads before it checks", () => {
    const bad = ts.createSourceFile(
      "x.tsx",
      `export default async function P() { const nodes = await pageNodes(grant); await requirePageActor("viewer"); }
       export async function generateMetadata() { return { title: "x" }; }`,
      ts.ScriptTarget.Latest,
      true,
      ts.ScriptKind.TSX,
    );
    expect(guardProblem(bad, "default")).toMatch(/first statement/);
    expect(guardProblem(bad, "generateMetadata")).toMatch(/first statement/);
    const good = ts.createSourceFile("y.tsx", `export default async function P() { const g = await requirePageActor("viewer"); }`, ts.ScriptTarget.Latest, true, ts.ScriptKind.TSX);
    expect(guardProblem(good, "default")).toBeNull();
    const wrongRole = ts.createSourceFile("z.tsx", `export default async function P() { await requirePageActor(role); }`, ts.ScriptTarget.Latest, true, ts.ScriptKind.TSX);
    expect(guardProblem(wrongRole, "default")).not.toBeNull();
  });
});

describe("server components read data only through the grant-checked page data", () => {
  // Route handlers guard themselves (lib/server/http/route.ts); the public sign-in pages read no fleet data.
  const serverComponents = [...appFiles.filter((f) => !f.startsWith("app/api/") && !f.startsWith("app/(auth)/")), ...walk("components")].filter((f) => !isClient(parse(f)));

  it.each(serverComponents)("%s", (file) => {
    expect(forbiddenServerImports(parse(file))).toEqual([]);
  });

  it("the rule itself catches a direct import of a data module", () => {
    const bad = ts.createSourceFile("x.tsx", `import { listNodes } from "@/lib/server/fleet/service";\nimport type { Actor } from "@/lib/server/auth/actor";\nconst m = import("@/lib/server/platform/db/db");`, ts.ScriptTarget.Latest, true, ts.ScriptKind.TSX);
    expect(forbiddenServerImports(bad)).toEqual(["@/lib/server/fleet/service", "import(@/lib/server/platform/db/db)"]);
  });
});
