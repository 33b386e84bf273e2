"use client";

import { DiffEditor, type MonacoDiffEditor } from "@monaco-editor/react";
import { useEffect, useState } from "react";

// The editor's Monaco set-up first (local package, workers, themes, window.monaco), then the diff
// editor's commands (next/previous change, accessible diff viewer).
import "@/components/monaco/monaco-setup";
import "monaco-editor/esm/vs/editor/browser/widget/diffEditor/diffEditor.contribution";

import { useColorScheme } from "@/components/monaco/use-color-scheme";

export interface MonacoDiffProps {
  original: string;
  modified: string;
  label: string;
}

/** Monaco's side-by-side diff, read-only, unchanged stretches folded away. */
export default function MonacoDiff({ original, modified, label }: MonacoDiffProps) {
  const scheme = useColorScheme();
  const [editor, setEditor] = useState<MonacoDiffEditor | null>(null);
  // @monaco-editor/react disposes the models before the diff editor on unmount, which Monaco
  // reports as an uncaught "TextModel got disposed before DiffEditorWidget model got reset". So
  // the models are kept and disposed here once the editor itself is gone.
  useEffect(() => {
    if (!editor) return;
    const models = editor.getModel();
    return () => {
      window.setTimeout(() => {
        models?.original.dispose();
        models?.modified.dispose();
      }, 0);
    };
  }, [editor]);
  return (
    <DiffEditor
      keepCurrentOriginalModel
      keepCurrentModifiedModel
      onMount={setEditor}
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
