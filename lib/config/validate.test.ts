import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";

import { describe, expect, it } from "vitest";

import { MAX_CONFIG_BYTES } from "./parse";
import { TALOS_MINORS, type ValidateOptions } from "./types";
import { validateConfig } from "./validate";

/** Strips the common indentation of a template literal (first line break dropped) so line numbers read naturally. */
function y(strings: TemplateStringsArray, ...values: unknown[]): string {
  const raw = strings.reduce((acc, s, i) => acc + s + (i < values.length ? String(values[i]) : ""), "");
  const lines = raw.replace(/^\n/, "").split("\n");
  const indent = Math.min(...lines.filter((l) => l.trim() !== "").map((l) => l.length - l.trimStart().length));
  return lines.map((l) => l.slice(indent)).join("\n");
}

const b64 = (s: string) => Buffer.from(s, "utf8").toString("base64");
const GARBAGE_CERT = b64("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n");
const WG_KEY = Buffer.alloc(32, 7).toString("base64");

interface Case {
  name: string;
  yaml: string;
  opts?: ValidateOptions;
  message: string;
  line: number;
  column: number;
  severity?: "error" | "warning";
  document?: number;
}

const billionLaughs = [
  'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
  ..."bcdefghi".split("").map((c, i) => `${c}: &${c} [${Array(9).fill(`*${"abcdefghi"[i]}`).join(",")}]`),
].join("\n");

const CASES: Case[] = [
  // --- YAML syntax -------------------------------------------------------------------------
  { name: "duplicate key", yaml: y`
      version: v1alpha1
      machine:
        type: worker
        type: controlplane
    `, message: "duplicate key `type`", line: 4, column: 3 },
  { name: "duplicate top-level key", yaml: y`
      machine: {}
      cluster: {}
      machine: {}
    `, message: "duplicate key `machine`", line: 3, column: 1 },
  { name: "duplicate key in the second document", yaml: y`
      machine: {}
      ---
      apiVersion: v1alpha1
      kind: HostnameConfig
      kind: HostnameConfig
    `, message: "duplicate key `kind`", line: 5, column: 1, document: 1 },
  { name: "tab as indentation", yaml: "machine:\n\ttype: worker\n", message: "tabs are not allowed as indentation", line: 2, column: 1 },
  { name: "tab deeper in the file", yaml: "machine:\n  type: worker\n  kubelet:\n\t  image: x\n", message: "tabs are not allowed", line: 4, column: 1 },
  { name: "unterminated flow sequence", yaml: y`
      machine:
        certSANs: [a, b
      cluster: {}
    `, message: "Flow sequence", line: 3, column: 1 },
  { name: "unterminated quote", yaml: "machine:\n  type: 'worker\n", message: "Missing closing 'quote", line: 3, column: 1 },
  { name: "nested mapping in a compact mapping", yaml: "machine:\n  type: worker: x\n", message: "Nested mappings are not allowed", line: 2, column: 9 },
  { name: "undefined alias", yaml: "machine:\n  type: *nope\n", message: "nope", line: 2, column: 9 },
  { name: "billion laughs", yaml: billionLaughs, message: "billion laughs", line: 2, column: 8 },
  { name: "cyclic alias", yaml: "machine: &m\n  certSANs: [*m]\n", message: "cyclic", line: 2, column: 14 },
  { name: "larger than 4 MiB", yaml: `# ${"x".repeat(MAX_CONFIG_BYTES)}\n`, message: "larger than 4 MiB", line: 1, column: 1 },

  // --- Document identification ------------------------------------------------------------
  { name: "missing kind", yaml: "apiVersion: v1alpha1\nname: x\n", message: "missing kind", line: 1, column: 1 },
  { name: "empty kind", yaml: "kind:\napiVersion: v1alpha1\n", message: "missing kind", line: 1, column: 1 },
  { name: "only version: is not a v1alpha1 document", yaml: "version: v1alpha1\n", message: "missing kind", line: 1, column: 1 },
  { name: "missing apiVersion", yaml: "kind: HostnameConfig\nhostname: node-1\n", message: "missing apiVersion", line: 1, column: 1 },
  { name: "empty apiVersion", yaml: "kind: HostnameConfig\napiVersion: ''\n", message: "missing apiVersion", line: 2, column: 1 },
  { name: "unknown kind", yaml: "apiVersion: v1alpha1\nkind: Foo\n", message: "unknown document kind `Foo`", line: 2, column: 7 },
  { name: "schema's misspelled kind", yaml: "apiVersion: v1alpha1\nkind: KubeSpanEndpoints\n", message: "did you mean `KubeSpanEndpointsConfig`", line: 2, column: 7 },
  { name: "unknown apiVersion", yaml: "apiVersion: v1alpha2\nkind: HostnameConfig\n", message: "unknown apiVersion `v1alpha2`", line: 1, column: 13 },
  { name: "kind newer than the version", yaml: "apiVersion: v1alpha1\nkind: KubeSpanConfig\n", opts: { talosVersion: "1.12" }, message: "KubeSpanConfig requires Talos ≥ 1.13", line: 2, column: 7 },
  { name: "1.14 kind on 1.13 (tag form)", yaml: "---\napiVersion: v1alpha1\nkind: UnattendedInstallConfig\n", opts: { talosVersion: "v1.13.9" }, message: "UnattendedInstallConfig requires Talos ≥ 1.14", line: 3, column: 7 },
  { name: "a scalar document", yaml: "hello\n", message: "expected a YAML document", line: 1, column: 1 },
  { name: "a list document", yaml: "- a\n- b\n", message: "expected a YAML document", line: 1, column: 1 },

  // --- Unknown keys (position: the key) ----------------------------------------------------
  { name: "unknown key under machine", yaml: "version: v1alpha1\nmachine:\n  type: worker\n  foo: 1\n", message: "unknown key `foo`", line: 4, column: 3 },
  { name: "unknown top-level key", yaml: "version: v1alpha1\nmachine: {}\nbogus: true\n", message: "unknown key `bogus`", line: 3, column: 1 },
  { name: "unknown key in a list item", yaml: y`
      machine:
        network:
          interfaces:
            - interface: eth0
              bogus: 1
    `, message: "unknown key `bogus`", line: 5, column: 9 },
  { name: "second of two unknown keys", yaml: "machine:\n  aaa: 1\n  bbb: 2\n", message: "unknown key `bbb`", line: 3, column: 3 },
  { name: "unknown key in a kind document", yaml: "apiVersion: v1alpha1\nkind: HostnameConfig\nhostnam: x\n", message: "unknown key `hostnam`", line: 3, column: 1 },
  { name: "unknown key deep in cluster", yaml: "cluster:\n  network:\n    cni:\n      nme: flannel\n", message: "unknown key `nme`", line: 4, column: 7 },

  // --- Bad values (position: the value) ----------------------------------------------------
  { name: "bool field with a string", yaml: "version: v1alpha1\ndebug: maybe\nmachine: {}\n", message: "boolean", line: 2, column: 8 },
  { name: "nested bool with a string", yaml: "machine:\n  install:\n    wipe: maybe\n", message: "boolean", line: 3, column: 11 },
  { name: "port that is not a number", yaml: "cluster:\n  controlPlane:\n    localAPIServerPort: abc\n", opts: { patch: true }, message: "port", line: 3, column: 25 },
  { name: "list field with a scalar", yaml: "cluster:\n  network:\n    podSubnets: 10.0.0.0/8\n", message: "list", line: 3, column: 17 },
  { name: "persist: false", yaml: "version: v1alpha1\npersist: false\nmachine: {}\n", message: ".persist should be enabled", line: 2, column: 10 },
  { name: "unknown machine type", yaml: "machine:\n  type: master\n", message: 'unknown machine type "master"', line: 2, column: 9 },
  { name: "numeric machine type", yaml: "machine:\n  type: 42\n", message: "unknown machine type", line: 2, column: 9 },
  { name: "kubelet validSubnets", yaml: "machine:\n  kubelet:\n    nodeIP:\n      validSubnets: [10.0.0.0/8, nope]\n", message: 'kubelet nodeIP subnet is not valid: "nope"', line: 4, column: 34 },

  // --- Missing required (position: nearest parent's key) -----------------------------------
  { name: "missing machine", yaml: "version: v1alpha1\ncluster: {}\n", message: "machine instructions are required", line: 1, column: 1 },
  { name: "missing cluster", yaml: "version: v1alpha1\nmachine:\n  type: worker\n", message: "cluster instructions are required", line: 1, column: 1 },
  { name: "missing endpoint", yaml: "machine:\n  type: worker\ncluster:\n  controlPlane: {}\n", message: "cluster controlplane endpoint is required", line: 4, column: 3 },
  { name: "missing name in a named kind", yaml: "apiVersion: v1alpha1\nkind: TrustedRootsConfig\n", message: "name", line: 1, column: 1 },
  { name: "missing CA key on a control plane", yaml: "machine:\n  type: controlplane\n  ca:\n    crt: ''\n", message: "issuing CA key is required for controlplane nodes", line: 3, column: 3 },
  { name: "missing machine.ca", yaml: "machine:\n  type: worker\ncluster: {}\n", message: "issuing CA or some accepted CAs are required", line: 1, column: 1 },

  // --- Version errors from the schema ------------------------------------------------------
  { name: "field newer than the version", yaml: y`
      cluster:
        network:
          cni:
            name: flannel
            flannel:
              kubeNetworkPoliciesEnabled: true
    `, opts: { talosVersion: "1.12" }, message: "requires Talos ≥ 1.13", line: 6, column: 37 },
  { name: "unknown Talos version", yaml: "machine: {}\n", opts: { talosVersion: "banana" }, message: 'unknown Talos version "banana"', line: 1, column: 1 },

  // --- Semantic rules: endpoint --------------------------------------------------------------
  { name: "endpoint over http", yaml: "cluster:\n  controlPlane:\n    endpoint: http://10.0.0.1:6443\n", message: "invalid controlplane endpoint: scheme must be https", line: 3, column: 15 },
  { name: "endpoint port out of range", yaml: "cluster:\n  controlPlane:\n    endpoint: https://cp:99999\n", message: "port number must be between 1 and 65535", line: 3, column: 15 },
  { name: "endpoint port not numeric", yaml: "cluster:\n  controlPlane:\n    endpoint: https://cp:http\n", message: "port number must be numeric", line: 3, column: 15 },
  { name: "endpoint without host", yaml: "cluster:\n  controlPlane:\n    endpoint: https://:6443\n", message: "hostname must not be blank", line: 3, column: 15 },
  { name: "endpoint IPv6 without brackets", yaml: "cluster:\n  controlPlane:\n    endpoint: https://fd00::1:6443\n", message: "IPv6 addresses MUST be enclosed by square brackets", line: 3, column: 15 },
  { name: "endpoint that is not a URL", yaml: "cluster:\n  controlPlane:\n    endpoint: 10.0.0.1:6443\n", message: "invalid controlplane endpoint", line: 3, column: 15 },

  // --- Semantic rules: machine type and keys per role ---------------------------------------
  { name: "join warns", yaml: "machine:\n  type: join\n", message: 'use "worker" instead of "join"', line: 2, column: 9, severity: "warning" },
  { name: "CA key on a worker", yaml: "machine:\n  type: worker\n  ca:\n    crt: ''\n    key: c2VjcmV0\n", opts: { patch: true }, message: "issuing Talos API CA key is not allowed on non-controlplane nodes", line: 5, column: 10 },
  { name: "cluster CA key on a worker", yaml: "machine:\n  type: worker\ncluster:\n  ca:\n    key: c2VjcmV0\n", opts: { patch: true }, message: "issuing Kubernetes API CA key is not allowed on non-controlplane nodes", line: 5, column: 10 },
  { name: "worker without trusted CA certs", yaml: "machine:\n  type: worker\n  ca:\n    key: ''\n", message: "trusted CA certificates are required on non-controlplane nodes", line: 3, column: 3 },
  { name: "etcd on a worker", yaml: "machine:\n  type: worker\ncluster:\n  etcd:\n    image: x\n", opts: { patch: true }, message: "etcd config is only allowed on control plane machines", line: 4, column: 3 },
  { name: "Talos API access on a worker", yaml: y`
      machine:
        type: worker
        features:
          kubernetesTalosAPIAccess:
            enabled: true
            allowedRoles: [os:reader]
    `, opts: { patch: true }, message: "can only be enabled on control plane machines", line: 5, column: 16 },

  // --- Semantic rules: CNI ------------------------------------------------------------------
  { name: "custom CNI without urls warns", yaml: "machine:\n  type: controlplane\ncluster:\n  network:\n    cni:\n      name: custom\n", opts: { patch: true }, message: '"urls" field should not be empty for "custom" CNI', line: 6, column: 13, severity: "warning" },
  { name: "flannel with urls", yaml: "machine:\n  type: controlplane\ncluster:\n  network:\n    cni:\n      name: flannel\n      urls: [https://x/cni.yaml]\n", opts: { patch: true }, message: '"urls" field should be empty for "flannel" CNI', line: 7, column: 7 },
  { name: "custom CNI url without host", yaml: "machine:\n  type: init\ncluster:\n  network:\n    cni:\n      name: custom\n      urls: ['https://:80/x']\n", opts: { patch: true }, message: "hostname must not be blank", line: 7, column: 14 },
  { name: "none CNI with flannel extraArgs", yaml: y`
      machine:
        type: controlplane
      cluster:
        network:
          cni:
            name: none
            flannel:
              extraArgs: [--iface=eth0]
    `, opts: { patch: true }, message: '"flanneldExtraArgs" field should be empty for "none" CNI', line: 8, column: 9 },

  // --- Semantic rules: install (metal only) -------------------------------------------------
  { name: "install without disk in metal mode", yaml: "machine:\n  type: worker\n  install:\n    wipe: false\n", opts: { mode: "metal" }, message: "either install disk or diskSelector should be defined", line: 3, column: 3 },
  { name: "install section required in metal mode up to 1.13", yaml: "version: v1alpha1\nmachine:\n  type: worker\n", opts: { mode: "metal", talosVersion: "1.13" }, message: 'install instructions are required in "metal" mode', line: 2, column: 1 },
  { name: "invalid disk selector size", yaml: "machine:\n  install:\n    diskSelector:\n      size: '>= lots'\n", opts: { mode: "metal", patch: true }, message: "install disk selector is invalid", line: 4, column: 13 },
  { name: "duplicate system extension", yaml: y`
      machine:
        install:
          extensions:
            - image: ghcr.io/siderolabs/gvisor:1
            - image: ghcr.io/siderolabs/gvisor:1
    `, opts: { patch: true }, message: 'duplicate system extension "ghcr.io/siderolabs/gvisor:1"', line: 5, column: 16 },

  // --- Semantic rules: network interfaces ---------------------------------------------------
  { name: "bond and bridge together", yaml: y`
      machine:
        network:
          interfaces:
            - interface: br0
              bond:
                interfaces: [eth0]
              bridge:
                interfaces: [eth1]
    `, opts: { patch: true }, message: "interface has both bridge and bond sections set", line: 7, column: 9 },
  { name: "member of two links", yaml: y`
      machine:
        network:
          interfaces:
            - interface: bond0
              bond:
                interfaces: [eth0, eth1]
            - interface: bond1
              bond:
                interfaces: [eth1]
    `, opts: { patch: true }, message: 'interface "eth1" is declared as part of two separate links', line: 9, column: 24 },
  { name: "VIP on a worker", yaml: y`
      machine:
        type: worker
        network:
          interfaces:
            - interface: eth0
              vip:
                ip: 10.0.0.100
    `, opts: { patch: true }, message: "virtual (shared) IP is not allowed on non-controlplane nodes", line: 6, column: 9 },
  { name: "VIP that is not an IP", yaml: y`
      machine:
        network:
          interfaces:
            - interface: eth0
              vip:
                ip: 10.0.0.300
    `, opts: { patch: true }, message: 'failed to parse "10.0.0.300" as IP address', line: 6, column: 15 },
  { name: "route without network or gateway", yaml: y`
      machine:
        network:
          interfaces:
            - interface: eth0
              routes:
                - metric: 1024
    `, opts: { patch: true }, message: "either network or gateway should be set", line: 6, column: 13 },
  { name: "route with a bad gateway", yaml: y`
      machine:
        network:
          interfaces:
            - interface: eth0
              routes:
                - network: 0.0.0.0/0
                  gateway: not-an-ip
    `, opts: { patch: true }, message: "invalid network address", line: 7, column: 22 },
  { name: "interface and deviceSelector together", yaml: y`
      machine:
        network:
          interfaces:
            - interface: eth0
              deviceSelector:
                driver: virtio
    `, opts: { patch: true }, message: "config sections are mutually exclusive", line: 5, column: 9 },
  { name: "neither interface nor deviceSelector", yaml: y`
      machine:
        network:
          interfaces:
            - dhcp: true
    `, opts: { patch: true }, message: "required either config section to be set", line: 4, column: 9 },
  { name: "bond updelay not a multiple of miimon", yaml: y`
      machine:
        network:
          interfaces:
            - interface: bond0
              bond:
                interfaces: [eth0]
                miimon: 100
                updelay: 150
    `, opts: { patch: true }, message: "bond.upDelay should be a multiple of miiMon", line: 8, column: 20 },
  { name: "wireguard private key of the wrong length", yaml: y`
      machine:
        network:
          interfaces:
            - interface: wg0
              wireguard:
                privateKey: c2hvcnQ=
    `, opts: { patch: true }, message: "private key is invalid", line: 6, column: 23 },
  { name: "wireguard peer endpoint without port", yaml: y`
      machine:
        network:
          interfaces:
            - interface: wg0
              wireguard:
                privateKey: ${WG_KEY}
                peers:
                  - publicKey: ${WG_KEY}
                    endpoint: 192.168.1.1
    `, opts: { patch: true }, message: 'peer endpoint "192.168.1.1" is invalid', line: 9, column: 25 },
  { name: "cidr and addresses together", yaml: y`
      machine:
        network:
          interfaces:
            - interface: eth0
              cidr: 10.0.0.2/24
              addresses: [10.0.0.3/24]
    `, opts: { patch: true }, message: "interface can't have both .cidr and .addresses set", line: 5, column: 15 },
  { name: "KubeSpan MTU too small", yaml: "machine:\n  network:\n    kubespan:\n      enabled: true\n      mtu: 1000\n", opts: { patch: true }, message: "kubespan link MTU must be at least 1280", line: 5, column: 12 },

  // --- Semantic rules: etcd, manifests, labels, misc -----------------------------------------
  { name: "etcd subnet with advertisedSubnets", yaml: y`
      machine:
        type: controlplane
      cluster:
        etcd:
          subnet: 10.0.0.0/8
          advertisedSubnets: [10.0.0.0/8]
    `, opts: { patch: true }, message: "etcd subnet can't be set when advertised subnets are set", line: 5, column: 13 },
  { name: "etcd advertised subnet invalid", yaml: "cluster:\n  etcd:\n    advertisedSubnets: ['!10.0.0/8']\n", opts: { patch: true }, message: 'etcd advertised subnet is not valid: "10.0.0/8"', line: 3, column: 25 },
  { name: "etcd listen subnet invalid", yaml: "cluster:\n  etcd:\n    listenSubnets:\n      - 300.0.0.0/8\n", opts: { patch: true }, message: 'etcd listen subnet is not valid: "300.0.0.0/8"', line: 4, column: 9 },
  { name: "etcd without a CA on a control plane", yaml: "machine:\n  type: controlplane\ncluster:\n  etcd:\n    image: x\n", message: "key/cert combination should not be empty", line: 4, column: 3 },
  { name: "duplicate inline manifest", yaml: y`
      cluster:
        inlineManifests:
          - name: cilium
            contents: a
          - name: cilium
            contents: b
    `, opts: { patch: true }, message: 'inline manifest name "cilium" is duplicate', line: 5, column: 13 },
  { name: "empty inline manifest name", yaml: "cluster:\n  inlineManifests:\n    - name: ' '\n      contents: a\n", opts: { patch: true }, message: "inline manifest name can't be empty", line: 3, column: 13 },
  { name: "invalid node label key", yaml: "machine:\n  nodeLabels:\n    -bad/key: x\n", opts: { patch: true }, message: "invalid machine node labels", line: 3, column: 5 },
  { name: "invalid node label value", yaml: "machine:\n  nodeLabels:\n    tier: -frontend-\n", opts: { patch: true }, message: 'label value "-frontend-" is invalid', line: 3, column: 11 },
  { name: "taint with an unknown effect", yaml: "machine:\n  nodeTaints:\n    dedicated: gpu:NoWay\n", opts: { patch: true }, message: 'invalid taint effect: "NoWay"', line: 3, column: 16 },
  { name: "reserved annotation", yaml: "machine:\n  nodeAnnotations:\n    talos.dev/owned-labels: x\n", opts: { patch: true }, message: "is reserved", line: 3, column: 5 },
  { name: "hostDNS forward without enabled", yaml: "machine:\n  features:\n    hostDNS:\n      forwardKubeDNSToHost: true\n", opts: { patch: true }, message: "requires hostDNS.enabled", line: 4, column: 29 },
  { name: "invalid DNS domain", yaml: "cluster:\n  network:\n    dnsDomain: bad..domain\n", opts: { patch: true }, message: '"bad..domain" is not a valid DNS name', line: 3, column: 16 },
  { name: "discovery without cluster id", yaml: "machine:\n  type: worker\ncluster:\n  discovery:\n    enabled: true\n", message: "cluster discovery service requires .cluster.id", line: 3, column: 1 },
  { name: "discovery endpoint with a path", yaml: y`
      cluster:
        discovery:
          enabled: true
          registries:
            service:
              endpoint: https://discovery.example.com/v1
    `, opts: { patch: true }, message: "cluster discovery service path should be empty", line: 6, column: 19 },
  { name: "protected kubelet extraConfig field", yaml: "machine:\n  kubelet:\n    extraConfig:\n      port: 1234\n", opts: { patch: true }, message: 'kubelet configuration field "port" can\'t be overridden', line: 4, column: 7 },
  { name: "partition filling the disk that is not the last", yaml: y`
      machine:
        disks:
          - device: /dev/sdb
            partitions:
              - mountpoint: /var/a
              - mountpoint: /var/b
                size: 10GB
    `, opts: { patch: true }, message: "set to occupy full disk, but it's not the last partition", line: 5, column: 11 },
  { name: "cloud provider manifests while disabled", yaml: "cluster:\n  externalCloudProvider:\n    manifests: [https://x/y.yaml]\n", opts: { patch: true }, message: "external cloud provider is disabled, but manifests are provided", line: 3, column: 5 },
  { name: "encryption config without keys", yaml: "machine:\n  systemDiskEncryption:\n    state:\n      provider: luks2\n", opts: { patch: true }, message: 'partition "STATE": no encryption keys provided', line: 3, column: 5 },

  // --- Semantic rules: certificates ---------------------------------------------------------
  { name: "certificate that is not base64", yaml: "machine:\n  ca:\n    crt: '%%%not-base64'\n", opts: { patch: true }, message: "machine.ca.crt: certificate is invalid: not valid base64", line: 3, column: 10 },
  { name: "certificate that is base64 but not PEM", yaml: `machine:\n  ca:\n    crt: ${b64("hello")}\n`, opts: { patch: true }, message: "no PEM certificate found", line: 3, column: 10 },
  { name: "PEM certificate that is not X.509", yaml: `cluster:\n  aggregatorCA:\n    crt: ${GARBAGE_CERT}\n`, opts: { patch: true }, message: "not a valid X.509 certificate", line: 3, column: 10 },
  { name: "key that is not a private key", yaml: `cluster:\n  serviceAccount:\n    key: ${b64("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n")}\n`, opts: { patch: true }, message: "expected a PRIVATE KEY", line: 3, column: 10 },
  { name: "plain-PEM CA document with garbage", yaml: "apiVersion: v1alpha1\nkind: KubeAPIServerCAConfig\nacceptedCAs:\n  - not a pem\n", message: "certificate is invalid", line: 4, column: 5 },

  // --- Cross-document rules -----------------------------------------------------------------
  { name: "two v1alpha1 documents", yaml: "version: v1alpha1\nmachine: {}\n---\nversion: v1alpha1\nmachine: {}\n", opts: { patch: true }, message: "not allowed", line: 4, column: 1, document: 1 },
  { name: "two singleton documents", yaml: "apiVersion: v1alpha1\nkind: HostnameConfig\nhostname: a\n---\napiVersion: v1alpha1\nkind: HostnameConfig\nhostname: b\n", message: "duplicate document v1alpha1/HostnameConfig is not allowed", line: 6, column: 7, document: 1 },
  { name: "two named documents with one name", yaml: y`
      apiVersion: v1alpha1
      kind: UserVolumeConfig
      name: data
      ---
      apiVersion: v1alpha1
      kind: UserVolumeConfig
      name: data
    `, message: "duplicate document v1alpha1/UserVolumeConfig/data is not allowed", line: 7, column: 7, document: 1 },
  { name: "one link configured by two documents", yaml: y`
      apiVersion: v1alpha1
      kind: DummyLinkConfig
      name: dummy0
      ---
      apiVersion: v1alpha1
      kind: LinkConfig
      name: dummy0
    `, message: "link `dummy0` is already configured by a DummyLinkConfig document", line: 7, column: 7, document: 1 },
];

describe("validateConfig: invalid configs", () => {
  it("has at least 60 cases", () => expect(CASES.length).toBeGreaterThanOrEqual(60));

  it.each(CASES)("$name", (c) => {
    const result = validateConfig(c.yaml, c.opts);
    const severity = c.severity ?? "error";
    const hit = result.issues.find((i) => i.message.includes(c.message) && i.severity === severity);
    const shown = result.issues.map((i) => `${i.line}:${i.column} ${i.severity} ${i.message}`).join("\n");
    expect(hit, `no ${severity} containing ${JSON.stringify(c.message)} in:\n${shown}`).toBeDefined();
    expect({ line: hit!.line, column: hit!.column }, shown).toEqual({ line: c.line, column: c.column });
    expect(hit!.document).toBe(c.document ?? 0);
    expect(hit!.endLine * 10_000 + hit!.endColumn).toBeGreaterThanOrEqual(hit!.line * 10_000 + hit!.column);
    if (severity === "error") expect(result.valid).toBe(false);
  });
});

describe("validateConfig: behaviour", () => {
  it("returns quickly on a billion-laughs input", () => {
    const t = performance.now();
    const r = validateConfig(billionLaughs);
    // Bounded, not hung: alias expansion stops at the limit (a timing bound only against hangs).
    expect(performance.now() - t).toBeLessThan(5000);
    expect(r.valid).toBe(false);
  });

  it("refuses inputs over 4 MiB with exactly one issue", () => {
    const r = validateConfig("a".repeat(MAX_CONFIG_BYTES + 1));
    expect(r.issues).toHaveLength(1);
  });

  it("counts bytes, not UTF-16 units, for the size limit", () => {
    const r = validateConfig(`# ${"é".repeat(MAX_CONFIG_BYTES / 2 + 10)}\n`);
    expect(r.issues[0]?.message).toContain("larger than 4 MiB");
  });

  it("ignores empty documents and an empty stream", () => {
    expect(validateConfig("").issues).toEqual([]);
    expect(validateConfig("# only a comment\n").issues).toEqual([]);
    expect(validateConfig("apiVersion: v1alpha1\nkind: HostnameConfig\nhostname: n1\n---\n").issues).toEqual([]);
    expect(validateConfig("---\n---\n").valid).toBe(true);
  });

  it("never throws on odd input", () => {
    for (const s of ["\u0000", ":", "- - -", "{", "[", "&a", "!!binary x", "? a\n: b", "a: !!int x", "\uFEFFmachine: {}"]) {
      expect(() => validateConfig(s)).not.toThrow();
      expect(() => validateConfig(s, { patch: true })).not.toThrow();
    }
  });

  it("sorts issues by document and position", () => {
    const r = validateConfig("machine:\n  zzz: 1\n  aaa: 2\n---\nkind: Foo\napiVersion: v1alpha1\n", { patch: true });
    const keys = r.issues.map((i) => [i.document, i.line, i.column]);
    expect(keys).toEqual([...keys].sort((a, b) => a[0]! - b[0]! || a[1]! - b[1]! || a[2]! - b[2]!));
  });

  it("reports machine.type: join once", () => {
    const r = validateConfig("machine:\n  type: join\n", { patch: true });
    expect(r.issues.filter((i) => i.path.join(".") === "machine.type")).toHaveLength(1);
    expect(r.valid).toBe(true);
  });

  it("allows $patch: delete only in patch mode", () => {
    const doc = "machine:\n  network:\n    $patch: delete\n";
    expect(validateConfig(doc, { patch: true }).valid).toBe(true);
    expect(validateConfig(doc).valid).toBe(false);
  });

  it("skips install rules without a mode, applies them in metal mode", () => {
    const doc = "machine:\n  type: worker\n  install:\n    wipe: true\n";
    expect(validateConfig(doc).issues.some((i) => i.message.includes("install disk"))).toBe(false);
    expect(validateConfig(doc, { mode: "cloud" }).issues.some((i) => i.message.includes("install disk"))).toBe(false);
    expect(validateConfig(doc, { mode: "metal" }).issues.some((i) => i.message.includes("install disk"))).toBe(true);
  });

  it("accepts two named documents with different names", () => {
    const doc = "apiVersion: v1alpha1\nkind: UserVolumeConfig\nname: a\n---\napiVersion: v1alpha1\nkind: UserVolumeConfig\nname: b\n";
    expect(validateConfig(doc).issues.filter((i) => i.message.includes("duplicate"))).toEqual([]);
  });

  it("reports the version it validated against", () => {
    expect(validateConfig("", { talosVersion: "v1.12.11" }).talosVersion).toBe("1.12");
    expect(validateConfig("").talosVersion).toBe("1.14");
  });
});

describe("validateConfig: valid configs", () => {
  const dir = path.join(__dirname, "testdata");
  const files = readdirSync(dir).filter((f) => f.endsWith(".yaml"));

  it.each(files)("%s has no errors", (file) => {
    const minor = /(\d+\.\d+)/.exec(file)?.[1];
    const text = readFileSync(path.join(dir, file), "utf8");
    const r = validateConfig(text, { talosVersion: minor, mode: "metal" });
    expect(r.issues.filter((i) => i.severity === "error")).toEqual([]);
    expect(r.valid).toBe(true);
  });

  it("knows every minor", () => expect(TALOS_MINORS).toContain("1.14"));
});

describe("YAML 1.1 booleans", () => {
  // go-yaml v3 still decodes yes/no/on/off into a typed bool, so Talos accepts them.
  it.each(["yes", "no", "on", "Off", "'y'"])("accepts %s in a boolean field", (word) => {
    const result = validateConfig(`version: v1alpha1\ndebug: ${word}\nmachine: {}\ncluster: {}\n`, { patch: true });
    expect(result.issues.filter((i) => i.path.join(".") === "debug")).toEqual([]);
  });
});
