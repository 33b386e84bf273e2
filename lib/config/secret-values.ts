/**
 * Value rules: secrets inside a piece of text, wherever it sits in a config (an env entry, a
 * kernel argument, a URL, a file's contents, a comment) or in a message. Pure and isomorphic.
 */
import { isSensitiveName, nameStrength } from "./schema/secrets";

/** What a secret value reads as once redacted: the marker Talos uses in its own redacted configs. */
export const REDACTED = "******";

/** A secret inside a text: [start, end) in UTF-16 units. */
export interface Piece {
  start: number;
  end: number;
}

const PEM_PRIVATE_KEY = /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----/;
/** base64 of "-----BEGIN": a base64 PEM, as v1alpha1 writes keys. */
const B64_PEM = /^\s*LS0tLS1CRUdJTi[A-Za-z0-9+/=\s]*$/;
const URL_USERINFO = /(?<![a-z0-9+.-])[a-z][a-z0-9+.-]*:\/\/([^\s/?#@"'<>]*)@/gi;
/** `name=value`: env entries, kernel arguments, `--flag=value`, URL query parameters. */
const ASSIGNMENT = /(?<![A-Za-z0-9_.-])-{0,2}([A-Za-z_][A-Za-z0-9_.-]*)=/g;
/** Parameter names that are credentials only inside a URL query (Google API keys, SAS signatures). */
const QUERY_ONLY = new Set(["key", "sig", "signature", "code", "access_token"]);
/** `name: value` / `"name": "value"` in embedded YAML or JSON (file contents, manifests, comments). */
const KEY_VALUE = /(?<![A-Za-z0-9_.-])["']?([A-Za-z_][\w.-]*)["']?[ \t]*:[ \t]*(?:"((?:[^"\\\n]|\\.)*)"|'([^'\n]*)'|([^\s,{}[\]#'"][^,{}[\]\n#"]*))/g;
const AUTH_SCHEME = /\b(?:Bearer|Basic)[ \t]+([A-Za-z0-9._~+/=-]{8,})/g;

function decodesToPrivateKey(text: string): boolean {
  if (!B64_PEM.test(text)) return false;
  try {
    const bin = atob(text.replace(/\s+/g, ""));
    return PEM_PRIVATE_KEY.test(bin);
  } catch {
    return false;
  }
}

/** Pieces sorted, overlapping and touching ones joined. */
export function mergePieces(pieces: readonly Piece[]): Piece[] {
  const sorted = pieces.filter((p) => p.end > p.start).sort((a, b) => a.start - b.start || b.end - a.end);
  const out: Piece[] = [];
  for (const p of sorted) {
    const last = out[out.length - 1];
    if (last && p.start <= last.end) last.end = Math.max(last.end, p.end);
    else out.push({ ...p });
  }
  return out;
}

/** End of a value that starts at `from`: up to whitespace, a quote, `&`, `;` or `#`. */
const VALUE_END = /[\s"'<>&;#]/g;
function valueEnd(text: string, from: number): number {
  VALUE_END.lastIndex = from;
  const m = VALUE_END.exec(text);
  return m ? m.index : text.length;
}

/**
 * The secrets inside `text`, or "whole" when the text as a whole is one (a private key, PEM or
 * base64 of PEM). Credentials in URLs (the userinfo password; a userinfo that is a bare token),
 * secret-named `NAME=value` assignments and query parameters (jointoken, token, password…),
 * secret-named `name: value` entries of embedded YAML/JSON, and Bearer/Basic credentials.
 */
export function secretPieces(text: string): Piece[] | "whole" {
  if (PEM_PRIVATE_KEY.test(text) || decodesToPrivateKey(text)) return "whole";
  const pieces: Piece[] = [];
  if (text.includes("@")) {
    for (const m of text.matchAll(URL_USERINFO)) {
      const info = m[1]!;
      const at = m.index + m[0].length - 1 - info.length;
      const colon = info.indexOf(":");
      if (colon >= 0) pieces.push({ start: at + colon + 1, end: at + info.length });
      else if (info.length >= 20 && /^[A-Za-z0-9_.~%-]+$/.test(info)) pieces.push({ start: at, end: at + info.length });
    }
  }
  if (text.includes("=")) {
    for (const m of text.matchAll(ASSIGNMENT)) {
      const name = m[1]!;
      const prev = m.index > 0 ? text[m.index - 1] : "";
      const inQuery = prev === "?" || prev === "&";
      if (!isSensitiveName(name) && !(inQuery && QUERY_ONLY.has(name.toLowerCase()))) continue;
      const start = m.index + m[0].length;
      pieces.push({ start, end: valueEnd(text, start) });
    }
  }
  if (text.includes(":")) {
    for (const m of text.matchAll(KEY_VALUE)) {
      if (!isSensitiveName(m[1]!)) continue;
      const inner = m[2] ?? m[3] ?? m[4] ?? "";
      const trimmed = inner.replace(/\s+$/, "");
      if (trimmed === "" || trimmed === "|" || trimmed === ">") continue;
      const start = m.index + m[0].length - inner.length - (m[2] !== undefined || m[3] !== undefined ? 1 : 0);
      pieces.push({ start, end: start + trimmed.length });
    }
  }
  if (/Bearer|Basic/.test(text)) {
    for (const m of text.matchAll(AUTH_SCHEME)) {
      const start = m.index + m[0].length - m[1]!.length;
      pieces.push({ start, end: start + m[1]!.length });
    }
  }
  if (text.includes("LS0tLS1CRUdJTi")) {
    for (const m of text.matchAll(B64_PEM_WORD)) if (decodesToPrivateKey(m[0])) pieces.push({ start: m.index, end: m.index + m[0].length });
  }
  if (SECRET_KIND.test(text)) pieces.push(...kubernetesSecretData(text));
  return mergePieces(pieces);
}

/** A base64 PEM inside a larger text (a manifest's `tls.key`, a kubeconfig's key data). */
const B64_PEM_WORD = /LS0tLS1CRUdJTi[A-Za-z0-9+/=]*/g;
const DATA_BLOCK = /^([ \t]*)(?:data|stringData):[ \t]*$/;
// Line-anchored with [ \t] (never \s, which spans lines) and greedy tails: linear on any input.
const SECRET_KIND = /^[ \t]*kind:[ \t]*["']?Secret["']?[ \t]*$/m;
const ENTRY = /^([ \t]*)(?:"[^"\n]*"|'[^'\n]*'|[^\s:#][^:\n]*?):[ \t]+(\S.*)$/;

/**
 * The values under `data:` and `stringData:` of each Kubernetes Secret in embedded manifests
 * (inline manifests, files): every entry is a secret, whatever its key is named.
 */
function kubernetesSecretData(text: string): Piece[] {
  const pieces: Piece[] = [];
  let offset = 0;
  for (const part of text.split(/(?<=\n)(?=---[ \t]*(?:\n|$))/)) {
    if (SECRET_KIND.test(part)) {
      let block: number | null = null;
      /** Indentation of an entry whose value is a block scalar: deeper lines are its value. */
      let scalar: number | null = null;
      let at = offset;
      for (const line of part.split("\n")) {
        const indent = /^[ \t]*/.exec(line)![0].length;
        if (scalar !== null && line.trim() !== "" && indent > scalar) {
          pieces.push({ start: at + indent, end: at + line.trimEnd().length });
          at += line.length + 1;
          continue;
        }
        scalar = null;
        if (block !== null && line.trim() !== "" && indent <= block) block = null;
        const entry = block !== null ? ENTRY.exec(line) : null;
        const value = entry ? entry[2]!.trimEnd() : "";
        if (entry && /^[|>][-+0-9]*$/.test(value)) scalar = indent;
        else if (entry && !value.startsWith("#")) {
          const start = at + line.length - entry[2]!.length;
          pieces.push({ start, end: start + value.length });
        }
        const open = DATA_BLOCK.exec(line);
        if (open) block = open[1]!.length;
        at += line.length + 1;
      }
    }
    offset += part.length;
  }
  return pieces;
}

/** `text` with each piece replaced by `marker`. */
export function replacePieces(text: string, pieces: readonly Piece[], marker = REDACTED): string {
  let out = "";
  let at = 0;
  for (const p of pieces) {
    out += text.slice(at, p.start) + marker;
    at = p.end;
  }
  return out + text.slice(at);
}

/** Where `secret` occurs in `text`, each occurrence a piece. */
function occurrences(text: string, secret: string): Piece[] {
  const out: Piece[] = [];
  for (let i = text.indexOf(secret); i >= 0; i = text.indexOf(secret, i + secret.length)) out.push({ start: i, end: i + secret.length });
  return out;
}

/** Shortest known secret searched for by its text: shorter ones would hit ordinary words. */
export const MIN_KNOWN_SECRET = 6;
/** A message's run of at least this many characters that also occurs in a secret is part of it. */
const MIN_RUN = 8;
/** Longer secrets (whole files) are searched for whole occurrences only. */
const MAX_RUN_SECRET = 16 * 1024;

/** Known secrets prepared for searching (each form once), see {@link knownSecretPieces}. */
export interface KnownSecrets {
  readonly long: readonly string[];
  readonly short: readonly string[];
}

/** Prepares secrets for many searches: their raw and JSON-escaped forms, deduplicated. */
export function prepareSecrets(secrets: Iterable<string>): KnownSecrets {
  const long = new Set<string>();
  const short = new Set<string>();
  for (const secret of secrets) {
    if (secret === "" || secret === REDACTED) continue;
    for (const form of [secret, JSON.stringify(secret).slice(1, -1)]) (form.length < MIN_KNOWN_SECRET ? short : long).add(form);
  }
  return { long: [...long], short: [...short] };
}

/**
 * Pieces of `text` that are (parts of) known secrets: whole occurrences of each secret of at
 * least {@link MIN_KNOWN_SECRET} characters (in its JSON-escaped form too), and, for long ones, any
 * run of {@link MIN_RUN}+ characters copied from it when `runs` (a message that quotes a
 * truncated value; O(text × secret), so for short texts only). Shorter secrets count only
 * quoted ("x", `x`, 'x'), or with `runs` also as a whole word.
 */
export function knownSecretPieces(text: string, secrets: Iterable<string> | KnownSecrets, opts: { runs?: boolean } = {}): Piece[] {
  const known = "long" in secrets && "short" in secrets ? (secrets as KnownSecrets) : prepareSecrets(secrets as Iterable<string>);
  const pieces: Piece[] = [];
  for (const form of known.short) {
    for (const q of ['"', "`", "'"]) for (const p of occurrences(text, `${q}${form}${q}`)) pieces.push({ start: p.start + 1, end: p.end - 1 });
    // Next to its own place (runs), a short secret counts as a word too.
    if (opts.runs && form.length >= 3) {
      for (const p of occurrences(text, form)) if (!/[A-Za-z0-9]/.test(text[p.start - 1] ?? "") && !/[A-Za-z0-9]/.test(text[p.end] ?? "")) pieces.push(p);
    }
  }
  for (const form of known.long) {
    pieces.push(...occurrences(text, form));
    if (opts.runs && form.length >= MIN_RUN && form.length <= MAX_RUN_SECRET && text.length >= MIN_RUN) pieces.push(...copiedRuns(text, form));
  }
  return mergePieces(pieces);
}

/** Maximal runs of `text` (≥ MIN_RUN long) that occur in `secret`. */
function copiedRuns(text: string, secret: string): Piece[] {
  const out: Piece[] = [];
  let i = 0;
  while (i + MIN_RUN <= text.length) {
    if (!secret.includes(text.slice(i, i + MIN_RUN))) {
      i++;
      continue;
    }
    let end = i + MIN_RUN;
    while (end < text.length && secret.includes(text.slice(i, end + 1))) end++;
    out.push({ start: i, end });
    i = end;
  }
  return out;
}

/**
 * `text` (a message, a comment, an audit detail) with every secret the value rules find and
 * every known secret replaced by {@link REDACTED}.
 */
export function scrubText(text: string, knownSecrets: Iterable<string> | KnownSecrets = [], opts: { runs?: boolean } = {}): string {
  const rules = secretPieces(text);
  if (rules === "whole") return REDACTED;
  const pieces = mergePieces([...rules, ...knownSecretPieces(text, knownSecrets, opts)]);
  return pieces.length === 0 ? text : replacePieces(text, pieces);
}

/**
 * A JSON-like value (audit details, an error's details) with every string scrubbed
 * ({@link scrubText}) and the value of every secret-named key replaced by {@link REDACTED}.
 * Keys themselves are kept; the input is not modified.
 */
export function scrubJson<T>(value: T, secrets: Iterable<string> = []): T {
  const knownSecrets = prepareSecrets(secrets);
  const seen = new WeakSet<object>();
  const walk = (v: unknown): unknown => {
    if (typeof v === "string") return scrubText(v, knownSecrets);
    if (v === null || typeof v !== "object") return v;
    if (seen.has(v)) return null;
    seen.add(v);
    if (Array.isArray(v)) return v.map(walk);
    if (v instanceof Date) return v;
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) {
      const strength = nameStrength(k);
      const secret = strength === "strong" || (strength === "weak" && (x === null || typeof x !== "object"));
      out[k] = secret && x !== null && x !== undefined && x !== "" ? REDACTED : walk(x);
    }
    return out;
  };
  return walk(value) as T;
}
