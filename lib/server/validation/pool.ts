import "server-only";

import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";

import type { BoundedValidationResult, ResultLimits } from "@/lib/config/bound";
import type { RedactedDiff } from "@/lib/config/diff";
import type { MergeResult } from "@/lib/config/redact";
import type { ValidateOptions } from "@/lib/config/types";
import type { ManifestIssue } from "@/lib/schemas/manifests";
import { AppError } from "@/lib/server/platform/errors";

import type { FromWorker, Job, ToWorker } from "./worker";
import { processState } from "@/lib/server/platform/process-state";

/**
 * How long one job may run in a worker before the worker is terminated and the caller gets 422
 * `too_complex`. Real configs validate in tens of milliseconds; linear code on the largest input
 * accepted (4 MiB) stays well below this, so only inputs built to be slow reach it.
 */
export const VALIDATION_BUDGET_MS = 2_000;
/** Jobs waiting for a worker; more are refused (429) rather than queued without end. */
export const VALIDATION_MAX_QUEUE = 64;
/** A worker's heap ceiling: a config that needs more is too complex, and only the worker dies. */
export const VALIDATION_WORKER_HEAP_MB = 512;
/** A manifest check renders and validates every node: its budget grows by this much per node. */
export const MANIFEST_BUDGET_PER_NODE_MS = 30;

/** Threads, leaving a core for the server itself (one on a two-core machine). */
export function defaultPoolSize(): number {
  return Math.max(1, Math.min(2, availableParallelism() - 1));
}

export interface ValidationPoolOptions {
  size?: number;
  budgetMs?: number;
  maxQueue?: number;
  heapMb?: number;
  /** How a worker is started (tests start broken ones); the validation worker by default. */
  spawn?: (heapMb: number) => Worker;
}

interface Pending {
  id: number;
  job: Job;
  budgetMs: number;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

interface Slot {
  worker: Worker;
  ready: boolean;
  job?: Pending;
  timer?: ReturnType<typeof setTimeout>;
}

export interface PoolStats {
  workers: number;
  busy: number;
  queued: number;
  /** Workers terminated for overrunning their budget or dying (each one replaced). */
  replaced: number;
}

// Inside Next's bundle (Turbopack) the `new Worker(new URL(…, import.meta.url))` form is what
// the bundler turns into a worker entry of its own, TypeScript and `@/` imports resolved. Run
// from source (Vitest; tsx for benchmarks and scripts) there is no bundler and Node cannot load
// TypeScript, so a two-line script loads the entry through tsx (a runtime dependency); the
// ignore comment keeps the bundler from reading that script as a path to bundle.
const BUNDLED = Boolean(process.env.NEXT_RUNTIME);
const TSX_BOOTSTRAP = `const { workerData } = require("node:worker_threads");
import("tsx/esm/api").then(({ tsImport }) => tsImport(workerData.entry, workerData.entry));`;

function spawn(heapMb: number): Worker {
  const options = { resourceLimits: { maxOldGenerationSizeMb: heapMb } };
  if (BUNDLED) return new Worker(new URL("./worker.ts", import.meta.url), options);
  const entry = import.meta.url.replace(/pool\.ts$/, "worker.ts");
  return new Worker(/* webpackIgnore: true */ TSX_BOOTSTRAP, { ...options, eval: true, workerData: { entry } });
}

/**
 * A few worker threads that validate (and diff) untrusted configs off the event loop, each job
 * with a time budget. A job over budget has its worker terminated and replaced, and is refused
 * with AppError `too_complex` (422); the server keeps answering meanwhile.
 */
export class ValidationPool {
  private readonly size: number;
  private readonly budgetMs: number;
  private readonly maxQueue: number;
  private readonly heapMb: number;
  private readonly spawn: (heapMb: number) => Worker;
  private readonly slots: Slot[] = [];
  private readonly queue: Pending[] = [];
  private nextId = 1;
  private replaced = 0;
  private closed = false;

  constructor(options: ValidationPoolOptions = {}) {
    this.size = Math.max(1, options.size ?? defaultPoolSize());
    this.budgetMs = options.budgetMs ?? VALIDATION_BUDGET_MS;
    this.maxQueue = options.maxQueue ?? VALIDATION_MAX_QUEUE;
    this.heapMb = options.heapMb ?? VALIDATION_WORKER_HEAP_MB;
    this.spawn = options.spawn ?? spawn;
  }

  /** Validates `yaml` in a worker: the bounded result, or AppError too_complex / rate_limited. */
  validate(yaml: string, options: ValidateOptions = {}, extra: { budgetMs?: number; limits?: ResultLimits } = {}): Promise<BoundedValidationResult> {
    return this.submit({ kind: "validate", yaml, options, limits: extra.limits }, extra.budgetMs) as Promise<BoundedValidationResult>;
  }

  /** lib/config/diff's redactedDiff in a worker (a line diff of two large texts is costly too). */
  redactedDiff(from: string, to: string, labels?: { from: string; to: string }): Promise<RedactedDiff> {
    return this.submit({ kind: "diff", from, to, labels }) as Promise<RedactedDiff>;
  }

  /** lib/config/redact's mergeSecrets in a worker: it parses the caller's YAML as well. */
  mergeSecrets(edited: string, original: string): Promise<MergeResult> {
    return this.submit({ kind: "merge", edited, original }) as Promise<MergeResult>;
  }

  /**
   * lib/manifest/check's checkManifest in a worker (`secrets`: the bundle's secrets.yaml): every
   * node's render validated, within the usual budget plus {@link MANIFEST_BUDGET_PER_NODE_MS} per node.
   */
  checkManifest(yaml: string, secrets: string, extra: { nodes: number }): Promise<ManifestIssue[]> {
    return this.submit({ kind: "manifest", yaml, secrets }, this.budgetMs + MANIFEST_BUDGET_PER_NODE_MS * extra.nodes) as Promise<ManifestIssue[]>;
  }

  stats(): PoolStats {
    return { workers: this.slots.length, busy: this.slots.filter((s) => s.job).length, queued: this.queue.length, replaced: this.replaced };
  }

  /** Terminates every worker; queued and running jobs are refused. */
  async close(): Promise<void> {
    this.closed = true;
    for (const p of this.queue.splice(0)) p.reject(new AppError("internal", "The validator was shut down"));
    await Promise.all(this.slots.splice(0).map((s) => this.retire(s, new AppError("internal", "The validator was shut down"))));
  }

  private submit(job: Job, budgetMs = this.budgetMs): Promise<unknown> {
    if (this.closed) return Promise.reject(new AppError("internal", "The validator was shut down"));
    if (this.queue.length >= this.maxQueue) {
      return Promise.reject(new AppError("rate_limited", "The config validator is busy; try again in a few seconds"));
    }
    return new Promise((resolve, reject) => {
      this.queue.push({ id: this.nextId++, job, budgetMs, resolve, reject });
      this.dispatch();
    });
  }

  private dispatch(): void {
    while (this.queue.length > 0) {
      const idle = this.slots.find((s) => s.ready && !s.job);
      if (!idle) {
        if (this.slots.length < this.size) this.startWorker();
        return;
      }
      this.runOn(idle, this.queue.shift()!);
    }
  }

  private startWorker(): void {
    const slot: Slot = { worker: this.spawn(this.heapMb), ready: false };
    // Idle workers must not keep a process (a test, a CLI run) alive; a running job's timer does.
    slot.worker.unref();
    slot.worker.on("message", (m: FromWorker) => this.onMessage(slot, m));
    slot.worker.on("error", (e) => this.onExit(slot, e));
    slot.worker.on("exit", (code) => this.onExit(slot, new Error(`validation worker exited with code ${code}`)));
    this.slots.push(slot);
  }

  private runOn(slot: Slot, job: Pending): void {
    slot.job = job;
    // The budget starts when the worker takes the job: time spent queued is not the job's fault.
    slot.timer = setTimeout(() => {
      this.replaced++;
      void this.retire(slot, tooComplex(job.budgetMs));
      this.dispatch();
    }, job.budgetMs);
    slot.worker.postMessage({ id: job.id, job: job.job } satisfies ToWorker);
  }

  private onMessage(slot: Slot, m: FromWorker): void {
    if ("ready" in m) {
      slot.ready = true;
      this.dispatch();
      return;
    }
    const job = slot.job;
    if (!job || job.id !== m.id) return;
    clearTimeout(slot.timer);
    slot.job = undefined;
    slot.timer = undefined;
    if (m.ok) job.resolve(m.value);
    else job.reject(new Error(`validation failed in the worker: ${m.message}`));
    this.dispatch();
  }

  /** A worker died (out of memory, a crash, or failed to load): fail its job, then replace it. */
  private onExit(slot: Slot, cause: Error): void {
    if (!this.slots.includes(slot)) return;
    const oom = (cause as { code?: string }).code === "ERR_WORKER_OUT_OF_MEMORY";
    if (!oom && !slot.ready) {
      // The entry could not even load: retrying would spin. Say so once per failure.
      console.error("[minos] the config validation worker failed to start", cause);
    }
    this.replaced++;
    void this.retire(slot, oom && slot.job ? tooComplex(slot.job.budgetMs, "memory") : new AppError("internal", "The config validator failed", { cause }));
    if (slot.ready || oom) this.dispatch();
    else for (const p of this.queue.splice(0)) p.reject(new AppError("internal", "The config validator is not available", { cause }));
  }

  private async retire(slot: Slot, reason: unknown): Promise<void> {
    const i = this.slots.indexOf(slot);
    if (i >= 0) this.slots.splice(i, 1);
    clearTimeout(slot.timer);
    const job = slot.job;
    slot.job = undefined;
    job?.reject(reason);
    await slot.worker.terminate().catch(() => undefined);
  }
}

function tooComplex(budgetMs: number, what: "time" | "memory" = "time"): AppError {
  const why = what === "time" ? `took longer than ${budgetMs / 1000} s to validate` : "needs too much memory to validate";
  return new AppError("too_complex", `The config ${why}: it is too large or too deeply nested (aliases, repeated keys); simplify it`);
}

const g = processState<{ __minosValidationPool?: ValidationPool }>();

/** The process's pool (one per process, also across Next's separately bundled entries). */
export function validationPool(): ValidationPool {
  g.__minosValidationPool ??= new ValidationPool();
  return g.__minosValidationPool;
}
