/**
 * The zod schemas of every Talos machine-config document kind, per Talos minor: the source of
 * truth for the validator (lib/config/validate.ts), the HTTP API, the CLI and, through
 * configJsonSchema(), the editor's completion and hover docs.
 *
 * Issue contract: an issue with `params.severity === "warning"` is a warning (deprecated
 * field, `machine.type: join`); every other issue is an error.
 */
import { z } from "zod";
import { TALOS_MINORS, type TalosMinor } from "@/lib/config/types";
import { Builder, type BuildMode } from "./build";
import { KIND_TABLE } from "./kinds";
import { KIND_BY_NAME, TYPE_TABLE } from "./registry";
import { minorBefore } from "./versions";

export { toTalosMinor } from "./versions";
export { WARNING } from "./build";

/** Every document kind Minos knows: "v1alpha1" (the `version: v1alpha1` document) plus each `kind`. */
export const DOCUMENT_KINDS: readonly string[] = KIND_TABLE.map((k) => k.kind);

/** The minor a kind first appeared in ("v1alpha1" → "1.10"); null for unknown kinds. */
export function kindSince(kind: string): TalosMinor | null {
  return KIND_BY_NAME.get(kind)?.since ?? null;
}

const NAMED = new Set(
  KIND_TABLE.filter((k) => k.kind !== "v1alpha1" && Object.hasOwn(TYPE_TABLE[k.type]?.fields ?? {}, "name")).map(
    (k) => k.kind,
  ),
);

/** Whether a kind is named (has a `name`; once per name) rather than a singleton (once per config). */
export function kindIsNamed(kind: string): boolean {
  return NAMED.has(kind);
}

const builders = new Map<string, Builder>();

function builder(mode: BuildMode): Builder {
  const key = `${mode.version}|${mode.patch ? 1 : 0}|${mode.json ? 1 : 0}`;
  let b = builders.get(key);
  if (!b) {
    b = new Builder(mode);
    builders.set(key, b);
  }
  return b;
}

/**
 * The zod schema for one document of `kind` as Talos `version` decodes it (memoized). `patch`:
 * nothing required and `$patch: delete` allowed on maps and list items. A kind newer than
 * `version` or unknown gives a schema that reports that at `kind` (`version` for v1alpha1).
 */
export function documentSchema(kind: string, version: TalosMinor, opts?: { patch?: boolean }): z.ZodType {
  return builder({ version, patch: opts?.patch ?? false, json: false }).document(kind);
}

const jsonSchemas = new Map<TalosMinor, Record<string, unknown>>();

/**
 * JSON Schema (draft 2020-12) for monaco-yaml: a document is oneOf the v1alpha1 document and each
 * kind `version` knows (keyed by apiVersion + kind), with descriptions and enums. Fields newer
 * than `version` are left out; deprecated ones are marked `deprecated: true`. Memoized.
 */
export function configJsonSchema(version: TalosMinor): Record<string, unknown> {
  const cached = jsonSchemas.get(version);
  if (cached) return cached;
  if (!TALOS_MINORS.includes(version)) throw new Error(`unknown Talos minor ${version}`);
  const b = builder({ version, patch: false, json: true });
  const branches = KIND_TABLE.filter((k) => !minorBefore(version, k.since)).map((k) => {
    const js = z.toJSONSchema(b.document(k.kind), { target: "draft-2020-12", unrepresentable: "any" }) as Record<string, unknown>;
    delete js.$schema;
    return { title: k.kind === "v1alpha1" ? "v1alpha1 (machine and cluster)" : k.kind, ...simplify(js) as object };
  });
  const schema: Record<string, unknown> = {
    $schema: "https://json-schema.org/draft/2020-12/schema",
    $id: `https://minos.local/schemas/talos-${version}/config.schema.json`,
    title: `Talos ${version} machine config document`,
    description: `One document of a Talos ${version} machine config: the v1alpha1 document (machine and cluster) or a document with apiVersion and kind.`,
    oneOf: branches,
  };
  jsonSchemas.set(version, schema);
  return schema;
}

/** Collapse zod's `anyOf: [X, {type: "null"}]` (nullable) into X, keeping the outer keys. */
function simplify(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(simplify);
  if (typeof node !== "object" || node === null) return node;
  const obj = node as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) out[k] = simplify(v);
  const any = out.anyOf;
  if (Array.isArray(any) && any.length === 2) {
    const nonNull = any.filter((b) => !(typeof b === "object" && b !== null && (b as Record<string, unknown>).type === "null"));
    if (nonNull.length === 1) {
      delete out.anyOf;
      return { ...(nonNull[0] as object), ...out };
    }
  }
  return out;
}
