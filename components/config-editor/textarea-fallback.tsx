"use client";

import { useEffect, useRef } from "react";

import { formatYaml } from "@/lib/config/format";
import { migrateConfig } from "@/lib/config/migrate";

import type { EditorHandle, EditorProps } from "./editor-handle";
import { offsetOf } from "./text-offset";

function positionOf(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const line = before.split("\n").length;
  return { line, column: offset - before.lastIndexOf("\n") };
}

/** A plain, fully accessible textarea with the same contract as the Monaco editor. */
export function TextareaFallback({ value, onChange, issues, onReady, onCursorChange, label }: EditorProps) {
  const ref = useRef<HTMLTextAreaElement>(null);
  const errors = issues.filter((i) => i.severity === "error").length;
  const warnings = issues.length - errors;

  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const handle: EditorHandle = {
      revealIssue(issue) {
        const start = offsetOf(el.value, issue.line, issue.column);
        const end = Math.max(start, offsetOf(el.value, issue.endLine, issue.endColumn));
        el.focus();
        el.setSelectionRange(start, end);
        // Scroll the selected line into view: line height is fixed by the leading-5 class.
        const lineHeight = parseFloat(getComputedStyle(el).lineHeight) || 20;
        el.scrollTop = Math.max(0, (issue.line - 3) * lineHeight);
      },
      format() {
        const result = formatYaml(el.value);
        if (result.ok && result.text !== el.value) {
          // execCommand keeps the browser's undo history; fall back to a plain replacement.
          el.focus();
          el.select();
          if (!document.execCommand("insertText", false, result.text)) onChange(result.text);
        }
        return result;
      },
      migrate() {
        let result;
        try {
          result = migrateConfig(el.value, { to: "1.14" });
        } catch (e) {
          return { ok: false, reason: `Cannot migrate: ${e instanceof Error ? e.message : String(e)}` };
        }
        if (result.yaml !== el.value) {
          el.focus();
          el.select();
          if (!document.execCommand("insertText", false, result.yaml)) onChange(result.yaml);
        }
        return { ok: true, text: result.yaml, moved: result.moved, decisions: result.decisions };
      },
      focus: () => el.focus(),
    };
    onReady(handle);
    return () => onReady(null);
  }, [onReady, onChange]);

  function reportCursor() {
    const el = ref.current;
    if (!el || !onCursorChange) return;
    const { line, column } = positionOf(el.value, el.selectionStart);
    onCursorChange(line, column);
  }

  return (
    <>
      <textarea
        ref={ref}
        value={value}
        onChange={(e) => onChange(e.target.value)}
        onSelect={reportCursor}
        onKeyUp={reportCursor}
        aria-label={label}
        aria-describedby="config-plain-summary"
        spellCheck={false}
        autoCapitalize="off"
        autoCorrect="off"
        wrap="off"
        className="h-full w-full resize-none bg-surface p-3 font-mono text-[13px] leading-5 text-fg outline-none focus-visible:ring-2 focus-visible:ring-inset focus-visible:ring-accent"
      />
      <p id="config-plain-summary" className="sr-only">
        {errors === 0 && warnings === 0 ? "No problems found." : `${errors} errors and ${warnings} warnings; see the problems list below the editor.`}
      </p>
    </>
  );
}
