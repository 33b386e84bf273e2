// Field table for the `network` Go package of Talos's machine config, one entry per type.
// Structure from the merged 1.10–1.14 schemas plus Talos's Go decoders (see ../table.ts for
// the format); the docs are Minos's own hover text.
import type { TypeTable } from "../table";

export const NETWORK_TYPES: TypeTable = {
  "network.AddressConfig": {
    doc: "",
    fields: {
      address: { t: "cidr", since: "1.12", req: true, doc: "" },
      routePriority: { t: "integer", since: "1.12", doc: "" },
    },
  },
  "network.BGPBFDConfig": {
    doc: "",
    fields: {
      transmitInterval: { t: "duration", since: "1.14", doc: "" },
      receiveInterval: { t: "duration", since: "1.14", doc: "" },
      detectMultiplier: { t: "integer", since: "1.14", doc: "" },
    },
  },
  "network.BGPImportRoute": {
    doc: "",
    fields: {
      bgpInstance: { t: "string", since: "1.14", req: true, doc: "" },
      prefixes: { t: "[]cidr", since: "1.14", req: true, doc: "" },
    },
  },
  "network.BGPInstanceConfigV1Alpha1": {
    doc: "",
    fields: {
      name: { t: "string", since: "1.14", req: true, doc: "" },
      vrf: { t: "string", since: "1.14", doc: "" },
      localASN: { t: "integer", since: "1.14", req: true, doc: "" },
      routerID: { t: "ip", since: "1.14", doc: "" },
      routeSource: { t: "string", since: "1.14", doc: "" },
      advertise: { t: "[]string", since: "1.14", doc: "" },
      multipath: { t: "boolean", since: "1.14", doc: "" },
      maxPaths: { t: "integer", since: "1.14", doc: "" },
      installRoutes: { t: "boolean", since: "1.14", doc: "" },
      importRoutes: { t: "[]network.BGPImportRoute", since: "1.14", doc: "" },
      neighbors: { t: "[]network.BGPNeighborConfig", since: "1.14", doc: "" },
    },
  },
  "network.BGPNeighborConfig": {
    doc: "",
    fields: {
      address: { t: "ip", since: "1.14", doc: "" },
      link: { t: "string", since: "1.14", doc: "" },
      peerASN: { t: "integer", since: "1.14", doc: "" },
      localASN: { t: "integer", since: "1.14", doc: "" },
      passive: { t: "boolean", since: "1.14", doc: "" },
      holdTime: { t: "duration", since: "1.14", doc: "" },
      bfd: { t: "network.BGPBFDConfig", since: "1.14", doc: "" },
    },
  },
  "network.BlackholeRouteConfigV1Alpha1": {
    doc: "",
    fields: {
      name: { t: "string", since: "1.13", req: true, doc: "" },
      metric: { t: "integer", since: "1.13", doc: "" },
    },
  },
  "network.BondConfigV1Alpha1": {
    doc: "",
    fields: {
      name: { t: "string", since: "1.12", req: true, doc: "" },
      hardwareAddr: { t: "mac", since: "1.12", doc: "" },
      links: { t: "[]string", since: "1.12", req: true, doc: "" },
      bondMode: { t: "enum(balance-rr|active-backup|balance-xor|broadcast|802.3ad|balance-tlb|balance-alb)", since: "1.12", req: true, doc: "" },
      miimon: { t: "integer", since: "1.12", doc: "" },
      updelay: { t: "integer", since: "1.12", doc: "" },
      downdelay: { t: "integer", since: "1.12", doc: "" },
      useCarrier: { t: "boolean", since: "1.12", doc: "" },
      xmitHashPolicy: { t: "enum(layer2|layer3+4|layer2+3|encap2+3|encap3+4)", since: "1.12", doc: "" },
      arpInterval: { t: "integer", since: "1.12", doc: "" },
      arpIpTargets: { t: "[]ip", since: "1.12", doc: "" },
      nsIp6Targets: { t: "[]ip", since: "1.12", doc: "" },
      arpValidate: { t: "enum(none|active|backup|all|filter|filter-active|filter-backup)", since: "1.12", doc: "" },
      arpAllTargets: { t: "enum(any|all)", since: "1.12", doc: "" },
      lacpRate: { t: "enum(slow|fast)", since: "1.12", doc: "" },
      failOverMac: { t: "enum(none|active|follow)", since: "1.12", doc: "" },
      adSelect: { t: "enum(stable|bandwidth|count)", since: "1.12", doc: "" },
      adActorSysPrio: { t: "integer", since: "1.12", doc: "" },
      adUserPortKey: { t: "integer", since: "1.12", doc: "" },
      adLACPActive: { t: "enum(on|off)", since: "1.12", doc: "" },
      primaryReselect: { t: "enum(always|better|failure)", since: "1.12", doc: "" },
      resendIGMP: { t: "integer", since: "1.12", doc: "" },
      minLinks: { t: "integer", since: "1.12", doc: "" },
      lpInterval: { t: "integer", since: "1.12", doc: "" },
      packetsPerSlave: { t: "integer", since: "1.12", doc: "" },
      numPeerNotif: { t: "integer", since: "1.12", doc: "" },
      tlbLogicalLb: { t: "integer", since: "1.12", doc: "" },
      allSlavesActive: { t: "integer", since: "1.12", doc: "" },
      peerNotifDelay: { t: "integer", since: "1.12", doc: "" },
      missedMax: { t: "integer", since: "1.12", doc: "" },
      up: { t: "boolean", since: "1.12", doc: "" },
      mtu: { t: "integer", since: "1.12", doc: "" },
      addresses: { t: "[]network.AddressConfig", since: "1.12", doc: "" },
      routes: { t: "[]network.RouteConfig", since: "1.12", doc: "" },
      multicast: { t: "boolean", since: "1.12", doc: "" },
    },
  },
  "network.BridgeConfigV1Alpha1": {
    doc: "",
    fields: {
      name: { t: "string", since: "1.12", req: true, doc: "" },
      hardwareAddr: { t: "mac", since: "1.12", doc: "" },
      links: { t: "[]string", since: "1.12", req: true, doc: "" },
      stp: { t: "network.BridgeSTPConfig", since: "1.12", doc: "" },
      vlan: { t: "network.BridgeVLANConfig", since: "1.12", doc: "" },
      up: { t: "boolean", since: "1.12", doc: "" },
      mtu: { t: "integer", since: "1.12", doc: "" },
      addresses: { t: "[]network.AddressConfig", since: "1.12", doc: "" },
      routes: { t: "[]network.RouteConfig", since: "1.12", doc: "" },
      multicast: { t: "boolean", since: "1.12", doc: "" },
    },
  },
  "network.BridgeSTPConfig": {
    doc: "",
    fields: {
      enabled: { t: "boolean", since: "1.12", doc: "" },
    },
  },
  "network.BridgeVLANConfig": {
    doc: "",
    fields: {
      filtering: { t: "boolean", since: "1.12", doc: "" },
    },
  },
  "network.CommonLinkConfig": {
    doc: "",
    fields: {
      up: { t: "boolean", since: "1.12", doc: "" },
      mtu: { t: "integer", since: "1.12", doc: "" },
      addresses: { t: "[]network.AddressConfig", since: "1.12", doc: "" },
      routes: { t: "[]network.RouteConfig", since: "1.12", doc: "" },
      multicast: { t: "boolean", since: "1.12", doc: "" },
    },
  },
  "network.CommonProbeConfig": {
    doc: "",
    fields: {
      interval: { t: "duration", since: "1.13", doc: "" },
      failureThreshold: { t: "integer", since: "1.13", doc: "" },
    },
  },
  "network.DHCPv4ConfigV1Alpha1": {
    doc: "",
    fields: {
      name: { t: "string", since: "1.12", req: true, doc: "" },
      routeMetric: { t: "integer", since: "1.12", doc: "" },
      ignoreHostname: { t: "boolean", since: "1.12", doc: "" },
      clientIdentifier: { t: "enum(none|mac|duid)", since: "1.12", doc: "" },
      duidRaw: { t: "duid", since: "1.12", doc: "" },
      ignoreRoutes: { t: "boolean", since: "1.14", doc: "" },
    },
  },
  "network.DHCPv6ConfigV1Alpha1": {
    doc: "",
    fields: {
      name: { t: "string", since: "1.12", req: true, doc: "" },
      routeMetric: { t: "integer", since: "1.12", doc: "" },
      ignoreHostname: { t: "boolean", since: "1.12", doc: "" },
      clientIdentifier: { t: "enum(none|mac|duid)", since: "1.12", doc: "" },
      duidRaw: { t: "duid", since: "1.12", doc: "" },
    },
  },
  "network.DefaultActionConfigV1Alpha1": {
    doc: "",
    fields: {
      ingress: { t: "enum(accept|block)", doc: "" },
    },
  },
  "network.DummyLinkConfigV1Alpha1": {
    doc: "",
    fields: {
      name: { t: "string", since: "1.12", req: true, doc: "" },
      hardwareAddr: { t: "mac", since: "1.12", doc: "" },
      up: { t: "boolean", since: "1.12", doc: "" },
      mtu: { t: "integer", since: "1.12", doc: "" },
      addresses: { t: "[]network.AddressConfig", since: "1.12", doc: "" },
      routes: { t: "[]network.RouteConfig", since: "1.12", doc: "" },
      multicast: { t: "boolean", since: "1.12", doc: "" },
    },
  },
  "network.EthernetChannelsConfig": {
    doc: "",
    fields: {
      rx: { t: "integer", doc: "" },
      tx: { t: "integer", doc: "" },
      other: { t: "integer", doc: "" },
      combined: { t: "integer", doc: "" },
    },
  },
  "network.EthernetConfigV1Alpha1": {
    doc: "",
    fields: {
      name: { t: "string", req: true, doc: "" },
      features: { t: "map[boolean]", doc: "" },
      rings: { t: "network.EthernetRingsConfig", doc: "" },
      channels: { t: "network.EthernetChannelsConfig", doc: "" },
      wakeOnLan: { t: "[]string", since: "1.12", doc: "" },
    },
  },
  "network.EthernetRingsConfig": {
    doc: "",
    fields: {
      rx: { t: "integer", doc: "" },
      tx: { t: "integer", doc: "" },
      "rx-mini": { t: "integer", doc: "" },
      "rx-jumbo": { t: "integer", doc: "" },
      "rx-buf-len": { t: "integer", doc: "" },
      "cqe-size": { t: "integer", doc: "" },
      "tx-push": { t: "boolean", doc: "" },
      "rx-push": { t: "boolean", doc: "" },
      "tx-push-buf-len": { t: "integer", doc: "" },
      "tcp-data-split": { t: "boolean", doc: "" },
    },
  },
  "network.HCloudVIPConfigV1Alpha1": {
    doc: "",
    fields: {
      name: { t: "string", since: "1.12", req: true, doc: "" },
      link: { t: "string", since: "1.12", doc: "" },
      apiToken: { t: "string", since: "1.12", doc: "" },
    },
  },
  "network.HTTPProbeConfigV1Alpha1": {
    doc: "",
    fields: {
      name: { t: "string", since: "1.14", req: true, doc: "" },
      interval: { t: "duration", since: "1.14", doc: "" },
      failureThreshold: { t: "integer", since: "1.14", doc: "" },
      url: { t: "url(http|https)", since: "1.14", req: true, doc: "" },
      timeout: { t: "duration", since: "1.14", doc: "" },
    },
  },
  "network.HostDNSConfig": {
    doc: "",
    fields: {
      enabled: { t: "boolean", since: "1.14", doc: "" },
      forwardKubeDNSToHost: { t: "boolean", since: "1.14", doc: "" },
      resolveMemberNames: { t: "boolean", since: "1.14", doc: "" },
    },
  },
  "network.HostnameConfigV1Alpha1": {
    doc: "",
    fields: {
      auto: { t: "enum(stable|off)", since: "1.12", doc: "" },
      hostname: { t: "hostname", since: "1.12", doc: "" },
    },
  },
  "network.IngressRule": {
    doc: "",
    fields: {
      subnet: { t: "cidr", doc: "" },
      except: { t: "cidr", doc: "" },
    },
  },
  "network.KubeSpanConfigV1Alpha1": {
    doc: "",
    fields: {
      enabled: { t: "boolean", since: "1.13", doc: "" },
      advertiseKubernetesNetworks: { t: "boolean", since: "1.13", doc: "" },
      allowDownPeerBypass: { t: "boolean", since: "1.13", doc: "" },
      harvestExtraEndpoints: { t: "boolean", since: "1.13", doc: "" },
      mtu: { t: "integer", since: "1.13", doc: "" },
      filters: { t: "network.KubeSpanFiltersConfig", since: "1.13", doc: "" },
    },
  },
  "network.KubeSpanFiltersConfig": {
    doc: "",
    fields: {
      endpoints: { t: "[]string", since: "1.13", doc: "" },
      excludeAdvertisedNetworks: { t: "[]cidr", since: "1.13", doc: "" },
    },
  },
  "network.KubespanEndpointsConfigV1Alpha1": {
    doc: "",
    fields: {
      extraAnnouncedEndpoints: { t: "[]string", doc: "" },
    },
  },
  "network.Layer2VIPConfigV1Alpha1": {
    doc: "",
    fields: {
      name: { t: "string", since: "1.12", req: true, doc: "" },
      link: { t: "string", since: "1.12", doc: "" },
    },
  },
  "network.LinkAliasConfigV1Alpha1": {
    doc: "",
    fields: {
      name: { t: "string", since: "1.12", req: true, doc: "" },
      selector: { t: "network.LinkSelector", since: "1.12", doc: "" },
    },
  },
  "network.LinkConfigV1Alpha1": {
    doc: "",
    fields: {
      name: { t: "string", since: "1.12", req: true, doc: "" },
      up: { t: "boolean", since: "1.12", doc: "" },
      mtu: { t: "integer", since: "1.12", doc: "" },
      addresses: { t: "[]network.AddressConfig", since: "1.12", doc: "" },
      routes: { t: "[]network.RouteConfig", since: "1.12", doc: "" },
      multicast: { t: "boolean", since: "1.12", doc: "" },
    },
  },
  "network.LinkSelector": {
    doc: "",
    fields: {
      match: { t: "string", since: "1.12", doc: "" },
    },
  },
  "network.NTPConfig": {
    doc: "",
    fields: {
      servers: { t: "[]string", since: "1.12", doc: "" },
      useNTS: { t: "boolean", since: "1.14", doc: "" },
    },
  },
  "network.NameserverConfig": {
    doc: "",
    fields: {
      address: { t: "ip", since: "1.12", doc: "" },
      protocol: { t: "enum(Do53|DoT|DoH)", since: "1.14", doc: "" },
      tlsServerName: { t: "string", since: "1.14", doc: "" },
    },
  },
  "network.PTPConfig": {
    doc: "",
    fields: {
      devices: { t: "[]string", since: "1.12", doc: "" },
    },
  },
  "network.ResolverConfigV1Alpha1": {
    doc: "",
    fields: {
      nameservers: { t: "[]network.NameserverConfig", since: "1.12", doc: "" },
      searchDomains: { t: "network.SearchDomainsConfig", since: "1.12", doc: "" },
      hostDNS: { t: "network.HostDNSConfig", since: "1.14", doc: "" },
    },
  },
  "network.RouteConfig": {
    doc: "",
    fields: {
      destination: { t: "cidr", since: "1.12", doc: "" },
      gateway: { t: "ip", since: "1.12", doc: "" },
      source: { t: "ip", since: "1.12", doc: "" },
      metric: { t: "integer", since: "1.12", doc: "" },
      mtu: { t: "integer", since: "1.12", doc: "" },
      table: { t: "string", since: "1.12", doc: "" },
    },
  },
  "network.RoutingRuleConfigV1Alpha1": {
    doc: "",
    fields: {
      name: { t: "string", since: "1.13", req: true, doc: "" },
      src: { t: "string", since: "1.13", doc: "" },
      dst: { t: "string", since: "1.13", doc: "" },
      table: { t: "string", since: "1.13", req: true, doc: "" },
      action: { t: "integer", since: "1.13", doc: "" },
      iifName: { t: "string", since: "1.13", doc: "" },
      oifName: { t: "string", since: "1.13", doc: "" },
      fwMark: { t: "integer", since: "1.13", doc: "" },
      fwMask: { t: "integer", since: "1.13", doc: "" },
    },
  },
  "network.RuleConfigV1Alpha1": {
    doc: "",
    fields: {
      name: { t: "string", req: true, doc: "" },
      portSelector: { t: "network.RulePortSelector", doc: "" },
      ingress: { t: "[]network.IngressRule", doc: "" },
    },
  },
  "network.RulePortSelector": {
    doc: "",
    fields: {
      ports: { t: "portRanges", doc: "" },
      protocol: { t: "enum(tcp|udp|icmp|icmpv6)", doc: "" },
    },
  },
  "network.SearchDomainsConfig": {
    doc: "",
    fields: {
      domains: { t: "[]string", since: "1.12", doc: "" },
      disableDefault: { t: "boolean", since: "1.12", doc: "" },
    },
  },
  "network.StaticHostConfigV1Alpha1": {
    doc: "",
    fields: {
      name: { t: "string", since: "1.12", req: true, doc: "" },
      hostnames: { t: "[]string", since: "1.12", doc: "" },
    },
  },
  "network.TCPProbeConfigV1Alpha1": {
    doc: "",
    fields: {
      name: { t: "string", since: "1.13", req: true, doc: "" },
      interval: { t: "duration", since: "1.13", doc: "" },
      failureThreshold: { t: "integer", since: "1.13", doc: "" },
      endpoint: { t: "string", since: "1.13", req: true, doc: "" },
      timeout: { t: "duration", since: "1.13", doc: "" },
    },
  },
  "network.TimeSyncConfigV1Alpha1": {
    doc: "",
    fields: {
      enabled: { t: "boolean", since: "1.12", doc: "" },
      bootTimeout: { t: "duration", since: "1.12", doc: "" },
      ntp: { t: "network.NTPConfig", since: "1.12", doc: "" },
      ptp: { t: "network.PTPConfig", since: "1.12", doc: "" },
    },
  },
  "network.VLANConfigV1Alpha1": {
    doc: "",
    fields: {
      name: { t: "string", since: "1.12", req: true, doc: "" },
      vlanID: { t: "integer", since: "1.12", req: true, doc: "" },
      vlanMode: { t: "enum(802.1q|802.1ad)", since: "1.12", doc: "" },
      parent: { t: "string", since: "1.12", req: true, doc: "" },
      up: { t: "boolean", since: "1.12", doc: "" },
      mtu: { t: "integer", since: "1.12", doc: "" },
      addresses: { t: "[]network.AddressConfig", since: "1.12", doc: "" },
      routes: { t: "[]network.RouteConfig", since: "1.12", doc: "" },
      multicast: { t: "boolean", since: "1.12", doc: "" },
    },
  },
  "network.VRFConfigV1Alpha1": {
    doc: "",
    fields: {
      name: { t: "string", since: "1.13", req: true, doc: "" },
      hardwareAddr: { t: "mac", since: "1.13", doc: "" },
      links: { t: "[]string", since: "1.13", req: true, doc: "" },
      table: { t: "string", since: "1.13", req: true, doc: "" },
      up: { t: "boolean", since: "1.13", doc: "" },
      mtu: { t: "integer", since: "1.13", doc: "" },
      addresses: { t: "[]network.AddressConfig", since: "1.13", doc: "" },
      routes: { t: "[]network.RouteConfig", since: "1.13", doc: "" },
      multicast: { t: "boolean", since: "1.13", doc: "" },
    },
  },
  "network.VethConfigV1Alpha1": {
    doc: "",
    fields: {
      name: { t: "string", since: "1.14", req: true, doc: "" },
      peer: { t: "network.VethPeerConfig", since: "1.14", req: true, doc: "" },
      up: { t: "boolean", since: "1.14", doc: "" },
      mtu: { t: "integer", since: "1.14", doc: "" },
      addresses: { t: "[]network.AddressConfig", since: "1.14", doc: "" },
      routes: { t: "[]network.RouteConfig", since: "1.14", doc: "" },
      multicast: { t: "boolean", since: "1.14", doc: "" },
    },
  },
  "network.VethPeerConfig": {
    doc: "",
    fields: {
      name: { t: "string", since: "1.14", req: true, doc: "" },
      up: { t: "boolean", since: "1.14", doc: "" },
      mtu: { t: "integer", since: "1.14", doc: "" },
      addresses: { t: "[]network.AddressConfig", since: "1.14", doc: "" },
      routes: { t: "[]network.RouteConfig", since: "1.14", doc: "" },
      multicast: { t: "boolean", since: "1.14", doc: "" },
    },
  },
  "network.WireguardConfigV1Alpha1": {
    doc: "",
    fields: {
      name: { t: "string", since: "1.12", req: true, doc: "" },
      privateKey: { t: "string", since: "1.12", req: true, doc: "" },
      listenPort: { t: "port", since: "1.12", doc: "" },
      firewallMark: { t: "integer", since: "1.12", doc: "" },
      peers: { t: "[]network.WireguardPeer", since: "1.12", doc: "" },
      up: { t: "boolean", since: "1.12", doc: "" },
      mtu: { t: "integer", since: "1.12", doc: "" },
      addresses: { t: "[]network.AddressConfig", since: "1.12", doc: "" },
      routes: { t: "[]network.RouteConfig", since: "1.12", doc: "" },
      multicast: { t: "boolean", since: "1.12", doc: "" },
    },
  },
  "network.WireguardPeer": {
    doc: "",
    fields: {
      publicKey: { t: "string", since: "1.12", req: true, doc: "" },
      presharedKey: { t: "string", since: "1.12", doc: "" },
      endpoint: { t: "hostPort", since: "1.12", doc: "" },
      persistentKeepaliveInterval: { t: "duration", since: "1.12", doc: "" },
      allowedIPs: { t: "[]cidr", since: "1.12", doc: "" },
    },
  },
};
