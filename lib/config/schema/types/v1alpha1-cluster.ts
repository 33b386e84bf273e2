// Field table for the `v1alpha1` Go package of Talos's machine config: the types under `cluster:` (v1alpha1.ClusterConfig and what it reaches).
// Structure from the merged 1.10–1.14 schemas plus Talos's Go decoders (see ../table.ts for
// the format); the docs are Minos's own hover text. Composed in ./v1alpha1.ts.
import type { TypeTable } from "../table";

export const V1ALPHA1_CLUSTER_TYPES: TypeTable = {
  "v1alpha1.APIServerConfig": {
    fields: {
      image: { t: "string", until: "1.13", dep: "", doc: "kube-apiserver image, e.g. registry.k8s.io/kube-apiserver:v1.35.1." },
      extraArgs: { t: [["1.10", "map[string]"], ["1.13", "extraArgs"]], until: "1.13", dep: "", doc: "Additional command-line flags for the component, as flag name → value (from 1.13 also a list for repeated flags)." },
      extraVolumes: { t: "[]v1alpha1.VolumeMountConfig", until: "1.13", dep: "", doc: "Extra host paths mounted into the component's static pod." },
      env: { t: "map[string]", until: "1.13", dep: "", doc: "Environment variables for the component, as name → value." },
      certSANs: { t: "[]string", until: "1.13", dep: "", doc: "Extra subject alternative names in the API server certificate." },
      disablePodSecurityPolicy: { t: "boolean", until: "1.11", dep: "PodSecurityPolicy no longer exists; remove it", doc: "Disable the PodSecurityPolicy admission plugin (removed from Kubernetes)." },
      admissionControl: { t: "[]v1alpha1.AdmissionPluginConfig", until: "1.13", dep: "", doc: "Admission plugin configurations, e.g. PodSecurity defaults." },
      auditPolicy: { t: "object", until: "1.13", dep: "", doc: "Kubernetes audit policy (audit.k8s.io/v1 Policy)." },
      resources: { t: "v1alpha1.ResourcesConfig", until: "1.13", dep: "", doc: "CPU and memory requests and limits for the component's pod." },
      authorizationConfig: { t: "[]v1alpha1.AuthorizationConfigAuthorizerConfig", until: "1.13", dep: "", doc: "Authorizers in order (Node, RBAC, Webhook), as in AuthorizationConfiguration." },
    },
  },
  "v1alpha1.AdminKubeconfigConfig": {
    fields: {
      certLifetime: { t: "duration", doc: "Lifetime of the admin kubeconfig certificate, e.g. 8760h." },
    },
  },
  "v1alpha1.AdmissionPluginConfig": {
    fields: {
      name: { t: "string", until: "1.13", dep: "", doc: "Admission plugin name, e.g. PodSecurity." },
      configuration: { t: "object", until: "1.13", dep: "", doc: "The plugin's configuration object." },
    },
  },
  "v1alpha1.AuthorizationConfigAuthorizerConfig": {
    fields: {
      type: { t: "string", until: "1.13", dep: "", doc: "Authorizer type: Node, RBAC or Webhook." },
      name: { t: "string", until: "1.13", dep: "", doc: "Unique name of the authorizer." },
      webhook: { t: "object", until: "1.13", dep: "", doc: "Webhook authorizer settings, as in the Kubernetes AuthorizationConfiguration." },
    },
  },
  "v1alpha1.CNIConfig": {
    fields: {
      name: { t: "enum(flannel|custom|none)", until: "1.13", dep: "", doc: "CNI to deploy: flannel, custom or none." },
      urls: { t: "[]url(http|https)", until: "1.13", dep: "", doc: "Manifest URLs for a custom CNI." },
      flannel: { t: "v1alpha1.FlannelCNIConfig", until: "1.13", dep: "", doc: "Options of the bundled Flannel CNI." },
    },
  },
  "v1alpha1.ClusterConfig": {
    fields: {
      id: { t: "string", until: "1.13", dep: "use `clusterID` in the DiscoveryIdentityConfig document", doc: "Unique ID of the cluster, used by the discovery service (base64, 32 bytes)." },
      secret: { t: "string", until: "1.13", dep: "use `clusterSecret` in the DiscoveryIdentityConfig document", secret: true, doc: "Shared secret encrypting discovery service data (base64, 32 bytes)." },
      controlPlane: { t: "v1alpha1.ControlPlaneConfig", until: "1.13", dep: "use `endpoint` in the KubeClusterConfig document (and `apiPort` in KubeAPIServerConfig for `localAPIServerPort`)", doc: "How nodes reach the Kubernetes API." },
      clusterName: { t: "string", until: "1.13", dep: "use `clusterName` in the KubeClusterConfig document", doc: "Name of the Kubernetes cluster, used in kubeconfigs." },
      network: { t: "v1alpha1.ClusterNetworkConfig", until: "1.13", dep: "use the KubeNetworkConfig (and KubeFlannelCNIConfig) documents", doc: "Pod and service networks, DNS domain and CNI." },
      token: { t: "string", secret: true, doc: "Kubernetes bootstrap token, format abcdef.0123456789abcdef." },
      aescbcEncryptionSecret: { t: "string", until: "1.13", dep: "use the KubeEtcdEncryptionConfig document", secret: true, doc: "Key for AES-CBC encryption of Secrets in etcd (base64, 32 bytes)." },
      secretboxEncryptionSecret: { t: "string", until: "1.13", dep: "use the KubeEtcdEncryptionConfig document", secret: true, doc: "Key for secretbox encryption of Secrets in etcd (base64, 32 bytes)." },
      ca: { t: "v1alpha1.PEMEncodedCertificateAndKey", until: "1.13", dep: "use the KubeAPIServerCAConfig document", doc: "Kubernetes root CA: certificate and key (key empty on workers), base64 PEM." },
      acceptedCAs: { t: "[]v1alpha1.PEMEncodedCertificate", until: "1.13", dep: "use `acceptedCAs` in the KubeAPIServerCAConfig document", doc: "Extra CA certificates trusted by Kubernetes, as a list of {crt} (for CA rotation)." },
      aggregatorCA: { t: "v1alpha1.PEMEncodedCertificateAndKey", until: "1.13", dep: "use the KubeAggregatorCAConfig document", doc: "CA for the API aggregation layer (front proxy), base64 PEM." },
      serviceAccount: { t: "v1alpha1.PEMEncodedKey", until: "1.13", dep: "use the KubeServiceAccountConfig document", doc: "Private key signing service account tokens, base64 PEM." },
      apiServer: { t: "v1alpha1.APIServerConfig", until: "1.13", dep: "use the KubeAPIServerConfig (and KubeAdmissionControlConfig, KubeAuditPolicyConfig, KubeAuthorizerConfig) documents", doc: "kube-apiserver settings." },
      controllerManager: { t: "v1alpha1.ControllerManagerConfig", until: "1.13", dep: "use the KubeControllerManagerConfig document", doc: "kube-controller-manager settings." },
      proxy: { t: "v1alpha1.ProxyConfig", until: "1.13", dep: "use the KubeProxyConfig document", doc: "kube-proxy settings." },
      scheduler: { t: "v1alpha1.SchedulerConfig", until: "1.13", dep: "use the KubeSchedulerConfig document", doc: "kube-scheduler settings." },
      discovery: { t: "v1alpha1.ClusterDiscoveryConfig", until: "1.13", dep: "use the DiscoveryServiceConfig document", doc: "Cluster member discovery (needed by KubeSpan)." },
      etcd: { t: "v1alpha1.EtcdConfig", doc: "etcd settings (control-plane nodes only)." },
      coreDNS: { t: "v1alpha1.CoreDNS", until: "1.13", dep: "use the KubeCoreDNSConfig document", doc: "CoreDNS deployment settings." },
      externalCloudProvider: { t: "v1alpha1.ExternalCloudProviderConfig", doc: "Run an external cloud controller manager." },
      extraManifests: { t: "[]url(http|https)", until: "1.13", dep: "use KubeExternalManifestConfig documents", doc: "URLs of extra manifests applied at bootstrap." },
      extraManifestHeaders: { t: "map[string]", until: "1.13", dep: "use `headers` in KubeExternalManifestConfig documents", secret: "values", doc: "HTTP headers sent when fetching extraManifests." },
      inlineManifests: { t: "[]v1alpha1.ClusterInlineManifest", until: "1.13", dep: "use KubeInlineManifestConfig documents", doc: "Manifests applied at bootstrap, given inline; names must be unique." },
      adminKubeconfig: { t: "v1alpha1.AdminKubeconfigConfig", doc: "Settings of the admin kubeconfig Talos generates." },
      allowSchedulingOnControlPlanes: { t: "boolean", until: "1.13", dep: "leave the control-plane taint out of `taints` in the KubeNodeConfig document", doc: "Allow regular workloads on control-plane nodes." },
    },
  },
  "v1alpha1.ClusterDiscoveryConfig": {
    fields: {
      enabled: { t: "boolean", until: "1.13", dep: "", doc: "Discover cluster members (required for KubeSpan)." },
      registries: { t: "v1alpha1.DiscoveryRegistriesConfig", until: "1.13", dep: "", doc: "Which discovery registries are used." },
    },
  },
  "v1alpha1.ClusterInlineManifest": {
    fields: {
      name: { t: "string", until: "1.13", dep: "", doc: "Unique name of the manifest." },
      contents: { t: "string", until: "1.13", dep: "", doc: "The manifest YAML." },
    },
  },
  "v1alpha1.ClusterNetworkConfig": {
    fields: {
      cni: { t: "v1alpha1.CNIConfig", until: "1.13", dep: "", doc: "CNI plugin: flannel (default), custom (your manifests) or none." },
      dnsDomain: { t: "dnsName", until: "1.13", dep: "", doc: "DNS domain of the cluster, e.g. cluster.local." },
      podSubnets: { t: "[]cidr", until: "1.13", dep: "", doc: "CIDRs pod IPs are allocated from, e.g. 10.244.0.0/16." },
      serviceSubnets: { t: "[]cidr", until: "1.13", dep: "", doc: "CIDRs Service cluster IPs are allocated from, e.g. 10.96.0.0/12." },
    },
  },
  "v1alpha1.ControlPlaneConfig": {
    fields: {
      endpoint: { t: "url(https)", until: "1.13", dep: "", doc: "Kubernetes API URL for the cluster, e.g. https://10.0.0.10:6443 (a VIP or load balancer)." },
      localAPIServerPort: { t: "port", until: "1.13", dep: "", doc: "Port kube-apiserver listens on locally (default 6443)." },
    },
  },
  "v1alpha1.ControllerManagerConfig": {
    fields: {
      image: { t: "string", until: "1.13", dep: "", doc: "kube-controller-manager image." },
      extraArgs: { t: [["1.10", "map[string]"], ["1.13", "extraArgs"]], until: "1.13", dep: "", doc: "Additional command-line flags for the component, as flag name → value (from 1.13 also a list for repeated flags)." },
      extraVolumes: { t: "[]v1alpha1.VolumeMountConfig", until: "1.13", dep: "", doc: "Extra host paths mounted into the component's static pod." },
      env: { t: "map[string]", until: "1.13", dep: "", doc: "Environment variables for the component, as name → value." },
      resources: { t: "v1alpha1.ResourcesConfig", until: "1.13", dep: "", doc: "CPU and memory requests and limits for the component's pod." },
    },
  },
  "v1alpha1.CoreDNS": {
    fields: {
      disabled: { t: "boolean", until: "1.13", dep: "", doc: "Do not deploy CoreDNS." },
      image: { t: "string", until: "1.13", dep: "", doc: "CoreDNS image." },
    },
  },
  "v1alpha1.DiscoveryRegistriesConfig": {
    fields: {
      kubernetes: { t: "v1alpha1.RegistryKubernetesConfig", until: "1.13", dep: "", doc: "Registry based on Kubernetes Node annotations." },
      service: { t: "v1alpha1.RegistryServiceConfig", until: "1.13", dep: "", doc: "The Sidero discovery service (default discovery.talos.dev)." },
    },
  },
  "v1alpha1.EtcdConfig": {
    fields: {
      image: { t: "string", doc: "etcd image, e.g. gcr.io/etcd-development/etcd:v3.6.5." },
      ca: { t: "v1alpha1.PEMEncodedCertificateAndKey", doc: "etcd root CA: certificate and key, base64 PEM." },
      extraArgs: { t: [["1.10", "map[string]"], ["1.13", "extraArgs"]], doc: "Extra etcd flags, e.g. quota-backend-bytes." },
      advertisedSubnets: { t: "[]string", doc: "Subnets (CIDRs, ! excludes) from which etcd picks the address it advertises." },
      listenSubnets: { t: "[]string", doc: "Subnets (CIDRs) etcd listens on for peer traffic." },
      subnet: { t: "cidr", dep: "use `advertisedSubnets`", doc: "Subnet from which etcd picks its advertised address." },
    },
  },
  "v1alpha1.ExternalCloudProviderConfig": {
    fields: {
      enabled: { t: "boolean", doc: "Run Kubernetes with an external cloud provider (kubelet --cloud-provider=external)." },
      manifests: { t: "[]url(http|https)", doc: "URLs of the cloud controller manager manifests." },
    },
  },
  "v1alpha1.FlannelCNIConfig": {
    fields: {
      extraArgs: { t: "[]string", until: "1.13", dep: "", doc: "Extra command-line flags for flanneld." },
      kubeNetworkPoliciesEnabled: { t: "boolean", since: "1.13", until: "1.13", dep: "", doc: "Deploy kube-network-policies to enforce NetworkPolicy with Flannel." },
    },
  },
  "v1alpha1.PEMEncodedKey": {
    fields: {
      key: { t: "b64pem", secret: true, doc: "Private key, base64 of the PEM text." },
    },
  },
  "v1alpha1.ProxyConfig": {
    fields: {
      disabled: { t: "boolean", until: "1.13", dep: "", doc: "Do not deploy kube-proxy (e.g. with Cilium's replacement)." },
      image: { t: "string", until: "1.13", dep: "", doc: "kube-proxy image." },
      mode: { t: "string", until: "1.13", dep: "", doc: "Proxy mode: iptables, ipvs or nftables." },
      extraArgs: { t: [["1.10", "map[string]"], ["1.13", "extraArgs"]], until: "1.13", dep: "", doc: "Additional command-line flags for the component, as flag name → value (from 1.13 also a list for repeated flags)." },
    },
  },
  "v1alpha1.RegistryKubernetesConfig": {
    fields: {
      disabled: { t: "boolean", until: "1.13", dep: "", doc: "Do not use the Kubernetes registry." },
    },
  },
  "v1alpha1.RegistryServiceConfig": {
    fields: {
      disabled: { t: "boolean", until: "1.13", dep: "", doc: "Do not use the discovery service." },
      endpoint: { t: "url(http|https)", until: "1.13", dep: "", doc: "Discovery service URL, default https://discovery.talos.dev/." },
    },
  },
  "v1alpha1.ResourcesConfig": {
    fields: {
      requests: { t: "object", until: "1.13", dep: "", doc: "Resource requests, e.g. {cpu: 500m, memory: 512Mi}." },
      limits: { t: "object", until: "1.13", dep: "", doc: "Resource limits, e.g. {memory: 2Gi}." },
    },
  },
  "v1alpha1.SchedulerConfig": {
    fields: {
      image: { t: "string", until: "1.13", dep: "", doc: "kube-scheduler image." },
      extraArgs: { t: [["1.10", "map[string]"], ["1.13", "extraArgs"]], until: "1.13", dep: "", doc: "Additional command-line flags for the component, as flag name → value (from 1.13 also a list for repeated flags)." },
      extraVolumes: { t: "[]v1alpha1.VolumeMountConfig", until: "1.13", dep: "", doc: "Extra host paths mounted into the component's static pod." },
      env: { t: "map[string]", until: "1.13", dep: "", doc: "Environment variables for the component, as name → value." },
      resources: { t: "v1alpha1.ResourcesConfig", until: "1.13", dep: "", doc: "CPU and memory requests and limits for the component's pod." },
      config: { t: "object", until: "1.13", dep: "", doc: "KubeSchedulerConfiguration fields merged into the defaults." },
    },
  },
  "v1alpha1.VolumeMountConfig": {
    fields: {
      hostPath: { t: "string", until: "1.13", dep: "", doc: "Path on the host." },
      mountPath: { t: "string", until: "1.13", dep: "", doc: "Path inside the component's container." },
      readonly: { t: "boolean", until: "1.13", dep: "", doc: "Mount read-only." },
    },
  },
};
