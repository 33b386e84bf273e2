import { describe, expect, it } from "vitest";

import { CP_112, deprecations, doc, docs, errors, get, LEGACY, pem, v1, warningAt, WORKER_112, type Obj } from "@/test/config-migrate";
import { SourceError } from "@/lib/talos/errors";

import { migrateConfig, quickFixesFor } from ".";
import { GROUPS } from "./moves";


describe("the legacy fixture", () => {
  it("validates for 1.14 with no error and one deprecation warning per moved field", () => {
    expect(errors(LEGACY)).toEqual([]);
    expect(deprecations(LEGACY).length).toBeGreaterThan(30);
  });
});

/**
 * One quick fix per deprecation warning, applied alone to the legacy fixture: the field leaves
 * v1alpha1, its value is in the new document in Talos's names and formats, the result has no
 * error and no warning for the field.
 */
const before = v1(LEGACY);
const CASES: { field: string; expect: { kind: string; name?: string; fields: Obj }[]; alsoGone?: string[] }[] = [
  { field: "cluster.id", expect: [{ kind: "DiscoveryIdentityConfig", fields: { clusterID: get(before, "cluster.id"), clusterSecret: get(before, "cluster.secret") } }], alsoGone: ["cluster.secret"] },
  { field: "cluster.secret", expect: [{ kind: "DiscoveryIdentityConfig", fields: { clusterSecret: get(before, "cluster.secret") } }] },
  {
    field: "cluster.controlPlane",
    expect: [
      { kind: "KubeClusterConfig", fields: { clusterName: "minos-lab", endpoint: "https://10.5.0.10:6443" } },
      { kind: "KubeServiceAccountConfig", fields: { issuer: { privateKey: pem(get(before, "cluster.serviceAccount.key")), issuerURL: "https://10.5.0.10:6443" } } },
    ],
    alsoGone: ["cluster.clusterName", "cluster.serviceAccount"],
  },
  { field: "cluster.clusterName", expect: [{ kind: "KubeClusterConfig", fields: { clusterName: "minos-lab" } }] },
  { field: "cluster.serviceAccount", expect: [{ kind: "KubeServiceAccountConfig", fields: { issuer: { issuerURL: "https://10.5.0.10:6443" } } }] },
  {
    field: "cluster.network",
    expect: [
      { kind: "KubeNetworkConfig", fields: { dnsDomain: "cluster.local", podSubnets: ["10.244.0.0/16"], serviceSubnets: ["10.96.0.0/12"] } },
      { kind: "KubeFlannelCNIConfig", fields: { backendType: "vxlan", backendPort: 4789, extraArgs: ["--iface-can-reach=10.5.0.1"] } },
    ],
  },
  {
    field: "cluster.aescbcEncryptionSecret",
    expect: [
      {
        kind: "KubeEtcdEncryptionConfig",
        fields: {
          config: {
            resources: [
              {
                resources: ["secrets"],
                providers: [
                  { secretbox: { keys: [{ name: "key2", secret: get(before, "cluster.secretboxEncryptionSecret") }] } },
                  { aescbc: { keys: [{ name: "key1", secret: get(before, "cluster.aescbcEncryptionSecret") }] } },
                  { identity: {} },
                ],
              },
            ],
          },
        },
      },
    ],
    alsoGone: ["cluster.secretboxEncryptionSecret"],
  },
  { field: "cluster.secretboxEncryptionSecret", expect: [{ kind: "KubeEtcdEncryptionConfig", fields: {} }] },
  { field: "cluster.ca", expect: [{ kind: "KubeAPIServerCAConfig", fields: { issuingCA: { cert: pem(get(before, "cluster.ca.crt")), key: pem(get(before, "cluster.ca.key")) } } }] },
  { field: "cluster.aggregatorCA", expect: [{ kind: "KubeAggregatorCAConfig", fields: { issuingCA: { cert: pem(get(before, "cluster.aggregatorCA.crt")), key: pem(get(before, "cluster.aggregatorCA.key")) } } }] },
  {
    field: "cluster.apiServer",
    expect: [
      {
        kind: "KubeAPIServerConfig",
        // No probes and no anonymous access, as the legacy kube-apiserver ran.
        fields: { image: "registry.k8s.io/kube-apiserver:v1.35.1", extraArgs: { "audit-log-maxage": 30 }, certExtraSANs: ["10.5.0.10", "cp.example.internal"], startupProbes: false },
      },
      { kind: "KubeAuthenticationConfig", fields: { configuration: { anonymous: { enabled: false }, jwt: [] } } },
      { kind: "KubeAdmissionControlConfig", name: "PodSecurity", fields: { configuration: get(before, "cluster.apiServer.admissionControl.0.configuration") as Obj } },
      { kind: "KubeAuditPolicyConfig", fields: { configuration: get(before, "cluster.apiServer.auditPolicy") as Obj } },
      // Talos added Node and RBAC in front of the legacy list; with KubeAPIServerConfig it no longer does.
      { kind: "KubeAuthorizerConfig", name: "node", fields: { type: "Node" } },
      { kind: "KubeAuthorizerConfig", name: "rbac", fields: { type: "RBAC" } },
      { kind: "KubeAuthorizerConfig", name: "webhook", fields: { type: "Webhook", webhook: get(before, "cluster.apiServer.authorizationConfig.0.webhook") as Obj } },
    ],
  },
  { field: "cluster.controllerManager", expect: [{ kind: "KubeControllerManagerConfig", fields: { image: "registry.k8s.io/kube-controller-manager:v1.35.1", extraArgs: { "bind-address": "0.0.0.0" } } }] },
  { field: "cluster.scheduler", expect: [{ kind: "KubeSchedulerConfig", fields: { enabled: false, image: "registry.k8s.io/kube-scheduler:v1.35.1" } }], alsoGone: ["machine.controlPlane"] },
  { field: "machine.controlPlane", expect: [{ kind: "KubeSchedulerConfig", fields: { enabled: false } }, { kind: "KubeControllerManagerConfig", fields: { image: "registry.k8s.io/kube-controller-manager:v1.35.1" } }] },
  { field: "cluster.proxy", expect: [{ kind: "KubeProxyConfig", fields: { image: "registry.k8s.io/kube-proxy:v1.35.1", mode: "nftables" } }] },
  { field: "cluster.coreDNS", expect: [{ kind: "KubeCoreDNSConfig", fields: { image: "registry.k8s.io/coredns/coredns:v1.12.4" } }] },
  { field: "cluster.discovery", expect: [{ kind: "DiscoveryServiceConfig", name: "default", fields: { endpoint: "https://discovery.talos.dev/" } }] },
  {
    field: "cluster.extraManifests",
    expect: [
      {
        kind: "KubeExternalManifestConfig",
        name: "https://raw.githubusercontent.com/alex1989hu/kubelet-serving-cert-approver/main/deploy/standalone-install.yaml",
        fields: { headers: { Token: "1234567890" }, url: "https://raw.githubusercontent.com/alex1989hu/kubelet-serving-cert-approver/main/deploy/standalone-install.yaml" },
      },
    ],
    alsoGone: ["cluster.extraManifestHeaders"],
  },
  { field: "cluster.extraManifestHeaders", expect: [{ kind: "KubeExternalManifestConfig", fields: { headers: { Token: "1234567890" } } }] },
  { field: "cluster.inlineManifests", expect: [{ kind: "KubeInlineManifestConfig", name: "minos-namespace", fields: { manifest: get(before, "cluster.inlineManifests.0.contents") as string } }] },
  {
    field: "cluster.allowSchedulingOnControlPlanes",
    expect: [{ kind: "KubeNodeConfig", fields: { taints: { dedicated: "infra:NoSchedule", "node-role.kubernetes.io/control-plane": "NoSchedule" } } }],
  },
  {
    field: "machine.kubelet",
    expect: [
      { kind: "KubeletConfig", fields: { image: "ghcr.io/siderolabs/kubelet:v1.35.1", config: { serializeImagePulls: false }, extraArgs: { "rotate-server-certificates": true, "max-pods": 150 }, clusterDNS: ["10.96.0.10"], defaultRuntimeSeccompProfileEnabled: true } },
      { kind: "KubeCredentialProviderConfig", fields: { configuration: get(before, "machine.kubelet.credentialProviderConfig") as Obj } },
      { kind: "KubeNodeConfig", fields: { registerWithFQDN: true, nodeIP: { validSubnets: ["10.5.0.0/24"] } } },
    ],
  },
  {
    field: "machine.nodeLabels",
    expect: [
      {
        kind: "KubeNodeConfig",
        fields: {
          registerWithFQDN: true,
          nodeIP: { validSubnets: ["10.5.0.0/24"] },
          // The control-plane label Talos added to v1alpha1 control planes is written out.
          labels: { "node.kubernetes.io/exclude-from-external-load-balancers": "", "topology.kubernetes.io/zone": "lab-a", "node-role.kubernetes.io/control-plane": "" },
          annotations: { "minos.dev/rack": "r1" },
          taints: { dedicated: "infra:NoSchedule", "node-role.kubernetes.io/control-plane": "NoSchedule" },
        },
      },
    ],
    alsoGone: ["machine.nodeAnnotations", "machine.nodeTaints", "cluster.allowSchedulingOnControlPlanes"],
  },
  { field: "machine.nodeAnnotations", expect: [{ kind: "KubeNodeConfig", fields: { annotations: { "minos.dev/rack": "r1" } } }] },
  { field: "machine.nodeTaints", expect: [{ kind: "KubeNodeConfig", fields: { taints: { dedicated: "infra:NoSchedule", "node-role.kubernetes.io/control-plane": "NoSchedule" } } }] },
  { field: "machine.pods", expect: [{ kind: "KubeStaticPodConfig", name: "web-nginx", fields: { pod: get(before, "machine.pods.0") as Obj } }] },
  { field: "machine.features.kubePrism", expect: [{ kind: "KubePrismConfig", fields: { port: 7445 } }] },
  { field: "machine.features.kubernetesTalosAPIAccess", expect: [{ kind: "KubeTalosAPIAccessConfig", fields: { allowedRoles: ["os:reader"], allowedKubernetesNamespaces: ["kube-system"] } }] },
  { field: "machine.features.hostDNS", expect: [{ kind: "ResolverConfig", fields: { hostDNS: { enabled: true, forwardKubeDNSToHost: true } } }] },
  { field: "machine.features.imageCache", expect: [{ kind: "ImageCacheConfig", fields: { local: { enabled: true } } }] },
  { field: "machine.features.rbac", expect: [] },
  { field: "machine.features.apidCheckExtKeyUsage", expect: [] },
  {
    field: "machine.install",
    expect: [{ kind: "UnattendedInstallConfig", fields: { installer: { image: "ghcr.io/siderolabs/installer:v1.12.4" }, provisioning: { diskSelector: { match: 'disk.dev_path == "/dev/sda"' }, wipe: false } } }],
  },
  { field: "machine.env", expect: [{ kind: "EnvironmentConfig", fields: { variables: { https_proxy: "http://proxy.internal:3128" } } }] },
  { field: "machine.time", expect: [{ kind: "TimeSyncConfig", fields: { bootTimeout: "2m0s", ntp: { servers: ["time.cloudflare.com"] } } }] },
  // Kernel parameters are strings in SysctlConfig (map[string]string); 1 becomes "1".
  { field: "machine.sysctls", expect: [{ kind: "SysctlConfig", fields: { params: { "net.core.bpf_jit_harden": "1", "vm.nr_hugepages": "1024" } } }] },
  { field: "machine.sysfs", expect: [{ kind: "SysfsConfig", fields: { params: { "devices.system.cpu.cpu0.cpufreq.scaling_governor": "performance" } } }] },
  {
    field: "machine.registries",
    expect: [
      { kind: "RegistryMirrorConfig", name: "docker.io", fields: { endpoints: [{ url: "https://mirror.gcr.io" }], skipFallback: true } },
      { kind: "RegistryAuthConfig", name: "registry.internal", fields: { username: "robot", password: "s3cret-pass" } },
      { kind: "RegistryTLSConfig", name: "registry.internal", fields: { insecureSkipVerify: true } },
    ],
  },
  { field: "machine.udev", expect: [{ kind: "UdevRulesConfig", fields: { rules: ['SUBSYSTEM=="drm", KERNEL=="renderD*", GROUP="44", MODE="0660"'] } }] },
  { field: "machine.kernel", expect: [{ kind: "KernelModuleConfig", name: "drbd", fields: { parameters: ["usermode_helper=disabled"] } }] },
  { field: "machine.baseRuntimeSpecOverrides", expect: [{ kind: "CRIBaseRuntimeSpecConfig", fields: { overrides: get(before, "machine.baseRuntimeSpecOverrides") as Obj } }] },
  {
    field: "machine.network",
    expect: [
      { kind: "HostnameConfig", fields: { hostname: "cp-1" } },
      { kind: "ResolverConfig", fields: { nameservers: [{ address: "1.1.1.1" }], searchDomains: { domains: ["example.internal"] } } },
      { kind: "StaticHostConfig", name: "10.5.0.20", fields: { hostnames: ["registry.internal"] } },
      { kind: "KubeSpanConfig", fields: { enabled: true, mtu: 1420 } },
    ],
  },
];

describe("quick fix per deprecated field", () => {
  it.each(CASES)("$field", ({ field, expect: expected, alsoGone = [] }) => {
    const issue = warningAt(LEGACY, field);
    expect(issue, `the fixture warns at ${field}`).toBeDefined();
    const fixes = quickFixesFor(LEGACY, issue!);
    expect(fixes).toHaveLength(1);
    const after = fixes[0]!.text;
    expect(errors(after)).toEqual([]);
    for (const gone of [field, ...alsoGone]) {
      expect(warningAt(after, gone), `${gone} still warns`).toBeUndefined();
      expect(get(v1(after), gone), `${gone} still in v1alpha1`).toBeUndefined();
    }
    for (const e of expected) {
      expect(doc(after, e.kind, e.name), `${e.kind} ${e.name ?? ""}`).toMatchObject(e.fields);
    }
    // Every other deprecated field is still there, untouched.
    const untouched = deprecations(LEGACY).filter((i) => !fixes[0]!.moved.some((m) => m.from === i.path.join(".") || m.from.startsWith(`${i.path.join(".")}.`)));
    for (const i of untouched) expect(get(v1(after), i.path.join(".")), i.path.join(".")).toEqual(get(before, i.path.join(".")));
  });

  it("covers every deprecation warning of the fixture", () => {
    const covered = new Set(CASES.map((c) => c.field));
    expect(deprecations(LEGACY).map((i) => i.path.join(".")).filter((p) => !covered.has(p))).toEqual([]);
  });

  it("offers nothing for errors, other warnings, or fields without a move", () => {
    const issue = warningAt(LEGACY, "cluster.apiServer")!;
    expect(quickFixesFor(LEGACY, { ...issue, severity: "error" })).toEqual([]);
    expect(quickFixesFor(LEGACY, { ...issue, path: ["cluster", "token"] })).toEqual([]);
  });

  it("the fixed text is one undoable edit that keeps the user's comments", () => {
    const fix = quickFixesFor(LEGACY, warningAt(LEGACY, "machine.sysctls")!)[0]!;
    expect(fix.title).toBe("Move to SysctlConfig");
    expect(fix.text).toContain("hostname: cp-1 # the node's name");
    expect(fix.text.startsWith("# A control-plane config in the single-document layout")).toBe(true);
  });
});

describe("migrateConfig", () => {
  it("moves every field of the legacy fixture: no error, no deprecation warning, nothing to decide", () => {
    const r = migrateConfig(LEGACY, { to: "1.14" });
    expect(r.decisions).toEqual([]);
    expect(errors(r.yaml)).toEqual([]);
    expect(deprecations(r.yaml)).toEqual([]);
    expect(r.moved.length).toBeGreaterThan(40);
    // What stays in v1alpha1 is what 1.14 still reads from it.
    expect(Object.keys(get(v1(r.yaml), "cluster") as Obj).sort()).toEqual(["etcd", "token"]);
  });

  it("is idempotent", () => {
    const once = migrateConfig(LEGACY, { to: "1.14" }).yaml;
    const twice = migrateConfig(once, { to: "1.14" });
    expect(twice.yaml).toBe(once);
    expect(twice.moved).toEqual([]);
  });

  it("the 1.12 control-plane fixture: merges into the documents already there", () => {
    const r = migrateConfig(CP_112, { to: "1.14" });
    expect(errors(r.yaml)).toEqual([]);
    expect(deprecations(r.yaml)).toEqual([]);
    expect(r.decisions).toEqual([]);
    // The HostnameConfig's static name wins over stableHostname, which had no effect.
    expect(r.moved).toContainEqual({ from: "machine.features.stableHostname", to: "(dropped: the static hostname takes precedence)" });
    // hostDNS merged into the existing ResolverConfig, which kept its nameservers.
    expect(docs(r.yaml).filter((d) => d.kind === "ResolverConfig")).toHaveLength(1);
    expect(doc(r.yaml, "ResolverConfig")).toMatchObject({ nameservers: [{ address: "1.1.1.1" }, { address: "2606:4700:4700::1111" }], hostDNS: { enabled: true, forwardKubeDNSToHost: true } });
  });

  it("the 1.12 worker fixture: CA accepted (no key), interfaces and disks left for a person", () => {
    const r = migrateConfig(WORKER_112, { to: "1.14" });
    expect(errors(r.yaml)).toEqual([]);
    expect(r.decisions.map((d) => d.path)).toEqual(["machine.network.interfaces", "machine.disks"]);
    // The legacy nameservers went along with hostDNS into the new ResolverConfig.
    expect(doc(r.yaml, "ResolverConfig")).toMatchObject({ nameservers: [{ address: "1.1.1.1" }, { address: "2606:4700:4700::1111" }], hostDNS: { enabled: true } });
    expect(Object.keys(get(v1(r.yaml), "machine.network") as Obj)).toEqual(["interfaces"]);
    expect(deprecations(r.yaml).map((i) => i.path.join(".")).sort()).toEqual(["machine.disks", "machine.network"]);
    const ca = doc(r.yaml, "KubeAPIServerCAConfig")!;
    expect(ca.issuingCA).toBeUndefined();
    expect(ca.acceptedCAs).toEqual([pem(get(v1(WORKER_112), "cluster.ca.crt"))]);
    // A worker gets no control-plane label or taint.
    expect(doc(r.yaml, "KubeNodeConfig")).toEqual({ apiVersion: "v1alpha1", kind: "KubeNodeConfig", nodeIP: { validSubnets: ["10.5.0.0/24"] } });
  });

  it("bad YAML is a SourceError with its line and column", () => {
    let caught: unknown;
    try {
      migrateConfig("version: v1alpha1\nmachine:\n  type: [worker\n", { to: "1.14" });
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(SourceError);
    expect((caught as SourceError).place.line).toBeGreaterThanOrEqual(3);
  });

  it("rejects other targets", () => {
    expect(() => migrateConfig(LEGACY, { to: "1.13" as "1.14" })).toThrow(/only 1.14/);
  });

  it("has a group for every deprecation the fixture and the decisions name", () => {
    expect(GROUPS.length).toBeGreaterThan(30);
  });
});
