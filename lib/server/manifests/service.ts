import "server-only";

import { createTwoFilesPatch } from "diff";
import { parse } from "yaml";
import type { z } from "zod";

import { redactConfig } from "@/lib/config/redact";
import { nodeId } from "@/lib/fleet/node-id";
import { mergeManifestSecrets, redactManifest } from "@/lib/manifest/redact";
import { parseManifest } from "@/lib/manifest/parse";
import { manifestSchema } from "@/lib/manifest/schema";
import { findNode, ManifestRenderer } from "@/lib/manifest/render";
import type {
  clusterSecretsResponseSchema,
  ManifestIssue,
  ManifestResponse,
  manifestRevisionDetailSchema,
  manifestRevisionListSchema,
  putManifestResponseSchema,
  renderResponseSchema,
  validateManifestResponseSchema,
} from "@/lib/schemas/manifests";
import type { ManifestDeps } from "@/lib/server/manifests/deps";
import { clusterScrubber, type SecretScrubber } from "@/lib/server/manifests/scrub";
import { storedSecrets } from "@/lib/server/manifests/stored";
import { recordAudit } from "@/lib/server/platform/audit";
import { AppError } from "@/lib/server/platform/errors";
import { validationPool } from "@/lib/server/validation/pool";
import { SourceError } from "@/lib/talos/errors";
import type { SecretsBundle } from "@/lib/talos/secrets/bundle";

type RenderResponse = z.infer<typeof renderResponseSchema>;
type ValidateResponse = z.infer<typeof validateManifestResponseSchema>;

/** Who asks, for the audit log and for revealing secrets. */
export interface Caller {
  /** "user:<name>" or "token:<name>". */
  label: string;
  /** An admin who asked to see secret values. */
  reveal: boolean;
}

/** The issues as the one 422: the first few in the message, all of them in details. */
export function invalidManifest(issues: ManifestIssue[], what = "The manifest"): AppError {
  const errors = issues.filter((i) => i.severity === "error");
  const shown = errors.slice(0, 3).map((i) => `line ${i.line}: ${i.message}${i.nodes.length ? ` (${i.nodes.join(", ")})` : ""}`);
  const more = errors.length > 3 ? `; and ${errors.length - 3} more` : "";
  return new AppError("invalid_config", `${what} has ${errors.length} problem${errors.length === 1 ? "" : "s"}: ${shown.join("; ")}${more}`, { details: { issues } });
}

const hasErrors = (issues: ManifestIssue[]) => issues.some((i) => i.severity === "error");

/** The cluster's node addresses. @throws AppError not_found for a cluster Minos does not manage. */
async function requireCluster(deps: ManifestDeps, cluster: string): Promise<string[]> {
  return deps.clusterNodes(cluster);
}

/**
 * The scrubber for a request that renders a caller's manifest with the cluster's real bundle:
 * the bundle's secrets, the latest revision's patch secrets (what merge-back may put anywhere)
 * and the caller's own (merged) manifest's. See {@link SecretScrubber}.
 */
export async function requestScrubber(deps: ManifestDeps, cluster: string, bundle: SecretsBundle, callerText?: string): Promise<SecretScrubber> {
  const latest = await deps.repo.latest(cluster);
  const stored = latest ? manifestSchema.safeParse(parse(await deps.repo.manifest(cluster, latest.revision), { maxAliasCount: 100 })) : undefined;
  const caller = callerText !== undefined ? parseManifest(callerText).manifest : undefined;
  return clusterScrubber(bundle, [caller ?? undefined, stored?.success ? stored.data : undefined]);
}

async function latestOrThrow(deps: ManifestDeps, cluster: string) {
  const latest = await deps.repo.latest(cluster);
  if (!latest) throw new AppError("not_found", `Cluster "${cluster}" has no manifest yet: adopt it first (POST /api/clusters/${cluster}/manifest/adopt)`);
  return latest;
}

/**
 * The caller's manifest with the secret values a redacted copy stands in for put back from the
 * latest revision (patches by name, node patches by address), or the issues naming each marker
 * left unresolved. A text without markers is taken as it is.
 */
export async function mergeBack(deps: ManifestDeps, cluster: string, yaml: string): Promise<{ yaml: string } | { issues: ManifestIssue[] }> {
  const latest = await deps.repo.latest(cluster);
  // Nothing stored: every marker is unresolved, each an issue on its line.
  const stored = latest ? await deps.repo.manifest(cluster, latest.revision) : "";
  return mergeManifestSecrets(yaml, stored);
}

/**
 * The manifest's problems: parse, schema and semantics, then every node rendered and validated
 * (lib/manifest/check) in the validation pool, off the event loop and within a budget that grows
 * with the node count (a 100-node cluster checks in well under a second).
 */
export async function checkManifestText(text: string, secretsYaml: string): Promise<ManifestIssue[]> {
  const parsed = parseManifest(text);
  if (!parsed.manifest || hasErrors(parsed.issues)) return parsed.issues;
  return validationPool().checkManifest(text, secretsYaml, { nodes: parsed.manifest.nodes.length });
}

/** GET …/manifest: the latest revision, redacted unless an admin asks. */
export async function getManifest(deps: ManifestDeps, cluster: string, opts: { reveal: boolean }): Promise<ManifestResponse> {
  await requireCluster(deps, cluster);
  const latest = await latestOrThrow(deps, cluster);
  const text = await deps.repo.manifest(cluster, latest.revision);
  return { yaml: opts.reveal ? text : redactManifest(text), revision: latest.revision };
}

/**
 * PUT …/manifest: saves an edit as the next revision. 409 unless `baseRevision` is the latest;
 * 422 with the issues (on manifest lines) when it does not parse, render or validate. The audit
 * entry names revisions, never content.
 */
export async function putManifest(
  deps: ManifestDeps,
  cluster: string,
  body: { yaml: string; baseRevision: number; message?: string },
  actor: string,
): Promise<z.infer<typeof putManifestResponseSchema>> {
  await requireCluster(deps, cluster);
  const latest = await latestOrThrow(deps, cluster);
  const refuse = async (e: AppError) => {
    await recordAudit(deps.db, { actor, action: "manifest.edit", target: cluster, result: "refused", details: { baseRevision: body.baseRevision, latestRevision: latest.revision, reason: e.code } });
    return e;
  };
  if (body.baseRevision !== latest.revision) {
    throw await refuse(
      new AppError("conflict", `The manifest of cluster "${cluster}" is at revision ${latest.revision}, not ${body.baseRevision}: reload it and redo the change`, {
        details: { latestRevision: latest.revision, baseRevision: body.baseRevision },
      }),
    );
  }
  const merged = await mergeBack(deps, cluster, body.yaml);
  if ("issues" in merged) throw await refuse(invalidManifest(merged.issues));
  const issues = await checkManifestText(merged.yaml, (await storedSecrets(deps, cluster)).text);
  if (hasErrors(issues)) throw await refuse(invalidManifest(issues));
  const saved = await deps.db.transaction().execute(async (trx) => {
    const r = await deps.repo.on(trx).insert({ cluster, author: actor, at: deps.now(), source: "edit", message: body.message, yaml: merged.yaml, base: body.baseRevision });
    await recordAudit(trx, { actor, action: "manifest.edit", target: cluster, result: "ok", details: { revision: r.revision, baseRevision: body.baseRevision } });
    return r;
  });
  return { revision: saved.revision };
}

/**
 * POST …/manifest/validate: the caller's manifest (secrets merged back) checked like a save
 * would check it, problems on manifest lines. 404 before adoption: rendering needs the bundle.
 */
export async function validateManifest(deps: ManifestDeps, cluster: string, yaml: string): Promise<ValidateResponse> {
  await requireCluster(deps, cluster);
  const { text: secrets, bundle } = await storedSecrets(deps, cluster);
  const merged = await mergeBack(deps, cluster, yaml);
  const scrub = await requestScrubber(deps, cluster, bundle, "issues" in merged ? undefined : merged.yaml);
  try {
    const issues = "issues" in merged ? merged.issues : await checkManifestText(merged.yaml, secrets);
    // A message may quote a value the caller's patch moved out of its secret place.
    return { valid: !hasErrors(issues), issues: scrub.issues(issues) };
  } catch (e) {
    throw scrub.error(e);
  }
}

/**
 * POST …/manifest/render: one node's config from the caller's manifest, its running config's
 * diff to it (redacted), the config redacted unless an admin asks. 422 when the manifest is
 * invalid, does not render for the node, or does not list it.
 */
export async function renderManifestNode(deps: ManifestDeps, cluster: string, body: { yaml: string; node: string }, caller: Caller): Promise<RenderResponse> {
  const members = await requireCluster(deps, cluster);
  const { bundle, text: secretsYaml } = await storedSecrets(deps, cluster);
  const merged = await mergeBack(deps, cluster, body.yaml);
  const scrub = await requestScrubber(deps, cluster, bundle, "issues" in merged ? undefined : merged.yaml);
  try {
    if ("issues" in merged) throw invalidManifest(merged.issues);
    return await renderNode(deps, cluster, { text: merged.yaml, node: body.node, bundle, secretsYaml, members: new Set(members) }, caller, scrub);
  } catch (e) {
    throw scrub.error(e);
  }
}

async function renderNode(
  deps: ManifestDeps,
  cluster: string,
  req: { text: string; node: string; bundle: SecretsBundle; secretsYaml: string; members: Set<string> },
  caller: Caller,
  scrub: SecretScrubber,
): Promise<RenderResponse> {
  const parsed = parseManifest(req.text);
  if (!parsed.manifest || hasErrors(parsed.issues)) throw invalidManifest(parsed.issues);
  const node = findNode(parsed.manifest, req.node);
  if (!node) throw new AppError("invalid_config", `The manifest does not list the node "${req.node}" (give its hostname, address or node ID)`, { details: { issues: [] } });
  let rendered: string;
  try {
    rendered = new ManifestRenderer(parsed.manifest, req.bundle).render(node);
  } catch (e) {
    if (!(e instanceof SourceError)) throw e;
    // The full check places the problem on the manifest line that produced it.
    const issues = (await checkManifestText(req.text, req.secretsYaml)).filter((i) => i.nodes.length === 0 || i.nodes.includes(node.hostname));
    throw invalidManifest(hasErrors(issues) ? issues : [{ severity: "error", message: e.message, line: 1, column: 1, endLine: 1, endColumn: 1, path: [], nodes: [node.hostname] }], `The render of ${node.hostname}`);
  }
  const id = nodeId(cluster, node.address);
  let diff: string | null = null;
  let runningError: string | undefined;
  if (!req.members.has(node.address)) {
    // The cluster's admin client asks only the cluster's own nodes, never an address a caller typed.
    runningError = `${node.address} is not a node of cluster "${cluster}" (neither in its talosconfig nor discovered): no running config to compare with`;
  } else {
    try {
      const running = (await (await deps.client(cluster)).machineConfig(node.address, { timeoutMs: deps.nodeTimeoutMs })).yaml;
      diff = scrub.config((await validationPool().redactedDiff(running, rendered, { from: "running", to: "manifest" })).diff);
    } catch (e) {
      if (e instanceof AppError && (e.code === "too_complex" || e.code === "rate_limited")) throw e;
      runningError = scrub.message(e instanceof Error ? e.message : String(e));
    }
  }
  // Path redaction, then by value: a secret the caller's patch moved to an ordinary field.
  return { node: id, hostname: node.hostname, config: caller.reveal ? rendered : scrub.config(redactConfig(rendered)), diff, ...(runningError !== undefined ? { runningError } : {}) };
}

/** GET …/manifest/revisions: newest first. */
export async function listManifestRevisions(deps: ManifestDeps, cluster: string): Promise<z.infer<typeof manifestRevisionListSchema>> {
  await requireCluster(deps, cluster);
  return { revisions: await deps.repo.list(cluster) };
}

/**
 * GET …/manifest/revisions/:revision: the revision (by its number in the cluster's history) with
 * its manifest, redacted unless an admin asks; `against` adds the unified diff from that revision
 * to this one, both sides redacted.
 */
export async function getManifestRevision(
  deps: ManifestDeps,
  cluster: string,
  revision: number,
  opts: { against?: number; reveal: boolean },
): Promise<z.infer<typeof manifestRevisionDetailSchema>> {
  await requireCluster(deps, cluster);
  const summary = await deps.repo.getOrThrow(cluster, revision);
  const text = await deps.repo.manifest(cluster, revision);
  const out: z.infer<typeof manifestRevisionDetailSchema> = { ...summary, yaml: opts.reveal ? text : redactManifest(text) };
  if (opts.against !== undefined) {
    const other = await deps.repo.manifest(cluster, (await deps.repo.getOrThrow(cluster, opts.against)).revision);
    // Both sides redacted: a diff must not carry what the text does not.
    const [from, to] = [redactManifest(other), redactManifest(text)];
    out.diff = from === to ? "" : createTwoFilesPatch(`revision ${opts.against}`, `revision ${revision}`, from, to, undefined, undefined, { context: 3 });
  }
  return out;
}

/** GET …/secrets [admin]: talosctl's secrets.yaml of the cluster; every export is audited. */
export async function exportClusterSecrets(deps: ManifestDeps, cluster: string, actor: string): Promise<z.infer<typeof clusterSecretsResponseSchema>> {
  await requireCluster(deps, cluster);
  const { text } = await storedSecrets(deps, cluster);
  await recordAudit(deps.db, { actor, action: "manifest.secrets.export", target: cluster, result: "ok", details: null });
  return { yaml: text };
}
