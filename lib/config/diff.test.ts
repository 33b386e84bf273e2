import { describe, expect, it } from "vitest";

import { redactedDiff, SECRET_CHANGED_MARK } from "./diff";

const base = `version: v1alpha1
machine:
    type: worker
    token: abc123.0123456789abcdef
    network:
        hostname: w1
cluster:
    secret: s3cr3t
---
apiVersion: v1alpha1
kind: RegistryAuthConfig
name: ghcr.io
password: p4ss
`;

describe("redactedDiff", () => {
  it("is empty for equal configs", () => {
    expect(redactedDiff(base, base)).toMatchObject({ diff: "", unchanged: true, changedSecrets: [] });
  });

  it("diffs plain fields and never shows a secret", () => {
    const d = redactedDiff(base, base.replace("hostname: w1", "hostname: w2"));
    expect(d.diff).toContain("-        hostname: w1\n+        hostname: w2");
    expect(d.changedSecrets).toEqual([]);
    for (const s of ["abc123", "s3cr3t", "p4ss"]) expect(JSON.stringify(d)).not.toContain(s);
  });

  it("marks a changed secret in any document, by path, without either value", () => {
    const d = redactedDiff(base, base.replace("s3cr3t", "n3w").replace("p4ss", "n3wp4ss"));
    expect(d.changedSecrets).toEqual(["cluster.secret", "[1].password"]);
    expect(d.diff).toContain(`-    secret: '******'\n+    secret: '******' ${SECRET_CHANGED_MARK}`);
    expect(d.diff).toContain(`+password: '******' ${SECRET_CHANGED_MARK}`);
    expect(JSON.stringify(d)).not.toMatch(/n3w|s3cr3t|p4ss/);
  });

  it("marks a new secret, and shows a removed one as removed", () => {
    const added = redactedDiff(base.replace("    secret: s3cr3t\n", ""), base);
    expect(added.changedSecrets).toEqual(["cluster.secret"]);
    const removed = redactedDiff(base, base.replace("    secret: s3cr3t\n", ""));
    expect(removed.diff).toContain("-    secret: '******'");
    expect(removed.changedSecrets).toEqual([]);
  });

  it("does not call a still-redacted marker in the new text a change", () => {
    const d = redactedDiff(base, base.replace("s3cr3t", "'******'"));
    expect(d.changedSecrets).toEqual([]);
    expect(d.unchanged).toBe(true);
  });

  it("marks a changed secret inside a URL and a changed secret list, without their values", () => {
    const from = `${base}---\napiVersion: v1alpha1\nkind: SideroLinkConfig\napiUrl: https://omni.example.com?jointoken=OLDjoin1\n`;
    const to = from.replace("OLDjoin1", "NEWjoin2").replace("secret: s3cr3t", "secret: [NEWlist1, NEWlist2]");
    const d = redactedDiff(from, to);
    expect(d.changedSecrets).toEqual(["cluster.secret", "[2].apiUrl"]);
    expect(d.diff).toContain(`+apiUrl: https://omni.example.com?jointoken=****** ${SECRET_CHANGED_MARK}`);
    expect(JSON.stringify(d)).not.toMatch(/OLDjoin1|NEWjoin2|NEWlist|s3cr3t/);
  });

  it("uses the given labels", () => {
    expect(redactedDiff(base, base.replace("w1", "w3"), { from: "revision 1", to: "revision 2" }).diff).toMatch(/^--- revision 1\n\+\+\+ revision 2\n/);
  });
});
