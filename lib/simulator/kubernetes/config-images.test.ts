import { describe, expect, it } from "vitest";

import { configImages, defaultImages, imageTag } from "./config-images";

const V1ALPHA1 = `version: v1alpha1
machine:
    type: controlplane
    kubelet:
        image: ghcr.io/siderolabs/kubelet:v1.34.2
    nodeLabels:
        minos.dev/pool: edge
        host: node-a
    network:
        hostname: node-a
cluster:
    apiServer:
        image: registry.k8s.io/kube-apiserver:v1.34.2
    controllerManager:
        image: registry.k8s.io/kube-controller-manager:v1.34.2
    proxy:
        image: registry.k8s.io/kube-proxy:v1.34.2
`;

const MULTIDOC = `version: v1alpha1
machine:
    type: worker
---
apiVersion: v1alpha1
kind: KubeletConfig
image: ghcr.io/siderolabs/kubelet:v1.35.0
---
apiVersion: v1alpha1
kind: KubeAPIServerConfig
image: registry.k8s.io/kube-apiserver:v1.35.0
---
apiVersion: v1alpha1
kind: KubeNodeConfig
labels:
    minos.dev/pool: edge
`;

describe("configImages", () => {
  it("reads the v1alpha1 fields, with defaults for what the config leaves out", () => {
    expect(configImages(V1ALPHA1, "1.34.1", { hostname: "node-a", address: "10.0.0.1" })).toEqual({
      kubelet: "ghcr.io/siderolabs/kubelet:v1.34.2",
      apiServer: "registry.k8s.io/kube-apiserver:v1.34.2",
      controllerManager: "registry.k8s.io/kube-controller-manager:v1.34.2",
      scheduler: "registry.k8s.io/kube-scheduler:v1.34.1",
      proxy: "registry.k8s.io/kube-proxy:v1.34.2",
      nodeLabels: { "minos.dev/pool": "edge", host: "node-a" },
    });
  });

  it("reads the 1.14 documents", () => {
    const got = configImages(MULTIDOC, "1.35.0", { hostname: "w", address: "10.0.0.2" });
    expect(got).toMatchObject({ kubelet: "ghcr.io/siderolabs/kubelet:v1.35.0", apiServer: "registry.k8s.io/kube-apiserver:v1.35.0", proxy: "registry.k8s.io/kube-proxy:v1.35.0", nodeLabels: { "minos.dev/pool": "edge" } });
  });

  it("shares one parse between nodes of one template, each keeping its own hostname in labels", () => {
    const other = V1ALPHA1.replaceAll("node-a", "node-b");
    expect(configImages(other, "1.34.1", { hostname: "node-b", address: "10.0.0.3" }).nodeLabels).toEqual({ "minos.dev/pool": "edge", host: "node-b" });
    expect(configImages(V1ALPHA1, "1.34.1", { hostname: "node-a", address: "10.0.0.1" }).nodeLabels.host).toBe("node-a");
  });

  it("an unparsable config falls back to the defaults", () => {
    expect(configImages("{{{", "1.34.1", { hostname: "x", address: "y" })).toEqual({ ...defaultImages("1.34.1"), nodeLabels: {} });
  });

  it("imageTag: the tag, not a registry port, nor a digest", () => {
    expect(imageTag("registry:5000/kube-apiserver:v1.34.1@sha256:abc")).toBe("v1.34.1");
    expect(imageTag("registry:5000/kube-apiserver")).toBeNull();
  });
});
