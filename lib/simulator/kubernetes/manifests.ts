/**
 * Talos's bootstrap manifests on a simulated control plane: the `Manifests.kubernetes.talos.dev`
 * resources (namespace `controlplane`) that Talos renders from the machine config and that
 * `upgrade-k8s` syncs to Kubernetes at its end. Here: kube-proxy's DaemonSet (its image from
 * `cluster.proxy.image`, so a Kubernetes upgrade's config patch shows up in it) and CoreDNS's
 * Deployment, shaped like the objects the simulated cluster starts with (./controllers.ts), so a
 * server-side apply of them changes only what the config changed.
 *
 * yaml_spec is what Talos prints (ManifestSpec marshals as its list of objects); proto_spec is
 * left empty: the ManifestSpec proto (a google.protobuf.Struct per object) is not in our subset.
 */
import { stringify } from "yaml";

import { MANIFEST_RESOURCE } from "../../talos/kubernetes";
import type { SimNode } from "../node-state";
import type { RenderedResource, ResourceTypeDef } from "../resource-types";
import { configImages } from "./config-images";

const COREDNS_IMAGE = "registry.k8s.io/coredns/coredns:v1.12.4";

function kubeProxy(image: string) {
  const labels = { "k8s-app": "kube-proxy" };
  return {
    apiVersion: "apps/v1",
    kind: "DaemonSet",
    metadata: { name: "kube-proxy", namespace: "kube-system", labels },
    spec: {
      selector: { matchLabels: labels },
      template: { metadata: { labels }, spec: { containers: [{ name: "kube-proxy", image }], tolerations: [{ operator: "Exists" }], priorityClassName: "system-node-critical" } },
      updateStrategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } },
    },
  };
}

function coreDns() {
  const labels = { "k8s-app": "kube-dns" };
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "coredns", namespace: "kube-system", labels },
    spec: {
      replicas: 2,
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: {
          containers: [{ name: "coredns", image: COREDNS_IMAGE }],
          tolerations: [{ key: "node-role.kubernetes.io/control-plane", operator: "Exists", effect: "NoSchedule" }],
          priorityClassName: "system-cluster-critical",
        },
      },
      strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: "25%", maxSurge: "25%" } },
    },
  };
}

/** Go yaml.v3 style, as talosctl prints. */
const toYaml = (v: unknown) => stringify(v, { indent: 4, lineWidth: 0 });

function render(n: SimNode): RenderedResource[] {
  // The type exists on every node; only control planes render manifests.
  if (n.role !== "controlplane") return [];
  const images = configImages(n.runningConfigText(), n.cluster.kubernetesVersion, { hostname: n.hostname, address: n.address });
  return [
    { id: "10-kube-proxy", proto: Buffer.alloc(0), yaml: toYaml([kubeProxy(images.proxy)]), owner: "k8s.ManifestController" },
    { id: "11-core-dns", proto: Buffer.alloc(0), yaml: toYaml([coreDns()]), owner: "k8s.ManifestController" },
  ];
}

/** Registered in ../resources.ts. */
export const MANIFEST_RESOURCE_TYPES: ResourceTypeDef[] = [
  { ...MANIFEST_RESOURCE, displayType: "Manifest", aliases: [], sensitive: false, render },
];
