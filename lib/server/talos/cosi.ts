import "server-only";

import { TALOS_RESOURCES } from "@/lib/talos/constants";

import type { Resource, Metadata as ResourceMetadata } from "@/lib/third_party/talos-proto/gen/cosi/resource";
import { EventType } from "@/lib/third_party/talos-proto/gen/cosi/state";
import { MemberSpec as ClusterMemberSpec } from "@/lib/third_party/talos-proto/gen/resource/definitions/cluster/cluster";
import { MachineConfigSpec, MachineTypeSpec } from "@/lib/third_party/talos-proto/gen/resource/definitions/config/config";
import { MachineType, RuntimeMachineStage } from "@/lib/third_party/talos-proto/gen/resource/definitions/enums/enums";
import { MemberSpec as EtcdMemberSpec } from "@/lib/third_party/talos-proto/gen/resource/definitions/etcd/etcd";
import { HostnameStatusSpec } from "@/lib/third_party/talos-proto/gen/resource/definitions/network/network";
import { BootIDSpec, MachineStatusSpec, VersionSpec } from "@/lib/third_party/talos-proto/gen/resource/definitions/runtime/runtime";
import { ServiceSpec } from "@/lib/third_party/talos-proto/gen/resource/definitions/v1alpha1/v1alpha1";

/** COSI resource metadata as plain values. */
export interface CosiMetadata {
  namespace: string;
  type: string;
  id: string;
  version: string;
  owner: string;
  phase: string;
  created?: Date;
  updated?: Date;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  finalizers: string[];
}

/** A resource as the State API returns it: the protobuf spec bytes and Talos's YAML rendering. */
export interface CosiRawResource {
  metadata: CosiMetadata;
  protoSpec: Uint8Array;
  yamlSpec: string;
}

/** A resource with its spec decoded. */
export interface CosiResource<T> {
  metadata: CosiMetadata;
  spec: T;
}

export type CosiEventType = "created" | "updated" | "destroyed" | "bootstrapped" | "errored" | "noop";

/** One watch event; `resource` is the new state (the last state for `destroyed`). */
export interface CosiWatchEvent<T> {
  type: CosiEventType;
  resource?: CosiResource<T>;
  old?: CosiResource<T>;
  error?: string;
}

/** Describes a resource type Minos reads: where it lives and how to decode its `proto_spec`. */
export interface ResourceKind<T> {
  namespace: string;
  type: string;
  /** The id of the singleton, for types that have one. */
  defaultId?: string;
  /** True when Talos only shows it to `os:admin`. */
  sensitive: boolean;
  decode(protoSpec: Uint8Array): T;
}

export type MachineStage =
  | "unknown"
  | "booting"
  | "installing"
  | "maintenance"
  | "running"
  | "rebooting"
  | "shutting_down"
  | "resetting"
  | "upgrading";

const stageNames: Record<number, MachineStage> = {
  [RuntimeMachineStage.MACHINE_STAGE_UNKNOWN]: "unknown",
  [RuntimeMachineStage.MACHINE_STAGE_BOOTING]: "booting",
  [RuntimeMachineStage.MACHINE_STAGE_INSTALLING]: "installing",
  [RuntimeMachineStage.MACHINE_STAGE_MAINTENANCE]: "maintenance",
  [RuntimeMachineStage.MACHINE_STAGE_RUNNING]: "running",
  [RuntimeMachineStage.MACHINE_STAGE_REBOOTING]: "rebooting",
  [RuntimeMachineStage.MACHINE_STAGE_SHUTTING_DOWN]: "shutting_down",
  [RuntimeMachineStage.MACHINE_STAGE_RESETTING]: "resetting",
  [RuntimeMachineStage.MACHINE_STAGE_UPGRADING]: "upgrading",
};

/** Machine stage number (COSI `RuntimeMachineStage` and `MachineStatusEvent.MachineStage` agree) → name. */
export function machineStageName(stage: number): MachineStage {
  return stageNames[stage] ?? "unknown";
}

export type MachineTypeName = "unknown" | "init" | "controlplane" | "worker";

export function machineTypeName(t: number): MachineTypeName {
  switch (t) {
    case MachineType.TYPE_INIT:
      return "init";
    case MachineType.TYPE_CONTROL_PLANE:
      return "controlplane";
    case MachineType.TYPE_WORKER:
      return "worker";
    default:
      return "unknown";
  }
}

export interface MachineConfigSpecValue {
  /** The config exactly as submitted (multi-document YAML, comments kept). */
  yaml: string;
}

export interface MachineStatusValue {
  stage: MachineStage;
  ready: boolean;
  unmetConditions: { name: string; reason: string }[];
}

export interface VersionValue {
  version: string;
  name: string;
}

export interface ServiceValue {
  running: boolean;
  healthy: boolean;
  unknown: boolean;
}

export interface ClusterMemberValue {
  nodeId: string;
  addresses: string[];
  hostname: string;
  machineType: MachineTypeName;
  operatingSystem: string;
  /** Set on control-plane members. */
  apiServerPort?: number;
}

/** Formats a `common.NetIP` (4 or 16 raw bytes) like Go's `netip.Addr.String()`. */
export function formatNetIP(bytes: Uint8Array): string {
  if (bytes.length === 4) return Array.from(bytes).join(".");
  if (bytes.length !== 16) return Buffer.from(bytes).toString("hex");
  if (bytes.subarray(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff) {
    return `::ffff:${Array.from(bytes.subarray(12)).join(".")}`;
  }
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((bytes[i]! << 8) | bytes[i + 1]!);
  // The longest run of two or more zero groups becomes "::" (the first one on a tie).
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = (g: number[]) => g.map((x) => x.toString(16)).join(":");
  if (bestStart < 0) return hex(groups);
  return `${hex(groups.slice(0, bestStart))}::${hex(groups.slice(bestStart + bestLen))}`;
}

/** The resource kinds Minos reads (namespaces and types exactly as in siderolabs/talos pkg/machinery/resources). */
export const resourceKinds = {
  /** The active machine config (`v1alpha1`) or the persisted one (`persistent`). Admin only. */
  machineConfig: {
    ...TALOS_RESOURCES.machineConfig,
    defaultId: "v1alpha1",
    sensitive: true,
    decode: (b: Uint8Array): MachineConfigSpecValue => ({
      yaml: Buffer.from(MachineConfigSpec.decode(b).yamlMarshalled).toString("utf8"),
    }),
  },
  machineType: {
    ...TALOS_RESOURCES.machineType,
    defaultId: "machine-type",
    sensitive: false,
    decode: (b: Uint8Array): MachineTypeName => machineTypeName(MachineTypeSpec.decode(b).machineType),
  },
  machineStatus: {
    ...TALOS_RESOURCES.machineStatus,
    defaultId: "machine",
    sensitive: false,
    decode: (b: Uint8Array): MachineStatusValue => {
      const spec = MachineStatusSpec.decode(b);
      return {
        stage: machineStageName(spec.stage),
        ready: spec.status?.ready ?? false,
        unmetConditions: (spec.status?.unmetConditions ?? []).map((c) => ({ name: c.name, reason: c.reason })),
      };
    },
  },
  version: {
    ...TALOS_RESOURCES.version,
    defaultId: "version",
    sensitive: false,
    decode: (b: Uint8Array): VersionValue => {
      const spec = VersionSpec.decode(b);
      return { version: spec.version, name: spec.name };
    },
  },
  service: {
    ...TALOS_RESOURCES.service,
    sensitive: false,
    decode: (b: Uint8Array): ServiceValue => {
      const spec = ServiceSpec.decode(b);
      return { running: spec.running, healthy: spec.healthy, unknown: spec.unknown };
    },
  },
  bootId: {
    ...TALOS_RESOURCES.bootIds,
    defaultId: "boot-id",
    sensitive: false,
    decode: (b: Uint8Array): string => BootIDSpec.decode(b).bootId,
  },
  hostname: {
    ...TALOS_RESOURCES.hostnameStatus,
    defaultId: "hostname",
    sensitive: false,
    decode: (b: Uint8Array): { hostname: string; domainname: string } => {
      const spec = HostnameStatusSpec.decode(b);
      return { hostname: spec.hostname, domainname: spec.domainname };
    },
  },
  clusterMember: {
    ...TALOS_RESOURCES.member,
    sensitive: false,
    decode: (b: Uint8Array): ClusterMemberValue => {
      const spec = ClusterMemberSpec.decode(b);
      const value: ClusterMemberValue = {
        nodeId: spec.nodeId,
        addresses: spec.addresses.map((a) => formatNetIP(a.ip)),
        hostname: spec.hostname,
        machineType: machineTypeName(spec.machineType),
        operatingSystem: spec.operatingSystem,
      };
      if (spec.controlPlane) value.apiServerPort = Number(spec.controlPlane.apiServerPort);
      return value;
    },
  },
  etcdMember: {
    ...TALOS_RESOURCES.etcdMember,
    defaultId: "local",
    sensitive: false,
    decode: (b: Uint8Array): { memberId: string } => ({ memberId: EtcdMemberSpec.decode(b).memberId }),
  },
} satisfies Record<string, ResourceKind<unknown>>;

export function toCosiMetadata(m: ResourceMetadata | undefined): CosiMetadata {
  const meta: CosiMetadata = {
    namespace: m?.namespace ?? "",
    type: m?.type ?? "",
    id: m?.id ?? "",
    version: m?.version ?? "",
    owner: m?.owner ?? "",
    phase: m?.phase ?? "",
    labels: { ...(m?.labels ?? {}) },
    annotations: { ...(m?.annotations ?? {}) },
    finalizers: [...(m?.finalizers ?? [])],
  };
  if (m?.created) meta.created = m.created;
  if (m?.updated) meta.updated = m.updated;
  return meta;
}

export function toRawResource(r: Resource): CosiRawResource {
  return {
    metadata: toCosiMetadata(r.metadata),
    protoSpec: r.spec?.protoSpec ?? new Uint8Array(),
    yamlSpec: r.spec?.yamlSpec ?? "",
  };
}

export function decodeResource<T>(kind: ResourceKind<T>, raw: CosiRawResource): CosiResource<T> {
  return { metadata: raw.metadata, spec: kind.decode(raw.protoSpec) };
}

export function cosiEventTypeName(t: EventType): CosiEventType {
  switch (t) {
    case EventType.CREATED:
      return "created";
    case EventType.UPDATED:
      return "updated";
    case EventType.DESTROYED:
      return "destroyed";
    case EventType.BOOTSTRAPPED:
      return "bootstrapped";
    case EventType.ERRORED:
      return "errored";
    default:
      return "noop";
  }
}
