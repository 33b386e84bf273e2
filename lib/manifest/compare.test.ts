import { readFileSync } from "node:fs";
import path from "node:path";

import { describe, expect, it } from "vitest";

import { generateMachineConfig, type GenerateInput } from "@/lib/talos/generate";
import { parseSecretsBundle } from "@/lib/talos/secrets/bundle";

import { configDifferences } from "./compare";

const secrets = parseSecretsBundle(readFileSync(path.join(__dirname, "../talos/generate/testdata/secrets.yaml"), "utf8"), "secrets.yaml");
const input = (talosVersion: GenerateInput["talosVersion"]): GenerateInput => ({
  clusterName: "demo",
  endpoint: "https://10.0.0.10:6443",
  kubernetesVersion: "1.33.2",
  talosVersion,
  secrets,
});

describe("configDifferences", () => {
  it("is empty for the same config, whatever its key order, quoting or indentation", () => {
    const a = "version: v1alpha1\nmachine:\n  type: worker\n  sysctls:\n    vm.max_map_count: \"262144\"\n    a.b: '1'\ncluster:\n  clusterName: x\n";
    const b = "cluster: {clusterName: 'x'}\nmachine:\n    sysctls: {a.b: \"1\", vm.max_map_count: '262144'}\n    type: worker\nversion: v1alpha1\n";
    expect(configDifferences(a, b)).toEqual([]);
    expect(configDifferences(a, b, { canonical: false })).toEqual([]);
  });

  it("matches documents by identity, not by position", () => {
    const v1 = "version: v1alpha1\nmachine: {type: worker}\n";
    const host = "apiVersion: v1alpha1\nkind: HostnameConfig\nhostname: w-1\n";
    const mirror = (n: string) => `apiVersion: v1alpha1\nkind: RegistryMirrorConfig\nname: ${n}\nendpoints: [{url: "https://m.example.com/"}]\n`;
    expect(configDifferences([v1, host, mirror("a"), mirror("b")].join("---\n"), [mirror("b"), v1, mirror("a"), host].join("---\n"))).toEqual([]);
  });

  it("names each differing path, in the v1alpha1 document without a prefix, in others after the kind (and name)", () => {
    const a = "version: v1alpha1\nmachine:\n  type: worker\n  sysctls: {vm.max_map_count: \"1\"}\n---\napiVersion: v1alpha1\nkind: HostnameConfig\nhostname: w-1\n---\napiVersion: v1alpha1\nkind: RegistryMirrorConfig\nname: docker.io\nendpoints: [{url: \"https://a.example.com/\"}]\n";
    const b = "version: v1alpha1\nmachine:\n  type: worker\n  sysctls: {vm.max_map_count: \"2\"}\n---\napiVersion: v1alpha1\nkind: HostnameConfig\nhostname: w-2\n---\napiVersion: v1alpha1\nkind: RegistryMirrorConfig\nname: docker.io\nendpoints: [{url: \"https://b.example.com/\"}]\n";
    expect(configDifferences(a, b)).toEqual(["machine.sysctls.vm.max_map_count", "HostnameConfig.hostname", "RegistryMirrorConfig/docker.io.endpoints[0].url"]);
  });

  it("names a document only one side has, a key only one side has and list items beyond the other's end", () => {
    const a = "version: v1alpha1\nmachine:\n  type: worker\n  certSANs: [a, b]\n---\napiVersion: v1alpha1\nkind: HostnameConfig\nhostname: w-1\n";
    const b = "version: v1alpha1\nmachine:\n  type: worker\n  certSANs: [a, c, d]\n  nodeLabels: {x: y}\n---\napiVersion: v1alpha1\nkind: FilesystemTrimConfig\ninterval: 24h0m0s\n";
    expect(configDifferences(a, b)).toEqual(["machine.certSANs[1]", "machine.certSANs[2]", "machine.nodeLabels", "- HostnameConfig", "+ FilesystemTrimConfig"]);
  });

  it("compares YAML types: a number is not the string of its digits where Talos keeps the type", () => {
    // machine.kubelet.extraConfig is free-form: Talos keeps 1 and "1" apart there.
    const a = "version: v1alpha1\nmachine:\n  type: worker\n  kubelet:\n    extraConfig: {maxPods: 250}\n";
    const b = "version: v1alpha1\nmachine:\n  type: worker\n  kubelet:\n    extraConfig: {maxPods: \"250\"}\n";
    expect(configDifferences(a, b)).toEqual(["machine.kubelet.extraConfig.maxPods"]);
  });

  it("reads both sides as Talos does: a string field takes a plain number, a duration its Go spelling", () => {
    const a = "version: v1alpha1\nmachine:\n  type: worker\n  sysctls: {vm.max_map_count: 262144}\n  time: {bootTimeout: 2m}\n";
    const b = "version: v1alpha1\nmachine:\n  type: worker\n  sysctls: {vm.max_map_count: \"262144\"}\n  time: {bootTimeout: 2m0s}\n";
    expect(configDifferences(a, b)).toEqual([]);
    expect(configDifferences(a, b, { canonical: false })).toEqual(["machine.sysctls.vm.max_map_count", "machine.time.bootTimeout"]);
  });

  it("compares a config Talos refuses as written", () => {
    const a = "version: v1alpha1\nmachine: {type: worker, notAField: 1}\n";
    expect(configDifferences(a, a.replace("1}", "2}"))).toEqual(["machine.notAField"]);
    expect(configDifferences(a, "version: v1alpha1\nmachine: {type: worker, notAField: 1}\n")).toEqual([]);
  });

  it("caps the list and says how many more differ", () => {
    const labels = (v: string) => Array.from({ length: 60 }, (_, i) => `    l${String(i).padStart(2, "0")}: ${v}\n`).join("");
    const a = `version: v1alpha1\nmachine:\n  type: worker\n  nodeLabels:\n${labels("a")}`;
    const b = `version: v1alpha1\nmachine:\n  type: worker\n  nodeLabels:\n${labels("b")}`;
    const d = configDifferences(a, b);
    expect(d).toHaveLength(51);
    expect(d[0]).toBe("machine.nodeLabels.l00");
    expect(d[50]).toBe("+10 more");
    expect(configDifferences(a, b, { limit: 5 })).toEqual(["machine.nodeLabels.l00", "machine.nodeLabels.l01", "machine.nodeLabels.l02", "machine.nodeLabels.l03", "machine.nodeLabels.l04", "+55 more"]);
  });

  it.each(["1.10", "1.12", "1.14"] as const)("tells generated configs of contract %s apart by their real differences", (v) => {
    const worker = generateMachineConfig(input(v), "worker");
    const other = generateMachineConfig({ ...input(v), dnsDomain: "example.internal" }, "worker");
    const d = configDifferences(worker, other);
    expect(d).toEqual([v === "1.14" ? "KubeNetworkConfig.dnsDomain" : "cluster.network.dnsDomain"]);
  });
});
