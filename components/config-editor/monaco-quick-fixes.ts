/**
 * Monaco quick fixes (the lightbulb, Ctrl+.) for lib/config's deprecation warnings: each warning
 * whose field has a move in lib/config/migrate offers "Move to <document>", applied as one
 * undoable edit. Browser-only, imported by the Monaco view.
 */
import "monaco-editor/esm/vs/editor/contrib/codeAction/browser/codeActionContributions";
import "./quick-fixes.css";

import { monaco } from "@/components/monaco/monaco-setup";
import { quickFixesFor } from "@/lib/config/migrate";
import type { ConfigIssue } from "@/lib/config/types";

import { issueForMarker, minimalReplacement } from "./quick-fix-edit";

type Model = import("monaco-editor/esm/vs/editor/editor.api").editor.ITextModel;

/** The issues each model's markers were made from (markers carry no config path). */
const issuesByModel = new WeakMap<Model, readonly ConfigIssue[]>();

export function setQuickFixIssues(model: Model, issues: readonly ConfigIssue[]): void {
  issuesByModel.set(model, issues);
}

monaco.languages.registerCodeActionProvider(
  "yaml",
  {
    provideCodeActions(model, _range, context) {
      const issues = issuesByModel.get(model) ?? [];
      const text = model.getValue();
      const actions: import("monaco-editor/esm/vs/editor/editor.api").languages.CodeAction[] = [];
      for (const marker of context.markers) {
        const issue = issueForMarker(issues, marker);
        if (!issue) continue;
        for (const fix of quickFixesFor(text, issue)) {
          const edit = minimalReplacement(text, fix.text);
          if (!edit) continue;
          const { text: replacement, ...range } = edit;
          actions.push({
            title: fix.title,
            kind: "quickfix",
            diagnostics: [marker],
            isPreferred: true,
            edit: { edits: [{ resource: model.uri, textEdit: { range, text: replacement }, versionId: model.getVersionId() }] },
          });
        }
      }
      return { actions, dispose() {} };
    },
  },
  { providedCodeActionKinds: ["quickfix"] },
);
