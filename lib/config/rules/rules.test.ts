import { describe, expect, it } from "vitest";

import { v1alpha1Rules } from ".";
import { endpointURIError, isCIDR, isHostPort, isIP, isIPv6 } from "./net";
import type { Obj, RuleContext } from "./types";

const ctx = (over: Partial<RuleContext> = {}): RuleContext => ({ version: "1.14", patch: false, role: "controlplane", documents: [], ...over });
const WG = Buffer.alloc(32, 1).toString("base64");

type Row = [rule: keyof typeof v1alpha1Rules, doc: Obj, over: Partial<RuleContext>, expected: [string, string][]];

/** [rule, document, context, [[path, message substring], …]]: an empty list means "no issue". */
const ROWS: Row[] = [
  ["requiredSections", {}, {}, [["machine", "machine instructions are required"], ["cluster", "cluster instructions are required"]]],
  ["requiredSections", {}, { patch: true }, []],
  ["controlPlaneEndpoint", { cluster: { controlPlane: { endpoint: "https://cp.example.com:6443" } } }, {}, []],
  ["controlPlaneEndpoint", { cluster: { controlPlane: { endpoint: "https://[fd00::1]:6443" } } }, {}, []],
  ["controlPlaneEndpoint", { cluster: { controlPlane: { endpoint: "https://cp" } } }, {}, []],
  ["controlPlaneEndpoint", { cluster: { controlPlane: { endpoint: "https://cp:0" } } }, {}, [["cluster.controlPlane.endpoint", "between 1 and 65535"]]],
  ["controlPlaneEndpoint", { cluster: { controlPlane: {} } }, { patch: true }, []],
  ["machineType", { machine: { type: "init" } }, {}, []],
  ["machineType", { machine: { type: "join" } }, {}, [["machine.type", 'use "worker" instead of "join"']]],
  ["machineType", { machine: {} }, {}, [["machine.type", 'use "worker" instead of ""']]],
  ["machineType", { machine: {} }, { patch: true }, []],
  ["caKeys", { machine: { ca: { crt: "x", key: "y" } } }, {}, []],
  ["caKeys", { machine: { ca: { crt: "x", key: "" } } }, { role: "worker" }, []],
  ["caKeys", { machine: { acceptedCAs: [{ crt: "x" }] } }, { role: "worker" }, []],
  ["caKeys", { machine: { ca: { crt: "x", key: "y" } } }, { role: "worker" }, [["machine.ca.key", "not allowed on non-controlplane"]]],
  ["caKeys", { machine: { acceptedCAs: [{ crt: "x" }] } }, { role: "controlplane" }, [["machine.ca", "issuing CA is required"]]],
  ["caKeys", { machine: {} }, { role: null, patch: true }, []],
  ["cni", { cluster: { network: { cni: { name: "custom", urls: ["https://x/cni.yaml"] } } } }, {}, []],
  ["cni", { cluster: { network: { cni: { name: "custom", urls: ["https://x/cni.yaml"] } } } }, { role: "worker" }, []],
  ["cni", { cluster: { network: { cni: { name: "none", flannel: { kubeNetworkPoliciesEnabled: true } } } } }, {}, [["cluster.network.cni.flannel.kubeNetworkPoliciesEnabled", "should not be enabled"]]],
  ["cni", { cluster: { network: { cni: { name: "cilium" } } } }, {}, [["cluster.network.cni.name", "cni name should be one of"]]],
  ["etcd", { cluster: { etcd: { ca: { crt: "a", key: "b" }, advertisedSubnets: ["10.0.0.0/8", "!fd00::/8"], listenSubnets: ["10.0.0.1"] } } }, {}, []],
  ["etcd", { cluster: { etcd: { subnet: "nope" } } }, { patch: true }, [["cluster.etcd.subnet", 'etcd advertised subnet is not valid: "nope"']]],
  ["inlineManifests", { cluster: { inlineManifests: [{ name: "a" }, { name: "b" }] } }, {}, []],
  ["inlineManifests", { cluster: { inlineManifests: [{ contents: "x" }] } }, {}, [["cluster.inlineManifests.0", "can't be empty"]]],
  ["install", { machine: { install: { diskSelector: { size: ">= 1TB" } } } }, { mode: "metal" }, []],
  ["install", { machine: { install: { diskSelector: { model: "" } } } }, { mode: "metal" }, [["machine.install", "either install disk or diskSelector"]]],
  ["install", { machine: { install: { disk: "/dev/sda", extraKernelArgs: ["a"], grubUseUKICmdline: true } } }, { mode: "metal" }, [["machine.install.grubUseUKICmdline", "can't be used together"]]],
  ["install", { machine: {} }, { mode: "metal", version: "1.14" }, []],
  ["install", { machine: {} }, { mode: "container", version: "1.13" }, []],
  ["networkInterfaces", { machine: { network: { interfaces: [{ interface: "eth0", addresses: ["10.0.0.2/24", "fd00::2/64"], routes: [{ network: "0.0.0.0/0", gateway: "10.0.0.1" }], vip: { ip: "10.0.0.10" } }] } } }, {}, []],
  ["networkInterfaces", { machine: { network: { interfaces: [{ interface: "eth0", ignore: true }] } } }, { role: "worker" }, []],
  ["networkInterfaces", { machine: { network: { interfaces: [{ interface: "bond0", bond: { interfaces: ["eth0"], deviceSelectors: [{ driver: "e1000" }] } }] } } }, {}, [["machine.network.interfaces.0.bond.deviceSelectors", "both interfaces and selectors"]]],
  ["networkInterfaces", { machine: { network: { interfaces: [{ interface: "bond0", bond: { mode: "active-backup", lacpRate: "fast", interfaces: ["eth0"] } }] } } }, {}, [["machine.network.interfaces.0.bond.lacpRate", "only available in 802.3ad mode"]]],
  ["networkInterfaces", { machine: { network: { interfaces: [{ interface: "bond0", bond: { mode: "bogus" } }] } } }, {}, [["machine.network.interfaces.0.bond.mode", "invalid bond type bogus"]]],
  ["networkInterfaces", { machine: { network: { interfaces: [{ interface: "bond0", bond: { updelay: 200 } }] } } }, {}, [["machine.network.interfaces.0.bond.updelay", "can't be set if miiMon is zero"]]],
  ["networkInterfaces", { machine: { network: { interfaces: [{ interface: "bond0", bond: { interfaces: ["eth0"] } }, { interface: "eth0", dhcp: true }] } } }, {}, [["machine.network.interfaces.1.interface", "bonded/bridged interface shouldn't have any addressing"]]],
  ["networkInterfaces", { machine: { network: { interfaces: [{ interface: "wg0", wireguard: { privateKey: WG, peers: [{ publicKey: WG, endpoint: "[fd00::1]:51820", allowedIPs: ["10.1.0.0/16"] }] } }] } } }, {}, []],
  ["networkInterfaces", { machine: { network: { interfaces: [{ interface: "wg0", wireguard: { privateKey: WG, peers: [{ publicKey: "!!", allowedIPs: ["10.1.0.0"] }] } }] } } }, {}, [["machine.network.interfaces.0.wireguard.peers.0.publicKey", "public key invalid"], ["machine.network.interfaces.0.wireguard.peers.0.allowedIPs.0", "peer allowed IP"]]],
  ["networkInterfaces", { machine: { network: { interfaces: [{ interface: "eth0", vlans: [{ vlanId: 10, vip: { ip: "10.0.0.9" } }] }] } } }, { role: "worker" }, [["machine.network.interfaces.0.vlans.0.vip", "not allowed on non-controlplane"]]],
  ["networkInterfaces", { machine: { network: { interfaces: [{ interface: "eth0", cidr: "10.0.0.2/24" }] } } }, {}, [["machine.network.interfaces.0.cidr", "cidr is deprecated"]]],
  ["kubespan", { machine: { network: { kubespan: { enabled: true, filters: { endpoints: ["!10.0.0.0/8", "0.0.0.0/0"] } } } }, cluster: { discovery: { enabled: true } } }, {}, []],
  ["kubespan", { machine: { network: { kubespan: { enabled: true } } } }, { version: "1.13" }, [["machine.network.kubespan.enabled", ".cluster.discovery should be enabled"]]],
  ["kubespan", { machine: { network: { kubespan: { enabled: true } } } }, {}, [["machine.network.kubespan.enabled", "KubeSpan requires cluster discovery to be enabled"]]],
  ["nodeLabels", { machine: { nodeLabels: { "node.kubernetes.io/role": "", "a.b/c": "d-e_f.g" }, nodeTaints: { dedicated: "gpu:NoSchedule", maint: "NoExecute" } } }, {}, []],
  ["nodeLabels", { machine: { nodeLabels: { "a/b/c": "x" } } }, {}, [["machine.nodeLabels.a/b/c", "too many slashes"]]],
  ["nodeLabels", { machine: { nodeLabels: { ["x".repeat(64)]: "v" } } }, {}, [[`machine.nodeLabels.${"x".repeat(64)}`, "name is too long"]]],
  ["nodeLabels", { machine: { nodeTaints: { Bad_Prefix_: "NoSchedule" } } }, {}, [["machine.nodeTaints.Bad_Prefix_", 'name "Bad_Prefix_" is invalid']]],
  ["nodeLabels", { machine: { nodeTaints: { k: "-v-:NoSchedule" } } }, {}, [["machine.nodeTaints.k", 'label value "-v-" is invalid']]],
  ["discovery", { cluster: { discovery: { enabled: true, registries: { service: { disabled: true } } } } }, {}, []],
  ["discovery", { cluster: { discovery: { enabled: true } } }, { documents: [{ kind: "DiscoveryIdentityConfig", value: {} }] }, []],
  ["discovery", { cluster: { id: "i", secret: "s", discovery: { enabled: true, registries: { service: { endpoint: "not a url" } } } } }, {}, [["cluster.discovery.registries.service.endpoint", "endpoint is invalid"]]],
  ["talosAPIAccess", { machine: { features: { kubernetesTalosAPIAccess: { enabled: true, allowedRoles: ["os:admin", "os:root"] } } } }, {}, [["machine.features.kubernetesTalosAPIAccess.allowedRoles.1", 'invalid role "os:root"']]],
  ["nodeAddressSortAlgorithm", { machine: { features: { nodeAddressSortAlgorithm: "v3" } } }, {}, [["machine.features.nodeAddressSortAlgorithm", "invalid node address sort algorithm"]]],
  ["registries", { machine: { registries: { mirrors: { "docker.io": null } } } }, {}, [["machine.registries.mirrors.docker.io", 'registries.mirrors["docker.io"] is null']]],
  ["disks", { machine: { disks: [null] } }, {}, [["machine.disks.0", "machine.disks[0] is null"]]],
  ["disks", { machine: { disks: [{ device: "/dev/sdb", partitions: [{ size: "10GB" }, { size: 0 }] }] } }, {}, []],
  ["diskEncryption", { machine: { systemDiskEncryption: { ephemeral: { keys: [{ slot: 0, nodeID: {} }, { slot: 0, static: { passphrase: "x" } }, { slot: 1 }] } } } }, {}, [
    ["machine.systemDiskEncryption.ephemeral.keys.1.slot", "slot 0 is already in use"],
    ["machine.systemDiskEncryption.ephemeral.keys.2", "doesn't have the configuration parameters"],
  ]],
  ["logging", { machine: { logging: { destinations: [{ endpoint: "udp://10.0.0.1:514" }, { endpoint: "http://x" }] } } }, {}, [["machine.logging.destinations.1.endpoint", 'unknown scheme "http"']]],
  ["apiServerAuthorization", { cluster: { apiServer: { authorizationConfig: [{ type: "Node" }], extraArgs: { "authorization-mode": "Node" } } } }, {}, [["cluster.apiServer.extraArgs.authorization-mode", "cannot be used together"]]],
  ["persist", { persist: true }, {}, []],
  ["hostDNS", { machine: { features: { hostDNS: { enabled: true, forwardKubeDNSToHost: true } } } }, {}, []],
  ["dnsDomain", { cluster: { network: { dnsDomain: "cluster.local" } } }, {}, []],
  ["externalCloudProvider", { cluster: { externalCloudProvider: { enabled: true, manifests: ["https://x/a.yaml", "https://[::1/a"] } } }, {}, [["cluster.externalCloudProvider.manifests.1", "invalid external cloud provider manifest url"]]],
  ["kubelet", { machine: { kubelet: { extraConfig: { serverTLSBootstrap: true }, nodeIP: { validSubnets: ["!10.0.0.1/32"] } } } }, {}, []],
  ["certificates", { machine: { ca: { crt: "", key: "" } } }, {}, []],
];

describe("v1alpha1 rules", () => {
  it.each(ROWS)("%s %j %j", (rule, doc, over, expected) => {
    const got = v1alpha1Rules[rule]!(doc, ctx(over)).map((i) => [i.path.join("."), i.message] as const);
    expect(got.length, JSON.stringify(got)).toBe(expected.length);
    expected.forEach(([p, m], k) => {
      expect(got[k]![0]).toBe(p);
      expect(got[k]![1]).toContain(m);
    });
  });
});

describe("address helpers (Go semantics)", () => {
  it.each([
    ["10.0.0.1", true],
    ["010.0.0.1", false],
    ["256.0.0.1", false],
    ["::", true],
    ["fd00::1", true],
    ["::ffff:10.0.0.1", true],
    ["1:2:3:4:5:6:7:8", true],
    ["1:2:3:4:5:6:7:8:9", false],
    ["1::2::3", false],
    ["fe80::1%eth0", false],
  ])("isIP(%s) = %s", (s, ok) => expect(isIP(s)).toBe(ok));

  it.each([
    ["10.0.0.0/8", true],
    ["10.0.0.0/33", false],
    ["fd00::/128", true],
    ["fd00::/129", false],
    ["10.0.0.0", false],
  ])("isCIDR(%s) = %s", (s, ok) => expect(isCIDR(s)).toBe(ok));

  it("isIPv6 rejects garbage", () => expect(isIPv6("g::1")).toBe(false));

  it.each([
    ["host:80", true],
    ["[fd00::1]:51820", true],
    ["fd00::1:51820", false],
    ["host", false],
    ["host:70000", false],
  ])("isHostPort(%s) = %s", (s, ok) => expect(isHostPort(s)).toBe(ok));

  it.each([
    ["https://a:6443", null],
    ["https://a:", null],
    ["tcp://a", null],
    ["", "empty endpoint"],
    ["https://[fd00::1", "missing ']'"],
  ])("endpointURIError(%s)", (s, err) => {
    const e = endpointURIError(s);
    if (err === null) expect(e).toBeNull();
    else expect(e).toContain(err);
  });
});
