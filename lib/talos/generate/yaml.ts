/**
 * The generator's YAML output goes through the same emitter as every other config Minos writes
 * (lib/talos/goyaml.ts, go-yaml v4's dialect, which Talos 1.14 marshals with), so
 * `minos gen config` writes the same text with and without a patch.
 *
 * The generator builds values the way Go holds them: a plain object is a Go struct (keys in the
 * order given, which callers make Go's field order; `undefined` is an `omitempty` field left
 * out), a `Map` is a Go map (keys sorted as yaml.v3's keyList.Less sorts them on output).
 */
import { emitDocument, sortGoKeys, type Out } from "@/lib/talos/goyaml";

export type GoYamlValue = string | number | boolean | null | GoYamlValue[] | { [key: string]: GoYamlValue | undefined } | Map<string, GoYamlValue>;

/** The emitter's input: struct fields in order, map keys in Go's sorted order. */
export function toOut(value: GoYamlValue): Out {
  if (value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map(toOut);
  if (value instanceof Map) {
    return { entries: sortGoKeys([...value.keys()]).map((k) => [k, toOut(value.get(k)!)] as const) };
  }
  const entries: (readonly [string, Out])[] = [];
  for (const [k, v] of Object.entries(value)) if (v !== undefined) entries.push([k, toOut(v)]);
  return { entries };
}

/** Go's `yaml.Marshal` of one document. */
export function encodeGoYaml(value: GoYamlValue): string {
  return emitDocument(toOut(value), "v4");
}

/** Several documents as Talos's container writes them: `---\n` between documents. */
export function encodeGoYamlDocuments(docs: GoYamlValue[]): string {
  return docs.map(encodeGoYaml).join("---\n");
}
