// Field table for the `v1alpha1` Go package of Talos's machine config, one entry per type.
// Structure from the merged 1.10–1.14 schemas plus Talos's Go decoders (see ../table.ts for
// the format); the docs are Minos's own hover text.
import type { TypeTable } from "../table";

export const V1ALPHA1_TYPES: TypeTable = {
  "v1alpha1.APIServerConfig": {
    doc: "",
    fields: {
      image: { t: "string", until: "1.13", dep: "", doc: "" },
      extraArgs: { t: [["1.10", "map[string]"], ["1.13", "extraArgs"]], until: "1.13", dep: "", doc: "" },
      extraVolumes: { t: "[]v1alpha1.VolumeMountConfig", until: "1.13", dep: "", doc: "" },
      env: { t: "map[string]", until: "1.13", dep: "", doc: "" },
      certSANs: { t: "[]string", until: "1.13", dep: "", doc: "" },
      disablePodSecurityPolicy: { t: "boolean", until: "1.11", dep: "", doc: "" },
      admissionControl: { t: "[]v1alpha1.AdmissionPluginConfig", until: "1.13", dep: "", doc: "" },
      auditPolicy: { t: "object", until: "1.13", dep: "", doc: "" },
      resources: { t: "v1alpha1.ResourcesConfig", until: "1.13", dep: "", doc: "" },
      authorizationConfig: { t: "[]v1alpha1.AuthorizationConfigAuthorizerConfig", until: "1.13", dep: "", doc: "" },
    },
  },
  "v1alpha1.AdminKubeconfigConfig": {
    doc: "",
    fields: {
      certLifetime: { t: "duration", doc: "" },
    },
  },
  "v1alpha1.AdmissionPluginConfig": {
    doc: "",
    fields: {
      name: { t: "string", until: "1.13", dep: "", doc: "" },
      configuration: { t: "object", until: "1.13", dep: "", doc: "" },
    },
  },
  "v1alpha1.AuthorizationConfigAuthorizerConfig": {
    doc: "",
    fields: {
      type: { t: "string", until: "1.13", dep: "", doc: "" },
      name: { t: "string", until: "1.13", dep: "", doc: "" },
      webhook: { t: "object", until: "1.13", dep: "", doc: "" },
    },
  },
  "v1alpha1.Bond": {
    doc: "",
    fields: {
      interfaces: { t: "[]string", until: "1.11", dep: "", doc: "" },
      deviceSelectors: { t: "[]v1alpha1.NetworkDeviceSelector", until: "1.11", dep: "", doc: "" },
      arpIPTarget: { t: "[]string", until: "1.11", dep: "", doc: "" },
      mode: { t: "string", until: "1.11", dep: "", doc: "" },
      xmitHashPolicy: { t: "string", until: "1.11", dep: "", doc: "" },
      lacpRate: { t: "string", until: "1.11", dep: "", doc: "" },
      adActorSystem: { t: "string", until: "1.11", dep: "", doc: "" },
      arpValidate: { t: "string", until: "1.11", dep: "", doc: "" },
      arpAllTargets: { t: "string", until: "1.11", dep: "", doc: "" },
      primary: { t: "string", until: "1.11", dep: "", doc: "" },
      primaryReselect: { t: "string", until: "1.11", dep: "", doc: "" },
      failOverMac: { t: "string", until: "1.11", dep: "", doc: "" },
      adSelect: { t: "string", until: "1.11", dep: "", doc: "" },
      miimon: { t: "integer", until: "1.11", dep: "", doc: "" },
      updelay: { t: "integer", until: "1.11", dep: "", doc: "" },
      downdelay: { t: "integer", until: "1.11", dep: "", doc: "" },
      arpInterval: { t: "integer", until: "1.11", dep: "", doc: "" },
      resendIgmp: { t: "integer", until: "1.11", dep: "", doc: "" },
      minLinks: { t: "integer", until: "1.11", dep: "", doc: "" },
      lpInterval: { t: "integer", until: "1.11", dep: "", doc: "" },
      packetsPerSlave: { t: "integer", until: "1.11", dep: "", doc: "" },
      numPeerNotif: { t: "integer", until: "1.11", dep: "", doc: "" },
      tlbDynamicLb: { t: "integer", until: "1.11", dep: "", doc: "" },
      allSlavesActive: { t: "integer", until: "1.11", dep: "", doc: "" },
      useCarrier: { t: "boolean", until: "1.11", dep: "", doc: "" },
      adActorSysPrio: { t: "integer", until: "1.11", dep: "", doc: "" },
      adUserPortKey: { t: "integer", until: "1.11", dep: "", doc: "" },
      peerNotifyDelay: { t: "integer", until: "1.11", dep: "", doc: "" },
    },
  },
  "v1alpha1.Bridge": {
    doc: "",
    fields: {
      interfaces: { t: "[]string", until: "1.11", dep: "", doc: "" },
      stp: { t: "v1alpha1.STP", until: "1.11", dep: "", doc: "" },
      vlan: { t: "v1alpha1.BridgeVLAN", until: "1.11", dep: "", doc: "" },
    },
  },
  "v1alpha1.BridgePort": {
    doc: "",
    fields: {
      master: { t: "string", until: "1.11", dep: "", doc: "" },
    },
  },
  "v1alpha1.BridgeVLAN": {
    doc: "",
    fields: {
      vlanFiltering: { t: "boolean", until: "1.11", dep: "", doc: "" },
    },
  },
  "v1alpha1.CNIConfig": {
    doc: "",
    fields: {
      name: { t: "enum(flannel|custom|none)", until: "1.13", dep: "", doc: "" },
      urls: { t: "[]url(http|https)", until: "1.13", dep: "", doc: "" },
      flannel: { t: "v1alpha1.FlannelCNIConfig", until: "1.13", dep: "", doc: "" },
    },
  },
  "v1alpha1.ClusterConfig": {
    doc: "",
    fields: {
      id: { t: "string", until: "1.13", dep: "", doc: "" },
      secret: { t: "string", until: "1.13", dep: "", doc: "" },
      controlPlane: { t: "v1alpha1.ControlPlaneConfig", until: "1.13", dep: "", doc: "" },
      clusterName: { t: "string", until: "1.13", dep: "", doc: "" },
      network: { t: "v1alpha1.ClusterNetworkConfig", until: "1.13", dep: "", doc: "" },
      token: { t: "string", doc: "" },
      aescbcEncryptionSecret: { t: "string", until: "1.13", dep: "", doc: "" },
      secretboxEncryptionSecret: { t: "string", until: "1.13", dep: "", doc: "" },
      ca: { t: "v1alpha1.PEMEncodedCertificateAndKey", until: "1.13", dep: "", doc: "" },
      acceptedCAs: { t: "[]v1alpha1.PEMEncodedCertificate", until: "1.13", dep: "", doc: "" },
      aggregatorCA: { t: "v1alpha1.PEMEncodedCertificateAndKey", until: "1.13", dep: "", doc: "" },
      serviceAccount: { t: "v1alpha1.PEMEncodedKey", until: "1.13", dep: "", doc: "" },
      apiServer: { t: "v1alpha1.APIServerConfig", until: "1.13", dep: "", doc: "" },
      controllerManager: { t: "v1alpha1.ControllerManagerConfig", until: "1.13", dep: "", doc: "" },
      proxy: { t: "v1alpha1.ProxyConfig", until: "1.13", dep: "", doc: "" },
      scheduler: { t: "v1alpha1.SchedulerConfig", until: "1.13", dep: "", doc: "" },
      discovery: { t: "v1alpha1.ClusterDiscoveryConfig", until: "1.13", dep: "", doc: "" },
      etcd: { t: "v1alpha1.EtcdConfig", doc: "" },
      coreDNS: { t: "v1alpha1.CoreDNS", until: "1.13", dep: "", doc: "" },
      externalCloudProvider: { t: "v1alpha1.ExternalCloudProviderConfig", doc: "" },
      extraManifests: { t: "[]url(http|https)", until: "1.13", dep: "", doc: "" },
      extraManifestHeaders: { t: "map[string]", until: "1.13", dep: "", doc: "" },
      inlineManifests: { t: "[]v1alpha1.ClusterInlineManifest", until: "1.13", dep: "", doc: "" },
      adminKubeconfig: { t: "v1alpha1.AdminKubeconfigConfig", doc: "" },
      allowSchedulingOnControlPlanes: { t: "boolean", until: "1.13", dep: "", doc: "" },
    },
  },
  "v1alpha1.ClusterDiscoveryConfig": {
    doc: "",
    fields: {
      enabled: { t: "boolean", until: "1.13", dep: "", doc: "" },
      registries: { t: "v1alpha1.DiscoveryRegistriesConfig", until: "1.13", dep: "", doc: "" },
    },
  },
  "v1alpha1.ClusterInlineManifest": {
    doc: "",
    fields: {
      name: { t: "string", until: "1.13", dep: "", doc: "" },
      contents: { t: "string", until: "1.13", dep: "", doc: "" },
    },
  },
  "v1alpha1.ClusterNetworkConfig": {
    doc: "",
    fields: {
      cni: { t: "v1alpha1.CNIConfig", until: "1.13", dep: "", doc: "" },
      dnsDomain: { t: "dnsName", until: "1.13", dep: "", doc: "" },
      podSubnets: { t: "[]cidr", until: "1.13", dep: "", doc: "" },
      serviceSubnets: { t: "[]cidr", until: "1.13", dep: "", doc: "" },
    },
  },
  "v1alpha1.Config": {
    doc: "",
    fields: {
      version: { t: "enum(v1alpha1)", doc: "" },
      debug: { t: "boolean", doc: "" },
      persist: { t: "boolean", doc: "" },
      machine: { t: "v1alpha1.MachineConfig", doc: "" },
      cluster: { t: "v1alpha1.ClusterConfig", doc: "" },
    },
  },
  "v1alpha1.ControlPlaneConfig": {
    doc: "",
    fields: {
      endpoint: { t: "url(https)", until: "1.13", dep: "", doc: "" },
      localAPIServerPort: { t: "port", until: "1.13", dep: "", doc: "" },
    },
  },
  "v1alpha1.ControllerManagerConfig": {
    doc: "",
    fields: {
      image: { t: "string", until: "1.13", dep: "", doc: "" },
      extraArgs: { t: [["1.10", "map[string]"], ["1.13", "extraArgs"]], until: "1.13", dep: "", doc: "" },
      extraVolumes: { t: "[]v1alpha1.VolumeMountConfig", until: "1.13", dep: "", doc: "" },
      env: { t: "map[string]", until: "1.13", dep: "", doc: "" },
      resources: { t: "v1alpha1.ResourcesConfig", until: "1.13", dep: "", doc: "" },
    },
  },
  "v1alpha1.CoreDNS": {
    doc: "",
    fields: {
      disabled: { t: "boolean", until: "1.13", dep: "", doc: "" },
      image: { t: "string", until: "1.13", dep: "", doc: "" },
    },
  },
  "v1alpha1.DHCPOptions": {
    doc: "",
    fields: {
      routeMetric: { t: "integer", until: "1.11", dep: "", doc: "" },
      ipv4: { t: "boolean", until: "1.11", dep: "", doc: "" },
      ipv6: { t: "boolean", until: "1.11", dep: "", doc: "" },
      duidv6: { t: "string", until: "1.11", dep: "", doc: "" },
    },
  },
  "v1alpha1.Device": {
    doc: "",
    fields: {
      interface: { t: "string", until: "1.11", dep: "", doc: "" },
      deviceSelector: { t: "v1alpha1.NetworkDeviceSelector", until: "1.11", dep: "", doc: "" },
      cidr: { t: "ipOrCidr", dep: "use `addresses`", doc: "" },
      addresses: { t: "[]ipOrCidr", until: "1.11", dep: "", doc: "" },
      routes: { t: "[]v1alpha1.Route", until: "1.11", dep: "", doc: "" },
      bond: { t: "v1alpha1.Bond", until: "1.11", dep: "", doc: "" },
      bridge: { t: "v1alpha1.Bridge", until: "1.11", dep: "", doc: "" },
      bridgePort: { t: "v1alpha1.BridgePort", until: "1.11", dep: "", doc: "" },
      vlans: { t: "[]v1alpha1.Vlan", until: "1.11", dep: "", doc: "" },
      mtu: { t: "integer", until: "1.11", dep: "", doc: "" },
      dhcp: { t: "boolean", until: "1.11", dep: "", doc: "" },
      ignore: { t: "boolean", until: "1.11", dep: "", doc: "" },
      dummy: { t: "boolean", until: "1.11", dep: "", doc: "" },
      dhcpOptions: { t: "v1alpha1.DHCPOptions", until: "1.11", dep: "", doc: "" },
      wireguard: { t: "v1alpha1.DeviceWireguardConfig", until: "1.11", dep: "", doc: "" },
      vip: { t: "v1alpha1.DeviceVIPConfig", until: "1.11", dep: "", doc: "" },
    },
  },
  "v1alpha1.DeviceVIPConfig": {
    doc: "",
    fields: {
      ip: { t: "ip", until: "1.11", dep: "", doc: "" },
      equinixMetal: { t: "v1alpha1.VIPEquinixMetalConfig", until: "1.11", dep: "", doc: "" },
      hcloud: { t: "v1alpha1.VIPHCloudConfig", until: "1.11", dep: "", doc: "" },
    },
  },
  "v1alpha1.DeviceWireguardConfig": {
    doc: "",
    fields: {
      privateKey: { t: "string", until: "1.11", dep: "", doc: "" },
      listenPort: { t: "port", until: "1.11", dep: "", doc: "" },
      firewallMark: { t: "integer", until: "1.11", dep: "", doc: "" },
      peers: { t: "[]v1alpha1.DeviceWireguardPeer", until: "1.11", dep: "", doc: "" },
    },
  },
  "v1alpha1.DeviceWireguardPeer": {
    doc: "",
    fields: {
      publicKey: { t: "string", until: "1.11", dep: "", doc: "" },
      endpoint: { t: "string", until: "1.11", dep: "", doc: "" },
      persistentKeepaliveInterval: { t: "duration", until: "1.11", dep: "", doc: "" },
      allowedIPs: { t: "[]cidr", until: "1.11", dep: "", doc: "" },
    },
  },
  "v1alpha1.DiscoveryRegistriesConfig": {
    doc: "",
    fields: {
      kubernetes: { t: "v1alpha1.RegistryKubernetesConfig", until: "1.13", dep: "", doc: "" },
      service: { t: "v1alpha1.RegistryServiceConfig", until: "1.13", dep: "", doc: "" },
    },
  },
  "v1alpha1.DiskPartition": {
    doc: "",
    fields: {
      size: { t: "size", doc: "" },
      mountpoint: { t: "string", doc: "" },
    },
  },
  "v1alpha1.EncryptionConfig": {
    doc: "",
    fields: {
      provider: { t: "string", until: "1.10", dep: "", doc: "" },
      keys: { t: "[]v1alpha1.EncryptionKey", until: "1.10", dep: "", doc: "" },
      cipher: { t: "enum(aes-xts-plain64|xchacha12,aes-adiantum-plain64|xchacha20,aes-adiantum-plain64)", until: "1.10", dep: "", doc: "" },
      keySize: { t: "integer", until: "1.10", dep: "", doc: "" },
      blockSize: { t: "integer", until: "1.10", dep: "", doc: "" },
      options: { t: "[]enum(no_read_workqueue|no_write_workqueue|same_cpu_crypt)", until: "1.10", dep: "", doc: "" },
    },
  },
  "v1alpha1.EncryptionKey": {
    doc: "",
    fields: {
      static: { t: "v1alpha1.EncryptionKeyStatic", until: "1.10", dep: "", doc: "" },
      nodeID: { t: "v1alpha1.EncryptionKeyNodeID", until: "1.10", dep: "", doc: "" },
      kms: { t: "v1alpha1.EncryptionKeyKMS", until: "1.10", dep: "", doc: "" },
      slot: { t: "integer", until: "1.10", dep: "", doc: "" },
      tpm: { t: "v1alpha1.EncryptionKeyTPM", until: "1.10", dep: "", doc: "" },
    },
  },
  "v1alpha1.EncryptionKeyKMS": {
    doc: "",
    fields: {
      endpoint: { t: "string", until: "1.10", dep: "", doc: "" },
    },
  },
  "v1alpha1.EncryptionKeyNodeID": {
    doc: "",
    fields: {},
  },
  "v1alpha1.EncryptionKeyStatic": {
    doc: "",
    fields: {
      passphrase: { t: "string", until: "1.10", dep: "", doc: "" },
    },
  },
  "v1alpha1.EncryptionKeyTPM": {
    doc: "",
    fields: {
      checkSecurebootStatusOnEnroll: { t: "boolean", until: "1.10", dep: "", doc: "" },
    },
  },
  "v1alpha1.EtcdConfig": {
    doc: "",
    fields: {
      image: { t: "string", doc: "" },
      ca: { t: "v1alpha1.PEMEncodedCertificateAndKey", doc: "" },
      extraArgs: { t: [["1.10", "map[string]"], ["1.13", "extraArgs"]], doc: "" },
      advertisedSubnets: { t: "[]string", doc: "" },
      listenSubnets: { t: "[]string", doc: "" },
      subnet: { t: "cidr", dep: "use `advertisedSubnets`", doc: "" },
    },
  },
  "v1alpha1.ExternalCloudProviderConfig": {
    doc: "",
    fields: {
      enabled: { t: "boolean", doc: "" },
      manifests: { t: "[]url(http|https)", doc: "" },
    },
  },
  "v1alpha1.ExtraHost": {
    doc: "",
    fields: {
      ip: { t: "ip", until: "1.11", dep: "", doc: "" },
      aliases: { t: "[]string", until: "1.11", dep: "", doc: "" },
    },
  },
  "v1alpha1.ExtraMount": {
    doc: "",
    fields: {
      destination: { t: "string", until: "1.13", dep: "", doc: "" },
      type: { t: "string", until: "1.13", dep: "", doc: "" },
      source: { t: "string", until: "1.13", dep: "", doc: "" },
      options: { t: "[]string", until: "1.13", dep: "", doc: "" },
      uidMappings: { t: "[]v1alpha1.LinuxIDMapping", until: "1.13", dep: "", doc: "" },
      gidMappings: { t: "[]v1alpha1.LinuxIDMapping", until: "1.13", dep: "", doc: "" },
    },
  },
  "v1alpha1.FeaturesConfig": {
    doc: "",
    fields: {
      rbac: { t: "boolean", until: "1.11", dep: "", doc: "" },
      stableHostname: { t: "boolean", until: "1.11", dep: "", doc: "" },
      kubernetesTalosAPIAccess: { t: "v1alpha1.KubernetesTalosAPIAccessConfig", until: "1.13", dep: "", doc: "" },
      apidCheckExtKeyUsage: { t: "boolean", until: "1.11", dep: "", doc: "" },
      diskQuotaSupport: { t: "boolean", doc: "" },
      kubePrism: { t: "v1alpha1.KubePrism", until: "1.13", dep: "", doc: "" },
      hostDNS: { t: "v1alpha1.HostDNSConfig", until: "1.13", dep: "", doc: "" },
      imageCache: { t: "v1alpha1.ImageCacheConfig", until: "1.13", dep: "", doc: "" },
      nodeAddressSortAlgorithm: { t: "string", doc: "" },
    },
  },
  "v1alpha1.FlannelCNIConfig": {
    doc: "",
    fields: {
      extraArgs: { t: "[]string", until: "1.13", dep: "", doc: "" },
      kubeNetworkPoliciesEnabled: { t: "boolean", since: "1.13", until: "1.13", dep: "", doc: "" },
    },
  },
  "v1alpha1.HostDNSConfig": {
    doc: "",
    fields: {
      enabled: { t: "boolean", until: "1.13", dep: "", doc: "" },
      forwardKubeDNSToHost: { t: "boolean", until: "1.13", dep: "", doc: "" },
      resolveMemberNames: { t: "boolean", until: "1.13", dep: "", doc: "" },
    },
  },
  "v1alpha1.ImageCacheConfig": {
    doc: "",
    fields: {
      localEnabled: { t: "boolean", until: "1.13", dep: "", doc: "" },
    },
  },
  "v1alpha1.InstallConfig": {
    doc: "",
    fields: {
      disk: { t: "string", until: "1.13", dep: "", doc: "" },
      diskSelector: { t: "v1alpha1.InstallDiskSelector", until: "1.13", dep: "", doc: "" },
      extraKernelArgs: { t: "[]string", until: "1.11", dep: "", doc: "" },
      image: { t: "string", until: "1.13", dep: "", doc: "" },
      wipe: { t: "boolean", until: "1.13", dep: "", doc: "" },
      legacyBIOSSupport: { t: "boolean", until: "1.13", dep: "", doc: "" },
      grubUseUKICmdline: { t: "boolean", since: "1.12", until: "1.13", dep: "", doc: "" },
      extensions: { t: "[]v1alpha1.InstallExtensionConfig", dep: "build the installer image with the extensions instead (Image Factory)", doc: "" },
      bootloader: { t: "boolean", dep: "Talos always installs a bootloader", doc: "" },
    },
  },
  "v1alpha1.InstallDiskSelector": {
    doc: "",
    fields: {
      size: { t: "sizeMatcher", until: "1.13", dep: "", doc: "" },
      name: { t: "string", until: "1.13", dep: "", doc: "" },
      model: { t: "string", until: "1.13", dep: "", doc: "" },
      serial: { t: "string", until: "1.13", dep: "", doc: "" },
      modalias: { t: "string", until: "1.13", dep: "", doc: "" },
      uuid: { t: "string", until: "1.13", dep: "", doc: "" },
      wwid: { t: "string", until: "1.13", dep: "", doc: "" },
      type: { t: "enum(ssd|hdd|nvme|sd)", until: "1.13", dep: "", doc: "" },
      busPath: { t: "string", until: "1.13", dep: "", doc: "" },
    },
  },
  "v1alpha1.InstallExtensionConfig": {
    doc: "",
    fields: {
      image: { t: "string", doc: "" },
    },
  },
  "v1alpha1.KernelConfig": {
    doc: "",
    fields: {
      modules: { t: "[]v1alpha1.KernelModuleConfig", until: "1.13", dep: "", doc: "" },
    },
  },
  "v1alpha1.KernelModuleConfig": {
    doc: "",
    fields: {
      name: { t: "string", until: "1.13", dep: "", doc: "" },
      parameters: { t: "[]string", until: "1.13", dep: "", doc: "" },
    },
  },
  "v1alpha1.KubePrism": {
    doc: "",
    fields: {
      enabled: { t: "boolean", until: "1.13", dep: "", doc: "" },
      port: { t: "port", until: "1.13", dep: "", doc: "" },
    },
  },
  "v1alpha1.KubeSpanFilters": {
    doc: "",
    fields: {
      endpoints: { t: "[]string", until: "1.12", dep: "", doc: "" },
      excludeAdvertisedNetworks: { t: "[]string", since: "1.12", until: "1.12", dep: "", doc: "" },
    },
  },
  "v1alpha1.KubeletConfig": {
    doc: "",
    fields: {
      image: { t: "string", until: "1.13", dep: "", doc: "" },
      clusterDNS: { t: "[]string", until: "1.13", dep: "", doc: "" },
      extraArgs: { t: [["1.10", "map[string]"], ["1.13", "extraArgs"]], until: "1.13", dep: "", doc: "" },
      extraMounts: { t: "[]v1alpha1.ExtraMount", until: "1.13", dep: "", doc: "" },
      extraConfig: { t: "object", until: "1.13", dep: "", doc: "" },
      credentialProviderConfig: { t: "object", until: "1.13", dep: "", doc: "" },
      defaultRuntimeSeccompProfileEnabled: { t: "boolean", until: "1.13", dep: "", doc: "" },
      registerWithFQDN: { t: "boolean", until: "1.13", dep: "", doc: "" },
      nodeIP: { t: "v1alpha1.KubeletNodeIPConfig", until: "1.13", dep: "", doc: "" },
      skipNodeRegistration: { t: "boolean", until: "1.13", dep: "", doc: "" },
      disableManifestsDirectory: { t: "boolean", until: "1.13", dep: "", doc: "" },
    },
  },
  "v1alpha1.KubeletNodeIPConfig": {
    doc: "",
    fields: {
      validSubnets: { t: "[]string", until: "1.13", dep: "", doc: "" },
    },
  },
  "v1alpha1.KubernetesTalosAPIAccessConfig": {
    doc: "",
    fields: {
      enabled: { t: "boolean", until: "1.13", dep: "", doc: "" },
      allowedRoles: { t: "[]string", until: "1.13", dep: "", doc: "" },
      allowedKubernetesNamespaces: { t: "[]string", until: "1.13", dep: "", doc: "" },
    },
  },
  "v1alpha1.LinuxIDMapping": {
    doc: "",
    fields: {
      containerID: { t: "integer", until: "1.13", dep: "", doc: "" },
      hostID: { t: "integer", until: "1.13", dep: "", doc: "" },
      size: { t: "integer", until: "1.13", dep: "", doc: "" },
    },
  },
  "v1alpha1.LoggingConfig": {
    doc: "",
    fields: {
      destinations: { t: "[]v1alpha1.LoggingDestination", doc: "" },
    },
  },
  "v1alpha1.LoggingDestination": {
    doc: "",
    fields: {
      endpoint: { t: "url(tcp|udp)", doc: "" },
      format: { t: "enum(json_lines)", doc: "" },
      extraTags: { t: "map[string]", doc: "" },
    },
  },
  "v1alpha1.MachineConfig": {
    doc: "",
    fields: {
      type: { t: "machineType", doc: "" },
      token: { t: "string", doc: "" },
      ca: { t: "v1alpha1.PEMEncodedCertificateAndKey", doc: "" },
      acceptedCAs: { t: "[]v1alpha1.PEMEncodedCertificate", doc: "" },
      certSANs: { t: "[]string", doc: "" },
      controlPlane: { t: "v1alpha1.MachineControlPlaneConfig", until: "1.13", dep: "", doc: "" },
      kubelet: { t: "v1alpha1.KubeletConfig", until: "1.13", dep: "", doc: "" },
      pods: { t: "[]object", until: "1.13", dep: "", doc: "" },
      network: { t: "v1alpha1.NetworkConfig", until: "1.12", dep: "", doc: "" },
      disks: { t: "[]v1alpha1.MachineDisk", dep: "use UserVolumeConfig documents", doc: "" },
      install: { t: "v1alpha1.InstallConfig", until: "1.13", dep: "", doc: "" },
      files: { t: "[]v1alpha1.MachineFile", until: "1.13", dep: "", doc: "" },
      env: { t: "map[string]", until: "1.12", dep: "", doc: "" },
      time: { t: "v1alpha1.TimeConfig", until: "1.11", dep: "", doc: "" },
      sysctls: { t: "map[string]", until: "1.13", dep: "", doc: "" },
      sysfs: { t: "map[string]", until: "1.13", dep: "", doc: "" },
      registries: { t: "v1alpha1.RegistriesConfig", until: "1.11", dep: "", doc: "" },
      systemDiskEncryption: { t: "v1alpha1.SystemDiskEncryptionConfig", until: "1.10", dep: "", doc: "" },
      features: { t: "v1alpha1.FeaturesConfig", doc: "" },
      udev: { t: "v1alpha1.UdevConfig", until: "1.13", dep: "", doc: "" },
      logging: { t: "v1alpha1.LoggingConfig", doc: "" },
      kernel: { t: "v1alpha1.KernelConfig", until: "1.13", dep: "", doc: "" },
      seccompProfiles: { t: "[]v1alpha1.MachineSeccompProfile", doc: "" },
      baseRuntimeSpecOverrides: { t: "object", until: "1.13", dep: "", doc: "" },
      nodeLabels: { t: "map[string]", until: "1.13", dep: "", doc: "" },
      nodeAnnotations: { t: "map[string]", until: "1.13", dep: "", doc: "" },
      nodeTaints: { t: "map[string]", until: "1.13", dep: "", doc: "" },
    },
  },
  "v1alpha1.MachineControlPlaneConfig": {
    doc: "",
    fields: {
      controllerManager: { t: "v1alpha1.MachineControllerManagerConfig", until: "1.13", dep: "", doc: "" },
      scheduler: { t: "v1alpha1.MachineSchedulerConfig", until: "1.13", dep: "", doc: "" },
    },
  },
  "v1alpha1.MachineControllerManagerConfig": {
    doc: "",
    fields: {
      disabled: { t: "boolean", until: "1.13", dep: "", doc: "" },
    },
  },
  "v1alpha1.MachineDisk": {
    doc: "",
    fields: {
      device: { t: "string", doc: "" },
      partitions: { t: "[]v1alpha1.DiskPartition", doc: "" },
    },
  },
  "v1alpha1.MachineFile": {
    doc: "",
    fields: {
      content: { t: "string", until: "1.13", dep: "", doc: "" },
      permissions: { t: "integer", until: "1.13", dep: "", doc: "" },
      path: { t: "string", until: "1.13", dep: "", doc: "" },
      op: { t: "enum(create|append|overwrite)", until: "1.13", dep: "", doc: "" },
    },
  },
  "v1alpha1.MachineSchedulerConfig": {
    doc: "",
    fields: {
      disabled: { t: "boolean", until: "1.13", dep: "", doc: "" },
    },
  },
  "v1alpha1.MachineSeccompProfile": {
    doc: "",
    fields: {
      name: { t: "string", doc: "" },
      value: { t: "object", doc: "" },
    },
  },
  "v1alpha1.NetworkConfig": {
    doc: "",
    fields: {
      hostname: { t: "hostname", until: "1.11", dep: "", doc: "" },
      interfaces: { t: "[]v1alpha1.Device", until: "1.11", dep: "", doc: "" },
      nameservers: { t: "[]ip", until: "1.11", dep: "", doc: "" },
      searchDomains: { t: "[]string", until: "1.11", dep: "", doc: "" },
      extraHostEntries: { t: "[]v1alpha1.ExtraHost", until: "1.11", dep: "", doc: "" },
      kubespan: { t: "v1alpha1.NetworkKubeSpan", until: "1.12", dep: "", doc: "" },
      disableSearchDomain: { t: "boolean", until: "1.11", dep: "", doc: "" },
    },
  },
  "v1alpha1.NetworkDeviceSelector": {
    doc: "",
    fields: {
      busPath: { t: "string", until: "1.11", dep: "", doc: "" },
      hardwareAddr: { t: "string", until: "1.11", dep: "", doc: "" },
      permanentAddr: { t: "string", until: "1.11", dep: "", doc: "" },
      pciID: { t: "string", until: "1.11", dep: "", doc: "" },
      driver: { t: "string", until: "1.11", dep: "", doc: "" },
      physical: { t: "boolean", until: "1.11", dep: "", doc: "" },
    },
  },
  "v1alpha1.NetworkKubeSpan": {
    doc: "",
    fields: {
      enabled: { t: "boolean", until: "1.12", dep: "", doc: "" },
      advertiseKubernetesNetworks: { t: "boolean", until: "1.12", dep: "", doc: "" },
      allowDownPeerBypass: { t: "boolean", until: "1.12", dep: "", doc: "" },
      harvestExtraEndpoints: { t: "boolean", until: "1.12", dep: "", doc: "" },
      mtu: { t: "integer", until: "1.12", dep: "", doc: "" },
      filters: { t: "v1alpha1.KubeSpanFilters", until: "1.12", dep: "", doc: "" },
    },
  },
  "v1alpha1.PEMEncodedCertificate": {
    doc: "",
    fields: {
      crt: { t: "b64pem", doc: "" },
    },
  },
  "v1alpha1.PEMEncodedCertificateAndKey": {
    doc: "",
    fields: {
      crt: { t: "b64pem", doc: "" },
      key: { t: "b64pem", doc: "" },
    },
  },
  "v1alpha1.PEMEncodedKey": {
    doc: "",
    fields: {
      key: { t: "b64pem", doc: "" },
    },
  },
  "v1alpha1.ProxyConfig": {
    doc: "",
    fields: {
      disabled: { t: "boolean", until: "1.13", dep: "", doc: "" },
      image: { t: "string", until: "1.13", dep: "", doc: "" },
      mode: { t: "string", until: "1.13", dep: "", doc: "" },
      extraArgs: { t: [["1.10", "map[string]"], ["1.13", "extraArgs"]], until: "1.13", dep: "", doc: "" },
    },
  },
  "v1alpha1.RegistriesConfig": {
    doc: "",
    fields: {
      mirrors: { t: "map[v1alpha1.RegistryMirrorConfig]", until: "1.11", dep: "", doc: "" },
      config: { t: "map[v1alpha1.RegistryConfig]", until: "1.11", dep: "", doc: "" },
    },
  },
  "v1alpha1.RegistryAuthConfig": {
    doc: "",
    fields: {
      username: { t: "string", until: "1.11", dep: "", doc: "" },
      password: { t: "string", until: "1.11", dep: "", doc: "" },
      auth: { t: "string", until: "1.11", dep: "", doc: "" },
      identityToken: { t: "string", until: "1.11", dep: "", doc: "" },
    },
  },
  "v1alpha1.RegistryConfig": {
    doc: "",
    fields: {
      tls: { t: "v1alpha1.RegistryTLSConfig", until: "1.11", dep: "", doc: "" },
      auth: { t: "v1alpha1.RegistryAuthConfig", until: "1.11", dep: "", doc: "" },
    },
  },
  "v1alpha1.RegistryKubernetesConfig": {
    doc: "",
    fields: {
      disabled: { t: "boolean", until: "1.13", dep: "", doc: "" },
    },
  },
  "v1alpha1.RegistryMirrorConfig": {
    doc: "",
    fields: {
      endpoints: { t: "[]url(http|https)", until: "1.11", dep: "", doc: "" },
      overridePath: { t: "boolean", until: "1.11", dep: "", doc: "" },
      skipFallback: { t: "boolean", until: "1.11", dep: "", doc: "" },
    },
  },
  "v1alpha1.RegistryServiceConfig": {
    doc: "",
    fields: {
      disabled: { t: "boolean", until: "1.13", dep: "", doc: "" },
      endpoint: { t: "url(http|https)", until: "1.13", dep: "", doc: "" },
    },
  },
  "v1alpha1.RegistryTLSConfig": {
    doc: "",
    fields: {
      clientIdentity: { t: "v1alpha1.PEMEncodedCertificateAndKey", until: "1.11", dep: "", doc: "" },
      ca: { t: "b64pem", until: "1.11", dep: "", doc: "" },
      insecureSkipVerify: { t: "boolean", until: "1.11", dep: "", doc: "" },
    },
  },
  "v1alpha1.ResourcesConfig": {
    doc: "",
    fields: {
      requests: { t: "object", until: "1.13", dep: "", doc: "" },
      limits: { t: "object", until: "1.13", dep: "", doc: "" },
    },
  },
  "v1alpha1.Route": {
    doc: "",
    fields: {
      network: { t: "cidr", until: "1.11", dep: "", doc: "" },
      gateway: { t: "ip", until: "1.11", dep: "", doc: "" },
      source: { t: "ip", until: "1.11", dep: "", doc: "" },
      metric: { t: "integer", until: "1.11", dep: "", doc: "" },
      mtu: { t: "integer", until: "1.11", dep: "", doc: "" },
    },
  },
  "v1alpha1.STP": {
    doc: "",
    fields: {
      enabled: { t: "boolean", until: "1.11", dep: "", doc: "" },
    },
  },
  "v1alpha1.SchedulerConfig": {
    doc: "",
    fields: {
      image: { t: "string", until: "1.13", dep: "", doc: "" },
      extraArgs: { t: [["1.10", "map[string]"], ["1.13", "extraArgs"]], until: "1.13", dep: "", doc: "" },
      extraVolumes: { t: "[]v1alpha1.VolumeMountConfig", until: "1.13", dep: "", doc: "" },
      env: { t: "map[string]", until: "1.13", dep: "", doc: "" },
      resources: { t: "v1alpha1.ResourcesConfig", until: "1.13", dep: "", doc: "" },
      config: { t: "object", until: "1.13", dep: "", doc: "" },
    },
  },
  "v1alpha1.SystemDiskEncryptionConfig": {
    doc: "",
    fields: {
      state: { t: "v1alpha1.EncryptionConfig", until: "1.10", dep: "", doc: "" },
      ephemeral: { t: "v1alpha1.EncryptionConfig", until: "1.10", dep: "", doc: "" },
    },
  },
  "v1alpha1.TimeConfig": {
    doc: "",
    fields: {
      disabled: { t: "boolean", until: "1.11", dep: "", doc: "" },
      servers: { t: "[]string", until: "1.11", dep: "", doc: "" },
      bootTimeout: { t: "duration", until: "1.11", dep: "", doc: "" },
    },
  },
  "v1alpha1.UdevConfig": {
    doc: "",
    fields: {
      rules: { t: "[]string", until: "1.13", dep: "", doc: "" },
    },
  },
  "v1alpha1.VIPEquinixMetalConfig": {
    doc: "",
    fields: {
      apiToken: { t: "string", until: "1.11", dep: "", doc: "" },
    },
  },
  "v1alpha1.VIPHCloudConfig": {
    doc: "",
    fields: {
      apiToken: { t: "string", until: "1.11", dep: "", doc: "" },
    },
  },
  "v1alpha1.Vlan": {
    doc: "",
    fields: {
      addresses: { t: "[]ipOrCidr", until: "1.11", dep: "", doc: "" },
      routes: { t: "[]v1alpha1.Route", until: "1.11", dep: "", doc: "" },
      dhcp: { t: "boolean", until: "1.11", dep: "", doc: "" },
      vlanId: { t: "integer", until: "1.11", dep: "", doc: "" },
      mtu: { t: "integer", until: "1.11", dep: "", doc: "" },
      vip: { t: "v1alpha1.DeviceVIPConfig", until: "1.11", dep: "", doc: "" },
      dhcpOptions: { t: "v1alpha1.DHCPOptions", until: "1.11", dep: "", doc: "" },
      cidr: { t: "ipOrCidr", dep: "use `addresses`", doc: "" },
    },
  },
  "v1alpha1.VolumeMountConfig": {
    doc: "",
    fields: {
      hostPath: { t: "string", until: "1.13", dep: "", doc: "" },
      mountPath: { t: "string", until: "1.13", dep: "", doc: "" },
      readonly: { t: "boolean", until: "1.13", dep: "", doc: "" },
    },
  },
};
