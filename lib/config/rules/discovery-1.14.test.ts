/**
 * Talos 1.14's container-level checks (pkg/machinery/config/container/validate.go): KubeSpan needs
 * a discovery service, wherever each is configured; a DiscoveryServiceConfig needs a cluster
 * identity; a disabled KubeSpanConfig or KubeProxyConfig is not checked further.
 */
import { describe, expect, it } from "vitest";

import type { TalosMinor } from "@/lib/config/types";
import { validateConfig } from "@/lib/config/validate";

const V1 = (extra: string) => `version: v1alpha1\nmachine:\n  type: worker\n${extra}`;
const doc = (kind: string, body = "") => `---\napiVersion: v1alpha1\nkind: ${kind}\n${body}`;
const IDENTITY = doc("DiscoveryIdentityConfig", "clusterID: aWQ=\nclusterSecret: c2VjcmV0\n");
const SERVICE = doc("DiscoveryServiceConfig", "name: default\nendpoint: https://discovery.talos.dev/\n");

function matching(yaml: string, re: RegExp, talosVersion: TalosMinor = "1.14") {
  return validateConfig(yaml, { talosVersion }).issues.filter((i) => re.test(i.message)).map((i) => ({ message: i.message, line: i.line }));
}

describe("KubeSpan needs cluster discovery (1.14)", () => {
  it("v1alpha1 KubeSpan without any discovery is an error at its `enabled`", () => {
    const yaml = V1("  network:\n    kubespan:\n      enabled: true\n");
    expect(matching(yaml, /KubeSpan requires cluster discovery/)).toEqual([{ message: "KubeSpan requires cluster discovery to be enabled", line: 6 }]);
  });
  it("a DiscoveryServiceConfig document is discovery (no more `.cluster.discovery` rule in 1.14)", () => {
    const yaml = V1("  network:\n    kubespan:\n      enabled: true\n") + SERVICE + IDENTITY;
    expect(matching(yaml, /discovery/i)).toEqual([]);
  });
  it("legacy discovery with its service registry disabled is no discovery", () => {
    const yaml = V1("  network:\n    kubespan:\n      enabled: true\ncluster:\n  id: aWQ=\n  secret: c2VjcmV0\n  discovery:\n    enabled: true\n    registries:\n      service:\n        disabled: true\n");
    expect(matching(yaml, /KubeSpan requires/)).toHaveLength(1);
  });
  it("an enabled KubeSpanConfig document without discovery is an error there; a disabled one is fine", () => {
    const on = V1("") + doc("KubeSpanConfig", "enabled: true\n");
    expect(matching(on, /KubeSpan requires/)).toEqual([{ message: "KubeSpan requires cluster discovery to be enabled", line: 7 }]);
    expect(matching(V1("") + doc("KubeSpanConfig", "enabled: false\n"), /KubeSpan requires/)).toEqual([]);
    expect(matching(on + SERVICE + IDENTITY, /discovery/i)).toEqual([]);
  });
  it("1.13 keeps its own rule and message", () => {
    const yaml = V1("  network:\n    kubespan:\n      enabled: true\n");
    expect(matching(yaml, /discovery/, "1.13")).toEqual([{ message: ".cluster.discovery should be enabled when .machine.network.kubespan is enabled", line: 6 }]);
  });
});

describe("DiscoveryServiceConfig needs a cluster identity (1.14)", () => {
  it("without one: both errors", () => {
    expect(matching(V1("") + SERVICE, /should be set when cluster discovery/).map((i) => i.message)).toEqual([
      "cluster ID (.cluster.id or DiscoveryIdentityConfig) should be set when cluster discovery (DiscoveryServiceConfig) is enabled",
      "cluster secret (.cluster.secret or DiscoveryIdentityConfig) should be set when cluster discovery (DiscoveryServiceConfig) is enabled",
    ]);
  });
  it("the legacy identity counts, and wins once either of its fields is set", () => {
    expect(matching(V1("cluster:\n  id: aWQ=\n  secret: c2VjcmV0\n") + SERVICE, /should be set/)).toEqual([]);
    expect(matching(V1("cluster:\n  id: aWQ=\n") + SERVICE + IDENTITY, /should be set/).map((i) => i.message)).toEqual([
      "cluster secret (.cluster.secret or DiscoveryIdentityConfig) should be set when cluster discovery (DiscoveryServiceConfig) is enabled",
    ]);
  });
});

describe("KubeProxyConfig (1.14)", () => {
  it("a disabled proxy needs no image; an enabled one does", () => {
    expect(matching(V1("") + doc("KubeProxyConfig", "enabled: false\n"), /image/)).toEqual([]);
    expect(matching(V1("") + doc("KubeProxyConfig", "mode: nftables\n"), /image/)).toEqual([{ message: "proxy image cannot be empty", line: 5 }]);
  });
});
