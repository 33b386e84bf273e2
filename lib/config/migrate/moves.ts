/**
 * The moves from the v1alpha1 document to the documents of the 1.14 layout, one group per set of
 * fields that Talos reads together. Talos 1.14 reads a setting from the new document when one
 * exists and falls back to v1alpha1 otherwise (pkg/machinery/config/container), and rejects an old
 * field next to its new document (the types' V1Alpha1ConflictValidate). So a group moves every
 * field one reader covers at once; a partial move would silently drop the fields left behind
 * (e.g. a KubeNodeConfig makes Talos ignore machine.kubelet.nodeIP).
 *
 * Facts from Talos v1.14.0-rc.1: the v1alpha1 bridge (pkg/machinery/config/types/v1alpha1/
 * v1alpha1_k8s_bridge.go) for the effective values of old fields, the new types under
 * pkg/machinery/config/types/{k8s,cluster,runtime,network,cri} for names and formats, and
 * pkg/machinery/config/generate for how talosctl fills the new documents.
 */
import type { Group } from "./moves/common";
import { discoveryIdentity, kubeCluster, apiServer, controllerManager, scheduler, proxy, coreDNS, network, encryption } from "./moves/kubernetes";
import { apiServerCA, aggregatorCA, discovery, extraManifests, inlineManifests } from "./moves/cluster";
import { nodeGroup, kubelet, pods, kubePrism, talosAPIAccess, hostDNS, imageCache, stableHostname, dropNoOp } from "./moves/node";
import { install, simpleMap, udev, kernel, baseRuntimeSpec, time, registries, machineNetwork, files, disks, etcdSubnet } from "./moves/system";

export { getPath, isObj, type Ctx, type Group, type Plan, type Write } from "./moves/common";

/** In the order they run; later groups see the earlier ones' documents. */
export const GROUPS: readonly Group[] = [
  discoveryIdentity,
  kubeCluster,
  apiServer,
  controllerManager,
  scheduler,
  proxy,
  coreDNS,
  network,
  encryption,
  apiServerCA,
  aggregatorCA,
  discovery,
  extraManifests,
  inlineManifests,
  kubelet,
  nodeGroup,
  pods,
  kubePrism,
  talosAPIAccess,
  hostDNS,
  imageCache,
  stableHostname,
  dropNoOp("rbac", "machine.features.rbac", "RBAC is always on"),
  dropNoOp("apidCheckExtKeyUsage", "machine.features.apidCheckExtKeyUsage", "the check is always on"),
  install,
  files,
  simpleMap("env", "machine.env", "EnvironmentConfig", "variables"),
  time,
  simpleMap("sysctls", "machine.sysctls", "SysctlConfig", "params"),
  simpleMap("sysfs", "machine.sysfs", "SysfsConfig", "params"),
  registries,
  udev,
  kernel,
  baseRuntimeSpec,
  machineNetwork,
  disks,
  etcdSubnet,
];
