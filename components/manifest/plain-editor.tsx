"use client";

import { useEffect, useRef } from "react";

import { offsetOf } from "@/components/config-editor/text-offset";

import type { ManifestEditorHandle } from "./manifest-monaco";

/** The manifest in a plain textarea, for screen readers and constrained browsers (the problems list names each line). */
export function PlainManifestEditor({ value, onChange, readOnly, onReady, label }: { value: string; onChange: (v: string) => void; readOnly: boolean; onReady: (h: ManifestEditorHandle | null) => void; label: string }) {
  const ref = useRef<HTMLTextAreaElement>(null);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    onReady({
      revealLine(line, column = 1) {
        const at = offsetOf(el.value, line, column);
        el.focus();
        el.setSelectionRange(at, at);
      },
    });
    return () => onReady(null);
  }, [onReady]);
  return (
    <textarea
      ref={ref}
      value={value}
      onChange={(e) => onChange(e.target.value)}
      readOnly={readOnly}
      aria-label={label}
      spellCheck={false}
      className="h-full w-full resize-none bg-surface p-3 font-mono text-xs leading-5 text-fg focus-visible:outline-2 focus-visible:outline-accent"
    />
  );
}
