import { readFileSync } from "node:fs";
import path from "node:path";

import { describe, expect, it } from "vitest";

import { SourceError } from "@/lib/talos/errors";

import { UsageError } from "./flags";
import { DEFAULT_KUBERNETES_VERSION, outputPaths, parseGenConfigArgs, parseGenSecretsArgs, parseRegistryMirrors, runGenConfig, runGenSecrets } from "./gen";

const base = ["demo", "https://10.5.0.2:6443"];

describe("parseGenConfigArgs", () => {
  it("has talosctl's defaults", () => {
    const o = parseGenConfigArgs(base);
    expect(o).toMatchObject({
      clusterName: "demo",
      endpoint: "https://10.5.0.2:6443",
      configVersion: "v1alpha1",
      kubernetesVersion: DEFAULT_KUBERNETES_VERSION,
      dnsDomain: "cluster.local",
      installDisk: "/dev/sda",
      withDocs: true,
      withExamples: true,
      discovery: true,
      kubeSpan: false,
      force: false,
      outputTypes: ["controlplane", "worker", "talosconfig"],
      output: "",
    });
    expect(o.talosVersion).toBeUndefined();
    expect(o.installImage).toBeUndefined();
  });

  it("reads a talosctl command line unchanged, flags before, between and after the arguments", () => {
    const o = parseGenConfigArgs([
      "--with-docs=false",
      "demo",
      "--with-examples=false",
      "https://10.5.0.2:6443",
      "--with-cluster-discovery=false",
      "--with-kubespan",
      "--talos-version",
      "v1.13",
      "--kubernetes-version=v1.33.1",
      "--config-patch",
      "@all.yaml",
      "--config-patch",
      '[{"op": "add", "path": "/machine/certSANs", "value": ["a,b"]}]',
      "--config-patch-control-plane",
      "cp.yaml",
      "--config-patch-worker=@w.yaml",
      "--additional-sans",
      "a.example,b.example",
      "--additional-sans=c.example",
      "--registry-mirror",
      "docker.io=https://m1,ghcr.io=https://m2",
      "-t",
      "controlplane,worker",
      "-o",
      "out",
      "-f",
    ]);
    expect(o).toMatchObject({
      withDocs: false,
      withExamples: false,
      discovery: false,
      kubeSpan: true,
      talosVersion: "v1.13",
      kubernetesVersion: "v1.33.1",
      additionalSans: ["a.example", "b.example", "c.example"],
      registryMirrors: ["docker.io=https://m1", "ghcr.io=https://m2"],
      outputTypes: ["controlplane", "worker"],
      output: "out",
      force: true,
    });
    expect(o.patches.all).toEqual([
      { kind: "file", path: "all.yaml" },
      { kind: "inline", text: '[{"op": "add", "path": "/machine/certSANs", "value": ["a,b"]}]', source: "--config-patch #2" },
    ]);
    expect(o.patches.controlplane).toEqual([{ kind: "file", path: "cp.yaml" }]);
    expect(o.patches.worker).toEqual([{ kind: "file", path: "w.yaml" }]);
  });

  it.each([[[]], [["demo"]], [["a", "b", "c"]], [[...base, "--with-docs=maybe"]], [[...base, "--bogus"]]])("usage error: %j", (argv) =>
    expect(() => parseGenConfigArgs(argv)).toThrow(UsageError),
  );
});

describe("parseGenSecretsArgs", () => {
  it("defaults to secrets.yaml; -o - is standard output", () => {
    expect(parseGenSecretsArgs([])).toMatchObject({ outputFile: "secrets.yaml", force: false });
    expect(parseGenSecretsArgs(["-o", "-", "--talos-version=1.12", "--force"])).toMatchObject({ outputFile: "-", talosVersion: "1.12", force: true });
    expect(() => parseGenSecretsArgs(["extra"])).toThrow(UsageError);
  });
});

describe("outputPaths (talosctl's outputPaths)", () => {
  const paths = (argv: string[]) => Object.fromEntries(outputPaths(parseGenConfigArgs([...base, ...argv]), "/cwd"));

  it("defaults to the working directory", () =>
    expect(paths([])).toEqual({ controlplane: "/cwd/controlplane.yaml", worker: "/cwd/worker.yaml", talosconfig: "/cwd/talosconfig" }));

  it("-o is a directory for several types, a file for one, - for stdout", () => {
    expect(paths(["-o", "out"])).toEqual({ controlplane: "out/controlplane.yaml", worker: "out/worker.yaml", talosconfig: "out/talosconfig" });
    expect(paths(["-t", "worker", "-o", "w.yaml"])).toEqual({ worker: "w.yaml" });
    expect(paths(["-t", "talosconfig", "-o", "-"])).toEqual({ talosconfig: "-" });
    // The hidden --output-dir is always a directory.
    expect(paths(["-t", "worker", "--output-dir", "d"])).toEqual({ worker: "d/worker.yaml" });
  });

  it.each([
    [["-o", "-"], "can't use multiple output types with stdout"],
    [["-t", "controlplane,kubeconfig"], 'invalid output type: "kubeconfig"'],
    [["-t", ""], "at least one output type must be specified"],
    [["-o", "a", "--output-dir", "b"], "can't use both output-dir and output"],
  ])("%j: %s", (argv, message) => expect(() => paths(argv)).toThrow(message));
});

describe("parseRegistryMirrors", () => {
  it("cuts at the first = and collects a host's endpoints in order", () => {
    expect(parseRegistryMirrors(["docker.io=https://a", "ghcr.io=https://b?x=1", "docker.io=https://c"])).toEqual([
      { host: "docker.io", endpoints: ["https://a", "https://c"] },
      { host: "ghcr.io", endpoints: ["https://b?x=1"] },
    ]);
    expect(() => parseRegistryMirrors(["docker.io"])).toThrow('invalid registry mirror spec: "docker.io"');
  });
});

describe("runGenConfig errors (before anything is generated)", () => {
  const run = (argv: string[], files = new Map()) => runGenConfig(parseGenConfigArgs(argv), files, "/cwd");

  it.each([
    [["demo", "10.5.0.2"], "ENDPOINT", "no scheme and port specified"],
    [[...base, "--talos-version", "1.9"], "--talos-version", "unsupported Talos version contract v1.9"],
    [[...base, "--talos-version", "latest"], "--talos-version", 'error parsing version "vlatest"'],
    [[...base, "--version", "v1alpha2"], "--version", 'unknown config version: "v1alpha2"'],
    [[...base, "--registry-mirror", "docker.io"], "--registry-mirror", "invalid registry mirror spec"],
    [[...base, "--with-secrets", "gone.yaml"], "gone.yaml", "no such file"],
  ])("%j → %s: %s", async (argv, source, message) => {
    const files = new Map([["gone.yaml", { name: "gone.yaml", error: "no such file" }]]);
    const e = await run(argv, files).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(SourceError);
    expect((e as SourceError).place.source).toBe(source);
    expect((e as SourceError).message).toContain(message);
  });
});

describe("runGenSecrets", () => {
  const stabilitySecrets = readFileSync(path.join(__dirname, "../talos/generate/testdata/secrets.yaml"), "utf8");
  const cpConfig = readFileSync(path.join(__dirname, "testdata/golden/expected/v1.11/controlplane.yaml"), "utf8");
  const files = new Map([["cp.yaml", { name: "cp.yaml", text: cpConfig }]]);

  it("--from-controlplane-config extracts the bundle the config was made from", async () => {
    const plan = await runGenSecrets(parseGenSecretsArgs(["--from-controlplane-config", "cp.yaml", "-o", "-"]), files);
    const body = (t: string) => t.split("\n").filter((l) => !l.startsWith("#"));
    expect(body(plan.stdout)).toEqual(body(stabilitySecrets));
    expect(plan.files).toEqual([]);
  });

  it("plans secrets.yaml 0600, refusing to overwrite", async () => {
    const plan = await runGenSecrets(parseGenSecretsArgs(["--from-controlplane-config", "cp.yaml"]), files);
    expect(plan.files).toEqual([{ path: "secrets.yaml", data: expect.stringMatching(/^cluster:/) as string, mode: 0o600, noClobber: true, announce: false }]);
  });

  it("refuses --from-kubernetes-pki and bad versions as errors at the flag", async () => {
    await expect(runGenSecrets(parseGenSecretsArgs(["-p", "/etc/kubernetes/pki"]), files)).rejects.toMatchObject({ place: { source: "--from-kubernetes-pki" } });
    await expect(runGenSecrets(parseGenSecretsArgs(["--talos-version", "0.14"]), files)).rejects.toMatchObject({ place: { source: "--talos-version" } });
  });
});

describe("runGenConfig -o -", () => {
  it("writes the one output type to standard output, no file", async () => {
    const secretsFile = path.join(__dirname, "../talos/generate/testdata/secrets.yaml");
    const o = parseGenConfigArgs([...base, "--with-secrets", secretsFile, "-t", "worker", "-o", "-", "--talos-version", "1.11"]);
    const plan = await runGenConfig(o, new Map([[secretsFile, { name: secretsFile, text: readFileSync(secretsFile, "utf8") }]]), "/cwd");
    expect(plan.files).toEqual([]);
    expect(plan.stdout).toMatch(/^version: v1alpha1\n/);
    expect(plan.stdout).toContain("    type: worker\n");
  });
});
