/**
 * Semantic equality of two machine configs: the adoption invariant (the manifest's render equals
 * the running config) and per-cluster drift both ask it. Documents are matched the way Talos
 * identifies them (the v1alpha1 document by its `version`/legacy keys, the others by
 * apiVersion/kind and, for named kinds, name), so their order does not matter; values are
 * compared as YAML-typed values (key order, quoting and indentation ignored, lists ordered).
 *
 * By default both sides are first read and re-encoded the way Talos does (lib/config/patch:
 * strict decode, Talos's encoder), so values Talos reads alike compare alike (`1m` and `1m0s`,
 * `262144` and `"262144"` in a string field, a field written with its zero value or left out).
 * A side Talos would refuse is compared as written, and so is the other side then.
 */
import { applyPatches } from "@/lib/config/patch";
import { documentType } from "@/lib/config/patch/types";
import { parseConfigYaml } from "@/lib/config/parse";
import { documentKind } from "@/lib/talos/documents";

export interface CompareOptions {
  /** The most paths listed; past it the last entry says `+N more`. Default 50. */
  limit?: number;
  /** Read both sides through Talos's decoder and encoder first (default true). */
  canonical?: boolean;
}

/** The default cap on listed paths. */
export const DIFFERENCE_LIMIT = 50;

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array);

/** The config as Talos writes it after reading it, or null when Talos would refuse it. */
export function canonicalConfig(text: string): string | null {
  try {
    return applyPatches(text, [], { output: "config" });
  } catch {
    return null;
  }
}

interface Doc {
  /** Identity, as Talos keys documents. */
  id: string;
  /** How paths inside it are named: "" for v1alpha1, else `Kind` or `Kind/name`. */
  label: string;
  value: unknown;
}

function isNamedKind(kind: string): boolean {
  const t = documentType(kind);
  return t?.k === "struct" && t.byName.has("name");
}

/** The documents of a config, by identity. Unreadable text is one document holding the text. */
function documentsOf(text: string): Map<string, Doc> {
  const out = new Map<string, Doc>();
  const parsed = parseConfigYaml(text);
  if (parsed.issues.some((i) => i.severity === "error")) {
    out.set("(unreadable)", { id: "(unreadable)", label: "(unreadable config)", value: text });
    return out;
  }
  parsed.documents.forEach((d, i) => {
    const value = d.value;
    const head = isObj(value) ? value : {};
    const kind = documentKind(head);
    let id: string;
    let label: string;
    if (kind === "v1alpha1") {
      id = "v1alpha1";
      label = "";
    } else if (kind !== null) {
      // Unknown kinds keep their name too: two of one kind must not collide.
      const named = isNamedKind(kind) || (!documentType(kind) && head.name !== undefined);
      const name = named ? String(head.name ?? "") : "";
      id = `${String(head.apiVersion ?? "")}/${kind}${named ? `/${name}` : ""}`;
      label = named ? `${kind}/${name}` : kind;
    } else {
      id = `(document ${i + 1})`;
      label = id;
    }
    // A document twice (Talos refuses that): keep both apart so neither hides the other.
    if (out.has(id)) id = `${id}#${i}`;
    out.set(id, { id, label, value });
  });
  return out;
}

class Collector {
  readonly paths: string[] = [];
  more = 0;
  constructor(private readonly limit: number) {}
  add(path: string): void {
    if (this.paths.length < this.limit) this.paths.push(path);
    else this.more++;
  }
}

const join = (base: string, key: string) => (base === "" ? key : `${base}.${key}`);

function sameScalar(a: unknown, b: unknown): boolean {
  if (a instanceof Uint8Array && b instanceof Uint8Array) return a.length === b.length && a.every((x, i) => x === b[i]);
  if (typeof a === "number" && typeof b === "number") return a === b || (Number.isNaN(a) && Number.isNaN(b));
  return a === b;
}

/** Walks both values, adding each differing path (past the cap they are counted for "+N more"). */
function walk(a: unknown, b: unknown, path: string, out: Collector): void {
  if (isObj(a) && isObj(b)) {
    for (const k of Object.keys(a)) {
      if (Object.hasOwn(b, k)) walk(a[k], b[k], join(path, k), out);
      else out.add(join(path, k));
    }
    for (const k of Object.keys(b)) if (!Object.hasOwn(a, k)) out.add(join(path, k));
    return;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    const n = Math.max(a.length, b.length);
    for (let i = 0; i < n; i++) {
      if (i < a.length && i < b.length) walk(a[i], b[i], `${path}[${i}]`, out);
      else out.add(`${path}[${i}]`);
    }
    return;
  }
  if (!sameScalar(a, b)) out.add(path === "" ? "(document)" : path);
}

/**
 * The paths where config `b` differs from config `a` (`machine.sysctls.vm.max_map_count`,
 * `HostnameConfig.hostname`, `RegistryMirrorConfig/docker.io.endpoints[0].url`), `+ Kind` for a
 * document only `b` has and `- Kind` for one only `a` has; [] when they are equal. At most
 * `limit` paths, then `+N more`.
 */
export function configDifferences(a: string, b: string, opts: CompareOptions = {}): string[] {
  const limit = Math.max(1, opts.limit ?? DIFFERENCE_LIMIT);
  if (a === b) return [];
  let left = a;
  let right = b;
  if (opts.canonical !== false) {
    const ca = canonicalConfig(a);
    const cb = ca === null ? null : canonicalConfig(b);
    if (ca !== null && cb !== null) {
      if (ca === cb) return [];
      left = ca;
      right = cb;
    }
  }
  const da = documentsOf(left);
  const db = documentsOf(right);
  const out = new Collector(limit);
  for (const [id, d] of da) {
    const other = db.get(id);
    if (!other) out.add(`- ${d.label || "v1alpha1"}`);
    else walk(d.value, other.value, d.label, out);
  }
  for (const [id, d] of db) if (!da.has(id)) out.add(`+ ${d.label || "v1alpha1"}`);
  return out.more > 0 ? [...out.paths, `+${out.more} more`] : out.paths;
}
