/**
 * The config validator: YAML stream → positioned issues, the same for the editor, the API and the
 * CLI. parse → identify each document → its zod schema for the Talos minor → Talos's semantic
 * rules → cross-document rules → sorted issues. Synchronous and isomorphic.
 */
import type { z } from "zod";

import { identifyDocument, parseConfigYaml, type ParsedDocument, type ParseResult, type SchemaCatalog } from "./parse";
import { positionForPath, type PathSegment } from "./positions";
import { documentSecrets, type ValueSecret } from "./redact";
import { parseMachineType, runRules, type DocumentSummary, type MachineRole, type RuleIssue } from "./rules";
import * as schemaCatalog from "./schema";
import { scrubText } from "./secret-values";
import { checkJsonPatch, documentDelete, isEmptyPatchDocument, isJsonPatchDocument, stripDeletes } from "./validate-patch";
import { LATEST_TALOS_MINOR, TALOS_MINORS, type ConfigIssue, type TalosMinor, type ValidateOptions, type ValidationResult } from "./types";

export type { SchemaCatalog } from "./parse";

/** An issue before positioning: which document, which path, key or value. */
interface PendingIssue extends RuleIssue {
  document: number;
  /** Rule issues win over schema issues at the same path and severity (one report per place). */
  source: "schema" | "rule";
}

type ZodIssue = z.core.$ZodIssue;

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);

function valueAt(root: unknown, path: readonly PathSegment[]): unknown {
  let cur = root;
  for (const seg of path) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = (cur as Record<string | number, unknown>)[seg];
  }
  return cur;
}

const toPath = (p: readonly PropertyKey[]): PathSegment[] => p.map((s) => (typeof s === "number" ? s : String(s)));

/**
 * zod issues → pending issues. Unknown keys: one issue per key, at the key. Unions: when exactly
 * one branch got past the type check, its issues are the useful ones.
 */
function mapZodIssues(issues: readonly ZodIssue[], base: PathSegment[], value: unknown, document: number, out: PendingIssue[]): void {
  for (const issue of issues) {
    const path = [...base, ...toPath(issue.path)];
    const severity = (issue as { params?: { severity?: unknown } }).params?.severity === "warning" ? "warning" : "error";
    if (issue.code === "unrecognized_keys") {
      for (const key of issue.keys) {
        out.push({ severity, message: `unknown key \`${key}\``, path: [...path, key], at: "key", document, source: "schema" });
      }
      continue;
    }
    if (issue.code === "invalid_union" && issue.errors.length > 0) {
      const deeper = issue.errors.filter((branch) => branch.length > 0 && branch.some((i) => i.path.length > 0 || i.code === "unrecognized_keys" || i.code === "custom"));
      if (deeper.length === 1) {
        mapZodIssues(deeper[0]!, path, value, document, out);
        continue;
      }
    }
    let message = issue.message;
    if (issue.code === "invalid_type" && path.length > 0 && valueAt(value, path) === undefined && isObject(valueAt(value, path.slice(0, -1)))) {
      message = `missing required key \`${String(path[path.length - 1])}\``;
    }
    out.push({ severity, message, path, document, source: "schema" });
  }
}

function resolveVersion(catalog: SchemaCatalog, version: string | undefined): TalosMinor | null {
  if (version === undefined || version === "") return LATEST_TALOS_MINOR;
  if ((TALOS_MINORS as readonly string[]).includes(version)) return version as TalosMinor;
  return catalog.toTalosMinor(version);
}

const within = (a: readonly PathSegment[], b: readonly PathSegment[]) => a.length <= b.length && a.every((s, i) => s === b[i]);

/**
 * The one guarantee that no message quotes a secret, whichever schema check or rule wrote it:
 * an issue at, above or below a secret loses every run of the secret's text it copied (a
 * truncated quote too); any issue loses whole occurrences of the document's secrets and what
 * the value rules find (a URL's password, a jointoken).
 */
function scrubMessage(message: string, path: readonly PathSegment[], secrets: readonly ValueSecret[]): string {
  // Runs are costly (message × secret): only secrets at, above or below the issue's own place.
  const near = secrets.filter((s) => within(s.path, path) || (path.length > 0 && within(path, s.path))).map((s) => s.text);
  const far = secrets.filter((s) => !near.includes(s.text)).map((s) => s.text);
  return scrubText(scrubText(message, near, { runs: true }), far);
}

const LINK_KINDS = new Set(["LinkConfig", "BondConfig", "BridgeConfig", "VLANConfig", "DummyLinkConfig", "WireguardConfig", "VRFConfig", "VethConfig"]);

/** Builds a validator over a schema catalog (the real one below; tests may pass a stand-in). */
export function createValidator(catalog: SchemaCatalog) {
  return function validate(yaml: string, opts: ValidateOptions = {}): ValidationResult {
    const version = resolveVersion(catalog, opts.talosVersion);
    if (version === null) {
      return {
        valid: false,
        talosVersion: LATEST_TALOS_MINOR,
        issues: [
          {
            severity: "error",
            message: `unknown Talos version "${opts.talosVersion}" (known: ${TALOS_MINORS.join(", ")})`,
            path: [],
            document: 0,
            line: 1,
            column: 1,
            endLine: 1,
            endColumn: 1,
          },
        ],
      };
    }
    const patch = opts.patch === true;
    const parsed = parseConfigYaml(yaml);
    const issues: ConfigIssue[] = [...parsed.issues];
    const pending: PendingIssue[] = [];

    // A patch whose first document is a list is an RFC 6902 JSON patch (LoadPatch reads that
    // document only): its operations are checked, nothing else applies.
    const first = parsed.documents[0];
    if (patch && first && !first.broken && isJsonPatchDocument(first.value)) {
      for (const i of checkJsonPatch(first.value)) pending.push({ ...i, document: first.index, source: "rule" });
      for (const pd of parsed.documents.slice(1)) {
        pending.push({ severity: "warning", message: "ignored: Talos reads a JSON patch (RFC 6902) from the first document only", path: [], document: pd.index, source: "rule" });
      }
      return finish(parsed, issues, pending, new Map(), version);
    }

    // Identify every document first: rules need their neighbours (and the machine's role). In a
    // patch, `$patch: delete` directives are taken out first: Talos never decodes what they delete.
    const identified: { pd: ParsedDocument; value: unknown; kind: string; name?: string }[] = [];
    for (const pd of parsed.documents) {
      if (pd.broken) continue;
      let value = pd.value;
      if (patch) {
        const deleteIssues = documentDelete(value);
        if (deleteIssues !== null) {
          for (const i of deleteIssues) pending.push({ ...i, document: pd.index, source: "rule" });
          const kind = (value as Record<string, unknown>).kind;
          if (deleteIssues.length === 0 && typeof kind === "string" && kind !== "v1alpha1" && catalog.kindSince(kind) === null) {
            pending.push({ severity: "warning", message: `unknown document kind \`${kind}\`: this delete matches no document`, path: ["kind"], document: pd.index, source: "rule" });
          }
          continue;
        }
        const stripped = stripDeletes(value);
        value = stripped.value;
        for (const i of stripped.issues) pending.push({ ...i, document: pd.index, source: "rule" });
        if (isEmptyPatchDocument(value)) continue;
      }
      const id = identifyDocument(value, catalog, version);
      if ("issue" in id) {
        pending.push({ severity: "error", ...id.issue, document: pd.index, source: "rule" });
        continue;
      }
      identified.push({ pd, value, kind: id.identity.kind, name: id.identity.name });
    }
    const summaries: DocumentSummary[] = identified.map((d) => ({ kind: d.kind, name: d.name, value: d.value }));
    const machineDoc = identified.find((d) => d.kind === "v1alpha1");
    const rawType = machineDoc ? valueAt(machineDoc.value, ["machine", "type"]) : undefined;
    let role: MachineRole | null = null;
    if (machineDoc && isObject(valueAt(machineDoc.value, ["machine"]))) {
      role = parseMachineType(rawType === undefined && !patch ? "" : rawType) ?? null;
    }

    for (const d of identified) {
      const value = d.value as Record<string, unknown>;
      const local: PendingIssue[] = [];
      try {
        const result = catalog.documentSchema(d.kind, version, { patch }).safeParse(value);
        if (!result.success) mapZodIssues(result.error.issues, [], value, d.pd.index, local);
      } catch (e) {
        local.push({ severity: "error", message: `internal validator error: ${(e as Error).message}`, path: [], document: d.pd.index, source: "schema" });
      }
      const ruleIssues = runRules(d.kind, value, { version, mode: opts.mode, patch, role, documents: summaries });
      const claimed = new Set(ruleIssues.map((r) => `${r.severity}|${JSON.stringify(r.path)}`));
      for (const s of local) if (!claimed.has(`${s.severity}|${JSON.stringify(s.path)}`)) pending.push(s);
      for (const r of ruleIssues) pending.push({ ...r, document: d.pd.index, source: "rule" });
    }

    // Cross-document rules: one v1alpha1 document; each singleton kind once; named kinds once per name.
    const seen = new Map<string, number>();
    const links = new Map<string, string>();
    for (const d of identified) {
      const named = d.kind !== "v1alpha1" && catalog.kindIsNamed(d.kind);
      const key = named ? `${d.kind}/${d.name ?? ""}` : d.kind;
      if (seen.has(key)) {
        const what = d.kind === "v1alpha1" ? "v1alpha1 (machine config) document" : named ? `document v1alpha1/${d.kind}/${d.name ?? ""}` : `document v1alpha1/${d.kind}`;
        const where: PathSegment[] = d.kind === "v1alpha1" ? [] : named && d.name !== undefined ? ["name"] : ["kind"];
        pending.push({
          severity: "error",
          message: `duplicate ${what} is not allowed (first one is document ${seen.get(key)! + 1})`,
          path: where,
          document: d.pd.index,
          source: "rule",
        });
      } else seen.set(key, d.pd.index);
      if (LINK_KINDS.has(d.kind) && d.name) {
        const other = links.get(d.name);
        if (other && other !== d.kind) {
          pending.push({ severity: "error", message: `link \`${d.name}\` is already configured by a ${other} document`, path: ["name"], document: d.pd.index, source: "rule" });
        }
        if (!other) links.set(d.name, d.kind);
      }
    }

    return finish(parsed, issues, pending, new Map(identified.map((d) => [d.pd.index, d.kind])), version);
  };
}

/** Positions, secret scrubbing and order: the last step of every validation. */
function finish(parsed: ParseResult, issues: ConfigIssue[], pending: PendingIssue[], kinds: ReadonlyMap<number, string>, version: TalosMinor): ValidationResult {
  const docsByIndex = new Map(parsed.documents.map((pd) => [pd.index, pd]));
  // A document's secrets are only needed to scrub its issues: found for those documents only.
  const secrets = new Map<number, ValueSecret[]>();
  const secretsOf = (pd: ParsedDocument) => {
    let s = secrets.get(pd.index);
    if (!s) secrets.set(pd.index, (s = pd.broken ? [] : documentSecrets(kinds.get(pd.index) ?? null, pd.value)));
    return s;
  };
  for (const i of issues) i.message = scrubText(i.message);
  for (const p of pending) {
    const pd = docsByIndex.get(p.document);
    if (!pd) continue;
    const pos = positionForPath(pd.doc, parsed.lineCounter, p.path, p.at);
    issues.push({ severity: p.severity, message: scrubMessage(p.message, p.path, secretsOf(pd)), path: p.path, document: p.document, ...pos });
  }
  issues.sort((a, b) => a.document - b.document || a.line - b.line || a.column - b.column || (a.severity === b.severity ? 0 : a.severity === "error" ? -1 : 1));
  return { valid: !issues.some((i) => i.severity === "error"), issues, talosVersion: version };
}

/**
 * Validates a machine config (a YAML stream of documents) for a Talos minor. Never throws on any
 * input; `valid` is true when there is no error (warnings allowed).
 */
export const validateConfig: (yaml: string, opts?: ValidateOptions) => ValidationResult = createValidator(schemaCatalog);
