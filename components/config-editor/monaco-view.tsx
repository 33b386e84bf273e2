"use client";

import Editor, { type EditorProps as EditorComponentProps, type OnMount } from "@monaco-editor/react";
import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from "react";

import { MARKER_OWNER, monaco, setTalosSchema, YAML_EDITOR_OPTIONS } from "@/components/monaco/monaco-setup";
import { useColorScheme } from "@/components/monaco/use-color-scheme";
import { useReplaceOnRevision } from "@/components/monaco/use-replace-on-revision";
import { formatYaml } from "@/lib/config/format";
import { migrateConfig } from "@/lib/config/migrate";
import type { ConfigIssue } from "@/lib/config/types";

import type { EditorHandle, EditorProps } from "./editor-handle";
import { setQuickFixIssues } from "./monaco-quick-fixes";
import { minimalReplacement } from "./quick-fix-edit";
import { markersFitModel } from "./validation-scheduler";

type CodeEditor = Parameters<OnMount>[0];

function toMarker(issue: ConfigIssue): import("monaco-editor/esm/vs/editor/editor.api").editor.IMarkerData {
  return {
    severity: issue.severity === "error" ? monaco.MarkerSeverity.Error : monaco.MarkerSeverity.Warning,
    message: issue.message,
    source: issue.path.length > 0 ? issue.path.join(".") : undefined,
    startLineNumber: issue.line,
    startColumn: issue.column,
    endLineNumber: issue.endLine,
    endColumn: issue.endColumn,
  };
}

/** Monaco with YAML completion and hover from the Talos schema, and lib/config's issues as markers. */
export default function MonacoView({ value, revision, onChange, onBlur, issues, issuesText, talosVersion, onReady, onCursorChange, label }: EditorProps) {
  const scheme = useColorScheme();
  const [editor, setEditor] = useState<CodeEditor | null>(null);
  const cursorRef = useRef(onCursorChange);
  const blurRef = useRef(onBlur);
  useEffect(() => {
    cursorRef.current = onCursorChange;
    blurRef.current = onBlur;
  }, [onCursorChange, onBlur]);
  // The latest onChange, also for the change a new revision's text makes below: a layout effect,
  // so it is current before any passive effect (the replacement's) runs. A stale one would file
  // the replacing text under the previous source.
  const onChangeRef = useRef(onChange);
  useLayoutEffect(() => {
    onChangeRef.current = onChange;
  }, [onChange]);
  useReplaceOnRevision(editor, value, revision);

  useEffect(() => {
    setTalosSchema(talosVersion);
  }, [talosVersion]);

  // The text the editor last reported and the model version it was read at.
  const reported = useRef<{ text: string; version: number } | null>(null);
  const handleChange = useCallback(
    (v: string | undefined) => {
      const text = v ?? "";
      const model = editor?.getModel();
      if (model) reported.current = { text, version: model.getVersionId() };
      onChangeRef.current(text, editor?.hasTextFocus() ?? false);
    },
    [editor],
  );

  useEffect(() => {
    const model = editor?.getModel();
    if (!model) return;
    // A stale answer (the model has moved on since its text): its lines may no longer match, and
    // the current text's answer follows. Never let it replace the markers.
    if (issuesText !== null && !markersFitModel(issuesText, model.getVersionId(), reported.current, () => model.getValue())) return;
    setQuickFixIssues(model, issues);
    monaco.editor.setModelMarkers(model, MARKER_OWNER, issues.map(toMarker));
  }, [editor, issues, issuesText]);

  useEffect(() => {
    if (!editor) return;
    const handle: EditorHandle = {
      revealIssue(issue) {
        const range = new monaco.Range(issue.line, issue.column, issue.endLine, issue.endColumn);
        editor.setSelection(range);
        editor.revealRangeInCenterIfOutsideViewport(range);
        editor.focus();
      },
      format() {
        const model = editor.getModel();
        if (!model) return { ok: false, reason: "The editor is not ready." };
        const result = formatYaml(model.getValue());
        if (result.ok && result.text !== model.getValue()) {
          editor.pushUndoStop();
          editor.executeEdits("minos.format", [{ range: model.getFullModelRange(), text: result.text }]);
          editor.pushUndoStop();
        }
        return result;
      },
      migrate() {
        const model = editor.getModel();
        if (!model) return { ok: false, reason: "The editor is not ready." };
        let result;
        try {
          result = migrateConfig(model.getValue(), { to: "1.14" });
        } catch (e) {
          return { ok: false, reason: `Cannot migrate: ${e instanceof Error ? e.message : String(e)}` };
        }
        const edit = minimalReplacement(model.getValue(), result.yaml);
        if (edit) {
          const { text, ...range } = edit;
          editor.pushUndoStop();
          editor.executeEdits("minos.migrate", [{ range, text }]);
          editor.pushUndoStop();
        }
        return { ok: true, text: result.yaml, moved: result.moved, decisions: result.decisions };
      },
      focus: () => editor.focus(),
    };
    onReady(handle);
    const cursor = editor.onDidChangeCursorPosition((e) => cursorRef.current?.(e.position.lineNumber, e.position.column));
    const blur = editor.onDidBlurEditorText(() => blurRef.current?.());
    return () => {
      cursor.dispose();
      blur.dispose();
      onReady(null);
    };
  }, [editor, onReady]);

  // Stable between renders: @monaco-editor/react calls updateOptions whenever this object changes.
  const options = useMemo(
    (): NonNullable<EditorComponentProps["options"]> => ({
      ...YAML_EDITOR_OPTIONS,
      ariaLabel: label,
      lightbulb: { enabled: monaco.editor.ShowLightbulbIconMode.On },
    }),
    [label],
  );
  const onMount = useCallback<OnMount>((e) => setEditor(e), []);

  return (
    <Editor
      defaultValue={value}
      onChange={handleChange}
      language="yaml"
      path="machine-config.yaml"
      theme={scheme === "dark" ? "minos-dark" : "minos-light"}
      onMount={onMount}
      loading={<span className="text-sm text-fg-muted">Starting the editor…</span>}
      options={options}
    />
  );
}
