/**
 * `minos render`: the core against ManifestRenderer, errors placed on manifest lines, and the
 * command end to end through bin/minos.mjs (files, modes, nothing written on an error).
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";

import { manifestSchema } from "@/lib/manifest/schema";
import { ManifestRenderer } from "@/lib/manifest/render";
import { SourceError, formatSourceError } from "@/lib/talos/errors";
import { generateSecretsBundle, stringifySecretsBundle, type SecretsBundle } from "@/lib/talos/secrets/bundle";

import type { InputFile } from "./common";
import { UsageError } from "./flags";
import { formatErrors, parseRenderArgs, runRender } from "./manifest";
import { ManifestProblems } from "./manifest-source";

const MANIFEST = `version: 1
cluster:
  name: demo
  endpoint: https://10.5.0.2:6443
  talosVersion: v1.13.9
  kubernetesVersion: v1.33.2
generate:
  installDisk: /dev/vda
patches:
  - name: worker sysctls
    selector: {role: worker}
    patch: |
      machine:
        sysctls:
          vm.max_map_count: "262144"
  - name: zone a
    selector: {labels: {zone: a}}
    patch: |
      machine:
        nodeLabels:
          zone: a
nodes:
  - {address: 10.5.0.2, hostname: cp-1, role: controlplane}
  - {address: 10.5.0.3, hostname: w-1, role: worker, labels: {zone: a}}
  - address: 10.5.0.4
    hostname: w-2
    role: worker
    patch: |
      machine:
        kubelet:
          extraArgs:
            rotate-server-certificates: "true"
`;

let bundle: SecretsBundle;
let secretsText: string;
let dir: string;

beforeAll(async () => {
  bundle = await generateSecretsBundle({ talosVersion: "1.13", now: new Date("2026-01-01T00:00:00Z") });
  secretsText = stringifySecretsBundle(bundle);
  dir = mkdtempSync(path.join(os.tmpdir(), "minos-render-"));
}, 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const files = (manifest: string): Map<string, InputFile> =>
  new Map([
    ["m.yaml", { name: "m.yaml", text: manifest }],
    ["secrets.yaml", { name: "secrets.yaml", text: secretsText }],
  ]);

/** The printed errors of a render that must fail. */
function renderErrors(manifest: string, extra: string[] = []): string[] {
  try {
    runRender(parseRenderArgs(["m.yaml", "--with-secrets", "secrets.yaml", "-o", "out", ...extra]), files(manifest));
  } catch (e) {
    const text = formatErrors(e, "minos render");
    if (text === null) throw e;
    return text.trimEnd().split("\n");
  }
  throw new Error("the render did not fail");
}

describe("parseRenderArgs", () => {
  it("needs the manifest, --with-secrets and -o (or --node)", () => {
    expect(parseRenderArgs(["m.yaml", "--with-secrets", "s.yaml", "-o", "out"])).toEqual({ help: false, manifest: "m.yaml", withSecrets: "s.yaml", output: "out", node: undefined });
    expect(parseRenderArgs(["m.yaml", "--with-secrets=s.yaml", "--node", "w-1"])).toMatchObject({ output: "", node: "w-1" });
    expect(() => parseRenderArgs(["m.yaml", "-o", "out"])).toThrow(/--with-secrets is required/);
    expect(() => parseRenderArgs(["m.yaml", "--with-secrets", "s.yaml"])).toThrow(/-o DIR is required/);
    expect(() => parseRenderArgs(["--with-secrets", "s.yaml", "-o", "out"])).toThrow(UsageError);
    expect(() => parseRenderArgs(["a", "b", "--with-secrets", "s.yaml", "-o", "out"])).toThrow("accepts 1 arg(s), received 2");
    expect(parseRenderArgs(["--help"]).help).toBe(true);
    expect(parseRenderArgs(["m.yaml", "--with-secrets", "s.yaml", "--node", "w-1", "-o", "-"])).toMatchObject({ output: "", node: "w-1" });
    expect(() => parseRenderArgs(["m.yaml", "--with-secrets", "s.yaml", "-o", "-"])).toThrow("-o - (standard output) takes one node: add --node HOST");
  });
});

describe("runRender", () => {
  it("writes DIR/<hostname>.yaml per node, each exactly ManifestRenderer's render, one line per node", () => {
    const plan = runRender(parseRenderArgs(["m.yaml", "--with-secrets", "secrets.yaml", "-o", "out"]), files(MANIFEST));
    const renderer = new ManifestRenderer(manifestSchema.parse(parse(MANIFEST)), bundle);
    const manifest = manifestSchema.parse(parse(MANIFEST));
    expect(plan.files.map((f) => f.path)).toEqual(["out/cp-1.yaml", "out/w-1.yaml", "out/w-2.yaml"]);
    plan.files.forEach((f, i) => {
      expect(f.data).toBe(renderer.render(manifest.nodes[i]!));
      expect(f.mode).toBe(0o644);
    });
    expect(plan.stdout.trimEnd().split("\n")).toEqual([
      "cp-1  controlplane  10.5.0.2         out/cp-1.yaml",
      "w-1   worker        10.5.0.3         out/w-1.yaml",
      "w-2   worker        10.5.0.4         out/w-2.yaml",
    ]);
    // The selected patches really are in: w-1 has the sysctl and its zone, the control plane neither.
    const w1 = parse(plan.files[1]!.data.split("\n---\n")[0]!) as { machine: { sysctls?: Record<string, string>; nodeLabels?: Record<string, string> } };
    expect(w1.machine.sysctls).toEqual({ "vm.max_map_count": "262144" });
    expect(w1.machine.nodeLabels).toMatchObject({ zone: "a" });
    expect(plan.files[0]!.data).not.toContain("vm.max_map_count");
    expect(plan.files[2]!.data).toContain("rotate-server-certificates");
  });

  it("--node renders one node (by hostname or address) to standard output", () => {
    const byHost = runRender(parseRenderArgs(["m.yaml", "--with-secrets", "secrets.yaml", "--node", "w-2"]), files(MANIFEST));
    const byAddress = runRender(parseRenderArgs(["m.yaml", "--with-secrets", "secrets.yaml", "--node", "10.5.0.4"]), files(MANIFEST));
    expect(byHost.files).toEqual([]);
    expect(byHost.stdout).toContain("hostname: w-2");
    expect(byAddress.stdout).toBe(byHost.stdout);
    expect(() => runRender(parseRenderArgs(["m.yaml", "--with-secrets", "secrets.yaml", "--node", "w-9"]), files(MANIFEST))).toThrow(/no node "w-9" in m.yaml/);
  });

  it("places a rendered config's problem on the shared patch line that set it, naming every node it breaks; nothing rendered", () => {
    const broken = MANIFEST.replace('vm.max_map_count: "262144"', 'vm.max_map_count: "262144"\n        kubelet:\n          nodeIP:\n            validSubnets: [not-a-cidr]');
    expect(renderErrors(broken)).toEqual(['m.yaml:18:28: error: w-1, w-2: machine.kubelet.nodeIP.validSubnets[0]: kubelet nodeIP subnet is not valid: "not-a-cidr"']);
  });

  it("places a patch that does not load on its own line, and a JSON patch error on its operation", () => {
    // Line 15 is the sysctl's line; column 29 is the value inside the patch text.
    expect(renderErrors(MANIFEST.replace('vm.max_map_count: "262144"', "vm.max_map_count: [1]"))).toEqual([
      "m.yaml:15:29: error: cannot unmarshal !!seq into string (at machine.sysctls.vm.max_map_count)",
    ]);
    expect(renderErrors(MANIFEST.replace('rotate-server-certificates: "true"', "- 7"))).toEqual([expect.stringMatching(/^m\.yaml:32:13: error: cannot unmarshal !!seq into meta\.Args \(at machine\.kubelet\.extraArgs\)$/)]);

    const jsonPatch = MANIFEST.replace("  - name: zone a", "  - name: json\n    patch: |\n      - op: remove\n        path: /machine/nosuch\n  - name: zone a");
    // The JSON patch starts on line 18; every node fails on it (a 1.13 config is multi-document).
    expect(renderErrors(jsonPatch)).toEqual([expect.stringMatching(/^m\.yaml:18:7: error: cp-1, w-1, w-2: JSON6902 patches are not supported/)]);
  });

  it("reports schema and YAML problems on their lines", () => {
    expect(renderErrors(MANIFEST.replace("role: controlplane}", "role: master}"))).toEqual([expect.stringMatching(/^m\.yaml:23:47: error: /)]);
    expect(renderErrors(MANIFEST.replace("    selector: {role: worker}", "    selector: {role: worker}\n    colour: red"))).toEqual([expect.stringMatching(/^m\.yaml:12:5: error: .*colour/)]);
    expect(renderErrors(MANIFEST.replace("generate:\n", "version: 1\ngenerate:\n"))).toEqual([expect.stringMatching(/^m\.yaml:7:1: error: /)]);
    // A semantic problem the schema cannot see: the same hostname twice.
    expect(renderErrors(MANIFEST.replace("hostname: w-2", "hostname: w-1"))).toEqual([expect.stringMatching(/^m\.yaml:26:\d+: error: .*w-1/)]);
  });

  it("a bad secrets bundle is an error at the bundle's line", () => {
    const f = files(MANIFEST);
    f.set("secrets.yaml", { name: "secrets.yaml", text: "cluster: {id: a}\n" });
    expect(() => runRender(parseRenderArgs(["m.yaml", "--with-secrets", "secrets.yaml", "-o", "out"]), f)).toThrow(SourceError);
  });
});

describe("minos render (bin/minos.mjs)", { timeout: 60_000 }, () => {
  const bin = path.resolve(__dirname, "../../bin/minos.mjs");
  const minos = (args: string[]) => {
    const r = spawnSync("sh", ["-c", 'umask 022 && exec "$0" "$@"', process.execPath, bin, ...args], { cwd: dir, encoding: "utf8", timeout: 60_000 });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  };

  it("writes one file per node (0644), and on any error writes nothing and exits 1", () => {
    writeFileSync(path.join(dir, "m.yaml"), MANIFEST);
    writeFileSync(path.join(dir, "secrets.yaml"), secretsText);
    const ok = minos(["render", "m.yaml", "--with-secrets", "secrets.yaml", "-o", "out"]);
    expect(ok.stderr).toBe("");
    expect(ok.code).toBe(0);
    expect(ok.stdout.split("\n").filter(Boolean)).toHaveLength(3);
    expect(readdirSync(path.join(dir, "out")).sort()).toEqual(["cp-1.yaml", "w-1.yaml", "w-2.yaml"]);
    expect(statSync(path.join(dir, "out/w-1.yaml")).mode & 0o777).toBe(0o644);
    const manifest = manifestSchema.parse(parse(MANIFEST));
    expect(readFileSync(path.join(dir, "out/w-1.yaml"), "utf8")).toBe(new ManifestRenderer(manifest, bundle).render(manifest.nodes[1]!));

    writeFileSync(path.join(dir, "bad.yaml"), MANIFEST.replace('vm.max_map_count: "262144"', 'vm.max_map_count: "262144"\n        kubelet:\n          nodeIP:\n            validSubnets: [not-a-cidr]'));
    const bad = minos(["render", "bad.yaml", "--with-secrets", "secrets.yaml", "-o", "out2"]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toBe('bad.yaml:18:28: error: w-1, w-2: machine.kubelet.nodeIP.validSubnets[0]: kubelet nodeIP subnet is not valid: "not-a-cidr"\n');
    expect(existsSync(path.join(dir, "out2"))).toBe(false);

    const usage = minos(["render", "m.yaml"]);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/^minos render: --with-secrets is required/);
  });
});

it("formatErrors prints each manifest problem on its own line and leaves other errors alone", () => {
  const issue = { severity: "error" as const, message: "a", line: 1, column: 2, endLine: 1, endColumn: 3, path: [], nodes: [] };
  expect(formatErrors(new ManifestProblems("m.yaml", [issue, { ...issue, severity: "warning", message: "b", line: 3 }]), "minos render")).toBe("m.yaml:1:2: error: a\nm.yaml:3:2: warning: b\n");
  expect(formatErrors(new SourceError("c", { source: "--node" }), "x")).toBe(formatSourceError(new SourceError("c", { source: "--node" })) + "\n");
  expect(formatErrors(new Error("bug"), "x")).toBeNull();
});
