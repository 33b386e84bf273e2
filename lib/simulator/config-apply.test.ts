import { describe, expect, it } from "vitest";

import { ApplyConfigurationRequest_Mode as Mode } from "../third_party/talos-proto/gen/machine/machine";
import { configDiff, dryRunDetails, goDuration, loadConfig, multiError, resolveMode } from "./config-apply";
import { isAuthorized, minimumRole } from "./authz";
import { defaultKubernetesVersion, kubernetesRange } from "../talos/features";
import { minimumUpgradeSource, versionFromImage } from "../talos/upgrade";

describe("config-apply", () => {
  it("formats Go durations", () => {
    expect([0, 500, 1000, 1500, 60_000, 90_000, 3_600_000].map(goDuration)).toEqual(["0s", "500ms", "1s", "1.5s", "1m0s", "1m30s", "1h0m0s"]);
  });

  it("formats go-multierror text", () => {
    expect(multiError(["a"])).toBe("1 error occurred:\n\t* a\n\n");
    expect(multiError(["a", "b"])).toBe("2 errors occurred:\n\t* a\n\t* b\n\n");
  });

  it("diffs re-encoded configs with --- a / +++ b headers, ignoring comments", () => {
    expect(configDiff("a: 1 # c\n", "a: 1\n")).toBe("No changes.");
    expect(configDiff("a: 1\nb: 2\n", "a: 1\nb: 3\n")).toBe("--- a\n+++ b\n@@ -1,2 +1,2 @@\n a: 1\n-b: 2\n+b: 3\n");
    expect(dryRunDetails(Mode.STAGED, 60_000, "No changes.")).toBe(
      "Dry run summary:\nStaged configuration to be applied after the next reboot (skipped in dry-run).\n\nConfig diff:\n\nNo changes.",
    );
  });

  it("resolves modes by Talos version", () => {
    expect(resolveMode(Mode.AUTO, "v1.14.0", false)).toBe(Mode.NO_REBOOT);
    expect(resolveMode(Mode.AUTO, "v1.13.9", false)).toBe(Mode.REBOOT);
    expect(resolveMode(Mode.AUTO, "v1.13.9", true)).toBe(Mode.NO_REBOOT);
    expect(() => resolveMode(Mode.REBOOT, "v1.14.0-rc.1", true)).toThrow(/REBOOT/);
    expect(resolveMode(Mode.REBOOT, "v1.12.11", true)).toBe(Mode.REBOOT);
  });

  it("validates the v1alpha1 document", () => {
    expect(() => loadConfig("version: v1alpha1\nmachine:\n  type: worker\n  ca:\n    crt: x\n")).toThrow(/cluster instructions are required/);
    expect(() => loadConfig("version: v1alpha1\nmachine:\n  type: worker\n  ca: {crt: x, key: y}\ncluster: {}\n")).toThrow(/machine.ca.key is not allowed/);
    expect(() => loadConfig("machine: {type: worker, ca: {crt: x}}\ncluster: {}\n---\nmachine: {}\n")).toThrow(/duplicate/);
    expect(() => loadConfig("machine: {type: worker, ca: {crt: x}}\ncluster: {}\n---\nkind: HostnameConfig\n")).toThrow(/missing apiVersion/);
    const ok = loadConfig("machine: {type: join, ca: {crt: x}}\ncluster: {}\n---\napiVersion: v1alpha1\nkind: HostnameConfig\nauto: stable\n");
    expect(ok.machineType).toBe("worker");
    expect(ok.warnings).toHaveLength(1);
  });
});

describe("versions and roles", () => {
  it("knows the Kubernetes ranges, upgrade windows and installer tags", () => {
    expect(kubernetesRange("v1.14.0")).toEqual({ minMinor: 32, maxMinor: 37 });
    expect(defaultKubernetesVersion("v1.13.9")).toBe("1.36.3");
    expect(minimumUpgradeSource("v1.15.0")).toBe("v1.13.0");
    expect(versionFromImage("factory.talos.dev/metal-installer/abc:v1.14.0-rc.1")).toBe("v1.14.0-rc.1");
    expect(versionFromImage("localhost:5000/installer")).toBeNull();
  });

  it("applies the role table with admin fallback", () => {
    const reader = new Set(["os:reader"]);
    const operator = new Set(["os:operator"]);
    expect(isAuthorized(reader, "/machine.MachineService/Version")).toBe(true);
    expect(isAuthorized(reader, "/machine.MachineService/Reboot")).toBe(false);
    expect(isAuthorized(operator, "/machine.MachineService/Reboot")).toBe(true);
    expect(isAuthorized(operator, "/machine.MachineService/ApplyConfiguration")).toBe(false);
    expect(isAuthorized(new Set(["os:etcd:backup"]), "/machine.MachineService/EtcdMemberList")).toBe(true);
    expect(minimumRole("/machine.MachineService/SomethingNew")).toBe("admin");
  });
});
