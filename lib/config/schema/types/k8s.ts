// Field table for the `k8s` Go package of Talos's machine config, one entry per type.
// Structure from the merged 1.10–1.14 schemas plus Talos's Go decoders (see ../table.ts for
// the format); the docs are Minos's own hover text.
import type { TypeTable } from "../table";

export const K8S_TYPES: TypeTable = {
  "k8s.AcceptedServiceAccountConfig": {
    doc: "",
    fields: {
      publicKeys: { t: "[]string", since: "1.14", doc: "" },
      issuers: { t: "[]url(http|https)", since: "1.14", doc: "" },
      audiences: { t: "[]string", since: "1.14", doc: "" },
    },
  },
  "k8s.CertificateAndKey": {
    doc: "",
    fields: {
      cert: { t: "pem", doc: "" },
      key: { t: "pem", doc: "" },
    },
  },
  "k8s.IssuerServiceAccountConfig": {
    doc: "",
    fields: {
      privateKey: { t: "string", since: "1.14", req: true, doc: "" },
      issuerURL: { t: "url(http|https)", since: "1.14", req: true, doc: "" },
    },
  },
  "k8s.KubeAPIServerCAConfigV1Alpha1": {
    doc: "",
    fields: {
      issuingCA: { t: "k8s.CertificateAndKey", since: "1.14", doc: "" },
      acceptedCAs: { t: "[]pem", since: "1.14", doc: "" },
    },
  },
  "k8s.KubeAPIServerConfigV1Alpha1": {
    doc: "",
    fields: {
      image: { t: "string", since: "1.14", req: true, doc: "" },
      extraArgs: { t: "extraArgs", since: "1.14", doc: "" },
      env: { t: "map[string]", since: "1.14", doc: "" },
      resources: { t: "object", since: "1.14", doc: "" },
      apiPort: { t: "port", since: "1.14", doc: "" },
      certExtraSANs: { t: "[]string", since: "1.14", doc: "" },
      startupProbes: { t: "boolean", since: "1.14", doc: "" },
    },
  },
  "k8s.KubeAdmissionControlConfigV1Alpha1": {
    doc: "",
    fields: {
      name: { t: "string", since: "1.14", doc: "" },
      configuration: { t: "object", since: "1.14", doc: "" },
    },
  },
  "k8s.KubeAggregatorCAConfigV1Alpha1": {
    doc: "",
    fields: {
      issuingCA: { t: "k8s.CertificateAndKey", since: "1.14", doc: "" },
      acceptedCAs: { t: "[]pem", since: "1.14", doc: "" },
    },
  },
  "k8s.KubeAuditPolicyConfigV1Alpha1": {
    doc: "",
    fields: {
      configuration: { t: "object", since: "1.14", doc: "" },
    },
  },
  "k8s.KubeAuthenticationConfigV1Alpha1": {
    doc: "",
    fields: {
      configuration: { t: "object", since: "1.14", doc: "" },
    },
  },
  "k8s.KubeAuthorizerConfigV1Alpha1": {
    doc: "",
    fields: {
      name: { t: "string", since: "1.14", doc: "" },
      type: { t: "enum(Node|RBAC|Webhook)", since: "1.14", doc: "" },
      webhook: { t: "object", since: "1.14", doc: "" },
    },
  },
  "k8s.KubeClusterConfigV1Alpha1": {
    doc: "",
    fields: {
      clusterName: { t: "string", since: "1.14", req: true, doc: "" },
      endpoint: { t: "url(https)", since: "1.14", req: true, doc: "" },
    },
  },
  "k8s.KubeControllerManagerConfigV1Alpha1": {
    doc: "",
    fields: {
      enabled: { t: "boolean", since: "1.14", doc: "" },
      image: { t: "string", since: "1.14", req: true, doc: "" },
      extraArgs: { t: "extraArgs", since: "1.14", doc: "" },
      env: { t: "map[string]", since: "1.14", doc: "" },
      resources: { t: "object", since: "1.14", doc: "" },
    },
  },
  "k8s.KubeCoreDNSConfigV1Alpha1": {
    doc: "",
    fields: {
      enabled: { t: "boolean", since: "1.14", doc: "" },
      image: { t: "string", since: "1.14", doc: "" },
    },
  },
  "k8s.KubeCredentialProviderConfigV1Alpha1": {
    doc: "",
    fields: {
      configuration: { t: "object", since: "1.14", doc: "" },
    },
  },
  "k8s.KubeEtcdEncryptionConfigV1Alpha1": {
    doc: "",
    fields: {
      config: { t: "object", since: "1.14", doc: "" },
    },
  },
  "k8s.KubeExternalManifestConfigV1Alpha1": {
    doc: "",
    fields: {
      name: { t: "string", since: "1.14", req: true, doc: "" },
      headers: { t: "map[string]", since: "1.14", doc: "" },
      url: { t: "url(http|https)", since: "1.14", req: true, doc: "" },
    },
  },
  "k8s.KubeFlannelCNIConfigV1Alpha1": {
    doc: "",
    fields: {
      backendType: { t: "string", since: "1.14", doc: "" },
      backendPort: { t: "port", since: "1.14", doc: "" },
      backendMTU: { t: "integer", since: "1.14", doc: "" },
      backendExtraConfig: { t: "object", since: "1.14", doc: "" },
      resources: { t: "object", since: "1.14", doc: "" },
      extraArgs: { t: "[]string", since: "1.14", doc: "" },
      kubeNetworkPoliciesEnabled: { t: "boolean", since: "1.14", doc: "" },
    },
  },
  "k8s.KubeInlineManifestConfigV1Alpha1": {
    doc: "",
    fields: {
      name: { t: "string", since: "1.14", req: true, doc: "" },
      manifest: { t: "string", since: "1.14", req: true, doc: "" },
    },
  },
  "k8s.KubeNetworkConfigV1Alpha1": {
    doc: "",
    fields: {
      dnsDomain: { t: "dnsName", since: "1.14", doc: "" },
      podSubnets: { t: "[]cidr", since: "1.14", req: true, doc: "" },
      serviceSubnets: { t: "[]cidr", since: "1.14", req: true, doc: "" },
      nodeCIDRMaskSizeIPv4: { t: "integer", since: "1.14", doc: "" },
      nodeCIDRMaskSizeIPv6: { t: "integer", since: "1.14", doc: "" },
    },
  },
  "k8s.KubeNodeConfigV1Alpha1": {
    doc: "",
    fields: {
      skipNodeRegistration: { t: "boolean", since: "1.14", doc: "" },
      registerWithFQDN: { t: "boolean", since: "1.14", doc: "" },
      nodeIP: { t: "k8s.NodeIPConfig", since: "1.14", doc: "" },
      labels: { t: "map[string]", since: "1.14", doc: "" },
      annotations: { t: "map[string]", since: "1.14", doc: "" },
      taints: { t: "map[string]", since: "1.14", doc: "" },
    },
  },
  "k8s.KubePrismConfigV1Alpha1": {
    doc: "",
    fields: {
      port: { t: "port", since: "1.14", req: true, doc: "" },
      tlsServerName: { t: "string", since: "1.14", doc: "" },
    },
  },
  "k8s.KubeProxyConfigV1Alpha1": {
    doc: "",
    fields: {
      enabled: { t: "boolean", since: "1.14", doc: "" },
      image: { t: "string", since: "1.14", req: true, doc: "" },
      mode: { t: "string", since: "1.14", doc: "" },
      config: { t: "object", since: "1.14", doc: "" },
      extraArgs: { t: "extraArgs", since: "1.14", doc: "" },
      resources: { t: "object", since: "1.14", doc: "" },
    },
  },
  "k8s.KubeSchedulerConfigV1Alpha1": {
    doc: "",
    fields: {
      enabled: { t: "boolean", since: "1.14", doc: "" },
      image: { t: "string", since: "1.14", req: true, doc: "" },
      config: { t: "object", since: "1.14", doc: "" },
      extraArgs: { t: "extraArgs", since: "1.14", doc: "" },
      env: { t: "map[string]", since: "1.14", doc: "" },
      resources: { t: "object", since: "1.14", doc: "" },
    },
  },
  "k8s.KubeServiceAccountConfigV1Alpha1": {
    doc: "",
    fields: {
      issuer: { t: "k8s.IssuerServiceAccountConfig", since: "1.14", req: true, doc: "" },
      accepted: { t: "k8s.AcceptedServiceAccountConfig", since: "1.14", doc: "" },
    },
  },
  "k8s.KubeStaticPodConfigV1Alpha1": {
    doc: "",
    fields: {
      name: { t: "string", since: "1.14", req: true, doc: "" },
      pod: { t: "object", since: "1.14", req: true, doc: "" },
    },
  },
  "k8s.KubeTalosAPIAccessConfigV1Alpha1": {
    doc: "",
    fields: {
      allowedRoles: { t: "[]string", since: "1.14", doc: "" },
      allowedKubernetesNamespaces: { t: "[]string", since: "1.14", doc: "" },
    },
  },
  "k8s.KubeletConfigV1Alpha1": {
    doc: "",
    fields: {
      image: { t: "string", since: "1.14", req: true, doc: "" },
      config: { t: "object", since: "1.14", doc: "" },
      extraArgs: { t: "extraArgs", since: "1.14", doc: "" },
      clusterDNS: { t: "[]string", since: "1.14", doc: "" },
      defaultRuntimeSeccompProfileEnabled: { t: "boolean", since: "1.14", doc: "" },
    },
  },
  "k8s.NodeIPConfig": {
    doc: "",
    fields: {
      validSubnets: { t: "[]string", since: "1.14", doc: "" },
    },
  },
};
