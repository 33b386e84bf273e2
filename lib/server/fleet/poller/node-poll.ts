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

/**
 * One poll of one node: its reads in parallel (Version, MachineStatus, ServiceList, Memory,
 * LoadAvg, Hostname, BootID; the machine type until the role is known; etcd on control planes),
 * folded into the node's observation. Any answer, even a refusal, makes the node reachable;
 * only transport failures count towards its backoff.
 */
export class NodePoll {
  /** Completed node polls since start. */
  polls = 0;

  constructor(
    private readonly core: PollerCore,
    private readonly caller: TalosCaller,
    private readonly hooks: NodePollHooks,
  ) {}

  async poll(e: NodeEntry): Promise<void> {
    const started = this.core.now();
    e.attempts.push(started);
    if (e.attempts.length > ATTEMPTS_KEPT) e.attempts.shift();
    const c = e.cluster.client;
    const target = e.obs.address;
    const askRole = e.obs.role === "unknown";
    const askBootId = !e.bootIdUnsupported;
    const call = this.caller.call.bind(this.caller);

    const [version, status, services, memory, load, hostname, bootId, machineType] = await Promise.all([
      call("Version", (o) => c.version(target, o)),
      call("MachineStatus", (o) => c.machineStatus(target, o)),
      call("ServiceList", (o) => c.serviceList(target, o)),
      call("Memory", (o) => c.memory(target, o)),
      call("LoadAvg", (o) => c.loadAvg(target, o)),
      call("Hostname", (o) => c.hostname(target, o)),
      askBootId ? call("BootID", (o) => c.bootId(target, o)) : Promise.resolve(null),
      askRole ? call("MachineType", (o) => c.getResource(target, resourceKinds.machineType, undefined, o)) : Promise.resolve(null),
    ]);
    if (e.cluster.pollSignal.aborted) return;

    const o = e.obs;
    const outcomes: Outcome<unknown>[] = [version, status, services, memory, load, hostname];
    if (bootId) outcomes.push(bootId);
    if (machineType) outcomes.push(machineType);
    const reached = outcomes.some((x) => x.ok || answered(x.error));
    if (machineType?.ok) {
      const t = machineType.value.spec;
      if (t !== "unknown") o.role = t === "worker" ? "worker" : "controlplane";
    }

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
    const forbidden: string[] = [];
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
      o.forbidden = forbidden;
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
    this.core.o.onPoll?.(e.cluster.name, (now - started) / 1000, reached);
    this.hooks.refresh(e);
    this.hooks.polled(e);
  }
}
