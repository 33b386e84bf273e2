// Field table for the `k8s` Go package of Talos's machine config, one entry per type.
// Structure from the merged 1.10–1.14 schemas plus Talos's Go decoders (see ../table.ts for
// the format); the docs are Minos's own hover text.
import type { TypeTable } from "../table";

export const K8S_TYPES: TypeTable = {
  "k8s.AcceptedServiceAccountConfig": {
    fields: {
      publicKeys: { t: "[]string", since: "1.14", doc: "Extra public keys (PEM) accepted for token verification." },
      issuers: { t: "[]url(http|https)", since: "1.14", doc: "Extra accepted token issuer URLs." },
      audiences: { t: "[]string", since: "1.14", doc: "Accepted token audiences." },
    },
  },
  "k8s.CertificateAndKey": {
    fields: {
      cert: { t: "pem", doc: "Certificate as PEM text." },
      key: { t: "pem", secret: true, doc: "Private key as PEM text." },
    },
  },
  "k8s.IssuerServiceAccountConfig": {
    fields: {
      privateKey: { t: "string", since: "1.14", req: true, secret: true, doc: "Private key (PEM) signing service account tokens." },
      issuerURL: { t: "url(http|https)", since: "1.14", req: true, doc: "Issuer URL put into tokens, e.g. https://kubernetes.default.svc." },
    },
  },
  "k8s.KubeAPIServerCAConfigV1Alpha1": {
    fields: {
      issuingCA: { t: "k8s.CertificateAndKey", since: "1.14", doc: "CA (PEM) issuing Kubernetes API certificates." },
      acceptedCAs: { t: "[]pem", since: "1.14", doc: "Extra CA certificates (PEM) Kubernetes trusts (for rotation)." },
    },
  },
  "k8s.KubeAPIServerConfigV1Alpha1": {
    fields: {
      image: { t: "string", since: "1.14", req: true, doc: "kube-apiserver image." },
      extraArgs: { t: "extraArgs", since: "1.14", doc: "Additional command-line flags for the component, as flag name → value (from 1.13 also a list for repeated flags)." },
      env: { t: "map[string]", since: "1.14", doc: "Environment variables for the component, as name → value." },
      resources: { t: "object", since: "1.14", doc: "CPU and memory requests and limits for the component's pod." },
      apiPort: { t: "port", since: "1.14", doc: "Port kube-apiserver listens on (default 6443)." },
      certExtraSANs: { t: "[]string", since: "1.14", doc: "Extra SANs in the API server certificate." },
      startupProbes: { t: "boolean", since: "1.14", doc: "Give kube-apiserver a startup probe." },
    },
  },
  "k8s.KubeAdmissionControlConfigV1Alpha1": {
    fields: {
      name: { t: "string", since: "1.14", doc: "Admission plugin name, e.g. PodSecurity." },
      configuration: { t: "object", since: "1.14", doc: "The admission plugin's configuration object." },
    },
  },
  "k8s.KubeAggregatorCAConfigV1Alpha1": {
    fields: {
      issuingCA: { t: "k8s.CertificateAndKey", since: "1.14", doc: "CA (PEM) of the API aggregation layer." },
      acceptedCAs: { t: "[]pem", since: "1.14", doc: "Extra aggregator CA certificates (PEM) trusted (for rotation)." },
    },
  },
  "k8s.KubeAuditPolicyConfigV1Alpha1": {
    fields: {
      configuration: { t: "object", since: "1.14", doc: "Kubernetes audit policy (audit.k8s.io/v1 Policy)." },
    },
  },
  "k8s.KubeAuthenticationConfigV1Alpha1": {
    fields: {
      configuration: { t: "object", since: "1.14", doc: "Structured AuthenticationConfiguration (e.g. JWT issuers)." },
    },
  },
  "k8s.KubeAuthorizerConfigV1Alpha1": {
    fields: {
      name: { t: "string", since: "1.14", doc: "Unique name of the authorizer." },
      type: { t: "enum(Node|RBAC|Webhook)", since: "1.14", doc: "Authorizer type: Node, RBAC or Webhook." },
      webhook: { t: "object", since: "1.14", doc: "Webhook authorizer settings, as in the Kubernetes AuthorizationConfiguration." },
    },
  },
  "k8s.KubeClusterConfigV1Alpha1": {
    fields: {
      clusterName: { t: "string", since: "1.14", req: true, doc: "Name of the Kubernetes cluster." },
      endpoint: { t: "url(https)", since: "1.14", req: true, doc: "Kubernetes API URL, e.g. https://10.0.0.10:6443." },
    },
  },
  "k8s.KubeControllerManagerConfigV1Alpha1": {
    fields: {
      enabled: { t: "boolean", since: "1.14", doc: "Run kube-controller-manager on control-plane nodes." },
      image: { t: "string", since: "1.14", req: true, doc: "kube-controller-manager image." },
      extraArgs: { t: "extraArgs", since: "1.14", doc: "Additional command-line flags for the component, as flag name → value (from 1.13 also a list for repeated flags)." },
      env: { t: "map[string]", since: "1.14", doc: "Environment variables for the component, as name → value." },
      resources: { t: "object", since: "1.14", doc: "CPU and memory requests and limits for the component's pod." },
    },
  },
  "k8s.KubeCoreDNSConfigV1Alpha1": {
    fields: {
      enabled: { t: "boolean", since: "1.14", doc: "Deploy CoreDNS." },
      image: { t: "string", since: "1.14", doc: "CoreDNS image." },
    },
  },
  "k8s.KubeCredentialProviderConfigV1Alpha1": {
    fields: {
      configuration: { t: "object", since: "1.14", doc: "Kubelet CredentialProviderConfig." },
    },
  },
  "k8s.KubeEtcdEncryptionConfigV1Alpha1": {
    fields: {
      config: { t: "object", since: "1.14", doc: "EncryptionConfiguration for Secrets at rest in etcd." },
    },
  },
  "k8s.KubeExternalManifestConfigV1Alpha1": {
    fields: {
      name: { t: "string", since: "1.14", req: true, doc: "Name of the manifest." },
      headers: { t: "map[string]", since: "1.14", secret: "values", doc: "Extra HTTP headers sent when fetching, as name → value." },
      url: { t: "url(http|https)", since: "1.14", req: true, doc: "URL the manifest is fetched from." },
    },
  },
  "k8s.KubeFlannelCNIConfigV1Alpha1": {
    fields: {
      backendType: { t: "string", since: "1.14", doc: "Flannel backend, e.g. vxlan." },
      backendPort: { t: "port", since: "1.14", doc: "UDP port of the Flannel backend, e.g. 4789." },
      backendMTU: { t: "integer", since: "1.14", doc: "MTU of the Flannel backend interface." },
      backendExtraConfig: { t: "object", since: "1.14", doc: "Extra backend options for Flannel's net-conf.json." },
      resources: { t: "object", since: "1.14", doc: "CPU and memory requests and limits for the component's pod." },
      extraArgs: { t: "[]string", since: "1.14", doc: "Extra flanneld flags." },
      kubeNetworkPoliciesEnabled: { t: "boolean", since: "1.14", doc: "Deploy kube-network-policies to enforce NetworkPolicy." },
    },
  },
  "k8s.KubeInlineManifestConfigV1Alpha1": {
    fields: {
      name: { t: "string", since: "1.14", req: true, doc: "Unique name of the manifest." },
      manifest: { t: "string", since: "1.14", req: true, doc: "Kubernetes manifest YAML to apply." },
    },
  },
  "k8s.KubeNetworkConfigV1Alpha1": {
    fields: {
      dnsDomain: { t: "dnsName", since: "1.14", doc: "DNS domain of the cluster, e.g. cluster.local." },
      podSubnets: { t: "[]cidr", since: "1.14", req: true, doc: "CIDRs pod IPs are allocated from, e.g. 10.244.0.0/16." },
      serviceSubnets: { t: "[]cidr", since: "1.14", req: true, doc: "CIDRs Service cluster IPs are allocated from, e.g. 10.96.0.0/12." },
      nodeCIDRMaskSizeIPv4: { t: "integer", since: "1.14", doc: "Prefix length of each node's IPv4 pod CIDR, e.g. 24." },
      nodeCIDRMaskSizeIPv6: { t: "integer", since: "1.14", doc: "Prefix length of each node's IPv6 pod CIDR, e.g. 80." },
    },
  },
  "k8s.KubeNodeConfigV1Alpha1": {
    fields: {
      skipNodeRegistration: { t: "boolean", since: "1.14", doc: "Run the kubelet in standalone mode without registering the node with the API server." },
      registerWithFQDN: { t: "boolean", since: "1.14", doc: "Register the node under its fully qualified domain name instead of its short hostname." },
      nodeIP: { t: "k8s.NodeIPConfig", since: "1.14", doc: "How the kubelet chooses the node IP it reports." },
      labels: { t: "map[string]", since: "1.14", doc: "Kubernetes labels set on the Node object." },
      annotations: { t: "map[string]", since: "1.14", doc: "Kubernetes annotations set on the Node object." },
      taints: { t: "map[string]", since: "1.14", doc: "Kubernetes taints set on the Node object, as key → value:effect." },
    },
  },
  "k8s.KubePrismConfigV1Alpha1": {
    fields: {
      port: { t: "port", since: "1.14", req: true, doc: "Local port KubePrism listens on, usually 7445." },
      tlsServerName: { t: "string", since: "1.14", doc: "Server name KubePrism verifies on the API server certificate." },
    },
  },
  "k8s.KubeProxyConfigV1Alpha1": {
    fields: {
      enabled: { t: "boolean", since: "1.14", doc: "Deploy kube-proxy." },
      image: { t: "string", since: "1.14", doc: "kube-proxy image (required unless `enabled: false`)." },
      mode: { t: "string", since: "1.14", doc: "Proxy mode: iptables, ipvs or nftables." },
      config: { t: "object", since: "1.14", doc: "KubeProxyConfiguration fields merged into the defaults." },
      extraArgs: { t: "extraArgs", since: "1.14", doc: "Additional command-line flags for the component, as flag name → value (from 1.13 also a list for repeated flags)." },
      resources: { t: "object", since: "1.14", doc: "CPU and memory requests and limits for the component's pod." },
    },
  },
  "k8s.KubeSchedulerConfigV1Alpha1": {
    fields: {
      enabled: { t: "boolean", since: "1.14", doc: "Run kube-scheduler on control-plane nodes." },
      image: { t: "string", since: "1.14", req: true, doc: "kube-scheduler image." },
      config: { t: "object", since: "1.14", doc: "KubeSchedulerConfiguration fields merged into the defaults." },
      extraArgs: { t: "extraArgs", since: "1.14", doc: "Additional command-line flags for the component, as flag name → value (from 1.13 also a list for repeated flags)." },
      env: { t: "map[string]", since: "1.14", doc: "Environment variables for the component, as name → value." },
      resources: { t: "object", since: "1.14", doc: "CPU and memory requests and limits for the component's pod." },
    },
  },
  "k8s.KubeServiceAccountConfigV1Alpha1": {
    fields: {
      issuer: { t: "k8s.IssuerServiceAccountConfig", since: "1.14", req: true, doc: "Key and issuer URL used to sign service account tokens." },
      accepted: { t: "k8s.AcceptedServiceAccountConfig", since: "1.14", doc: "Extra keys, issuers and audiences accepted when verifying tokens." },
    },
  },
  "k8s.KubeStaticPodConfigV1Alpha1": {
    fields: {
      name: { t: "string", since: "1.14", req: true, doc: "Name of the static pod." },
      pod: { t: "object", since: "1.14", req: true, doc: "The Pod manifest." },
    },
  },
  "k8s.KubeTalosAPIAccessConfigV1Alpha1": {
    fields: {
      allowedRoles: { t: "[]string", since: "1.14", doc: "Talos API roles workloads may be granted, e.g. os:reader." },
      allowedKubernetesNamespaces: { t: "[]string", since: "1.14", doc: "Namespaces whose pods may request Talos API access." },
    },
  },
  "k8s.KubeletConfigV1Alpha1": {
    fields: {
      image: { t: "string", since: "1.14", req: true, doc: "Kubelet image, e.g. ghcr.io/siderolabs/kubelet:v1.35.1." },
      config: { t: "object", since: "1.14", doc: "Fields merged into the KubeletConfiguration." },
      extraArgs: { t: "extraArgs", since: "1.14", doc: "Additional command-line flags for the component, as flag name → value (from 1.13 also a list for repeated flags)." },
      clusterDNS: { t: "[]string", since: "1.14", doc: "IP addresses of the cluster DNS service handed to pods." },
      defaultRuntimeSeccompProfileEnabled: { t: "boolean", since: "1.14", doc: "Apply the container runtime's default seccomp profile to pods that set none." },
    },
  },
  "k8s.NodeIPConfig": {
    fields: {
      validSubnets: { t: "[]string", since: "1.14", doc: "Subnets the node IP is picked from, as CIDRs; prefix with ! to exclude one." },
    },
  },
};
