/**
 * Where the secrets of a machine config are, derived from the `secret` marks of the field table
 * (every minor at once: a field that is secret in any version is secret). Redaction
 * (lib/config/redact.ts) and the validator's message scrubbing walk a document with a
 * {@link SecretCursor}; anything the table does not type (free-form maps such as `extraArgs`,
 * env maps, unknown fields, wrongly shaped values) falls back to {@link isSensitiveName}.
 */
import type { SecretMark, TypeSpec } from "./table";
import { KIND_BY_NAME, TYPE_TABLE } from "./registry";

export type { SecretMark } from "./table";

/** One position in a document: the type expressions it may have (one per minor that differs). */
export interface SecretCursor {
  readonly exprs: readonly string[];
  /** Untyped here: only names say what is secret. */
  readonly free: boolean;
  /** The position is a map whose values are secret (`secret: "values"`). */
  readonly valuesSecret: boolean;
}

/**
 * How a value is secret: a table mark, or `"leaf"` for a name that is a secret's only when it
 * holds a scalar or a list (`authorization: Bearer …`, not kubelet's `authorization: {mode: …}`,
 * whose entries are looked at one by one).
 */
export type StepMark = SecretMark | "leaf";

export interface SecretStep {
  readonly cursor: SecretCursor;
  /** How the value at this key is secret, or null when it is not (its children may be). */
  readonly mark: StepMark | null;
}

const FREE: SecretCursor = { exprs: [], free: true, valuesSecret: false };

/** The cursor at the root of a document of `kind` ("v1alpha1" or a `kind`); unknown kinds are free. */
export function documentCursor(kind: string | null): SecretCursor {
  const spec = kind === null ? undefined : KIND_BY_NAME.get(kind);
  return spec ? { exprs: [spec.type], free: false, valuesSecret: false } : FREE;
}

const shapesOf = (t: string | ReadonlyArray<readonly [string, string]>): string[] => (typeof t === "string" ? [t] : t.map(([, e]) => e));

const SCALAR_EXPR = /^(?:string|integer|boolean|duration|cidr|ip|ipOrCidr|mac|hostname|dnsName|hostPort|addrPort|duid|port|portRanges|byteSize|volumeSize|diskSize|sizeMatcher|failOverMac|hardwareAddr|base64|b64pem|pem|machineType|enum\(.*\)|text\(.*\)|url\(.*\))$/;

const stepCache = new Map<string, SecretStep>();

function strongest(a: StepMark | null, b: StepMark | null | undefined): StepMark | null {
  if (a === true || b === true) return true;
  return a ?? b ?? null;
}

/**
 * The cursor one key further down. Numbers are list indexes; a string key of a list (or a
 * child of a scalar) is a wrongly shaped value and leaves the typed part of the table.
 */
export function childCursor(at: SecretCursor, key: string | number): SecretStep {
  const cacheKey = `${at.exprs.join(",")}|${at.free ? 1 : 0}|${at.valuesSecret ? 1 : 0}|${typeof key}|${key}`;
  const cached = stepCache.get(cacheKey);
  if (cached) return cached;
  const step = computeStep(at, key);
  if (stepCache.size > 20_000) stepCache.clear();
  stepCache.set(cacheKey, step);
  return step;
}

function computeStep(at: SecretCursor, key: string | number): SecretStep {
  const name = String(key);
  const exprs: string[] = [];
  let free = at.free;
  let mark: StepMark | null = at.valuesSecret ? true : null;
  let nameMatters = at.free;
  for (const expr of at.exprs) {
    if (expr.startsWith("[]")) {
      if (typeof key === "number") exprs.push(expr.slice(2));
      else free = nameMatters = true;
      continue;
    }
    const map = /^map\[(.+)\]$/.exec(expr)?.[1];
    if (map) {
      exprs.push(map);
      // A map of scalars (env, headers, labels) says by its key names what its values are.
      if (SCALAR_EXPR.test(map)) nameMatters = true;
      continue;
    }
    if (expr === "object" || expr === "extraArgs") {
      free = nameMatters = true;
      continue;
    }
    if (SCALAR_EXPR.test(expr)) {
      free = nameMatters = true;
      continue;
    }
    const type: TypeSpec | undefined = TYPE_TABLE[expr];
    const field = type && typeof key === "string" && Object.hasOwn(type.fields, key) ? type.fields[key] : undefined;
    if (field) {
      exprs.push(...shapesOf(field.t));
      mark = strongest(mark, field.secret);
    } else {
      free = nameMatters = true;
    }
  }
  if (nameMatters && typeof key === "string") {
    const strength = nameStrength(name);
    if (strength !== null) mark = strongest(mark, strength === "strong" ? true : "leaf");
  }
  const unique = [...new Set(exprs)];
  const cursor: SecretCursor = { exprs: unique, free: free || unique.length === 0, valuesSecret: mark === "values" };
  return { cursor, mark };
}

// ---- names ----

/** Words that make a name a secret's name when a word ends with one (jointoken, PGPASSWORD). */
const SECRET_SUFFIXES = ["token", "secret", "password", "passwd", "passphrase", "credential", "credentials"];
/** Whole words that are secret on their own. */
const STRONG_WORDS = new Set(["pwd", "pass", "apikey", "psk", "privatekey", "presharedkey"]);
/** Words that are a secret's name when they hold a scalar (elsewhere they name settings). */
const WEAK_WORDS = new Set(["auth", "authorization", "bearer", "cookie"]);
/** Two-word secrets (api key, private key…); `key` alone is also a taint's or a label's key. */
const KEY_QUALIFIERS = new Set(["api", "access", "private", "secret", "client", "preshared", "signing", "encryption", "session", "master"]);
/** A last word that turns a secret's name into something about it (a name, a file, a TTL). */
const NOT_THE_SECRET = new Set(["name", "names", "ref", "file", "path", "ttl", "id", "url", "endpoint", "type", "length", "size", "prefix", "kind", "enabled", "mode", "count", "format", "source", "sources", "duration", "dir", "hash"]);

function words(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .replace(/([A-Z]+)([A-Z][a-z])/g, "$1 $2")
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
}

/**
 * Whether a key, an environment variable or a URL parameter named `name` holds a secret:
 * GITHUB_TOKEN, jointoken, clientSecret, AWS_SECRET_ACCESS_KEY, Authorization, X-Api-Key.
 * Not: secretName, tokenTTL, token-auth-file, AWS_ACCESS_KEY_ID.
 */
export function isSensitiveName(name: string): boolean {
  return nameStrength(name) !== null;
}

/**
 * "strong": the value is a secret whatever its shape (a token, a password); "weak": only as a
 * scalar (`auth`, `authorization`, `cookie` also name maps of settings); null: not a secret's name.
 */
export function nameStrength(name: string): "strong" | "weak" | null {
  let known = nameCache.get(name);
  if (known === undefined) {
    known = classify(name);
    if (nameCache.size > 10_000) nameCache.clear();
    nameCache.set(name, known);
  }
  return known;
}

const nameCache = new Map<string, "strong" | "weak" | null>();

function classify(name: string): "strong" | "weak" | null {
  const w = words(name);
  if (w.length === 0) return null;
  if (NOT_THE_SECRET.has(w[w.length - 1]!)) return null;
  let weak = false;
  for (let i = 0; i < w.length; i++) {
    const word = w[i]!;
    if (SECRET_SUFFIXES.some((s) => word.endsWith(s))) return "strong";
    if (word === "key" && i > 0 && KEY_QUALIFIERS.has(w[i - 1]!)) return "strong";
    if (STRONG_WORDS.has(word)) return "strong";
    if (WEAK_WORDS.has(word)) weak = true;
  }
  return weak ? "weak" : null;
}

// ---- the list, for tests and docs ----

export interface SecretField {
  /** Document kind ("v1alpha1" or a `kind`). */
  readonly kind: string;
  /** Path from the document root; `*` is any map key, `0` any list index. */
  readonly path: readonly (string | number)[];
  readonly mark: SecretMark;
}

let secretFieldList: SecretField[] | null = null;

/** Every field marked secret in the table, by document kind and path (all minors). */
export function secretFields(): readonly SecretField[] {
  if (secretFieldList) return secretFieldList;
  const out: SecretField[] = [];
  const walk = (kind: string, expr: string, path: (string | number)[], stack: Set<string>) => {
    if (expr.startsWith("[]")) return walk(kind, expr.slice(2), [...path, 0], stack);
    const map = /^map\[(.+)\]$/.exec(expr)?.[1];
    if (map) return walk(kind, map, [...path, "*"], stack);
    const type = TYPE_TABLE[expr];
    if (!type || stack.has(expr)) return;
    stack.add(expr);
    for (const [field, spec] of Object.entries(type.fields)) {
      if (spec.secret !== undefined) out.push({ kind, path: [...path, field], mark: spec.secret });
      else for (const shape of new Set(shapesOf(spec.t))) walk(kind, shape, [...path, field], stack);
    }
    stack.delete(expr);
  };
  for (const spec of KIND_BY_NAME.values()) walk(spec.kind, spec.type, [], new Set());
  secretFieldList = out;
  return out;
}
