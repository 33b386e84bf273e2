import "server-only";

import type { NodeError } from "@/lib/schemas/fleet";
import { resourceKinds } from "@/lib/server/talos";

import type { ServiceObservation } from "../health";
import { answered, type Outcome, type TalosCaller } from "./caller";
import { applyMachineStatus, type ClusterEntry, type NodeEntry, type PollerCore } from "./core";
import type { PollClient } from "./types";

const ATTEMPTS_KEPT = 20;

type EtcdMember = Awaited<ReturnType<PollClient["etcdMemberList"]>>["members"][number];

/** What one node poll hands on; the poller wires these to its other parts. */
export interface NodePollHooks {
  /** The node's observation changed: recompute its summary. */
  refresh(e: NodeEntry): void;
  /** The cluster roll-up (etcd leader, membership) may have changed. */
  rollupChanged(): void;
  /** The poll is done (the sweep bookkeeping). */
  polled(e: NodeEntry): void;
  backoffMs(failures: number): number;
  /** A control plane listed its etcd members: nodes the talosconfig does not name are found here. */
  etcdMembers(c: ClusterEntry, members: readonly EtcdMember[]): void;
}

/** The reads of a poll, in the order their refusals are listed (`forbidden`). */
const READ_ORDER = ["Version", "MachineStatus", "ServiceList", "Memory", "LoadAvg", "Hostname", "BootID", "EtcdStatus", "EtcdMemberList"];
/** Reads that only a reboot changes: a reboot drops the Events stream, and the reconnect brings a full read. */
const BOOT_READS = ["Version", "BootID"];
/** Reads a refresh makes besides the light ones (announced by events, re-read every `fullReadMaxAgeMs` anyway). */
const REFRESH_READS = ["MachineStatus", "ServiceList", "Hostname"];

/**
 * One poll of one node: its reads in parallel (Version, MachineStatus, ServiceList, Memory,
 * LoadAvg, Hostname, BootID; the machine type until the role is known; etcd on control planes),
 * folded into the node's observation. Any answer, even a refusal, makes the node reachable;
 * only transport failures count towards its backoff.
 *
 * While the node's Events stream is open a poll is light: it reads only memory, load and etcd,
 * which change without an event. Version and boot ID change only across a reboot (the stream
 * drops), and stage, readiness and services are announced on the stream (MachineStatus and
 * ServiceState events, AddressEvent for the hostname), so any event, a reconnect or a failed read
 * makes the next poll read everything again. What events announce is also re-read once
 * `fullReadMaxAgeMs` has passed without one (a refresh: MachineStatus, ServiceList, Hostname), in
 * case a change came without an event. Most of the poller's CPU is per Talos call: a light poll
 * makes two calls on a worker instead of seven.
 */
export class NodePoll {
  /** Completed node polls since start. */
  polls = 0;
  /** Completed polls that read more than the readings (full reads and refreshes). */
  fullReads = 0;

  constructor(
    private readonly core: PollerCore,
    private readonly caller: TalosCaller,
    private readonly hooks: NodePollHooks,
  ) {}

  /** What this poll reads besides the readings (see the class comment). */
  private reads(e: NodeEntry, now: number): "full" | "refresh" | "light" {
    const o = this.core.o;
    const watched = o.watchEvents && e.watch?.connected === true;
    if (!watched || e.fullReadDue || !e.obs.reachable || e.obs.role === "unknown") return "full";
    return now - e.fullReadAt >= o.fullReadMaxAgeMs ? "refresh" : "light";
  }

  async poll(e: NodeEntry): Promise<void> {
    const started = this.core.now();
    e.attempts.push(started);
    if (e.attempts.length > ATTEMPTS_KEPT) e.attempts.shift();
    const c = e.cluster.client;
    const target = e.obs.address;
    const reads = this.reads(e, started);
    const full = reads === "full";
    const refresh = reads !== "light";
    if (refresh) {
      // An event arriving while this read is in flight sets it again: the next poll reads anew.
      e.fullReadDue = false;
      e.fullReadAt = started;
    }
    const askRole = full && e.obs.role === "unknown";
    const askBootId = full && !e.bootIdUnsupported;
    const call = this.caller.call.bind(this.caller);
    const skip = Promise.resolve(null);

    const [version, status, services, memory, load, hostname, bootId, machineType] = await Promise.all([
      full ? call("Version", (o) => c.version(target, o)) : skip,
      refresh ? call("MachineStatus", (o) => c.machineStatus(target, o)) : skip,
      refresh ? call("ServiceList", (o) => c.serviceList(target, o)) : skip,
      call("Memory", (o) => c.memoryReadings(target, o)),
      call("LoadAvg", (o) => c.loadAvg(target, o)),
      refresh ? call("Hostname", (o) => c.hostname(target, o)) : skip,
      askBootId ? call("BootID", (o) => c.bootId(target, o)) : skip,
      askRole ? call("MachineType", (o) => c.getResource(target, resourceKinds.machineType, undefined, o)) : skip,
    ]);
    if (e.cluster.pollSignal.aborted) return;

    const o = e.obs;
    const fullOnly = [version, status, services, hostname, bootId, machineType].filter((x) => x !== null);
    const outcomes: Outcome<unknown>[] = [memory, load, ...fullOnly];
    const reached = outcomes.some((x) => x.ok || answered(x.error));
    if (machineType?.ok) {
      const t = machineType.value.spec;
      if (t !== "unknown") o.role = t === "worker" ? "worker" : "controlplane";
    }
    // A read a light poll does not make failed (BootID unsupported aside): the next poll reads everything.
    if (fullOnly.some((x) => !x.ok && !(x === bootId && x.error.code === "unsupported"))) e.fullReadDue = true;

    // Control planes: etcd, after the role is known (one extra round trip on the first poll only).
    let etcdStatus: Outcome<Awaited<ReturnType<PollClient["etcdStatus"]>>> | null = null;
    let etcdMembers: Outcome<Awaited<ReturnType<PollClient["etcdMemberList"]>>> | null = null;
    if (reached && o.role === "controlplane") {
      [etcdStatus, etcdMembers] = await Promise.all([
        call("EtcdStatus", (opts) => c.etcdStatus(target, opts)),
        call("EtcdMemberList", (opts) => c.etcdMemberList(target, opts)),
      ]);
      if (e.cluster.pollSignal.aborted) return;
    }

    const now = this.core.now();
    // A lighter poll keeps the refusals of the reads it did not make.
    const notRead = new Set(full ? [] : refresh ? BOOT_READS : [...BOOT_READS, ...REFRESH_READS]);
    const forbidden: string[] = o.forbidden.filter((name) => notRead.has(name));
    const note = <T>(name: string, r: Outcome<T> | null, apply: (v: T) => void) => {
      if (!r) return;
      if (r.ok) apply(r.value);
      else if (r.error.code === "forbidden") forbidden.push(name);
    };

    o.polledAt = now;
    o.reachable = reached;
    if (reached) {
      o.lastSeen = now;
      o.lastError = null;
      e.lastFailure = null;
      e.failures = 0;
      note("Version", version, (v) => (o.talosVersion = v.tag || o.talosVersion));
      note("MachineStatus", status, (v) => applyMachineStatus(e, v.stage, v.ready, v.unmetConditions, now));
      note("ServiceList", services, (v) => {
        o.services = v.map(
          (s): ServiceObservation => ({
            id: s.id,
            state: s.state,
            healthy: !s.health || s.health.unknown ? null : s.health.healthy,
            message: s.health?.lastMessage || s.events.at(-1)?.msg || "",
            lastChange: s.health?.lastChange?.getTime() ?? s.events.at(-1)?.ts?.getTime() ?? null,
          }),
        );
      });
      note("Memory", memory, (v) => (o.memory = { totalKb: v.memtotal, availableKb: v.memavailable }));
      note("LoadAvg", load, (v) => (o.load1 = v.load1));
      note("Hostname", hostname, (v) => (o.hostname = v || o.hostname));
      note("BootID", bootId, (v) => (o.bootId = v));
      if (bootId && !bootId.ok && bootId.error.code === "unsupported") e.bootIdUnsupported = true;
      // A failure of one read is not the node's state: keep what it said last, drop what would lie.
      if (!memory.ok) o.memory = null;
      if (!load.ok) o.load1 = null;

      if (etcdStatus?.ok) {
        const s = etcdStatus.value;
        o.etcd = { memberId: s.memberId, leaderId: s.leader, isLearner: s.isLearner, dbSize: s.dbSize, errors: s.errors };
        o.etcdError = null;
        e.etcdIsLeader = s.leader !== "0" && s.leader === s.memberId;
      } else if (etcdStatus) {
        o.etcd = null;
        e.etcdIsLeader = false;
        if (etcdStatus.error.code === "forbidden") forbidden.push("EtcdStatus");
        else o.etcdError = etcdStatus.error.message;
      }
      // Leader and membership live in the cluster roll-up, not in any node's summary.
      if (etcdStatus || etcdMembers) this.hooks.rollupChanged();
      if (etcdMembers?.ok) {
        e.cluster.membership = { members: etcdMembers.value.members.map((m) => ({ id: m.id, hostname: m.hostname, isLearner: m.isLearner })) };
        this.hooks.etcdMembers(e.cluster, etcdMembers.value.members);
      } else if (etcdMembers && etcdMembers.error.code === "forbidden") forbidden.push("EtcdMemberList");
      o.forbidden = full ? forbidden : forbidden.sort((a, b) => READ_ORDER.indexOf(a) - READ_ORDER.indexOf(b));
      e.history.push(now, o.memory?.availableKb ?? null, o.load1);
    } else {
      e.failures++;
      const first = outcomes.find((x): x is { ok: false; error: NodeError; detail: string } => !x.ok);
      o.lastError = first?.error ?? { code: "node_unreachable", message: "no answer" };
      // Viewers see only that the node did not answer; why is for whoever reads the server log.
      const detail = first?.detail ?? "no answer";
      // grpc-js stamps "Failed to connect (<time>)": the same outage must not log on every poll.
      const key = detail.replace(/\d{4}-\d\d-\d\dT[\d:.]+Z/g, "");
      if (key !== e.lastFailure) {
        e.lastFailure = key;
        console.warn(`[minos] ${e.id}: ${o.lastError.message}: ${detail}`);
      }
      o.etcd = null;
      e.etcdIsLeader = false;
    }

    e.nextDue = now + this.hooks.backoffMs(e.failures);
    this.polls++;
    if (refresh) this.fullReads++;
    this.core.o.onPoll?.(e.cluster.name, (now - started) / 1000, reached);
    this.hooks.refresh(e);
    this.hooks.polled(e);
  }
}
