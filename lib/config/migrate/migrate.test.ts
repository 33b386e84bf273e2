import { readFileSync } from "node:fs";
import { join } from "node:path";

import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";

import { validateConfig } from "@/lib/config";
import type { ConfigIssue } from "@/lib/config/types";
import { SourceError } from "@/lib/talos/errors";

import { decisionFor, migrateConfig, quickFixesFor } from ".";
import { GROUPS } from "./moves";

const here = (...p: string[]) => join(__dirname, ...p);
const LEGACY = readFileSync(here("testdata", "legacy-controlplane.yaml"), "utf8");
const CP_112 = readFileSync(here("..", "testdata", "controlplane-1.12.yaml"), "utf8");
const WORKER_112 = readFileSync(here("..", "testdata", "worker-1.12.yaml"), "utf8");

type Obj = Record<string, unknown>;
const docs = (text: string): Obj[] => parseAllDocuments(text).map((d) => d.toJS() as Obj);
const v1 = (text: string) => docs(text).find((d) => d.version === "v1alpha1")!;
const doc = (text: string, kind: string, name?: string) => docs(text).find((d) => d.kind === kind && (name === undefined || d.name === name));
const get = (o: unknown, dotted: string) => dotted.split(".").reduce<unknown>((c, k) => (c && typeof c === "object" ? (c as Obj)[k] : undefined), o);

const validate = (text: string) => validateConfig(text, { talosVersion: "1.14" }).issues;
const errors = (text: string) => validate(text).filter((i) => i.severity === "error");
const deprecations = (text: string) => validate(text).filter((i) => i.severity === "warning" && /deprecated/.test(i.message));
const warningAt = (text: string, dotted: string): ConfigIssue | undefined => deprecations(text).find((i) => i.path.join(".") === dotted);

const pem = (b64: unknown) => atob(String(b64));

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

/** Where a move needs a person: the fix says why, and the field stays. */
const withV1 = (edit: (v: Obj) => void, extraDocs = ""): string => {
  const d = parseAllDocuments(LEGACY)[0]!;
  const v = d.toJS() as Obj;
  edit(v);
  d.contents = d.createNode(v) as typeof d.contents;
  return `${d.toString({ indent: 4, lineWidth: 0 })}${extraDocs}`;
};

describe("decisions", () => {
  const cases: { name: string; text: string; field: string; message: RegExp; keep?: string }[] = [
    {
      name: "a KubeNodeConfig label with another value",
      text: withV1(() => {}, "---\napiVersion: v1alpha1\nkind: KubeNodeConfig\nlabels:\n    topology.kubernetes.io/zone: lab-b\n"),
      field: "machine.nodeLabels",
      message: /KubeNodeConfig already sets `labels.topology.kubernetes.io\/zone` to "lab-b"/,
    },
    {
      name: "KubeAuthorizerConfig documents without RBAC (Talos stops adding it)",
      text: withV1((v) => delete (get(v, "cluster.apiServer") as Obj).authorizationConfig, "---\napiVersion: v1alpha1\nkind: KubeAuthorizerConfig\nname: node\ntype: Node\n"),
      field: "cluster.apiServer",
      message: /stops adding the Node and RBAC authorizers.*lack RBAC/,
    },
    {
      name: "authorizers in both places",
      text: withV1(() => {}, "---\napiVersion: v1alpha1\nkind: KubeAuthorizerConfig\nname: node\ntype: Node\n"),
      field: "cluster.apiServer",
      message: /both in `cluster.apiServer.authorizationConfig` and in KubeAuthorizerConfig/,
    },
    {
      name: "apiServer extra args that set the authentication config",
      text: withV1((v) => ((get(v, "cluster.apiServer.extraArgs") as Obj)["anonymous-auth"] = "true")),
      field: "cluster.apiServer",
      message: /sets --anonymous-auth; with KubeAPIServerConfig Talos owns the authentication config/,
    },
    {
      name: "kube-proxy flags (KubeProxyConfig uses a config file)",
      text: withV1((v) => ((get(v, "cluster.proxy") as Obj).extraArgs = { "metrics-bind-address": "0.0.0.0:10249" })),
      field: "cluster.proxy",
      message: /config file.*KubeProxyConfiguration/,
    },
    {
      name: "apiServer extra volumes",
      text: withV1((v) => ((get(v, "cluster.apiServer") as Obj).extraVolumes = [{ hostPath: "/var/lib/audit", mountPath: "/var/lib/audit" }])),
      field: "cluster.apiServer",
      message: /extraVolumes` has no place/,
    },
    {
      name: "kubelet extra mounts",
      text: withV1((v) => ((get(v, "machine.kubelet") as Obj).extraMounts = [{ destination: "/var/local", type: "bind", source: "/var/local", options: ["bind", "rw"] }])),
      field: "machine.kubelet",
      message: /extraMounts` has no place/,
      // The node fields of the kubelet still move (to KubeNodeConfig, which replaces them as a whole).
      keep: "machine.kubelet.extraMounts",
    },
    {
      name: "install by disk selector",
      text: withV1((v) => {
        const i = get(v, "machine.install") as Obj;
        delete i.disk;
        i.diskSelector = { size: ">= 100GB" };
      }),
      field: "machine.install",
      message: /diskSelector.*CEL/,
    },
    {
      name: "install without the UKI command line (UnattendedInstallConfig always uses it)",
      text: withV1((v) => {
        (get(v, "machine.install") as Obj).grubUseUKICmdline = false;
      }),
      field: "machine.install",
      message: /grubUseUKICmdline/,
    },
    {
      name: "an encryption document already there",
      text: withV1(() => {}, "---\napiVersion: v1alpha1\nkind: KubeEtcdEncryptionConfig\nconfig:\n    resources: []\n"),
      field: "cluster.aescbcEncryptionSecret",
      message: /already there/,
    },
    {
      name: "a sysctl set differently in SysctlConfig",
      text: withV1(() => {}, '---\napiVersion: v1alpha1\nkind: SysctlConfig\nparams:\n    vm.nr_hugepages: "2048"\n'),
      field: "machine.sysctls",
      message: /SysctlConfig already sets `params.vm.nr_hugepages` to "2048"/,
    },
    {
      name: "a stable hostname next to `auto: off`",
      text: withV1((v) => {
        (get(v, "machine.features") as Obj).stableHostname = true;
        delete (get(v, "machine.network") as Obj).hostname;
      }, "---\napiVersion: v1alpha1\nkind: HostnameConfig\nauto: off\n"),
      field: "machine.features.stableHostname",
      message: /HostnameConfig already sets `auto`/,
    },
  ];

  it.each(cases)("$name", ({ text, field, message, keep = field }) => {
    expect(errors(text).filter((e) => !/conflict|already set/i.test(e.message))).toEqual([]);
    const issue = warningAt(text, field);
    expect(issue).toBeDefined();
    expect(quickFixesFor(text, issue!)).toEqual([]);
    expect(decisionFor(text, issue!)?.message).toMatch(message);
    const r = migrateConfig(text, { to: "1.14" });
    expect(r.decisions.find((d) => d.path === field)?.message).toMatch(message);
    expect(get(v1(r.yaml), keep)).toEqual(get(v1(text), keep));
  });
});

describe("a node's config with redacted secrets", () => {
  it("leaves the fields that hold a placeholder, moves the rest", () => {
    const text = withV1((v) => {
      (get(v, "cluster.serviceAccount") as Obj).key = "******";
      (get(v, "cluster") as Obj).secretboxEncryptionSecret = "******";
    });
    const r = migrateConfig(text, { to: "1.14" });
    expect(r.decisions.map((d) => d.path).sort()).toEqual(["cluster.aescbcEncryptionSecret", "cluster.clusterName"]);
    expect(r.decisions[0]!.message).toMatch(/redacted/);
    expect(r.yaml).toContain("kind: SysctlConfig");
    expect(get(v1(r.yaml), "cluster.serviceAccount.key")).toBe("******");
    // The only errors are the placeholders' own (the editor hides those), as before.
    expect(errors(r.yaml).map((e) => e.message)).toEqual(errors(text).map((e) => e.message));
  });
});

describe("machine.network.extraHostEntries", () => {
  it("entries of one IP become one StaticHostConfig", () => {
    const text = withV1((v) => {
      (get(v, "machine.network") as Obj).extraHostEntries = [
        { ip: "10.5.0.20", aliases: ["a.internal"] },
        { ip: "10.5.0.21", aliases: ["c.internal"] },
        { ip: "10.5.0.20", aliases: ["b.internal"] },
      ];
    });
    const r = migrateConfig(text, { to: "1.14" });
    expect(docs(r.yaml).filter((d) => d.kind === "StaticHostConfig").map((d) => [d.name, d.hostnames])).toEqual([
      ["10.5.0.20", ["a.internal", "b.internal"]],
      ["10.5.0.21", ["c.internal"]],
    ]);
    expect(errors(r.yaml)).toEqual([]);
  });
});

describe("machine.network with legacy interfaces", () => {
  it("moves hostname, resolver, hosts and KubeSpan; leaves the interfaces with a decision", () => {
    const interfaces = [{ interface: "eth0", addresses: ["10.5.0.2/24"], routes: [{ network: "0.0.0.0/0", gateway: "10.5.0.1" }] }];
    const text = withV1((v) => ((get(v, "machine.network") as Obj).interfaces = interfaces));
    const fix = quickFixesFor(text, warningAt(text, "machine.network")!)[0]!;
    expect(fix.title).toMatch(/the rest needs a decision/);
    expect(fix.left).toEqual([{ path: "machine.network.interfaces", message: expect.stringMatching(/stops Talos's default DHCP/) }]);
    expect(get(v1(fix.text), "machine.network")).toEqual({ interfaces });
    expect(doc(fix.text, "ResolverConfig")).toMatchObject({ nameservers: [{ address: "1.1.1.1" }] });
    expect(doc(fix.text, "HostnameConfig")).toMatchObject({ hostname: "cp-1" });
    expect(errors(fix.text)).toEqual([]);
  });

  it("hostDNS takes the legacy nameservers along: a ResolverConfig replaces the whole legacy resolver", () => {
    const interfaces = [{ interface: "eth0", dhcp: true }];
    const text = withV1((v) => ((get(v, "machine.network") as Obj).interfaces = interfaces));
    const after = quickFixesFor(text, warningAt(text, "machine.features.hostDNS")!)[0]!.text;
    expect(doc(after, "ResolverConfig")).toMatchObject({ nameservers: [{ address: "1.1.1.1" }], searchDomains: { domains: ["example.internal"] }, hostDNS: { enabled: true } });
    expect(get(v1(after), "machine.network.nameservers")).toBeUndefined();
    expect(get(v1(after), "machine.network.interfaces")).toEqual(interfaces);
  });
});

describe("machine.files", () => {
  const cri = { content: "[plugins]\n  [plugins.\"io.containerd.cri.v1.runtime\"]\n    enable_unprivileged_ports = true\n", permissions: 0o644, path: "/etc/cri/conf.d/20-customization.part", op: "create" };
  it("the legacy containerd drop-in becomes a CRICustomizationConfig", () => {
    const text = withV1((v) => ((get(v, "machine") as Obj).files = [cri]));
    const issue = warningAt(text, "machine.files")!;
    const after = quickFixesFor(text, issue)[0]!.text;
    expect(doc(after, "CRICustomizationConfig", "customization-migrated")).toMatchObject({ content: cri.content });
    expect(get(v1(after), "machine.files")).toBeUndefined();
    expect(errors(after)).toEqual([]);
  });

  it("a file under /var has no document: a decision", () => {
    const text = withV1((v) => ((get(v, "machine") as Obj).files = [cri, { content: "x", permissions: 0o644, path: "/var/etc/x.conf", op: "create" }]));
    const issue = warningAt(text, "machine.files")!;
    expect(quickFixesFor(text, issue)).toEqual([]);
    expect(decisionFor(text, issue)?.message).toMatch(/\/var\/etc\/x\.conf/);
  });
});

describe("cluster.proxy disabled", () => {
  it("becomes `enabled: false`; Talos validates nothing else of a disabled kube-proxy (k8s/proxy.go)", () => {
    const text = withV1((v) => ((get(v, "cluster") as Obj).proxy = { disabled: true }));
    const r = migrateConfig(text, { to: "1.14" });
    expect(doc(r.yaml, "KubeProxyConfig")).toEqual({ apiVersion: "v1alpha1", kind: "KubeProxyConfig", enabled: false });
    expect(errors(r.yaml)).toEqual([]);
  });
});

describe("cluster.etcd.subnet", () => {
  it("becomes advertisedSubnets in the same document", () => {
    const text = withV1((v) => {
      const e = get(v, "cluster.etcd") as Obj;
      delete e.advertisedSubnets;
      e.subnet = "10.5.0.0/24";
    });
    const issue = warningAt(text, "cluster.etcd.subnet")!;
    const after = quickFixesFor(text, issue)[0]!.text;
    expect(get(v1(after), "cluster.etcd.advertisedSubnets")).toEqual(["10.5.0.0/24"]);
    expect(get(v1(after), "cluster.etcd.subnet")).toBeUndefined();
    expect(errors(after)).toEqual([]);
  });
});
