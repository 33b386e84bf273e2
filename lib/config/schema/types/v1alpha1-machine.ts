// Field table for the `v1alpha1` Go package of Talos's machine config: the types under `machine:` (v1alpha1.MachineConfig and what it reaches).
// Structure from the merged 1.10–1.14 schemas plus Talos's Go decoders (see ../table.ts for
// the format); the docs are Minos's own hover text. Composed in ./v1alpha1.ts.
import type { TypeTable } from "../table";

export const V1ALPHA1_MACHINE_TYPES: TypeTable = {
  "v1alpha1.Bond": {
    fields: {
      interfaces: { t: "[]string", until: "1.11", dep: "", doc: "Names of the interfaces to bond." },
      deviceSelectors: { t: "[]v1alpha1.NetworkDeviceSelector", until: "1.11", dep: "", doc: "Select the bonded interfaces by hardware properties instead of names." },
      arpIPTarget: { t: "[]string", until: "1.11", dep: "", doc: "IP addresses probed by ARP monitoring." },
      mode: { t: "string", until: "1.11", dep: "", doc: "Bonding mode, e.g. active-backup or 802.3ad." },
      xmitHashPolicy: { t: "string", until: "1.11", dep: "", doc: "Hash used to pick the member for each packet in balance-xor and 802.3ad modes." },
      lacpRate: { t: "string", until: "1.11", dep: "", doc: "How often LACP partners are asked to send LACPDUs in 802.3ad mode: slow (30s) or fast (1s)." },
      adActorSystem: { t: "string", until: "1.11", dep: "", doc: "802.3ad actor system MAC address." },
      arpValidate: { t: "string", until: "1.11", dep: "", doc: "Which ARP probes and replies are validated in active-backup mode." },
      arpAllTargets: { t: "string", until: "1.11", dep: "", doc: "Whether any or all ARP targets must be reachable for a member to be up." },
      primary: { t: "string", until: "1.11", dep: "", doc: "Preferred member interface in active-backup mode." },
      primaryReselect: { t: "string", until: "1.11", dep: "", doc: "When the primary member becomes active again after recovering." },
      failOverMac: { t: "string", until: "1.11", dep: "", doc: "How MAC addresses are handled on failover in active-backup mode." },
      adSelect: { t: "string", until: "1.11", dep: "", doc: "802.3ad aggregator selection logic." },
      miimon: { t: "integer", until: "1.11", dep: "", doc: "Link monitoring interval in milliseconds (MII); 0 disables it." },
      updelay: { t: "integer", until: "1.11", dep: "", doc: "Milliseconds to wait before enabling a member after its link comes up; a multiple of miimon." },
      downdelay: { t: "integer", until: "1.11", dep: "", doc: "Milliseconds to wait before disabling a member after its link goes down; a multiple of miimon." },
      arpInterval: { t: "integer", until: "1.11", dep: "", doc: "ARP monitoring interval in milliseconds; 0 disables it." },
      resendIgmp: { t: "integer", until: "1.11", dep: "", doc: "Number of IGMP membership reports sent after a failover." },
      minLinks: { t: "integer", until: "1.11", dep: "", doc: "Minimum number of members that must be up for the bond to be up." },
      lpInterval: { t: "integer", until: "1.11", dep: "", doc: "Seconds between learning packets sent to the peer switch in balance-tlb/alb modes." },
      packetsPerSlave: { t: "integer", until: "1.11", dep: "", doc: "Packets sent through one member before moving to the next in balance-rr mode." },
      numPeerNotif: { t: "integer", until: "1.11", dep: "", doc: "Number of gratuitous ARP/unsolicited NA notifications sent after a failover." },
      tlbDynamicLb: { t: "integer", until: "1.11", dep: "", doc: "Dynamic load balancing in balance-tlb mode (1 on, 0 off)." },
      allSlavesActive: { t: "integer", until: "1.11", dep: "", doc: "Deliver duplicate frames received on inactive members (1) or drop them (0)." },
      useCarrier: { t: "boolean", until: "1.11", dep: "", doc: "Use the driver's carrier state instead of MII ioctls for link monitoring." },
      adActorSysPrio: { t: "integer", until: "1.11", dep: "", doc: "802.3ad system priority (1–65535)." },
      adUserPortKey: { t: "integer", until: "1.11", dep: "", doc: "Upper 10 bits of the 802.3ad port key." },
      peerNotifyDelay: { t: "integer", until: "1.11", dep: "", doc: "Milliseconds between peer notifications after a failover." },
    },
  },
  "v1alpha1.Bridge": {
    fields: {
      interfaces: { t: "[]string", until: "1.11", dep: "", doc: "Names of the interfaces to bridge." },
      stp: { t: "v1alpha1.STP", until: "1.11", dep: "", doc: "Spanning Tree Protocol settings." },
      vlan: { t: "v1alpha1.BridgeVLAN", until: "1.11", dep: "", doc: "VLAN filtering settings of the bridge." },
    },
  },
  "v1alpha1.BridgePort": {
    fields: {
      master: { t: "string", until: "1.11", dep: "", doc: "Name of the bridge to attach this interface to." },
    },
  },
  "v1alpha1.BridgeVLAN": {
    fields: {
      vlanFiltering: { t: "boolean", until: "1.11", dep: "", doc: "Filter traffic by VLAN tag on the bridge." },
    },
  },
  "v1alpha1.DHCPOptions": {
    fields: {
      routeMetric: { t: "integer", until: "1.11", dep: "", doc: "Metric (priority) of routes learned from DHCP; lower wins." },
      ipv4: { t: "boolean", until: "1.11", dep: "", doc: "Request an IPv4 address with DHCP." },
      ipv6: { t: "boolean", until: "1.11", dep: "", doc: "Request an IPv6 address with DHCPv6." },
      duidv6: { t: "string", until: "1.11", dep: "", doc: "DUID sent by the DHCPv6 client, hex bytes." },
    },
  },
  "v1alpha1.Device": {
    fields: {
      interface: { t: "string", until: "1.11", dep: "", doc: "Interface name, e.g. eth0 or bond0 (or use deviceSelector)." },
      deviceSelector: { t: "v1alpha1.NetworkDeviceSelector", until: "1.11", dep: "", doc: "Pick the interface by hardware properties instead of by name." },
      cidr: { t: "ipOrCidr", dep: "use `addresses`", doc: "Address with prefix length for the link (deprecated: use addresses)." },
      addresses: { t: "[]ipOrCidr", until: "1.11", dep: "", doc: "Static addresses with prefix length, e.g. 10.0.0.5/24." },
      routes: { t: "[]v1alpha1.Route", until: "1.11", dep: "", doc: "Static routes through this interface." },
      bond: { t: "v1alpha1.Bond", until: "1.11", dep: "", doc: "Make this interface a bond of other interfaces." },
      bridge: { t: "v1alpha1.Bridge", until: "1.11", dep: "", doc: "Make this interface a bridge of other interfaces." },
      bridgePort: { t: "v1alpha1.BridgePort", until: "1.11", dep: "", doc: "Attach this interface to a bridge." },
      vlans: { t: "[]v1alpha1.Vlan", until: "1.11", dep: "", doc: "VLAN sub-interfaces of this interface." },
      mtu: { t: "integer", until: "1.11", dep: "", doc: "Maximum transmission unit of the link in bytes, e.g. 1500 or 9000 for jumbo frames." },
      dhcp: { t: "boolean", until: "1.11", dep: "", doc: "Obtain an address on this link with DHCP." },
      ignore: { t: "boolean", until: "1.11", dep: "", doc: "Leave this interface unconfigured by Talos." },
      dummy: { t: "boolean", until: "1.11", dep: "", doc: "Create a dummy interface with this name." },
      dhcpOptions: { t: "v1alpha1.DHCPOptions", until: "1.11", dep: "", doc: "DHCP client options." },
      wireguard: { t: "v1alpha1.DeviceWireguardConfig", until: "1.11", dep: "", doc: "Configure this interface as a WireGuard tunnel." },
      vip: { t: "v1alpha1.DeviceVIPConfig", until: "1.11", dep: "", doc: "Shared virtual IP that floats between control-plane nodes on this link." },
    },
  },
  "v1alpha1.DeviceVIPConfig": {
    fields: {
      ip: { t: "ip", until: "1.11", dep: "", doc: "The shared virtual IP address." },
      equinixMetal: { t: "v1alpha1.VIPEquinixMetalConfig", until: "1.11", dep: "", doc: "Move the VIP through the Equinix Metal API." },
      hcloud: { t: "v1alpha1.VIPHCloudConfig", until: "1.11", dep: "", doc: "Move the VIP through the Hetzner Cloud API." },
    },
  },
  "v1alpha1.DeviceWireguardConfig": {
    fields: {
      privateKey: { t: "string", until: "1.11", dep: "", secret: true, doc: "WireGuard private key of this node, base64 (wg genkey)." },
      listenPort: { t: "port", until: "1.11", dep: "", doc: "UDP port WireGuard listens on, e.g. 51820." },
      firewallMark: { t: "integer", until: "1.11", dep: "", doc: "Firewall mark (fwmark) set on outgoing WireGuard packets." },
      peers: { t: "[]v1alpha1.DeviceWireguardPeer", until: "1.11", dep: "", doc: "WireGuard peers this interface talks to." },
    },
  },
  "v1alpha1.DeviceWireguardPeer": {
    fields: {
      publicKey: { t: "string", until: "1.11", dep: "", doc: "WireGuard public key of the peer, base64." },
      endpoint: { t: "string", until: "1.11", dep: "", doc: "Peer address as host:port, e.g. 192.168.1.2:51820." },
      persistentKeepaliveInterval: { t: "duration", until: "1.11", dep: "", doc: "Interval between keepalive packets to keep NAT mappings open, e.g. 25s." },
      allowedIPs: { t: "[]cidr", until: "1.11", dep: "", doc: "Networks routed to this peer and accepted from it, as CIDRs." },
    },
  },
  "v1alpha1.DiskPartition": {
    fields: {
      size: { t: "diskSize", doc: "Partition size: bytes or a human size such as 100 GB; 0 fills the rest of the disk." },
      mountpoint: { t: "string", doc: "Where the partition is mounted, e.g. /var/mnt/extra." },
    },
  },
  "v1alpha1.EncryptionConfig": {
    fields: {
      provider: { t: "string", until: "1.10", dep: "", doc: "Encryption provider: luks2." },
      keys: { t: "[]v1alpha1.EncryptionKey", until: "1.10", dep: "", doc: "Encryption keys, each in its own LUKS2 slot." },
      cipher: { t: "enum(aes-xts-plain64|xchacha12,aes-adiantum-plain64|xchacha20,aes-adiantum-plain64)", until: "1.10", dep: "", doc: "Cipher used for encryption; defaults to aes-xts-plain64." },
      keySize: { t: "integer", until: "1.10", dep: "", doc: "Encryption key length in bits." },
      blockSize: { t: "integer", until: "1.10", dep: "", doc: "Encryption sector size in bytes." },
      options: { t: "[]enum(no_read_workqueue|no_write_workqueue|same_cpu_crypt)", until: "1.10", dep: "", doc: "Extra LUKS2 --perf options." },
    },
  },
  "v1alpha1.EncryptionKey": {
    fields: {
      static: { t: "v1alpha1.EncryptionKeyStatic", until: "1.10", dep: "", doc: "A static passphrase stored in the config." },
      nodeID: { t: "v1alpha1.EncryptionKeyNodeID", until: "1.10", dep: "", doc: "Derive the key from the node's UUID (protects against disk theft only)." },
      kms: { t: "v1alpha1.EncryptionKeyKMS", until: "1.10", dep: "", doc: "Seal the key with a remote KMS server." },
      slot: { t: "integer", until: "1.10", dep: "", doc: "LUKS2 key slot number; each key needs its own slot." },
      tpm: { t: "v1alpha1.EncryptionKeyTPM", until: "1.10", dep: "", doc: "Seal the key with the node's TPM 2.0." },
    },
  },
  "v1alpha1.EncryptionKeyKMS": {
    fields: {
      endpoint: { t: "string", until: "1.10", dep: "", doc: "KMS server address, e.g. https://kms.example.com:443." },
    },
  },
  "v1alpha1.EncryptionKeyNodeID": {
    fields: {},
  },
  "v1alpha1.EncryptionKeyStatic": {
    fields: {
      passphrase: { t: "string", until: "1.10", dep: "", secret: true, doc: "The encryption passphrase." },
    },
  },
  "v1alpha1.EncryptionKeyTPM": {
    fields: {
      checkSecurebootStatusOnEnroll: { t: "boolean", until: "1.10", dep: "", doc: "Refuse to enroll the TPM key unless Secure Boot is enabled." },
    },
  },
  "v1alpha1.ExtraHost": {
    fields: {
      ip: { t: "ip", until: "1.11", dep: "", doc: "IP address of the /etc/hosts entry." },
      aliases: { t: "[]string", until: "1.11", dep: "", doc: "Host names resolving to the IP." },
    },
  },
  "v1alpha1.ExtraMount": {
    fields: {
      destination: { t: "string", until: "1.13", dep: "", doc: "Mount point inside the kubelet's view, e.g. /var/mnt/data." },
      type: { t: "string", until: "1.13", dep: "", doc: "Mount type, usually bind." },
      source: { t: "string", until: "1.13", dep: "", doc: "Host path to mount." },
      options: { t: "[]string", until: "1.13", dep: "", doc: "Mount options, e.g. [bind, rshared, rw]." },
      uidMappings: { t: "[]v1alpha1.LinuxIDMapping", until: "1.13", dep: "", doc: "User ID mappings for an idmapped mount." },
      gidMappings: { t: "[]v1alpha1.LinuxIDMapping", until: "1.13", dep: "", doc: "Group ID mappings for an idmapped mount." },
    },
  },
  "v1alpha1.FeaturesConfig": {
    fields: {
      rbac: { t: "boolean", until: "1.11", dep: "RBAC is always on; remove it", doc: "Enforce role-based access control on the Talos API (always on now)." },
      stableHostname: { t: "boolean", until: "1.11", dep: "use `auto: stable` in the HostnameConfig document", doc: "Generate a stable default host name from the machine ID." },
      kubernetesTalosAPIAccess: { t: "v1alpha1.KubernetesTalosAPIAccessConfig", until: "1.13", dep: "use the KubeTalosAPIAccessConfig document", doc: "Let selected Kubernetes workloads call the Talos API." },
      apidCheckExtKeyUsage: { t: "boolean", until: "1.11", dep: "the check is always on; remove it", doc: "Check the extended key usage of client certificates in apid (always on now)." },
      diskQuotaSupport: { t: "boolean", doc: "Enable XFS project quotas on /var, used for ephemeral-storage limits." },
      kubePrism: { t: "v1alpha1.KubePrism", until: "1.13", dep: "use the KubePrismConfig document", doc: "KubePrism: a local load balancer for the Kubernetes API on every node." },
      hostDNS: { t: "v1alpha1.HostDNSConfig", until: "1.13", dep: "use `hostDNS` in the ResolverConfig document", doc: "Talos's caching DNS resolver on the host." },
      imageCache: { t: "v1alpha1.ImageCacheConfig", until: "1.13", dep: "use the ImageCacheConfig document", doc: "Serve container images from a local cache on the node." },
      nodeAddressSortAlgorithm: { t: "string", doc: "How node addresses are ordered: v1 (legacy) or v2." },
    },
  },
  "v1alpha1.HostDNSConfig": {
    fields: {
      enabled: { t: "boolean", until: "1.13", dep: "", doc: "Run the host DNS caching resolver." },
      forwardKubeDNSToHost: { t: "boolean", until: "1.13", dep: "", doc: "Forward CoreDNS upstream queries to the host DNS resolver instead of /etc/resolv.conf servers." },
      resolveMemberNames: { t: "boolean", until: "1.13", dep: "", doc: "Resolve cluster member hostnames through the host DNS resolver." },
    },
  },
  "v1alpha1.ImageCacheConfig": {
    fields: {
      localEnabled: { t: "boolean", until: "1.13", dep: "", doc: "Use the node-local image cache volume." },
    },
  },
  "v1alpha1.InstallConfig": {
    fields: {
      disk: { t: "string", until: "1.13", dep: "", doc: "Disk to install Talos on, e.g. /dev/sda (or use diskSelector)." },
      diskSelector: { t: "v1alpha1.InstallDiskSelector", until: "1.13", dep: "", doc: "Pick the install disk by its properties instead of a path." },
      extraKernelArgs: { t: "[]string", until: "1.11", dep: "set kernel arguments in the boot assets (Image Factory schematic)", doc: "Extra kernel command-line arguments for the installed system." },
      image: { t: "string", until: "1.13", dep: "", doc: "Installer image, e.g. ghcr.io/siderolabs/installer:v1.12.4 or an Image Factory image." },
      wipe: { t: "boolean", until: "1.13", dep: "", doc: "Wipe the install disk before installing." },
      legacyBIOSSupport: { t: "boolean", until: "1.13", dep: "", doc: "Mark the install disk bootable for legacy BIOS systems." },
      grubUseUKICmdline: { t: "boolean", since: "1.12", until: "1.13", dep: "", doc: "With GRUB, boot with the kernel command line embedded in the UKI." },
      extensions: { t: "[]v1alpha1.InstallExtensionConfig", dep: "build the installer image with the extensions instead (Image Factory)", doc: "System extension images to install alongside Talos." },
      bootloader: { t: "boolean", dep: "Talos always installs a bootloader", doc: "Install a bootloader." },
    },
  },
  "v1alpha1.InstallDiskSelector": {
    fields: {
      size: { t: "sizeMatcher", until: "1.13", dep: "", doc: "Disk size, or a comparison such as >= 1TB." },
      name: { t: "string", until: "1.13", dep: "", doc: "Disk name as reported by the kernel (e.g. sda)." },
      model: { t: "string", until: "1.13", dep: "", doc: "Disk model, glob allowed." },
      serial: { t: "string", until: "1.13", dep: "", doc: "Disk serial number." },
      modalias: { t: "string", until: "1.13", dep: "", doc: "Disk modalias string." },
      uuid: { t: "string", until: "1.13", dep: "", doc: "Disk UUID." },
      wwid: { t: "string", until: "1.13", dep: "", doc: "Disk WWID." },
      type: { t: "enum(ssd|hdd|nvme|sd)", until: "1.13", dep: "", doc: "Disk type: ssd, hdd, nvme or sd." },
      busPath: { t: "string", until: "1.13", dep: "", doc: "Disk bus path, glob allowed." },
    },
  },
  "v1alpha1.InstallExtensionConfig": {
    fields: {
      image: { t: "string", doc: "System extension image reference." },
    },
  },
  "v1alpha1.KernelConfig": {
    fields: {
      modules: { t: "[]v1alpha1.KernelModuleConfig", until: "1.13", dep: "", doc: "Kernel modules to load at boot." },
    },
  },
  "v1alpha1.KernelModuleConfig": {
    fields: {
      name: { t: "string", until: "1.13", dep: "", doc: "Kernel module name, e.g. drbd." },
      parameters: { t: "[]string", until: "1.13", dep: "", doc: "Module parameters, e.g. [usermode_helper=disabled]." },
    },
  },
  "v1alpha1.KubePrism": {
    fields: {
      enabled: { t: "boolean", until: "1.13", dep: "", doc: "Run KubePrism on this node." },
      port: { t: "port", until: "1.13", dep: "", doc: "Local port KubePrism listens on, usually 7445." },
    },
  },
  "v1alpha1.KubeSpanFilters": {
    fields: {
      endpoints: { t: "[]string", until: "1.12", dep: "", doc: "Which node addresses are advertised as KubeSpan endpoints (CIDRs; ! excludes)." },
      excludeAdvertisedNetworks: { t: "[]string", since: "1.12", until: "1.12", dep: "", doc: "Networks (CIDRs) never advertised to KubeSpan peers." },
    },
  },
  "v1alpha1.KubeletConfig": {
    fields: {
      image: { t: "string", until: "1.13", dep: "", doc: "Kubelet image, e.g. ghcr.io/siderolabs/kubelet:v1.35.1." },
      clusterDNS: { t: "[]string", until: "1.13", dep: "", doc: "IP addresses of the cluster DNS service handed to pods." },
      extraArgs: { t: [["1.10", "map[string]"], ["1.13", "extraArgs"]], until: "1.13", dep: "", doc: "Additional command-line flags for the component, as flag name → value (from 1.13 also a list for repeated flags)." },
      extraMounts: { t: "[]v1alpha1.ExtraMount", until: "1.13", dep: "", doc: "Extra host mounts made visible to the kubelet (e.g. for local storage)." },
      extraConfig: { t: "object", until: "1.13", dep: "", doc: "Fields merged into the KubeletConfiguration (some fields are protected)." },
      credentialProviderConfig: { t: "object", until: "1.13", dep: "", doc: "CredentialProviderConfig for kubelet image credential plugins." },
      defaultRuntimeSeccompProfileEnabled: { t: "boolean", until: "1.13", dep: "", doc: "Apply the container runtime's default seccomp profile to pods that set none." },
      registerWithFQDN: { t: "boolean", until: "1.13", dep: "", doc: "Register the node under its fully qualified domain name instead of its short hostname." },
      nodeIP: { t: "v1alpha1.KubeletNodeIPConfig", until: "1.13", dep: "", doc: "How the kubelet chooses the node IP it reports." },
      skipNodeRegistration: { t: "boolean", until: "1.13", dep: "", doc: "Run the kubelet in standalone mode without registering the node with the API server." },
      disableManifestsDirectory: { t: "boolean", until: "1.13", dep: "", doc: "Do not read static pod manifests from /etc/kubernetes/manifests." },
    },
  },
  "v1alpha1.KubeletNodeIPConfig": {
    fields: {
      validSubnets: { t: "[]string", until: "1.13", dep: "", doc: "Subnets the node IP is picked from, as CIDRs; prefix with ! to exclude one." },
    },
  },
  "v1alpha1.KubernetesTalosAPIAccessConfig": {
    fields: {
      enabled: { t: "boolean", until: "1.13", dep: "", doc: "Allow Kubernetes workloads to reach the Talos API." },
      allowedRoles: { t: "[]string", until: "1.13", dep: "", doc: "Talos API roles workloads may be granted, e.g. os:reader." },
      allowedKubernetesNamespaces: { t: "[]string", until: "1.13", dep: "", doc: "Namespaces whose pods may request Talos API access." },
    },
  },
  "v1alpha1.LinuxIDMapping": {
    fields: {
      containerID: { t: "integer", until: "1.13", dep: "", doc: "First ID inside the mount." },
      hostID: { t: "integer", until: "1.13", dep: "", doc: "First ID on the host." },
      size: { t: "integer", until: "1.13", dep: "", doc: "Number of IDs mapped." },
    },
  },
  "v1alpha1.LoggingConfig": {
    fields: {
      destinations: { t: "[]v1alpha1.LoggingDestination", doc: "Log receivers; each gets every service log line." },
    },
  },
  "v1alpha1.LoggingDestination": {
    fields: {
      endpoint: { t: "url(tcp|udp)", doc: "Receiver URL, e.g. udp://10.0.0.1:5514 or tcp://logs:5140." },
      format: { t: "enum(json_lines)", doc: "Log line format: json_lines." },
      extraTags: { t: "map[string]", doc: "Extra fields added to every log message, as name → value." },
    },
  },
  "v1alpha1.MachineConfig": {
    fields: {
      type: { t: "machineType", doc: "Role of the node: controlplane, worker, or init (the legacy first control plane)." },
      token: { t: "string", secret: true, doc: "Secret used by nodes to join the cluster and request certificates from trustd." },
      ca: { t: "v1alpha1.PEMEncodedCertificateAndKey", doc: "Talos API root CA: certificate and key (key empty on workers), base64 PEM." },
      acceptedCAs: { t: "[]v1alpha1.PEMEncodedCertificate", doc: "Extra CA certificates trusted by the Talos API, as a list of {crt} (for CA rotation)." },
      certSANs: { t: "[]string", doc: "Extra subject alternative names (DNS names or IPs) in the Talos API server certificate." },
      controlPlane: { t: "v1alpha1.MachineControlPlaneConfig", until: "1.13", dep: "use the `enabled` field of the KubeControllerManagerConfig / KubeSchedulerConfig documents", doc: "Per-node switches for the control-plane components on this node." },
      kubelet: { t: "v1alpha1.KubeletConfig", until: "1.13", dep: "use the KubeletConfig, KubeNodeConfig and KubeCredentialProviderConfig documents", doc: "Kubelet settings: image, flags, extra mounts, node IP selection." },
      pods: { t: "[]object", until: "1.13", dep: "use KubeStaticPodConfig documents", doc: "Static pod manifests the kubelet runs on this node." },
      network: { t: "v1alpha1.NetworkConfig", until: "1.12", dep: "use the network documents (HostnameConfig, LinkConfig, ResolverConfig, KubeSpanConfig, …)", doc: "Legacy network settings: hostname, interfaces, DNS and KubeSpan." },
      disks: { t: "[]v1alpha1.MachineDisk", dep: "use UserVolumeConfig documents", doc: "Extra disks to partition and mount." },
      install: { t: "v1alpha1.InstallConfig", until: "1.13", dep: "use the UnattendedInstallConfig document", doc: "Where and how Talos is installed: disk, installer image, wipe." },
      files: { t: "[]v1alpha1.MachineFile", until: "1.13", dep: "use EtcFileConfig or CRICustomizationConfig documents", doc: "Files to write on the node at boot (under /var or CRI config)." },
      env: { t: "map[string]", until: "1.12", dep: "use the EnvironmentConfig document", doc: "Environment variables for Talos services, e.g. http_proxy." },
      time: { t: "v1alpha1.TimeConfig", until: "1.11", dep: "use the TimeSyncConfig document", doc: "Time synchronization (NTP) settings." },
      sysctls: { t: "map[string]", until: "1.13", dep: "use the SysctlConfig document", doc: "Kernel parameters to set, e.g. net.ipv4.ip_forward: 1." },
      sysfs: { t: "map[string]", until: "1.13", dep: "use the SysfsConfig document", doc: "sysfs attributes to set, as path → value." },
      registries: { t: "v1alpha1.RegistriesConfig", until: "1.11", dep: "use RegistryMirrorConfig, RegistryAuthConfig and RegistryTLSConfig documents", doc: "Container image registry mirrors and credentials." },
      systemDiskEncryption: { t: "v1alpha1.SystemDiskEncryptionConfig", until: "1.10", dep: "use VolumeConfig documents for STATE and EPHEMERAL with `encryption`", doc: "Encryption of the STATE and EPHEMERAL system partitions." },
      features: { t: "v1alpha1.FeaturesConfig", doc: "Optional Talos features such as KubePrism and host DNS." },
      udev: { t: "v1alpha1.UdevConfig", until: "1.13", dep: "use the UdevRulesConfig document", doc: "Extra udev rules." },
      logging: { t: "v1alpha1.LoggingConfig", doc: "Where Talos service logs are sent besides the local buffer." },
      kernel: { t: "v1alpha1.KernelConfig", until: "1.13", dep: "use KernelModuleConfig documents", doc: "Kernel modules to load at boot." },
      seccompProfiles: { t: "[]v1alpha1.MachineSeccompProfile", doc: "Seccomp profiles written to the node for pods to reference." },
      baseRuntimeSpecOverrides: { t: "object", until: "1.13", dep: "use the CRIBaseRuntimeSpecConfig document", doc: "Overrides merged into containerd's base OCI runtime spec." },
      nodeLabels: { t: "map[string]", until: "1.13", dep: "use `labels` in the KubeNodeConfig document", doc: "Labels set on this node's Kubernetes Node object." },
      nodeAnnotations: { t: "map[string]", until: "1.13", dep: "use `annotations` in the KubeNodeConfig document", doc: "Annotations set on this node's Kubernetes Node object." },
      nodeTaints: { t: "map[string]", until: "1.13", dep: "use `taints` in the KubeNodeConfig document", doc: "Taints set on this node's Kubernetes Node object, as key → value:effect." },
    },
  },
  "v1alpha1.MachineControlPlaneConfig": {
    fields: {
      controllerManager: { t: "v1alpha1.MachineControllerManagerConfig", until: "1.13", dep: "", doc: "kube-controller-manager on this node." },
      scheduler: { t: "v1alpha1.MachineSchedulerConfig", until: "1.13", dep: "", doc: "kube-scheduler on this node." },
    },
  },
  "v1alpha1.MachineControllerManagerConfig": {
    fields: {
      disabled: { t: "boolean", until: "1.13", dep: "", doc: "Do not run kube-controller-manager on this node." },
    },
  },
  "v1alpha1.MachineDisk": {
    fields: {
      device: { t: "string", doc: "Disk to partition, e.g. /dev/sdb." },
      partitions: { t: "[]v1alpha1.DiskPartition", doc: "Partitions to create on the disk, in order." },
    },
  },
  "v1alpha1.MachineFile": {
    fields: {
      content: { t: "string", until: "1.13", dep: "", doc: "Contents of the file." },
      permissions: { t: "integer", until: "1.13", dep: "", doc: "File mode, e.g. 0o644." },
      path: { t: "string", until: "1.13", dep: "", doc: "Absolute path of the file on the node." },
      op: { t: "enum(create|append|overwrite)", until: "1.13", dep: "", doc: "create a new file, append to an existing one, or overwrite it." },
    },
  },
  "v1alpha1.MachineSchedulerConfig": {
    fields: {
      disabled: { t: "boolean", until: "1.13", dep: "", doc: "Do not run kube-scheduler on this node." },
    },
  },
  "v1alpha1.MachineSeccompProfile": {
    fields: {
      name: { t: "string", doc: "File name of the profile under /var/lib/kubelet/seccomp/profiles." },
      value: { t: "object", doc: "The seccomp profile JSON, as a YAML map." },
    },
  },
  "v1alpha1.NetworkConfig": {
    fields: {
      hostname: { t: "hostname", until: "1.11", dep: "use the HostnameConfig document", doc: "Static host name of the node." },
      interfaces: { t: "[]v1alpha1.Device", until: "1.11", dep: "use the LinkConfig, BondConfig, BridgeConfig, VLANConfig, Layer2VIPConfig, … documents", doc: "Per-interface addressing, routes, bonds, bridges, VLANs and VIPs." },
      nameservers: { t: "[]ip", until: "1.11", dep: "use the ResolverConfig document", doc: "DNS server IP addresses, in order of preference." },
      searchDomains: { t: "[]string", until: "1.11", dep: "use `searchDomains` in the ResolverConfig document", doc: "DNS search domains." },
      extraHostEntries: { t: "[]v1alpha1.ExtraHost", until: "1.11", dep: "use StaticHostConfig documents", doc: "Extra /etc/hosts entries." },
      kubespan: { t: "v1alpha1.NetworkKubeSpan", until: "1.12", dep: "use the KubeSpanConfig document", doc: "KubeSpan: a WireGuard mesh between all cluster nodes." },
      disableSearchDomain: { t: "boolean", until: "1.11", dep: "use `searchDomains.disableDefault` in the ResolverConfig document", doc: "Do not derive a DNS search domain from the host name." },
    },
  },
  "v1alpha1.NetworkDeviceSelector": {
    fields: {
      busPath: { t: "string", until: "1.11", dep: "", doc: "PCI bus path of the device, glob allowed, e.g. 0000:00:1f.6." },
      hardwareAddr: { t: "string", until: "1.11", dep: "", doc: "Current MAC address, glob allowed." },
      permanentAddr: { t: "string", until: "1.11", dep: "", doc: "Permanent (factory) MAC address, glob allowed." },
      pciID: { t: "string", until: "1.11", dep: "", doc: "PCI vendor:device ID, e.g. 8086:1521." },
      driver: { t: "string", until: "1.11", dep: "", doc: "Kernel driver name, e.g. igb." },
      physical: { t: "boolean", until: "1.11", dep: "", doc: "Match only physical interfaces." },
    },
  },
  "v1alpha1.NetworkKubeSpan": {
    fields: {
      enabled: { t: "boolean", until: "1.12", dep: "", doc: "Turn on KubeSpan (needs cluster discovery)." },
      advertiseKubernetesNetworks: { t: "boolean", until: "1.12", dep: "", doc: "Route pod networks over KubeSpan as well, not only node addresses." },
      allowDownPeerBypass: { t: "boolean", until: "1.12", dep: "", doc: "Send traffic directly, skipping the tunnel, when a KubeSpan peer is down." },
      harvestExtraEndpoints: { t: "boolean", until: "1.12", dep: "", doc: "Learn additional peer endpoints from observed WireGuard traffic." },
      mtu: { t: "integer", until: "1.12", dep: "", doc: "MTU of the KubeSpan WireGuard interface (at least 1280)." },
      filters: { t: "v1alpha1.KubeSpanFilters", until: "1.12", dep: "", doc: "Filters for the endpoints and networks KubeSpan advertises." },
    },
  },
  "v1alpha1.RegistriesConfig": {
    fields: {
      mirrors: { t: "map[v1alpha1.RegistryMirrorConfig]", until: "1.11", dep: "", doc: "Mirrors per registry host (docker.io, ghcr.io, or * for all)." },
      config: { t: "map[v1alpha1.RegistryConfig]", until: "1.11", dep: "", doc: "TLS and authentication per registry host." },
    },
  },
  "v1alpha1.RegistryAuthConfig": {
    fields: {
      username: { t: "string", until: "1.11", dep: "", doc: "User name for registry authentication." },
      password: { t: "string", until: "1.11", dep: "", secret: true, doc: "Password for registry authentication." },
      auth: { t: "string", until: "1.11", dep: "", secret: true, doc: "Base64 of user:password, as in a Docker config.json `auth` entry." },
      identityToken: { t: "string", until: "1.11", dep: "", secret: true, doc: "Identity token for registry authentication (OAuth refresh token)." },
    },
  },
  "v1alpha1.RegistryConfig": {
    fields: {
      tls: { t: "v1alpha1.RegistryTLSConfig", until: "1.11", dep: "", doc: "TLS settings for the registry." },
      auth: { t: "v1alpha1.RegistryAuthConfig", until: "1.11", dep: "", doc: "Credentials for the registry." },
    },
  },
  "v1alpha1.RegistryMirrorConfig": {
    fields: {
      endpoints: { t: "[]url(http|https)", until: "1.11", dep: "", doc: "Mirror URLs tried in order, e.g. https://mirror.gcr.io." },
      overridePath: { t: "boolean", until: "1.11", dep: "", doc: "Use the endpoint URL path as-is instead of appending /v2/." },
      skipFallback: { t: "boolean", until: "1.11", dep: "", doc: "Do not fall back to the upstream registry when all mirror endpoints fail." },
    },
  },
  "v1alpha1.RegistryTLSConfig": {
    fields: {
      clientIdentity: { t: "v1alpha1.PEMEncodedCertificateAndKey", until: "1.11", dep: "", doc: "Client certificate and key (base64 PEM) for mutual TLS." },
      ca: { t: "base64", until: "1.11", dep: "", doc: "CA certificate (base64 PEM) used to verify the registry." },
      insecureSkipVerify: { t: "boolean", until: "1.11", dep: "", doc: "Skip TLS certificate verification of the registry (unsafe; for testing)." },
    },
  },
  "v1alpha1.Route": {
    fields: {
      network: { t: "cidr", until: "1.11", dep: "", doc: "Destination network as a CIDR; 0.0.0.0/0 for the default route." },
      gateway: { t: "ip", until: "1.11", dep: "", doc: "Gateway IP address for the route." },
      source: { t: "ip", until: "1.11", dep: "", doc: "Preferred source IP address for traffic using the route." },
      metric: { t: "integer", until: "1.11", dep: "", doc: "Route metric (priority); lower wins." },
      mtu: { t: "integer", until: "1.11", dep: "", doc: "Maximum transmission unit of the link in bytes, e.g. 1500 or 9000 for jumbo frames." },
    },
  },
  "v1alpha1.STP": {
    fields: {
      enabled: { t: "boolean", until: "1.11", dep: "", doc: "Run the Spanning Tree Protocol on the bridge." },
    },
  },
  "v1alpha1.SystemDiskEncryptionConfig": {
    fields: {
      state: { t: "v1alpha1.EncryptionConfig", until: "1.10", dep: "", doc: "Encryption of the STATE partition (holds the machine config)." },
      ephemeral: { t: "v1alpha1.EncryptionConfig", until: "1.10", dep: "", doc: "Encryption of the EPHEMERAL partition (/var)." },
    },
  },
  "v1alpha1.TimeConfig": {
    fields: {
      disabled: { t: "boolean", until: "1.11", dep: "", doc: "Turn off time synchronization." },
      servers: { t: "[]string", until: "1.11", dep: "", doc: "NTP servers to synchronize time with (host names or IPs)." },
      bootTimeout: { t: "duration", until: "1.11", dep: "", doc: "How long boot waits for time synchronization before continuing, e.g. 2m0s." },
    },
  },
  "v1alpha1.UdevConfig": {
    fields: {
      rules: { t: "[]string", until: "1.13", dep: "", doc: "udev rules, one rule per string." },
    },
  },
  "v1alpha1.VIPEquinixMetalConfig": {
    fields: {
      apiToken: { t: "string", until: "1.11", dep: "", secret: true, doc: "Equinix Metal API token used to move the VIP." },
    },
  },
  "v1alpha1.VIPHCloudConfig": {
    fields: {
      apiToken: { t: "string", until: "1.11", dep: "", secret: true, doc: "Hetzner Cloud API token used to move the VIP." },
    },
  },
  "v1alpha1.Vlan": {
    fields: {
      addresses: { t: "[]ipOrCidr", until: "1.11", dep: "", doc: "Static IP addresses with prefix length assigned to the link, e.g. 10.0.0.5/24." },
      routes: { t: "[]v1alpha1.Route", until: "1.11", dep: "", doc: "Static routes to install through this link." },
      dhcp: { t: "boolean", until: "1.11", dep: "", doc: "Obtain an address on this link with DHCP." },
      vlanId: { t: "integer", until: "1.11", dep: "", doc: "VLAN ID (1–4094)." },
      mtu: { t: "integer", until: "1.11", dep: "", doc: "Maximum transmission unit of the link in bytes, e.g. 1500 or 9000 for jumbo frames." },
      vip: { t: "v1alpha1.DeviceVIPConfig", until: "1.11", dep: "", doc: "Shared virtual IP on this VLAN." },
      dhcpOptions: { t: "v1alpha1.DHCPOptions", until: "1.11", dep: "", doc: "DHCP client options." },
      cidr: { t: "ipOrCidr", dep: "use `addresses`", doc: "Address with prefix length for the link (deprecated: use addresses)." },
    },
  },
};
