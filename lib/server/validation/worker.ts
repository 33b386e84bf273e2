/**
 * The thread that validates untrusted configs for {@link ValidationPool} (./pool.ts). It loads
 * lib/config once, says it is ready, then answers one job at a time; the pool terminates it when
 * a job overruns its time budget. No `server-only` import: this file is a worker's entry point
 * (bundled on its own by Next, run through tsx elsewhere), where that marker cannot resolve.
 */
import { parentPort } from "node:worker_threads";

import { boundResult, type BoundedValidationResult, type ResultLimits } from "@/lib/config/bound";
import { redactedDiff, type RedactedDiff } from "@/lib/config/diff";
import { mergeSecrets, type MergeResult } from "@/lib/config/redact";
import type { ValidateOptions } from "@/lib/config/types";
import { validateConfig } from "@/lib/config/validate";
import { checkManifest } from "@/lib/manifest/check";
import type { ManifestIssue } from "@/lib/schemas/manifests";
import { parseSecretsBundle } from "@/lib/talos/secrets/bundle";

export type Job =
  | { kind: "validate"; yaml: string; options: ValidateOptions; limits?: ResultLimits }
  | { kind: "diff"; from: string; to: string; labels?: { from: string; to: string } }
  | { kind: "merge"; edited: string; original: string }
  /** A cluster manifest: every node rendered and validated (lib/manifest/check); `secrets` is the bundle's secrets.yaml. */
  | { kind: "manifest"; yaml: string; secrets: string };

export type JobResult<J extends Job> = J extends { kind: "validate" }
  ? BoundedValidationResult
  : J extends { kind: "merge" }
    ? MergeResult
    : J extends { kind: "manifest" }
      ? ManifestIssue[]
      : RedactedDiff;

export type ToWorker = { id: number; job: Job };
export type FromWorker = { ready: true } | { id: number; ok: true; value: unknown } | { id: number; ok: false; message: string };

function run(job: Job): unknown {
  if (job.kind === "validate") return boundResult(validateConfig(job.yaml, job.options), job.limits);
  if (job.kind === "merge") return mergeSecrets(job.edited, job.original);
  if (job.kind === "manifest") return checkManifest(job.yaml, parseSecretsBundle(job.secrets, "the cluster's secrets bundle"));
  return redactedDiff(job.from, job.to, job.labels);
}

const port = parentPort;
if (port) {
  port.on("message", ({ id, job }: ToWorker) => {
    let answer: FromWorker;
    try {
      answer = { id, ok: true, value: run(job) };
    } catch (e) {
      answer = { id, ok: false, message: e instanceof Error ? e.message : String(e) };
    }
    port.postMessage(answer);
  });
  port.postMessage({ ready: true } satisfies FromWorker);
}
