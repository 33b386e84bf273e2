import "server-only";

import * as day2 from "./api/day2";
import type { DmesgOptions, LogsOptions, ResetOptions, ServiceAction } from "./api/day2";
import * as image from "./api/image";
import type { ContainerdTarget, ImagePullEvent } from "./api/image";
import * as lifecycle from "./api/lifecycle";
import type { InstallProgressEvent } from "./api/lifecycle";
import * as machine from "./api/machine";
import type {
  ApplyConfigurationOptions,
  ApplyConfigurationResult,
  EtcdAlarmResult,
  EtcdMemberListResult,
  EtcdStatusResult,
  EventsOptions,
  LegacyUpgradeOptions,
  LoadAvgResult,
  MemInfo,
  MemoryReadings,
  RebootMode,
  ServiceInfo,
  SystemStatResult,
  VersionResult,
} from "./api/machine";
import * as state from "./api/state";
import type { CosiListOptions, CosiRawWatchEvent, CosiWatchOptions } from "./api/state";
import type { Endpoint } from "./channel";
import type { ClusterMemberValue, CosiRawResource, CosiResource, CosiWatchEvent, MachineStatusValue, ResourceKind, ServiceValue } from "./cosi";
import type { TalosEvent } from "./events";
import {
  TalosTransport,
  type CallOptions,
  type NodeTarget,
  type StreamOptions,
  type TalosClientContext,
  type TalosClientOptions,
  type TalosTimeouts,
} from "./transport";
import { upgradeNode, type UpgradeOptions, type UpgradeResult } from "./upgrade";

/**
 * A Talos API client for one talosconfig context: one object that callers (the poller, runners,
 * routes) hold and fakes can stand in for. Each method is one typed call from ./api over the
 * context's ./transport; every method takes the target node first, returns plain objects and
 * fails with an `AppError` that names the node (see ./errors).
 */
export class TalosClient {
  private readonly transport: TalosTransport;

  constructor(context: TalosClientContext, options: TalosClientOptions = {}) {
    this.transport = new TalosTransport(context, options);
  }

  get context(): TalosClientContext {
    return this.transport.context;
  }

  get routing(): "proxy" | "direct" {
    return this.transport.routing;
  }

  get timeouts(): TalosTimeouts {
    return this.transport.timeouts;
  }

  /** The roles of the client certificate (e.g. `["os:admin"]`), when the context carries them. */
  get roles(): readonly string[] {
    return this.transport.context.roles ?? [];
  }

  /** The endpoint calls currently go through. */
  get endpoint(): Endpoint {
    return this.transport.endpoint;
  }

  /** Makes the first READY endpoint (in talosconfig order) current; see TalosTransport. */
  selectEndpoint(deadline?: number): Promise<Endpoint> {
    return this.transport.selectEndpoint(deadline);
  }

  // MachineService reads ------------------------------------------------------------------------

  version(node: NodeTarget, opts?: CallOptions): Promise<VersionResult> {
    return machine.version(this.transport, node, opts);
  }

  hostname(node: NodeTarget, opts?: CallOptions): Promise<string> {
    return machine.hostname(this.transport, node, opts);
  }

  /** /proc/meminfo, in kB. */
  memory(node: NodeTarget, opts?: CallOptions): Promise<MemInfo> {
    return machine.memory(this.transport, node, opts);
  }

  /** MemTotal and MemAvailable only, decoded without the other fields (the fleet poller's read). */
  memoryReadings(node: NodeTarget, opts?: CallOptions): Promise<MemoryReadings> {
    return machine.memoryReadings(this.transport, node, opts);
  }

  loadAvg(node: NodeTarget, opts?: CallOptions): Promise<LoadAvgResult> {
    return machine.loadAvg(this.transport, node, opts);
  }

  systemStat(node: NodeTarget, opts?: CallOptions): Promise<SystemStatResult> {
    return machine.systemStat(this.transport, node, opts);
  }

  serviceList(node: NodeTarget, opts?: CallOptions): Promise<ServiceInfo[]> {
    return machine.serviceList(this.transport, node, opts);
  }

  /** Control planes only. `queryLocal` asks only the node's own etcd. */
  etcdMemberList(node: NodeTarget, opts?: CallOptions & { queryLocal?: boolean }): Promise<EtcdMemberListResult> {
    return machine.etcdMemberList(this.transport, node, opts);
  }

  /** Control planes only. */
  etcdStatus(node: NodeTarget, opts?: CallOptions): Promise<EtcdStatusResult> {
    return machine.etcdStatus(this.transport, node, opts);
  }

  /** Admin, control planes only. Moves etcd leadership away from this member; `member` is the new leader, "" when it did not lead. */
  etcdForfeitLeadership(node: NodeTarget, opts?: CallOptions): Promise<{ member: string }> {
    return machine.etcdForfeitLeadership(this.transport, node, opts);
  }

  etcdAlarmList(node: NodeTarget, opts?: CallOptions): Promise<EtcdAlarmResult[]> {
    return machine.etcdAlarmList(this.transport, node, opts);
  }

  /**
   * Admin only, control planes only: the cluster's admin kubeconfig as Talos generates it (a
   * client certificate of the Kubernetes CA; its lifetime is `cluster.adminKubeconfig.certLifetime`).
   */
  kubeconfig(node: NodeTarget, opts?: CallOptions): Promise<string> {
    return machine.kubeconfig(this.transport, node, opts);
  }

  // MachineService actions (never retried) ------------------------------------------------------

  /** Admin only. Talos runs one apply at a time: a concurrent one fails with `conflict`. */
  applyConfiguration(node: NodeTarget, opts: ApplyConfigurationOptions): Promise<ApplyConfigurationResult> {
    return machine.applyConfiguration(this.transport, node, opts);
  }

  /** Operator or admin. Returns the actor id to follow in `events`. */
  reboot(node: NodeTarget, opts?: CallOptions & { mode?: RebootMode }): Promise<{ actorId: string }> {
    return machine.reboot(this.transport, node, opts);
  }

  /** Admin only. Reverts the bootloader to the previous entry, then reboots. */
  rollback(node: NodeTarget, opts?: CallOptions): Promise<void> {
    return machine.rollback(this.transport, node, opts);
  }

  /** Operator or admin. */
  shutdown(node: NodeTarget, opts?: CallOptions & { force?: boolean }): Promise<{ actorId: string }> {
    return machine.shutdown(this.transport, node, opts);
  }

  /** Admin only. Wipes the node (graceful: leaves etcd and drains first), then reboots or halts. */
  reset(node: NodeTarget, opts: ResetOptions): Promise<{ actorId: string }> {
    return day2.reset(this.transport, node, opts);
  }

  /** Operator or admin. Talos refuses services it does not allow to be driven over the API. */
  serviceAction(node: NodeTarget, action: ServiceAction, id: string, opts?: CallOptions): Promise<{ response: string }> {
    return day2.serviceAction(this.transport, node, action, id, opts);
  }

  /** Operator or admin, control planes. One member at a time (it blocks the member). */
  etcdDefragment(node: NodeTarget, opts?: CallOptions): Promise<void> {
    return day2.etcdDefragment(this.transport, node, opts);
  }

  /** Operator or admin. Disarms every alarm; returns what was armed. */
  etcdAlarmDisarm(node: NodeTarget, opts?: CallOptions): Promise<EtcdAlarmResult[]> {
    return day2.etcdAlarmDisarm(this.transport, node, opts);
  }

  /** Admin only. Ask a control plane other than the one removed. */
  etcdRemoveMemberById(node: NodeTarget, memberId: string, opts?: CallOptions): Promise<void> {
    return day2.etcdRemoveMemberById(this.transport, node, memberId, opts);
  }

  /** The deprecated `MachineService/Upgrade` (admin); prefer {@link upgrade}, which picks the path. */
  upgradeLegacy(node: NodeTarget, opts: LegacyUpgradeOptions): Promise<{ ack: string; actorId: string }> {
    return machine.upgradeLegacy(this.transport, node, opts);
  }

  /**
   * Upgrades a node the way talosctl does: Version decides the path; ≥ 1.13 pulls the installer
   * (ImageService/Pull), runs LifecycleService/Upgrade and reboots; older nodes (or `stage`) use
   * the legacy MachineService/Upgrade. See ./upgrade.
   */
  upgrade(node: string, opts: UpgradeOptions): Promise<UpgradeResult> {
    return upgradeNode(this.transport, node, opts);
  }

  // Streams -------------------------------------------------------------------------------------

  /**
   * The node's event stream. The first item is the `hello` event (the stream is live). Ends when
   * `signal` aborts; fails with an AppError when the node goes away (reconnect with `tailEvents: -1`).
   */
  events(node: NodeTarget, opts?: EventsOptions): AsyncGenerator<TalosEvent> {
    return machine.events(this.transport, node, opts);
  }

  /** Reader or above. A service's log as raw chunks (lines end in `\n`); follows until `signal` aborts. */
  logs(node: NodeTarget, opts: LogsOptions): AsyncGenerator<Buffer> {
    return day2.logs(this.transport, node, opts);
  }

  /** Reader or above. The kernel log as raw chunks. */
  dmesg(node: NodeTarget, opts?: DmesgOptions): AsyncGenerator<Buffer> {
    return day2.dmesg(this.transport, node, opts);
  }

  /** Operator or admin (or os:etcd:backup), control planes: the member's snapshot bytes. */
  etcdSnapshot(node: NodeTarget, opts?: StreamOptions): AsyncGenerator<Buffer> {
    return day2.etcdSnapshot(this.transport, node, opts);
  }

  /** Operator or admin. Pulls an image into containerd (1.13+). */
  imagePull(node: NodeTarget, opts: StreamOptions & { image: string; containerd?: ContainerdTarget }): AsyncGenerator<ImagePullEvent> {
    return image.imagePull(this.transport, node, opts);
  }

  /** Operator or admin. The legacy MachineService/ImagePull (any version; removed in 1.18): returns once the image is pulled. */
  imagePullLegacy(node: NodeTarget, opts: CallOptions & { image: string; containerd: "system" | "cri" }): Promise<void> {
    return image.imagePullLegacy(this.transport, node, opts);
  }

  /** Admin only. Runs the installer from `image` (1.13+); ends with one `exit` event. */
  lifecycleUpgrade(node: NodeTarget, opts: StreamOptions & { image: string; containerd?: ContainerdTarget }): AsyncGenerator<InstallProgressEvent> {
    return lifecycle.lifecycleUpgrade(this.transport, node, opts);
  }

  // COSI (cosi.resource.State) ------------------------------------------------------------------

  /** One resource, raw. A missing one is `not_found`; a sensitive type without admin is `forbidden`. */
  cosiGet(node: NodeTarget, namespace: string, type: string, id: string, opts?: CallOptions): Promise<CosiRawResource> {
    return state.cosiGet(this.transport, node, namespace, type, id, opts);
  }

  cosiList(node: NodeTarget, namespace: string, type: string, opts?: CosiListOptions): Promise<CosiRawResource[]> {
    return state.cosiList(this.transport, node, namespace, type, opts);
  }

  /** Watches a type (or one id) until `signal` aborts. */
  cosiWatch(node: NodeTarget, namespace: string, type: string, opts?: CosiWatchOptions): AsyncGenerator<CosiRawWatchEvent> {
    return state.cosiWatch(this.transport, node, namespace, type, opts);
  }

  /** A typed resource (see `resourceKinds` in ./cosi). */
  getResource<T>(node: NodeTarget, kind: ResourceKind<T>, id?: string, opts?: CallOptions): Promise<CosiResource<T>> {
    return state.getResource(this.transport, node, kind, id, opts);
  }

  listResources<T>(node: NodeTarget, kind: ResourceKind<T>, opts?: CosiListOptions): Promise<CosiResource<T>[]> {
    return state.listResources(this.transport, node, kind, opts);
  }

  watchResource<T>(node: NodeTarget, kind: ResourceKind<T>, opts?: CosiWatchOptions): AsyncGenerator<CosiWatchEvent<T>> {
    return state.watchResource(this.transport, node, kind, opts);
  }

  /** The active machine config (`v1alpha1`) or the persisted one (`persistent`), as submitted. Admin only. */
  machineConfig(node: NodeTarget, opts?: CallOptions & { id?: "v1alpha1" | "persistent" }): Promise<{ yaml: string; version: string; updated?: Date }> {
    return state.machineConfig(this.transport, node, opts);
  }

  machineStatus(node: NodeTarget, opts?: CallOptions): Promise<MachineStatusValue> {
    return state.machineStatus(this.transport, node, opts);
  }

  /** The Talos version from COSI `Versions.runtime.talos.dev` (reader-visible, no MachineService call). */
  talosVersion(node: NodeTarget, opts?: CallOptions): Promise<string> {
    return state.talosVersion(this.transport, node, opts);
  }

  /** The boot ID (`BootIDs.runtime.talos.dev`, 1.14+): changes on every boot. */
  bootId(node: NodeTarget, opts?: CallOptions): Promise<string> {
    return state.bootId(this.transport, node, opts);
  }

  /** Services from COSI, by id. */
  services(node: NodeTarget, opts?: CosiListOptions): Promise<Record<string, ServiceValue>> {
    return state.services(this.transport, node, opts);
  }

  /** Cluster members from discovery (`Members.cluster.talos.dev`), with their resource id. */
  clusterMembers(node: NodeTarget, opts?: CosiListOptions): Promise<(ClusterMemberValue & { id: string })[]> {
    return state.clusterMembers(this.transport, node, opts);
  }
}

/** A client for one talosconfig context. */
export function createTalosClient(context: TalosClientContext, options?: TalosClientOptions): TalosClient {
  return new TalosClient(context, options);
}
