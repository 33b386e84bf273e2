/** `machine.network.*` rules (Talos's CheckDeviceInterface, CheckDeviceAddressing, CheckDeviceRoutes, checkBond, …). */
import { ipOrCIDRError, isCIDR, isHostPort, isIP, isSubnetOrAddress } from "./net";
import type { DocumentSummary, PathSegment, Rule, RuleIssue } from "./types";
import { compareMinor } from "./version";
import { arr, error, get, num, obj, str, warning } from "./util";

const BOND_MODES = ["balance-rr", "active-backup", "balance-xor", "broadcast", "802.3ad", "balance-tlb", "balance-alb"];
const ENUMS: Record<string, { values: string[]; label: string }> = {
  xmitHashPolicy: { values: ["layer2", "layer3+4", "layer2+3", "encap2+3", "encap3+4"], label: "xmit hash policy" },
  lacpRate: { values: ["slow", "fast"], label: "LACP rate" },
  arpValidate: { values: ["none", "active", "backup", "all", "filter", "filter-active", "filter-backup"], label: "ARP validate" },
  arpAllTargets: { values: ["any", "all"], label: "ARP all targets" },
  primaryReselect: { values: ["always", "better", "failure"], label: "primary reselect" },
  failOverMac: { values: ["none", "active", "follow"], label: "fail over MAC" },
  adSelect: { values: ["stable", "bandwidth", "count"], label: "AD select" },
};

function checkBond(b: Record<string, unknown>, base: PathSegment[]): RuleIssue[] {
  const out: RuleIssue[] = [];
  const mode = str(b.mode) ?? "";
  const effectiveMode = mode === "" ? "balance-rr" : mode;
  if (!BOND_MODES.includes(effectiveMode)) out.push(error([...base, "mode"], `invalid bond type ${mode}`));
  for (const [field, { values, label }] of Object.entries(ENUMS)) {
    const v = str(b[field]);
    if (v !== undefined && v !== "" && !values.includes(v)) out.push(error([...base, field], `invalid ${label} ${v}`));
  }
  const miimon = num(b.miimon);
  const up = num(b.updelay);
  const down = num(b.downdelay);
  if (miimon === 0) {
    if (up !== 0) out.push(error([...base, "updelay"], "bond.upDelay can't be set if miiMon is zero"));
    if (down !== 0) out.push(error([...base, "downdelay"], "bond.downDelay can't be set if miiMon is zero"));
  } else {
    if (up % miimon !== 0) out.push(error([...base, "updelay"], "bond.upDelay should be a multiple of miiMon"));
    if (down % miimon !== 0) out.push(error([...base, "downdelay"], "bond.downDelay should be a multiple of miiMon"));
  }
  if (arr(b.arpIPTarget).length > 0) out.push(error([...base, "arpIPTarget"], "bond.arpIPTarget is not supported", "key"));
  const is8023ad = effectiveMode === "802.3ad";
  const isLB = effectiveMode === "balance-alb" || effectiveMode === "balance-tlb";
  if ((str(b.lacpRate) ?? "") !== "" && !is8023ad) out.push(error([...base, "lacpRate"], "bond.lacpRate is only available in 802.3ad mode"));
  if ((str(b.adActorSystem) ?? "") !== "") out.push(error([...base, "adActorSystem"], "bond.adActorSystem is not supported", "key"));
  if ((is8023ad || isLB) && (str(b.arpValidate) ?? "") !== "") {
    out.push(error([...base, "arpValidate"], `bond.arpValidate is not available in ${effectiveMode} mode`));
  }
  if (!(effectiveMode === "active-backup" || isLB) && (str(b.primary) ?? "") !== "") {
    out.push(error([...base, "primary"], `bond.primary is not available in ${effectiveMode} mode`));
  }
  if ((is8023ad || isLB) && num(b.arpInterval) > 0) {
    out.push(error([...base, "arpInterval"], `bond.arpInterval is not available in ${effectiveMode} mode`));
  }
  if (effectiveMode !== "balance-rr" && num(b.packetsPerSlave) > 1) {
    out.push(error([...base, "packetsPerSlave"], `bond.packetsPerSlave is not available in ${effectiveMode} mode`));
  }
  if (!isLB && num(b.tlbDynamicLb) > 0) out.push(error([...base, "tlbDynamicLb"], `bond.tlbDynamicTLB is not available in ${effectiveMode} mode`));
  if (!is8023ad && num(b.adActorSysPrio) > 0) out.push(error([...base, "adActorSysPrio"], "bond.adActorSysPrio is only available in 802.3ad mode"));
  if (!is8023ad && num(b.adUserPortKey) > 0) out.push(error([...base, "adUserPortKey"], "bond.adUserPortKey is only available in 802.3ad mode"));
  return out;
}

/** Go's `base64.StdEncoding` decoded length, or null when not valid base64. */
export function base64Length(s: string): number | null {
  const clean = s.replace(/[\r\n]/g, "");
  if (clean.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(clean)) return null;
  return (clean.length / 4) * 3 - (clean.endsWith("==") ? 2 : clean.endsWith("=") ? 1 : 0);
}

function checkWireguard(w: Record<string, unknown>, base: PathSegment[]): RuleIssue[] {
  const out: RuleIssue[] = [];
  // Talos quotes the key (`wrong key %q length`); a private key is never quoted here.
  const keyError = (key: string, secret: boolean): string | null => {
    const n = base64Length(key);
    if (n === null) return "illegal base64 data";
    return n === 32 ? null : `wrong key ${secret ? "" : `${JSON.stringify(key)} `}length: ${n}`;
  };
  const pk = str(w.privateKey) ?? "";
  const pkErr = keyError(pk, true);
  if (pkErr) out.push(error([...base, "privateKey"], `private key is invalid: ${pkErr}`));
  arr(w.peers).forEach((p, i) => {
    const peer = obj(p);
    if (!peer) return;
    const pb = [...base, "peers", i];
    const pub = str(peer.publicKey) ?? "";
    const pubErr = keyError(pub, false);
    if (pubErr) out.push(error([...pb, "publicKey"], `public key invalid: ${pubErr}`));
    const ep = str(peer.endpoint) ?? "";
    if (ep !== "" && !isHostPort(ep)) out.push(error([...pb, "endpoint"], `peer endpoint ${JSON.stringify(ep)} is invalid`));
    arr(peer.allowedIPs).forEach((a, j) => {
      const s = str(a);
      if (s !== undefined && !isCIDR(s)) out.push(error([...pb, "allowedIPs", j], `peer allowed IP ${JSON.stringify(s)} is invalid: invalid CIDR address: ${s}`));
    });
  });
  return out;
}

function checkRoutes(routes: unknown, base: PathSegment[]): RuleIssue[] {
  const out: RuleIssue[] = [];
  arr(routes).forEach((r, idx) => {
    const route = obj(r);
    if (!route) return;
    const rb = [...base, idx];
    const label = `networking.os.device.route[${idx}]`;
    const network = str(route.network) ?? "";
    const gateway = str(route.gateway) ?? "";
    const source = str(route.source) ?? "";
    if (network !== "" && !isCIDR(network)) out.push(error([...rb, "network"], `[${label}.network] ${JSON.stringify(network)}: invalid network address`));
    if (gateway !== "" && !isIP(gateway)) out.push(error([...rb, "gateway"], `[${label}.gateway] ${JSON.stringify(gateway)}: invalid network address`));
    if (gateway === "" && network === "") out.push(error(rb, `[${label}]: either network or gateway should be set`));
    if (source !== "" && !isIP(source)) out.push(error([...rb, "source"], `[${label}.source] ${JSON.stringify(source)}: invalid network address`));
  });
  return out;
}

const INTERFACES = ["machine", "network", "interfaces"];

/** Network interfaces: links, addressing, routes, bonds, wireguard, VLANs, VIPs. */
export const networkInterfaces: Rule = (doc, ctx) => {
  const devices = arr(get(doc, ...INTERFACES));
  if (devices.length === 0) return [];
  const out: RuleIssue[] = [];
  const secondary = new Map<string, string>();

  devices.forEach((dv, i) => {
    const d = obj(dv);
    if (!d) return;
    const base = [...INTERFACES, i];
    const name = str(d.interface) ?? "";
    const bond = obj(d.bond);
    const bridge = obj(d.bridge);
    if (bond && bridge) out.push(error([...base, "bridge"], `interface has both bridge and bond sections set ${JSON.stringify(name)}: config sections are mutually exclusive`, "key"));
    let members: unknown[] = [];
    let membersPath: PathSegment[] = [];
    if (bond) {
      members = arr(bond.interfaces);
      membersPath = [...base, "bond", "interfaces"];
      if (members.length > 0 && arr(bond.deviceSelectors).length > 0) {
        out.push(error([...base, "bond", "deviceSelectors"], `interface ${JSON.stringify(name)} has both interfaces and selectors set: config sections are mutually exclusive`, "key"));
      }
    }
    if (bridge) {
      members = arr(bridge.interfaces);
      membersPath = [...base, "bridge", "interfaces"];
    }
    members.forEach((m, j) => {
      const iface = str(m);
      if (iface === undefined) return;
      const other = secondary.get(iface);
      if (other !== undefined && other !== name) {
        out.push(error([...membersPath, j], `interface ${JSON.stringify(iface)} is declared as part of two separate links: ${JSON.stringify(other)} and ${JSON.stringify(name)}`));
      }
      secondary.set(iface, name);
    });
  });

  devices.forEach((dv, i) => {
    const d = obj(dv);
    if (!d) return;
    const base = [...INTERFACES, i];
    const name = str(d.interface) ?? "";

    if (ctx.role === "worker") {
      if (obj(d.vip)) out.push(error([...base, "vip"], "virtual (shared) IP is not allowed on non-controlplane nodes", "key"));
      arr(d.vlans).forEach((v, j) => {
        if (obj(obj(v)?.vip)) out.push(error([...base, "vlans", j, "vip"], "virtual (shared) IP is not allowed on non-controlplane nodes", "key"));
      });
    }
    if (d.ignore === true) return;

    // CheckDeviceInterface
    const selector = d.deviceSelector;
    const hasSelector = selector !== undefined && selector !== null;
    if (name === "" && !hasSelector) {
      out.push(error(base, "[networking.os.device.interface], [networking.os.device.deviceSelector]: required either config section to be set"));
    } else if (name !== "" && hasSelector) {
      out.push(error([...base, "deviceSelector"], "[networking.os.device.interface], [networking.os.device.deviceSelector]: config sections are mutually exclusive", "key"));
    }
    if (hasSelector && Object.values(obj(selector) ?? {}).every((v) => v === undefined || v === null || v === "" || v === false)) {
      out.push(error([...base, "deviceSelector"], "[networking.os.device.deviceSelector]: config section should contain at least one field", "key"));
    }
    const bond = obj(d.bond);
    if (bond) out.push(...checkBond(bond, [...base, "bond"]));
    const wg = obj(d.wireguard);
    if (wg) out.push(...checkWireguard(wg, [...base, "wireguard"]));
    arr(d.vlans).forEach((vv, j) => {
      const v = obj(vv);
      if (!v) return;
      const vb = [...base, "vlans", j];
      const id = `${name}.${str(v.vlanId) ?? "0"}`;
      const cidr = str(v.cidr) ?? "";
      const addrs = arr(v.addresses);
      if (addrs.length > 0 && cidr !== "") out.push(error([...vb, "cidr"], `[networking.os.device.vlan] ${id}: vlan can't have both .cidr and .addresses set`));
      if (cidr !== "") {
        const e = ipOrCIDRError(cidr);
        if (e) out.push(error([...vb, "cidr"], `[networking.os.device.vlan.CIDR] ${id}: ${e}`));
      }
      addrs.forEach((a, k) => {
        const s = str(a);
        const e = s === undefined ? null : ipOrCIDRError(s);
        if (e) out.push(error([...vb, "addresses", k], `[networking.os.device.vlan.addresses] ${id}: ${e}`));
      });
      out.push(...checkRoutes(v.routes, [...vb, "routes"]));
      const vip = obj(v.vip);
      if (vip && !isIP(str(vip.ip) ?? "")) out.push(error([...vb, "vip", "ip"], `[networking.os.device.vip] failed to parse ${JSON.stringify(str(vip.ip) ?? "")} as IP address`));
    });

    // CheckDeviceAddressing
    const cidr = str(d.cidr) ?? "";
    const addresses = arr(d.addresses);
    if (secondary.has(name) && (d.dhcp === true || cidr !== "" || addresses.length > 0 || obj(d.vip))) {
      out.push(error(d.interface !== undefined ? [...base, "interface"] : base, `[networking.os.device] ${JSON.stringify(name)}: bonded/bridged interface shouldn't have any addressing methods configured`));
    }
    if (addresses.length > 0 && cidr !== "") {
      out.push(error([...base, "cidr"], `[networking.os.device] ${JSON.stringify(name)}: interface can't have both .cidr and .addresses set`));
    }
    if (cidr !== "") {
      const e = ipOrCIDRError(cidr);
      if (e) out.push(error([...base, "cidr"], `[networking.os.device.CIDR] ${JSON.stringify(name)}: ${e}`));
      out.push(warning([...base, "cidr"], `${JSON.stringify(name)}: machine.network.interface.cidr is deprecated, please use machine.network.interface.addresses`, "key"));
    }
    addresses.forEach((a, k) => {
      const s = str(a);
      const e = s === undefined ? null : ipOrCIDRError(s);
      if (e) out.push(error([...base, "addresses", k], `[networking.os.device.addresses] ${JSON.stringify(name)}: ${e}`));
    });
    const vip = obj(d.vip);
    if (vip && !isIP(str(vip.ip) ?? "")) {
      out.push(error(vip.ip === undefined ? [...base, "vip"] : [...base, "vip", "ip"], `[networking.os.device.vip] failed to parse ${JSON.stringify(str(vip.ip) ?? "")} as IP address`));
    }
    // CheckDeviceRoutes
    out.push(...checkRoutes(d.routes, [...base, "routes"]));
  });
  return out;
};

/** KubeSpan: MTU ≥ 1280, parseable filters, discovery enabled. */
export const kubespan: Rule = (doc, ctx) => {
  const ks = obj(get(doc, "machine", "network", "kubespan"));
  if (!ks || ks.enabled !== true) return [];
  const base = ["machine", "network", "kubespan"];
  const out: RuleIssue[] = [];
  if (ks.mtu !== undefined && num(ks.mtu) < 1280) out.push(error([...base, "mtu"], "kubespan link MTU must be at least 1280"));
  arr(get(ks, "filters", "endpoints")).forEach((v, i) => {
    const s = (str(v) ?? "").replace(/^!/, "");
    if (!isSubnetOrAddress(s)) out.push(error([...base, "filters", "endpoints", i], `KubeSpan endpoint filter is not valid: ${JSON.stringify(s)}`));
  });
  arr(get(ks, "filters", "excludeAdvertisedNetworks")).forEach((v, i) => {
    const s = str(v) ?? "";
    if (!isCIDR(s)) out.push(error([...base, "filters", "excludeAdvertisedNetworks", i], `KubeSpan exclude advertised networks filter is not valid: ${JSON.stringify(s)}`));
  });
  if (ctx.patch) return out;
  if (compareMinor(ctx.version, "1.14") < 0) {
    if (get(doc, "cluster", "discovery", "enabled") !== true) {
      out.push(error([...base, "enabled"], ".cluster.discovery should be enabled when .machine.network.kubespan is enabled"));
    }
  } else if (!ctx.documents.some((d) => d.kind === "KubeSpanConfig") && !discoveryConfigured(doc, ctx.documents)) {
    // From 1.14 a KubeSpanConfig document, when present, is the one Talos reads (container.go).
    out.push(error([...base, "enabled"], KUBESPAN_NEEDS_DISCOVERY));
  }
  return out;
};

const KUBESPAN_NEEDS_DISCOVERY = "KubeSpan requires cluster discovery to be enabled";

/**
 * Talos 1.14's DiscoveryServiceConfigs(): the legacy `cluster.discovery` when it is enabled with its
 * service registry on (v1alpha1_discoveryconfig.go), else the DiscoveryServiceConfig documents.
 */
function legacyDiscovery(v1: unknown): boolean {
  return get(v1, "cluster", "discovery", "enabled") === true && get(v1, "cluster", "discovery", "registries", "service", "disabled") !== true;
}
function discoveryConfigured(v1: unknown, documents: readonly DocumentSummary[]): boolean {
  return legacyDiscovery(v1) || documents.some((d) => d.kind === "DiscoveryServiceConfig");
}
const v1alpha1Of = (documents: readonly DocumentSummary[]) => documents.find((d) => d.kind === "v1alpha1")?.value;

/** 1.14 container check (container/validate.go): an enabled KubeSpanConfig needs a discovery service. */
export const kubeSpanDocument: Rule = (doc, ctx) => {
  if (ctx.patch || compareMinor(ctx.version, "1.14") < 0 || doc.enabled !== true) return [];
  return discoveryConfigured(v1alpha1Of(ctx.documents), ctx.documents) ? [] : [error(["enabled"], KUBESPAN_NEEDS_DISCOVERY)];
};

/**
 * 1.14 container check (container/validate.go): a DiscoveryServiceConfig needs a cluster identity,
 * the legacy `cluster.id`/`cluster.secret` or a DiscoveryIdentityConfig. With the legacy discovery
 * on, Talos reads that instead and the v1alpha1 rule reports it.
 */
export const discoveryServiceDocument: Rule = (_doc, ctx) => {
  const v1 = v1alpha1Of(ctx.documents);
  if (ctx.patch || compareMinor(ctx.version, "1.14") < 0 || legacyDiscovery(v1)) return [];
  const identity = ctx.documents.find((d) => d.kind === "DiscoveryIdentityConfig")?.value;
  // The legacy identity wins as soon as either of its fields is set (v1alpha1_discoveryidentity.go).
  const legacy = Boolean(str(get(v1, "cluster", "id")) || str(get(v1, "cluster", "secret")));
  const id = legacy ? get(v1, "cluster", "id") : get(identity, "clusterID");
  const secret = legacy ? get(v1, "cluster", "secret") : get(identity, "clusterSecret");
  const out: RuleIssue[] = [];
  if (!str(id)) out.push(error(["name"], "cluster ID (.cluster.id or DiscoveryIdentityConfig) should be set when cluster discovery (DiscoveryServiceConfig) is enabled"));
  if (!str(secret)) out.push(error(["name"], "cluster secret (.cluster.secret or DiscoveryIdentityConfig) should be set when cluster discovery (DiscoveryServiceConfig) is enabled"));
  return out;
};
