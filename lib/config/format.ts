import { parseStream } from "./yaml";

export type FormatResult = { ok: true; text: string } | { ok: false; reason: string };

/**
 * Re-indents a multi-document YAML stream with two spaces, keeping comments, key order and
 * document markers. Refuses text with syntax errors rather than guess at what was meant.
 * The same for Monaco and for the plain-text fallback.
 */
export function formatYaml(text: string): FormatResult {
  // parseStream: yaml's own duplicate-key check is quadratic in a mapping's size.
  const list = parseStream(text);
  const broken = list.find((d) => d.errors.length > 0);
  if (broken) return { ok: false, reason: "Fix the YAML syntax errors first: formatting would have to guess." };
  if (list.length === 0) return { ok: true, text };
  return { ok: true, text: list.map((d) => d.toString({ indent: 2, lineWidth: 0, indentSeq: true })).join("") };
}
