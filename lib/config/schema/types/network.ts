// Field table for the `network` Go package of Talos's machine config, one entry per type.
// Structure from the merged 1.10–1.14 schemas plus Talos's Go decoders (see ../table.ts for
// the format); the docs are Minos's own hover text.
import type { TypeTable } from "../table";

export const NETWORK_TYPES: TypeTable = {
  "network.AddressConfig": {
    fields: {
      address: { t: "cidr", since: "1.12", req: true, doc: "IP address with prefix length, e.g. 10.0.0.5/24." },
      routePriority: { t: "integer", since: "1.12", doc: "Priority (metric) of the prefix route created for the address." },
    },
  },
  "network.BGPBFDConfig": {
    fields: {
      transmitInterval: { t: "duration", since: "1.14", doc: "BFD transmit interval, e.g. 300ms." },
      receiveInterval: { t: "duration", since: "1.14", doc: "BFD receive interval, e.g. 300ms." },
      detectMultiplier: { t: "integer", since: "1.14", doc: "Missed BFD packets before the session is declared down." },
    },
  },
  "network.BGPImportRoute": {
    fields: {
      bgpInstance: { t: "string", since: "1.14", req: true, doc: "Name of the BGP instance the routes come from." },
      prefixes: { t: "[]cidr", since: "1.14", req: true, doc: "Prefixes (CIDRs) imported." },
    },
  },
  "network.BGPInstanceConfigV1Alpha1": {
    fields: {
      name: { t: "string", since: "1.14", req: true, doc: "Name of the BGP instance." },
      vrf: { t: "string", since: "1.14", doc: "VRF the instance runs in." },
      localASN: { t: "integer", since: "1.14", req: true, doc: "Local autonomous system number." },
      routerID: { t: "ip", since: "1.14", doc: "BGP router ID (an IPv4 address)." },
      routeSource: { t: "ip", since: "1.14", doc: "Source address for advertised routes." },
      advertise: { t: "[]string", since: "1.14", doc: "Prefixes or addresses to advertise." },
      multipath: { t: "boolean", since: "1.14", doc: "Install equal-cost multipath routes." },
      maxPaths: { t: "integer", since: "1.14", doc: "Maximum number of multipath routes." },
      installRoutes: { t: "boolean", since: "1.14", doc: "Install learned routes into the kernel." },
      importRoutes: { t: "[]network.BGPImportRoute", since: "1.14", doc: "Routes imported from other BGP instances." },
      neighbors: { t: "[]network.BGPNeighborConfig", since: "1.14", doc: "BGP peers." },
    },
  },
  "network.BGPNeighborConfig": {
    fields: {
      address: { t: "ip", since: "1.14", doc: "IP address of the peer." },
      link: { t: "string", since: "1.14", doc: "Link to peer over (unnumbered BGP)." },
      peerASN: { t: "integer", since: "1.14", doc: "Autonomous system number of the peer." },
      localASN: { t: "integer", since: "1.14", doc: "Local ASN for this peer, overriding the instance's." },
      passive: { t: "boolean", since: "1.14", doc: "Wait for the peer to connect instead of connecting." },
      holdTime: { t: "duration", since: "1.14", doc: "BGP hold time, e.g. 90s." },
      bfd: { t: "network.BGPBFDConfig", since: "1.14", doc: "Bidirectional Forwarding Detection for fast failure detection." },
    },
  },
  "network.BlackholeRouteConfigV1Alpha1": {
    fields: {
      name: { t: "string", since: "1.13", req: true, doc: "Destination prefix (CIDR) to blackhole, e.g. 10.99.0.0/16." },
      metric: { t: "integer", since: "1.13", doc: "Metric of the blackhole route." },
    },
  },
  "network.BondConfigV1Alpha1": {
    fields: {
      name: { t: "string", since: "1.12", req: true, doc: "Name of the bond link, e.g. bond0." },
      hardwareAddr: { t: "hardwareAddr", since: "1.12", doc: "MAC address to set on the link, e.g. 52:54:00:12:34:56." },
      links: { t: "[]string", since: "1.12", req: true, doc: "Names (or aliases) of the links to bond." },
      bondMode: { t: "text(BondMode)", since: "1.12", req: true, doc: "Bonding mode, e.g. active-backup or 802.3ad (LACP)." },
      miimon: { t: "integer", since: "1.12", doc: "Link monitoring interval in milliseconds (MII); 0 disables it." },
      updelay: { t: "integer", since: "1.12", doc: "Milliseconds to wait before enabling a member after its link comes up; a multiple of miimon." },
      downdelay: { t: "integer", since: "1.12", doc: "Milliseconds to wait before disabling a member after its link goes down; a multiple of miimon." },
      useCarrier: { t: "boolean", since: "1.12", doc: "Use the driver's carrier state instead of MII ioctls for link monitoring." },
      xmitHashPolicy: { t: "text(BondXmitHashPolicy)", since: "1.12", doc: "Hash used to pick the member for each packet in balance-xor and 802.3ad modes." },
      arpInterval: { t: "integer", since: "1.12", doc: "ARP monitoring interval in milliseconds; 0 disables it." },
      arpIpTargets: { t: "[]ip", since: "1.12", doc: "IPv4 addresses probed by ARP monitoring." },
      nsIp6Targets: { t: "[]ip", since: "1.12", doc: "IPv6 addresses probed by neighbor solicitation monitoring." },
      arpValidate: { t: "text(ARPValidate)", since: "1.12", doc: "Which ARP probes and replies are validated in active-backup mode." },
      arpAllTargets: { t: "text(ARPAllTargets)", since: "1.12", doc: "Whether any or all ARP targets must be reachable for a member to be up." },
      lacpRate: { t: "text(LACPRate)", since: "1.12", doc: "How often LACP partners are asked to send LACPDUs in 802.3ad mode: slow (30s) or fast (1s)." },
      failOverMac: { t: "failOverMac", since: "1.12", doc: "How MAC addresses are handled on failover in active-backup mode." },
      adSelect: { t: "text(ADSelect)", since: "1.12", doc: "802.3ad aggregator selection logic." },
      adActorSysPrio: { t: "integer", since: "1.12", doc: "802.3ad system priority (1–65535)." },
      adUserPortKey: { t: "integer", since: "1.12", doc: "Upper 10 bits of the 802.3ad port key." },
      adLACPActive: { t: "text(ADLACPActive)", since: "1.12", doc: "Send LACPDUs actively (on) or only in response (off)." },
      primaryReselect: { t: "text(PrimaryReselect)", since: "1.12", doc: "When the primary member becomes active again after recovering." },
      resendIGMP: { t: "integer", since: "1.12", doc: "Number of IGMP membership reports sent after a failover." },
      minLinks: { t: "integer", since: "1.12", doc: "Minimum number of members that must be up for the bond to be up." },
      lpInterval: { t: "integer", since: "1.12", doc: "Seconds between learning packets sent to the peer switch in balance-tlb/alb modes." },
      packetsPerSlave: { t: "integer", since: "1.12", doc: "Packets sent through one member before moving to the next in balance-rr mode." },
      numPeerNotif: { t: "integer", since: "1.12", doc: "Number of gratuitous ARP/unsolicited NA notifications sent after a failover." },
      tlbLogicalLb: { t: "integer", since: "1.12", doc: "Logical load balancing in balance-tlb mode (1 on, 0 off)." },
      allSlavesActive: { t: "integer", since: "1.12", doc: "Deliver duplicate frames received on inactive members (1) or drop them (0)." },
      peerNotifDelay: { t: "integer", since: "1.12", doc: "Milliseconds between peer notifications after a failover." },
      missedMax: { t: "integer", since: "1.12", doc: "Missed ARP/NS probes before a member is considered down." },
      up: { t: "boolean", since: "1.12", doc: "Bring the link up (administratively enabled)." },
      mtu: { t: "integer", since: "1.12", doc: "Maximum transmission unit of the link in bytes, e.g. 1500 or 9000 for jumbo frames." },
      addresses: { t: "[]network.AddressConfig", since: "1.12", doc: "Static IP addresses with prefix length assigned to the link, e.g. 10.0.0.5/24." },
      routes: { t: "[]network.RouteConfig", since: "1.12", doc: "Static routes to install through this link." },
      multicast: { t: "boolean", since: "1.12", doc: "Enable multicast on the link." },
    },
  },
  "network.BridgeConfigV1Alpha1": {
    fields: {
      name: { t: "string", since: "1.12", req: true, doc: "Name of the bridge link, e.g. br0." },
      hardwareAddr: { t: "hardwareAddr", since: "1.12", doc: "MAC address to set on the link, e.g. 52:54:00:12:34:56." },
      links: { t: "[]string", since: "1.12", req: true, doc: "Names (or aliases) of the links to attach to the bridge." },
      stp: { t: "network.BridgeSTPConfig", since: "1.12", doc: "Spanning Tree Protocol settings." },
      vlan: { t: "network.BridgeVLANConfig", since: "1.12", doc: "VLAN filtering settings." },
      up: { t: "boolean", since: "1.12", doc: "Bring the link up (administratively enabled)." },
      mtu: { t: "integer", since: "1.12", doc: "Maximum transmission unit of the link in bytes, e.g. 1500 or 9000 for jumbo frames." },
      addresses: { t: "[]network.AddressConfig", since: "1.12", doc: "Static IP addresses with prefix length assigned to the link, e.g. 10.0.0.5/24." },
      routes: { t: "[]network.RouteConfig", since: "1.12", doc: "Static routes to install through this link." },
      multicast: { t: "boolean", since: "1.12", doc: "Enable multicast on the link." },
    },
  },
  "network.BridgeSTPConfig": {
    fields: {
      enabled: { t: "boolean", since: "1.12", doc: "Run the Spanning Tree Protocol on the bridge." },
    },
  },
  "network.BridgeVLANConfig": {
    fields: {
      filtering: { t: "boolean", since: "1.12", doc: "Filter traffic by VLAN tag on the bridge." },
    },
  },
  "network.CommonLinkConfig": {
    fields: {
      up: { t: "boolean", since: "1.12", doc: "Bring the link up (administratively enabled)." },
      mtu: { t: "integer", since: "1.12", doc: "Maximum transmission unit of the link in bytes, e.g. 1500 or 9000 for jumbo frames." },
      addresses: { t: "[]network.AddressConfig", since: "1.12", doc: "Static IP addresses with prefix length assigned to the link, e.g. 10.0.0.5/24." },
      routes: { t: "[]network.RouteConfig", since: "1.12", doc: "Static routes to install through this link." },
      multicast: { t: "boolean", since: "1.12", doc: "Enable multicast on the link." },
    },
  },
  "network.CommonProbeConfig": {
    fields: {
      interval: { t: "duration", since: "1.13", doc: "Interval between probes, e.g. 1s." },
      failureThreshold: { t: "integer", since: "1.13", doc: "Number of consecutive failures before the probe reports failure." },
    },
  },
  "network.DHCPv4ConfigV1Alpha1": {
    fields: {
      name: { t: "string", since: "1.12", req: true, doc: "Link to run the DHCPv4 client on, e.g. eth0." },
      routeMetric: { t: "integer", since: "1.12", doc: "Metric (priority) of routes learned from DHCP; lower wins." },
      ignoreHostname: { t: "boolean", since: "1.12", doc: "Ignore the hostname offered by the DHCP server." },
      clientIdentifier: { t: "text(ClientIdentifier)", since: "1.12", doc: "How the DHCP client identifies itself: none, the MAC address, or a DUID." },
      duidRaw: { t: "hardwareAddr", since: "1.12", doc: "Raw DUID sent as the client identifier, hex bytes separated by colons." },
      ignoreRoutes: { t: "boolean", since: "1.14", doc: "Ignore routes offered by the DHCP server." },
    },
  },
  "network.DHCPv6ConfigV1Alpha1": {
    fields: {
      name: { t: "string", since: "1.12", req: true, doc: "Link to run the DHCPv6 client on, e.g. eth0." },
      routeMetric: { t: "integer", since: "1.12", doc: "Metric (priority) of routes learned from DHCP; lower wins." },
      ignoreHostname: { t: "boolean", since: "1.12", doc: "Ignore the hostname offered by the DHCP server." },
      clientIdentifier: { t: "text(ClientIdentifier)", since: "1.12", doc: "How the DHCP client identifies itself: none, the MAC address, or a DUID." },
      duidRaw: { t: "hardwareAddr", since: "1.12", doc: "Raw DUID sent as the client identifier, hex bytes separated by colons." },
    },
  },
  "network.DefaultActionConfigV1Alpha1": {
    fields: {
      ingress: { t: "text(DefaultAction)", doc: "Default for ingress traffic not matched by a NetworkRuleConfig: accept or block." },
    },
  },
  "network.DummyLinkConfigV1Alpha1": {
    fields: {
      name: { t: "string", since: "1.12", req: true, doc: "Name of the dummy link, e.g. dummy0." },
      hardwareAddr: { t: "hardwareAddr", since: "1.12", doc: "MAC address to set on the link, e.g. 52:54:00:12:34:56." },
      up: { t: "boolean", since: "1.12", doc: "Bring the link up (administratively enabled)." },
      mtu: { t: "integer", since: "1.12", doc: "Maximum transmission unit of the link in bytes, e.g. 1500 or 9000 for jumbo frames." },
      addresses: { t: "[]network.AddressConfig", since: "1.12", doc: "Static IP addresses with prefix length assigned to the link, e.g. 10.0.0.5/24." },
      routes: { t: "[]network.RouteConfig", since: "1.12", doc: "Static routes to install through this link." },
      multicast: { t: "boolean", since: "1.12", doc: "Enable multicast on the link." },
    },
  },
  "network.EthernetChannelsConfig": {
    fields: {
      rx: { t: "integer", doc: "Number of receive channels." },
      tx: { t: "integer", doc: "Number of transmit channels." },
      other: { t: "integer", doc: "Number of other channels." },
      combined: { t: "integer", doc: "Number of combined channels." },
    },
  },
  "network.EthernetConfigV1Alpha1": {
    fields: {
      name: { t: "string", req: true, doc: "Name of the Ethernet link, e.g. enp0s1." },
      features: { t: "map[boolean]", doc: "Offload features to turn on or off, e.g. tx-checksumming: false (ethtool -K)." },
      rings: { t: "network.EthernetRingsConfig", doc: "Ring buffer sizes (ethtool -G)." },
      channels: { t: "network.EthernetChannelsConfig", doc: "Queue channel counts (ethtool -L)." },
      wakeOnLan: { t: "[]text(WOLMode)", since: "1.12", doc: "Wake-on-LAN modes, e.g. [magic]." },
    },
  },
  "network.EthernetRingsConfig": {
    fields: {
      rx: { t: "integer", doc: "Receive ring size." },
      tx: { t: "integer", doc: "Transmit ring size." },
      "rx-mini": { t: "integer", doc: "Receive mini ring size." },
      "rx-jumbo": { t: "integer", doc: "Receive jumbo ring size." },
      "rx-buf-len": { t: "integer", doc: "Receive buffer length." },
      "cqe-size": { t: "integer", doc: "Completion queue entry size." },
      "tx-push": { t: "boolean", doc: "Enable transmit push." },
      "rx-push": { t: "boolean", doc: "Enable receive push." },
      "tx-push-buf-len": { t: "integer", doc: "Transmit push buffer length." },
      "tcp-data-split": { t: "boolean", doc: "Enable TCP header/data split." },
    },
  },
  "network.HCloudVIPConfigV1Alpha1": {
    fields: {
      name: { t: "string", since: "1.12", req: true, doc: "The virtual IP address, e.g. 10.0.0.10." },
      link: { t: "string", since: "1.12", doc: "Link the VIP is assigned on." },
      apiToken: { t: "string", since: "1.12", secret: true, doc: "Hetzner Cloud API token used to move the VIP." },
    },
  },
  "network.HTTPProbeConfigV1Alpha1": {
    fields: {
      name: { t: "string", since: "1.14", req: true, doc: "Name of the probe." },
      interval: { t: "duration", since: "1.14", doc: "How often the check or task runs, as a Go duration such as 30s or 168h." },
      failureThreshold: { t: "integer", since: "1.14", doc: "Number of consecutive failures before the probe reports failure." },
      url: { t: "url(http|https)", since: "1.14", req: true, doc: "URL checked; any 2xx answer is success." },
      timeout: { t: "duration", since: "1.14", doc: "How long to wait before giving up, as a Go duration such as 10s." },
    },
  },
  "network.HostDNSConfig": {
    fields: {
      enabled: { t: "boolean", since: "1.14", doc: "Turn this feature on or off." },
      forwardKubeDNSToHost: { t: "boolean", since: "1.14", doc: "Forward CoreDNS upstream queries to the host DNS resolver instead of /etc/resolv.conf servers." },
      resolveMemberNames: { t: "boolean", since: "1.14", doc: "Resolve cluster member hostnames through the host DNS resolver." },
    },
  },
  "network.HostnameConfigV1Alpha1": {
    fields: {
      auto: { t: "text(AutoHostnameKind)", since: "1.12", doc: "Automatic host name: stable (derived from the machine ID) or off." },
      hostname: { t: "hostname", since: "1.12", doc: "Static host name (may be fully qualified)." },
    },
  },
  "network.IngressRule": {
    fields: {
      subnet: { t: "cidr", doc: "Allowed source network as a CIDR." },
      except: { t: "cidr", doc: "Network (CIDR) inside subnet that stays blocked." },
    },
  },
  "network.KubeSpanConfigV1Alpha1": {
    fields: {
      enabled: { t: "boolean", since: "1.13", doc: "Turn on KubeSpan (needs cluster discovery)." },
      advertiseKubernetesNetworks: { t: "boolean", since: "1.13", doc: "Route pod networks over KubeSpan as well, not only node addresses." },
      allowDownPeerBypass: { t: "boolean", since: "1.13", doc: "Send traffic directly, skipping the tunnel, when a KubeSpan peer is down." },
      harvestExtraEndpoints: { t: "boolean", since: "1.13", doc: "Learn additional peer endpoints from observed WireGuard traffic." },
      mtu: { t: "integer", since: "1.13", doc: "MTU of the KubeSpan WireGuard interface (at least 1280)." },
      filters: { t: "network.KubeSpanFiltersConfig", since: "1.13", doc: "Filters for the endpoints and networks KubeSpan advertises." },
    },
  },
  "network.KubeSpanFiltersConfig": {
    fields: {
      endpoints: { t: "[]string", since: "1.13", doc: "Endpoint filters (CIDRs, ! to exclude) for the addresses advertised to peers." },
      excludeAdvertisedNetworks: { t: "[]cidr", since: "1.13", doc: "Networks (CIDRs) never advertised to KubeSpan peers." },
    },
  },
  "network.KubespanEndpointsConfigV1Alpha1": {
    fields: {
      extraAnnouncedEndpoints: { t: "[]addrPort", doc: "Extra endpoints (ip:port) announced to peers, e.g. a NAT public address." },
    },
  },
  "network.Layer2VIPConfigV1Alpha1": {
    fields: {
      name: { t: "string", since: "1.12", req: true, doc: "The virtual IP address, e.g. 10.0.0.10." },
      link: { t: "string", since: "1.12", doc: "Link the VIP is announced on (gratuitous ARP/NDP)." },
    },
  },
  "network.LinkAliasConfigV1Alpha1": {
    fields: {
      name: { t: "string", since: "1.12", req: true, doc: "Alias name to give the matched link, e.g. uplink." },
      selector: { t: "network.LinkSelector", since: "1.12", doc: "Selects exactly one link." },
    },
  },
  "network.LinkConfigV1Alpha1": {
    fields: {
      name: { t: "string", since: "1.12", req: true, doc: "Name (or alias) of the physical link, e.g. eth0." },
      up: { t: "boolean", since: "1.12", doc: "Bring the link up (administratively enabled)." },
      mtu: { t: "integer", since: "1.12", doc: "Maximum transmission unit of the link in bytes, e.g. 1500 or 9000 for jumbo frames." },
      addresses: { t: "[]network.AddressConfig", since: "1.12", doc: "Static IP addresses with prefix length assigned to the link, e.g. 10.0.0.5/24." },
      routes: { t: "[]network.RouteConfig", since: "1.12", doc: "Static routes to install through this link." },
      multicast: { t: "boolean", since: "1.12", doc: "Enable multicast on the link." },
    },
  },
  "network.LinkSelector": {
    fields: {
      match: { t: "string", since: "1.12", doc: "CEL expression over the link, e.g. `mac(link.permanent_addr) == \"52:54:00:12:34:56\"`." },
    },
  },
  "network.NTPConfig": {
    fields: {
      servers: { t: "[]string", since: "1.12", doc: "NTP servers (host names or IPs)." },
      useNTS: { t: "boolean", since: "1.14", doc: "Authenticate NTP with Network Time Security." },
    },
  },
  "network.NameserverConfig": {
    fields: {
      address: { t: "ip", since: "1.12", doc: "IP address of the DNS server." },
      protocol: { t: "text(DNSProtocol)", since: "1.14", doc: "Transport: Do53 (plain), DoT (TLS) or DoH (HTTPS)." },
      tlsServerName: { t: "string", since: "1.14", doc: "Server name verified for DoT/DoH." },
    },
  },
  "network.PTPConfig": {
    fields: {
      devices: { t: "[]string", since: "1.12", doc: "PTP hardware clock devices, e.g. /dev/ptp0." },
    },
  },
  "network.ResolverConfigV1Alpha1": {
    fields: {
      nameservers: { t: "[]network.NameserverConfig", since: "1.12", doc: "DNS servers, in order of preference." },
      searchDomains: { t: "network.SearchDomainsConfig", since: "1.12", doc: "DNS search domains." },
      hostDNS: { t: "network.HostDNSConfig", since: "1.14", doc: "Talos's host DNS caching resolver." },
    },
  },
  "network.RouteConfig": {
    fields: {
      destination: { t: "cidr", since: "1.12", doc: "Destination network as a CIDR; omit for the default route." },
      gateway: { t: "ip", since: "1.12", doc: "Gateway IP address for the route." },
      source: { t: "ip", since: "1.12", doc: "Preferred source IP address for traffic using the route." },
      metric: { t: "integer", since: "1.12", doc: "Route metric (priority); lower wins." },
      mtu: { t: "integer", since: "1.12", doc: "MTU for traffic on this route." },
      table: { t: "text(RoutingTable)", since: "1.12", doc: "Routing table to use: a number or a name such as main." },
    },
  },
  "network.RoutingRuleConfigV1Alpha1": {
    fields: {
      name: { t: "string", since: "1.13", req: true, doc: "Priority of the rule (lower runs first), e.g. 1000." },
      src: { t: "cidr", since: "1.13", doc: "Source prefix matched (CIDR)." },
      dst: { t: "cidr", since: "1.13", doc: "Destination prefix matched (CIDR)." },
      table: { t: "text(RoutingTable)", since: "1.13", req: true, doc: "Routing table to look up, a number or name." },
      action: { t: "text(RoutingRuleAction)", since: "1.13", doc: "Rule action: unicast (look up the table, the default), blackhole, unreachable or prohibit." },
      iifName: { t: "string", since: "1.13", doc: "Incoming interface matched." },
      oifName: { t: "string", since: "1.13", doc: "Outgoing interface matched." },
      fwMark: { t: "integer", since: "1.13", doc: "Firewall mark matched." },
      fwMask: { t: "integer", since: "1.13", doc: "Mask applied to the firewall mark." },
    },
  },
  "network.RuleConfigV1Alpha1": {
    fields: {
      name: { t: "string", req: true, doc: "Name of the firewall rule." },
      portSelector: { t: "network.RulePortSelector", doc: "Ports and protocol the rule opens." },
      ingress: { t: "[]network.IngressRule", doc: "Source networks allowed to reach those ports." },
    },
  },
  "network.RulePortSelector": {
    fields: {
      ports: { t: "portRanges", doc: "Ports or inclusive ranges, e.g. [80, 443, \"30000-32767\"]." },
      protocol: { t: "text(Protocol)", doc: "Protocol: tcp, udp, icmp or icmpv6." },
    },
  },
  "network.SearchDomainsConfig": {
    fields: {
      domains: { t: "[]string", since: "1.12", doc: "Search domains, e.g. example.internal." },
      disableDefault: { t: "boolean", since: "1.12", doc: "Do not derive a search domain from the host name." },
    },
  },
  "network.StaticHostConfigV1Alpha1": {
    fields: {
      name: { t: "string", since: "1.12", req: true, doc: "IP address of the /etc/hosts entry." },
      hostnames: { t: "[]string", since: "1.12", doc: "Host names resolving to the IP." },
    },
  },
  "network.TCPProbeConfigV1Alpha1": {
    fields: {
      name: { t: "string", since: "1.13", req: true, doc: "Name of the probe." },
      interval: { t: "duration", since: "1.13", doc: "How often the check or task runs, as a Go duration such as 30s or 168h." },
      failureThreshold: { t: "integer", since: "1.13", doc: "Number of consecutive failures before the probe reports failure." },
      endpoint: { t: "string", since: "1.13", req: true, doc: "host:port that must accept a TCP connection." },
      timeout: { t: "duration", since: "1.13", doc: "How long to wait before giving up, as a Go duration such as 10s." },
    },
  },
  "network.TimeSyncConfigV1Alpha1": {
    fields: {
      enabled: { t: "boolean", since: "1.12", doc: "Synchronize the clock." },
      bootTimeout: { t: "duration", since: "1.12", doc: "How long boot waits for time synchronization before continuing, e.g. 2m0s." },
      ntp: { t: "network.NTPConfig", since: "1.12", doc: "NTP time sources." },
      ptp: { t: "network.PTPConfig", since: "1.12", doc: "PTP hardware clock sources." },
    },
  },
  "network.VLANConfigV1Alpha1": {
    fields: {
      name: { t: "string", since: "1.12", req: true, doc: "Name of the VLAN link, e.g. eth0.100." },
      vlanID: { t: "integer", since: "1.12", req: true, doc: "VLAN ID (1–4094)." },
      vlanMode: { t: "text(VLANProtocol)", since: "1.12", doc: "VLAN protocol: 802.1q (default) or 802.1ad (QinQ)." },
      parent: { t: "string", since: "1.12", req: true, doc: "Link carrying the VLAN, e.g. eth0." },
      up: { t: "boolean", since: "1.12", doc: "Bring the link up (administratively enabled)." },
      mtu: { t: "integer", since: "1.12", doc: "Maximum transmission unit of the link in bytes, e.g. 1500 or 9000 for jumbo frames." },
      addresses: { t: "[]network.AddressConfig", since: "1.12", doc: "Static IP addresses with prefix length assigned to the link, e.g. 10.0.0.5/24." },
      routes: { t: "[]network.RouteConfig", since: "1.12", doc: "Static routes to install through this link." },
      multicast: { t: "boolean", since: "1.12", doc: "Enable multicast on the link." },
    },
  },
  "network.VRFConfigV1Alpha1": {
    fields: {
      name: { t: "string", since: "1.13", req: true, doc: "Name of the VRF link." },
      hardwareAddr: { t: "hardwareAddr", since: "1.13", doc: "MAC address to set on the link, e.g. 52:54:00:12:34:56." },
      links: { t: "[]string", since: "1.13", req: true, doc: "Links enslaved to the VRF." },
      table: { t: "text(RoutingTable)", since: "1.13", req: true, doc: "Routing table of the VRF." },
      up: { t: "boolean", since: "1.13", doc: "Bring the link up (administratively enabled)." },
      mtu: { t: "integer", since: "1.13", doc: "Maximum transmission unit of the link in bytes, e.g. 1500 or 9000 for jumbo frames." },
      addresses: { t: "[]network.AddressConfig", since: "1.13", doc: "Static IP addresses with prefix length assigned to the link, e.g. 10.0.0.5/24." },
      routes: { t: "[]network.RouteConfig", since: "1.13", doc: "Static routes to install through this link." },
      multicast: { t: "boolean", since: "1.13", doc: "Enable multicast on the link." },
    },
  },
  "network.VethConfigV1Alpha1": {
    fields: {
      name: { t: "string", since: "1.14", req: true, doc: "Name of this end of the veth pair." },
      peer: { t: "network.VethPeerConfig", since: "1.14", req: true, doc: "The other end of the veth pair." },
      up: { t: "boolean", since: "1.14", doc: "Bring the link up (administratively enabled)." },
      mtu: { t: "integer", since: "1.14", doc: "Maximum transmission unit of the link in bytes, e.g. 1500 or 9000 for jumbo frames." },
      addresses: { t: "[]network.AddressConfig", since: "1.14", doc: "Static IP addresses with prefix length assigned to the link, e.g. 10.0.0.5/24." },
      routes: { t: "[]network.RouteConfig", since: "1.14", doc: "Static routes to install through this link." },
      multicast: { t: "boolean", since: "1.14", doc: "Enable multicast on the link." },
    },
  },
  "network.VethPeerConfig": {
    fields: {
      name: { t: "string", since: "1.14", req: true, doc: "Name of the peer end." },
      up: { t: "boolean", since: "1.14", doc: "Bring the link up (administratively enabled)." },
      mtu: { t: "integer", since: "1.14", doc: "Maximum transmission unit of the link in bytes, e.g. 1500 or 9000 for jumbo frames." },
      addresses: { t: "[]network.AddressConfig", since: "1.14", doc: "Static IP addresses with prefix length assigned to the link, e.g. 10.0.0.5/24." },
      routes: { t: "[]network.RouteConfig", since: "1.14", doc: "Static routes to install through this link." },
      multicast: { t: "boolean", since: "1.14", doc: "Enable multicast on the link." },
    },
  },
  "network.WireguardConfigV1Alpha1": {
    fields: {
      name: { t: "string", since: "1.12", req: true, doc: "Name of the WireGuard link, e.g. wg0." },
      privateKey: { t: "string", since: "1.12", req: true, secret: true, doc: "WireGuard private key of this node, base64 (wg genkey)." },
      listenPort: { t: "port", since: "1.12", doc: "UDP port WireGuard listens on, e.g. 51820." },
      firewallMark: { t: "integer", since: "1.12", doc: "Firewall mark (fwmark) set on outgoing WireGuard packets." },
      peers: { t: "[]network.WireguardPeer", since: "1.12", doc: "WireGuard peers this interface talks to." },
      up: { t: "boolean", since: "1.12", doc: "Bring the link up (administratively enabled)." },
      mtu: { t: "integer", since: "1.12", doc: "Maximum transmission unit of the link in bytes, e.g. 1500 or 9000 for jumbo frames." },
      addresses: { t: "[]network.AddressConfig", since: "1.12", doc: "Static IP addresses with prefix length assigned to the link, e.g. 10.0.0.5/24." },
      routes: { t: "[]network.RouteConfig", since: "1.12", doc: "Static routes to install through this link." },
      multicast: { t: "boolean", since: "1.12", doc: "Enable multicast on the link." },
    },
  },
  "network.WireguardPeer": {
    fields: {
      publicKey: { t: "string", since: "1.12", req: true, doc: "WireGuard public key of the peer, base64." },
      presharedKey: { t: "string", since: "1.12", secret: true, doc: "Optional pre-shared symmetric key (base64) for extra post-quantum protection." },
      endpoint: { t: "addrPort", since: "1.12", doc: "Peer address as ip:port, e.g. 192.168.1.2:51820." },
      persistentKeepaliveInterval: { t: "duration", since: "1.12", doc: "Interval between keepalive packets to keep NAT mappings open, e.g. 25s." },
      allowedIPs: { t: "[]cidr", since: "1.12", doc: "Networks routed to this peer and accepted from it, as CIDRs." },
    },
  },
};
