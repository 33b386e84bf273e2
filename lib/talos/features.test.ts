import { describe, expect, it } from "vitest";

import { defaultKubernetesVersion, hasBootIdResource, hasLifecycleService, kubernetesRange, rebootModeRemoved, yamlSpecIsScalar } from "./features";

describe("features by Talos version", () => {
  it.each([
    // version, LifecycleService, BootIDs, REBOOT removed, yaml_spec scalar
    ["v1.11.5", false, false, false, false],
    ["v1.12.0-alpha.0", false, false, false, true],
    ["v1.13.0-alpha.1-23-gabcdef0", true, false, false, true],
    ["v1.13.9", true, false, false, true],
    ["v1.14.0-rc.1", true, true, true, true],
    ["v2.0.0", true, true, true, true],
    // Not a version: the oldest behaviour (older nodes are the ones that report odd versions).
    ["garbage", false, false, false, false],
  ] as const)("%s", (v, lifecycle, bootIds, noReboot, scalar) => {
    expect([hasLifecycleService(v), hasBootIdResource(v), rebootModeRemoved(v), yamlSpecIsScalar(v)]).toEqual([lifecycle, bootIds, noReboot, scalar]);
  });

  it("Kubernetes ranges and defaults follow the Talos minor", () => {
    expect(kubernetesRange("v1.14.0")).toEqual({ minMinor: 32, maxMinor: 37 });
    // Talos's table, not the shift, where the shift was not the rule (1.2 ran 1.23–1.25).
    expect(kubernetesRange("v1.2.8")).toEqual({ minMinor: 23, maxMinor: 25 });
    expect(kubernetesRange("v1.16.0")).toEqual({ minMinor: 34, maxMinor: 39 });
    expect(defaultKubernetesVersion("v1.13.9")).toBe("1.36.3");
    expect(defaultKubernetesVersion("v1.16.0")).toBe("1.39.0");
    expect(() => kubernetesRange("latest")).toThrow(/not a Talos version/);
  });
});
