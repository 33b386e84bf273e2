import { describe, expect, it } from "vitest";

import {
  componentImage,
  kubeletImageSuffix,
  kubernetesSupportedWith,
  removedArgsInUse,
  removedInUpgrade,
  resourceListPath,
  supportsImageService,
  supportsSsaManifestSync,
  upgradePathProblem,
  versionFromImage,
} from "./kubernetes";

describe("upgradePathProblem (go-kubernetes Path.IsSupported)", () => {
  it.each([
    ["1.33.1", "1.34.0"],
    ["v1.34.0", "v1.34.2"],
    ["1.36.3", "1.37.0"],
    ["1.19.0", "1.20.0"],
  ])("accepts %s → %s", (from, to) => expect(upgradePathProblem(from, to)).toBeNull());

  it("refuses a jump of two minors, saying which minor comes first", () => {
    expect(upgradePathProblem("1.32.3", "1.34.1")).toBe('unsupported upgrade path 1.32->1.34 (from "1.32.3" to "1.34.1"): Kubernetes upgrades one minor at a time: upgrade to 1.33 first');
  });
  it("refuses a downgrade to an older minor", () => {
    expect(upgradePathProblem("1.34.0", "1.33.5")).toMatch(/1\.34->1\.33 .*cannot be downgraded/);
  });
  it("refuses paths outside the list (1.18, 1.38)", () => {
    expect(upgradePathProblem("1.18.0", "1.19.0")).toMatch(/between 1\.19 and 1\.37/);
    expect(upgradePathProblem("1.37.0", "1.38.0")).toMatch(/between 1\.19 and 1\.37/);
  });
  it("refuses something that is not a version", () => expect(upgradePathProblem("1.33.0", "latest")).toBe('"latest" is not a Kubernetes version'));
});

describe("kubernetesSupportedWith (compatibility.SupportedWith)", () => {
  it("accepts the Talos minor's range", () => {
    expect(kubernetesSupportedWith("1.34.1", "v1.12.0")).toBeNull();
    expect(kubernetesSupportedWith("1.30.0", "v1.12.3")).toBeNull();
    expect(kubernetesSupportedWith("1.35.98", "v1.12.3")).toBeNull();
  });
  it("refuses too new (>= max, which is x.y.99) and too old with Talos's words", () => {
    expect(kubernetesSupportedWith("1.36.0", "v1.12.3")).toBe("version of Kubernetes 1.36.0 is too new to be used with Talos 1.12.3");
    expect(kubernetesSupportedWith("1.29.9", "v1.12.3")).toBe("version of Kubernetes 1.29.9 is too old to be used with Talos 1.12.3");
  });
  it("refuses a Talos minor it has no range for", () => expect(kubernetesSupportedWith("1.30.0", "v1.1.0")).toBe("compatibility with version 1.1.0 is not supported"));
});

describe("images", () => {
  it("builds each component's image as upgrade-k8s does", () => {
    expect(componentImage("kube-apiserver", "1.34.1")).toBe("registry.k8s.io/kube-apiserver:v1.34.1");
    expect(componentImage("kubelet", "v1.34.1", { kubeletSuffix: "-fat" })).toBe("ghcr.io/siderolabs/kubelet:v1.34.1-fat");
    expect(componentImage("kube-proxy", "1.34.1", { kubeletSuffix: "-fat" })).toBe("registry.k8s.io/kube-proxy:v1.34.1");
  });
  it("reads the version from a tag, registry ports and digests aside", () => {
    expect(versionFromImage("registry.k8s.io/kube-scheduler:v1.33.4")).toBe("v1.33.4");
    expect(versionFromImage("localhost:5000/kubelet:v1.33.4-fat")).toBe("v1.33.4");
    expect(versionFromImage("localhost:5000/kubelet")).toBeNull();
    expect(versionFromImage("ghcr.io/x/kubelet:v1.34.0@sha256:abc")).toBe("v1.34.0");
    expect(kubeletImageSuffix("ghcr.io/siderolabs/kubelet:v1.33.0-slim")).toBe("-slim");
  });
});

describe("removed items", () => {
  it("names what a step removes, empty for a patch upgrade", () => {
    expect(removedInUpgrade("1.24.9", "1.25.0").apiResources).toEqual(["podsecuritypolicies.v1beta1.policy"]);
    expect(removedInUpgrade("1.36.1", "1.37.0").apiResources).toEqual(["workloads.v1alpha2.scheduling.k8s.io", "podgroups.v1alpha2.scheduling.k8s.io"]);
    expect(removedInUpgrade("1.34.0", "1.34.1")).toEqual({ apiResources: [], admissionPlugins: [], featureGates: [], flags: {} });
  });
  it("lists resources at their REST path", () => {
    expect(resourceListPath("podsecuritypolicies.v1beta1.policy")).toBe("/apis/policy/v1beta1/podsecuritypolicies");
    expect(resourceListPath("clustercidrs.v1alpha1.networking.k8s.io")).toBe("/apis/networking.k8s.io/v1alpha1/clustercidrs");
  });
  it("finds removed flags, gates and plugins in a command line", () => {
    const args = ["--cloud-config=/x", "--feature-gates=PodDisruptionConditions=true,Other=false", "--enable-admission-plugins=NodeRestriction,SecurityContextDeny"];
    expect(removedArgsInUse(args, { flags: ["cloud-config", "other"], featureGates: ["PodDisruptionConditions", "AppArmor"], admissionPlugins: ["SecurityContextDeny"] })).toEqual({
      flags: ["cloud-config"],
      featureGates: ["PodDisruptionConditions"],
      admissionPlugins: ["SecurityContextDeny"],
    });
  });
});

describe("Talos features", () => {
  it("syncs manifests with server-side apply from 1.13, pulls through ImageService after 1.13.0-alpha.2", () => {
    expect(supportsSsaManifestSync("v1.12.5")).toBe(false);
    expect(supportsSsaManifestSync("v1.13.0")).toBe(true);
    expect(supportsImageService("v1.12.5")).toBe(false);
    expect(supportsImageService("v1.13.1")).toBe(true);
  });
});
