/**
 * Patch mode of the validator: what Talos's `configpatcher.LoadPatch` (v1.14.0-rc.1,
 * pkg/machinery/config/configpatcher/load.go) accepts besides plain partial documents.
 *
 * - Strategic-merge directives (configloader/internal/decoder/delete.go): `$patch: delete` in a
 *   mapping deletes that mapping: a key (`network: {$patch: delete}`), a list item matched by
 *   its first other key (`- interface: eth0\n  $patch: delete`), or a whole document
 *   (`{apiVersion, kind, name, $patch: delete}`). The deleted part is never decoded, so it is
 *   not validated either. Talos refuses a delete inside a list item ("cannot delete an inner
 *   key"), a list item with nothing to match it by, and a document delete without apiVersion
 *   and kind.
 * - RFC 6902 JSON patches: when the stream is not a config, LoadPatch reads its first YAML
 *   document as a list of operations (evanphx/json-patch applies them later). Checked here for
 *   the shape of each operation.
 *
 * Pure functions of the parsed values; positions are found by the caller from the paths.
 */
import type { PathSegment } from "./positions";
import type { RuleIssue } from "./rules";

type Obj = Record<string, unknown>;

const isObject = (v: unknown): v is Obj => v !== null && typeof v === "object" && !Array.isArray(v);

/** Go's check: the value of `$patch` is the scalar `delete` (quoted or not). */
export const isDeleteMarker = (v: unknown): v is Obj => isObject(v) && v.$patch === "delete";

export interface PatchPrepass {
  /** The document with every deleted part taken out: map keys removed, list items set to null (paths stay valid). */
  value: unknown;
  issues: RuleIssue[];
}

const showPath = (path: readonly PathSegment[]) => path.map((s) => (typeof s === "number" ? `[${s}]` : s)).join(".");

/**
 * Takes the `$patch: delete` directives out of one document (not the whole-document delete:
 * see documentDelete), reporting the ones Talos refuses. Copies only what it changes.
 */
export function stripDeletes(value: unknown): PatchPrepass {
  const issues: RuleIssue[] = [];
  // processNode: a map or list emptied by its deletes is deleted in turn (in its parent).
  const EMPTIED = Symbol("emptied");
  const walk = (v: unknown, path: PathSegment[], inItem: boolean): unknown => {
    if (Array.isArray(v)) {
      let out: unknown[] | null = null;
      let deleted = 0;
      v.forEach((item, i) => {
        let next: unknown;
        if (isDeleteMarker(item)) {
          // makeSequenceSelector: the first key other than `$patch` picks the item to delete.
          if (!Object.keys(item).some((k) => k !== "$patch")) {
            issues.push({
              severity: "error",
              message: `a list item with \`$patch: delete\` needs a key to find the item by (e.g. \`interface: eth0\`): no key:val found in sequence node for path ${showPath(path)}`,
              path: [...path, i, "$patch"],
              at: "key",
            });
          }
          next = EMPTIED;
        } else {
          next = walk(item, [...path, i], true);
        }
        if (next === EMPTIED) deleted++;
        if (next !== item) {
          out ??= [...v];
          // Set to null rather than removed, so that the paths of the other items stay right.
          out[i] = next === EMPTIED ? null : next;
        }
      });
      if (deleted > 0 && deleted === v.length) return EMPTIED;
      return out ?? v;
    }
    if (!isObject(v)) return v;
    let out: Obj | null = null;
    let deleted = false;
    for (const [k, child] of Object.entries(v)) {
      if (k === "$patch" && child !== "delete") {
        // Not a directive: Talos decodes it as a field, which no type has.
        issues.push({
          severity: "error",
          message: `unknown patch directive \`$patch: ${typeof child === "string" ? child : JSON.stringify(child)}\`: Talos's patcher only knows \`$patch: delete\``,
          path: [...path, k],
        });
        out ??= { ...v };
        delete out[k];
        continue;
      }
      if (!isDeleteMarker(child)) {
        const next = walk(child, [...path, k], inItem);
        if (next === EMPTIED) {
          out ??= { ...v };
          delete out[k];
          deleted = true;
        } else if (next !== child) (out ??= { ...v })[k] = next;
        continue;
      }
      // ensureNoSeqInChain: a key inside a list item cannot be deleted, only the whole item.
      if (inItem) {
        issues.push({
          severity: "error",
          message: `cannot delete an inner key in '${showPath([...path, k])}': \`$patch: delete\` inside a list item is not supported; delete the whole item (its first key selects it) instead`,
          path: [...path, k, "$patch"],
          at: "key",
        });
      }
      out ??= { ...v };
      delete out[k];
      deleted = true;
    }
    if (deleted && out && Object.keys(out).length === 0 && path.length > 0) return EMPTIED;
    return out ?? v;
  };
  const result = walk(value, [], false);
  return { value: result, issues };
}

/**
 * isEmptyDoc: after its deletes, a patch document whose keys are only `version`, `kind` and
 * `name` (with scalar values) is dropped unread, as is `{}`.
 */
export function isEmptyPatchDocument(value: unknown): boolean {
  if (!isObject(value)) return false;
  return Object.entries(value).every(([k, v]) => (k === "version" || k === "kind" || k === "name") && (v === null || typeof v !== "object"));
}

/**
 * A whole-document delete (`$patch: delete` at the top): null when the document is not one;
 * else the issues of its selector (makeSelector: apiVersion and kind both set).
 */
export function documentDelete(value: unknown): RuleIssue[] | null {
  if (!isDeleteMarker(value)) return null;
  const issues: RuleIssue[] = [];
  for (const key of ["apiVersion", "kind"] as const) {
    if (!Object.hasOwn(value, key)) {
      issues.push({ severity: "error", message: `missing ${key} in document for which $patch: delete is used`, path: ["$patch"], at: "key" });
    }
  }
  if (issues.length > 0) return issues;
  const present = (k: string) => value[k] !== null && value[k] !== "";
  if (present("apiVersion") !== present("kind")) {
    issues.push({ severity: "error", message: "kind and apiVersion must be both set for a document delete", path: [present("kind") ? "apiVersion" : "kind"] });
  }
  return issues;
}

const OPS = new Set(["add", "remove", "replace", "move", "copy", "test"]);

/** A JSON Pointer (RFC 6901): empty, or `/`-separated tokens where `~` is followed by 0 or 1. */
function pointerProblem(v: unknown): string | null {
  if (typeof v !== "string") return `expected a JSON pointer such as /machine/network/hostname, got ${v === null ? "null" : typeof v}`;
  if (v !== "" && !v.startsWith("/")) return `invalid JSON pointer ${JSON.stringify(v)}: it must start with /`;
  if (/~(?![01])/.test(v)) return `invalid JSON pointer ${JSON.stringify(v)}: ~ must be written ~0, and / inside a key ~1`;
  return null;
}

/**
 * Whether a document is an RFC 6902 patch as LoadPatch reads one: a YAML list (its items must
 * then all be operations, which checkJsonPatch reports).
 */
export const isJsonPatchDocument = (value: unknown): value is unknown[] => Array.isArray(value);

/** The operations of a JSON patch: each a map with a known `op`, a `path`, and `from`/`value` where the op needs them. */
export function checkJsonPatch(ops: readonly unknown[]): RuleIssue[] {
  const issues: RuleIssue[] = [];
  ops.forEach((op, i) => {
    if (!isObject(op)) {
      issues.push({ severity: "error", message: "a JSON patch operation is a map such as {op: replace, path: /machine/network/hostname, value: node-1}", path: [i] });
      return;
    }
    const kind = op.op;
    if (kind === undefined || kind === null) {
      issues.push({ severity: "error", message: "missing `op` (add, remove, replace, move, copy or test)", path: [i], at: "value" });
      return;
    }
    if (typeof kind !== "string" || !OPS.has(kind)) {
      issues.push({ severity: "error", message: `Unexpected kind: ${String(kind)}: \`op\` is one of add, remove, replace, move, copy, test`, path: [i, "op"] });
      return;
    }
    if (!Object.hasOwn(op, "path")) issues.push({ severity: "error", message: `missing \`path\` in a ${kind} operation`, path: [i], at: "value" });
    else {
      const p = pointerProblem(op.path);
      if (p) issues.push({ severity: "error", message: p, path: [i, "path"] });
    }
    if (kind === "move" || kind === "copy") {
      if (!Object.hasOwn(op, "from")) issues.push({ severity: "error", message: `missing \`from\` in a ${kind} operation`, path: [i], at: "value" });
      else {
        const p = pointerProblem(op.from);
        if (p) issues.push({ severity: "error", message: p, path: [i, "from"] });
      }
    }
    if ((kind === "add" || kind === "replace" || kind === "test") && !Object.hasOwn(op, "value")) {
      issues.push({ severity: "error", message: `missing \`value\` in a ${kind} operation`, path: [i], at: "value" });
    }
  });
  return issues;
}
