"use client";

import { useCallback, useEffect, useRef, useState } from "react";

import type { TalosMinor, ValidationResult } from "@/lib/config/types";

import { validateForEditor } from "./config-lib";
import type { ValidateRequest, ValidateResponse } from "./validate.worker";

/** Wait this long after the last keystroke before validating. */
export const VALIDATION_DEBOUNCE_MS = 150;
/** Validation slower than one frame moves to a Web Worker so typing never stutters. */
export const FRAME_BUDGET_MS = 16;

export interface Validation {
  /** The text and version the result belongs to. */
  text: string;
  talosVersion: TalosMinor;
  result: ValidationResult | null;
  /** Set when the validator itself failed (a bug, not a problem in the config). */
  error: string | null;
  /** How long validateConfig took, in milliseconds. */
  ms: number;
  where: "main thread" | "worker";
}

export interface ValidationState {
  validation: Validation | null;
  /** True while the current text or version has not been validated yet. */
  pending: boolean;
  /** Validate now, skipping the debounce (Ctrl/Cmd+S). */
  validateNow: () => void;
}

/**
 * Debounced validation of the editor's text with lib/config's validator (the same code as the API
 * and the CLI). Runs on the main thread while that costs less than a frame; once one run costs
 * more, every later run goes to a module worker. Answers to superseded runs are dropped.
 */
export function useValidation(text: string | null, talosVersion: TalosMinor): ValidationState {
  const [validation, setValidation] = useState<Validation | null>(null);
  const seq = useRef(0);
  const useWorker = useRef(false);
  const mainRuns = useRef(0);
  const averageMs = useRef<number | null>(null);
  const worker = useRef<Worker | null>(null);
  const inflight = useRef(new Map<number, { text: string; talosVersion: TalosMinor }>());

  const runOnMainThread = useCallback((id: number, text: string, version: TalosMinor) => {
    const start = performance.now();
    let result: ValidationResult | null = null;
    let error: string | null = null;
    try {
      result = validateForEditor(text, version);
    } catch (e) {
      error = e instanceof Error ? e.message : String(e);
    }
    const ms = performance.now() - start;
    // The first runs also build the schemas and warm the JIT: judge the steady-state cost, as a
    // moving average from the fourth run on, so that neither warm-up nor one GC pause decides.
    const run = ++mainRuns.current;
    if (run > 1) averageMs.current = averageMs.current === null ? ms : 0.6 * averageMs.current + 0.4 * ms;
    if (run >= 4 && averageMs.current !== null && averageMs.current > FRAME_BUDGET_MS) useWorker.current = true;
    if (id === seq.current) setValidation({ text, talosVersion: version, result, error, ms, where: "main thread" });
  }, []);

  const getWorker = useCallback((): Worker | null => {
    if (worker.current) return worker.current;
    try {
      const w = new Worker(new URL("./validate.worker.ts", import.meta.url), { type: "module", name: "minos-validate" });
      w.onmessage = (event: MessageEvent<ValidateResponse>) => {
        const answer = event.data;
        const request = inflight.current.get(answer.id);
        inflight.current.delete(answer.id);
        if (!request || answer.id !== seq.current) return;
        setValidation({
          ...request,
          result: "result" in answer ? answer.result : null,
          error: "error" in answer ? answer.error : null,
          ms: answer.ms,
          where: "worker",
        });
      };
      w.onerror = () => {
        // The worker could not start or crashed: validate on the main thread from now on.
        w.terminate();
        worker.current = null;
        useWorker.current = false;
        for (const [id, r] of inflight.current) if (id === seq.current) runOnMainThread(id, r.text, r.talosVersion);
        inflight.current.clear();
      };
      worker.current = w;
      return w;
    } catch {
      return null;
    }
  }, [runOnMainThread]);

  const run = useCallback(
    (text: string, version: TalosMinor) => {
      const id = ++seq.current;
      const w = useWorker.current ? getWorker() : null;
      if (!w) return runOnMainThread(id, text, version);
      inflight.current.set(id, { text, talosVersion: version });
      w.postMessage({ id, yaml: text, talosVersion: version } satisfies ValidateRequest);
    },
    [getWorker, runOnMainThread],
  );

  const validatedOnce = useRef(false);
  useEffect(() => {
    if (text === null) return;
    // The first validation of a freshly opened config runs at once; typing is debounced.
    const delay = validatedOnce.current ? VALIDATION_DEBOUNCE_MS : 0;
    validatedOnce.current = true;
    const timer = window.setTimeout(() => run(text, talosVersion), delay);
    return () => window.clearTimeout(timer);
  }, [text, talosVersion, run]);

  useEffect(
    () => () => {
      worker.current?.terminate();
      worker.current = null;
    },
    [],
  );

  const validateNow = useCallback(() => {
    if (text !== null) run(text, talosVersion);
  }, [run, text, talosVersion]);

  const pending = text !== null && (validation === null || validation.text !== text || validation.talosVersion !== talosVersion);
  return { validation, pending, validateNow };
}
