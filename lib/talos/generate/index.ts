/**
 * Machine configs as `talosctl gen config --talos-version v1.X --with-docs=false
 * --with-examples=false` writes them (talosctl v1.14.0-rc.1, pkg/machinery/config/generate), for
 * the version contracts 1.10–1.14, and the talosconfig beside them.
 *
 * One generator with the contract's switches (pkg/machinery/config/contract.go), as in Talos;
 * each switch below names the VersionContract method it stands for. Documents come in the
 * order init.go / worker.go append them, fields in Go struct order, and the text is Go yaml's
 * (./yaml.ts → lib/talos/goyaml.ts). testdata/README.md says which Go lines back each golden expectation.
 */
import type { TalosMinor } from "../constants";
import { SourceError } from "../errors";
import { issueClientCert, talos1Minor, toTalosKeyPem } from "../pki";
import type { SecretsBundle } from "../secrets/bundle";
import { installerImage, SUGGESTED_VERSIONS } from "../upgrade";
import { compareTalosVersions, parseTalosVersion } from "../version";
import { encodeGoYamlDocuments, type GoYamlValue } from "./yaml";

export interface GenerateInput {
  clusterName: string;
  /** The Kubernetes API endpoint, `https://host:port` (gen config's second argument). */
  endpoint: string;
  /** `1.33.1` or `v1.33.1` (talosctl trims the `v`). */
  kubernetesVersion: string;
  /** The version contract (`--talos-version`). */
  talosVersion: TalosMinor;
  secrets: SecretsBundle;
  /** `--additional-sans`: machine.certSANs and the API server's extra SANs. */
  additionalSans?: string[];
  /** `--dns-domain`; default `cluster.local`. */
  dnsDomain?: string;
  /** `--install-disk`; default `/dev/sda` (talosctl's flag default); `""` for none. */
  installDisk?: string;
  /**
   * `--install-image`; `""` for none. Default: the installer of the newest release of the
   * contract's minor that Minos knows (SUGGESTED_VERSIONS in lib/talos/upgrade.ts: v1.12.11,
   * v1.13.9, v1.14.0), else `v1.X.0` for the minors it lists no release of (1.10, 1.11), which
   * installs an old .0 release: pass the image you want. talosctl's own default is its own
   * version's installer whatever the contract (cmd/talosctl/cmd/mgmt/gen/config.go); Minos has
   * no talosctl version, so it takes the contract's minor.
   */
  installImage?: string;
  /** `--registry-mirror host=url`, in flag order; repeated hosts accumulate endpoints. */
  registryMirrors?: { host: string; endpoints: string[] }[];
  /** `--with-cluster-discovery`; default true. */
  discovery?: boolean;
  /** `--with-kubespan`; talosctl sets the option only when true, so false is the same as unset. */
  kubeSpan?: boolean;
}

export type MachineRole = "controlplane" | "worker";

/** The newest release (no pre-release) of `minor` among SUGGESTED_VERSIONS, else `v<minor>.0`. */
export function defaultInstallVersion(minor: TalosMinor): string {
  const releases = SUGGESTED_VERSIONS.map((v) => ({ tag: v, parsed: parseTalosVersion(v) })).filter(
    (v) => v.parsed !== null && v.parsed.prerelease.length === 0 && `${v.parsed.major}.${v.parsed.minor}` === minor,
  );
  releases.sort((a, b) => compareTalosVersions(b.parsed!, a.parsed!));
  return releases[0]?.tag ?? `v${minor}.0`;
}

/**
 * The contract Minos generates for a Talos version: its minor, clamped to 1.10–1.14 (a newer
 * version gets talosctl 1.14's current contract; older contracts are not implemented).
 */
export function contractFor(version: string): TalosMinor {
  const minor = talos1Minor(version) ?? talos1Minor(`v${version}`);
  if (minor === null) throw new SourceError(`not a Talos version: ${JSON.stringify(version)}`, { path: "talosVersion" });
  return `1.${Math.min(14, Math.max(10, minor))}` as TalosMinor;
}

/** The contract's switches (contract.go), for contract 1.`minor`. */
function contract(minor: number) {
  return {
    multidocKubernetes: minor > 13, // MultidocKubernetesConfigSupported
    unattendedInstall: minor > 13, // UnattendedInstallConfig
    hideRBACAndKeyUsage: minor > 11, // HideRBACAndKeyUsage
    grubUseUKICmdline: minor > 11, // GrubUseUKICmdlineDefault
    multidocNetwork: minor > 11, // MultidocNetworkConfigSupported
    kubeSpanMultidoc: minor > 12, // KubeSpanMultidocConfig
    hostDNSMultidoc: minor > 13, // HostDNSMultidocConfig
    discoveryServiceMultidoc: minor > 13, // DiscoveryServiceMultidocConfig
    discoveryIdentityMultidoc: minor > 13, // DiscoveryIdentityMultidocConfig
    filesystemTrim: minor > 13, // FilesystemTrimEnabledByDefault
    workloadIsolation: minor > 13, // WorkloadIsolationEnabledByDefault
    populateClusterSANsFromEndpoint: minor <= 11, // PopulateClusterSANsFromEndpoint
    hideDisablePSP: minor > 11, // HideDisablePSP
  };
}

// constants.go
const KUBELET_IMAGE = "ghcr.io/siderolabs/kubelet";
const APISERVER_IMAGE = "registry.k8s.io/kube-apiserver";
const CONTROLLER_MANAGER_IMAGE = "registry.k8s.io/kube-controller-manager";
const SCHEDULER_IMAGE = "registry.k8s.io/kube-scheduler";
const PROXY_IMAGE = "registry.k8s.io/kube-proxy";
const DEFAULT_KUBEPRISM_PORT = 7445;
const DEFAULT_DISCOVERY_ENDPOINT = "https://discovery.talos.dev/";
const LABEL_CONTROL_PLANE = "node-role.kubernetes.io/control-plane";
const LABEL_EXCLUDE_LB = "node.kubernetes.io/exclude-from-external-load-balancers";
const POD_CIDR_V4 = "10.244.0.0/16";
const SERVICE_CIDR_V4 = "10.96.0.0/12";

const b64 = (pem: string) => Buffer.from(pem, "utf8").toString("base64");
const meta = (kind: string) => ({ apiVersion: "v1alpha1", kind });

/** k8s/admission_control.go DefaultPodSecurityAdmissionControlConfig's plugin config (a Go map: sorted). */
function podSecurityConfiguration(): GoYamlValue {
  return new Map<string, GoYamlValue>([
    ["apiVersion", "pod-security.admission.config.k8s.io/v1alpha1"],
    ["kind", "PodSecurityConfiguration"],
    [
      "defaults",
      new Map<string, GoYamlValue>([
        ["enforce", "baseline"],
        ["enforce-version", "latest"],
        ["audit", "restricted"],
        ["audit-version", "latest"],
        ["warn", "restricted"],
        ["warn-version", "latest"],
      ]),
    ],
    [
      "exemptions",
      new Map<string, GoYamlValue>([
        ["usernames", []],
        ["runtimeClasses", []],
        ["namespaces", ["kube-system"]],
      ]),
    ],
  ]);
}

/** v1alpha1.APIServerDefaultAuditPolicy / k8s.DefaultAuditPolicyConfig. */
function auditPolicy(): GoYamlValue {
  return new Map<string, GoYamlValue>([
    ["apiVersion", "audit.k8s.io/v1"],
    ["kind", "Policy"],
    ["rules", [new Map<string, GoYamlValue>([["level", "Metadata"]])]],
  ]);
}

function endpointUrl(endpoint: string): URL {
  let u: URL;
  try {
    u = new URL(endpoint);
  } catch {
    throw new SourceError(`failed to parse the cluster endpoint URL: ${JSON.stringify(endpoint)}`, { path: "endpoint" });
  }
  if (u.protocol !== "https:") throw new SourceError(`the control plane endpoint URL should have scheme https://`, { path: "endpoint" });
  return u;
}

/** Go's url.URL.Hostname(): the host without port or IPv6 brackets. */
const goHostname = (u: URL) => u.hostname.replace(/^\[|\]$/g, "");

/** Mirrors merged by host in flag order (options.go WithRegistryMirror appends). */
function mirrorsByHost(input: GenerateInput): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const m of input.registryMirrors ?? []) {
    for (const ep of m.endpoints) {
      try {
        new URL(ep);
      } catch {
        throw new SourceError(`failed to parse registry mirror endpoint ${JSON.stringify(ep)}`, { path: `registryMirrors.${m.host}` });
      }
    }
    out.set(m.host, [...(out.get(m.host) ?? []), ...m.endpoints]);
  }
  return out;
}

/** The documents of one role's config, as Go values ready for the encoder. */
export function generateDocuments(input: GenerateInput, role: MachineRole): GoYamlValue[] {
  const minor = Number(input.talosVersion.split(".")[1]);
  if (!Number.isInteger(minor) || minor < 10 || minor > 14) throw new SourceError(`unsupported Talos version contract ${JSON.stringify(input.talosVersion)}`, { path: "talosVersion" });
  const c = contract(minor);
  const cp = role === "controlplane";
  const s = input.secrets;
  const k8sVersion = input.kubernetesVersion.replace(/^v/, "");
  if (!k8sVersion) throw new SourceError("kubernetes version must be specified", { path: "kubernetesVersion" });
  const endpoint = endpointUrl(input.endpoint);
  const sans = [...(input.additionalSans ?? [])];
  const dnsDomain = input.dnsDomain ?? "cluster.local";
  const installDisk = input.installDisk ?? "/dev/sda";
  const installImage = input.installImage ?? installerImage(defaultInstallVersion(input.talosVersion));
  const discovery = input.discovery ?? true;
  const kubeSpan = input.kubeSpan === true;
  const mirrors = mirrorsByHost(input);
  const image = (repo: string) => `${repo}:v${k8sVersion}`;

  // generate.go GetAPIServerSANs.
  const apiServerSans = [...(c.populateClusterSANsFromEndpoint ? [goHostname(endpoint)] : []), ...sans];

  // ---- v1alpha1: machine (init.go / worker.go) --------------------------------------------
  const network: Record<string, GoYamlValue> | undefined = c.kubeSpanMultidoc ? undefined : {}; // network.go: empty machine.network before 1.13
  if (kubeSpan && !c.kubeSpanMultidoc) network!.kubespan = { enabled: true };

  const install = c.unattendedInstall
    ? undefined
    : {
        disk: installDisk || undefined,
        image: installImage || undefined,
        wipe: false,
        grubUseUKICmdline: c.grubUseUKICmdline ? true : undefined,
      };

  const features: Record<string, GoYamlValue | undefined> = {
    rbac: c.hideRBACAndKeyUsage ? undefined : true,
    stableHostname: c.multidocNetwork ? undefined : true, // network.go StableHostnameEnabled && !MultidocNetworkConfigSupported
    apidCheckExtKeyUsage: c.hideRBACAndKeyUsage ? undefined : true,
    diskQuotaSupport: true,
    kubePrism: c.multidocKubernetes ? undefined : { enabled: true, port: DEFAULT_KUBEPRISM_PORT },
    hostDNS: c.hostDNSMultidoc ? undefined : { enabled: true, forwardKubeDNSToHost: true },
  };

  const machine: Record<string, GoYamlValue | undefined> = {
    type: role,
    token: s.trustdinfo.token,
    // worker.go: the OS CA's certificate only; PEMEncodedCertificateAndKey always writes `key`.
    ca: cp ? { crt: b64(s.certs.os.crt), key: b64(s.certs.os.key) } : { crt: b64(s.certs.os.crt), key: "" },
    certSANs: sans, // no omitempty: `certSANs: []`
    kubelet: c.multidocKubernetes
      ? undefined
      : { image: image(KUBELET_IMAGE), defaultRuntimeSeccompProfileEnabled: true, disableManifestsDirectory: true },
    network,
    install,
    // registry.go: machine.registries before 1.12 (a struct with omitempty maps: absent when empty).
    registries:
      !c.multidocNetwork && mirrors.size > 0
        ? { mirrors: new Map<string, GoYamlValue>([...mirrors].map(([host, endpoints]) => [host, { endpoints }])) }
        : undefined,
    features,
    nodeLabels: cp && !c.multidocKubernetes ? new Map<string, GoYamlValue>([[LABEL_EXCLUDE_LB, ""]]) : undefined,
  };

  // ---- v1alpha1: cluster ------------------------------------------------------------------
  const clusterNetwork = c.multidocKubernetes ? undefined : { dnsDomain, podSubnets: [POD_CIDR_V4], serviceSubnets: [SERVICE_CIDR_V4] };
  const discoveryLegacy = c.discoveryServiceMultidoc ? undefined : { enabled: discovery, registries: { kubernetes: { disabled: true }, service: {} } };
  const cluster: Record<string, GoYamlValue | undefined> = cp
    ? {
        id: c.discoveryIdentityMultidoc ? undefined : s.cluster.id,
        secret: c.discoveryIdentityMultidoc ? undefined : s.cluster.secret,
        controlPlane: c.multidocKubernetes ? undefined : { endpoint: input.endpoint },
        clusterName: c.discoveryIdentityMultidoc ? undefined : input.clusterName,
        network: clusterNetwork,
        token: s.secrets.bootstraptoken,
        // init.go: SecretboxEncryptionSupported → the bundle's secretbox secret (omitempty).
        secretboxEncryptionSecret: c.multidocKubernetes ? undefined : s.secrets.secretboxencryptionsecret || undefined,
        ca: c.multidocKubernetes ? undefined : { crt: b64(s.certs.k8s.crt), key: b64(s.certs.k8s.key) },
        aggregatorCA: c.multidocKubernetes ? undefined : { crt: b64(s.certs.k8saggregator.crt), key: b64(s.certs.k8saggregator.key) },
        serviceAccount: c.multidocKubernetes ? undefined : { key: b64(s.certs.k8sserviceaccount.key) },
        apiServer: c.multidocKubernetes
          ? undefined
          : {
              image: image(APISERVER_IMAGE),
              certSANs: apiServerSans.length > 0 ? apiServerSans : undefined,
              disablePodSecurityPolicy: c.hideDisablePSP ? undefined : true,
              admissionControl: [{ name: "PodSecurity", configuration: podSecurityConfiguration() }],
              auditPolicy: auditPolicy(),
            },
        controllerManager: c.multidocKubernetes ? undefined : { image: image(CONTROLLER_MANAGER_IMAGE) },
        proxy: c.multidocKubernetes ? undefined : { image: image(PROXY_IMAGE) },
        scheduler: c.multidocKubernetes ? undefined : { image: image(SCHEDULER_IMAGE) },
        discovery: discoveryLegacy,
        etcd: { ca: { crt: b64(s.certs.etcd.crt), key: b64(s.certs.etcd.key) } },
      }
    : {
        id: c.discoveryIdentityMultidoc ? undefined : s.cluster.id,
        secret: c.discoveryIdentityMultidoc ? undefined : s.cluster.secret,
        controlPlane: c.multidocKubernetes ? undefined : { endpoint: input.endpoint },
        clusterName: c.multidocKubernetes ? undefined : input.clusterName, // ClusterNameForWorkers
        network: clusterNetwork,
        token: s.secrets.bootstraptoken,
        ca: c.multidocKubernetes ? undefined : { crt: b64(s.certs.k8s.crt), key: "" },
        discovery: discoveryLegacy,
      };

  const docs: GoYamlValue[] = [{ version: "v1alpha1", debug: false, persist: true, machine, cluster }];

  // ---- the other documents, in init.go's order ----------------------------------------------
  if (discovery && c.discoveryServiceMultidoc) docs.push({ ...meta("DiscoveryServiceConfig"), name: "default", endpoint: DEFAULT_DISCOVERY_ENDPOINT });
  if (c.discoveryIdentityMultidoc) docs.push({ ...meta("DiscoveryIdentityConfig"), clusterID: s.cluster.id, clusterSecret: s.cluster.secret });
  if (c.unattendedInstall && installDisk !== "") {
    docs.push({
      ...meta("UnattendedInstallConfig"),
      installer: { image: installImage || undefined },
      provisioning: { diskSelector: { match: `disk.dev_path == ${JSON.stringify(installDisk)}` }, wipe: false },
    });
  }
  if (c.hostDNSMultidoc) docs.push({ ...meta("ResolverConfig"), hostDNS: { enabled: true, forwardKubeDNSToHost: true } });
  if (c.filesystemTrim) {
    docs.push({ ...meta("VolumeConfig"), name: "EPHEMERAL", mount: { secure: true } });
    docs.push({ ...meta("FilesystemTrimConfig"), interval: "168h0m0s" }); // constants.DefaultFilesystemTrimInterval, Go's Duration.String
  }
  if (c.workloadIsolation) docs.push({ ...meta("SecurityProfileConfig"), workloadIsolation: true });
  if (c.multidocNetwork) {
    // registry.go: one RegistryMirrorConfig per host, sorted by kind then name (strings.Compare).
    const hosts = [...mirrors.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    for (const host of hosts) docs.push({ ...meta("RegistryMirrorConfig"), name: host, endpoints: mirrors.get(host)!.map((url) => ({ url })) });
    docs.push({ ...meta("HostnameConfig"), auto: "stable" });
  }
  if (kubeSpan && c.kubeSpanMultidoc) docs.push({ ...meta("KubeSpanConfig"), enabled: true });

  if (c.multidocKubernetes) {
    // kubernetes.go generateKubernetesUniversalConfigs.
    const labels = cp ? new Map<string, GoYamlValue>([[LABEL_CONTROL_PLANE, ""], [LABEL_EXCLUDE_LB, ""]]) : undefined;
    docs.push({ ...meta("KubeClusterConfig"), clusterName: input.clusterName, endpoint: input.endpoint });
    docs.push({ ...meta("KubeNodeConfig"), nodeIP: {}, labels, taints: cp ? new Map<string, GoYamlValue>([[LABEL_CONTROL_PLANE, "NoSchedule"]]) : undefined });
    docs.push({ ...meta("KubeletConfig"), image: image(KUBELET_IMAGE), config: {}, defaultRuntimeSeccompProfileEnabled: true });
    docs.push({ ...meta("KubeNetworkConfig"), dnsDomain, podSubnets: [POD_CIDR_V4], serviceSubnets: [SERVICE_CIDR_V4] });
    docs.push(
      cp
        ? { ...meta("KubeAPIServerCAConfig"), issuingCA: { cert: s.certs.k8s.crt, key: s.certs.k8s.key } }
        : { ...meta("KubeAPIServerCAConfig"), acceptedCAs: [s.certs.k8s.crt] },
    );
    docs.push({ ...meta("KubePrismConfig"), port: DEFAULT_KUBEPRISM_PORT });
  }
  if (cp && c.multidocKubernetes) {
    // kubernetes.go generateKubernetesControlplaneConfigs.
    const providers: GoYamlValue[] = [];
    const secretbox = (name: string, secret: string) => new Map<string, GoYamlValue>([["secretbox", new Map<string, GoYamlValue>([["keys", [new Map<string, GoYamlValue>([["name", name], ["secret", secret]])]]])]]);
    if (s.secrets.secretboxencryptionsecret) providers.push(secretbox("key2", s.secrets.secretboxencryptionsecret));
    if (s.secrets.aescbcencryptionsecret) providers.push(secretbox("key1", s.secrets.aescbcencryptionsecret));
    docs.push(
      { ...meta("KubeAggregatorCAConfig"), issuingCA: { cert: s.certs.k8saggregator.crt, key: s.certs.k8saggregator.key } },
      { ...meta("KubeAdmissionControlConfig"), name: "PodSecurity", configuration: podSecurityConfiguration() },
      { ...meta("KubeAuditPolicyConfig"), configuration: auditPolicy() },
      {
        ...meta("KubeAuthenticationConfig"),
        configuration: new Map<string, GoYamlValue>([
          [
            "anonymous",
            new Map<string, GoYamlValue>([
              ["conditions", ["/livez", "/readyz", "/healthz"].map((path) => new Map<string, GoYamlValue>([["path", path]]))],
              ["enabled", true],
            ]),
          ],
          ["jwt", []],
        ]),
      },
      { ...meta("KubeAuthorizerConfig"), name: "node", type: "Node" },
      { ...meta("KubeAuthorizerConfig"), name: "rbac", type: "RBAC" },
      {
        ...meta("KubeEtcdEncryptionConfig"),
        config: new Map<string, GoYamlValue>([["resources", [new Map<string, GoYamlValue>([["providers", providers], ["resources", ["secrets"]]])]]]),
      },
      { ...meta("KubeServiceAccountConfig"), issuer: { privateKey: s.certs.k8sserviceaccount.key, issuerURL: input.endpoint } },
      { ...meta("KubeAPIServerConfig"), image: image(APISERVER_IMAGE), certExtraSANs: apiServerSans.length > 0 ? apiServerSans : undefined },
      { ...meta("KubeControllerManagerConfig"), image: image(CONTROLLER_MANAGER_IMAGE) },
      { ...meta("KubeSchedulerConfig"), image: image(SCHEDULER_IMAGE), config: {} },
      { ...meta("KubeProxyConfig"), image: image(PROXY_IMAGE), config: {} },
      { ...meta("KubeFlannelCNIConfig"), backendType: "vxlan", backendPort: 4789 }, // constants.FlannelDefaultBackend(Port)
      { ...meta("KubeCoreDNSConfig"), enabled: true },
    );
  }
  return docs;
}

/** One role's machine config, the text `talosctl gen config` writes with comments off. */
export function generateMachineConfig(input: GenerateInput, role: MachineRole): string {
  return encodeGoYamlDocuments(generateDocuments(input, role));
}

/** constants.TalosAPIDefaultCertificateValidityDuration: one year. */
const ADMIN_CERT_HOURS = 365 * 24;

/**
 * The talosconfig `gen config` writes (generate/talosconfig.go, client/config NewConfig): one
 * context named after the cluster, no endpoints (gen config sets none: `endpoints: []`), the OS
 * CA, and a fresh client certificate for os:admin (Options.Roles default) signed by the OS CA,
 * valid one year from `now` (secrets/ca.go NewAdminCertificateAndKey). yaml.Marshal of the Go
 * struct: `context`, `contexts`, then per context endpoints, ca, crt, key.
 */
export async function generateTalosconfig(input: GenerateInput, opts: { now?: Date; endpoints?: string[] } = {}): Promise<string> {
  const os = input.secrets.certs.os;
  const client = await issueClientCert({ certPem: os.crt, keyPem: os.key }, { roles: ["os:admin"], validHours: ADMIN_CERT_HOURS, notBefore: opts.now });
  return encodeGoYamlDocuments([
    {
      context: input.clusterName,
      contexts: new Map<string, GoYamlValue>([
        [input.clusterName, { endpoints: opts.endpoints ?? [], ca: b64(os.crt), crt: b64(client.certPem), key: b64(toTalosKeyPem(client.keyPem)) }],
      ]),
    },
  ]);
}
