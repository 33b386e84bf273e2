import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";

import { status } from "@grpc/grpc-js";
import { parse, stringify } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { ApplyConfigurationRequest_Mode as Mode } from "../third_party/talos-proto/gen/machine/machine";
import { MachineConfigSpec } from "../third_party/talos-proto/gen/resource/definitions/config/config";
import type { NodeRow } from "./control-api";
import { type Fleet, startFleet } from "./fleet";
import { Clients, codeOf, credentialsOf, getJson, md, readTalosconfig, rpc, waitFor } from "@/test/simulator/helpers";

let fleet: Fleet;
let stateDir: string;
let admin: Clients;

// 127.0.21.x: this file's own addresses.
const CP = "127.0.21.1";
const W113 = "127.0.21.2";
const W114 = "127.0.21.3";
const W_TRY = "127.0.21.4";

beforeAll(async () => {
  stateDir = await mkdtemp(path.join(os.tmpdir(), "minos-sim-apply-"));
  fleet = await startFleet({
    controlPlanes: 1,
    workers: 3,
    version: "v1.13.9",
    nodeVersions: { "sim-1-worker-2": "v1.14.0" },
    stateDir,
    firstAddress: CP,
    controlPort: 0,
    rebootSeconds: 0.3,
    bootSeconds: 0.2,
    readySeconds: 0.1,
    applySeconds: 0.2,
  });
  const a = await readTalosconfig(fleet.talosconfig.admin);
  admin = new Clients(a.endpoints[0]!, credentialsOf(a));
});

afterAll(async () => {
  admin?.close();
  await fleet?.stop();
  await rm(stateDir, { recursive: true, force: true });
});

async function config(node: string, id = "v1alpha1"): Promise<string> {
  const res = await rpc(admin.cosi, "get", { namespace: "config", type: "MachineConfigs.config.talos.dev", id }, md(node));
  return MachineConfigSpec.decode(res.resource!.spec!.protoSpec).yamlMarshalled.toString("utf8");
}

interface EditableConfig {
  machine: Record<string, unknown> & { kubelet: Record<string, unknown> };
}

/** Edits the v1alpha1 document (the first one, as gen config writes it) and keeps the others as they are. */
function edit(yaml: string, fn: (c: EditableConfig) => void): string {
  const [first, ...rest] = yaml.split(/^---\n/m);
  const c = parse(first!) as EditableConfig;
  fn(c);
  return [stringify(c, { indent: 4, lineWidth: 0 }), ...rest].join("---\n");
}

const apply = (node: string, data: string, mode: Mode, dryRun = false, tryMs?: number) =>
  rpc(
    admin.machine,
    "applyConfiguration",
    {
      data: Buffer.from(data),
      mode,
      dryRun,
      tryModeTimeout: tryMs === undefined ? undefined : { seconds: String(Math.floor(tryMs / 1000)), nanos: (tryMs % 1000) * 1e6 },
    },
    md(node),
  );

async function nodeRow(address: string): Promise<NodeRow> {
  return (await getJson<NodeRow[]>(`${fleet.controlUrl}/nodes`)).body.find((n) => n.address === address)!;
}

describe("ApplyConfiguration dry run", () => {
  it("reports No changes. for the running config", async () => {
    const res = await apply(W113, await config(W113), Mode.AUTO, true);
    expect(res.messages[0]).toMatchObject({
      mode: Mode.NO_REBOOT,
      warnings: [],
      modeDetails: "Dry run summary:\nApplied configuration without a reboot (skipped in dry-run).\n\nConfig diff:\n\nNo changes.",
    });
  });

  it("returns a unified diff with --- a / +++ b headers and changes nothing", async () => {
    const before = await nodeRow(W113);
    const changed = edit(await config(W113), (c) => (c.machine.kubelet.extraArgs = { "max-pods": "150" }));
    const res = await apply(W113, changed, Mode.NO_REBOOT, true);
    const details = res.messages[0]!.modeDetails;
    expect(details.startsWith("Dry run summary:\nApplied configuration without a reboot (skipped in dry-run).\n\nConfig diff:\n\n--- a\n+++ b\n@@ ")).toBe(true);
    expect(details).toContain("+        extraArgs:\n+            max-pods: \"150\"");
    expect((await nodeRow(W113)).configHash).toBe(before.configHash);
  });
});

describe("ApplyConfiguration modes", () => {
  it("NO_REBOOT applies live and persists; configHash changes", async () => {
    const before = await nodeRow(W113);
    const changed = edit(await config(W113), (c) => (c.machine.sysctls = { "net.core.somaxconn": "65535" }));
    const res = await apply(W113, changed, Mode.NO_REBOOT);
    expect(res.messages[0]).toMatchObject({ mode: Mode.NO_REBOOT, modeDetails: "Applied configuration without a reboot" });
    expect(await config(W113)).toBe(changed);
    expect(await config(W113, "persistent")).toBe(changed);
    const after = await nodeRow(W113);
    expect(after.configHash).not.toBe(before.configHash);
    expect(after.bootId).toBe(before.bootId);
    const tl = (await getJson<{ node: string; event: string; mode?: string }[]>(`${fleet.controlUrl}/timeline?node=${W113}`)).body;
    expect(tl.filter((e) => e.event === "apply").map((e) => e.mode)).toContain("NO_REBOOT");
  });

  it("AUTO on 1.13 reboots for a change that cannot apply live; on 1.14 it is always NO_REBOOT", async () => {
    const t13 = edit(await config(W113), (c) => (c.machine.token = "abcdef.0123456789abcdef"));
    const dry13 = await apply(W113, t13, Mode.AUTO, true);
    expect(dry13.messages[0]!.mode).toBe(Mode.REBOOT);
    expect((await codeOf(apply(W113, t13, Mode.NO_REBOOT))).code).toBe(status.INVALID_ARGUMENT);
    const t14 = edit(await config(W114), (c) => (c.machine.token = "abcdef.0123456789abcdef"));
    expect((await apply(W114, t14, Mode.AUTO, true)).messages[0]!.mode).toBe(Mode.NO_REBOOT);
  });

  it("REBOOT is Unimplemented on 1.14 and reboots on 1.13", async () => {
    const cfg14 = await config(W114);
    expect((await codeOf(apply(W114, cfg14, Mode.REBOOT))).code).toBe(status.UNIMPLEMENTED);
    const before = await nodeRow(W113);
    const changed = edit(await config(W113), (c) => (c.machine.nodeLabels = { zone: "a" }));
    const res = await apply(W113, changed, Mode.REBOOT);
    expect(res.messages[0]!.mode).toBe(Mode.REBOOT);
    const after = await waitFor(async () => {
      const n = await nodeRow(W113);
      return n.ready && n.bootId !== before.bootId ? n : undefined;
    }, { what: "reboot after REBOOT apply" });
    expect(after.stage).toBe("running");
    expect(await config(W113)).toBe(changed);
  });

  it("STAGED persists only; the next reboot activates it", async () => {
    const running = await config(W114);
    const staged = edit(running, (c) => (c.machine.nodeLabels = { staged: "yes" }));
    const res = await apply(W114, staged, Mode.STAGED);
    expect(res.messages[0]).toMatchObject({ mode: Mode.STAGED, modeDetails: "Staged configuration to be applied after the next reboot" });
    expect(await config(W114)).toBe(running);
    expect(await config(W114, "persistent")).toBe(staged);
    const before = await nodeRow(W114);
    await rpc(admin.machine, "reboot", { mode: 0 }, md(W114));
    await waitFor(async () => {
      const n = await nodeRow(W114);
      return n.ready && n.bootId !== before.bootId;
    }, { what: "reboot" });
    expect(await config(W114)).toBe(staged);
  });

  it("TRY applies without persisting and reverts after try_mode_timeout", async () => {
    const original = await config(W_TRY);
    const trial = edit(original, (c) => (c.machine.nodeLabels = { trial: "1" }));
    const res = await apply(W_TRY, trial, Mode.TRY, false, 400);
    expect(res.messages[0]!.mode).toBe(Mode.TRY);
    expect(res.messages[0]!.modeDetails).toContain("400ms");
    expect(await config(W_TRY)).toBe(trial);
    expect(await config(W_TRY, "persistent")).toBe(original);
    await waitFor(async () => (await config(W_TRY)) === original, { what: "try revert" });
    const tl = (await getJson<{ event: string }[]>(`${fleet.controlUrl}/timeline?node=${W_TRY}`)).body;
    expect(tl.map((e) => e.event)).toContain("try-revert");
  });

  it("a later non-TRY apply cancels the try-mode revert", async () => {
    const original = await config(W_TRY);
    const trial = edit(original, (c) => (c.machine.nodeLabels = { trial: "2" }));
    await apply(W_TRY, trial, Mode.TRY, false, 500);
    const final = edit(original, (c) => (c.machine.nodeLabels = { final: "yes" }));
    await apply(W_TRY, final, Mode.NO_REBOOT);
    await new Promise((r) => setTimeout(r, 700));
    expect(await config(W_TRY)).toBe(final);
  });
});

describe("ApplyConfiguration rejections", () => {
  it("allows one apply at a time", async () => {
    const cfg = await config(CP);
    const results = await Promise.allSettled([apply(CP, cfg, Mode.NO_REBOOT), apply(CP, cfg, Mode.NO_REBOOT)]);
    const failed = results.filter((r) => r.status === "rejected") as PromiseRejectedResult[];
    expect(failed).toHaveLength(1);
    expect(failed[0]!.reason).toMatchObject({ code: status.FAILED_PRECONDITION, details: "another apply configuration is already in progress" });
  });

  it.each([
    ["unparseable YAML", "machine: [", /failed to parse config/],
    ["no v1alpha1 document", "apiVersion: v1alpha1\nkind: HostnameConfig\nauto: stable\n", /v1alpha1/],
    ["missing machine", "version: v1alpha1\ncluster:\n    clusterName: x\n", /machine instructions are required/],
    ["bad machine.type", "version: v1alpha1\nmachine:\n    type: router\n    ca:\n        crt: x\ncluster: {}\n", /unknown machine type "router"/],
  ])("rejects %s with INVALID_ARGUMENT", async (_name, data, message) => {
    const err = await codeOf(apply(W113, data, Mode.AUTO, true));
    expect(err.code).toBe(status.INVALID_ARGUMENT);
    expect(err.details).toMatch(message);
  });

  it("rejects a control-plane config on a worker", async () => {
    const err = await codeOf(apply(W113, await config(CP), Mode.AUTO, true));
    expect(err.code).toBe(status.INVALID_ARGUMENT);
  });

  it("reject-apply fault: INVALID_ARGUMENT until cleared", async () => {
    fleet.setFault({ node: W113, fault: "reject-apply", message: "nope" });
    const cfg = await config(W113);
    expect(await codeOf(apply(W113, cfg, Mode.AUTO, true))).toEqual({ code: status.INVALID_ARGUMENT, details: "nope" });
    fleet.clearFaults(W113);
    expect((await apply(W113, cfg, Mode.AUTO, true)).messages[0]!.modeDetails).toContain("No changes.");
  });
});
