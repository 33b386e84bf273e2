import type { FormatResult } from "@/lib/config/format";
import type { Decision, Move } from "@/lib/config/migrate";
import type { ConfigIssue } from "@/lib/config/types";

/** What the page can do to whichever editor is showing (Monaco or the plain textarea). */
export interface EditorHandle {
  /** Select an issue's range, scroll it into view and focus the editor. */
  revealIssue(issue: ConfigIssue): void;
  /** Format the whole document as one undoable edit. */
  format(): FormatResult;
  /** Move the deprecated v1alpha1 fields to the 1.14 documents, as one undoable edit. */
  migrate(): MigrateOutcome;
  focus(): void;
}

/** `text`: the whole config after the migration (the editor already shows it). */
export type MigrateOutcome = { ok: true; text: string; moved: Move[]; decisions: Decision[] } | { ok: false; reason: string };

/** The props both editors take: text in, text out, issues to show. */
export interface EditorProps {
  value: string;
  /**
   * Bumped whenever `value` was replaced from outside the editor (another source opened, edits
   * discarded). Monaco is not a controlled input: pushing every keystroke's text back into it
   * races with the next keystroke, so only these replacements are pushed.
   */
  revision: number;
  /** `typing`: keys typed into Monaco while it has focus (see useWorkspace). */
  onChange: (value: string, typing?: boolean) => void;
  /** The editor lost focus. */
  onBlur?: () => void;
  issues: ConfigIssue[];
  /**
   * The text `issues` were found in (null: none yet). The editor may be ahead of it while a
   * validation runs; Monaco shows markers only for the text it holds.
   */
  issuesText: string | null;
  talosVersion: import("@/lib/config/types").TalosMinor;
  onReady: (handle: EditorHandle | null) => void;
  onCursorChange?: (line: number, column: number) => void;
  label: string;
}
