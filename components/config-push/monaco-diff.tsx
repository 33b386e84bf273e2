"use client";

import { DiffEditor } from "@monaco-editor/react";

// The editor's Monaco set-up first (local package, workers, themes, window.monaco), then the diff
// editor's commands (next/previous change, accessible diff viewer).
import "@/components/config-editor/monaco-setup";
import "monaco-editor/esm/vs/editor/browser/widget/diffEditor/diffEditor.contribution";

import { useColorScheme } from "@/components/config-editor/use-color-scheme";

export interface MonacoDiffProps {
  original: string;
  modified: string;
  label: string;
}

/** Monaco's side-by-side diff, read-only, unchanged stretches folded away. */
export default function MonacoDiff({ original, modified, label }: MonacoDiffProps) {
  const scheme = useColorScheme();
  return (
    <DiffEditor
      original={original}
      modified={modified}
      language="yaml"
      theme={scheme === "dark" ? "minos-dark" : "minos-light"}
      loading={<span className="text-sm text-fg-muted">Starting the diff view…</span>}
      options={{
        readOnly: true,
        originalEditable: false,
        domReadOnly: true,
        renderSideBySide: true,
        useInlineViewWhenSpaceIsLimited: true,
        renderSideBySideInlineBreakpoint: 700,
        automaticLayout: true,
        minimap: { enabled: false },
        scrollBeyondLastLine: false,
        fontSize: 13,
        renderOverviewRuler: false,
        hideUnchangedRegions: { enabled: true, contextLineCount: 3, minimumLineCount: 6, revealLineCount: 20 },
        ariaLabel: label,
        originalAriaLabel: `${label}: before`,
        modifiedAriaLabel: `${label}: after`,
      }}
    />
  );
}
