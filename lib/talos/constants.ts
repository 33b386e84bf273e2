/**
 * Talos facts with one definition each: the API port, the roles, the COSI resource types Minos
 * reads, default certificate lifetimes and the config-format version window. Copied from
 * Talos's source (named beside each); pure and isomorphic, shared by Minos and the simulator.
 */

/** apid's port on every node (`constants.ApidPort`); talosconfig endpoints without a port use it. */
export const TALOS_API_PORT = 50000;

/**
 * Talos API roles, the Organization values of a client certificate (pkg/machinery/role).
 * os:operator and os:image:verifier came after the first role set; all are granted the same way.
 */
export const TALOS_ROLES = {
  admin: "os:admin",
  operator: "os:operator",
  reader: "os:reader",
  etcdBackup: "os:etcd:backup",
  imageVerifier: "os:image:verifier",
  impersonator: "os:impersonator",
} as const;
export type TalosRole = (typeof TALOS_ROLES)[keyof typeof TALOS_ROLES];

/**
 * The COSI resources Minos and the simulator name: type (`<Plural>.<group>.talos.dev`) and the
 * namespace Talos keeps them in (pkg/machinery/resources/*: `NamespaceName`, `ConfigNamespaceName`).
 */
export const TALOS_RESOURCES = {
  machineConfig: { type: "MachineConfigs.config.talos.dev", namespace: "config" },
  machineType: { type: "MachineTypes.config.talos.dev", namespace: "config" },
  machineStatus: { type: "MachineStatuses.runtime.talos.dev", namespace: "runtime" },
  version: { type: "Versions.runtime.talos.dev", namespace: "runtime" },
  service: { type: "Services.v1alpha1.talos.dev", namespace: "runtime" },
  bootIds: { type: "BootIDs.runtime.talos.dev", namespace: "runtime" },
  hostnameStatus: { type: "HostnameStatuses.net.talos.dev", namespace: "network" },
  member: { type: "Members.cluster.talos.dev", namespace: "cluster" },
  etcdMember: { type: "EtcdMembers.etcd.talos.dev", namespace: "etcd" },
  diagnostic: { type: "Diagnostics.runtime.talos.dev", namespace: "runtime" },
  nodeAddress: { type: "NodeAddresses.net.talos.dev", namespace: "network" },
  volumeStatus: { type: "VolumeStatuses.block.talos.dev", namespace: "runtime" },
  nodeStatus: { type: "NodeStatuses.kubernetes.talos.dev", namespace: "k8s" },
  nodename: { type: "Nodenames.kubernetes.talos.dev", namespace: "k8s" },
  kubeletConfig: { type: "KubeletConfigs.kubernetes.talos.dev", namespace: "k8s" },
  kubeletSpec: { type: "KubeletSpecs.kubernetes.talos.dev", namespace: "k8s" },
  etcdSecrets: { type: "EtcdSecrets.secrets.talos.dev", namespace: "secrets" },
  kubernetesDynamicCerts: { type: "KubernetesDynamicCerts.secrets.talos.dev", namespace: "secrets" },
} as const;

/** Default certificate lifetimes, in hours, of `talosctl gen secrets` / `gen config` and of Talos's own leaves. */
export const CERT_VALIDITY_HOURS = {
  /** Every CA of a secrets bundle (OS, Kubernetes, aggregator, etcd): `secrets.CAValidityTime`, 87600 h (10 years). */
  ca: 87600,
  /** The talosconfig client certificate: `constants.TalosAPIDefaultCertificateValidityDuration`, 1 year. */
  talosClient: 8760,
  /** Kubernetes leaves Talos issues (kube-apiserver, kubelet client…): `constants.KubernetesDefaultCertificateValidityDuration`. */
  kubernetes: 8760,
  /** etcd server and peer certificates (internal/pkg/etcd/certs.go). */
  etcd: 87600,
} as const;

/** Talos minor versions whose config format Minos knows, oldest first: its supported window. */
export const TALOS_MINORS = ["1.10", "1.11", "1.12", "1.13", "1.14"] as const;
export const LATEST_TALOS_MINOR = "1.14" satisfies (typeof TALOS_MINORS)[number];

/** A Talos minor Minos knows ("1.10" … "1.14"): a version contract. */
export type TalosMinor = (typeof TALOS_MINORS)[number];

/** Larger config inputs are refused with one error: real configs are a few hundred KiB at most. */
export const MAX_CONFIG_BYTES = 4 * 1024 * 1024;
/** yaml's `maxAliasCount`: how many alias expansions a document may need (billion-laughs guard). */
export const MAX_ALIAS_COUNT = 1000;
