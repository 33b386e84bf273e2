"use client";

import Editor, { type OnMount } from "@monaco-editor/react";
import { useEffect, useState } from "react";

import { MANIFEST_MODEL_SUFFIX, monaco, YAML_EDITOR_OPTIONS } from "@/components/monaco/monaco-setup";
import { useColorScheme } from "@/components/monaco/use-color-scheme";
import { useReplaceOnRevision } from "@/components/monaco/use-replace-on-revision";
import type { ManifestIssue } from "@/lib/schemas/manifests";

import "./monaco-manifest";

type CodeEditor = Parameters<OnMount>[0];

/** Marker owners: the server's check (every node's render) and the browser's own (syntax, schema). */
export const MANIFEST_MARKER_OWNER = "minos-manifest";
export const MANIFEST_LOCAL_MARKER_OWNER = "minos-manifest-local";

/** The marker text: the problem, then the nodes whose rendered config has it. */
export function issueMessage(issue: ManifestIssue): string {
  if (issue.nodes.length === 0) return issue.message;
  const shown = issue.nodes.slice(0, 8).join(", ");
  const more = issue.nodes.length > 8 ? ` and ${issue.nodes.length - 8} more` : "";
  return `${issue.message}\nAffects ${issue.nodes.length === 1 ? "node" : "nodes"}: ${shown}${more}`;
}

function toMarker(issue: ManifestIssue): import("monaco-editor/esm/vs/editor/editor.api").editor.IMarkerData {
  return {
    severity: issue.severity === "error" ? monaco.MarkerSeverity.Error : monaco.MarkerSeverity.Warning,
    message: issueMessage(issue),
    source: issue.nodes.length > 0 ? "rendered config" : "manifest",
    startLineNumber: issue.line,
    startColumn: issue.column,
    endLineNumber: issue.endLine,
    endColumn: issue.endColumn,
  };
}

export interface ManifestEditorHandle {
  revealLine(line: number, column?: number): void;
}

export interface ManifestMonacoProps {
  cluster: string;
  value: string;
  /** Bumped when `value` was replaced from outside (a reload, a restored revision). */
  revision: number;
  onChange: (value: string) => void;
  readOnly: boolean;
  /** The server's issues (null: keep the markers it set last, they follow the edits). */
  serverIssues: ManifestIssue[] | null;
  /** The browser's own issues, shown while the server has not answered for the current text. */
  localIssues: ManifestIssue[];
  onReady: (handle: ManifestEditorHandle | null) => void;
  label: string;
}

/** Monaco on a cluster manifest: manifest schema, Talos fields inside patches, markers on manifest lines. */
export default function ManifestMonaco({ cluster, value, revision, onChange, readOnly, serverIssues, localIssues, onReady, label }: ManifestMonacoProps) {
  const scheme = useColorScheme();
  const [editor, setEditor] = useState<CodeEditor | null>(null);
  useReplaceOnRevision(editor, value, revision);

  useEffect(() => {
    const model = editor?.getModel();
    if (model && serverIssues) monaco.editor.setModelMarkers(model, MANIFEST_MARKER_OWNER, serverIssues.map(toMarker));
  }, [editor, serverIssues]);
  useEffect(() => {
    const model = editor?.getModel();
    if (model) monaco.editor.setModelMarkers(model, MANIFEST_LOCAL_MARKER_OWNER, localIssues.map(toMarker));
  }, [editor, localIssues]);

  useEffect(() => {
    if (!editor) return;
    onReady({
      revealLine(line, column = 1) {
        editor.setPosition({ lineNumber: line, column });
        editor.revealLineInCenterIfOutsideViewport(line);
        editor.focus();
      },
    });
    return () => onReady(null);
  }, [editor, onReady]);

  return (
    <Editor
      defaultValue={value}
      onChange={(v) => onChange(v ?? "")}
      language="yaml"
      path={`manifest/${encodeURIComponent(cluster)}${MANIFEST_MODEL_SUFFIX}`}
      theme={scheme === "dark" ? "minos-dark" : "minos-light"}
      onMount={(e) => setEditor(e)}
      loading={<span className="text-sm text-fg-muted">Starting the editor…</span>}
      options={{
        ...YAML_EDITOR_OPTIONS,
        ariaLabel: label,
        readOnly,
        domReadOnly: readOnly,
      }}
    />
  );
}
