import { describe, expect, it } from "vitest";

import { certName, dnLabel, filterCertificates, formatTimeLeft, parseCertFilters } from "@/lib/certs/view";

const now = new Date("2026-11-26T12:00:00Z");
const at = (ms: number) => new Date(now.getTime() + ms).toISOString();

describe("formatTimeLeft", () => {
  it.each([
    [30 * 60_000, "in 30 min"],
    [11 * 3_600_000, "in 11 h"],
    [4.5 * 86_400_000, "in 4 days"],
    [200 * 86_400_000, "in 7 months"],
    [3650 * 86_400_000, "in 10 years"],
    [3 * 365 * 86_400_000, "in 3 years"],
    [-2 * 86_400_000, "expired 2 days ago"],
    [-47 * 3_600_000, "expired 47 h ago"],
    [-5 * 86_400_000, "expired 5 days ago"],
  ])("%d ms → %s", (ms, text) => {
    expect(formatTimeLeft(at(ms), now)).toBe(text);
  });
});

describe("filters", () => {
  const rows = [
    { id: 1, cluster: "a", kind: "ca", tier: "ok" },
    { id: 2, cluster: "b", kind: "client", tier: "warning" },
    { id: 3, cluster: "a", kind: "leaf", tier: "warning" },
  ] as const;

  it("parses the URL and ignores unknown values", () => {
    expect(parseCertFilters(new URLSearchParams("cluster=a&kind=ca&tier=bogus"))).toEqual({ cluster: "a", kind: "ca", tier: null });
  });

  it("combines cluster, kind and tier", () => {
    expect(filterCertificates(rows, { cluster: "a", kind: null, tier: "warning" }).map((r) => r.id)).toEqual([3]);
    expect(filterCertificates(rows, { cluster: null, kind: null, tier: null })).toHaveLength(3);
  });
});

describe("certName / dnLabel", () => {
  it.each([
    [{ commonName: "front-proxy-client", subject: "CN=front-proxy-client" }, "front-proxy-client"],
    [{ commonName: null, subject: "O=os:admin" }, "O=os:admin"],
    // Talos's aggregator CA: no subject at all.
    [{ commonName: null, subject: "" }, "(empty subject)"],
  ])("%j → %s", (c, expected) => {
    expect(certName(c)).toBe(expected);
  });

  it("shows an empty name as (empty)", () => {
    expect(dnLabel("")).toBe("(empty)");
    expect(dnLabel("O=talos")).toBe("O=talos");
  });
});
