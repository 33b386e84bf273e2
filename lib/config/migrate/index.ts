/**
 * Migration of a machine config to the Talos 1.14 layout: each v1alpha1 field deprecated in
 * 1.12–1.14 that has a replacement document is moved into it (created, or merged into the one
 * already there), in Talos's field names and formats. A move that needs a person (a conflicting
 * value already in the new document, a change of meaning, no 1:1 target) is not made: it comes
 * back as a decision and the field stays. Pure and isomorphic (the editor runs it in the browser).
 */
import { REDACTED } from "@/lib/config/secret-values";

import { GROUPS, getPath, isObj, type Ctx, type Group, type Plan, type Write } from "./moves";
import { ConfigStream, type Json, type JsonObject } from "./stream";
import type { ConfigIssue, Decision, MigrateOptions, MigrationResult, Move, QuickFix } from "./types";

export type { ConfigIssue, Decision, MigrateOptions, MigrationResult, Move, QuickFix } from "./types";

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  if (isObj(a) && isObj(b)) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => deepEqual(a[k], b[k]));
  }
  return false;
}

const docLabel = (w: Write) => (w.name === undefined ? w.kind : `${w.kind} ${JSON.stringify(w.name)}`);

class Migration {
  readonly stream: ConfigStream;
  readonly moved: Move[] = [];
  readonly decisions: Decision[] = [];

  constructor(text: string) {
    this.stream = new ConfigStream(text);
  }

  private v1Index(): number {
    return this.stream.v1alpha1Index();
  }

  private ctx(): Ctx | null {
    const index = this.v1Index();
    if (index < 0) return null;
    const v1 = this.stream.values()[index]!.value;
    if (!isObj(v1)) return null;
    return {
      v1: v1 as JsonObject,
      docs: (kind) => this.stream.documentsOfKind(kind).map((d) => d.value),
    };
  }

  /** What a write changes in the existing document, or why it cannot (a different value is there). */
  private diff(w: Write, existing: JsonObject): { sets: [string[], Json][]; conflict?: string } {
    const sets: [string[], Json][] = [];
    for (const [field, value] of Object.entries(w.fields)) {
      const cur = existing[field];
      if (cur === undefined) sets.push([[field], value]);
      else if (deepEqual(cur, value)) continue;
      else if (w.mergeMaps && isObj(cur) && isObj(value)) {
        for (const [k, v] of Object.entries(value)) {
          if (cur[k] === undefined) sets.push([[field, k], v]);
          else if (!deepEqual(cur[k], v)) return { sets, conflict: `${docLabel(w)} already sets \`${field}.${k}\` to ${JSON.stringify(cur[k])}, the old field says ${JSON.stringify(v)}` };
        }
      } else {
        return { sets, conflict: `${docLabel(w)} already sets \`${field}\` to a different value than the old field` };
      }
    }
    return { sets };
  }

  /** Run one group: plan, check every write against the documents there, then apply it all or nothing. */
  run(group: Group): void {
    const ctx = this.ctx();
    if (!ctx) return;
    const outcome = group.plan(ctx);
    if (outcome === null) return;
    const path = group.triggers.find((t) => getPath(ctx.v1, t) !== undefined) ?? group.triggers[0]!;
    // A node's config opened with its secrets redacted: the placeholders are put back by path
    // when the config is applied, so a moved placeholder could never be resolved.
    if (group.triggers.some((t) => JSON.stringify(getPath(ctx.v1, t) ?? null).includes(REDACTED))) {
      this.decisions.push({ path, message: "holds redacted secrets; open the config with its secrets revealed to move it" });
      return;
    }
    if ("decision" in outcome) {
      this.decisions.push({ path, message: outcome.decision });
      return;
    }
    const plan: Plan = outcome;
    const v1Index = this.v1Index();
    // Merge writes to the same document first (e.g. several groups of one plan writing KubeNodeConfig).
    const pending: { index: number | null; write: Write; sets: [string[], Json][] }[] = [];
    for (const w of plan.writes) {
      if (w.kind === "v1alpha1") {
        pending.push({ index: v1Index, write: w, sets: Object.entries(w.fields).map(([k, v]) => [k.split("."), v]) });
        continue;
      }
      const index = this.stream.findDocument(w.kind, w.name);
      if (index < 0) {
        pending.push({ index: null, write: w, sets: [] });
        continue;
      }
      const existing = this.stream.values()[index]!.value as JsonObject;
      const { sets, conflict } = this.diff(w, existing);
      if (conflict) {
        this.decisions.push({ path, message: `${conflict}; decide which value stays` });
        return;
      }
      pending.push({ index, write: w, sets });
    }
    for (const p of pending) {
      if (p.index === null) {
        const head: JsonObject = { apiVersion: "v1alpha1", kind: p.write.kind };
        if (p.write.name !== undefined) head.name = p.write.name;
        this.stream.append({ ...head, ...p.write.fields });
      } else {
        for (const [segs, value] of p.sets) this.stream.set(p.index, segs, value);
      }
    }
    // Remove deepest paths first so pruning of emptied parents sees the final state.
    const removes = [...plan.remove].sort((a, b) => b.length - a.length);
    for (const r of removes) {
      if (this.stream.get(v1Index, r) !== undefined) this.stream.remove(v1Index, r);
    }
    this.moved.push(...plan.moved);
    this.decisions.push(...(plan.leave ?? []));
  }

  result(): MigrationResult {
    return { yaml: this.stream.toString(), moved: this.moved, decisions: this.decisions };
  }
}

/** Move every deprecated v1alpha1 field that has a 1.14 document; the rest comes back as decisions. */
export function migrateConfig(text: string, opts: MigrateOptions): MigrationResult {
  if (opts.to !== "1.14") throw new Error(`cannot migrate to ${String(opts.to)}: only 1.14 is supported`);
  const m = new Migration(text);
  for (const group of GROUPS) m.run(group);
  return m.result();
}

const pathKey = (path: readonly (string | number)[]) => path.map(String).join(".");

/** The groups that resolve a warning at `path` (a v1alpha1 path). */
export function groupsFor(path: readonly (string | number)[]): Group[] {
  const key = pathKey(path);
  return GROUPS.filter((g) => g.triggers.includes(key));
}

function isDeprecation(issue: ConfigIssue): boolean {
  return issue.severity === "warning" && /deprecated/i.test(issue.message);
}

/**
 * The quick fix for one deprecation warning of the v1alpha1 document: the whole config with that
 * field (and what Talos reads together with it) moved. None when the field has no move, or when
 * the move needs a decision (then `decisionFor` says why).
 */
export function quickFixesFor(text: string, issue: ConfigIssue): QuickFix[] {
  if (!isDeprecation(issue)) return [];
  const groups = groupsFor(issue.path);
  if (groups.length === 0) return [];
  let m: Migration;
  try {
    m = new Migration(text);
  } catch {
    return [];
  }
  if (m.stream.v1alpha1Index() !== issue.document) return [];
  for (const g of groups) m.run(g);
  // A group that moved nothing (a decision) has no fix; one that moved part of the field and left
  // the rest (machine.network's interfaces) is still offered.
  if (m.moved.length === 0) return [];
  const r = m.result();
  const targets = [...new Set(r.moved.map((x) => x.to.split(/[ .]/)[0]!).filter((t) => !t.startsWith("(")))];
  const base = targets.length > 0 ? `Move to ${targets.join(", ")}` : `Remove \`${pathKey(issue.path)}\` (no effect)`;
  const title = r.decisions.length > 0 ? `${base} (the rest needs a decision)` : base;
  return [{ title, text: r.yaml, moved: r.moved, left: r.decisions }];
}

/** Why the deprecation warning at `issue` has no quick fix, when a decision is the reason. */
export function decisionFor(text: string, issue: ConfigIssue): Decision | null {
  if (!isDeprecation(issue)) return null;
  const groups = groupsFor(issue.path);
  if (groups.length === 0) return null;
  try {
    const m = new Migration(text);
    for (const g of groups) m.run(g);
    return m.decisions[0] ?? null;
  } catch {
    return null;
  }
}
