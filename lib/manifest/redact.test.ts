import { describe, expect, it } from "vitest";

import { parseManifest } from "./parse";
import { mergeManifestSecrets, mergePatchSecrets, patchSecrets, redactManifest, redactPatch, scrubIssues } from "./redact";

const MANIFEST = `# prod, adopted
cluster: {name: prod, endpoint: "https://10.0.0.10:6443", talosVersion: v1.13.9, kubernetesVersion: v1.33.2}
patches:
  - name: registry auth   # the bot account
    patch: |
      machine:
        registries:
          config:
            ghcr.io:
              auth:
                username: bot
                password: hunter2
        install:
          extraKernelArgs: [talos.config=https://user:s3cret@example.com/cfg]
  - name: json
    selector: {role: controlplane}
    patch: |
      - op: add
        path: /machine/token
        value: abcdef.0123456789abcdef
      - op: add
        path: /cluster/secretboxEncryptionSecret
        value: c2VjcmV0c2VjcmV0
      - op: add
        path: /machine/registries/config
        value:
          x.io:
            auth: {password: pw2}
      - op: add
        path: /machine/network/hostname
        value: not-a-secret
nodes:
  - address: 10.0.0.11
    hostname: cp-1
    role: controlplane
    patch: "machine: {token: zzz.yyyyyyyyyyyyyyyy}"
  - {address: 10.0.0.21, hostname: w-1, role: worker}
`;

const SECRETS = ["hunter2", "s3cret", "abcdef.0123456789abcdef", "c2VjcmV0c2VjcmV0", "pw2", "zzz.yyyyyyyyyyyyyyyy"];

describe("redactManifest", () => {
  it("redacts every secret of every patch string and nothing else", () => {
    const r = redactManifest(MANIFEST);
    for (const s of SECRETS) expect(r).not.toContain(s);
    expect(r).toContain("username: bot");
    expect(r).toContain("value: not-a-secret");
    expect(r).toContain("talos.config=https://user:******@example.com/cfg");
    // Everything outside the patch strings is byte for byte, comments included.
    const outside = (t: string) => t.split("\n").filter((l) => !/^ {6}/.test(l) && !l.includes("patch: \""));
    expect(outside(r)).toEqual(outside(MANIFEST));
    expect(r.split("\n")).toHaveLength(MANIFEST.split("\n").length);
    // Still a valid manifest, literal blocks still literal blocks.
    const p = parseManifest(r);
    expect(p.manifest).toBeDefined();
    expect(r).toContain("    patch: |\n      machine:\n        registries:");
  });

  it("redacts a JSON patch's value by the path it targets", () => {
    const json = "- op: replace\n  path: /cluster/secretboxEncryptionSecret\n  value: c2VjcmV0c2VjcmV0\n";
    expect(redactPatch(json)).toBe("- op: replace\n  path: /cluster/secretboxEncryptionSecret\n  value: '******'\n");
    const block = "- op: add\n  path: /machine/ca\n  value:\n    crt: Y3J0\n    key: a2V5\n";
    expect(redactPatch(block)).not.toContain("a2V5");
    expect(redactPatch(block)).toContain("crt: Y3J0");
    // A strategic patch is redacted as a config is.
    expect(redactPatch("cluster:\n  token: abc.0123456789abcdef\n")).toBe("cluster:\n  token: '******'\n");
  });

  it("redacts whole a patch string with aliases and a manifest with anchors or aliases", () => {
    // A value anchored at a public path and aliased at a secret one, both ways round.
    expect(redactPatch("- {op: add, path: /machine/nodeLabels/a, value: &x hunter2}\n- {op: add, path: /machine/token, value: *x}\n")).toBe("******");
    expect(redactPatch("machine:\n  nodeLabels: {a: &x hunter2}\n  token: *x\n")).toBe("******");
    // A patch given as an alias of another key (here the patch's name).
    const head = "cluster: {name: c, endpoint: 'https://1.2.3.4:6443', talosVersion: v1.13.9, kubernetesVersion: v1.33.2}\n";
    const viaName = `${head}patches:\n  - name: &s "{machine: {token: abcdef.0123456789abcdef}}"\n    patch: *s\nnodes:\n  - {address: 10.0.0.1, hostname: w1, role: worker}\n`;
    expect(redactManifest(viaName)).toBe("'******'");
    const shared = `${head}patches:\n  - name: a\n    patch: &p "machine: {token: abcdef.0123456789abcdef}"\n  - name: b\n    patch: *p\nnodes:\n  - {address: 10.0.0.1, hostname: w1, role: worker}\n`;
    expect(redactManifest(shared)).toBe("'******'");
  });

  it("redacts URL credentials outside patch strings too (stored before the schema refused them)", () => {
    const text = "generate:\n  registryMirrors:\n    docker.io: ['https://user:pw-secret@mirror.example.com']\nnodes: []\n";
    const r = redactManifest(text);
    expect(r).not.toContain("pw-secret");
    expect(r).toContain("https://user:******@mirror.example.com");
  });

  it("leaves a manifest without secrets unchanged and redacts unreadable YAML whole", () => {
    const plain = "cluster: {name: a}\nnodes: []\n";
    expect(redactManifest(plain)).toBe(plain);
    expect(redactManifest("patches: [\n  - patch: 'x\n")).toBe("'******'");
  });
});

describe("mergeManifestSecrets", () => {
  it("round-trips: a redacted manifest sent back unchanged becomes the stored one", () => {
    const back = mergeManifestSecrets(redactManifest(MANIFEST), MANIFEST);
    expect(back).toEqual({ yaml: MANIFEST });
  });

  it("keeps edits around the secrets and matches patches by name and node patches by address", () => {
    const edited = redactManifest(MANIFEST)
      .replace("username: bot", "username: robot")
      // The patches swap places: matching is by name, not position.
      .replace(/ {2}- name: registry auth[\s\S]*?(?= {2}- name: json)/, "")
      .replace("nodes:\n", `  - name: registry auth\n    patch: |\n      machine:\n        registries:\n          config:\n            ghcr.io:\n              auth:\n                username: robot\n                password: '******'\nnodes:\n`);
    const back = mergeManifestSecrets(edited, MANIFEST);
    expect("yaml" in back).toBe(true);
    if (!("yaml" in back)) return;
    expect(back.yaml).toContain("password: hunter2");
    expect(back.yaml).toContain("username: robot");
    expect(back.yaml).toContain("value: abcdef.0123456789abcdef");
    expect(back.yaml).toContain("auth: {password: pw2}");
    expect(back.yaml).toContain('patch: "machine: {token: zzz.yyyyyyyyyyyyyyyy}"');
    expect(back.yaml).not.toContain("******");
    expect(parseManifest(back.yaml).issues).toEqual([]);
  });

  it("reports a marker it cannot resolve on its manifest line: a new patch, a renamed node", () => {
    const redacted = redactManifest(MANIFEST);
    const added = redacted.replace("nodes:\n", "  - name: new one\n    patch: |\n      machine:\n        token: '******'\nnodes:\n");
    const r = mergeManifestSecrets(added, MANIFEST);
    expect(r).toEqual({
      issues: [expect.objectContaining({ line: 35, column: 16, path: ["patches", 2, "patch"], message: expect.stringContaining('the stored manifest has no patch "new one"') })],
    });
    const moved = redacted.replace("address: 10.0.0.11", "address: 10.0.0.12");
    // A quoted patch string keeps no lines: the marker is placed on its key.
    expect(mergeManifestSecrets(moved, MANIFEST)).toEqual({ issues: [expect.objectContaining({ line: 36, column: 5, message: expect.stringContaining("the stored manifest has no patch for node 10.0.0.12") })] });
  });

  it("reports a marker moved to a place the stored patch has no secret at", () => {
    const edited = redactManifest(MANIFEST).replace("username: bot", "username: '******'");
    expect(mergeManifestSecrets(edited, MANIFEST)).toEqual({ issues: [expect.objectContaining({ line: 11, column: 27, message: expect.stringContaining('the stored patch "registry auth" has no secret at this place') })] });
  });

  it("passes a manifest without markers through and refuses one that does not parse", () => {
    expect(mergeManifestSecrets("cluster: {}\n", MANIFEST)).toEqual({ yaml: "cluster: {}\n" });
    const r = mergeManifestSecrets("a: '******'\nb: [\n", MANIFEST);
    expect("issues" in r && r.issues.length).toBeGreaterThan(0);
  });
});

describe("mergeManifestSecrets: what it refuses to put back", () => {
  const head = "cluster: {name: c, endpoint: 'https://1.2.3.4:6443', talosVersion: v1.11.5, kubernetesVersion: v1.33.2}\n";
  const json = `${head}patches:\n  - name: reg\n    patch: |\n      - op: add\n        path: /machine/registries/config/r.io/auth/password\n        value: hunter2\nnodes:\n  - {address: 10.0.0.1, hostname: w1, role: worker}\n`;

  it("a JSON patch value into an operation whose path or op changed", () => {
    const redacted = redactManifest(json);
    expect(redacted).toContain("value: '******'");
    // Unchanged: restored.
    expect(mergeManifestSecrets(redacted, json)).toEqual({ yaml: json });
    for (const edited of [redacted.replace("/machine/registries/config/r.io/auth/password", "/machine/nodeLabels/leak"), redacted.replace("op: add", "op: replace")]) {
      const r = mergeManifestSecrets(edited, json);
      expect(r).toEqual({ issues: [expect.objectContaining({ line: 7, path: ["patches", 0, "patch"], message: expect.stringContaining("cannot restore") })] });
    }
    // Another operation inserted before it: the index moved, nothing is restored there.
    const shifted = redacted.replace("      - op: add\n", "      - op: add\n        path: /machine/nodeLabels/x\n        value: '******'\n      - op: add\n");
    expect("issues" in mergeManifestSecrets(shifted, json)).toBe(true);
  });

  it("a strategic patch value into a patch with an anchor (an alias would read it elsewhere)", () => {
    const stored = `${head}patches:\n  - name: reg\n    patch: |\n      machine:\n        registries:\n          config:\n            r.io:\n              auth:\n                password: hunter2\nnodes:\n  - {address: 10.0.0.1, hostname: w1, role: worker}\n`;
    const edited = redactManifest(stored).replace("password: '******'", "password: &x '******'\n        nodeLabels: {leak: *x}");
    const r = mergeManifestSecrets(edited, stored);
    expect(r).toEqual({ issues: [expect.objectContaining({ line: 10, message: expect.stringContaining("anchors and aliases are not allowed") })] });
    expect(JSON.stringify(r)).not.toContain("hunter2");
  });
});

describe("mergePatchSecrets", () => {
  it("puts a JSON patch's block value back whole", () => {
    const stored = "- op: add\n  path: /machine/ca\n  value:\n    crt: Y3J0\n    key: a2V5\n";
    const r = mergePatchSecrets(redactPatch(stored), stored);
    expect(r).toEqual({ text: stored, unresolved: [] });
  });
});

describe("scrubIssues", () => {
  it("takes every patch secret (strategic and JSON patch values) out of issue messages", () => {
    const m = parseManifest(MANIFEST).manifest!;
    const issue = { severity: "error" as const, message: 'refused "hunter2", "c2VjcmV0c2VjcmV0" and zzz.yyyyyyyyyyyyyyyy near bot', path: [], nodes: [], line: 1, column: 1, endLine: 1, endColumn: 1 };
    const [out] = scrubIssues([issue], m);
    expect(out!.message).toBe('refused "******", "******" and ****** near bot');
    expect(patchSecrets(m.patches![1]!.patch)).toEqual(expect.arrayContaining(["abcdef.0123456789abcdef", "c2VjcmV0c2VjcmV0", "pw2"]));
  });
});
