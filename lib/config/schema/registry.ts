/** The whole field table, merged from the per-package files, and the kind index. */
import type { KindSpec, TypeTable } from "./table";
import { KIND_TABLE } from "./kinds";
import { BLOCK_TYPES } from "./types/block";
import { CLUSTER_TYPES } from "./types/cluster";
import { CONTAINER_TYPES } from "./types/container";
import { CRI_TYPES } from "./types/cri";
import { EXTENSIONS_TYPES } from "./types/extensions";
import { HARDWARE_TYPES } from "./types/hardware";
import { K8S_TYPES } from "./types/k8s";
import { NETWORK_TYPES } from "./types/network";
import { RUNTIME_TYPES } from "./types/runtime";
import { SECURITY_TYPES } from "./types/security";
import { SIDEROLINK_TYPES } from "./types/siderolink";
import { STORAGE_TYPES } from "./types/storage";
import { V1ALPHA1_TYPES } from "./types/v1alpha1";

export const TYPE_TABLE: TypeTable = {
  ...BLOCK_TYPES,
  ...CLUSTER_TYPES,
  ...CONTAINER_TYPES,
  ...CRI_TYPES,
  ...EXTENSIONS_TYPES,
  ...HARDWARE_TYPES,
  ...K8S_TYPES,
  ...NETWORK_TYPES,
  ...RUNTIME_TYPES,
  ...SECURITY_TYPES,
  ...SIDEROLINK_TYPES,
  ...STORAGE_TYPES,
  ...V1ALPHA1_TYPES,
};

export const KIND_BY_NAME: ReadonlyMap<string, KindSpec> = new Map(KIND_TABLE.map((k) => [k.kind, k]));
