// Smoke test for the generated Talos stubs in lib/third_party/talos-proto/gen (regenerate: npm run proto).
import * as grpc from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import {
  ApplyConfigurationRequest,
  ApplyConfigurationRequest_Mode,
  MachineServiceClient,
  MachineServiceService,
  type MachineServiceServer,
  type VersionResponse,
} from "@/lib/third_party/talos-proto/gen/machine/machine";
import { MachineStatusSpec } from "@/lib/third_party/talos-proto/gen/resource/definitions/runtime/runtime";
import { RuntimeMachineStage } from "@/lib/third_party/talos-proto/gen/resource/definitions/enums/enums";
import { LifecycleServiceUpgradeResponse } from "@/lib/third_party/talos-proto/gen/machine/lifecycle";

describe("wire format", () => {
  it("ApplyConfigurationRequest uses Talos field numbers (data=1, mode=4, dry_run=5, try_mode_timeout=6)", () => {
    const msg: ApplyConfigurationRequest = {
      data: Buffer.from("ab"),
      mode: ApplyConfigurationRequest_Mode.NO_REBOOT,
      dryRun: true,
      tryModeTimeout: { seconds: "60", nanos: 0 },
    };
    const bytes = ApplyConfigurationRequest.encode(msg).finish();
    expect(Array.from(bytes)).toEqual([
      0x0a, 0x02, 0x61, 0x62, // field 1, length-delimited, "ab"
      0x20, 0x02, // field 4, varint, NO_REBOOT=2
      0x28, 0x01, // field 5, varint, true
      0x32, 0x02, 0x08, 0x3c, // field 6, Duration{seconds=60}
    ]);
    const back = ApplyConfigurationRequest.decode(bytes);
    expect(back.data.toString()).toBe("ab");
    expect(back.mode).toBe(ApplyConfigurationRequest_Mode.NO_REBOOT);
    expect(back.dryRun).toBe(true);
    expect(back.tryModeTimeout?.seconds).toBe("60");
  });

  it("MachineStatusSpec decodes the COSI proto_spec layout", () => {
    // stage=4 (RUNNING), status{ready=true, unmet_conditions[{name:"time"}]}
    const bytes = Uint8Array.from([0x08, 0x04, 0x12, 0x0a, 0x08, 0x01, 0x12, 0x06, 0x0a, 0x04, 0x74, 0x69, 0x6d, 0x65]);
    const spec = MachineStatusSpec.decode(bytes);
    expect(spec.stage).toBe(RuntimeMachineStage.MACHINE_STAGE_RUNNING);
    expect(spec.status?.ready).toBe(true);
    expect(spec.status?.unmetConditions).toEqual([{ name: "time", reason: "" }]);
  });

  it("oneofs are discriminated unions", () => {
    const bytes = LifecycleServiceUpgradeResponse.encode({
      progress: { response: { $case: "exitCode", exitCode: 5 } },
    }).finish();
    expect(Array.from(bytes)).toEqual([0x0a, 0x02, 0x10, 0x05]);
    expect(LifecycleServiceUpgradeResponse.decode(bytes).progress?.response).toEqual({ $case: "exitCode", exitCode: 5 });
  });
});

describe("grpc-js round trip", () => {
  let server: grpc.Server;
  let client: MachineServiceClient;

  beforeAll(async () => {
    server = new grpc.Server();
    const unimplemented = (_call: unknown, cb: grpc.sendUnaryData<never>) =>
      cb({ code: grpc.status.UNIMPLEMENTED, details: "not in smoke test" }, null);
    const impl = new Proxy({} as MachineServiceServer, {
      get: (_t, name) =>
        name === "version"
          ? ((_call, cb) =>
              cb(null, {
                messages: [{ version: { tag: "v1.14.0", sha: "abc", built: "", goVersion: "", os: "linux", arch: "amd64" } }],
              } satisfies VersionResponse)) satisfies MachineServiceServer["version"]
          : unimplemented,
    });
    server.addService(MachineServiceService, impl);
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
    );
    client = new MachineServiceClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  });

  afterAll(() => {
    client?.close();
    server?.forceShutdown();
  });

  it("calls /machine.MachineService/Version through the generated client", async () => {
    expect(MachineServiceService.version.path).toBe("/machine.MachineService/Version");
    const res = await new Promise<VersionResponse>((resolve, reject) =>
      client.version({}, new grpc.Metadata(), { deadline: Date.now() + 5_000 }, (err, r) => (err ? reject(err) : resolve(r))),
    );
    expect(res.messages[0]?.version?.tag).toBe("v1.14.0");
    expect(res.messages[0]?.metadata).toBeUndefined();
  });
});
