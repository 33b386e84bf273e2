/**
 * `cn` only joins class names (clsx); it does not merge conflicting Tailwind utilities as
 * tailwind-merge did, which cost every page 7 KiB of JavaScript (issue 20). Two utilities that
 * set the same property would both apply and the stylesheet's order, not the code's, would pick
 * one. So no code may pass such a pair: a component's own classes never conflict with what a
 * caller adds (a caller that needs other padding asks for `plain`, another `size`, a `tone`).
 *
 * tailwind-merge stays, as a dev dependency, to be the judge here: for each `cn(...)` call, each
 * argument against the ones before it; for each JSX use of a component built on cn/cva, the
 * caller's className against the classes the component applies with the variant props given
 * (string literals; classes computed at run time are not seen).
 */
import { readFileSync } from "node:fs";
import path from "node:path";

import { twMerge } from "tailwind-merge";
import ts from "typescript";
import { describe, expect, it } from "vitest";

import { isTestFile, listFiles, ROOT } from "./source-graph";

const files = listFiles().filter((f) => /^(?:app|components)\/.*\.tsx?$/.test(f) && !isTestFile(f));
const sources = new Map(files.map((f) => [f, ts.createSourceFile(f, readFileSync(path.join(ROOT, f), "utf8"), ts.ScriptTarget.Latest, true, f.endsWith("x") ? ts.ScriptKind.TSX : ts.ScriptKind.TS)]));

/** Every string literal in an expression (both branches of a condition, template parts). */
function literals(node: ts.Node, out: string[] = []): string[] {
  if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) out.push(node.text);
  else if (ts.isTemplateExpression(node)) {
    out.push(node.head.text, ...node.templateSpans.map((s) => s.literal.text));
    for (const s of node.templateSpans) literals(s.expression, out);
  } else node.forEachChild((c) => void literals(c, out));
  return out;
}
const classes = (xs: readonly string[]) => [...new Set(xs.flatMap((x) => x.split(/\s+/).filter(Boolean)))];

/** The classes in `base` that adding `extra` would override, per class of `extra`. */
function overridden(base: readonly string[], extra: readonly string[]): string[] {
  const kept = new Set(twMerge(base.join(" ")).split(" ").filter(Boolean));
  const out: string[] = [];
  for (const e of extra) {
    const after = new Set(twMerge([...base, e].join(" ")).split(" "));
    const lost = [...kept].filter((k) => k !== e && !after.has(k));
    if (lost.length > 0) out.push(`${e} overrides ${lost.join(" ")}`);
  }
  return out;
}

interface Cva {
  base: string[];
  variants: Map<string, Map<string, string[]>>;
  defaults: Map<string, string>;
}

function cvaOf(call: ts.CallExpression): Cva {
  const [base, config] = call.arguments;
  const cva: Cva = { base: classes(base ? literals(base) : []), variants: new Map(), defaults: new Map() };
  if (!config || !ts.isObjectLiteralExpression(config)) return cva;
  for (const p of config.properties) {
    if (!ts.isPropertyAssignment(p) || !ts.isObjectLiteralExpression(p.initializer)) continue;
    const name = p.name.getText().replace(/["']/g, "");
    for (const v of p.initializer.properties) {
      if (!ts.isPropertyAssignment(v)) continue;
      const key = v.name.getText().replace(/["']/g, "");
      if (name === "variants" && ts.isObjectLiteralExpression(v.initializer)) {
        cva.variants.set(key, new Map(v.initializer.properties.filter(ts.isPropertyAssignment).map((o) => [o.name.getText().replace(/["']/g, ""), classes(literals(o.initializer))])));
      } else if (name === "defaultVariants" && ts.isStringLiteral(v.initializer)) cva.defaults.set(key, v.initializer.text);
    }
  }
  return cva;
}

/** The classes a cva applies for the variant props a call site gives (a prop it cannot read counts as every choice). */
function cvaClasses(cva: Cva, props: ReadonlyMap<string, string | null>): string[][] {
  let sets: string[][] = [cva.base];
  for (const [key, choices] of cva.variants) {
    const given = props.has(key) ? props.get(key) : cva.defaults.get(key);
    const options = given === null || given === undefined ? [...choices.values()] : [choices.get(given) ?? []];
    sets = sets.flatMap((s) => options.map((o) => [...s, ...o]));
  }
  return sets;
}

/** What each component built on cn applies before its className: literal classes, and cva calls by name. */
interface Component {
  own: string[];
  cva: Cva | null;
}

const cvas = new Map<string, Cva>();
const components = new Map<string, Component>();
const problems: string[] = [];
const where = (f: string, n: ts.Node) => `${f}:${sources.get(f)!.getLineAndCharacterOfPosition(n.getStart()).line + 1}`;

for (const [, sf] of sources) {
  sf.forEachChild((s) => {
    if (!ts.isVariableStatement(s)) return;
    for (const d of s.declarationList.declarations) {
      if (ts.isIdentifier(d.name) && d.initializer && ts.isCallExpression(d.initializer) && ts.isIdentifier(d.initializer.expression) && d.initializer.expression.text === "cva") cvas.set(d.name.text, cvaOf(d.initializer));
    }
  });
}

for (const [file, sf] of sources) {
  const visit = (n: ts.Node, component: string | null) => {
    if (ts.isFunctionDeclaration(n) && n.name && /^[A-Z]/.test(n.name.text)) component = n.name.text;
    if (ts.isCallExpression(n) && ts.isIdentifier(n.expression) && n.expression.text === "cn") {
      const args = n.arguments.map((a) => {
        if (ts.isCallExpression(a) && ts.isIdentifier(a.expression) && cvas.has(a.expression.text)) return { cva: a.expression.text, classes: [] as string[] };
        return { cva: null, classes: ts.isIdentifier(a) && a.text === "className" ? [] : classes(literals(a)) };
      });
      for (let i = 1; i < args.length; i++) {
        for (const o of overridden(args.slice(0, i).flatMap((a) => a.classes), args[i]!.classes)) problems.push(`${where(file, n)}: ${o}`);
      }
      if (component && n.arguments.some((a) => ts.isIdentifier(a) && a.text === "className")) {
        components.set(component, { own: args.flatMap((a) => a.classes), cva: args.map((a) => a.cva).find((c) => c !== null) ? cvas.get(args.find((a) => a.cva)!.cva!)! : null });
      }
    }
    n.forEachChild((c) => visit(c, component));
  };
  visit(sf, null);
}

for (const [file, sf] of sources) {
  const visit = (n: ts.Node) => {
    if ((ts.isJsxOpeningElement(n) || ts.isJsxSelfClosingElement(n)) && ts.isIdentifier(n.tagName) && components.has(n.tagName.text)) {
      const props = new Map<string, string | null>();
      let className: string[] = [];
      let plain = false;
      for (const p of n.attributes.properties) {
        if (!ts.isJsxAttribute(p) || !ts.isIdentifier(p.name)) continue;
        const init = p.initializer;
        if (p.name.text === "className" && init) className = classes(literals(init));
        else if (p.name.text === "plain") plain = !init || init.getText() !== "{false}";
        else props.set(p.name.text, init && ts.isStringLiteral(init) ? init.text : null);
      }
      const c = components.get(n.tagName.text)!;
      // `plain` drops the component's own defaults (TableHeaderCell): only the caller's classes apply.
      const own = plain ? [] : c.own;
      for (const set of c.cva ? cvaClasses(c.cva, props) : [[]]) {
        for (const o of overridden([...set, ...own], className)) problems.push(`${where(file, n)} <${n.tagName.text}>: ${o}`);
      }
    }
    if (ts.isCallExpression(n) && ts.isIdentifier(n.expression) && cvas.has(n.expression.text)) {
      const [arg] = n.arguments;
      if (arg && ts.isObjectLiteralExpression(arg)) {
        const props = new Map<string, string | null>();
        let className: string[] = [];
        for (const p of arg.properties.filter(ts.isPropertyAssignment)) {
          const key = p.name.getText();
          if (key === "className") className = classes(literals(p.initializer));
          else props.set(key, ts.isStringLiteral(p.initializer) ? p.initializer.text : null);
        }
        for (const set of cvaClasses(cvas.get(n.expression.text)!, props)) for (const o of overridden(set, className)) problems.push(`${where(file, n)}: ${o}`);
      }
    }
    n.forEachChild(visit);
  };
  visit(sf);
}

describe("class names need no merging", () => {
  it("finds the components built on cn and cva (or it checks nothing)", () => {
    expect([...components.keys()]).toEqual(expect.arrayContaining(["Button", "Badge", "Card", "TableCell", "TableHeaderCell"]));
    expect(cvas.has("buttonVariants")).toBe(true);
  });

  it("no className overrides a class the component or an earlier cn argument applies", () => {
    expect([...new Set(problems)].sort()).toEqual([]);
  });

  it("the judge sees an override when there is one", () => {
    expect(overridden(["px-4", "py-2", "text-sm"], ["py-6", "font-mono"])).toEqual(["py-6 overrides py-2"]);
    const button = cvas.get("buttonVariants")!;
    expect(cvaClasses(button, new Map([["size", "sm"]])).some((set) => overridden(set, ["h-10"]).length > 0)).toBe(true);
  });
});
