/**
 * Golden configs with patches, through the `minos gen config` core: expectations written by hand
 * from Talos's generator output and patcher code (see testdata/golden/README.md), not from
 * Minos's output. Each expectation also validates with no issue for its own version.
 */
import { readFileSync } from "node:fs";
import path from "node:path";

import { describe, expect, it } from "vitest";

import { validateConfig } from "@/lib/config/validate";
import type { TalosMinor } from "@/lib/config/types";
import { SourceError } from "@/lib/talos/errors";

import type { InputFile } from "./common";
import { parseGenConfigArgs, runGenConfig } from "./gen";

const golden = path.join(__dirname, "testdata/golden");
const secrets = path.join(__dirname, "../talos/generate/testdata/secrets.yaml");
const read = (p: string) => readFileSync(p, "utf8");

const PATCHES: Record<TalosMinor, { all: string; cp: string; worker: string }> = {
  "1.10": { all: "all.yaml", cp: "cp.yaml", worker: "worker.json" },
  "1.11": { all: "all.yaml", cp: "cp.yaml", worker: "worker.json" },
  "1.12": { all: "all.yaml", cp: "cp.yaml", worker: "worker-multidoc.yaml" },
  "1.13": { all: "all.yaml", cp: "cp.yaml", worker: "worker-multidoc.yaml" },
  "1.14": { all: "all-1.14.yaml", cp: "cp-1.14.yaml", worker: "worker-1.14.yaml" },
};

function args(version: string, p: { all: string; cp: string; worker: string }): string[] {
  const patch = (f: string) => `@${path.join(golden, "patches", f)}`;
  return [
    "base",
    "https://base:6443",
    "--with-secrets",
    secrets,
    "--talos-version",
    version,
    "--kubernetes-version",
    "1.28.0",
    "--install-disk",
    "",
    "--install-image",
    "",
    "--with-docs=false",
    "--with-examples=false",
    "--config-patch",
    patch(p.all),
    "--config-patch-control-plane",
    patch(p.cp),
    "--config-patch-worker",
    patch(p.worker),
    "-t",
    "controlplane,worker",
    "-o",
    "out",
  ];
}

/** What main.ts would read for these options. */
function inputs(argv: string[]): Map<string, InputFile> {
  const o = parseGenConfigArgs(argv);
  const names = [o.withSecrets!, ...[...o.patches.all, ...o.patches.controlplane, ...o.patches.worker].flatMap((p) => (p.kind === "file" ? [p.path] : []))];
  return new Map(names.map((n) => [n, { name: n, text: read(n) }]));
}

describe.each(Object.entries(PATCHES) as [TalosMinor, (typeof PATCHES)[TalosMinor]][])("contract %s with patches", (version, patches) => {
  const expected = (role: string) => read(path.join(golden, "expected", `v${version}`, `${role}.yaml`));

  it("gen config writes Talos's configs with the patches applied", async () => {
    const argv = args(version, patches);
    const plan = await runGenConfig(parseGenConfigArgs(argv), inputs(argv), "/cwd");
    expect(plan.files.map((f) => f.path)).toEqual(["out/controlplane.yaml", "out/worker.yaml"]);
    expect(plan.files[0]!.data).toBe(expected("controlplane"));
    expect(plan.files[1]!.data).toBe(expected("worker"));
  });

  it.each(["controlplane", "worker"])("the expected %s validates with no issue", (role) => {
    const r = validateConfig(expected(role), { talosVersion: version });
    expect(r.issues.map((i) => `${i.line}:${i.column} ${i.severity}: ${i.message}`)).toEqual([]);
  });
});

it.each(["1.12", "1.13", "1.14"])("%s: a JSON patch is refused on a multi-document config, naming the patch", async (version) => {
  const argv = args(version, { ...PATCHES[version as TalosMinor], worker: "worker.json" });
  const e = await runGenConfig(parseGenConfigArgs(argv), inputs(argv), "/cwd").catch((x: unknown) => x);
  expect(e).toBeInstanceOf(SourceError);
  expect((e as SourceError).message).toMatch(/^error patching worker config: .*JSON6902 patches are not supported for multi-document machine configuration/);
  expect((e as SourceError).place.source).toBe(path.join(golden, "patches", "worker.json"));
});

it("the talosconfig beside them: the cluster's context, no endpoints (gen config sets none), the bundle's OS CA, a fresh client certificate", async () => {
  const argv = [...args("1.14", PATCHES["1.14"]).filter((a) => a !== "controlplane,worker" && a !== "-t")];
  const plan = await runGenConfig(parseGenConfigArgs(argv), inputs(argv), "/cwd");
  expect(plan.files.map((f) => f.path)).toEqual(["out/controlplane.yaml", "out/worker.yaml", "out/talosconfig"]);
  const tc = plan.files[2]!.data;
  const osCrt = /^ {4}os:\n {8}crt: (\S+)$/m.exec(read(secrets))![1]!;
  expect(tc).toMatch(new RegExp(`^context: base\\ncontexts:\\n {4}base:\\n {8}endpoints: \\[\\]\\n {8}ca: ${osCrt.replace(/[+/=]/g, "\\$&")}\\n {8}crt: \\S+\\n {8}key: \\S+\\n$`));
  const crt = Buffer.from(/ crt: (\S+)/.exec(tc)![1]!, "base64").toString();
  expect(crt).toMatch(/^-----BEGIN CERTIFICATE-----\n/);
});
