/** Helpers of the migration tests (lib/config/migrate): the legacy fixture and readers of a YAML stream. */
import { readFileSync } from "node:fs";
import { join } from "node:path";

import { parseAllDocuments } from "yaml";

import type { ConfigIssue } from "@/lib/config/types";
import { validateConfig } from "@/lib/config/validate";

const here = (...p: string[]) => join(__dirname, "..", "lib", "config", "migrate", ...p);
export const LEGACY = readFileSync(here("testdata", "legacy-controlplane.yaml"), "utf8");
export const CP_112 = readFileSync(here("..", "testdata", "controlplane-1.12.yaml"), "utf8");
export const WORKER_112 = readFileSync(here("..", "testdata", "worker-1.12.yaml"), "utf8");

export type Obj = Record<string, unknown>;
export const docs = (text: string): Obj[] => parseAllDocuments(text).map((d) => d.toJS() as Obj);
export const v1 = (text: string) => docs(text).find((d) => d.version === "v1alpha1")!;
export const doc = (text: string, kind: string, name?: string) => docs(text).find((d) => d.kind === kind && (name === undefined || d.name === name));
export const get = (o: unknown, dotted: string) => dotted.split(".").reduce<unknown>((c, k) => (c && typeof c === "object" ? (c as Obj)[k] : undefined), o);

export const validate = (text: string) => validateConfig(text, { talosVersion: "1.14" }).issues;
export const errors = (text: string) => validate(text).filter((i) => i.severity === "error");
export const deprecations = (text: string) => validate(text).filter((i) => i.severity === "warning" && /deprecated/.test(i.message));
export const warningAt = (text: string, dotted: string): ConfigIssue | undefined => deprecations(text).find((i) => i.path.join(".") === dotted);

export const pem = (b64: unknown) => atob(String(b64));

/** The legacy fixture with its v1alpha1 document edited, and more documents after it. */
export const withV1 = (edit: (v: Obj) => void, extraDocs = ""): string => {
  const d = parseAllDocuments(LEGACY)[0]!;
  const v = d.toJS() as Obj;
  edit(v);
  d.contents = d.createNode(v) as typeof d.contents;
  return `${d.toString({ indent: 4, lineWidth: 0 })}${extraDocs}`;
};
