/**
 * Cluster manifest problems for the CLI: each ManifestIssue (lib/manifest/parse.ts, check.ts, or
 * a server's answer) printed as `MANIFEST:LINE:COL: error|warning: …`, the compilers' format CI
 * and editors link. Pure.
 */
import { parseDocument } from "yaml";

import type { ManifestIssue } from "@/lib/schemas/manifests";

/** `m.yaml:15:29: error: w-1, w-2: …` (a rendered config's problem names its nodes first). */
export function formatManifestIssue(file: string, i: Pick<ManifestIssue, "severity" | "line" | "column" | "message">): string {
  return `${file}:${i.line}:${i.column}: ${i.severity}: ${i.message}`;
}

/** A manifest that cannot be rendered: its issues (errors first), printed one per line. */
export class ManifestProblems extends Error {
  constructor(
    readonly file: string,
    readonly issues: ManifestIssue[],
  ) {
    super(`${file}: ${issues.filter((i) => i.severity === "error").length} errors`);
    this.name = "ManifestProblems";
  }

  format(): string {
    return this.issues.map((i) => formatManifestIssue(this.file, i) + "\n").join("");
  }
}

/** The cluster.name of a manifest that may be invalid otherwise (to choose the cluster id). */
export function manifestClusterName(text: string): string | undefined {
  try {
    const name = (parseDocument(text, { prettyErrors: false }).toJS({ maxAliasCount: 100 }) as { cluster?: { name?: unknown } } | null)?.cluster?.name;
    return typeof name === "string" && name !== "" ? name : undefined;
  } catch {
    return undefined;
  }
}
