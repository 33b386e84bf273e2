/**
 * docs/alerts.md stays true: it names every rule, Prometheus alert, default expression and added
 * metric, and its signature-verification snippets (Node.js, shell) accept what Minos signs and
 * refuse what it did not.
 */
import { createHmac } from "node:crypto";
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";

import { describe, expect, it } from "vitest";

import { RULES } from "@/lib/alerts/catalog";

import { METRIC } from "./prometheus-metrics";
import { KEEP_FIRING_FOR_SECONDS, promDuration, prometheusRuleGroup } from "./prometheus-rules";

const DOC = path.resolve(__dirname, "../../../docs/alerts.md");

/** The fenced code block right after `<!-- marker… -->`. */
function snippet(doc: string, marker: string): string {
  const m = new RegExp(`<!-- ${marker}[^>]*-->\\s*\`\`\`\\w*\\n([\\s\\S]*?)\`\`\``).exec(doc);
  if (!m) throw new Error(`docs/alerts.md has no ${marker} block`);
  return m[1]!;
}

/** How Minos signs a webhook body (the issue's contract). */
const sign = (secret: string, ts: number, body: string) => `sha256=${createHmac("sha256", secret).update(`${ts}.${body}`).digest("hex")}`;

const defaults = RULES.map((r) => ({ ...r.defaults, id: r.id, name: r.name, description: r.description, paramSpecs: r.paramSpecs, defaults: r.defaults, updatedBy: null, updatedAt: null }));

describe("docs/alerts.md", () => {
  it("names every rule, Prometheus alert, default expression and metric", async () => {
    const doc = await readFile(DOC, "utf8");
    for (const r of RULES) expect(doc, r.id).toContain(`\`${r.id}\``);
    for (const p of prometheusRuleGroup(defaults).rules) {
      expect(doc, p.alert).toContain(`\`${p.alert}\``);
      expect(doc, p.alert).toContain(`\`${p.expr}\``);
    }
    for (const m of Object.values(METRIC)) expect(doc, m).toContain(`\`${m}`);
  });

  it("says the rule file's keep_firing_for and the Prometheus version it needs", async () => {
    const doc = await readFile(DOC, "utf8");
    expect(doc).toContain(`\`keep_firing_for: ${promDuration(KEEP_FIRING_FOR_SECONDS)}\``);
    expect(doc).toContain("Prometheus 2.42 or newer");
  });

  it("has a Node.js verification snippet that accepts Minos's signature and refuses others", async () => {
    const code = snippet(await readFile(DOC, "utf8"), "verify-snippet");
    const verify = new Function("require", `${code}\nreturn verifyMinosSignature;`)(createRequire(import.meta.url)) as (
      secret: string,
      ts: string,
      body: string,
      sig: string | undefined,
      now?: number,
    ) => boolean;
    const secret = "s3cret-s3cret-s3cret";
    const body = JSON.stringify({ id: "a1", status: "firing", rule: "node-unreachable", severity: "critical", cluster: "prod", summary: "é ✓", startsAt: "2026-12-07T00:00:00.000Z", url: "http://x/" });
    const ts = 1_796_601_600;
    expect(verify(secret, String(ts), body, sign(secret, ts, body), ts + 10)).toBe(true);
    expect(verify("another-secret-value", String(ts), body, sign(secret, ts, body), ts + 10)).toBe(false);
    expect(verify(secret, String(ts), `${body} `, sign(secret, ts, body), ts + 10)).toBe(false);
    expect(verify(secret, String(ts + 1), body, sign(secret, ts, body), ts + 10)).toBe(false);
    expect(verify(secret, String(ts), body, sign(secret, ts, body), ts + 301)).toBe(false);
    expect(verify(secret, String(ts), body, undefined, ts)).toBe(false);
  });

  it("has a shell snippet that prints the expected header", async () => {
    const code = snippet(await readFile(DOC, "utf8"), "shell-snippet");
    const dir = await mkdtemp(path.join(os.tmpdir(), "minos-doc-sh-"));
    try {
      const body = '{"id":"a1","summary":"two\\nlines"}\n';
      await writeFile(path.join(dir, "body.json"), body);
      const out = await new Promise<string>((resolve, reject) =>
        execFile("sh", ["-c", code], { cwd: dir, env: { ...process.env, TIMESTAMP: "1796601600", SECRET: "s3cret-s3cret-s3cret" } }, (err, stdout, stderr) => (err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout))),
      );
      expect(out.trim()).toBe(sign("s3cret-s3cret-s3cret", 1_796_601_600, body));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
