/**
 * The names Talos puts in the certificates a node serves (docs/talos-pki.md "Version
 * differences"): apid's and kube-apiserver's SANs, and Go's IP order they are sorted in.
 */
import { isIP } from "node:net";

import { talos1Minor } from "./pki";

/** A node as apid's certificate names it. */
export interface ApidSansNode {
  hostname: string;
  /** Addresses clients dial (IP literals become IP SANs, names DNS SANs). */
  addresses: string[];
  /** Optional domain; the FQDN becomes the CN and a DNS SAN, as in Talos. */
  domain?: string;
  /** `machine.certSANs` (IPs and names). */
  certSANs?: string[];
}

/** netip.Addr.Compare: IPv4 before IPv6, then by bytes. */
export function compareIps(a: string, b: string): number {
  const bytes = (ip: string): number[] => {
    if (isIP(ip) === 4) return ip.split(".").map(Number);
    const [head = "", tail = ""] = ip.split("::");
    const parts = (x: string) => (x === "" ? [] : x.split(":"));
    let h = parts(head);
    let t = parts(tail);
    // An embedded IPv4 tail counts as two groups.
    const v4 = (g: string[]) => g.flatMap((x) => (x.includes(".") ? ((n) => [((n[0]! << 8) | n[1]!).toString(16), ((n[2]! << 8) | n[3]!).toString(16)])(x.split(".").map(Number)) : [x]));
    h = v4(h);
    t = v4(t);
    const groups = ip.includes("::") ? [...h, ...Array<string>(8 - h.length - t.length).fill("0"), ...t] : h;
    return groups.flatMap((g) => [parseInt(g, 16) >> 8, parseInt(g, 16) & 0xff]);
  };
  const fa = isIP(a);
  const fb = isIP(b);
  if (fa !== fb) return fa - fb;
  const ba = bytes(a);
  const bb = bytes(b);
  for (let i = 0; i < ba.length; i++) if (ba[i] !== bb[i]) return ba[i]! - bb[i]!;
  return 0;
}

/**
 * The apid serving certificate's names as Talos computes them (internal/app/machined/pkg/
 * controllers/secrets/api_cert_sans.go, CertSANSpec in pkg/machinery/resources/secrets/
 * cert_sans.go): IPs = machine.certSANs IPs, the node's addresses, and since 1.14 127.0.0.1; DNS
 * names = machine.certSANs names, hostname, FQDN; duplicates and trailing dots dropped; both
 * sorted. CN = the FQDN (hostname when there is no domain).
 */
export function apidCertSans(
  node: ApidSansNode,
  talosVersion?: string,
): { commonName: string; dnsNames: string[]; ipAddresses: string[] } {
  const fqdn = node.domain ? `${node.hostname}.${node.domain}` : node.hostname;
  const ips: string[] = [];
  const dns: string[] = [];
  const add = (v: string) => {
    if (isIP(v)) {
      if (!ips.includes(v)) ips.push(v);
      return;
    }
    const name = v.replace(/\.+$/, "");
    if (name !== "" && !dns.includes(name)) dns.push(name);
  };
  for (const san of node.certSANs ?? []) add(san);
  for (const a of node.addresses) add(a);
  const minor = talos1Minor(talosVersion);
  // api_cert_sans.go gained `spec.AppendIPs(netip.MustParseAddr("127.0.0.1"))` in v1.14.0-alpha.2.
  if (minor === null || minor >= 14) add("127.0.0.1");
  add(node.hostname);
  add(fqdn);
  return { commonName: fqdn, dnsNames: dns.sort(), ipAddresses: ips.sort(compareIps) };
}

/**
 * kube-apiserver's SANs (kubernetes_cert_sans.go): the endpoint host, apiServer.certSANs, the
 * kubernetes service names with the cluster domain, localhost, hostname and FQDN; IPs the service
 * IP, the node's addresses and 127.0.0.1; duplicates dropped, each list sorted.
 */
export function apiServerCertSans(input: {
  endpointHost: string;
  certSANs: string[];
  hostname: string;
  fqdn: string;
  apiServerIp: string;
  addresses: string[];
  dnsDomain?: string;
}): { dnsNames: string[]; ipAddresses: string[] } {
  const domain = input.dnsDomain ?? "cluster.local";
  const dns: string[] = [];
  const ips: string[] = [];
  const add = (v: string) => {
    if (isIP(v)) {
      if (!ips.includes(v)) ips.push(v);
    } else {
      const n = v.replace(/\.+$/, "");
      if (n !== "" && !dns.includes(n)) dns.push(n);
    }
  };
  [input.endpointHost, ...input.certSANs, "kubernetes", "kubernetes.default", "kubernetes.default.svc", `kubernetes.default.svc.${domain}`, "localhost"].forEach(add);
  [input.hostname, input.fqdn, input.apiServerIp, ...input.addresses, "127.0.0.1"].forEach(add);
  return { dnsNames: dns.sort(), ipAddresses: ips.sort(compareIps) };
}
