/**
 * Runtime events as machined emits them (machine.Event in api/machine/machine.proto): stored encoded in a small ring buffer
 * per node and sent as `Event{data: Any{type_url: "talos/runtime/machine.X"}}`.
 */
import crypto from "node:crypto";

import {
  MachineStatusEvent,
  type MachineStatusEvent_MachineStage,
  PhaseEvent,
  type PhaseEvent_Action,
  SequenceEvent,
  type SequenceEvent_Action,
  ServiceStateEvent,
  type ServiceStateEvent_Action,
  TaskEvent,
  type TaskEvent_Action,
} from "../third_party/talos-proto/gen/machine/machine";
import { Code } from "../third_party/talos-proto/gen/common/common";

export interface RuntimeEvent {
  id: string;
  /** epoch ms */
  time: number;
  actorId: string;
  typeUrl: string;
  value: Buffer;
}

// xid: 4 bytes seconds, 3 bytes machine id, 2 bytes pid, 3 bytes counter; base32hex, 20 chars.
const XID_MACHINE = crypto.randomBytes(3);
let xidCounter = crypto.randomBytes(3).readUIntBE(0, 3);
const B32 = "0123456789abcdefghijklmnopqrstuv";

/** A new xid string (the id format Talos uses for events), ordered by time. */
export function newXid(nowMs = Date.now()): string {
  const b = Buffer.alloc(12);
  b.writeUInt32BE(Math.floor(nowMs / 1000) >>> 0, 0);
  XID_MACHINE.copy(b, 4);
  b.writeUInt16BE(process.pid & 0xffff, 7);
  xidCounter = (xidCounter + 1) & 0xffffff;
  b.writeUIntBE(xidCounter, 9, 3);
  let bits = 0;
  let value = 0;
  let out = "";
  for (const byte of b) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += B32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += B32[(value << (5 - bits)) & 31];
  return out;
}

const url = (name: string) => `talos/runtime/machine.${name}`;

export type EventPayload =
  | { kind: "sequence"; sequence: string; action: SequenceEvent_Action; error?: string }
  | { kind: "phase"; phase: string; action: PhaseEvent_Action }
  | { kind: "task"; task: string; action: TaskEvent_Action }
  | {
      kind: "service";
      service: string;
      action: ServiceStateEvent_Action;
      message: string;
      health?: { unknown: boolean; healthy: boolean; lastMessage: string; lastChange?: Date };
    }
  | {
      kind: "machineStatus";
      stage: MachineStatusEvent_MachineStage;
      ready: boolean;
      unmetConditions: { name: string; reason: string }[];
    };

export function encodeEvent(p: EventPayload): { typeUrl: string; value: Buffer } {
  switch (p.kind) {
    case "sequence":
      return {
        typeUrl: url("SequenceEvent"),
        value: Buffer.from(
          SequenceEvent.encode({
            sequence: p.sequence,
            action: p.action,
            error: p.error ? { code: Code.FATAL, message: p.error, details: [] } : undefined,
          }).finish(),
        ),
      };
    case "phase":
      return { typeUrl: url("PhaseEvent"), value: Buffer.from(PhaseEvent.encode({ phase: p.phase, action: p.action }).finish()) };
    case "task":
      return { typeUrl: url("TaskEvent"), value: Buffer.from(TaskEvent.encode({ task: p.task, action: p.action }).finish()) };
    case "service":
      return {
        typeUrl: url("ServiceStateEvent"),
        value: Buffer.from(ServiceStateEvent.encode({ service: p.service, action: p.action, message: p.message, health: p.health }).finish()),
      };
    case "machineStatus":
      return {
        typeUrl: url("MachineStatusEvent"),
        value: Buffer.from(
          MachineStatusEvent.encode({ stage: p.stage, status: { ready: p.ready, unmetConditions: p.unmetConditions } }).finish(),
        ),
      };
  }
}

/** Fixed-capacity ring of events; machined keeps its buffer in memory, so a reboot empties it. */
export class EventRing {
  private buf: RuntimeEvent[] = [];
  constructor(private readonly capacity: number) {}

  push(e: RuntimeEvent): void {
    this.buf.push(e);
    if (this.buf.length > this.capacity) this.buf.splice(0, this.buf.length - this.capacity);
  }

  clear(): void {
    this.buf = [];
  }

  /**
   * The events a new stream replays: `tailEvents` (<0 all, 0 none, n last n), or those after
   * `tailId`, or those of the last `tailSeconds`.
   */
  select(opts: { tailEvents: number; tailId: string; tailSeconds: number; now: number }): RuntimeEvent[] {
    if (opts.tailId) {
      const i = this.buf.findIndex((e) => e.id === opts.tailId);
      return i < 0 ? [...this.buf] : this.buf.slice(i + 1);
    }
    if (opts.tailSeconds > 0) return this.buf.filter((e) => e.time >= opts.now - opts.tailSeconds * 1000);
    if (opts.tailEvents < 0) return [...this.buf];
    if (opts.tailEvents === 0) return [];
    return this.buf.slice(-opts.tailEvents);
  }

  get size(): number {
    return this.buf.length;
  }
}
