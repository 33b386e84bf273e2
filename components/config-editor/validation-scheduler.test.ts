import { readFileSync } from "node:fs";
import path from "node:path";

import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import type { TalosMinor, ValidationResult } from "@/lib/config/types";

import {
  debounceFor,
  keepSameIssues,
  LARGE_DOC_LINES,
  lineCount,
  markersFitModel,
  MAX_DEBOUNCE_MS,
  MIN_DEBOUNCE_MS,
  placementFor,
  ValidationScheduler,
  type Validation,
  type ValidatorWorker,
  type ValidateRequest,
  type ValidateResponse,
} from "./validation-scheduler";

const LARGE = readFileSync(path.join(__dirname, "../../lib/config/testdata/controlplane-1.13.yaml"), "utf8");
const SMALL = readFileSync(path.join(__dirname, "../../lib/config/testdata/worker-1.12.yaml"), "utf8");

function resultFor(text: string): ValidationResult {
  return { valid: true, issues: [], talosVersion: "1.14", documents: text.length } as unknown as ValidationResult;
}

/** A worker that answers only when the test says so, in any order. */
class FakeWorker implements ValidatorWorker {
  onmessage: ((event: { data: ValidateResponse }) => void) | null = null;
  onerror: ((event: unknown) => void) | null = null;
  posted: ValidateRequest[] = [];
  terminated = false;
  postMessage(message: ValidateRequest): void {
    this.posted.push(message);
  }
  terminate(): void {
    this.terminated = true;
  }
  answer(request: ValidateRequest, ms = 10): void {
    this.onmessage?.({ data: { id: request.id, ms, result: resultFor(request.yaml) } });
  }
}

function setup(options: { worker?: FakeWorker | null } = {}) {
  const worker = options.worker === undefined ? new FakeWorker() : options.worker;
  const delivered: Validation[] = [];
  const validate = vi.fn((text: string, _v: TalosMinor) => resultFor(text));
  const createWorker = vi.fn(() => worker);
  const scheduler = new ValidationScheduler({ validate, createWorker, onValidation: (v) => delivered.push(v) });
  return { scheduler, worker, delivered, validate, createWorker };
}

/** A large text that differs from the fixture by its last line, like a keystroke. */
const large = (suffix: string) => `${LARGE}# ${suffix}\n`;

describe("the debounce policy", () => {
  it("counts lines without splitting", () => {
    expect(lineCount("")).toBe(1);
    expect(lineCount("a\nb")).toBe(2);
    expect(lineCount("a\nb\n")).toBe(3);
    expect(lineCount(LARGE)).toBe(LARGE.split("\n").length);
  });

  it("validates a small config at once on the main thread", () => {
    expect(lineCount(SMALL)).toBeLessThan(LARGE_DOC_LINES);
    expect(placementFor(lineCount(SMALL), null)).toBe("main thread");
    expect(placementFor(lineCount(SMALL), 3)).toBe("main thread");
    expect(debounceFor("main thread", 3)).toBe(0);
  });

  it("sends a ~400-line config to the worker, debounced by twice a validation's cost", () => {
    expect(lineCount(LARGE)).toBeGreaterThanOrEqual(LARGE_DOC_LINES);
    expect(placementFor(lineCount(LARGE), null)).toBe("worker");
    expect(placementFor(lineCount(LARGE), 1)).toBe("worker");
    expect(debounceFor("worker", null)).toBe(MIN_DEBOUNCE_MS);
    expect(debounceFor("worker", 5)).toBe(MIN_DEBOUNCE_MS);
    expect(debounceFor("worker", 30)).toBe(60);
    expect(debounceFor("worker", 400)).toBe(MAX_DEBOUNCE_MS);
  });

  it("moves a small config whose validation costs more than a frame to the worker", () => {
    expect(placementFor(lineCount(SMALL), 40)).toBe("worker");
    expect(debounceFor(placementFor(lineCount(SMALL), 40), 40)).toBe(80);
  });
});

describe("ValidationScheduler", () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("validates a small config on the main thread with no debounce and starts no worker", () => {
    const { scheduler, delivered, validate, createWorker } = setup();
    scheduler.submit(SMALL, "1.12");
    expect(validate).not.toHaveBeenCalled(); // the keystroke's task ends first
    vi.advanceTimersByTime(0);
    expect(validate).toHaveBeenCalledTimes(1);
    expect(delivered).toEqual([expect.objectContaining({ text: SMALL, talosVersion: "1.12", where: "main thread" })]);
    expect(createWorker).not.toHaveBeenCalled();
  });

  it("coalesces a burst of keystrokes on a large config into one worker request, the last text", () => {
    const { scheduler, worker } = setup();
    scheduler.submit(large("a"), "1.13");
    vi.advanceTimersByTime(MIN_DEBOUNCE_MS - 10);
    scheduler.submit(large("ab"), "1.13");
    vi.advanceTimersByTime(MIN_DEBOUNCE_MS - 10);
    scheduler.submit(large("abc"), "1.13");
    expect(worker!.posted).toHaveLength(0);
    vi.advanceTimersByTime(MIN_DEBOUNCE_MS);
    expect(worker!.posted.map((r) => r.yaml)).toEqual([large("abc")]);
  });

  it("validates a freshly opened large config at once", () => {
    const { scheduler, worker } = setup();
    scheduler.submit(LARGE, "1.13", { immediate: true });
    vi.advanceTimersByTime(0);
    expect(worker!.posted).toHaveLength(1);
  });

  it("never lets an older answer overwrite a newer text: the stale one is dropped, the newest is validated next", () => {
    const { scheduler, worker, delivered } = setup();
    scheduler.submit(large("1"), "1.13", { immediate: true });
    vi.advanceTimersByTime(0);
    const [first] = worker!.posted;
    // Two more edits while the first is in the worker: only the newest waits for it.
    scheduler.submit(large("2"), "1.13");
    vi.advanceTimersByTime(MAX_DEBOUNCE_MS);
    scheduler.submit(large("3"), "1.13");
    vi.advanceTimersByTime(MAX_DEBOUNCE_MS);
    expect(worker!.posted).toHaveLength(1);

    worker!.answer(first!);
    expect(delivered).toEqual([]);
    expect(worker!.posted.map((r) => r.yaml)).toEqual([large("1"), large("3")]);

    worker!.answer(worker!.posted[1]!);
    expect(delivered.map((v) => v.text)).toEqual([large("3")]);
    expect(delivered[0]!.where).toBe("worker");
  });

  it("drops an answer that arrives after a newer edit, even when nothing newer was answered yet", () => {
    const { scheduler, worker, delivered } = setup();
    scheduler.submit(large("1"), "1.13", { immediate: true });
    vi.advanceTimersByTime(0);
    scheduler.submit(large("2"), "1.13"); // still in its debounce when the answer comes
    worker!.answer(worker!.posted[0]!);
    expect(delivered).toEqual([]);
    vi.advanceTimersByTime(MAX_DEBOUNCE_MS);
    worker!.answer(worker!.posted[1]!);
    expect(delivered.map((v) => v.text)).toEqual([large("2")]);
  });

  it("ignores an answer to a request it never sent", () => {
    const { scheduler, worker, delivered } = setup();
    scheduler.submit(LARGE, "1.13", { immediate: true });
    vi.advanceTimersByTime(0);
    worker!.onmessage?.({ data: { id: 999, ms: 1, result: resultFor("other") } });
    expect(delivered).toEqual([]);
    worker!.answer(worker!.posted[0]!);
    expect(delivered).toHaveLength(1);
  });

  it("a Talos version change supersedes the same text under the old version", () => {
    const { scheduler, worker, delivered } = setup();
    scheduler.submit(LARGE, "1.13", { immediate: true });
    vi.advanceTimersByTime(0);
    scheduler.submit(LARGE, "1.14");
    worker!.answer(worker!.posted[0]!);
    vi.advanceTimersByTime(MAX_DEBOUNCE_MS);
    worker!.answer(worker!.posted[1]!);
    expect(delivered.map((v) => v.talosVersion)).toEqual(["1.14"]);
  });

  it("takes the newest text submitted again as already on its way; Ctrl/Cmd+S (immediate) validates it anew", () => {
    const { scheduler, worker, delivered } = setup();
    scheduler.submit(large("a"), "1.13");
    vi.advanceTimersByTime(MAX_DEBOUNCE_MS);
    worker!.answer(worker!.posted[0]!);
    // The page renders with the typed text and submits it again: nothing new to validate.
    scheduler.submit(large("a"), "1.13");
    vi.advanceTimersByTime(MAX_DEBOUNCE_MS);
    expect(worker!.posted).toHaveLength(1);
    expect(delivered).toHaveLength(1);
    scheduler.submit(large("a"), "1.13", { immediate: true });
    vi.advanceTimersByTime(0);
    expect(worker!.posted).toHaveLength(2);
    // An older text submitted after a newer one is a change of its own (an undo): validated.
    scheduler.submit(large("b"), "1.13");
    scheduler.submit(large("a"), "1.13");
    worker!.answer(worker!.posted[1]!);
    vi.advanceTimersByTime(MAX_DEBOUNCE_MS);
    expect(worker!.posted.map((r) => r.yaml)).toEqual([large("a"), large("a"), large("a")]);
  });

  it("lengthens the large config's debounce with the measured cost in the worker", () => {
    const { scheduler, worker } = setup();
    const lines = lineCount(LARGE);
    expect(scheduler.debounce(lines)).toBe(MIN_DEBOUNCE_MS);
    for (let i = 0; i < 4; i++) {
      scheduler.submit(large(String(i)), "1.13", { immediate: true });
      vi.advanceTimersByTime(0);
      worker!.answer(worker!.posted[i]!, 60);
    }
    expect(scheduler.debounce(lines)).toBe(120);
  });

  it("revalidates the newest text on the main thread when the worker crashes", () => {
    const { scheduler, worker, delivered, validate } = setup();
    scheduler.submit(LARGE, "1.13", { immediate: true });
    vi.advanceTimersByTime(0);
    worker!.onerror?.(new Event("error"));
    expect(worker!.terminated).toBe(true);
    expect(validate).toHaveBeenCalledWith(LARGE, "1.13");
    expect(delivered).toEqual([expect.objectContaining({ text: LARGE, where: "main thread" })]);
    expect(scheduler.placement(lineCount(LARGE))).toBe("main thread");
  });

  it("warms the worker up while a small config's validation nears a frame, then moves there", () => {
    let clock = 0;
    const worker = new FakeWorker();
    const delivered: Validation[] = [];
    const scheduler = new ValidationScheduler({
      validate: (text) => {
        clock += 12; // more than half a frame, less than one
        return resultFor(text);
      },
      createWorker: () => worker,
      onValidation: (v) => delivered.push(v),
      now: () => clock,
    });
    const lines = lineCount(SMALL);
    scheduler.submit(SMALL, "1.12");
    vi.advanceTimersByTime(0);
    expect(worker.posted).toHaveLength(0); // the first run also builds the schemas: not judged
    scheduler.submit(`${SMALL}#1\n`, "1.12");
    vi.advanceTimersByTime(0);
    // Warming: the worker validates a text whose answer nobody waits for; the page stays on the main thread.
    expect(worker.posted).toHaveLength(1);
    expect(scheduler.placement(lines)).toBe("main thread");
    worker.answer(worker.posted[0]!);
    expect(delivered.map((v) => v.where)).toEqual(["main thread", "main thread"]);

    // Costlier runs: past a frame on average, validation moves to the warm worker.
    clock = 0;
    const slow = new ValidationScheduler({
      validate: (text) => {
        clock += 40;
        return resultFor(text);
      },
      createWorker: () => worker,
      onValidation: (v) => delivered.push(v),
      now: () => clock,
    });
    for (let i = 0; i < 2; i++) {
      slow.submit(`${SMALL}#${i}\n`, "1.12");
      vi.advanceTimersByTime(MAX_DEBOUNCE_MS);
    }
    expect(slow.placement(lines)).toBe("worker");
  });

  it("validates on the main thread when no worker can start", () => {
    const { scheduler, delivered } = setup({ worker: null });
    scheduler.submit(LARGE, "1.13", { immediate: true });
    vi.advanceTimersByTime(0);
    expect(delivered).toEqual([expect.objectContaining({ where: "main thread" })]);
  });

  it("hands out nothing after dispose and stops the worker", () => {
    const { scheduler, worker, delivered } = setup();
    scheduler.submit(LARGE, "1.13", { immediate: true });
    vi.advanceTimersByTime(0);
    scheduler.submit(large("x"), "1.13");
    scheduler.dispose();
    worker!.answer(worker!.posted[0]!);
    vi.advanceTimersByTime(MAX_DEBOUNCE_MS);
    expect(delivered).toEqual([]);
    expect(worker!.terminated).toBe(true);
    expect(worker!.posted).toHaveLength(1);
  });

  it("reports a validator failure as an error, not as a result", () => {
    const delivered: Validation[] = [];
    const scheduler = new ValidationScheduler({
      validate: () => {
        throw new Error("boom");
      },
      createWorker: () => null,
      onValidation: (v) => delivered.push(v),
    });
    scheduler.submit(SMALL, "1.12");
    vi.advanceTimersByTime(0);
    expect(delivered).toEqual([expect.objectContaining({ result: null, error: "boom" })]);
  });
});

describe("keepSameIssues", () => {
  const issue = (line: number) => ({ severity: "error" as const, message: "m", path: ["machine", "type"], document: 0, line, column: 5, endLine: line, endColumn: 9 });
  const validation = (text: string, issues: ReturnType<typeof issue>[]): Validation => ({
    text,
    talosVersion: "1.13",
    result: { valid: issues.length === 0, issues, talosVersion: "1.13" },
    error: null,
    ms: 3,
    where: "worker",
  });

  it("hands the previous issues array on when a new text has the very same issues", () => {
    const before = validation("a", [issue(3)]);
    const next = keepSameIssues(before, validation("ab", [issue(3)]));
    expect(next.result?.issues).toBe(before.result?.issues);
    expect(next.text).toBe("ab");
  });

  it("keeps the new array when an issue moved, appeared or went", () => {
    const before = validation("a", [issue(3)]);
    for (const after of [validation("b", [issue(4)]), validation("c", [issue(3), issue(7)]), validation("d", [])]) {
      expect(keepSameIssues(before, after)).toBe(after);
    }
    expect(keepSameIssues(null, before)).toBe(before);
  });
});

describe("markersFitModel (the model-version check)", () => {
  const modelText = (text: string) => () => text;

  it("applies markers found in the text the model holds at its current version", () => {
    expect(markersFitModel("b", 7, { text: "b", version: 7 }, modelText("b"))).toBe(true);
  });

  it("refuses markers of an older text once the model moved on", () => {
    expect(markersFitModel("a", 7, { text: "ab", version: 7 }, modelText("ab"))).toBe(false);
  });

  it("compares the model's own text when the last report is older than the model", () => {
    expect(markersFitModel("a", 9, { text: "a", version: 7 }, modelText("abc"))).toBe(false);
    expect(markersFitModel("abc", 9, { text: "a", version: 7 }, modelText("abc"))).toBe(true);
    expect(markersFitModel("x", 1, null, modelText("x"))).toBe(true);
  });
});
