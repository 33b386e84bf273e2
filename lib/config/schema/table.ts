import type { TalosMinor } from "@/lib/config/types";

/**
 * One field of a machine-config type.
 *
 * `t` is a type expression (or, when the shape changed between minors, a list of
 * `[firstMinor, expression]` pairs, oldest first):
 * - scalars: `string` (any YAML scalar, as Go's decoder reads it), `integer`, `boolean`,
 *   `object` (free-form map), and the special decoders of scalars.ts: `duration`, `cidr`, `ip`,
 *   `ipOrCidr`, `mac`, `hostname`, `dnsName`, `hostPort`, `duid`, `port`, `portRanges`,
 *   `byteSize` (block.ByteSize), `volumeSize` (block.Size), `diskSize` (v1alpha1.DiskSize),
 *   `sizeMatcher`, `failOverMac`, `hardwareAddr` (nethelpers.HardwareAddr), `base64`
 *   (v1alpha1.Base64Bytes), `b64pem`, `pem`, `machineType`, `extraArgs`,
 *   `url(scheme|scheme…)`, `enum(a|b|…)` (a Go string compared with a list),
 *   `text(Name)` / `text(Name:a|b)` (a Go text enum of ./enums.ts, in any letter case;
 *   after `:`, the subset Talos's Validate() accepts in a whole config);
 * - `[]X` a list of X, `map[X]` a string-keyed map of X;
 * - `pkg.Type` a reference to another entry of the table.
 */
export interface FieldSpec {
  readonly t: string | ReadonlyArray<readonly [TalosMinor, string]>;
  /** Hover text: what the field does, for an operator. */
  readonly doc: string;
  /** First minor that accepts the field (default 1.10). */
  readonly since?: TalosMinor;
  /** Last minor whose schema lists the field. What happens after depends on `dep`. */
  readonly until?: TalosMinor;
  /**
   * Deprecated after `until` (or in every minor without `until`) but still accepted: a warning
   * naming the replacement (this text; "" for none). Without `dep`, a field past `until` was removed.
   */
  readonly dep?: string;
  /** Required in a whole config (never in a patch). */
  readonly req?: true;
  /**
   * The field holds a secret (Talos's `Redact` list plus credentials Talos leaves in): `true`
   * the whole value, whatever its shape; `"values"` each value of the map (its keys are
   * public); `"url"` the credentials inside the URL (userinfo password, token parameters).
   * Redaction and validation messages are driven from these marks (see ./secrets.ts).
   */
  readonly secret?: SecretMark;
}

export type SecretMark = true | "values" | "url";

export interface TypeSpec {
  readonly doc?: string;
  readonly fields: Readonly<Record<string, FieldSpec>>;
}

export type TypeTable = Readonly<Record<string, TypeSpec>>;

export interface KindSpec {
  /** `kind` of the document, or "v1alpha1" for the legacy `version: v1alpha1` document. */
  readonly kind: string;
  /** Entry of the type table describing the document's body. */
  readonly type: string;
  readonly since: TalosMinor;
  readonly doc: string;
}
