/**
 * The manifest's own problems, found in the browser as the operator types (no round trip):
 * lib/manifest/parse's syntax, schema and semantic checks (a node listed twice, an unknown
 * selector label, a patch that does not load), each on its manifest line. The server's validate
 * adds what needs the secrets: every node's render and Talos's rules.
 */
import { parseManifest } from "@/lib/manifest/parse";
import type { ManifestIssue } from "@/lib/schemas/manifests";

export function localManifestIssues(text: string): ManifestIssue[] {
  return parseManifest(text).issues;
}
