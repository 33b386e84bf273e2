import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";

import { status } from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { ContainerDriver, ContainerdNamespace } from "../third_party/talos-proto/gen/common/common";
import { SequenceEvent } from "../third_party/talos-proto/gen/machine/machine";
import type { LifecycleServiceUpgradeResponse } from "../third_party/talos-proto/gen/machine/lifecycle";
import { BootIDSpec } from "../third_party/talos-proto/gen/resource/definitions/runtime/runtime";
import type { NodeRow } from "./control-api";
import { type Fleet, startFleet } from "./fleet";
import { Clients, codeOf, collect, credentialsOf, getJson, md, readTalosconfig, rpc, waitFor } from "@/test/simulator/helpers";

let fleet: Fleet;
let stateDir: string;
let admin: Clients;

// 127.0.22.x: this file's own addresses.
const CP1 = "127.0.22.1";
const CP2 = "127.0.22.2";
const CP3 = "127.0.22.3";
const W1 = "127.0.22.4"; // v1.13.9
const W2 = "127.0.22.5"; // v1.12.11
const W3 = "127.0.22.6"; // v1.11.5
const W4 = "127.0.22.7"; // v1.13.9

const INSTALLER_114 = "factory.talos.dev/metal-installer/376567988ad370138ad8b2698212367b8edcb69b5fd68c80be1f2ec7d603b4ba:v1.14.0";
const INSTALLER_1139 = "ghcr.io/siderolabs/installer:v1.13.9";
const SYSTEM = { driver: ContainerDriver.CRI, namespace: ContainerdNamespace.NS_SYSTEM };

beforeAll(async () => {
  stateDir = await mkdtemp(path.join(os.tmpdir(), "minos-sim-upgrade-"));
  fleet = await startFleet({
    controlPlanes: 3,
    workers: 4,
    version: "v1.13.9",
    nodeVersions: { "sim-1-worker-2": "v1.12.11", [W3]: "v1.11.5" },
    stateDir,
    firstAddress: CP1,
    controlPort: 0,
    rebootSeconds: 0.3,
    bootSeconds: 0.2,
    readySeconds: 0.1,
    upgradeSeconds: 0.25,
  });
  const a = await readTalosconfig(fleet.talosconfig.admin);
  admin = new Clients(a.endpoints[0]!, credentialsOf(a));
});

afterAll(async () => {
  admin?.close();
  await fleet?.stop();
  await rm(stateDir, { recursive: true, force: true });
});

async function row(address: string): Promise<NodeRow> {
  return (await getJson<NodeRow[]>(`${fleet.controlUrl}/nodes`)).body.find((n) => n.address === address)!;
}

type Tl = { time: number; node: string; event: string; stage?: string; version?: string; mode?: string };
async function timeline(node: string, since: number): Promise<Tl[]> {
  return (await getJson<Tl[]>(`${fleet.controlUrl}/timeline?node=${node}&since=${since}`)).body;
}

const waitReadyOn = (address: string, version: string, bootId: string) =>
  waitFor(async () => {
    const n = await row(address);
    return n.ready && n.version === version && n.bootId !== bootId ? n : undefined;
  }, { what: `${address} running ${version}` });

const legacy = (node: string, image: string, extra: Partial<{ force: boolean; preserve: boolean }> = {}) =>
  rpc(admin.machine, "upgrade", { image, preserve: false, stage: false, force: false, rebootMode: 0, ...extra }, md(node));

describe("legacy MachineService/Upgrade", () => {
  it("goes UPGRADING → REBOOTING → BOOTING → RUNNING into the image's version with a new boot ID", async () => {
    const before = await row(W2);
    const t = Date.now();
    const res = await legacy(W2, INSTALLER_1139);
    expect(res.messages[0]).toMatchObject({ ack: "Upgrade request received" });
    expect(res.messages[0]!.actorId).not.toBe("");
    const after = await waitReadyOn(W2, "v1.13.9", before.bootId);
    expect(after.installedVersion).toBe("v1.13.9");
    const tl = await timeline(W2, t);
    expect(tl.filter((e) => e.event === "stage").map((e) => e.stage)).toEqual(["upgrading", "rebooting", "booting", "running"]);
    expect(tl.find((e) => e.event === "upgrade")).toMatchObject({ version: "v1.13.9", mode: "legacy" });
    const v = await rpc(admin.machine, "version", {}, md(W2));
    expect(v.messages[0]!.version!.tag).toBe("v1.13.9");
  });

  it("refuses a source version outside the upgrade window", async () => {
    const err = await codeOf(legacy(W3, INSTALLER_114));
    expect(err.code).toBe(status.FAILED_PRECONDITION);
    expect(err.details).toContain("v1.12.0");
  });

  it("requires an image with a version tag", async () => {
    expect((await codeOf(legacy(W1, ""))).code).toBe(status.INVALID_ARGUMENT);
    expect((await codeOf(legacy(W1, "ghcr.io/siderolabs/installer"))).code).toBe(status.INVALID_ARGUMENT);
  });

  it("a control plane refuses while etcd is unhealthy unless force", async () => {
    fleet.setFault({ node: CP2, fault: "unhealthy" });
    const err = await codeOf(legacy(CP1, INSTALLER_114));
    expect(err.code).toBe(status.FAILED_PRECONDITION);
    expect(err.details).toMatch(/etcd/);
    fleet.setFault({ node: CP3, fault: "down" });
    expect((await codeOf(legacy(CP1, INSTALLER_114))).code).toBe(status.FAILED_PRECONDITION);
    fleet.clearFaults();
    const before = await row(CP2);
    await legacy(CP2, INSTALLER_114, { force: true });
    await waitReadyOn(CP2, "v1.14.0", before.bootId);
  });

  it("upgrade-fails: the sequence ends with an error and the node stays on its version", async () => {
    fleet.setFault({ node: W4, fault: "upgrade-fails" });
    const events = admin.machine.events({ tailEvents: 0, tailId: "", tailSeconds: 0, withActorId: "" }, md(W4));
    const errors: string[] = [];
    events.on("data", (e: { data?: { typeUrl: string; value: Buffer } }) => {
      if (e.data?.typeUrl === "talos/runtime/machine.SequenceEvent") {
        const s = SequenceEvent.decode(e.data.value);
        if (s.error) errors.push(s.error.message);
      }
    });
    events.on("error", () => {});
    const t = Date.now();
    await legacy(W4, INSTALLER_114);
    await waitFor(() => errors.length > 0, { what: "sequence error" });
    expect(errors[0]).toContain("exit status 7");
    events.cancel();
    const n = await waitFor(async () => {
      const r = await row(W4);
      return r.stage === "running" ? r : undefined;
    });
    expect(n.version).toBe("v1.13.9");
    expect((await timeline(W4, t)).map((e) => e.event)).toContain("upgrade-failed");
    fleet.setFault({ node: W4, fault: "upgrade-fails", mode: "error" });
    expect((await codeOf(legacy(W4, INSTALLER_114))).code).toBe(status.INTERNAL);
    fleet.clearFaults(W4);
  });
});

describe("ImageService/Pull and LifecycleService/Upgrade (1.13+)", () => {
  it("pull streams layer progress then the image name", async () => {
    const msgs = await collect(admin.image.pull({ containerd: SYSTEM, imageRef: INSTALLER_114 }, md(W1)));
    expect(msgs.length).toBeGreaterThan(2);
    expect(msgs[0]!.response?.$case).toBe("pullProgress");
    expect(msgs.at(-1)!.response).toEqual({ $case: "name", name: INSTALLER_114 });
  });

  it("installs without any visible change until Reboot, which boots the new version", async () => {
    const before = await row(W1);
    const t = Date.now();
    const msgs: LifecycleServiceUpgradeResponse[] = await collect(admin.lifecycle.upgrade({ containerd: SYSTEM, source: { imageName: INSTALLER_114 } }, md(W1)));
    expect(msgs.at(-1)!.progress!.response).toEqual({ $case: "exitCode", exitCode: 0 });
    expect(msgs.filter((m) => m.progress?.response?.$case === "message").length).toBeGreaterThan(2);
    const mid = await row(W1);
    expect(mid).toMatchObject({ version: "v1.13.9", installedVersion: "v1.14.0", stage: "running", bootId: before.bootId });
    expect((await timeline(W1, t)).filter((e) => e.event === "stage")).toEqual([]);
    await rpc(admin.machine, "reboot", { mode: 0 }, md(W1));
    await waitReadyOn(W1, "v1.14.0", before.bootId);
    // BootIDs exist from 1.14 on.
    const boot = await rpc(admin.cosi, "get", { namespace: "runtime", type: "BootIDs.runtime.talos.dev", id: "boot-id" }, md(W1));
    expect(BootIDSpec.decode(boot.resource!.spec!.protoSpec).bootId).toBe((await row(W1)).bootId);
  });

  it("Rollback boots the previous version", async () => {
    const before = await row(W1);
    await rpc(admin.machine, "rollback", {}, md(W1));
    const after = await waitReadyOn(W1, "v1.13.9", before.bootId);
    expect(after.installedVersion).toBe("v1.13.9");
  });

  it("is Unimplemented on nodes older than 1.13, also through a proxy", async () => {
    const w3 = await readTalosconfig(fleet.talosconfig.admin);
    const direct = new Clients(W3, credentialsOf(w3));
    try {
      expect((await codeOf(collect(direct.lifecycle.upgrade({ containerd: SYSTEM, source: { imageName: INSTALLER_114 } }, md())))).code).toBe(status.UNIMPLEMENTED);
    } finally {
      direct.close();
    }
    expect((await codeOf(collect(admin.image.pull({ containerd: SYSTEM, imageRef: INSTALLER_114 }, md(W3))))).code).toBe(status.UNIMPLEMENTED);
  });

  it("upgrade-fails: the installer exits with code 7", async () => {
    fleet.setFault({ node: W4, fault: "upgrade-fails" });
    const msgs = await collect(admin.lifecycle.upgrade({ containerd: SYSTEM, source: { imageName: INSTALLER_114 } }, md(W4)));
    expect(msgs.at(-1)!.progress!.response).toEqual({ $case: "exitCode", exitCode: 7 });
    expect((await row(W4)).installedVersion).toBe("v1.13.9");
    fleet.clearFaults(W4);
    expect((await codeOf(collect(admin.lifecycle.upgrade({ containerd: SYSTEM, source: { imageName: "" } }, md(W4))))).code).toBe(status.INVALID_ARGUMENT);
  });
});

describe("reboot faults", () => {
  it("a proxied Events stream ends with UNAVAILABLE when its node reboots", async () => {
    const stream = admin.machine.events({ tailEvents: 0, tailId: "", tailSeconds: 0, withActorId: "" }, md(W4));
    const ended = new Promise<number>((resolve) => {
      stream.on("error", (e: { code: number }) => resolve(e.code));
      stream.on("end", () => resolve(-1));
    });
    stream.on("data", () => {});
    await new Promise((r) => setTimeout(r, 50));
    await rpc(admin.machine, "reboot", { mode: 0 }, md(W4));
    expect(await ended).toBe(status.UNAVAILABLE);
    await waitFor(async () => (await row(W4)).ready);
  });

  it("never-returns: the node stays away after its next reboot until faults are cleared", async () => {
    fleet.setFault({ node: W4, fault: "never-returns" });
    const before = await row(W4);
    await rpc(admin.machine, "reboot", { mode: 0 }, md(W4));
    await new Promise((r) => setTimeout(r, 900));
    expect((await row(W4)).reachable).toBe(false);
    expect((await codeOf(rpc(admin.machine, "version", {}, md(W4)))).code).toBe(status.UNAVAILABLE);
    fleet.clearFaults(W4);
    await waitReadyOn(W4, "v1.13.9", before.bootId);
  });

  it("Shutdown: SHUTTING_DOWN, then unreachable until faults are cleared (power on)", async () => {
    const before = await row(W3);
    const t = Date.now();
    const res = await rpc(admin.machine, "shutdown", { force: false }, md(W3));
    expect(res.messages[0]!.actorId).not.toBe("");
    await waitFor(async () => !(await row(W3)).reachable, { what: "powered off" });
    expect((await row(W3)).stage).toBe("shutting down");
    expect((await timeline(W3, t)).filter((e) => e.event === "stage").map((e) => e.stage)).toEqual(["shutting down"]);
    fleet.clearFaults(W3);
    await waitReadyOn(W3, "v1.11.5", before.bootId);
  });
});
