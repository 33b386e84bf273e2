import "server-only";

/**
 * The Talos API client, as callers outside this folder use it: ./client (the TalosClient facade)
 * over ./transport (routing through control-plane endpoints with `node` metadata, failover,
 * deadlines, retries) and ./channel (mTLS channels shared per endpoint and identity), with the
 * typed calls grouped by gRPC service in ./api, resource and event decoding in ./cosi and
 * ./events, and gRPC → AppError mapping in ./errors.
 */
export { createTalosClient, TalosClient } from "./client";
export { DEFAULT_TIMEOUTS, type CallOptions, type NodeTarget, type StreamOptions, type TalosClientContext, type TalosClientOptions, type TalosTimeouts } from "./transport";
export {
  type ApplyConfigurationOptions,
  type ApplyConfigurationResult,
  type ApplyMode,
  type EtcdAlarmResult,
  type EtcdMember,
  type EtcdMemberListResult,
  type EtcdStatusResult,
  type EventsOptions,
  type LegacyUpgradeOptions,
  type LoadAvgResult,
  type MemInfo,
  type RebootMode,
  type ServiceInfo,
  type SystemStatResult,
  type VersionResult,
} from "./api/machine";
export { containerdInstance, type ContainerdTarget, type ImagePullEvent } from "./api/image";
export { type InstallProgressEvent } from "./api/lifecycle";
export { type CosiListOptions, type CosiRawWatchEvent, type CosiWatchOptions } from "./api/state";
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
