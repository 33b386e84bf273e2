import type { ConfigIssue } from "@/lib/config/types";

export type Path = readonly (string | number)[];

/** One field moved: `from` a v1alpha1 path, `to` a document (and field) of the 1.14 layout. */
export interface Move {
  from: string;
  to: string;
}

/** A move that was not made because it needs the operator's decision; the field is left as it was. */
export interface Decision {
  path: string;
  message: string;
}

export interface MigrationResult {
  /** The whole config after the moves that needed no decision. */
  yaml: string;
  moved: Move[];
  decisions: Decision[];
}

export interface MigrateOptions {
  to: "1.14";
}

/** A Monaco code action for one deprecation warning: the new full text of the config. */
export interface QuickFix {
  title: string;
  /** The whole config after the fix (the editor applies it as one undoable edit). */
  text: string;
  moved: Move[];
  /** Parts of the field the fix leaves for a person (e.g. machine.network.interfaces). */
  left: Decision[];
}

export type { ConfigIssue };
