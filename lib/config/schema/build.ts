/**
 * Turns the field table into zod schemas for one Talos minor. A Builder is specific to a
 * (version, patch, json) mode and memoizes every type it builds, so each schema is built once.
 *
 * - `patch`: nothing required; every object and map accepts `$patch: delete` (and then is not
 *   validated further).
 * - `json`: the variant exported as JSON Schema for the editor: fields the version does not
 *   know are left out (instead of being present as "requires Talos ≥ x" errors) and deprecated
 *   fields carry `deprecated: true`.
 */
import { z } from "zod";
import type { TalosMinor } from "@/lib/config/types";
import type { FieldSpec, KindSpec, TypeSpec } from "./table";
import { TYPE_TABLE, KIND_BY_NAME } from "./registry";
import { TEXT_ENUMS, type TextEnumName } from "./enums";
import * as S from "./scalars";
import { minorBefore } from "./versions";

export interface BuildMode {
  readonly version: TalosMinor;
  readonly patch: boolean;
  readonly json: boolean;
}

/** Issue params marking a warning (the contract with the validator). */
export const WARNING = { severity: "warning" } as const;

/** Lists whose items must be unique by a key, as Talos's decoder enforces. */
const UNIQUE_BY: Readonly<Record<string, string>> = {
  "v1alpha1.ClusterConfig.inlineManifests": "name",
};

const NEXT_MINOR: Readonly<Record<string, string>> = { "1.10": "1.11", "1.11": "1.12", "1.12": "1.13", "1.13": "1.14", "1.14": "1.15" };

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

const isPatchDelete = (v: unknown) => isPlainObject(v) && v.$patch === "delete";

function unknownKeysMessage(keys: readonly PropertyKey[]): string {
  const names = keys.map((k) => `\`${String(k)}\``);
  return names.length === 1 ? `unknown field ${names[0]}` : `unknown fields ${names.join(", ")}`;
}

/** Pick the shape of a field for a version from its per-version shapes. */
function shapeFor(t: FieldSpec["t"], version: TalosMinor): string {
  if (typeof t === "string") return t;
  let chosen = t[0]?.[1] ?? "object";
  for (const [since, expr] of t) if (!minorBefore(version, since)) chosen = expr;
  return chosen;
}

/** A field that is present but not valid in this version (too new, or removed). */
function rejected(message: string): z.ZodType {
  return z.unknown().refine(() => false, { message });
}

export class Builder {
  private readonly types = new Map<string, z.ZodType>();
  private readonly exprs = new Map<string, z.ZodType>();
  private readonly docs = new Map<string, z.ZodType>();

  constructor(readonly mode: BuildMode) {}

  /** The schema of one document of `kind` (see documentSchema). */
  document(kind: string): z.ZodType {
    let s = this.docs.get(kind);
    if (!s) {
      s = this.buildDocument(kind);
      this.docs.set(kind, s);
    }
    return s;
  }

  private buildDocument(kind: string): z.ZodType {
    const spec = KIND_BY_NAME.get(kind);
    const path = kind === "v1alpha1" ? ["version"] : ["kind"];
    if (!spec) {
      return z.unknown().superRefine((_, ctx) => {
        ctx.addIssue({ code: "custom", path, message: `unknown document kind \`${kind}\`` });
      });
    }
    if (minorBefore(this.mode.version, spec.since)) {
      return z.unknown().superRefine((_, ctx) => {
        ctx.addIssue({ code: "custom", path, message: `\`${kind}\` requires Talos ≥ ${spec.since}` });
      });
    }
    return this.object(spec.type, false, spec).describe(spec.doc);
  }

  /** A strict object for a table type (memoized per deprecation context). */
  private object(name: string, inDeprecated: boolean, kind?: KindSpec): z.ZodType {
    const key = `${name}|${inDeprecated ? 1 : 0}`;
    const cached = this.types.get(key);
    if (cached) return cached;
    const type: TypeSpec | undefined = TYPE_TABLE[name];
    if (!type) throw new Error(`machine-config table: unknown type ${name}`);

    const shape: Record<string, z.ZodType> = {};
    if (kind && kind.kind !== "v1alpha1") {
      const header = (s: z.ZodType, field: string) => (this.mode.patch ? s.optional() : this.required(s, field));
      shape.apiVersion = header(S.goEnum(["v1alpha1"]), "apiVersion").describe("Version of the document format: always `v1alpha1`.");
      shape.kind = header(S.goEnum([kind.kind]), "kind").describe(`Document kind: \`${kind.kind}\`.`);
    }
    for (const [field, spec] of Object.entries(type.fields)) {
      const s = this.field(name, field, spec, inDeprecated);
      if (s) shape[field] = s;
    }
    if (this.mode.patch) shape.$patch = S.goEnum(["delete"]).optional().describe("`delete` removes this entry when the patch is applied.");

    let schema: z.ZodType = z.strictObject(shape, {
      error: (iss) => {
        if (iss.code === "unrecognized_keys") return unknownKeysMessage(iss.keys);
        if (iss.code === "invalid_type") return `expected a map of fields, got ${S.show(iss.input)}`;
        return undefined;
      },
    });
    if (this.mode.patch) {
      const inner = schema;
      schema = z.preprocess((v) => (isPatchDelete(v) ? { $patch: "delete" } : v), inner);
    }
    this.types.set(key, schema);
    return schema;
  }

  private field(typeName: string, field: string, spec: FieldSpec, inDeprecated: boolean): z.ZodType | null {
    const { version, json } = this.mode;
    const since = spec.since ?? "1.10";
    if (minorBefore(version, since)) {
      return json ? null : rejected(`\`${field}\` requires Talos ≥ ${since}`).optional().describe(spec.doc);
    }
    const past = spec.until !== undefined && minorBefore(spec.until, version);
    if (past && spec.dep === undefined) {
      const gone = NEXT_MINOR[spec.until as string];
      return json ? null : rejected(`\`${field}\` is not supported since Talos ${gone}`).optional().describe(spec.doc);
    }
    const deprecated = spec.dep !== undefined && (spec.until === undefined || past);
    let schema = this.expr(shapeFor(spec.t, version), inDeprecated || deprecated);
    const unique = UNIQUE_BY[`${typeName}.${field}`];
    if (unique) schema = schema.superRefine(uniqueBy(unique));

    let doc = spec.doc;
    // The editor shows a node's config redacted: say what the marker means where it appears.
    if (spec.secret === true) doc = `${doc} Secret: shown as ****** to readers; left as ******, the node's value is kept.`;
    else if (spec.secret === "values") doc = `${doc} Secret values: shown as ****** to readers; left as ******, the node's values are kept.`;
    else if (spec.secret === "url") doc = `${doc} Credentials in it (password, jointoken) are shown as ****** to readers and kept when left so.`;
    // Only the outermost deprecated field warns (and is marked), not every field below it.
    if (deprecated && !inDeprecated) {
      const when = spec.until ? `since Talos ${NEXT_MINOR[spec.until]}` : "";
      const hint = spec.dep ? `: ${spec.dep}` : "";
      doc = `Deprecated${when ? ` ${when}` : ""}${hint}. ${doc}`;
      if (json) schema = schema.meta({ deprecated: true });
      else {
        const message = `\`${field}\` is deprecated${when ? ` ${when}` : ""}${hint}`;
        schema = schema.refine(() => false, { message, params: WARNING, when: () => true });
      }
    }
    if (spec.req && !this.mode.patch) return this.required(schema, field).describe(doc);
    return schema.optional().describe(doc);
  }

  /** A required field: a clear message when it is missing or null. */
  private required(schema: z.ZodType, field: string): z.ZodType {
    return z
      .unknown()
      .superRefine((v, ctx) => {
        if (v === undefined || v === null) ctx.addIssue({ code: "custom", message: `missing required field \`${field}\`` });
      })
      .pipe(schema);
  }

  /** The schema for a type expression (memoized). */
  private expr(expr: string, inDeprecated: boolean): z.ZodType {
    const key = `${expr}|${inDeprecated ? 1 : 0}`;
    let s = this.exprs.get(key);
    if (!s) {
      s = this.buildExpr(expr, inDeprecated);
      this.exprs.set(key, s);
    }
    return s;
  }

  private buildExpr(expr: string, inDeprecated: boolean): z.ZodType {
    if (expr.startsWith("[]")) {
      const item = this.expr(expr.slice(2), inDeprecated);
      return z.array(item, { error: (iss) => `expected a list, got ${S.show(iss.input)}` }).nullable();
    }
    const map = /^map\[(.+)\]$/.exec(expr)?.[1];
    if (map) return this.record(this.expr(map, inDeprecated));
    const en = /^enum\((.*)\)$/.exec(expr)?.[1];
    if (en) return S.goEnum(en.split("|"));
    const u = /^url\((.*)\)$/.exec(expr)?.[1];
    if (u) return S.url(u.split("|"));
    const text = /^text\(([A-Za-z0-9]+)(?::(.*))?\)$/.exec(expr);
    if (text) {
      const name = text[1]!;
      if (!Object.hasOwn(TEXT_ENUMS, name)) throw new Error(`machine-config table: unknown text enum ${name}`);
      // A patch is decoded but never validated: Validate()'s narrower set applies to whole configs only.
      const allowed = text[2] !== undefined && !this.mode.patch ? text[2].split("|") : undefined;
      return S.textEnum(name as TextEnumName, this.mode.version, allowed);
    }
    switch (expr) {
      case "string":
        return S.goString;
      case "integer":
        return S.goInt;
      case "boolean":
        return S.goBool;
      case "object":
        return this.record(z.unknown());
      case "duration":
        return S.duration;
      case "cidr":
        return S.cidr;
      case "ip":
        return S.ip;
      case "ipOrCidr":
        return S.ipOrCidr;
      case "mac":
        return S.mac;
      case "hostname":
        return S.hostname;
      case "dnsName":
        return S.dnsName;
      case "hostPort":
        return S.hostPort;
      case "addrPort":
        return S.addrPort;
      case "duid":
        return S.duid;
      case "port":
        return S.port;
      case "portRanges":
        return S.portRanges(this.mode.patch).nullable();
      case "byteSize":
        return S.byteSize(this.mode.version);
      case "volumeSize":
        return S.volumeSize(this.mode.version);
      case "diskSize":
        return S.diskSize;
      case "failOverMac":
        return S.failOverMac;
      case "hardwareAddr":
        return S.hardwareAddr;
      case "base64":
        return S.base64Bytes;
      case "sizeMatcher":
        return S.sizeMatcher;
      case "b64pem":
        return S.b64pem;
      case "pem":
        return S.pem;
      case "machineType":
        return S.machineType;
      case "extraArgs":
        return this.patchable(S.extraArgs).nullable();
    }
    if (/^[a-z0-9]+\.[A-Z]/.test(expr)) return this.object(expr, inDeprecated).nullable();
    throw new Error(`machine-config table: bad type expression ${expr}`);
  }

  /** A string-keyed map (free-form when `value` is unknown). */
  private record(value: z.ZodType): z.ZodType {
    const rec = z.record(z.string(), value, { error: (iss) => `expected a map, got ${S.show(iss.input)}` });
    return this.patchable(rec).nullable();
  }

  /** In patch mode, `$patch: delete` in a map removes it: nothing else to validate. */
  private patchable(schema: z.ZodType): z.ZodType {
    if (!this.mode.patch) return schema;
    return z.preprocess((v) => (isPatchDelete(v) ? {} : v), schema);
  }
}

/** A list refinement: items' `key` must be unique (the issue sits on the repeated key). */
function uniqueBy(key: string) {
  return (list: unknown, ctx: z.RefinementCtx) => {
    if (!Array.isArray(list)) return;
    const seen = new Set<string>();
    list.forEach((item, i) => {
      if (!isPlainObject(item)) return;
      const v = item[key];
      if (v === undefined || v === null) return;
      const k = String(v);
      if (seen.has(k)) ctx.addIssue({ code: "custom", path: [i, key], message: `duplicate ${key} ${S.show(v)}: each must be unique` });
      seen.add(k);
    });
  };
}
