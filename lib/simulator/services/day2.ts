/**
 * The day-2 RPCs of machine.MachineService on a simulated node (reset, service start/stop/restart,
 * logs, dmesg, etcd snapshot/defragment/alarm disarm/remove member). Placeholder: each answers
 * Unimplemented until the simulator implements it.
 */
import type { HandlerEnv } from "../proxy";
import { serverStream, unary } from "../proxy";
import { unimplemented } from "../errors";
import {
  EtcdAlarmDisarm as EtcdAlarmDisarmMsg,
  EtcdDefragment as EtcdDefragmentMsg,
  EtcdRemoveMemberByID as EtcdRemoveMemberByIDMsg,
  Reset as ResetMsg,
  ServiceRestart as ServiceRestartMsg,
  ServiceStart as ServiceStartMsg,
  ServiceStop as ServiceStopMsg,
} from "../../third_party/talos-proto/gen/machine/machine";

const M = "/machine.MachineService/";

export function day2Handlers(env: HandlerEnv) {
  const no = (name: string) => () => {
    throw unimplemented(`${name} is not implemented by the simulator`);
  };
  return {
    reset: unary(env, M + "Reset", ResetMsg, no("Reset")),
    serviceStart: unary(env, M + "ServiceStart", ServiceStartMsg, no("ServiceStart")),
    serviceStop: unary(env, M + "ServiceStop", ServiceStopMsg, no("ServiceStop")),
    serviceRestart: unary(env, M + "ServiceRestart", ServiceRestartMsg, no("ServiceRestart")),
    etcdDefragment: unary(env, M + "EtcdDefragment", EtcdDefragmentMsg, no("EtcdDefragment")),
    etcdAlarmDisarm: unary(env, M + "EtcdAlarmDisarm", EtcdAlarmDisarmMsg, no("EtcdAlarmDisarm")),
    etcdRemoveMemberById: unary(env, M + "EtcdRemoveMemberByID", EtcdRemoveMemberByIDMsg, no("EtcdRemoveMemberByID")),
    logs: serverStream(env, M + "Logs", async () => no("Logs")()),
    dmesg: serverStream(env, M + "Dmesg", async () => no("Dmesg")()),
    etcdSnapshot: serverStream(env, M + "EtcdSnapshot", async () => no("EtcdSnapshot")()),
  };
}
