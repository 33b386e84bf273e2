import "server-only";

import { randomBytes } from "node:crypto";

import { parse } from "yaml";

import { positionForPath } from "@/lib/config/positions";
import { nodeId } from "@/lib/fleet/node-id";
import { configDifferences } from "@/lib/manifest/compare";
import { issueAt, parseManifest, type ParsedManifest } from "@/lib/manifest/parse";
import { ManifestRenderer } from "@/lib/manifest/render";
import type { Manifest, ManifestNode } from "@/lib/manifest/schema";
import type { RolloutMode } from "@/lib/schemas/configs";
import type { ManifestIssue, PlanResponse } from "@/lib/schemas/manifests";
import { defaultConfigDeps, type ConfigDeps } from "@/lib/server/configs/deps";
import { configHash } from "@/lib/server/configs/modes";
import { runPreflight } from "@/lib/server/configs/preflight";
import { defaultManifestDeps, type ManifestDeps } from "@/lib/server/manifests/deps";
import { mapLimited } from "@/lib/server/manifests/nodes";
import { PlanRepository, publicPlan, type PlanSummary, type StoredPlanNode } from "@/lib/server/manifests/plans-repo";
import { checkManifestText, invalidManifest, mergeBack, requestScrubber } from "@/lib/server/manifests/service";
import { storedSecrets } from "@/lib/server/manifests/stored";
import { recordAudit } from "@/lib/server/platform/audit";
import { AppError, isAppError } from "@/lib/server/platform/errors";
import { formatSourceError, SourceError } from "@/lib/talos/errors";

/** What plan and apply work with: config push (preflight, rollouts) and the manifests' store. */
export interface PlanDeps {
  configs: ConfigDeps;
  manifests: ManifestDeps;
  /** How long one node's dry run may take (read, validate, ask) before it counts as unreachable; default 30 s. */
  planNodeTimeoutMs?: number;
}

/** The server process's deps. */
export function defaultPlanDeps(): PlanDeps {
  return { configs: defaultConfigDeps(), manifests: defaultManifestDeps() };
}

export interface PlanRequest {
  yaml: string;
  mode: RolloutMode;
}

export const PLAN_NODE_TIMEOUT_MS = 30_000;

// Answers that mean "the node is not there to ask"; every other failure is the node (or Minos's
// local check) refusing this config now.
const UNREACHABLE_CODES = new Set(["node_unreachable", "node_timeout", "forbidden", "not_found", "misconfigured"]);

const dotted = (path: readonly (string | number)[]) => path.map((s, i) => (typeof s === "number" ? `[${s}]` : i === 0 ? s : `.${s}`)).join("");

/** A manifest that parses and passes the semantic checks, secrets merged back. @throws AppError invalid_config (details.issues on manifest lines) */
export async function readManifestText(deps: PlanDeps, cluster: string, yaml: string): Promise<{ text: string; manifest: Manifest }> {
  const merged = await mergeBack(deps.manifests, cluster, yaml);
  if ("issues" in merged) throw invalidManifest(merged.issues);
  const parsed = parseManifest(merged.yaml);
  if (!parsed.manifest || parsed.issues.some((i) => i.severity === "error")) throw invalidManifest(parsed.issues);
  await sameCluster(deps.manifests, cluster, parsed);
  return { text: merged.yaml, manifest: parsed.manifest };
}

/**
 * The manifest names the cluster it is planned on: its cluster.name and cluster.endpoint are the
 * latest revision's. The CLI picks the cluster id by name, and another cluster's manifest would
 * otherwise be rendered (and applied) with this cluster's secrets bundle.
 * @throws AppError invalid_config with the issue on the differing line
 */
async function sameCluster(deps: ManifestDeps, cluster: string, parsed: ParsedManifest): Promise<void> {
  const latest = await deps.repo.latest(cluster);
  if (!latest || !parsed.manifest || !parsed.doc) return;
  const stored = parse(await deps.repo.manifest(cluster, latest.revision), { maxAliasCount: 100 }) as { cluster?: { name?: unknown; endpoint?: unknown } } | null;
  const issues: ManifestIssue[] = [];
  for (const key of ["name", "endpoint"] as const) {
    const want = stored?.cluster?.[key];
    const got = parsed.manifest.cluster[key];
    if (typeof want !== "string" || want === got) continue;
    issues.push(
      issueAt(
        positionForPath(parsed.doc, parsed.lineCounter, ["cluster", key]),
        `cluster.${key} is "${got}", but cluster "${cluster}" is "${want}" (revision ${latest.revision}): this manifest is another cluster's, or change ${key} with a manifest edit first`,
        ["cluster", key],
      ),
    );
  }
  if (issues.length > 0) throw invalidManifest(issues);
}

/** Races `p` against a deadline; `onLate` (abort the node calls) runs when the deadline wins. */
function withDeadline<T>(p: Promise<T>, ms: number, what: string, onLate?: (reason: AppError) => void): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const reason = new AppError("node_timeout", `${what} did not answer within ${ms / 1000} s`);
      onLate?.(reason);
      reject(reason);
    }, ms);
  });
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

type PlannedNode = StoredPlanNode & { config: string | null };

/** Renders, validates and dry-runs one node of the manifest; never throws. */
async function planNode(deps: PlanDeps, ctx: { cluster: string; mode: RolloutMode; renderer: ManifestRenderer; members: Set<string> }, node: ManifestNode): Promise<PlannedNode> {
  const id = nodeId(ctx.cluster, node.address);
  const base = { node: id, hostname: node.hostname, role: node.role, reboot: false, mode: null, runningHash: null, configHash: null, diff: "", config: null };
  if (!ctx.members.has(node.address)) {
    return { ...base, change: "unreachable", issues: [`${node.address} is not a node of cluster "${ctx.cluster}" (neither in its talosconfig nor discovered): check the address`] };
  }
  let config: string;
  try {
    config = ctx.renderer.render(node);
  } catch (e) {
    // A patch that does not apply names its place; anything else the generator refuses is still this node's refusal.
    return { ...base, change: "refused", issues: [e instanceof SourceError ? formatSourceError(e) : `the render failed: ${e instanceof Error ? e.message : String(e)}`] };
  }
  const rendered = { ...base, config, configHash: configHash(config) };
  try {
    // The deadline aborts the node's calls too: an abandoned dry run must not keep a connection busy.
    const abort = new AbortController();
    const pre = await withDeadline(runPreflight(deps.configs, id, { yaml: config, mode: ctx.mode }, { signal: abort.signal }), deps.planNodeTimeoutMs ?? PLAN_NODE_TIMEOUT_MS, id, (r) => abort.abort(r));
    const common = { ...rendered, runningHash: pre.runningHash, mode: pre.response.mode };
    // Talos's words, without the config's secrets (runPreflight scrubbed them).
    if (pre.refusal) return { ...common, change: "refused", diff: pre.response.diff, issues: [pre.response.verdict] };
    // Semantic equality: Talos re-encodes what it is given, so the text alone would call a
    // reformatted but equal config a change.
    const same = pre.response.unchanged || configDifferences(pre.running, config).length === 0;
    if (same) return { ...common, change: "none", issues: pre.response.warnings };
    return { ...common, change: "update", reboot: pre.response.reboots, diff: pre.response.diff, issues: pre.response.warnings };
  } catch (e) {
    if (!isAppError(e)) return { ...rendered, change: "unreachable", issues: [e instanceof Error ? e.message : String(e)] };
    if (UNREACHABLE_CODES.has(e.code)) return { ...rendered, change: "unreachable", issues: [e.message] };
    // Local validation: each issue with its config path; else the message (an apply in flight, too complex…).
    const issues = (e.details as { issues?: { path: (string | number)[]; message: string; severity: string }[] } | undefined)?.issues;
    const listed = issues?.filter((i) => i.severity === "error").map((i) => `${dotted(i.path) || "config"}: ${i.message}`);
    return { ...rendered, change: "refused", issues: listed && listed.length > 0 ? listed : [e.message] };
  }
}

/**
 * Nodes refused by the local check get the manifest lines that caused it first (the patch line,
 * the node entry, the generation input), as the editor marks them. Only run when a node failed
 * it: checking renders every node again (in the validation pool, within its budget).
 */
async function placeRefusals(nodes: PlannedNode[], text: string, secretsYaml: string): Promise<void> {
  // Refused before the node was asked (no running config read): the render or the local check.
  const refused = nodes.filter((n) => n.change === "refused" && n.runningHash === null);
  if (refused.length === 0) return;
  const issues = (await checkManifestText(text, secretsYaml)).filter((i) => i.severity === "error");
  for (const n of refused) {
    const placed = issues.filter((i) => i.nodes.includes(n.hostname)).map((i) => `line ${i.line}: ${i.message}`);
    n.issues = [...placed, ...n.issues];
  }
}

export function summarize(nodes: readonly Pick<StoredPlanNode, "change" | "reboot">[]): PlanSummary {
  const count = (c: StoredPlanNode["change"]) => nodes.filter((n) => n.change === c).length;
  return { none: count("none"), update: count("update"), reboot: nodes.filter((n) => n.change === "update" && n.reboot).length, refused: count("refused"), unreachable: count("unreachable") };
}

/**
 * POST /api/clusters/:cluster/manifest/plan: what every node of the manifest would do with its
 * render. Each node is rendered (the stored secrets bundle), validated for its Talos version and
 * asked (a dry-run ApplyConfiguration), a few at a time, each within a deadline: `none`,
 * `update` (with or without a reboot), `refused` (the render failed, local validation, or
 * Talos's reason) or `unreachable`. A node of the cluster the manifest does not list is not
 * planned (`notInManifest`). The plan is saved, pinned to the latest manifest revision and to
 * each node's running config; only apply acts on it.
 *
 * @throws AppError not_found before adoption (no secrets bundle); invalid_config (422) for a
 *   manifest with errors (details.issues on its lines) or unresolved redacted values.
 */
export async function planManifest(deps: PlanDeps, cluster: string, req: PlanRequest, actor: string): Promise<PlanResponse> {
  const m = deps.manifests;
  const [secrets, latest] = await Promise.all([storedSecrets(m, cluster), m.repo.latest(cluster)]);
  const baseRevision = latest?.revision ?? null;
  const { text, manifest } = await readManifestText(deps, cluster, req.yaml).catch(async (e: unknown) => {
    throw (await requestScrubber(m, cluster, secrets.bundle)).error(e);
  });
  const members = await m.clusterNodes(cluster);
  const listed = new Set(manifest.nodes.map((n) => n.address));
  const notInManifest = members.filter((a) => !listed.has(a)).map((a) => nodeId(cluster, a));
  const renderer = new ManifestRenderer(manifest, secrets.bundle);
  const ctx = { cluster, mode: req.mode, renderer, members: new Set(members) };
  const nodes = await mapLimited(manifest.nodes, m.concurrency, (n) => planNode(deps, ctx, n));
  await placeRefusals(nodes, text, secrets.text);
  // By value too: a patch may have moved a secret of the bundle to a field the node or the local
  // check then quotes, where the path rules of preflight's scrub no longer see it.
  const scrub = await requestScrubber(m, cluster, secrets.bundle, text);
  for (const n of nodes) {
    n.issues = n.issues.map((i) => scrub.message(i));
    n.diff = scrub.config(n.diff);
  }
  const summary = summarize(nodes);
  const now = m.now();
  const id = `mp-${now.toISOString().slice(0, 10).replaceAll("-", "")}-${randomBytes(6).toString("hex")}`;
  const repo = new PlanRepository(m.db, m.box);
  const plan = { id, cluster, author: actor, createdAt: now.toISOString(), baseRevision, mode: req.mode, summary, notInManifest, manifest: text, nodes };
  await m.db.transaction().execute(async (trx) => {
    await repo.on(trx).insert(plan);
    await recordAudit(trx, {
      actor,
      action: "manifest.plan",
      target: cluster,
      result: summary.refused + summary.unreachable > 0 ? "refused" : "ok",
      details: { planId: id, baseRevision, mode: req.mode, summary, notInManifest, nodes: nodes.filter((n) => n.change !== "none").map((n) => ({ node: n.node, change: n.change, reboot: n.reboot })) },
    });
  });
  return publicPlan({ ...plan, appliedAt: null, appliedBy: null, appliedRevision: null, rolloutId: null });
}
