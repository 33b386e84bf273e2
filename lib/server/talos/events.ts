import "server-only";

import {
  AddressEvent,
  ConfigLoadErrorEvent,
  ConfigValidationErrorEvent,
  type Event,
  MachineStatusEvent,
  PhaseEvent,
  PhaseEvent_Action,
  RestartEvent,
  SequenceEvent,
  SequenceEvent_Action,
  ServiceStateEvent,
  serviceStateEvent_ActionToJSON,
  TaskEvent,
  TaskEvent_Action,
} from "@/lib/third_party/talos-proto/gen/machine/machine";

import { machineStageName, type MachineStage } from "./cosi";

interface EventBase {
  /** The event's xid ("" on the hello event). */
  id: string;
  actorId: string;
  /** The Any type URL, e.g. `talos/runtime/machine.MachineStatusEvent`. */
  typeUrl: string;
}

/** One decoded `machine.Event`. The first event of every stream is `hello` (no payload). */
export type TalosEvent = EventBase &
  (
    | { type: "hello" }
    | { type: "sequence"; sequence: string; action: "noop" | "start" | "stop"; error?: { code: number; message: string } }
    | { type: "phase"; phase: string; action: "start" | "stop" }
    | { type: "task"; task: string; action: "start" | "stop" }
    | { type: "serviceState"; service: string; state: string; message: string; healthy?: boolean }
    | { type: "machineStatus"; stage: MachineStage; ready: boolean; unmetConditions: { name: string; reason: string }[] }
    | { type: "restart"; cmd: number }
    | { type: "configLoadError"; error: string }
    | { type: "configValidationError"; error: string }
    | { type: "address"; hostname: string; addresses: string[] }
    | { type: "unknown"; value: Uint8Array }
  );

const PREFIX = "talos/runtime/";

/** Decodes the Any payload of a `machine.Event` into a tagged union. */
export function decodeEvent(e: Event): TalosEvent {
  const base: EventBase = { id: e.id, actorId: e.actorId, typeUrl: e.data?.typeUrl ?? "" };
  const data = e.data;
  if (!data || !data.typeUrl) return { ...base, type: "hello" };
  const name = data.typeUrl.startsWith(PREFIX) ? data.typeUrl.slice(PREFIX.length) : data.typeUrl.replace(/^.*\//, "");
  const v = data.value;
  switch (name) {
    case "machine.SequenceEvent": {
      const m = SequenceEvent.decode(v);
      const action = m.action === SequenceEvent_Action.START ? "start" : m.action === SequenceEvent_Action.STOP ? "stop" : "noop";
      const ev: TalosEvent = { ...base, type: "sequence", sequence: m.sequence, action };
      if (m.error && (m.error.message || m.error.code)) ev.error = { code: m.error.code, message: m.error.message };
      return ev;
    }
    case "machine.PhaseEvent": {
      const m = PhaseEvent.decode(v);
      return { ...base, type: "phase", phase: m.phase, action: m.action === PhaseEvent_Action.STOP ? "stop" : "start" };
    }
    case "machine.TaskEvent": {
      const m = TaskEvent.decode(v);
      return { ...base, type: "task", task: m.task, action: m.action === TaskEvent_Action.STOP ? "stop" : "start" };
    }
    case "machine.ServiceStateEvent": {
      const m = ServiceStateEvent.decode(v);
      const ev: TalosEvent = {
        ...base,
        type: "serviceState",
        service: m.service,
        state: serviceStateEvent_ActionToJSON(m.action),
        message: m.message,
      };
      if (m.health && !m.health.unknown) ev.healthy = m.health.healthy;
      return ev;
    }
    case "machine.MachineStatusEvent": {
      const m = MachineStatusEvent.decode(v);
      return {
        ...base,
        type: "machineStatus",
        stage: machineStageName(m.stage),
        ready: m.status?.ready ?? false,
        unmetConditions: (m.status?.unmetConditions ?? []).map((c) => ({ name: c.name, reason: c.reason })),
      };
    }
    case "machine.RestartEvent":
      return { ...base, type: "restart", cmd: Number(RestartEvent.decode(v).cmd) };
    case "machine.ConfigLoadErrorEvent":
      return { ...base, type: "configLoadError", error: ConfigLoadErrorEvent.decode(v).error };
    case "machine.ConfigValidationErrorEvent":
      return { ...base, type: "configValidationError", error: ConfigValidationErrorEvent.decode(v).error };
    case "machine.AddressEvent": {
      const m = AddressEvent.decode(v);
      return { ...base, type: "address", hostname: m.hostname, addresses: m.addresses };
    }
    default:
      return { ...base, type: "unknown", value: v };
  }
}
