/**
 * When and where the editor's text is validated, without React or Monaco, so that the policy
 * and the ordering guarantees can be tested on their own:
 *
 * - a small document is validated at once, on the main thread, while that costs little;
 * - a large one (or one whose validation costs more than a frame) goes to a Web Worker, after a
 *   short debounce that grows with what a validation costs;
 * - the worker holds at most one request and one waiting (the newest): typing faster than it
 *   validates never builds a backlog;
 * - only the answer to the newest request is handed out: a slower, older one never overwrites it.
 */
import type { TalosMinor, ValidationResult } from "@/lib/config/types";

/** One frame at 60 Hz: main-thread work beyond this makes typing stutter. */
export const FRAME_BUDGET_MS = 16;
/** From this many lines on, a document is validated in the worker whatever its measured cost. */
export const LARGE_DOC_LINES = 250;
/** The debounce of a document validated in the worker: twice a validation's cost, within these bounds. */
export const MIN_DEBOUNCE_MS = 25;
export const MAX_DEBOUNCE_MS = 150;

export type Placement = "main thread" | "worker";

/** The id of a request that only warms the worker up; requests count from 1. */
const WARM_UP_ID = 0;

export interface ValidateRequest {
  id: number;
  yaml: string;
  talosVersion: TalosMinor;
}

export type ValidateResponse = { id: number; ms: number; result: ValidationResult } | { id: number; ms: number; error: string };

export interface Validation {
  /** The text and version the result belongs to. */
  text: string;
  talosVersion: TalosMinor;
  result: ValidationResult | null;
  /** Set when the validator itself failed (a bug, not a problem in the config). */
  error: string | null;
  /** How long validateConfig took, in milliseconds. */
  ms: number;
  where: Placement;
}

/** The part of a Web Worker the scheduler uses (a fake one in tests). */
export interface ValidatorWorker {
  postMessage(message: ValidateRequest): void;
  onmessage: ((event: { data: ValidateResponse }) => void) | null;
  onerror: ((event: unknown) => void) | null;
  terminate(): void;
}

/** Lines in a text, without splitting it (the editor asks on every keystroke). */
export function lineCount(text: string): number {
  let lines = 1;
  for (let i = text.indexOf("\n"); i !== -1; i = text.indexOf("\n", i + 1)) lines++;
  return lines;
}

/**
 * Where a document is validated: a large one always in the worker (its validation would cost
 * frames, and a worker answers it as fast); a small one on the main thread unless its warm
 * validations there have averaged more than a frame (a slow device).
 */
export function placementFor(lines: number, mainAverageMs: number | null): Placement {
  if (lines >= LARGE_DOC_LINES) return "worker";
  return mainAverageMs !== null && mainAverageMs > FRAME_BUDGET_MS ? "worker" : "main thread";
}

/**
 * How long to wait after a change before validating. None on the main thread for a cheap
 * document: the marker follows the keystroke. In the worker, twice what a validation there
 * costs (25 ms until measured), within 25–150 ms: a burst of keys faster than that is one
 * validation, and the validator is busy at most about a third of the time while keys keep coming.
 */
export function debounceFor(placement: Placement, costMs: number | null): number {
  if (placement === "main thread") return 0;
  return Math.round(Math.min(MAX_DEBOUNCE_MS, Math.max(MIN_DEBOUNCE_MS, 2 * (costMs ?? 0))));
}

/** A moving average of warm runs: the first run also builds the schemas and is left out. */
class Cost {
  private runs = 0;
  average: number | null = null;
  add(ms: number): void {
    if (++this.runs === 1) return;
    this.average = this.average === null ? ms : 0.6 * this.average + 0.4 * ms;
  }
}

interface Request {
  id: number;
  text: string;
  talosVersion: TalosMinor;
  lines: number;
}

export interface SchedulerOptions {
  /** lib/config's validator, for main-thread runs. */
  validate: (text: string, talosVersion: TalosMinor) => ValidationResult;
  /** A new validation worker, or null when none can start (then everything runs on the main thread). */
  createWorker: () => ValidatorWorker | null;
  /** Called with the validation of the newest text only. */
  onValidation: (validation: Validation) => void;
  now?: () => number;
  setTimer?: (run: () => void, ms: number) => unknown;
  clearTimer?: (timer: unknown) => void;
}

export class ValidationScheduler {
  /** The id of the newest request: the only one whose answer is handed out. */
  private newest = 0;
  private newestText: { text: string; talosVersion: TalosMinor } | null = null;
  private timer: unknown = null;
  private worker: ValidatorWorker | null = null;
  private workerFailed = false;
  /** The request the worker is validating, and the newest one waiting for it. */
  private inflight: Request | null = null;
  private waiting: Request | null = null;
  private readonly mainCost = new Cost();
  private readonly workerCost = new Cost();
  private disposed = false;
  private readonly now: () => number;
  private readonly setTimer: (run: () => void, ms: number) => unknown;
  private readonly clearTimer: (timer: unknown) => void;

  constructor(private readonly options: SchedulerOptions) {
    this.now = options.now ?? (() => performance.now());
    this.setTimer = options.setTimer ?? ((run, ms) => setTimeout(run, ms));
    this.clearTimer = options.clearTimer ?? ((t) => clearTimeout(t as ReturnType<typeof setTimeout>));
  }

  /** Where a text of this many lines would be validated now. */
  placement(lines: number): Placement {
    if (this.workerFailed) return "main thread";
    return placementFor(lines, this.mainCost.average);
  }

  /** The debounce a change to a text of this many lines gets now. */
  debounce(lines: number): number {
    const placement = this.placement(lines);
    return debounceFor(placement, placement === "worker" ? this.workerCost.average : this.mainCost.average);
  }

  /**
   * A new text (or Talos version) to validate; supersedes every earlier one. `immediate` skips
   * the debounce (a freshly opened config, Ctrl/Cmd+S). The newest text submitted again is
   * already validated or on its way: only `immediate` validates it anew.
   */
  submit(text: string, talosVersion: TalosMinor, { immediate = false }: { immediate?: boolean } = {}): void {
    if (this.disposed) return;
    if (!immediate && this.newestText?.text === text && this.newestText.talosVersion === talosVersion) return;
    this.newestText = { text, talosVersion };
    const request: Request = { id: ++this.newest, text, talosVersion, lines: lineCount(text) };
    if (this.timer !== null) this.clearTimer(this.timer);
    // Even "at once" leaves the current task first, so the keystroke's frame paints before validation.
    this.timer = this.setTimer(
      () => {
        this.timer = null;
        this.dispatch(request);
      },
      immediate ? 0 : this.debounce(request.lines),
    );
  }

  dispose(): void {
    this.disposed = true;
    if (this.timer !== null) this.clearTimer(this.timer);
    this.timer = null;
    this.worker?.terminate();
    this.worker = null;
    this.inflight = this.waiting = null;
  }

  private dispatch(request: Request): void {
    if (this.disposed || request.id !== this.newest) return;
    const worker = this.placement(request.lines) === "worker" ? this.getWorker() : null;
    if (!worker) {
      this.runOnMainThread(request);
      return;
    }
    if (this.inflight) {
      // One validation at a time: the newest waits, any older waiting one is dropped unasked.
      this.waiting = request;
      return;
    }
    this.post(worker, request);
  }

  private post(worker: ValidatorWorker, request: Request): void {
    this.inflight = request;
    worker.postMessage({ id: request.id, yaml: request.text, talosVersion: request.talosVersion });
  }

  private runOnMainThread(request: Request): void {
    const start = this.now();
    let result: ValidationResult | null = null;
    let error: string | null = null;
    try {
      result = this.options.validate(request.text, request.talosVersion);
    } catch (e) {
      error = e instanceof Error ? e.message : String(e);
    }
    const ms = this.now() - start;
    this.mainCost.add(ms);
    this.deliver(request, { result, error, ms, where: "main thread" });
    // Nearing a frame: start the worker now, so that it is warm (its first run loads and builds
    // the schemas) by the time validation moves there, instead of costing that edit its marker.
    if (!this.worker && !this.workerFailed && this.mainCost.average !== null && this.mainCost.average > FRAME_BUDGET_MS / 2) {
      this.getWorker()?.postMessage({ id: WARM_UP_ID, yaml: request.text, talosVersion: request.talosVersion });
    }
  }

  private getWorker(): ValidatorWorker | null {
    if (this.worker || this.workerFailed) return this.worker;
    let worker: ValidatorWorker | null = null;
    try {
      worker = this.options.createWorker();
    } catch {
      worker = null;
    }
    if (!worker) {
      this.workerFailed = true;
      return null;
    }
    worker.onmessage = (event) => this.answered(event.data);
    worker.onerror = () => this.workerCrashed();
    this.worker = worker;
    return worker;
  }

  private answered(answer: ValidateResponse): void {
    if (answer.id === WARM_UP_ID) return;
    const request = this.inflight;
    if (this.disposed || !request || answer.id !== request.id) return;
    this.inflight = null;
    this.workerCost.add(answer.ms);
    this.deliver(request, {
      result: "result" in answer ? answer.result : null,
      error: "error" in answer ? answer.error : null,
      ms: answer.ms,
      where: "worker",
    });
    const next = this.waiting;
    this.waiting = null;
    if (next && next.id === this.newest && this.worker) this.post(this.worker, next);
  }

  /** The worker could not start or crashed: validate on the main thread from now on. */
  private workerCrashed(): void {
    this.worker?.terminate();
    this.worker = null;
    this.workerFailed = true;
    const pending = [this.inflight, this.waiting].find((r) => r?.id === this.newest) ?? null;
    this.inflight = this.waiting = null;
    if (pending && !this.disposed) this.runOnMainThread(pending);
  }

  /** Hands out a validation only while its request is the newest: a stale answer is dropped. */
  private deliver(request: Request, outcome: Pick<Validation, "result" | "error" | "ms" | "where">): void {
    if (request.id !== this.newest) return;
    this.options.onValidation({ text: request.text, talosVersion: request.talosVersion, ...outcome });
  }
}

/**
 * The next validation, with the previous one's issues array when they are the same issues: the
 * panels that show them then skip their render (while typing, most keys change no issue).
 */
export function keepSameIssues(previous: Validation | null, next: Validation): Validation {
  const [before, after] = [previous?.result?.issues, next.result?.issues];
  if (!before || !after || before === after || before.length !== after.length) return next;
  if (JSON.stringify(before) !== JSON.stringify(after)) return next;
  return { ...next, result: { ...next.result!, issues: before } };
}

/**
 * Whether markers found in `issuesText` still fit the editor's model: the model is at the
 * version at which the editor last reported that very text. Markers of an older text would sit
 * on the wrong lines once lines were added or removed; the newer text's answer is on its way.
 */
export function markersFitModel(issuesText: string, modelVersion: number, reported: { text: string; version: number } | null, modelText: () => string): boolean {
  if (reported && reported.version === modelVersion) return reported.text === issuesText;
  // The model changed without a report (or none yet): compare the text itself.
  return modelText() === issuesText;
}
