"use client";

import { useEffect, useRef, useState } from "react";

import { useStableCallback } from "@/lib/client/use-stable-callback";
import type { TalosMinor } from "@/lib/config/types";

import { validateForEditor } from "./config-lib";
import { keepSameIssues, ValidationScheduler, type Validation, type ValidatorWorker } from "./validation-scheduler";

export type { Validation };

export interface ValidationState {
  validation: Validation | null;
  /** True while the current text or version has not been validated yet. */
  pending: boolean;
  /** Validate now, skipping the debounce (Ctrl/Cmd+S). */
  validateNow: () => void;
  /** A text typed in the editor, which the page has not rendered yet. */
  submit: (text: string, talosVersion: TalosMinor) => void;
}

function createWorker(): ValidatorWorker {
  // A module worker bundled by Next (the relative `new URL(…, import.meta.url)` form): served
  // from the app's own origin, so it works offline like Monaco's and monaco-yaml's workers.
  return new Worker(new URL("./validate.worker.ts", import.meta.url), { type: "module", name: "minos-validate" }) as unknown as ValidatorWorker;
}

/**
 * Validation of the editor's text with lib/config's validator (the same code as the API and the
 * CLI), scheduled by ValidationScheduler: a small config at once on the main thread, a large one
 * in a worker after a short debounce; only the newest text's answer is shown.
 *
 * `text`: the newest text as of this render. Keys typed since come through `submit`, and
 * `newestText` says what the editor holds now.
 */
export function useValidation(text: string | null, talosVersion: TalosMinor, newestText: () => string | null): ValidationState {
  const [validation, setValidation] = useState<Validation | null>(null);
  const scheduler = useRef<ValidationScheduler | null>(null);
  const validatedOnce = useRef(false);

  useEffect(() => {
    const s = new ValidationScheduler({ validate: validateForEditor, createWorker, onValidation: (next) => setValidation((previous) => keepSameIssues(previous, next)) });
    scheduler.current = s;
    validatedOnce.current = false;
    return () => {
      s.dispose();
      if (scheduler.current === s) scheduler.current = null;
    };
  }, []);

  useEffect(() => {
    // A newer text was typed after this render and submitted: this one would supersede it.
    if (text === null || text !== newestText()) return;
    // The first validation of a freshly opened config runs at once; later ones follow the policy.
    scheduler.current?.submit(text, talosVersion, { immediate: !validatedOnce.current });
    validatedOnce.current = true;
  }, [text, talosVersion, newestText]);

  // Stable across keystrokes, so the memoised panels that take it do not re-render on each one.
  const validateNow = useStableCallback(() => {
    const now = newestText();
    if (now !== null) scheduler.current?.submit(now, talosVersion, { immediate: true });
  });
  const submit = useStableCallback((typed: string, version: TalosMinor) => scheduler.current?.submit(typed, version));

  const pending = text !== null && (validation === null || validation.text !== text || validation.talosVersion !== talosVersion);
  return { validation, pending, validateNow, submit };
}
