"use client";

import { useDeferredValue, useEffect, useMemo, useState } from "react";

import { validateManifest } from "@/lib/client/manifests";
import type { ManifestIssue } from "@/lib/schemas/manifests";

import { localManifestIssues } from "./local-check";

/** Wait this long after the last keystroke: the server renders and validates every node. */
export const MANIFEST_VALIDATION_DEBOUNCE_MS = 500;

export interface ManifestValidation {
  /** The manifest's own problems (syntax, schema), checked in the browser at every change. */
  local: ManifestIssue[];
  /** The server's answer for `checked` (every node's render validated), or null before one. */
  server: { text: string; valid: boolean; issues: ManifestIssue[] } | null;
  /** The server has not answered for the current text yet. */
  pending: boolean;
  error: string | null;
  /** What the editor should show: the server's answer when it is for this text, else the local one. */
  issues: ManifestIssue[];
  /** The last text the server found valid (every node renders): what previews follow. */
  lastValid: string | null;
}

/**
 * Live validation of the manifest: locally at once, and through POST …/manifest/validate after a
 * pause in typing (every node rendered and validated, problems on the manifest line that
 * produced them, naming the nodes). Superseded requests are aborted.
 */
export function useManifestValidation(cluster: string, text: string | null): ManifestValidation {
  const deferred = useDeferredValue(text);
  const local = useMemo(() => (deferred === null ? [] : localManifestIssues(deferred)), [deferred]);
  const [server, setServer] = useState<ManifestValidation["server"]>(null);
  const [error, setError] = useState<{ text: string; message: string } | null>(null);
  const [lastValid, setLastValid] = useState<string | null>(null);

  useEffect(() => {
    if (text === null || !text.trim()) return;
    const controller = new AbortController();
    const timer = window.setTimeout(() => {
      validateManifest(cluster, text, controller.signal).then(
        (r) => {
          setServer({ text, valid: r.valid, issues: r.issues });
          if (r.valid) setLastValid(text);
          setError(null);
        },
        (e: unknown) => {
          if (controller.signal.aborted) return;
          setError({ text, message: e instanceof Error ? e.message : String(e) });
        },
      );
    }, MANIFEST_VALIDATION_DEBOUNCE_MS);
    return () => {
      window.clearTimeout(timer);
      controller.abort();
    };
  }, [cluster, text]);

  const fresh = server !== null && server.text === text;
  const failed = error !== null && error.text === text;
  return {
    local,
    server,
    pending: text !== null && !fresh && !failed,
    error: failed ? error.message : null,
    issues: fresh ? server.issues : local,
    lastValid,
  };
}
