import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import YAML from "yaml";
import type { z } from "zod";

import { TALOS_MINORS, type TalosMinor } from "@/lib/config/types";
import { KIND_TABLE } from "./kinds";
import { TYPE_TABLE } from "./registry";
import { configJsonSchema, DOCUMENT_KINDS, documentSchema, kindIsNamed, kindSince, toTalosMinor } from "./index";

interface Found {
  path: string;
  message: string;
}

/** Validate one document; split the zod issues by the warning contract. */
function check(kind: string, version: TalosMinor, value: unknown, patch = false): { errors: Found[]; warnings: Found[] } {
  const result = documentSchema(kind, version, { patch }).safeParse(value);
  const errors: Found[] = [];
  const warnings: Found[] = [];
  for (const issue of result.error?.issues ?? []) {
    const keys = issue.code === "unrecognized_keys" ? `[${issue.keys.join(",")}]` : "";
    const found = { path: issue.path.join(".") + keys, message: issue.message };
    if ((issue as z.core.$ZodIssue & { params?: { severity?: string } }).params?.severity === "warning") warnings.push(found);
    else errors.push(found);
  }
  return { errors, warnings };
}

function loadDocs(file: string): unknown[] {
  return YAML.parseAllDocuments(readFileSync(new URL(`../testdata/${file}`, import.meta.url), "utf8")).map((d) => d.toJS());
}

const kindOf = (doc: unknown) => ((doc as { kind?: string }).kind ?? "v1alpha1");

const b64 = (s: string) => btoa(s);
const PEM_CERT = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";

describe("toTalosMinor", () => {
  it.each([
    ["v1.13.9", "1.13"],
    ["1.13", "1.13"],
    ["v1.14.0-rc.1", "1.14"],
    ["1.12.11", "1.12"],
    ["v1.9.5", "1.10"],
    ["v0.14.0", "1.10"],
    ["v1.15.0-alpha.0", "1.14"],
    ["2.0.0", "1.14"],
    ["latest", null],
    ["", null],
    ["v1", null],
    ["1.13.x", null],
  ])("%s → %s", (input, expected) => {
    expect(toTalosMinor(input)).toBe(expected);
  });
});

describe("kinds", () => {
  it("uses the real kind names and knows ImageVerificationConfig", () => {
    expect(DOCUMENT_KINDS).toContain("v1alpha1");
    expect(DOCUMENT_KINDS).toContain("KubeSpanEndpointsConfig");
    expect(DOCUMENT_KINDS).toContain("UnattendedInstallConfig");
    expect(DOCUMENT_KINDS).toContain("ImageVerificationConfig");
    expect(DOCUMENT_KINDS).not.toContain("KubeSpanEndpoints");
    expect(DOCUMENT_KINDS).not.toContain("UnattendedInstall");
    expect(DOCUMENT_KINDS).toHaveLength(90); // the 90 kinds registered in 1.14, v1alpha1 included
    expect(new Set(DOCUMENT_KINDS).size).toBe(DOCUMENT_KINDS.length);
  });

  it("knows when each kind appeared", () => {
    expect(kindSince("v1alpha1")).toBe("1.10");
    expect(kindSince("UserVolumeConfig")).toBe("1.10");
    expect(kindSince("ExistingVolumeConfig")).toBe("1.11");
    expect(kindSince("LinkConfig")).toBe("1.12");
    expect(kindSince("KubeSpanConfig")).toBe("1.13");
    expect(kindSince("ImageVerificationConfig")).toBe("1.13");
    expect(kindSince("UnattendedInstallConfig")).toBe("1.14");
    expect(kindSince("NoSuchConfig")).toBeNull();
  });

  it("tells named kinds from singletons", () => {
    for (const k of ["LinkConfig", "UserVolumeConfig", "RegistryMirrorConfig", "KubeInlineManifestConfig", "ExtensionServiceConfig"]) {
      expect(kindIsNamed(k), k).toBe(true);
    }
    for (const k of ["v1alpha1", "HostnameConfig", "ResolverConfig", "KubeSpanConfig", "KubeNetworkConfig", "UnattendedInstallConfig", "Nope"]) {
      expect(kindIsNamed(k), k).toBe(false);
    }
  });

  it("builds every kind for every minor from its first one, and caches the result", () => {
    for (const v of TALOS_MINORS) {
      for (const kind of DOCUMENT_KINDS) {
        const since = kindSince(kind);
        expect(since).not.toBeNull();
        if (TALOS_MINORS.indexOf(v) < TALOS_MINORS.indexOf(since!)) continue;
        const a = documentSchema(kind, v);
        expect(documentSchema(kind, v)).toBe(a);
        expect(documentSchema(kind, v, { patch: true })).not.toBe(a);
      }
    }
  });

  it("describes every kind and every field", () => {
    for (const k of KIND_TABLE) expect(k.doc.length, k.kind).toBeGreaterThan(10);
    for (const [name, type] of Object.entries(TYPE_TABLE)) {
      for (const [field, spec] of Object.entries(type.fields)) expect(spec.doc.length, `${name}.${field}`).toBeGreaterThan(5);
    }
  });
});

describe("configJsonSchema", () => {
  it.each(TALOS_MINORS)("builds for %s as JSON with descriptions and enums", (v) => {
    const schema = configJsonSchema(v);
    expect(configJsonSchema(v)).toBe(schema);
    const text = JSON.stringify(schema);
    expect(JSON.parse(text)).toEqual(schema);
    expect(schema.$schema).toBe("https://json-schema.org/draft/2020-12/schema");
    const branches = schema.oneOf as Record<string, unknown>[];
    const expected = KIND_TABLE.filter((k) => TALOS_MINORS.indexOf(k.since) <= TALOS_MINORS.indexOf(v)).length;
    expect(branches).toHaveLength(expected);
    const v1 = branches.find((b) => b.title === "v1alpha1 (machine and cluster)") as { properties: Record<string, { description?: string; properties?: Record<string, { description?: string; enum?: unknown }> }> };
    expect(v1.properties.machine?.description).toMatch(/node/);
    expect(v1.properties.machine?.properties?.type?.enum).toEqual(["controlplane", "worker", "init"]);
    expect(v1.properties.version?.description).toBeTruthy();
    // Every property of every branch carries a description (hover text).
    const missing: string[] = [];
    const walk = (node: unknown, path: string) => {
      if (Array.isArray(node)) return node.forEach((n, i) => walk(n, `${path}[${i}]`));
      if (typeof node !== "object" || node === null) return;
      const o = node as Record<string, unknown>;
      if (o.properties && typeof o.properties === "object") {
        for (const [k, p] of Object.entries(o.properties as Record<string, Record<string, unknown>>)) {
          if (!p.description) missing.push(`${path}.${k}`);
          walk(p, `${path}.${k}`);
        }
      }
      for (const key of ["items", "additionalProperties", "anyOf", "oneOf"]) if (o[key]) walk(o[key], `${path}/${key}`);
    };
    walk(schema, "");
    expect(missing).toEqual([]);
  });

  it("leaves out what the version does not know and marks deprecations", () => {
    const branches12 = configJsonSchema("1.12").oneOf as { title: string; properties: Record<string, Record<string, unknown>> }[];
    expect(branches12.map((b) => b.title)).not.toContain("KubeSpanConfig");
    const uv12 = branches12.find((b) => b.title === "UserVolumeConfig")!;
    expect(Object.keys(uv12.properties)).not.toContain("trim");
    const branches14 = configJsonSchema("1.14").oneOf as { title: string; properties: Record<string, Record<string, unknown>> }[];
    const uv14 = branches14.find((b) => b.title === "UserVolumeConfig")!;
    expect(Object.keys(uv14.properties)).toContain("trim");
    const v1 = branches14.find((b) => b.title.startsWith("v1alpha1"))!;
    const machine = v1.properties.machine as { properties: Record<string, Record<string, unknown>> };
    expect(machine.properties.install?.deprecated).toBe(true);
    expect(String(machine.properties.install?.description)).toMatch(/UnattendedInstallConfig/);
    const kind = branches14.find((b) => b.title === "LinkConfig")!.properties.kind as { enum: string[] };
    expect(kind.enum).toEqual(["LinkConfig"]);
  });
});

describe("real configs", () => {
  for (const file of ["controlplane-1.12.yaml", "worker-1.12.yaml"]) {
    it.each(["1.12", "1.13", "1.14"] as const)(`${file} has no errors for %s`, (v) => {
      for (const doc of loadDocs(file)) {
        const { errors } = check(kindOf(doc), v, doc);
        expect(errors, `${kindOf(doc)} @ ${v}`).toEqual([]);
      }
    });
  }

  it("the control-plane config is warning-free at 1.12 except the always-on features", () => {
    const [v1] = loadDocs("controlplane-1.12.yaml");
    const { warnings } = check("v1alpha1", "1.12", v1);
    expect(warnings.map((w) => w.path).sort()).toEqual([
      "cluster.apiServer.disablePodSecurityPolicy",
      "machine.features.apidCheckExtKeyUsage",
      "machine.features.rbac",
      "machine.features.stableHostname",
    ]);
  });

  it("warns about the 1.14 deprecations once per subtree, naming the replacement", () => {
    const [v1] = loadDocs("controlplane-1.12.yaml");
    const { warnings } = check("v1alpha1", "1.14", v1);
    const byPath = new Map(warnings.map((w) => [w.path, w.message]));
    expect(byPath.get("machine.install")).toMatch(/UnattendedInstallConfig/);
    expect(byPath.get("cluster.inlineManifests")).toMatch(/KubeInlineManifestConfig/);
    expect(byPath.get("machine.kubelet")).toMatch(/KubeletConfig/);
    expect(byPath.has("machine.kubelet.image")).toBe(false);
    expect(byPath.has("machine.type")).toBe(false);
  });

  it("warns about legacy networking at 1.12 with the document to use", () => {
    const [v1] = loadDocs("worker-1.12.yaml");
    const { warnings } = check("v1alpha1", "1.12", v1);
    const msg = warnings.find((w) => w.path === "machine.network.interfaces")?.message;
    expect(msg).toMatch(/deprecated since Talos 1\.12/);
    expect(msg).toMatch(/LinkConfig/);
    expect(warnings.find((w) => w.path === "machine.disks")?.message).toMatch(/UserVolumeConfig/);
  });
});

// A minimal valid v1alpha1 document to mutate in the negative cases.
function base(): Record<string, unknown> {
  return {
    version: "v1alpha1",
    machine: { type: "worker", token: "abc.def", ca: { crt: b64(PEM_CERT), key: "" } },
    cluster: { controlPlane: { endpoint: "https://10.0.0.10:6443" }, clusterName: "c" },
  };
}

function withPath(path: string, value: unknown): Record<string, unknown> {
  const doc = base();
  const keys = path.split(".");
  let cur: Record<string, unknown> = doc;
  for (const k of keys.slice(0, -1)) {
    if (typeof cur[k] !== "object" || cur[k] === null) cur[k] = {};
    cur = cur[k] as Record<string, unknown>;
  }
  cur[keys[keys.length - 1]!] = value;
  return doc;
}

interface Case {
  name: string;
  kind?: string;
  version?: TalosMinor;
  doc: unknown;
  patch?: boolean;
  /** Expected error paths, exactly. Empty: no errors. */
  errors: string[];
  /** Substring expected in the first error's message. */
  message?: RegExp;
  /** Warning paths that must be among the warnings. */
  warnings?: string[];
}

const link = (extra: Record<string, unknown>) => ({ apiVersion: "v1alpha1", kind: "LinkConfig", name: "eth0", ...extra });
const userVolume = (extra: Record<string, unknown>) => ({ apiVersion: "v1alpha1", kind: "UserVolumeConfig", name: "data", ...extra });

const CASES: Case[] = [
  { name: "the base document is valid", doc: base(), errors: [] },
  { name: "unknown key", doc: withPath("machine.foo", 1), errors: ["machine[foo]"], message: /unknown field `foo`/ },
  { name: "unknown top-level key", doc: { ...base(), clusterr: {} }, errors: ["[clusterr]"] },
  { name: "persist is accepted at the top", doc: { ...base(), persist: true }, errors: [] },
  { name: "wrong type: string for a list", doc: withPath("machine.certSANs", "a.example"), errors: ["machine.certSANs"], message: /expected a list/ },
  { name: "wrong type: list for a map", doc: withPath("machine.sysctls", ["a"]), errors: ["machine.sysctls"] },
  { name: "bad enum", doc: withPath("cluster.network.cni.name", "calico"), errors: ["cluster.network.cni.name"], message: /flannel/ },
  { name: "bad duration", doc: withPath("cluster.adminKubeconfig.certLifetime", "1 hour"), errors: ["cluster.adminKubeconfig.certLifetime"], message: /duration/ },
  { name: "good durations", kind: "TimeSyncConfig", doc: { apiVersion: "v1alpha1", kind: "TimeSyncConfig", bootTimeout: "1h30m" }, errors: [] },
  { name: "fractional duration", kind: "OOMConfig", doc: { apiVersion: "v1alpha1", kind: "OOMConfig", sampleInterval: "1.5h" }, errors: [] },
  { name: "bare-number duration", kind: "TimeSyncConfig", doc: { apiVersion: "v1alpha1", kind: "TimeSyncConfig", bootTimeout: 30 }, errors: ["bootTimeout"] },
  // The validator and the patcher read durations with the same ParseDuration (lib/config/patch/duration.ts).
  { name: "overflowing duration (Go's ParseDuration refuses it)", kind: "TimeSyncConfig", doc: { apiVersion: "v1alpha1", kind: "TimeSyncConfig", bootTimeout: "3000000h" }, errors: ["bootTimeout"], message: /invalid duration/ },
  { name: "duration 1m30s", kind: "TimeSyncConfig", doc: { apiVersion: "v1alpha1", kind: "TimeSyncConfig", bootTimeout: "1m30s" }, errors: [] },
  { name: "negative fractional duration", kind: "TimeSyncConfig", doc: { apiVersion: "v1alpha1", kind: "TimeSyncConfig", bootTimeout: "-1.5h" }, errors: [] },
  { name: "duration 0 as text", kind: "TimeSyncConfig", doc: { apiVersion: "v1alpha1", kind: "TimeSyncConfig", bootTimeout: "0" }, errors: [] },
  { name: "the largest duration", kind: "TimeSyncConfig", doc: { apiVersion: "v1alpha1", kind: "TimeSyncConfig", bootTimeout: "2562047h" }, errors: [] },
  { name: "bad CIDR", doc: withPath("cluster.network.podSubnets", ["10.244.0.0"]), errors: ["cluster.network.podSubnets.0"], message: /CIDR/ },
  { name: "bad CIDR prefix", doc: withPath("cluster.network.serviceSubnets", ["10.96.0.0/33"]), errors: ["cluster.network.serviceSubnets.0"] },
  { name: "IPv6 CIDR", doc: withPath("cluster.network.podSubnets", ["fd00:10:244::/56", "10.244.0.0/16"]), errors: [] },
  { name: "bad IP", kind: "ResolverConfig", version: "1.12", doc: { apiVersion: "v1alpha1", kind: "ResolverConfig", nameservers: [{ address: "1.1.1" }, { address: "2606:4700::1111" }] }, errors: ["nameservers.0.address"] },
  { name: "bad base64 PEM", doc: withPath("machine.ca", { crt: "not base64!", key: "" }), errors: ["machine.ca.crt"], message: /base64/ },
  { name: "plain PEM where base64 is expected", doc: withPath("machine.ca", { crt: PEM_CERT, key: "" }), errors: ["machine.ca.crt"], message: /plain PEM/ },
  { name: "base64 of something that is not PEM", doc: withPath("machine.ca", { crt: b64("hello world"), key: "" }), errors: ["machine.ca.crt"], message: /PEM/ },
  { name: "a 1.13 kind at 1.12", kind: "KubeSpanConfig", version: "1.12", doc: { apiVersion: "v1alpha1", kind: "KubeSpanConfig", enabled: true }, errors: ["kind"], message: /`KubeSpanConfig` requires Talos ≥ 1\.13/ },
  { name: "the same kind at 1.13", kind: "KubeSpanConfig", version: "1.13", doc: { apiVersion: "v1alpha1", kind: "KubeSpanConfig", enabled: true }, errors: [] },
  { name: "a field newer than the version", kind: "UserVolumeConfig", version: "1.13", doc: userVolume({ trim: { enabled: true } }), errors: ["trim"], message: /`trim` requires Talos ≥ 1\.14/ },
  { name: "the same field at its version", kind: "UserVolumeConfig", version: "1.14", doc: userVolume({ trim: { enabled: true, interval: "168h" } }), errors: [] },
  { name: "a nested field newer than the version", kind: "UserVolumeConfig", version: "1.13", doc: userVolume({ encryption: { provider: "luks2", allowDiscards: true } }), errors: ["encryption.allowDiscards"] },
  { name: "machine.type join is a warning only", doc: withPath("machine.type", "join"), errors: [], warnings: ["machine.type"] },
  { name: "machine.type init", doc: withPath("machine.type", "init"), errors: [] },
  { name: "machine.type foo is an error", doc: withPath("machine.type", "foo"), errors: ["machine.type"], message: /unknown machine type/ },
  { name: "a number in a string field", doc: withPath("machine.sysctls", { "net.core.bpf_jit_harden": 1, "kernel.x": true }), errors: [] },
  { name: "extraArgs values may be numbers", version: "1.12", doc: withPath("cluster.etcd.extraArgs", { "quota-backend-bytes": 8589934592 }), errors: [] },
  { name: "an integer field given a non-numeric string", kind: "LinkConfig", version: "1.12", doc: link({ mtu: "abc" }), errors: ["mtu"], message: /integer/ },
  { name: "an integer field given a numeric string", kind: "LinkConfig", version: "1.12", doc: link({ mtu: "1500" }), errors: ["mtu"] },
  { name: "an integer field given a fraction", kind: "LinkConfig", version: "1.12", doc: link({ mtu: 1500.5 }), errors: ["mtu"] },
  { name: "a boolean given maybe", kind: "LinkConfig", version: "1.12", doc: link({ up: "maybe" }), errors: ["up"], message: /boolean/ },
  { name: "a boolean given a quoted true", doc: withPath("debug", "true"), errors: ["debug"] },
  { name: "acceptedCAs is a list of {crt}", doc: withPath("machine.acceptedCAs", [{ crt: b64(PEM_CERT) }, { crt: b64(PEM_CERT) }]), errors: [] },
  { name: "acceptedCAs as a single object", doc: withPath("cluster.acceptedCAs", { crt: b64(PEM_CERT) }), errors: ["cluster.acceptedCAs"] },
  { name: "acceptedCAs items hold only crt", doc: withPath("machine.acceptedCAs", [{ crt: b64(PEM_CERT), key: "" }]), errors: ["machine.acceptedCAs.0[key]"] },
  { name: "extraArgs lists from 1.13", version: "1.13", doc: withPath("cluster.apiServer.extraArgs", { "feature-gates": ["A=true", "B=false"] }), errors: [] },
  { name: "extraArgs lists before 1.13", version: "1.12", doc: withPath("cluster.apiServer.extraArgs", { "feature-gates": ["A=true"] }), errors: ["cluster.apiServer.extraArgs.feature-gates"] },
  { name: "encryption options are an enum list before 1.13", kind: "UserVolumeConfig", version: "1.12", doc: userVolume({ encryption: { options: ["fast"] } }), errors: ["encryption.options.0"] },
  { name: "encryption options are free strings from 1.13", kind: "UserVolumeConfig", version: "1.13", doc: userVolume({ encryption: { options: ["fast"] } }), errors: [] },
  { name: "btrfs before 1.14", kind: "UserVolumeConfig", version: "1.13", doc: userVolume({ filesystem: { type: "btrfs" } }), errors: ["filesystem.type"] },
  { name: "btrfs from 1.14", kind: "UserVolumeConfig", version: "1.14", doc: userVolume({ filesystem: { type: "btrfs" } }), errors: [] },
  { name: "disk sizes: numbers and human strings", kind: "UserVolumeConfig", doc: userVolume({ provisioning: { minSize: "10GB", maxSize: "1.5TiB", diskSelector: { match: "!system_disk" } } }), errors: [] },
  { name: "disk sizes: bytes", kind: "UserVolumeConfig", doc: userVolume({ provisioning: { minSize: 1073741824 } }), errors: [] },
  { name: "disk sizes: nonsense", kind: "UserVolumeConfig", doc: userVolume({ provisioning: { minSize: "ten gigs" } }), errors: ["provisioning.minSize"], message: /size/ },
  { name: "install disk selector size matcher", version: "1.12", doc: withPath("machine.install", { diskSelector: { size: ">= 1TB" } }), errors: [] },
  { name: "install disk selector bad matcher", version: "1.12", doc: withPath("machine.install", { diskSelector: { size: "big" } }), errors: ["machine.install.diskSelector.size"] },
  { name: "port ranges", kind: "NetworkRuleConfig", doc: { apiVersion: "v1alpha1", kind: "NetworkRuleConfig", name: "web", portSelector: { ports: [80, 443, "1000-2000"], protocol: "tcp" }, ingress: [{ subnet: "0.0.0.0/0", except: "10.0.0.0/8" }] }, errors: [] },
  { name: "bad port ranges", kind: "NetworkRuleConfig", doc: { apiVersion: "v1alpha1", kind: "NetworkRuleConfig", name: "web", portSelector: { ports: ["2000-1000", 70000, "http"] } }, errors: ["portSelector.ports.0", "portSelector.ports.1", "portSelector.ports.2"] },
  { name: "control-plane endpoint must be a URL", doc: withPath("cluster.controlPlane", { endpoint: "10.0.0.1:6443" }), errors: ["cluster.controlPlane.endpoint"], message: /URL/ },
  { name: "logging endpoint scheme", doc: withPath("machine.logging", { destinations: [{ endpoint: "http://logs:80", format: "json_lines" }] }), errors: ["machine.logging.destinations.0.endpoint"], message: /scheme/ },
  { name: "inlineManifests names are unique", doc: withPath("cluster.inlineManifests", [{ name: "a", contents: "" }, { name: "a", contents: "" }]), errors: ["cluster.inlineManifests.1.name"], message: /duplicate/ },
  { name: "bad hostname", kind: "HostnameConfig", version: "1.12", doc: { apiVersion: "v1alpha1", kind: "HostnameConfig", hostname: "bad_name!" }, errors: ["hostname"] },
  { name: "hostname with a domain", kind: "HostnameConfig", version: "1.12", doc: { apiVersion: "v1alpha1", kind: "HostnameConfig", hostname: "node-1.example.com" }, errors: [] },
  { name: "a removed field", kind: "VolumeConfig", version: "1.13", doc: { apiVersion: "v1alpha1", kind: "VolumeConfig", name: "EPHEMERAL", mount: { readOnly: true } }, errors: ["mount.readOnly"] },
  { name: "ExistingVolumeConfig mount shape changes at 1.13", kind: "ExistingVolumeConfig", version: "1.13", doc: { apiVersion: "v1alpha1", kind: "ExistingVolumeConfig", name: "d", mount: { readOnly: true, secure: true } }, errors: [] },
  { name: "RegistryTLSConfig clientIdentity crt/key (1.12)", kind: "RegistryTLSConfig", version: "1.12", doc: { apiVersion: "v1alpha1", kind: "RegistryTLSConfig", name: "r.example", clientIdentity: { crt: b64(PEM_CERT), key: "" } }, errors: [] },
  { name: "RegistryTLSConfig clientIdentity cert/key (1.14)", kind: "RegistryTLSConfig", version: "1.14", doc: { apiVersion: "v1alpha1", kind: "RegistryTLSConfig", name: "r.example", clientIdentity: { crt: b64(PEM_CERT) } }, errors: ["clientIdentity[crt]"] },
  { name: "Kube*CAConfig holds plain PEM", kind: "KubeAPIServerCAConfig", version: "1.14", doc: { apiVersion: "v1alpha1", kind: "KubeAPIServerCAConfig", issuingCA: { cert: PEM_CERT, key: "" }, acceptedCAs: [b64(PEM_CERT)] }, errors: ["acceptedCAs.0"] },
  { name: "a missing required field", kind: "LinkConfig", version: "1.12", doc: { apiVersion: "v1alpha1", kind: "LinkConfig", mtu: 1500 }, errors: ["name"], message: /missing required field `name`/ },
  { name: "a wrong apiVersion", kind: "LinkConfig", version: "1.12", doc: link({ apiVersion: "v1alpha2" }), errors: ["apiVersion"] },
  { name: "the real KubeSpanEndpointsConfig kind", kind: "KubeSpanEndpointsConfig", doc: { apiVersion: "v1alpha1", kind: "KubeSpanEndpointsConfig", extraAnnouncedEndpoints: ["192.168.1.1:51820"] }, errors: [] },
  { name: "ImageVerificationConfig (1.13)", kind: "ImageVerificationConfig", version: "1.13", doc: { apiVersion: "v1alpha1", kind: "ImageVerificationConfig", rules: [{ image: "ghcr.io/siderolabs/*", keyless: { issuer: "https://accounts.google.com", subject: "x@y" } }, { image: "*", skip: true }] }, errors: [] },
  { name: "UnattendedInstallConfig (1.14)", kind: "UnattendedInstallConfig", version: "1.14", doc: { apiVersion: "v1alpha1", kind: "UnattendedInstallConfig", reboot: true, provisioning: { diskSelector: { match: "disk.size > 10u * GB" }, wipe: false } }, errors: [] },
  { name: "a numeric enum value written as a YAML number", kind: "RAIDArrayConfig", doc: { apiVersion: "v1alpha1", kind: "RAIDArrayConfig", name: "md0", level: "raid1", metadata: 1.0 }, errors: [] },
  { name: "an unknown kind", kind: "FooConfig", doc: { apiVersion: "v1alpha1", kind: "FooConfig" }, errors: ["kind"], message: /unknown document kind/ },
  { name: "nulls are accepted (Go leaves zero values)", doc: { ...base(), debug: null, machine: { type: "worker", kubelet: null, certSANs: null, sysctls: null } }, errors: [] },
  { name: "a deprecated field warns and is still validated", version: "1.14", doc: withPath("machine.install", { disk: "/dev/sda", wipe: "maybe" }), errors: ["machine.install.wipe"], warnings: ["machine.install"] },
  // Patches
  { name: "patch: nothing required", kind: "LinkConfig", version: "1.12", patch: true, doc: { apiVersion: "v1alpha1", kind: "LinkConfig", mtu: 9000 }, errors: [] },
  { name: "patch: $patch delete on a map", patch: true, version: "1.12", doc: { machine: { network: { $patch: "delete" } } }, errors: [] },
  { name: "patch: $patch delete on a list item skips the rest", patch: true, version: "1.12", doc: { machine: { network: { interfaces: [{ $patch: "delete", interface: 5, bogus: 1 }] } } }, errors: [] },
  { name: "patch: $patch delete on a whole document", kind: "LinkConfig", version: "1.12", patch: true, doc: { apiVersion: "v1alpha1", kind: "LinkConfig", name: "eth0", $patch: "delete" }, errors: [] },
  { name: "patch: other $patch values", patch: true, doc: { machine: { network: { $patch: "replace" } } }, errors: ["machine.network.$patch"] },
  { name: "patch: still validates the rest", patch: true, doc: { machine: { kubelet: { image: 5, foo: 1 }, type: "bar" } }, errors: ["machine.kubelet[foo]", "machine.type"] },
  { name: "$patch is not allowed in a whole config", version: "1.12", doc: withPath("machine.network", { $patch: "delete" }), errors: ["machine.network[$patch]"] },
];

describe("negative and edge cases", () => {
  it.each(CASES)("$name", (c) => {
    const { errors, warnings } = check(c.kind ?? "v1alpha1", c.version ?? "1.14", c.doc, c.patch);
    expect(errors.map((e) => e.path).sort()).toEqual([...c.errors].sort());
    if (c.message) expect(errors[0]?.message).toMatch(c.message);
    if (c.warnings) expect(warnings.map((w) => w.path)).toEqual(expect.arrayContaining(c.warnings));
  });
});
