/**
 * Label and field selectors as the API server parses them (k8s.io/apimachinery labels and fields):
 * `a=b`, `a==b`, `a!=b`, `a in (x,y)`, `a notin (x)`, `a`, `!a`; fields only support `=`, `==`, `!=`.
 */
import { badRequest } from "./status";

type LabelReq =
  | { key: string; op: "=" | "!="; value: string }
  | { key: string; op: "in" | "notin"; values: string[] }
  | { key: string; op: "exists" | "!exists" };

/** Splits on commas outside parentheses. */
function terms(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = "";
  for (const ch of s) {
    if (ch === "(") depth++;
    if (ch === ")") depth--;
    if (ch === "," && depth === 0) {
      out.push(cur);
      cur = "";
    } else cur += ch;
  }
  out.push(cur);
  return out.map((t) => t.trim()).filter((t) => t !== "");
}

export function parseLabelSelector(s: string): (labels: Record<string, string> | undefined) => boolean {
  const reqs: LabelReq[] = terms(s).map((t) => {
    let m = /^([^\s!=(),]+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(t);
    if (m) return { key: m[1]!, op: m[2] as "in" | "notin", values: m[3]!.split(",").map((v) => v.trim()) };
    m = /^([^\s!=(),]+)\s*(==|=|!=)\s*([^\s!=(),]*)$/.exec(t);
    if (m) return { key: m[1]!, op: m[2] === "!=" ? "!=" : "=", value: m[3]! };
    m = /^(!?)([^\s!=(),]+)$/.exec(t);
    if (m) return { key: m[2]!, op: m[1] ? "!exists" : "exists" };
    throw badRequest(`unable to parse requirement: found '${t}', expected: in, notin, =, ==, !=, gt, lt`);
  });
  return (labels = {}) =>
    reqs.every((r) => {
      const has = Object.hasOwn(labels, r.key);
      switch (r.op) {
        case "=":
          return has && labels[r.key] === r.value;
        case "!=":
          return !has || labels[r.key] !== r.value;
        case "in":
          return has && r.values.includes(labels[r.key]!);
        case "notin":
          return !has || !r.values.includes(labels[r.key]!);
        case "exists":
          return has;
        case "!exists":
          return !has;
      }
    });
}

/**
 * A field selector over the fields a resource supports (`fields`: name → value getter); an
 * unsupported field is the API server's 400 `field label not supported`.
 */
export function parseFieldSelector<T>(s: string, fields: Record<string, (o: T) => string>): (o: T) => boolean {
  const reqs = terms(s).map((t) => {
    const m = /^([^!=]+?)\s*(==|=|!=)\s*(.*)$/.exec(t);
    if (!m) throw badRequest(`invalid selector: '${s}'; can't understand '${t}'`);
    const field = m[1]!.trim();
    const get = fields[field];
    if (!get) throw badRequest(`field label not supported: ${field}`);
    return { get, neg: m[2] === "!=", value: m[3]!.trim() };
  });
  return (o) => reqs.every((r) => (r.get(o) === r.value) !== r.neg);
}

/** metav1.LabelSelector (matchLabels and matchExpressions) against labels; an empty selector matches everything. */
export function matchesLabelSelector(
  sel: { matchLabels?: Record<string, string>; matchExpressions?: { key: string; operator: string; values?: string[] }[] } | undefined,
  labels: Record<string, string> | undefined,
): boolean {
  const l = labels ?? {};
  for (const [k, v] of Object.entries(sel?.matchLabels ?? {})) if (l[k] !== v) return false;
  for (const e of sel?.matchExpressions ?? []) {
    const has = Object.hasOwn(l, e.key);
    const vals = e.values ?? [];
    const ok =
      e.operator === "In" ? has && vals.includes(l[e.key]!) :
      e.operator === "NotIn" ? !has || !vals.includes(l[e.key]!) :
      e.operator === "Exists" ? has :
      e.operator === "DoesNotExist" ? !has : false;
    if (!ok) return false;
  }
  return true;
}
