/**
 * Golden tests of the generator against what talosctl v1.14.0-rc.1 writes (testdata/README.md
 * says where every expectation comes from). None of the expected files was produced by Minos.
 */
import crypto from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";

import { parse, parseAllDocuments } from "yaml";
import { describe, expect, it } from "vitest";

import { validateConfig } from "@/lib/config/validate";
import { TALOS_MINORS } from "@/lib/config/types";

import { SourceError } from "../errors";
import { parseSecretsBundle } from "../secrets/bundle";
import { defaultInstallVersion, generateMachineConfig, generateTalosconfig, type GenerateInput } from "./index";
import { renderNodeConfig, buildConfigTemplate } from "./template";

const dir = path.join(__dirname, "testdata");
const read = (f: string) => readFileSync(path.join(dir, f), "utf8");
// Talos's fixed bundle: pkg/machinery/config/types/v1alpha1/testdata/stability/secrets.yaml.
const secrets = parseSecretsBundle(read("secrets.yaml"), "secrets.yaml");
const roles = ["controlplane", "worker"] as const;
const cases = TALOS_MINORS.flatMap((v) => roles.map((role) => ({ v, role })));

/** v1alpha1_stability_test.go "base": NewInput("base", "https://base:6443", "1.28.0", WithSecretsBundle, WithVersionContract) and nothing else. */
const stabilityInput = (v: (typeof TALOS_MINORS)[number]): GenerateInput => ({
  clusterName: "base",
  endpoint: "https://base:6443",
  kubernetesVersion: "1.28.0",
  talosVersion: v,
  secrets,
  // NewInput without WithInstallDisk/WithInstallImage: both empty (talosctl's flags would set them).
  installDisk: "",
  installImage: "",
});

/**
 * talosctl gen config minos-golden https://10.5.0.2:6443 --with-secrets secrets.yaml
 *   --talos-version v1.X --kubernetes-version 1.33.1 --additional-sans lb.example.com,10.5.0.100
 *   --dns-domain example.internal --install-disk /dev/nvme0n1 --install-image <factory>:v1.X.0
 *   --registry-mirror docker.io=https://mirror.example.com
 *   --registry-mirror ghcr.io=https://ghcr.mirror.example.com
 *   --registry-mirror docker.io=https://mirror2.example.com
 *   --with-kubespan --with-docs=false --with-examples=false
 */
const flagsInput = (v: (typeof TALOS_MINORS)[number]): GenerateInput => ({
  clusterName: "minos-golden",
  endpoint: "https://10.5.0.2:6443",
  kubernetesVersion: "v1.33.1",
  talosVersion: v,
  secrets,
  additionalSans: ["lb.example.com", "10.5.0.100"],
  dnsDomain: "example.internal",
  installDisk: "/dev/nvme0n1",
  installImage: `factory.talos.dev/metal-installer/376567988ad370138ad8b2698212367b8edcb69b5fd68c80be1f2ec7d603b4ba:v${v}.0`,
  registryMirrors: [
    { host: "docker.io", endpoints: ["https://mirror.example.com"] },
    { host: "ghcr.io", endpoints: ["https://ghcr.mirror.example.com"] },
    { host: "docker.io", endpoints: ["https://mirror2.example.com"] },
  ],
  kubeSpan: true,
});

describe("generateMachineConfig equals Talos's own stability output (base inputs)", () => {
  it.each(cases)("contract $v $role", ({ v, role }) => {
    expect(generateMachineConfig(stabilityInput(v), role)).toBe(read(`talos-stability/v${v}/base-${role}.yaml`));
  });
});

describe("generateMachineConfig equals the hand-derived gen config goldens (every flag)", () => {
  it.each(cases)("contract $v $role", ({ v, role }) => {
    expect(generateMachineConfig(flagsInput(v), role)).toBe(read(`golden/v${v}-${role}.yaml`));
  });
});

describe("generated configs validate for their own version", () => {
  const inputs = { stability: stabilityInput, flags: flagsInput, defaults: (v: (typeof TALOS_MINORS)[number]) => ({ ...flagsInput(v), installDisk: undefined, installImage: undefined, additionalSans: undefined, registryMirrors: undefined, discovery: undefined, kubeSpan: undefined, dnsDomain: undefined }) };
  it.each(cases.flatMap((c) => Object.keys(inputs).map((kind) => ({ ...c, kind: kind as keyof typeof inputs }))))("$kind $v $role: no errors, no warnings", ({ v, role, kind }) => {
    const yaml = generateMachineConfig(inputs[kind](v), role);
    expect(validateConfig(yaml, { talosVersion: v }).issues).toEqual([]);
  });
});

describe("talosctl's defaults", () => {
  it("installs to /dev/sda with the newest known installer of the minor, discovery on, no KubeSpan", () => {
    const base = { clusterName: "c", endpoint: "https://cp.example.com:6443", kubernetesVersion: "1.33.1", secrets };
    const old = parseAllDocuments(generateMachineConfig({ ...base, talosVersion: "1.13" }, "worker"))[0]!.toJS() as { machine: { install: unknown }; cluster: { discovery: { enabled: boolean } } };
    expect(old.machine.install).toEqual({ disk: "/dev/sda", image: "ghcr.io/siderolabs/installer:v1.13.9", wipe: false, grubUseUKICmdline: true });
    expect(old.cluster.discovery.enabled).toBe(true);
    const docs = parseAllDocuments(generateMachineConfig({ ...base, talosVersion: "1.14" }, "worker")).map((d) => d.toJS() as { kind?: string; installer?: { image: string } });
    expect(docs.find((d) => d.kind === "UnattendedInstallConfig")?.installer?.image).toMatch(/^factory\.talos\.dev\/metal-installer\/[0-9a-f]{64}:v1\.14\.0$/);
    expect(docs.some((d) => d.kind === "DiscoveryServiceConfig")).toBe(true);
    expect(docs.some((d) => d.kind === "KubeSpanConfig")).toBe(false);
  });

  it("--with-cluster-discovery=false: discovery.enabled false before 1.14, no DiscoveryServiceConfig in 1.14", () => {
    const old = parseAllDocuments(generateMachineConfig({ ...flagsInput("1.13"), kubeSpan: false, discovery: false }, "worker"))[0]!.toJS() as { cluster: { discovery: unknown } };
    // worker.go:139-145: the legacy block stays, with enabled false and the Kubernetes registry disabled.
    expect(old.cluster.discovery).toEqual({ enabled: false, registries: { kubernetes: { disabled: true }, service: {} } });
    const kinds = parseAllDocuments(generateMachineConfig({ ...flagsInput("1.14"), kubeSpan: false, discovery: false }, "controlplane")).map((d) => (d.toJS() as { kind?: string }).kind);
    expect(kinds).not.toContain("DiscoveryServiceConfig");
    expect(kinds).toContain("DiscoveryIdentityConfig");
  });

  it("refuses an endpoint that is not https, and an unknown contract", () => {
    expect(() => generateMachineConfig({ ...flagsInput("1.14"), endpoint: "http://x:6443" }, "worker")).toThrow(SourceError);
    expect(() => generateMachineConfig({ ...flagsInput("1.14"), talosVersion: "1.9" as never }, "worker")).toThrow(/unsupported Talos version contract/);
  });
});

describe("generateTalosconfig", () => {
  it("one context named after the cluster, no endpoints, an os:admin client certificate from the OS CA valid one year", async () => {
    const now = new Date("2026-03-04T05:06:07Z");
    const text = await generateTalosconfig(flagsInput("1.14"), { now });
    const cfg = parse(text) as { context: string; contexts: Record<string, { endpoints: string[]; ca: string; crt: string; key: string }> };
    expect(cfg.context).toBe("minos-golden");
    expect(Object.keys(cfg.contexts)).toEqual(["minos-golden"]);
    expect(text).toMatch(/^context: minos-golden\ncontexts:\n {4}minos-golden:\n {8}endpoints: \[\]\n {8}ca: \S+\n {8}crt: \S+\n {8}key: \S+\n$/);
    const ctx = cfg.contexts["minos-golden"]!;
    const unb64 = (s: string) => Buffer.from(s, "base64").toString("utf8");
    expect(unb64(ctx.ca)).toBe(secrets.certs.os.crt);
    const cert = new crypto.X509Certificate(unb64(ctx.crt));
    const ca = new crypto.X509Certificate(secrets.certs.os.crt);
    expect(cert.verify(ca.publicKey)).toBe(true);
    expect(cert.checkIssued(ca)).toBe(true);
    expect(cert.subject).toBe("O=os:admin");
    expect(new Date(cert.validFrom).getTime()).toBe(now.getTime());
    expect(new Date(cert.validTo).getTime() - now.getTime()).toBe(365 * 24 * 3_600_000);
    expect(cert.keyUsage).toEqual(["1.3.6.1.5.5.7.3.2"]);
    expect(unb64(ctx.key)).toMatch(/^-----BEGIN ED25519 PRIVATE KEY-----/);
    expect(cert.checkPrivateKey(crypto.createPrivateKey(unb64(ctx.key).replace(/ED25519 PRIVATE KEY/g, "PRIVATE KEY")))).toBe(true);
  });
});

describe("per-node templates (the simulator's 1,000 nodes)", () => {
  it.each(cases)("contract $v $role: gen config with the node's address as an extra SAN, and its hostname", ({ v, role }) => {
    const input = { ...flagsInput(v), additionalSans: ["lb.example.com"] };
    const rendered = renderNodeConfig(buildConfigTemplate(input, role), { address: "10.5.0.7", hostname: "node-7" });
    const generated = generateMachineConfig({ ...input, additionalSans: ["lb.example.com", "10.5.0.7"] }, role);
    // The hostname as a per-node patch sets it: HostnameConfig from 1.12 (network.go writes
    // `auto: stable` there), machine.network.hostname before (NetworkConfig's first field).
    const expected =
      Number(v.split(".")[1]) >= 12
        ? generated.replace("kind: HostnameConfig\nauto: stable\n", "kind: HostnameConfig\nhostname: node-7\n")
        : generated.replace("    network:\n", "    network:\n        hostname: node-7\n");
    expect(expected).not.toBe(generated);
    expect(rendered).toBe(expected);
    expect(validateConfig(rendered, { talosVersion: v }).issues).toEqual([]);
  });
});

describe("the default install image", () => {
  const input = (v: (typeof TALOS_MINORS)[number]): GenerateInput => ({ clusterName: "c", endpoint: "https://10.5.0.2:6443", kubernetesVersion: "1.33.1", talosVersion: v, secrets });
  const imageOf = (v: (typeof TALOS_MINORS)[number]) => {
    const docs = parseAllDocuments(generateMachineConfig(input(v), "worker")).map((d) => d.toJS() as { kind?: string; machine?: { install?: { image?: string } }; installer?: { image?: string } });
    return docs.find((d) => d.kind === "UnattendedInstallConfig")?.installer?.image ?? docs[0]!.machine?.install?.image;
  };

  it("is the newest release of the minor Minos knows, not its .0", () => {
    expect(defaultInstallVersion("1.13")).toBe("v1.13.9");
    expect(defaultInstallVersion("1.12")).toBe("v1.12.11");
    expect(defaultInstallVersion("1.14")).toBe("v1.14.0");
    expect(imageOf("1.13")).toBe("ghcr.io/siderolabs/installer:v1.13.9");
    expect(imageOf("1.14")).toMatch(/^factory\.talos\.dev\/metal-installer\/[0-9a-f]{64}:v1\.14\.0$/);
  });

  it("is v1.X.0 for a minor with no known release", () => {
    expect(defaultInstallVersion("1.10")).toBe("v1.10.0");
    expect(imageOf("1.10")).toBe("ghcr.io/siderolabs/installer:v1.10.0");
  });
});
