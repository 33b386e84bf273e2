import { describe, expect, it } from "vitest";

import { apiServerCertSans, apidCertSans, compareIps } from "./cert-sans";

describe("Talos's certificate names (docs/talos-pki.md)", () => {
  it.each([
    ["v1.13.9", ["127.0.10.1", "192.168.1.5"]],
    ["v1.14.0", ["127.0.0.1", "127.0.10.1", "192.168.1.5"]],
  ])("apid SANs for %s: certSANs, addresses (sorted)%s, hostname and FQDN", (version, ips) => {
    const sans = apidCertSans({ hostname: "cp-1", domain: "sim.local", addresses: ["192.168.1.5", "127.0.10.1"], certSANs: ["192.168.1.5", "api.example."] }, version);
    expect(sans).toEqual({ commonName: "cp-1.sim.local", dnsNames: ["api.example", "cp-1", "cp-1.sim.local"], ipAddresses: ips });
  });

  it("sorts IPs as netip.Addr.Compare: IPv4 first, then by bytes", () => {
    expect(["fd00::2", "10.0.0.10", "::1", "10.0.0.9", "fd00::10"].sort(compareIps)).toEqual(["10.0.0.9", "10.0.0.10", "::1", "fd00::2", "fd00::10"]);
  });

  it("kube-apiserver SANs: endpoint, certSANs, service names in the cluster domain, node names; IPs with the service IP and 127.0.0.1", () => {
    const sans = apiServerCertSans({
      endpointHost: "api.example.",
      certSANs: ["api.example", "10.5.0.1"],
      hostname: "cp-1",
      fqdn: "cp-1.sim.local",
      apiServerIp: "10.96.0.1",
      addresses: ["fd00::5", "192.168.1.5"],
      dnsDomain: "corp.local",
    });
    expect(sans).toEqual({
      dnsNames: ["api.example", "cp-1", "cp-1.sim.local", "kubernetes", "kubernetes.default", "kubernetes.default.svc", "kubernetes.default.svc.corp.local", "localhost"],
      ipAddresses: ["10.5.0.1", "10.96.0.1", "127.0.0.1", "192.168.1.5", "fd00::5"],
    });
  });
});
