import "server-only";

/**
 * The Talos API client: mTLS channels shared per endpoint and identity, `node` targeting through
 * control-plane endpoints, deadlines, response unwrapping and gRPC → AppError mapping.
 */
export {
  createTalosClient,
  containerdInstance,
  DEFAULT_TIMEOUTS,
  TalosClient,
  type ApplyConfigurationOptions,
  type ApplyConfigurationResult,
  type ApplyMode,
  type CallOptions,
  type ContainerdTarget,
  type CosiListOptions,
  type CosiRawWatchEvent,
  type CosiWatchOptions,
  type EtcdAlarmResult,
  type EtcdMember,
  type EtcdMemberListResult,
  type EtcdStatusResult,
  type EventsOptions,
  type ImagePullEvent,
  type InstallProgressEvent,
  type LegacyUpgradeOptions,
  type LoadAvgResult,
  type MemInfo,
  type NodeTarget,
  type RebootMode,
  type ServiceInfo,
  type StreamOptions,
  type SystemStatResult,
  type TalosClientContext,
  type TalosClientOptions,
  type TalosTimeouts,
  type VersionResult,
} from "./client";
export {
  APID_PORT,
  closeAllConnections,
  closeConnection,
  connectionCount,
  MAX_MESSAGE_BYTES,
  parseEndpoint,
  type Endpoint,
  type TlsMaterial,
} from "./channel";
export {
  formatNetIP,
  machineStageName,
  resourceKinds,
  type ClusterMemberValue,
  type CosiEventType,
  type CosiMetadata,
  type CosiRawResource,
  type CosiResource,
  type CosiWatchEvent,
  type MachineStage,
  type MachineStatusValue,
  type ResourceKind,
  type ServiceValue,
  type VersionValue,
} from "./cosi";
export { errorCodeForGrpcStatus, installerExitError, toAppError } from "./errors";
export { decodeEvent, type TalosEvent } from "./events";
export { upgradeNode, type UpgradeOptions, type UpgradeProgress, type UpgradeResult } from "./upgrade";
