import "server-only";

import { TALOS_API_PORT } from "@/lib/talos/constants";

import crypto from "node:crypto";
import { readFile } from "node:fs/promises";
import { isIP } from "node:net";

import { LineCounter, parseDocument, type Document } from "yaml";
import { z } from "zod";

import { AppError } from "@/lib/server/platform/errors";
import { readCertFacts, splitPemBlocks, type CertFacts } from "@/lib/server/talos/certs";
import { fromTalosKeyHeader } from "@/lib/talos/pki";

export { resolveTalosconfigPath, TALOS_SERVICE_ACCOUNT_CONFIG } from "@/lib/talosconfig-path";

/** apid's port (`constants.ApidPort`), added to endpoints that name none. */
export const TALOS_API_DEFAULT_PORT = TALOS_API_PORT;


// ---------------------------------------------------------------------------------------------
// Schemas
// ---------------------------------------------------------------------------------------------

/**
 * One context as written in the file (`pkg/machinery/client/config/config.go`). `ca`, `crt` and
 * `key` are optional here because talosctl omits them for Omni/SideroV1 contexts; Minos needs
 * them and says so when it turns the file into a {@link Talosconfig}. Unknown keys are dropped.
 */
export const talosconfigFileContextSchema = z.object({
  endpoints: z.array(z.string()).nullish(),
  nodes: z.array(z.string()).nullish(),
  ca: z.string().optional(),
  crt: z.string().optional(),
  key: z.string().optional(),
  auth: z.unknown().optional(),
  cluster: z.string().optional(),
  "proxy-url": z.string().optional(),
  /** Deprecated single endpoint, merged into `endpoints` as talosctl does. */
  target: z.string().optional(),
});

/** The talosconfig file as talosctl writes it. */
export const talosconfigFileSchema = z.object({
  context: z.string().nullish(),
  contexts: z.record(z.string(), talosconfigFileContextSchema.nullish()),
});
export type TalosconfigFile = z.infer<typeof talosconfigFileSchema>;

/** An endpoint the client dials; `address` is ready for grpc-js (`[v6]:port` bracketed). */
export const talosEndpointSchema = z.object({
  host: z.string(),
  port: z.number().int().min(1).max(65535),
  address: z.string(),
});
export type TalosEndpoint = z.infer<typeof talosEndpointSchema>;

/**
 * One usable context. `keyPem` is secret: never send it to the browser (omit it, e.g. with
 * `talosContextSchema.omit({ keyPem: true })`).
 */
export const talosContextSchema = z.object({
  name: z.string(),
  endpoints: z.array(talosEndpointSchema),
  nodes: z.array(z.string()),
  /** CA bundle (one or more certificates) that verifies apid's server certificate. */
  caPem: z.string(),
  certPem: z.string(),
  /** Always PKCS#8 (`PRIVATE KEY`), whatever the file used, so Node and grpc-js accept it. */
  keyPem: z.string(),
  /** The client certificate's Subject Organization values, e.g. ["os:admin"]. */
  roles: z.array(z.string()),
  certNotBefore: z.date(),
  certNotAfter: z.date(),
  /** One-line subject, e.g. "O=os:admin, CN=admin". */
  certSubject: z.string(),
  /** SHA-256, colon-separated hex. */
  certFingerprint: z.string(),
  cluster: z.string().optional(),
});
export type TalosContext = z.infer<typeof talosContextSchema>;

/** A parsed talosconfig: every context, in file order, and the current one. */
export const talosconfigSchema = z.object({
  /** Where it came from (a path, or a label such as "upload"), if known. */
  source: z.string().nullable(),
  /** The `context` key, or the only context when the key is empty; null if neither applies. */
  current: z.string().nullable(),
  contexts: z.array(talosContextSchema),
});
export type Talosconfig = z.infer<typeof talosconfigSchema>;

// ---------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------

/** What `AppError.details` holds for a talosconfig error. */
export interface TalosconfigErrorDetails {
  source: string | null;
  context: string | null;
  field: string | null;
  line?: number;
}

class Locator {
  constructor(
    private readonly doc: Document | null,
    private readonly lines: LineCounter,
  ) {}

  /** The 1-based line of the value at `p`, or of its nearest existing ancestor. */
  line(p: (string | number)[]): number | undefined {
    if (!this.doc) return undefined;
    for (let n = p.length; n > 0; n--) {
      const node = this.doc.getIn(p.slice(0, n), true) as { range?: [number, number, number] } | undefined;
      if (node?.range) return this.lines.linePos(node.range[0]).line;
    }
    return undefined;
  }
}

function talosconfigError(
  source: string | null,
  where: { context?: string; field?: string; line?: number; lineInProblem?: boolean },
  problem: string,
  cause?: unknown,
): AppError {
  const parts = [source ? `talosconfig ${source}` : "talosconfig"];
  if (where.context !== undefined) parts.push(`context ${JSON.stringify(where.context)}`);
  parts.push(where.field !== undefined ? `field ${JSON.stringify(where.field)} ${problem}` : problem);
  const suffix = where.line !== undefined && !where.lineInProblem ? ` (line ${where.line})` : "";
  const details: TalosconfigErrorDetails = {
    source,
    context: where.context ?? null,
    field: where.field ?? null,
    ...(where.line !== undefined ? { line: where.line } : {}),
  };
  return new AppError("misconfigured", parts.join(": ") + suffix, { details, cause });
}

const EXPECTED_NAMES: Record<string, string> = { array: "a list", object: "a mapping", record: "a mapping" };

function describeType(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "a list";
  if (typeof v === "object") return "a mapping";
  return `a ${typeof v}`;
}

// ---------------------------------------------------------------------------------------------
// Parsing
// ---------------------------------------------------------------------------------------------

/** Go's StdEncoding, strict: standard alphabet, canonical padding; line breaks tolerated. */
function decodeBase64(value: string): Buffer | null {
  const compact = value.replace(/\s+/g, "");
  if (compact === "" || compact.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(compact)) return null;
  const buf = Buffer.from(compact, "base64");
  return buf.toString("base64") === compact ? buf : null;
}

function splitHostPort(raw: string): { host: string; port: string | null } | null {
  if (raw.startsWith("[")) {
    const m = /^\[([^\]]+)\](?::([^:]*))?$/.exec(raw);
    return m ? { host: m[1]!, port: m[2] ?? null } : null;
  }
  const colons = raw.split(":").length - 1;
  if (colons === 0) return { host: raw, port: null };
  if (colons === 1) {
    const [host, port] = raw.split(":") as [string, string];
    return { host, port };
  }
  // Several colons without brackets: only a bare IPv6 address makes sense (Go's JoinHostPort
  // then brackets it).
  return isIP(raw) === 6 ? { host: raw, port: null } : null;
}

/** Parses "host", "host:port", "[v6]:port" or a bare IPv6 address; null when malformed. */
export function parseTalosEndpoint(raw: string): TalosEndpoint | null {
  const hp = splitHostPort(raw.trim());
  if (!hp || hp.host === "") return null;
  const { host } = hp;
  if (host.includes(":") ? isIP(host) !== 6 : !/^[A-Za-z0-9._-]+$/.test(host)) return null;
  let port = TALOS_API_DEFAULT_PORT;
  if (hp.port !== null) {
    if (!/^\d{1,5}$/.test(hp.port)) return null;
    port = Number(hp.port);
    if (port < 1 || port > 65535) return null;
  }
  return { host, port, address: host.includes(":") ? `[${host}]:${port}` : `${host}:${port}` };
}

type ContextInput = NonNullable<TalosconfigFile["contexts"][string]>;

function parseContext(name: string, raw: ContextInput, source: string | null, loc: Locator): TalosContext {
  const fail = (field: string, problem: string, p: (string | number)[] = [field], cause?: unknown) =>
    talosconfigError(source, { context: name, field, line: loc.line(["contexts", name, ...p]) }, problem, cause);

  const endpoints: TalosEndpoint[] = [];
  const rawEndpoints = [...(raw.endpoints ?? [])];
  if (raw.target && raw.target.trim() !== "") rawEndpoints.push(raw.target);
  rawEndpoints.forEach((e, i) => {
    const fromTarget = i >= (raw.endpoints?.length ?? 0);
    const endpoint = parseTalosEndpoint(e);
    if (!endpoint) {
      throw fromTarget
        ? fail("target", `(${JSON.stringify(e)}) is not host or host:port`)
        : fail(`endpoints[${i}]`, `(${JSON.stringify(e)}) is not host or host:port`, ["endpoints", i]);
    }
    if (!endpoints.some((x) => x.address === endpoint.address)) endpoints.push(endpoint);
  });

  const nodes = (raw.nodes ?? []).map((n, i) => {
    const node = n.trim();
    if (node === "") throw fail(`nodes[${i}]`, "is empty", ["nodes", i]);
    return node;
  });

  const pemField = (field: "ca" | "crt" | "key"): string => {
    const value = raw[field];
    if (value === undefined || value.trim() === "") {
      const hint = raw.auth !== undefined ? ` (contexts that authenticate through "auth", as Omni does, are not supported)` : "";
      throw fail(field, `is missing${hint}`);
    }
    const decoded = decodeBase64(value);
    if (!decoded) throw fail(field, "is not valid base64 PEM: the value is not base64");
    return decoded.toString("utf8");
  };

  const caText = pemField("ca");
  const caBlocks = splitPemBlocks(caText).filter((b) => b.label === "CERTIFICATE");
  if (caBlocks.length === 0) throw fail("ca", "is not valid base64 PEM: no CERTIFICATE block");
  for (const block of caBlocks) {
    try {
      new crypto.X509Certificate(block.pem);
    } catch (e) {
      throw fail("ca", "is not valid base64 PEM: a certificate in the bundle cannot be parsed", ["ca"], e);
    }
  }

  const crtBlock = splitPemBlocks(pemField("crt")).find((b) => b.label === "CERTIFICATE");
  if (!crtBlock) throw fail("crt", "is not valid base64 PEM: no CERTIFICATE block");
  let cert: crypto.X509Certificate;
  try {
    cert = new crypto.X509Certificate(crtBlock.pem);
  } catch (e) {
    throw fail("crt", "is not valid base64 PEM: the certificate cannot be parsed", ["crt"], e);
  }

  const keyBlocks = splitPemBlocks(pemField("key"));
  if (keyBlocks.some((b) => b.label === "ENCRYPTED PRIVATE KEY")) {
    throw fail("key", "is an encrypted private key, which talosconfig does not support");
  }
  const keyBlock = keyBlocks.find((b) => /^(|ED25519 |EC |RSA )PRIVATE KEY$/.test(b.label));
  if (!keyBlock) throw fail("key", "is not valid base64 PEM: no PRIVATE KEY block");
  let key: crypto.KeyObject;
  try {
    key = crypto.createPrivateKey(fromTalosKeyHeader(keyBlock.pem));
  } catch (e) {
    throw fail("key", "is not valid base64 PEM: the private key cannot be parsed", ["key"], e);
  }
  if (!cert.checkPrivateKey(key)) throw fail("key", `does not match the certificate in "crt"`);

  let facts: CertFacts;
  try {
    facts = readCertFacts(crtBlock.pem);
  } catch (e) {
    throw fail("crt", "is not valid base64 PEM: the certificate cannot be parsed", ["crt"], e);
  }
  return {
    name,
    endpoints,
    nodes,
    caPem: caBlocks.map((b) => b.pem).join(""),
    certPem: crtBlock.pem,
    keyPem: key.export({ type: "pkcs8", format: "pem" }).toString(),
    roles: facts.organizations,
    certNotBefore: facts.notBefore,
    certNotAfter: facts.notAfter,
    certSubject: facts.subject,
    certFingerprint: facts.fingerprint256,
    ...(raw.cluster ? { cluster: raw.cluster } : {}),
  };
}

/**
 * Parses talosconfig YAML: every context, endpoints with the default port 50000, the deprecated
 * `target` merged into endpoints, `ca`/`crt`/`key` decoded from base64 PEM, Talos's
 * `ED25519 PRIVATE KEY` header rewritten to PKCS#8, the key checked against the certificate, and
 * the certificate's roles (Subject O values) and validity exposed.
 *
 * @param source where the text came from (a path or "upload"), quoted in error messages.
 * @throws AppError "misconfigured" whose message names the source, context and field at fault
 *   (and the line when known), with the same in `details` ({@link TalosconfigErrorDetails}).
 */
export function parseTalosconfig(text: string, source?: string): Talosconfig {
  const src = source ?? null;
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines });
  const first = doc.errors[0];
  if (first) {
    const pos = first.linePos?.[0];
    const what = first.message.split("\n")[0]!.replace(/ at line \d+, column \d+:?$/, "");
    const at = pos ? ` at line ${pos.line}, column ${pos.col}` : "";
    throw talosconfigError(src, { line: pos?.line, lineInProblem: true }, `is not valid YAML${at}: ${what}`);
  }
  const loc = new Locator(doc, lines);

  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 100 });
  } catch (e) {
    throw talosconfigError(src, {}, "is not valid YAML: too many aliases", e);
  }
  if (data === null || data === undefined) throw talosconfigError(src, {}, "is empty");
  if (typeof data !== "object" || Array.isArray(data)) {
    throw talosconfigError(src, {}, `is ${describeType(data)}, not a mapping with "context" and "contexts"`);
  }

  const parsed = talosconfigFileSchema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const p = issue.path.filter((s): s is string | number => typeof s !== "symbol");
    let value: unknown = data;
    for (const s of p) value = value && typeof value === "object" ? (value as Record<string | number, unknown>)[s] : undefined;
    const expected = issue.code === "invalid_type" ? (EXPECTED_NAMES[issue.expected] ?? `a ${issue.expected}`) : null;
    const problem = value === undefined ? "is missing" : expected ? `must be ${expected}, not ${describeType(value)}` : issue.message;
    const line = loc.line(p);
    if (p[0] === "contexts" && p.length >= 3) {
      const field = p.slice(2).map((s, i) => (typeof s === "number" ? `[${s}]` : i === 0 ? s : `.${s}`)).join("");
      throw talosconfigError(src, { context: String(p[1]), field, line }, problem);
    }
    if (p[0] === "contexts" && p.length === 2) {
      throw talosconfigError(src, { context: String(p[1]), line }, problem);
    }
    throw talosconfigError(src, { field: String(p[0] ?? "contexts"), line }, problem);
  }

  const file = parsed.data;
  const names = Object.keys(file.contexts);
  if (names.length === 0) throw talosconfigError(src, { field: "contexts", line: loc.line(["contexts"]) }, "defines no context");

  const contexts = names.map((name) => parseContext(name, file.contexts[name] ?? {}, src, loc));

  let current: string | null = null;
  if (file.context) {
    if (!names.includes(file.context)) {
      throw talosconfigError(src, { field: "context", line: loc.line(["context"]) }, `names context ${JSON.stringify(file.context)}, which is not defined`);
    }
    current = file.context;
  } else if (names.length === 1) {
    current = names[0]!;
  }
  return { source: src, current, contexts };
}

/** The named context, else the current one. */
export function getTalosContextOrThrow(config: Talosconfig, name?: string): TalosContext {
  const wanted = name ?? config.current;
  const found = wanted === null ? undefined : config.contexts.find((c) => c.name === wanted);
  if (!found) {
    throw talosconfigError(
      config.source,
      { field: "context" },
      wanted === null ? "is not set and the file has several contexts: choose one" : `names context ${JSON.stringify(wanted)}, which is not defined`,
    );
  }
  return found;
}

// ---------------------------------------------------------------------------------------------
// Locating and loading
// ---------------------------------------------------------------------------------------------

/** Reads and parses the talosconfig at `file`. @throws AppError "misconfigured" naming the path. */
export async function loadTalosconfig(file: string): Promise<Talosconfig> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === "ENOENT" ? "does not exist" : code === "EACCES" ? "is not readable (permission denied)" : code === "EISDIR" ? "is a directory" : `cannot be read (${code ?? "unknown error"})`;
    throw talosconfigError(file, {}, `file ${why}`, e);
  }
  return parseTalosconfig(text, file);
}
