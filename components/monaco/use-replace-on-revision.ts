"use client";

import type { OnMount } from "@monaco-editor/react";
import { useEffect, useRef } from "react";

type CodeEditor = Parameters<OnMount>[0];

/**
 * Text replaced from outside (a new revision, a restore, and a model kept from an earlier
 * mount): one undoable edit, the cursor back at the top.
 */
export function useReplaceOnRevision(editor: CodeEditor | null, value: string, revision: unknown): void {
  const valueRef = useRef(value);
  useEffect(() => {
    valueRef.current = value;
  }, [value]);
  useEffect(() => {
    const model = editor?.getModel();
    if (!editor || !model || model.getValue() === valueRef.current) return;
    editor.pushUndoStop();
    editor.executeEdits("minos.replace", [{ range: model.getFullModelRange(), text: valueRef.current }]);
    editor.pushUndoStop();
    editor.setPosition({ lineNumber: 1, column: 1 });
    editor.revealLine(1);
  }, [editor, revision]);
}
