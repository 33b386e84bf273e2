import type { TalosMinor, ValidationMode } from "@/lib/config/types";

export type PathSegment = string | number;

/** A problem found by a semantic rule, addressed by its path inside the document. */
export interface RuleIssue {
  severity: "error" | "warning";
  message: string;
  path: PathSegment[];
  /** Point at the key instead of the value (e.g. a key that must not be there). */
  at?: "key" | "value";
}

/** `machine.type` as Talos parses it (`join` and an empty value read as worker). */
export type MachineRole = "init" | "controlplane" | "worker";

/** One identified document of the stream, as rules see its neighbours. */
export interface DocumentSummary {
  kind: string;
  name?: string;
  value: unknown;
}

export interface RuleContext {
  version: TalosMinor;
  /** `talosctl validate --mode`; undefined: only the rules every mode shares. */
  mode?: ValidationMode;
  patch: boolean;
  /** The machine's role from the v1alpha1 document; null when unknown (or absent from a patch). */
  role: MachineRole | null;
  /** Every identified document in the stream (the one being checked included). */
  documents: readonly DocumentSummary[];
}

/** A semantic rule: a pure function of one decoded document and its context. */
export type Rule = (doc: Obj, ctx: RuleContext) => RuleIssue[];

export type Obj = Record<string, unknown>;
