import "server-only";

import { MAX_ISSUES } from "@/lib/config/bound";
import { configSecrets } from "@/lib/config/redact";
import { scrubJson, scrubText } from "@/lib/config/secret-values";
import { DEFAULT_TRY_TIMEOUT_SECONDS, type ApplyMode, type PreflightResponse } from "@/lib/schemas/configs";
import type { ConfigDeps } from "@/lib/server/configs/deps";
import { applyInFlight } from "@/lib/server/configs/in-flight";
import { configHash, dryRunSummary, effectOf, rebootModeAvailable } from "@/lib/server/configs/modes";
import { recordAudit } from "@/lib/server/platform/audit";
import { AppError, isAppError } from "@/lib/server/platform/errors";
import type { TalosClient } from "@/lib/server/talos";
import { validationPool } from "@/lib/server/validation/pool";

export interface PreflightRequest {
  /** The config as edited: redacted markers are filled from the node's running config. */
  yaml: string;
  mode: ApplyMode;
  tryTimeoutSeconds?: number;
}

/** Everything a preflight learned, for apply and rollouts to act on without asking again. */
export interface PreflightOutcome {
  response: PreflightResponse;
  /** The config to send: the request with the node's secrets merged back. */
  merged: string;
  /** Why the node refused, with its own error code (invalid_config, unsupported, …). */
  refusal?: AppError;
  cluster: string;
  address: string;
  client: TalosClient;
  /** configHash of the running config the preflight compared against (a plan pins it). */
  runningHash: string;
  /** The running config, secrets included: server-side only. */
  running: string;
}

// A node refusing the config answers the question a preflight asks; it is not a failed request.
const REFUSAL_CODES = new Set(["invalid_config", "unsupported"]);

const dotted = (path: (string | number)[]) => path.map((s, i) => (typeof s === "number" ? `[${s}]` : i === 0 ? s : `.${s}`)).join("");

/**
 * Preflight without the audit entry: merge the node's secrets back, validate locally against
 * the node's Talos version, then ApplyConfiguration with dry_run on the node. The node's own
 * diff (which shows secrets) is dropped; the response carries Minos's redacted diff instead.
 *
 * @throws AppError invalid_config (422) for unresolved secret markers or local validation
 *   errors (issues in details, at most MAX_ISSUES); too_complex (422) when validating overruns
 *   its time budget; the node's transport errors as they are (503, 504, 403, 409).
 */
export async function runPreflight(deps: ConfigDeps, node: string, req: PreflightRequest, opts: { holdsSlot?: boolean; signal?: AbortSignal } = {}): Promise<PreflightOutcome> {
  const { cluster, address } = await deps.resolveNode(node);
  const holder = opts.holdsSlot ? undefined : applyInFlight(node);
  if (holder !== undefined) throw new AppError("conflict", `An apply to ${node} is in progress (${holder}); preflight again when it is done`, { node });
  const client = await deps.client(cluster);
  // A caller's deadline (a plan's per-node budget) cancels the node calls themselves, not just the wait.
  const call = opts.signal ? { signal: opts.signal } : {};
  const [running, talosVersion] = await Promise.all([client.machineConfig(address, call), client.talosVersion(address, call).catch(() => null)]);

  // The config is the caller's: merge, validate and diff it off the event loop, each within a
  // time budget (AppError too_complex beyond it), so a hostile one cannot stall the server or
  // the runners.
  const pool = validationPool();
  const { yaml: merged, unresolved } = await pool.mergeSecrets(req.yaml, running.yaml);
  if (unresolved.length > 0) {
    // Bounded like validation output: a hostile config may hold thousands of markers.
    const paths = unresolved.slice(0, MAX_ISSUES).map((u) => (u.document > 0 ? `[${u.document}].` : "") + dotted(u.path));
    const shown = paths.slice(0, 10).join(", ") + (unresolved.length > 10 ? ` and ${unresolved.length - 10} more` : "");
    throw new AppError("invalid_config", `The node has no value for the redacted secret${unresolved.length > 1 ? "s" : ""} at ${shown}: enter the value or remove the field`, {
      node,
      details: { unresolved: paths, truncated: unresolved.length > paths.length },
    });
  }
  const validation = await pool.validate(merged, talosVersion ? { talosVersion } : {});
  const errors = validation.issues.filter((i) => i.severity === "error");
  if (errors.length > 0) {
    // Errors come first in a bounded result, so a cut one holds MAX_ISSUES of them at least.
    const count = `${validation.truncated && errors.length === validation.issues.length ? "at least " : ""}${errors.length}`;
    throw new AppError("invalid_config", `The config has ${count} error${errors.length > 1 ? "s" : ""}: ${errors[0]!.message}${errors.length > 1 ? " …" : ""}`, {
      node,
      details: { issues: validation.issues, truncated: validation.truncated },
    });
  }
  const localWarnings = validation.issues.map((i) => `${dotted(i.path) || "config"}: ${i.message}`);
  const tryTimeoutSeconds = req.tryTimeoutSeconds ?? DEFAULT_TRY_TIMEOUT_SECONDS;
  const diff = await pool.redactedDiff(running.yaml, merged);
  const common = {
    node,
    requestedMode: req.mode,
    diff: diff.diff,
    unchanged: diff.unchanged,
    changedSecrets: diff.changedSecrets,
    runningYaml: diff.fromYaml,
    newYaml: diff.toYaml,
    talosVersion,
    rebootModeAvailable: rebootModeAvailable(talosVersion),
  };

  try {
    opts.signal?.throwIfAborted();
    const dry = await client.applyConfiguration(address, { data: merged, mode: req.mode, dryRun: true, tryModeTimeoutSeconds: tryTimeoutSeconds, ...call });
    const response: PreflightResponse = {
      ...common,
      ok: true,
      verdict: diff.unchanged ? "The node accepts this config; nothing would change." : "The node accepts this config.",
      warnings: [...localWarnings, ...dry.warnings],
      mode: dry.mode,
      modeDetails: dryRunSummary(dry.modeDetails),
      effect: effectOf(dry.mode, tryTimeoutSeconds),
      reboots: dry.mode === "reboot",
    };
    return { response, merged, cluster, address, client, runningHash: configHash(running.yaml), running: running.yaml };
  } catch (e) {
    if (!isAppError(e) || !REFUSAL_CODES.has(e.code)) throw e;
    const refusal = withoutConfigSecrets(e, merged);
    const response: PreflightResponse = {
      ...common,
      ok: false,
      verdict: `The node refused this config: ${refusal.message.trim()}`,
      warnings: localWarnings,
      mode: null,
      modeDetails: "",
      effect: "nothing: the node refused the config",
      reboots: false,
    };
    return { response, merged, refusal, cluster, address, client, runningHash: configHash(running.yaml), running: running.yaml };
  }
}

/** POST /api/nodes/:node/config/preflight: {@link runPreflight}, audited. */
export async function preflightNodeConfig(deps: ConfigDeps, node: string, req: PreflightRequest, actor: string, action = "config.preflight"): Promise<PreflightResponse> {
  try {
    const { response, merged } = await runPreflight(deps, node, req);
    await recordAudit(deps.db, {
      actor,
      action,
      target: node,
      result: response.ok ? "ok" : "refused",
      details: { mode: req.mode, resolvedMode: response.mode, verdict: response.verdict, configHash: configHash(merged), changedSecrets: response.changedSecrets },
    });
    return response;
  } catch (e) {
    await recordAudit(deps.db, {
      actor,
      action,
      target: node,
      result: isAppError(e) && e.code === "invalid_config" ? "refused" : "failed",
      details: { mode: req.mode, error: e instanceof Error ? e.message : String(e) },
    });
    throw e;
  }
}

/**
 * A node's error without the config's secrets. Talos quotes offending values (`wrong key
 * "<private key>" length`), and a refusal or a failed apply reaches viewers (verdict, revision,
 * audit, rollout state).
 */
export function withoutConfigSecrets(e: AppError, yaml: string): AppError {
  const secrets = configSecrets(yaml);
  return new AppError(e.code, scrubText(e.message, secrets, { runs: true }), { node: e.node, details: scrubJson(e.details, secrets) });
}
