/**
 * `$patch: delete` in strategic-merge patches, as Talos's decoder reads them
 * (configloader/internal/decoder/delete.go, selector.go): the directives are cut out of the patch
 * document and become selectors that delete a key, a list item or a whole document of the config.
 */
import { isMap, isScalar, isSeq, type Node as YamlNode, type Pair, type YAMLMap } from "yaml";

import { V1ALPHA1 } from "@/lib/talos/documents";

import { isObj } from "./merge";
import { deref, type GoType } from "./types";

export interface DeleteSelector {
  /** Path in the document: keys, and `[i]` for list items. */
  readonly path: readonly string[];
  readonly apiVersion: string;
  readonly kind: string;
  readonly name: string;
  /** For a list item: the item's first key and its value, which pick the item to delete. */
  readonly key: string;
  readonly value: string;
  /** The `$patch` node's offset in the patch text. */
  readonly offset: number;
}

/** A failure reading the directives, at a node of the patch. */
export class DeleteSyntaxError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}

const scalarText = (n: unknown): string => (isScalar(n) ? (n.value === null ? "" : String(n.value)) : "");

function findValue(root: YamlNode | null, key: string, required: boolean, offset: number): string {
  if (!isMap(root)) throw new DeleteSyntaxError("expected a mapping node", offset);
  for (const p of root.items) if (isScalar(p.key) && String(p.key.value) === key) return scalarText(p.value);
  if (required) throw new DeleteSyntaxError(`missing ${key} in document for which $patch: delete is used`, offset);
  return "";
}

function makeSelector(path: string[], root: YamlNode | null, offset: number, key: string, value: string): DeleteSelector {
  const required = path.length === 0;
  const apiVersion = findValue(root, "apiVersion", required, offset);
  let kind = findValue(root, "kind", required, offset);
  if (kind === "" && apiVersion === "") kind = V1ALPHA1;
  else if (kind === "" || apiVersion === "") throw new DeleteSyntaxError(`kind and apiVersion must be both set for path ${path.join(".")}`, offset);
  return { path: [...path], apiVersion, kind, name: findValue(root, "name", false, offset), key, value, offset };
}

const isDeleteDirective = (p: Pair) => isScalar(p.key) && p.key.value === "$patch" && isScalar(p.value) && p.value.value === "delete";

const startOf = (n: unknown): number => ((n as { range?: [number, number, number] } | null)?.range?.[0] ?? 0);

/** decoder.isEmptyDoc: a mapping of scalar `version`, `kind`, `name` keys only. */
function isEmptyDoc(node: YamlNode | null): boolean {
  if (!isMap(node)) return false;
  return node.items.every((p) => isScalar(p.key) && isScalar(p.value) && ["version", "kind", "name"].includes(String(p.key.value)));
}

/**
 * Cuts the directives out of one document's root node (mutating it) and returns the selectors,
 * and whether the document is left with nothing to merge (then it is dropped, as in Go).
 */
export function extractDeletes(root: YamlNode | null): { selectors: DeleteSelector[]; dropDocument: boolean } {
  const selectors: DeleteSelector[] = [];
  const yieldSel = (path: string[], parentIsSeq: boolean, node: YAMLMap, directive: Pair) => {
    const offset = startOf(directive.key);
    if (!parentIsSeq) {
      selectors.push(makeSelector(path, root, offset, "", ""));
      return;
    }
    // List item: its first key:value other than the directive picks the item.
    for (const p of node.items) {
      if (isDeleteDirective(p)) continue;
      selectors.push(makeSelector(path, root, offset, scalarText(p.key), scalarText(p.value)));
      return;
    }
    throw new DeleteSyntaxError(`no key:val found in sequence node for path ${path.join(".")}`, offset);
  };

  // processNode: returns okToDel (okToCont is always true: the yield never stops the walk).
  // Go cuts deleted entries out one by one; keeping the survivors in a new list is the same
  // (an item's index is the number of survivors before it) without a quadratic splice.
  const walk = (v: unknown, path: string[], parentIsSeq: boolean): boolean => {
    if (isMap(v)) {
      const kept: Pair[] = [];
      for (const pair of v.items) {
        if (isDeleteDirective(pair)) {
          if (!parentIsSeq && path.some((p) => p.startsWith("["))) throw new DeleteSyntaxError(`cannot delete an inner key in '${path.join(".")}'`, startOf(pair.key));
          yieldSel(path, parentIsSeq, v, pair);
          return true;
        }
        if (!walk(pair.value, [...path, scalarText(pair.key)], false)) kept.push(pair);
      }
      const emptied = kept.length === 0 && v.items.length > 0;
      v.items = kept;
      return emptied;
    }
    if (isSeq(v)) {
      const kept: unknown[] = [];
      for (const item of v.items) if (!walk(item, [...path, `[${kept.length}]`], true)) kept.push(item);
      const emptied = kept.length === 0 && v.items.length > 0;
      v.items = kept;
      return emptied;
    }
    return false;
  };

  const del = walk(root, [], false);
  return { selectors, dropDocument: del || isEmptyDoc(root) };
}

/** Thrown when a selector's path is not in the document (Go's ErrLookupFailed). */
export const LOOKUP_FAILED = "lookup failed";

/** deleteForPath: deletes in place; returns an error text or null. */
export function deleteForPath(v: unknown, t: GoType, path: readonly string[], key: string, value: string, scope: DeleteScope): string | null {
  if (path.length === 0) return "path is empty";
  let type = t;
  while (type.k === "ptr") {
    if (v === null || v === undefined) return LOOKUP_FAILED;
    type = type.elem;
  }
  const [search, ...rest] = path as [string, ...string[]];
  switch (type.k) {
    case "struct": {
      const f = type.byName.get(search);
      if (!f) return LOOKUP_FAILED;
      if (rest.length === 0) {
        if (isObj(v)) delete v[search];
        return null;
      }
      const inner = isObj(v) ? v[search] : undefined;
      if ((inner === undefined || inner === null) && deref(f.type).k === "struct" && f.type.k !== "ptr") {
        // A zero struct held by value: Go descends into it; nothing there to delete but its zero fields.
        return deleteForPath({}, f.type, rest, key, value, scope);
      }
      return deleteForPath(inner, f.type, rest, key, value, scope);
    }
    case "map":
    case "any":
    case "special": {
      if (type.k === "special" && type.name !== "meta.Args") return LOOKUP_FAILED;
      if (Array.isArray(v)) return type.k === "any" ? deleteFromList(v, undefined, search, rest, key, value, scope) : LOOKUP_FAILED;
      if (!isObj(v) || !Object.hasOwn(v, search)) return LOOKUP_FAILED;
      if (rest.length === 0) {
        delete v[search];
        return null;
      }
      return deleteForPath(v[search], type.k === "map" ? type.elem : { k: "any" }, rest, key, value, scope);
    }
    case "slice":
      return deleteFromList(Array.isArray(v) ? v : [], type.elem, search, rest, key, value, scope);
    default:
      return LOOKUP_FAILED;
  }
}

/** Where deleted list items stand until the lists are compacted (see {@link DeleteScope}). */
const GONE: unique symbol = Symbol("deleted");

/**
 * Deleting list items one selector at a time would scan the list per selector (quadratic for a
 * patch deleting many items). A scope indexes each list once per key, marks deleted items, and
 * compacts the lists when done; call {@link DeleteScope.finish} before reading the lists.
 */
export class DeleteScope {
  private readonly indexes = new Map<unknown[], Map<string, { positions: Map<string, number[]>; cursor: Map<string, number> }>>();

  /** Removes the first remaining item whose `key` reads `value`; false when none does. */
  take(list: unknown[], key: string, value: string): boolean {
    let byKey = this.indexes.get(list);
    if (!byKey) {
      byKey = new Map();
      this.indexes.set(list, byKey);
    }
    let idx = byKey.get(key);
    if (!idx) {
      const positions = new Map<string, number[]>();
      list.forEach((item, i) => {
        if (!isObj(item)) return;
        const raw = item[key];
        const text = raw === null || raw === undefined ? "" : String(raw);
        const at = positions.get(text);
        if (at) at.push(i);
        else positions.set(text, [i]);
      });
      idx = { positions, cursor: new Map() };
      byKey.set(key, idx);
    }
    const at = idx.positions.get(value);
    if (!at) return false;
    let c = idx.cursor.get(value) ?? 0;
    while (c < at.length && list[at[c]!] === GONE) c++;
    idx.cursor.set(value, c + 1);
    if (c >= at.length) return false;
    list[at[c]!] = GONE;
    return true;
  }

  /** Compacts the lists items were deleted from. */
  finish(): void {
    for (const list of this.indexes.keys()) {
      let w = 0;
      for (let r = 0; r < list.length; r++) if (list[r] !== GONE) list[w++] = list[r];
      list.length = w;
    }
    this.indexes.clear();
  }
}

/** deleteStructFrom: removes the first struct item whose field `key` reads `value`. */
function deleteFromList(list: unknown[], elem: GoType | undefined, search: string, rest: readonly string[], key: string, value: string, scope: DeleteScope): string | null {
  if (rest.length !== 0) return "searching for complex paths in slices is not supported";
  if (search === "") return "searching for '' in a slice is not supported";
  if (!search.startsWith("[")) return "searching for non-integer keys in slices is not supported";
  const e = elem ? deref(elem) : undefined;
  // Items of `any` lists are interfaces, not structs: Go never matches them.
  if (!e || e.k !== "struct") return LOOKUP_FAILED;
  const f = e.byName.get(key);
  if (!f) return LOOKUP_FAILED;
  // Go compares the field's text: strings and Stringers match; numbers, bools and pointers never do.
  const comparable = (f.type.k === "scalar" && !/^(bool|u?int\d*|float\d+)$/.test(f.type.go)) || f.type.k === "special";
  if (!comparable) return LOOKUP_FAILED;
  return scope.take(list, key, value) ? null : LOOKUP_FAILED;
}
